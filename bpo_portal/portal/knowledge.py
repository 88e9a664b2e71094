"""Load the knowledge base in fixtures/knowledge.yaml into the database.

The file has one section per kind of knowledge (`Kind.section`), in the order the kinds are
declared; a foreign key or many-to-many field names the related row by its slug. Rows are found
by their kind's natural key. A row loaded before that no one has changed since is brought up to
date with the file; a row a curator changed is left exactly as it is, so a curator's edit
always wins. A row that is missing is created, unless the ledger shows it was loaded before,
which means a curator deleted it on purpose. A row whose parent is gone is skipped with it, and
so is a row the database's own edits no longer let through validation (it is reported).
Many-to-many links are set when a row is first loaded, never afterwards.
"""

from collections import Counter

import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bpo_portal.core import journal
from bpo_portal.core.kinds import kinds
from bpo_portal.core.models import LoadedRecord
from bpo_portal.sources.models import Citation, Cited, Source


def read_knowledge(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class Missing(Exception):
    """A row names a related row that is not in the database (a curator deleted it)."""


class KnowledgeLoader:
    def __init__(self, data):
        self.data = data
        self.ledger = dict(LoadedRecord.objects.values_list("key", "loaded"))
        self.new_keys = set()
        self.updated_keys = set()
        self.created = Counter()
        self.updated = Counter()
        self.skipped = []  # (key, reason) of rows the database's own edits refuse
        self.related = {}

    def ensure(self, model, key, lookup, defaults):
        """Return the row for `lookup`: created unless a curator deleted it, or brought up to
        date unless a curator changed it."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            if key in self.ledger:
                return None
            obj = model(**lookup, **defaults)
            if not self.save(obj, key):
                return None
            self.created[model._meta.verbose_name_plural] += 1
        elif self.ledger.get(key) and obj.modified <= self.ledger[key]:
            changed = [name for name, value in defaults.items() if self.differs(obj, name, value)]
            if changed:
                for name in changed:
                    setattr(obj, name, defaults[name])
                if self.save(obj, key):
                    self.updated[model._meta.verbose_name_plural] += 1
                    self.updated_keys.add(key)
        if key not in self.ledger:
            self.ledger[key] = None
            self.new_keys.add(key)
        return obj

    @staticmethod
    def differs(obj, name, value):
        field = obj._meta.get_field(name)
        if field.many_to_one:
            return getattr(obj, field.attname) != (value.pk if value else None)
        return getattr(obj, name) != value

    def save(self, obj, key):
        try:
            with transaction.atomic():
                obj.full_clean()
                obj.save()
        except ValidationError as error:
            self.skipped.append((key, "; ".join(error.messages)))
            return False
        return True

    def find(self, model, slug):
        """The related row with this slug, looked up once per load."""
        if (model, slug) not in self.related:
            self.related[model, slug] = model.objects.filter(slug=slug).first()
        if self.related[model, slug] is None:
            raise Missing(f"{model._meta.verbose_name} {slug}")
        return self.related[model, slug]

    def values(self, kind, item):
        """Field values of `item`, related rows looked up, many-to-many fields set aside."""
        values, many = {}, {}
        for name in kind.fields:
            if name not in item:
                continue
            field = kind.model._meta.get_field(name)
            if field.many_to_many:
                many[name] = [self.find(field.related_model, slug) for slug in item[name]]
            elif field.many_to_one:
                value = item[name]
                values[name] = self.find(field.related_model, value) if value else None
            else:
                values[name] = field.to_python(item[name])
        return values, many

    def cite(self, obj, key, citations):
        content_type = ContentType.objects.get_for_model(obj)
        field_names = {f.name for f in obj._meta.get_fields()}
        for entry in citations:
            source_slug, section, note, *rest = entry
            field = rest[0] if rest else ""
            if len(rest) > 1 or (field and field not in field_names):
                raise ValueError(f"{key}: malformed citation {entry!r} (quote notes with commas)")
            try:
                source = self.find(Source, source_slug)
            except Missing:
                continue
            self.ensure(
                Citation,
                f"citation:{key}|{source_slug}|{section}|{field}",
                {
                    "content_type": content_type,
                    "object_id": obj.pk,
                    "source": source,
                    "section": section,
                    "field": field,
                },
                {"note": note},
            )

    def load_row(self, kind, item):
        try:
            values, many = self.values(kind, item)
        except Missing:
            return
        key = kind.key(item)
        lookup = {name: values.pop(name) for name in kind.natural_key}
        obj = self.ensure(kind.model, key, lookup, values)
        if obj is None:
            return
        if key in self.new_keys:
            for name, rows in many.items():
                getattr(obj, name).set(rows)
        if issubclass(kind.model, Cited):
            self.cite(obj, key, item.get("cite", []))
        if "slug" in item:
            self.related[kind.model, item["slug"]] = obj

    def load(self):
        unknown = set(self.data) - {kind.section for kind in kinds()}
        if unknown:
            raise ValueError(f"Unknown sections in the knowledge file: {sorted(unknown)}")
        with journal.batched():  # one transaction
            for kind in kinds():
                for item in self.data.get(kind.section) or []:
                    self.load_row(kind, item)
            LoadedRecord.objects.bulk_create(
                [LoadedRecord(key=key) for key in sorted(self.new_keys)], ignore_conflicts=True
            )
            LoadedRecord.objects.filter(key__in=self.updated_keys).update(loaded=timezone.now())
        return self.created
