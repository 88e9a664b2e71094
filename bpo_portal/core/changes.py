"""The public record of changes: each history record of a kind of knowledge becomes a `Change`
row (what, which fields, when), leaving out who made it and rows of generated demo data."""

from django.core.exceptions import FieldDoesNotExist

from bpo_portal.core.kinds import kind_for, kind_named
from bpo_portal.core.models import Change
from bpo_portal.core.text import shorten

INTERNAL = {"id", "created", "modified", "is_demo"}


def is_demo_row(record):
    """Generated demo data, or a row hanging off it (a demo provider's links and citations)."""
    if getattr(record, "is_demo", False):
        return True
    for name in ("provider", "fact"):
        parent = getattr(record, name, None) if hasattr(type(record), name) else None
        if parent is not None and getattr(parent, "is_demo", False):
            return True
    return False


def changed_fields(history):
    previous = history.prev_record
    if previous is None:
        return []
    delta = history.diff_against(previous)
    return [change.field for change in delta.changes if change.field not in INTERNAL]


def on_history_record(sender, instance, history_instance, **kwargs):
    """Signal receiver (simple-history's post_create_historical_record)."""
    kind = kind_for(type(instance))
    if kind is None or is_demo_row(instance):
        return
    action = history_instance.history_type
    fields = changed_fields(history_instance) if action == Change.Action.CHANGED else []
    if action == Change.Action.CHANGED and not fields:
        return  # saved without a change that shows
    Change.objects.create(
        date=history_instance.history_date,
        kind=kind.prefix,
        object_id=instance.pk,
        title=shorten(title(instance), 300),
        url=address(instance) if action != Change.Action.REMOVED else "",
        action=action,
        fields=fields,
    )


CITED = "a source of "  # how a citation's record was once named; older rows still hold it


def title(record):
    fact = getattr(record, "fact", None) if hasattr(type(record), "fact") else None
    if fact is not None:
        source = getattr(record, "source", None)
        return f"{title(fact)} (source: {source.title})" if source else title(fact)
    describe = getattr(record, "describe", None)
    return describe() if describe else str(record)


def address(record):
    fact = getattr(record, "fact", None) if hasattr(type(record), "fact") else None
    target = fact if fact is not None else record
    return target.get_absolute_url() if hasattr(target, "get_absolute_url") else ""


def on_restore(sender, instance, raw, **kwargs):
    """Signal receiver (pre_save): a row loaded from a backup is restored, not edited, so the
    many-to-many links set on it right after add no history and no public change."""
    if raw:
        instance.skip_history_when_saving = True


def field_label(model, name):
    """A field's name as a reader reads it: its verbose name, else the name in words."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except (AttributeError, FieldDoesNotExist):
        return name.removesuffix("_id").replace("_", " ")


def field_labels(change):
    """The names of a change's fields as a reader reads them: each field's verbose name."""
    kind = kind_named(change.kind)
    model = kind.model if kind else None
    return [field_label(model, name) for name in change.fields]


CITATION_VERBS = {
    Change.Action.ADDED: "added to",
    Change.Action.CHANGED: "changed on",
    Change.Action.REMOVED: "removed from",
}


def headline(change):
    """What a change did, for its line on /changes/ and its feed entry: "Added: Ibex"; a
    citation's, "A citation added to Ibex (source: …)"."""
    if change.kind == "citation":
        verb = CITATION_VERBS.get(change.action, "changed on")
        return f"A citation {verb} {change.title.removeprefix(CITED)}"
    return f"{change.get_action_display()}: {change.title}"


def in_words(change):
    """A change in a sentence: "Provider changed: founded year, headcount." """
    kind = kind_named(change.kind)
    label = str(kind.label if kind else change.kind).capitalize()
    if change.action == Change.Action.CHANGED and change.fields:
        return f"{label} changed: {', '.join(field_labels(change))}."
    return f"{label} {change.get_action_display().lower()}."
