from django.contrib import admin, messages
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from simple_history.admin import SimpleHistoryAdmin

from bpo_portal.core.conflicts import changed_since
from bpo_portal.core.kinds import kind_named
from bpo_portal.portal.models import Suggestion
from bpo_portal.sources.admin import suggested_edit_saving


def record_admin_url(suggestion):
    """The admin page to edit the record a suggestion is about, or None."""
    kind = kind_named(suggestion.record_kind)
    if kind is None or suggestion.record_id is None:
        return None
    meta = kind.model._meta
    try:
        url = reverse(
            f"admin:{meta.app_label}_{meta.model_name}_change", args=[suggestion.record_id]
        )
    except NoReverseMatch:
        return None
    return f"{url}?_suggestion={suggestion.pk}"


def stale_warning(change):
    who = change.history_user or "someone"
    when = date_format(localtime(change.history_date), "j F Y, H:i")
    return (
        f"The record was changed by {who} on {when}, after the reader sent this correction: "
        "check that it still applies before editing."
    )


@admin.register(Suggestion)
class SuggestionAdmin(SimpleHistoryAdmin):
    """The queue of readers' corrections: nothing is published until a curator acts, and
    nothing is deleted (a rejection keeps its reason)."""

    list_display = ["created", "status", "about", "short_wrong", "has_source"]
    list_filter = ["status"]
    search_fields = ["wrong", "should_be", "record_title", "page"]
    readonly_fields = [
        "created",
        "page_link",
        "record_title",
        "record_link",
        "wrong",
        "should_be",
        "source_link",
        "email",
    ]
    fields = [
        *readonly_fields,
        "status",
        "reason",
    ]
    actions = ["accept"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="about")
    def about(self, obj):
        return obj.record_title or obj.page

    @admin.display(description="what is wrong")
    def short_wrong(self, obj):
        return obj.wrong[:100]

    @admin.display(description="source given", boolean=True)
    def has_source(self, obj):
        return bool(obj.source_url)

    @admin.display(description="page")
    def page_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.page, obj.page)

    @admin.display(description="source (URL)")
    def source_link(self, obj):
        if not obj.source_url:
            return "—"
        return format_html(
            '<a href="{}" rel="noopener noreferrer">{}</a>', obj.source_url, obj.source_url
        )

    @admin.display(description="record")
    def record_link(self, obj):
        target = record_admin_url(obj)
        if target is None:
            return "—"
        return format_html(
            '<a href="{}">Edit {}</a>, with this correction beside it; saving accepts it.',
            target,
            obj.record_title or "the record",
        )

    @admin.action(description="Open the record to edit, with the correction beside it")
    def accept(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Open one suggestion at a time.", messages.WARNING)
            return None
        suggestion = queryset.get()
        kind = kind_named(suggestion.record_kind)
        change = kind and changed_since(kind.model, suggestion.record_id, suggestion.created)
        if change:  # the reader saw an older version: said to the curator before the edit
            self.message_user(request, stale_warning(change), messages.WARNING)
        target = record_admin_url(suggestion)
        if target is None:
            self.message_user(
                request,
                format_html(
                    'The page <a href="{}">{}</a> shows several records: edit the one concerned, '
                    "then mark this correction accepted here.",
                    suggestion.page,
                    suggestion.page,
                ),
                messages.WARNING,
            )
            return None
        return redirect(target)


@receiver(suggested_edit_saving)
def accept_with_the_edit(sender, request, record, suggestion_id, **kwargs):
    """The record opened from a reader's correction is being saved: the correction is accepted
    in the same transaction."""
    suggestion = Suggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is None or suggestion.status != Suggestion.Status.WAITING:
        return
    suggestion.status = Suggestion.Status.ACCEPTED
    suggestion._change_reason = f"Accepted by {request.user.get_username()} with an edit"
    if changed_since(sender, record.pk, suggestion.created):  # before this edit is written
        suggestion._change_reason += "; the record had changed since it was sent"
    suggestion.save()
    messages.info(request, f"{suggestion} is marked accepted.")
