"""Related rows read in one plain query, stored as if `prefetch_related` had read them.

`prefetch_related` builds a filtered queryset for every instance it fills (tens of microseconds
each) and goes through its lookup machinery for every relation: on a profile or a comparison,
which read a few rows of many kinds, that costs more than the queries themselves.
"""

from collections import defaultdict


def prefetch_reverse(instances, relation, queryset, to_attr=None):
    """Read the rows of the reverse foreign key `relation` of all `instances` in one query (the
    order of `queryset` is kept within each instance), as prefetch_related(Prefetch(relation,
    queryset, to_attr)) would: into `instance.<relation>.all()`, or a list in `to_attr`."""
    if not instances:
        return
    foreign_key = instances[0]._meta.get_field(relation).field
    rows = defaultdict(list)
    for row in queryset.filter(**{f"{foreign_key.attname}__in": [i.pk for i in instances]}):
        rows[getattr(row, foreign_key.attname)].append(row)
    for instance in instances:
        for row in rows[instance.pk]:
            foreign_key.set_cached_value(row, instance)
        if to_attr:
            setattr(instance, to_attr, rows[instance.pk])
        else:
            # What prefetch_related stores, without a filtered queryset per instance: chaining
            # onto it (.filter()) gives no rows rather than other instances' rows.
            cached = queryset.model._default_manager.none()
            cached._result_cache = rows[instance.pk]
            cached._prefetch_done = True
            instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = cached
