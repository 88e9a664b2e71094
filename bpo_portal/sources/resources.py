"""CSV import and export for curators (django-import-export), keeping every fact cited."""

from django.core.exceptions import ValidationError
from import_export import fields, resources

from bpo_portal.core.kinds import kind_for
from bpo_portal.sources.models import Cited, Source

CITE_COLUMNS = ("cite_source", "cite_section", "cite_page", "cite_locator", "cite_note")


def citation_problem(source_slug, section, page, locator, note):
    """Why these citation columns cannot cite a fact, or None when they can."""
    if not (source_slug and note and (section or page or locator)):
        return (
            "Give cite_source (a source slug), where in it (cite_section, cite_page or "
            "cite_locator) and cite_note: every fact needs its citation."
        )
    source = Source.objects.filter(slug=source_slug).first()
    if source is None:
        return f"cite_source “{source_slug}” is not the slug of a source."
    if section and section not in source.headings:
        return f"cite_section “{section}” is not a section heading of {source}."
    return None


class CuratedResource(resources.ModelResource):
    """Rows are checked with the model's own validation; a new fact must bring its citation."""

    def citation_values(self, row):
        return [str(row.get(column) or "").strip() for column in CITE_COLUMNS]

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        values = self.citation_values(row)
        needs_citation = isinstance(instance, Cited) and (instance.pk is None or any(values))
        if needs_citation and (problem := citation_problem(*values)):
            errors.setdefault("cite_source", []).append(problem)
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        values = self.citation_values(row)
        if isinstance(instance, Cited) and not citation_problem(*values):
            source_slug, section, page, locator, note = values
            instance.citations.get_or_create(
                source=Source.objects.get(slug=source_slug),
                section=section,
                page=page,
                table="",
                field="",
                defaults={"note": note, "locator": locator},
            )


def resource_for(model):
    """A CuratedResource for `model`: the curated fields of its kind, and the citation columns
    when its rows are facts."""
    cited = issubclass(model, Cited)
    columns = CITE_COLUMNS if cited else ()
    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": ("id", *kind_for(model).fields, *columns),
            "clean_model_instances": True,
            "skip_unchanged": True,
            "report_skipped": True,
        },
    )
    attrs = {"Meta": meta} | {column: fields.Field(column_name=column) for column in columns}
    return type(f"{model.__name__}Resource", (CuratedResource,), attrs)
