"""Edit conflicts: a change form carries the revision it was opened at, and a save against a
newer revision is not written.

A record's revision is the id of its latest history row, and the same for each row of its
inlines (no field of our own on every model). The form also carries a digest of each field as
it was opened, so that who changed what is known even for a row with no history (generated
demo rows). When a save arrives with a revision that is no longer current, the curator is
shown the version they opened (from history, where kept), the other curator's and their own,
field by field, and chooses: a merge (per field), their own version, or the other's.
"""

import hashlib
import json

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db.models import Max
from django.http import HttpResponseRedirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import reverse

SALT = "bpo_portal.core.conflicts"
REVISION_FIELD = "_revision"
RESOLVE_FIELD = "_resolve"
PICK_PREFIX = "_pick|"
# A formset's bookkeeping, never compared; nor are form fields that are not model fields (the
# citation columns of a cited row, whose new citation is kept with the curator's version).
SKIPPED_FIELDS = {"id", "DELETE", "ORDER"}
MISSING = object()


def history_model(model):
    manager = getattr(model, "history", None)
    return getattr(manager, "model", None)


def latest_revisions(model, pks):
    """{pk as text: revision} for these rows of `model`: the id of each one's latest history
    row, or its `modified` time where the model keeps no history."""
    pks = list(pks)
    if not pks:
        return {}
    historical = history_model(model)
    if historical is not None:
        pk_name = model._meta.pk.attname
        rows = (
            historical.objects.filter(**{f"{pk_name}__in": pks})
            .order_by()
            .values_list(pk_name)
            .annotate(latest=Max("history_id"))
        )
        found = {str(pk): latest for pk, latest in rows}
    elif any(field.name == "modified" for field in model._meta.fields):
        rows = model._default_manager.filter(pk__in=pks).values_list("pk", "modified")
        found = {str(pk): modified.isoformat() for pk, modified in rows}
    else:
        found = {}
    return {str(pk): found.get(str(pk)) for pk in pks}


def record_revision(obj):
    """The revision of one record: a token to compare, None when nothing marks its changes."""
    return latest_revisions(type(obj), [obj.pk]).get(str(obj.pk))


def record_state(obj, formsets):
    """The revisions of a record and of every row its inline formsets edit."""
    state = {"": latest_revisions(type(obj), [obj.pk])}
    for formset in formsets:
        pks = formset.get_queryset().values_list("pk", flat=True)
        state[formset.prefix] = latest_revisions(formset.model, pks)
    return state


def digest(value):
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def form_digests(model, form, instance):
    """{field name: digest of its value} for the fields a form edits."""
    return {
        field.name: digest(field_value(field, instance)) for field in compared_fields(model, form)
    }


def opened_digests(obj, form, formsets):
    """The digests of a record and of its inline rows as the forms show them."""
    digests = {"": {str(obj.pk): form_digests(type(obj), form, obj)}}
    for formset in formsets:
        digests[formset.prefix] = {
            str(row.instance.pk): form_digests(formset.model, row, row.instance)
            for row in formset.initial_forms
            if row.instance.pk is not None
        }
    return digests


def sign_state(state, digests=None):
    return signing.dumps({"rev": state, "was": digests or {}}, salt=SALT, compress=True)


def read_state(token):
    """(revisions, digests) from a form's token, or None."""
    if not token:
        return None
    try:
        state = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(state, dict) or not isinstance(state.get("rev"), dict):
        return None
    return state["rev"], state.get("was") or {}


def base_instances(model, revisions):
    """{pk as text: the model instance as it was at that revision}, from history."""
    historical = history_model(model)
    ids = [revision for revision in revisions.values() if isinstance(revision, int)]
    if historical is None or not ids:
        return {}
    pk_name = model._meta.pk.attname
    return {
        str(getattr(row, pk_name)): row.instance
        for row in historical.objects.filter(history_id__in=ids)
    }


def field_value(field, instance, form=None):
    """A field's value, comparable across versions: ids for relations, sorted ids for
    many-to-many (from the form's cleaned data for the curator's own version)."""
    if field.many_to_many:
        if form is not None:
            chosen = form.cleaned_data.get(field.name) or []
            return sorted(getattr(item, "pk", item) for item in chosen)
        if instance.pk is None:
            return []
        return sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return field.value_from_object(instance)


def shown(field, value):
    """A value as the curator reads it."""
    if value is MISSING:
        return "(not known)"
    if value in (None, "", [], {}):
        return "(empty)"
    if field.many_to_many:
        rows = field.related_model._default_manager.filter(pk__in=value)
        return ", ".join(str(row) for row in rows)
    if field.is_relation:
        row = field.related_model._default_manager.filter(pk=value).first()
        return str(row) if row is not None else f"#{value} (deleted)"
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def compared_fields(model, form):
    """The model fields a form edits, in the form's order."""
    fields = []
    for name in form.fields:
        if name in SKIPPED_FIELDS:
            continue
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete or field.many_to_many:
            fields.append(field)
    return fields


def field_rows(key, model, form, digests, base, current, mine_instance, mine_form=None):
    """One row per field that either curator changed since the form was opened (known from the
    digests of the opened version; `base`, that version from history, is only shown)."""
    rows = []
    for field in compared_fields(model, form):
        was = MISSING if base is None or field.many_to_many else field_value(field, base)
        theirs = field_value(field, current)
        mine = field_value(field, mine_instance, mine_form if field.many_to_many else None)
        opened = digests.get(field.name)
        if opened is None:  # not in the form when it was opened: compare what there is
            opened = digest(was) if was is not MISSING else digest(theirs)
        theirs_changed = digest(theirs) != opened
        mine_changed = digest(mine) != opened
        if not (theirs_changed or mine_changed):
            continue
        rows.append(
            {
                "name": f"{PICK_PREFIX}{key}|{field.name}",
                "label": str(form.fields[field.name].label or field.verbose_name),
                "was": shown(field, was),
                "theirs": shown(field, theirs),
                "mine": shown(field, mine),
                "both": theirs_changed and mine_changed and theirs != mine,
                "pick": "mine" if mine_changed else "theirs",
            }
        )
    return rows


def posted_picks(post):
    """{(prefix, pk): [field names]} where the curator chose the other curator's value."""
    picks = {}
    for name, value in post.items():
        if name.startswith(PICK_PREFIX) and value == "theirs":
            parts = name[len(PICK_PREFIX) :].split("|")
            if len(parts) == 3:
                prefix, pk, field = parts
                picks.setdefault((prefix, pk), []).append(field)
    return picks


def take_theirs(model, obj, names, form=None):
    """Set the chosen fields of `obj` (and many-to-many choices of `form`) to the stored ones."""
    current = model._default_manager.filter(pk=obj.pk).first()
    if current is None:
        return
    for name in names:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.many_to_many:
            if form is not None and name in form.cleaned_data:
                form.cleaned_data[name] = list(getattr(current, name).all())
        elif field.concrete:
            setattr(obj, field.attname, getattr(current, field.attname))


class EditConflictMixin:
    """For a ModelAdmin: change forms carry their revision; a stale save shows the conflict."""

    conflict_template = "admin/edit_conflict.html"
    revisioned_form_template = "admin/revisioned_change_form.html"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if add or obj is None or obj.pk is None or not isinstance(response, TemplateResponse):
            return response
        # A form shown again (its errors, say) keeps the revision it was first opened at.
        token = request.POST.get(REVISION_FIELD) if request.method == "POST" else None
        if read_state(token) is None:
            formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
            form = context["adminform"].form
            token = sign_state(record_state(obj, formsets), opened_digests(obj, form, formsets))
        response.context_data["revision_token"] = token
        response.context_data["conflict_base_template"] = select_template(
            [response.template_name]
            if isinstance(response.template_name, str)
            else response.template_name
        ).template
        response.template_name = self.revisioned_form_template
        return response

    def _changeform_view(self, request, object_id, form_url, extra_context):
        posted = request.method == "POST" and object_id is not None
        if not posted or "_saveasnew" in request.POST:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        token = read_state(request.POST.get(REVISION_FIELD))
        if token is None:  # a form that carries no revision (the history's revert form)
            return super()._changeform_view(request, object_id, form_url, extra_context)
        opened, digests = token
        # Lock the row until this save commits, so two saves cannot both pass the check.
        pk = unquote(object_id)
        list(self.model._default_manager.select_for_update().filter(pk=pk).values_list("pk"))
        obj = self.get_object(request, pk)
        if obj is None or not self.has_change_permission(request, obj):
            return super()._changeform_view(request, object_id, form_url, extra_context)
        if request.POST.get(RESOLVE_FIELD) == "theirs":
            self.message_user(
                request,
                "Your changes were not saved: the record is as the other curator left it.",
                messages.INFO,
            )
            return HttpResponseRedirect(request.get_full_path())
        formsets, _ = self._create_formsets(request, obj, change=True)
        current = record_state(obj, formsets)
        if current == opened:
            merging = request.POST.get(RESOLVE_FIELD) == "merge"
            request._conflict_picks = posted_picks(request.POST) if merging else {}
            return super()._changeform_view(request, object_id, form_url, extra_context)
        return self.edit_conflict(
            request, obj, (opened, digests), current, formsets, form_url, extra_context
        )

    def edit_conflict(self, request, obj, token, current, formsets, form_url, extra_context):
        """The conflict page, or the form with its errors when the curator's version is not
        valid in itself (nothing is written either way)."""
        mine_obj = self.get_object(request, obj.pk)
        ModelForm = self.get_form(request, mine_obj, change=True)
        form = ModelForm(request.POST, request.FILES, instance=mine_obj)
        if not (form.is_valid() and all(formset.is_valid() for formset in formsets)):
            request._conflict_picks = {}
            return super()._changeform_view(request, str(obj.pk), form_url, extra_context)

        opened, digests = token
        records = []
        base = base_instances(self.model, opened.get("", {})).get(str(obj.pk))
        was = digests.get("", {}).get(str(obj.pk), {})
        rows = field_rows(f"|{obj.pk}", self.model, form, was, base, obj, form.instance, form)
        records.append({"label": str(obj), "rows": rows})
        notes = []
        for formset in formsets:
            was_revisions = opened.get(formset.prefix, {})
            now_revisions = current.get(formset.prefix, {})
            bases = base_instances(formset.model, was_revisions)
            stored = formset.model._default_manager.in_bulk(list(now_revisions))
            stored = {str(pk): row for pk, row in stored.items()}
            name = formset.model._meta.verbose_name
            for form_row in formset.initial_forms:
                pk = str(form_row.instance.pk)
                if pk not in stored:
                    continue
                if form_row in formset.deleted_forms:
                    notes.append(f"You remove the {name} “{stored[pk]}”.")
                    continue
                key = f"{formset.prefix}|{pk}"
                was = digests.get(formset.prefix, {}).get(pk, {})
                rows = field_rows(
                    key, formset.model, form_row, was, bases.get(pk), stored[pk], form_row.instance
                )
                if rows:
                    records.append({"label": f"{name.capitalize()}: {stored[pk]}", "rows": rows})
            for pk in now_revisions.keys() - was_revisions.keys():
                notes.append(f"The other curator added the {name} “{stored[pk]}”; it is kept.")
            for pk in was_revisions.keys() - now_revisions.keys():
                notes.append(f"The other curator removed a {name} (#{pk}).")
            added = [
                f for f in formset.extra_forms if f.has_changed() and f not in formset.deleted_forms
            ]
            if added:
                notes.append(f"You add {len(added)} new {name} row(s); they are kept with yours.")

        latest = getattr(obj, "history", None)
        latest = latest.order_by("-history_id").first() if latest is not None else None
        hidden = [
            (name, value)
            for name, values in request.POST.lists()
            if name not in {"csrfmiddlewaretoken", REVISION_FIELD, RESOLVE_FIELD}
            and not name.startswith(PICK_PREFIX)
            for value in values
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Edit conflict: {obj}",
            "opts": self.model._meta,
            "original": obj,
            "records": records,
            "notes": notes,
            "changed_by": getattr(latest, "history_user", None),
            "changed_at": getattr(latest, "history_date", None),
            "hidden": hidden,
            "revision_token": sign_state(current),
            "action": request.get_full_path(),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.conflict_template, context, status=409)

    def conflict_picks(self, request, prefix, pk):
        return getattr(request, "_conflict_picks", {}).get((prefix, str(pk)), [])

    def save_model(self, request, obj, form, change):
        if change:
            take_theirs(self.model, obj, self.conflict_picks(request, "", obj.pk), form)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for row in formset.initial_forms:
            if row.instance.pk is not None:
                names = self.conflict_picks(request, formset.prefix, row.instance.pk)
                take_theirs(formset.model, row.instance, names)
        super().save_formset(request, form, formset, change)


# CSV import: the preview notes the revision of each row's record; the confirmed import
# refuses the whole file when one of them has changed since.
PREVIEWS_KEY = "import_previews"
PREVIEWS_KEPT = 5  # previews remembered per session


def dataset_key(model, dataset):
    content = json.dumps([dataset.headers, [list(row) for row in dataset]], default=str)
    return f"{model._meta.label}:{hashlib.sha256(content.encode()).hexdigest()}"


class PreviewedRevisionsResource:
    """For an import-export resource: see the module's note on CSV import."""

    def __init__(self, previews=None, **kwargs):
        super().__init__(**kwargs)
        self.previews = previews

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.preview_key = dataset_key(self._meta.model, dataset)
        self.revisions = {}

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        if self.previews is None:
            return
        number = str(kwargs.get("row_number"))
        revision = None if new else record_revision(instance)
        if kwargs.get("dry_run"):
            self.revisions[number] = revision
            return
        previewed = self.previews.get(self.preview_key, {})
        if number in previewed and previewed[number] != revision:
            raise ValidationError(
                {
                    NON_FIELD_ERRORS: [
                        "This row's record was changed (or created) by someone else after "
                        "the preview."
                    ]
                }
            )

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if self.previews is not None and kwargs.get("dry_run"):
            self.previews.pop(self.preview_key, None)
            self.previews[self.preview_key] = self.revisions
            while len(self.previews) > PREVIEWS_KEPT:
                self.previews.pop(next(iter(self.previews)))


class PreviewedImportMixin:
    """For an ImportExportModelAdmin: an import is written only if no row it changes was
    changed since its preview; otherwise nothing is written and the curator is told which."""

    def get_import_resource_classes(self, request):
        return [
            type(cls.__name__, (PreviewedRevisionsResource, cls), {})
            for cls in super().get_import_resource_classes(request)
        ]

    def get_import_resource_kwargs(self, request, **kwargs):
        previews = request.session.setdefault(PREVIEWS_KEY, {})
        request.session.modified = True  # the previews are changed in place
        return {**super().get_import_resource_kwargs(request, **kwargs), "previews": previews}

    def process_dataset(self, dataset, form, request, **kwargs):
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().process_dataset(dataset, form, request, **kwargs)

    def process_result(self, result, request):
        if not (result.has_errors() or result.has_validation_errors()):
            return super().process_result(result, request)
        rows = ", ".join(str(row.number) for row in result.invalid_rows)
        problems = {
            message for row in result.invalid_rows for message in row.non_field_specific_errors
        } or {"A row is no longer valid."}
        self.message_user(
            request,
            f"Nothing was imported. Row {rows}: {' '.join(sorted(problems))} Import the file "
            "again to see a new preview.",
            messages.ERROR,
        )
        info = self.model._meta.app_label, self.model._meta.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*info)))


def changed_since(model, pk, moment):
    """The latest history row of a record if it was written after `moment`, else None."""
    historical = history_model(model)
    if historical is None or pk is None:
        return None
    rows = historical.objects.filter(**{model._meta.pk.attname: pk, "history_date__gt": moment})
    return rows.order_by("-history_id").first()
