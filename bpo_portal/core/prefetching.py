"""Rows read with one plain statement, and related rows stored as `prefetch_related` would.

A profile or a comparison reads a few rows of many kinds: building a queryset costs more than
running it, and `prefetch_related` adds a filtered queryset per instance (docs/benchmarks.md).
"""

import functools
from collections import defaultdict

from django.db import connections, router


@functools.cache
def _reading(model, alias):
    """(attnames read, "SELECT … FROM …", " ORDER BY …" or "") of plain_rows() for `model`."""
    connection = connections[alias]
    opts, quote = model._meta, connection.ops.quote_name
    fields = [
        field
        for field in opts.concrete_fields
        if not field.get_db_converters(connection)
        and not connection.ops.get_db_converters(field.cached_col)
    ]
    order = ", ".join(
        quote(opts.get_field(name.removeprefix("-")).column) + (" DESC" if name[0] == "-" else "")
        for name in opts.ordering
    )
    return (
        [field.attname for field in fields],
        f"SELECT {', '.join(quote(field.column) for field in fields)} FROM {quote(opts.db_table)}",
        f" ORDER BY {order}" if order else "",
    )


def plain_rows(model, *any_of, **where):
    """The rows of `model` whose fields are among the given values (`field=[values]`, each
    holding; or any one of the dicts of such conditions in `any_of`), in `Meta.ordering`, as
    instances, from one statement. Fields the database returns as Python wants them (numbers,
    text) are read; the others (dates, JSON, booleans on SQLite) are left deferred."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    names, select, order = _reading(model, alias)
    alternatives, params = [], []
    for conditions in any_of or (where,):
        conditions = {name: list(values) for name, values in conditions.items()}
        if not all(conditions.values()):
            continue  # a condition with no values: no row meets it
        alternatives.append(
            " AND ".join(
                f"{connection.ops.quote_name(model._meta.get_field(name).column)} "
                f"IN ({', '.join(['%s'] * len(values))})"
                for name, values in conditions.items()
            )
        )
        params += [value for values in conditions.values() for value in values]
    if not alternatives:
        return []
    where_clause = (
        f" WHERE {' OR '.join(f'({terms})' for terms in alternatives)}" if all(alternatives) else ""
    )
    with connection.cursor() as cursor:
        cursor.execute(select + where_clause + order, params)
        rows = cursor.fetchall()
    return [model.from_db(alias, names, row) for row in rows]


def prefetch_reverse(instances, relation, to_attr=None, **where):
    """Read the rows of the reverse foreign key `relation` of `instances` (and `where`, as in
    plain_rows()) in one query, as prefetch_related(Prefetch(relation, to_attr=…)) would."""
    if not instances:
        return
    foreign_key = instances[0]._meta.get_field(relation).field
    model = foreign_key.model
    rows = defaultdict(list)
    for row in plain_rows(model, **{foreign_key.attname: [i.pk for i in instances]}, **where):
        rows[getattr(row, foreign_key.attname)].append(row)
    for instance in instances:
        for row in rows[instance.pk]:
            setattr(row, foreign_key.name, instance)
        if to_attr:
            setattr(instance, to_attr, rows[instance.pk])
        else:
            # As prefetch_related stores it; chaining onto it (.filter()) gives no rows.
            cached = model._default_manager.none()
            cached._result_cache = rows[instance.pk]
            cached._prefetch_done = True
            instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = cached
