"""The change journal: every write to knowledge, whatever path it takes, recorded in the same
transaction with the rows it names and a move of the data version (the README's Caching
section says how each path reaches it and how each derived store reads it).
"""

import threading
from contextlib import contextmanager
from datetime import timedelta

from django.db import connections, models, router, transaction
from django.utils import timezone

from bpo_portal.core.kinds import kind_for

EVERYTHING = "*"  # the table of an entry that stands for every table
WHOLE_TABLE_ABOVE = 5000  # more rows than this in one write: one entry for the whole table
KEPT = timedelta(days=1)  # entries are pruned after this; a reader further behind rebuilds
LOCK = 0x6270_6F66  # PostgreSQL: journal writers take this transaction-scoped advisory lock

_opened = threading.local()  # database alias -> first entry of this thread's open bump
_before = threading.local()  # (model, part_of field) -> {pk: its parent before the write}
_batches = threading.local()  # database alias -> {model: pks} gathered inside `batched()`


def journalled(model):
    """Whether writes to `model` are journalled: every kind, and the public change log."""
    from bpo_portal.core.models import Change

    return kind_for(model) is not None or model is Change


def record(model, pks=None):
    """Journal that the rows `pks` of `model` changed (None: any of them), with the rows they
    are part of."""
    if pks is not None:
        if not (pks := set(pks) - {None}):
            return
        pks = pks if len(pks) <= WHOLE_TABLE_ABOVE else None
    changes = {model: pks}
    for field in _parent_fields(model):
        before = _before.__dict__.pop((model, field.attname), {})
        parents = None
        if pks is not None:
            now = model._base_manager.filter(pk__in=pks).values_list(field.attname, flat=True)
            parents = {*now, *(before.get(pk) for pk in pks)} - {None}
        if parents != set():
            changes[field.related_model] = parents
    _write(changes, router.db_for_write(model))


def record_everything(using="default"):
    """Journal a change to any row of any table (a bulk load, a migration, a restore)."""
    _write({None: None}, using)


@contextmanager
def batched(using="default"):
    """One transaction whose writes are journalled together as it ends, in one pass of the
    search index and one move of the version instead of one per write (a bulk load)."""
    if getattr(_batches, using, None) is not None:  # inside a batch already
        yield
        return
    setattr(_batches, using, {})
    try:
        with transaction.atomic(using=using):
            yield
            pending = getattr(_batches, using)
            setattr(_batches, using, None)
            if pending:
                _write(pending, using)
    finally:
        setattr(_batches, using, None)


def _parent_fields(model):
    kind = kind_for(model)
    return [model._meta.get_field(name) for name in (kind.part_of if kind else ())]


def remember_parents(model, pks, using="default"):
    """Note the parents of rows about to change: a row moved between parents changes both."""
    for field in _parent_fields(model):
        rows = model._base_manager.using(using).filter(pk__in=pks).values_list("pk", field.attname)
        _before.__dict__.setdefault((model, field.attname), {}).update(rows)


def _write(changes, using):
    from bpo_portal.core import search
    from bpo_portal.core.models import DataVersion, JournalEntry

    if (pending := getattr(_batches, using, None)) is not None:
        for model, pks in changes.items():
            gathered = pending.get(model, set())
            gathered = None if gathered is None or pks is None else gathered | pks
            pending[model] = gathered if gathered and len(gathered) <= WHOLE_TABLE_ABOVE else None
        return
    entries = [
        JournalEntry(table=model._meta.db_table if model else EVERYTHING, object_id=pk)
        for model, pks in changes.items()
        for pk in (sorted(pks) if pks is not None else [None])
    ]
    connection = connections[using]
    with transaction.atomic(using=using, savepoint=False):
        if connection.vendor == "postgresql":
            # Journal ids become visible in the order they are given: a reader that has read up
            # to id N never later meets a smaller one.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
        entries = JournalEntry.objects.using(using).bulk_create(entries)
        tables = {entry.table for entry in entries}
        for model, pks in changes.items():
            tables.update(search.on_recorded(model, pks))  # the tables it wrote itself
        # The data version moves once per transaction, noting the tables it changed.
        versions = DataVersion.objects.using(using).filter(pk=1)
        row = versions.values_list("number", "changed", "first_entry").first()
        number, changed, opened_by = row or (0, {}, None)
        if opened_by is None or opened_by != getattr(_opened, using, None):
            # The first write of this transaction (a rolled-back one leaves another first entry
            # in the row, and a committed one clears what this thread remembers).
            number, opened_by = number + 1, entries[0].pk
            setattr(_opened, using, opened_by)
            transaction.on_commit(lambda: setattr(_opened, using, None), using=using)
        changed = {**changed, **dict.fromkeys(tables, number)}
        fields = {"number": number, "changed": changed, "first_entry": opened_by}
        if not versions.update(**fields):
            DataVersion.objects.using(using).create(pk=1, **fields)
    if entries[0].pk % 1000 < len(entries):  # now and then
        JournalEntry.objects.using(using).filter(created__lt=timezone.now() - KEPT).delete()


class JournalledQuerySet(models.QuerySet):
    """A queryset whose bulk writes are journalled like saves."""

    def _journalled(self, pks, write, *args, **kwargs):
        """write(), journalled as a change to the rows `pks` (a list, or a queryset read here)."""
        if not journalled(self.model):
            return write(*args, **kwargs)
        with transaction.atomic(using=self.db, savepoint=False):
            pks = list(pks)
            remember_parents(self.model, pks, self.db)
            count = write(*args, **kwargs)
            record(self.model, pks)  # past WHOLE_TABLE_ABOVE: the whole table
        return count

    def update(self, **kwargs):
        # `modified` tells the knowledge loader a row has changed since it was loaded.
        if "modified" not in kwargs and any(f.name == "modified" for f in self.model._meta.fields):
            kwargs["modified"] = timezone.now()
        pks = self.values_list("pk", flat=True)[: WHOLE_TABLE_ABOVE + 1]
        return self._journalled(pks, super().update, **kwargs)

    update.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        objs = super().bulk_create(objs, *args, **kwargs)
        if journalled(self.model) and objs:
            pks = [obj.pk for obj in objs]
            record(self.model, None if None in pks else pks)
        return objs

    def bulk_update(self, objs, fields, *args, **kwargs):
        pks = [obj.pk for obj in objs]
        return self._journalled(pks, super().bulk_update, objs, fields, *args, **kwargs)


# Signal receivers, connected for every model in core/apps.py.


def before_save(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None and not instance._state.adding and journalled(sender):
        remember_parents(sender, [instance.pk], instance._state.db or "default")


def on_save_or_delete(sender, instance, **kwargs):
    if journalled(sender):
        record(sender, [instance.pk])
        if kwargs.get("signal") is models.signals.post_delete:  # gone: its parents are read here
            for field in _parent_fields(sender):
                record(field.related_model, [getattr(instance, field.attname)])


def on_links_changed(sender, instance, action, model, pk_set, **kwargs):
    """A many-to-many field changed: both sides, and the link table."""
    if action.startswith("post_") and (journalled(type(instance)) or journalled(model)):
        record(type(instance), [instance.pk])
        record(model, pk_set)  # None when cleared: any of them
        record(sender)


def after_migrate(plan=None, using="default", **kwargs):
    """post_migrate: a migration may have written anything (historical models send no signal),
    so a `migrate` that applied one journals every table (if the journal's tables exist)."""
    from bpo_portal.core.models import DataVersion, JournalEntry

    tables = set(connections[using].introspection.table_names())
    if plan and {JournalEntry._meta.db_table, DataVersion._meta.db_table} <= tables:
        record_everything(using)
