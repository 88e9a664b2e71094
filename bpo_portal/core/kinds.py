"""One declaration per kind of knowledge.

A `Declaration` names what the rest of the site needs to know about a model, so that adding a
field or a kind means the model, its migration, its declaration, the fixture and its template:

- `section` and `natural_key`: where its rows sit in fixtures/knowledge.yaml and how the loader
  finds them again (the ledger key is `prefix:natural|key`);
- `fields`: the curated fields, in order: loaded from the fixture, imported and exported by the
  admin's CSV, and published in the data downloads (by default every editable field of the
  model, in the model's order, but for timestamps and the demo-data flag);
- `columns`: the public CSV/JSON export of its list page (defaults to `fields` and `url`);
- `describe_with`: the relations `describe()` follows, fetched with the row on source pages;
- `search`: the text fields site search indexes, with their weight ("A" names, "B" other names,
  "C" descriptions), and `search_order`, where its results come among equally good ones;
- `part_of`: the foreign keys to the rows it belongs to (a provider's link to a city is part of
  the provider): the change journal records a change to it as a change to them too.

Apps declare their kinds in `<app>/kinds.py`, imported when the app is ready, in an order that
lets every foreign key point to a kind declared before it.
"""

from dataclasses import dataclass, field

_REGISTRY = {}
NOT_CURATED = {"created", "modified", "is_demo"}


@dataclass(frozen=True)
class Declaration:
    model: type
    prefix: str
    section: str
    natural_key: tuple = ("slug",)
    curated: tuple = ()
    columns: tuple = ()
    describe_with: tuple = ()
    search: dict = field(default_factory=dict)
    search_order: int = 50  # where its results come among equally good ones (lower first)
    part_of: tuple = ()

    @property
    def label(self):
        return self.model._meta.verbose_name

    @property
    def label_plural(self):
        return self.model._meta.verbose_name_plural

    @property
    def fields(self):
        if self.curated:
            return self.curated
        meta = self.model._meta
        # Links with a model of their own (each cited) are kinds of their own.
        plain_links = [f for f in meta.many_to_many if f.remote_field.through._meta.auto_created]
        return tuple(
            f.name
            for f in [*meta.concrete_fields, *plain_links]
            if f.editable and not f.primary_key and f.name not in NOT_CURATED
        )

    def export_columns(self):
        return self.columns or (*self.fields, "url")

    def key(self, values):
        """The ledger key of a row, from its natural key values (slugs for foreign keys)."""
        return f"{self.prefix}:" + "|".join(str(values[name]) for name in self.natural_key)


def register(kind):
    _REGISTRY[kind.model] = kind
    return kind


def kinds():
    """Every declared kind, in declaration order (foreign keys point backwards)."""
    return list(_REGISTRY.values())


def kind_for(model):
    return _REGISTRY.get(model)


def kind_named(prefix):
    """The kind whose prefix is `prefix` (as stored in the change log or a suggestion), or None."""
    return next((kind for kind in _REGISTRY.values() if kind.prefix == prefix), None)


def knowledge_models():
    return set(_REGISTRY)
