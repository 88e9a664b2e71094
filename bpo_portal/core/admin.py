from django.contrib import admin

from bpo_portal.core.models import LoadedRecord


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
