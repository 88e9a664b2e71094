from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from bpo_portal.core.conflicts import EditConflictMixin
from bpo_portal.core.models import LoadedRecord, StopWord, Synonym


@admin.register(LoadedRecord)
class LoadedRecordAdmin(admin.ModelAdmin):
    """What load_knowledge has created; read-only, for tracing where a row came from."""

    list_display = ["key", "loaded"]
    search_fields = ["key"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Synonym)
class SynonymAdmin(EditConflictMixin, SimpleHistoryAdmin):
    """Words site search treats as the same; every change is kept (History)."""

    list_display = ["term", "alternatives", "note", "modified"]
    search_fields = ["term", "alternatives", "note"]


@admin.register(StopWord)
class StopWordAdmin(EditConflictMixin, SimpleHistoryAdmin):
    """Question and filler words site search leaves out; every change is kept (History)."""

    list_display = ["word", "note", "modified"]
    search_fields = ["word", "note"]
