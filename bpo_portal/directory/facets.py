"""An in-memory facet index of the directory: compressed bitmaps of provider ids per filter value.

Counting facets in SQL evaluates the filtered set once per facet, each time over the providers
table. Here each value of a facet (a service line, a category, a city, a kind, a founding year)
holds a roaring bitmap of the providers that have it (as Lucene and Meilisearch count facets):
the result of any filter combination is a few bitmap unions and intersections, and each facet
count is one intersection cardinality, whatever the number of providers.

It also keeps each provider's place in name order (its rank), so that a page of a filtered
list is sorted here, without sending the matching ids back to the database.

Each facet is one `Dimension` in `DIMENSIONS`: the directory's filter (directory/filters.py),
the index's build and re-read, and the journal tables the index follows all derive from it.

Each worker builds the index once, then follows the change journal (core/journal.py), which
names every provider written (a link is part of its provider): when a request sees a new data
version, the providers named since are read again, a change to a facet's values reloads them,
and a change to every row rebuilds everything. Readers never see the index behind the data
version they read.
"""

import heapq
import threading
import time
from array import array
from collections import defaultdict
from dataclasses import dataclass

from django.core import checks
from django.db import connection
from pyroaring import BitMap

from bpo_portal.core.caching import depends_on_everything
from bpo_portal.core.journal import EVERYTHING, KEPT
from bpo_portal.core.kinds import kind_for
from bpo_portal.core.models import JournalEntry
from bpo_portal.directory.models import (
    City,
    Industry,
    IndustryServiceLine,
    Provider,
    ProviderCity,
    ProviderIndustry,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)

# More changed providers than this and rebuilding is cheaper than reading them one by one.
REREAD_LIMIT = 5000
# More renamed or new providers than this and reading the whole name order again is cheaper
# than placing them one by one.
REPLACE_LIMIT = 50
NO_YEAR = -1
LINES = "service"  # the dimension of service lines, which others group
_lock = threading.Lock()
_indexes = {}


@dataclass(frozen=True)
class Dimension:
    """A facet of the directory, named by its query parameter.

    A provider has a value when it has a row of `link` pointing to the value (a link kind
    `part_of` the provider), when one of its service lines belongs to the value (`lines`: a
    model and the fields of its rows pairing a value with a service line), or when its own
    `column` holds it. The values are rows of `values`, in `order`, chosen by slug, or else the
    column's choices."""

    name: str
    label: str
    template: str  # the chosen values in words: "offering {}"
    values: type = None
    link: type = None
    lines: tuple = ()  # (model, value field, service line field)
    column: str = ""
    order: tuple = ("name",)
    multiple: bool = True
    proper_names: bool = False

    def value_field(self):
        """The field of `link` pointing to the values."""
        return next(f for f in self.link._meta.fields if f.related_model is self.values)

    def provider_field(self):
        return next(f for f in self.link._meta.fields if f.related_model is Provider)


DIMENSIONS = (
    Dimension("service", "Service line", "offering {}", values=ServiceLine, link=ProviderService),
    Dimension(
        "category",
        "Service category",
        "in {}",
        values=ServiceCategory,
        lines=(ServiceLine, "category_id", "id"),
        order=("position", "name"),
        multiple=False,
    ),
    Dimension("city", "City", "in {}", values=City, link=ProviderCity, proper_names=True),
    Dimension(
        "industry",
        "Industry served (our inference)",
        # Through service lines it is our inference: no source says these providers serve it.
        "serving {} by our inference from their service lines",
        values=Industry,
        link=ProviderIndustry,
        lines=(IndustryServiceLine, "industry_id", "service_line_id"),
    ),
    Dimension("kind", "Kind (our reading for some)", "of kind “{}”", column="kind", multiple=False),
)


def followed_models(dimensions):
    """The models whose journal entries the index reads: providers (with what is part of
    them), and the values and groupings of the facets."""
    return {Provider} | {m for d in dimensions for m in (d.values, *d.lines[:1]) if m}


@checks.register()
def check_dimensions(app_configs=None, **kwargs):
    """A facet's link kind must be part of the provider, or its changes reach no index."""
    return [
        checks.Error(
            f"{d.link.__name__} links the '{d.name}' facet but is not part_of provider.",
            hint="Declare part_of=('provider',) on its kind, or no change to it reaches the index.",
            id="directory.E001",
        )
        for d in DIMENSIONS
        if d.link and d.provider_field().name not in getattr(kind_for(d.link), "part_of", ())
    ]


def load_values(dimensions):
    """{dimension name: {key: (slug, name)}} in display order, and {dimension name: {key:
    [service line pks]}} of the grouping dimensions; each table read once."""
    read = {}

    def rows(model, order=()):
        if model not in read:
            read[model] = list(model.objects.order_by(*order).values())
        return read[model]

    values, groups = {}, {}
    for d in dimensions:
        if d.values is None:
            choices = Provider._meta.get_field(d.column).choices
            values[d.name] = {value: (value, str(label)) for value, label in choices}
        else:
            values[d.name] = {r["id"]: (r["slug"], r["name"]) for r in rows(d.values, d.order)}
    for d in dimensions:
        if d.lines:
            model, value, line = d.lines
            groups[d.name] = defaultdict(list)
            for row in rows(model):
                groups[d.name][row[value]].append(row[line])
    return values, groups


class ProviderIndex:
    """Bitmaps of provider ids per facet value, for one database."""

    def __init__(self, dimensions=DIMENSIONS):
        self.dimensions = dimensions
        self.columns = [d for d in dimensions if d.column]
        self.linked = [d for d in dimensions if d.link]
        self.version = None
        self.last_change = 0
        self.synced = 0.0  # time.monotonic() of the last build or catch-up
        self.providers = BitMap()
        # dimension -> value key -> providers with a link or column of that value
        self.own = {d.name: defaultdict(BitMap) for d in dimensions}
        self.bitmaps = dict(self.own)  # the same, with the service lines of grouping dimensions
        self.by_year = defaultdict(BitMap)  # founding year -> providers
        self.values = {d.name: {} for d in dimensions}  # dimension -> key -> (slug, name)
        self.groups = {}  # grouping dimension -> key -> [service line pks]
        self.rank = array("d")  # provider pk -> place in (name, id) order
        self.year = array("h")  # provider pk -> founding year, or NO_YEAR

    # Building and keeping in step

    def build(self, version):
        self.__init__(self.dimensions)
        self.last_change = (
            JournalEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        )
        self.values, self.groups = load_values(self.dimensions)
        providers, links = self._read()
        self._grow(max((row[0] for row in providers), default=0))
        for place, row in enumerate(providers):
            self.rank[row[0]] = place
        self._add(providers, links)
        self._group()
        self.version = version
        self.synced = time.monotonic()

    def _read(self, pks=None):
        """The rows (id, founding year, column values…) of the providers `pks` (None: all, in
        name order), and the (provider, value) rows of each linked dimension for them."""
        columns = ["id", "founded_year", *(d.column for d in self.columns)]
        order = ("name", "id") if pks is None else ()
        with connection.cursor() as cursor:  # plain statements: no ORM work per row
            providers = _rows(cursor, Provider, columns, pks, order)
            links = [
                _rows(cursor, d.link, [d.provider_field().column, d.value_field().column], pks)
                for d in self.linked
            ]
        return providers, links

    def _add(self, providers, links):
        """Add the rows (id, founding year, column values…) of `providers` and, for each linked
        dimension, its (provider, value) rows."""
        providers = list(providers)
        self.providers.update([row[0] for row in providers])
        for pk, year, *_ in providers:
            self.year[pk] = NO_YEAR if year is None else year
        for position, bitmaps in enumerate(
            [self.by_year, *(self.own[d.name] for d in self.columns)]
        ):
            _fill(bitmaps, ((row[0], row[position + 1]) for row in providers))
        self.by_year.pop(None, None)  # a founding year the sources do not state matches no range
        for d, pairs in zip(self.linked, links, strict=True):
            _fill(self.own[d.name], pairs)

    def _group(self):
        """The bitmaps of the grouping dimensions: their own providers, and those offering one
        of their service lines."""
        lines = self.own[LINES]
        for name, groups in self.groups.items():
            own = self.own[name]
            self.bitmaps[name] = {
                key: BitMap.union(
                    own.get(key, BitMap()), *(lines.get(line, BitMap()) for line in groups[key])
                )
                for key in self.values[name]
            }

    def sync(self, version):
        """Catch up with the journal; called when a request sees a new data version."""
        if version < self.version or time.monotonic() - self.synced > KEPT.total_seconds() / 2:
            self.build(version)  # another history (a restore), or entries pruned unread
            return
        providers = Provider._meta.db_table
        followed = [m._meta.db_table for m in followed_models(self.dimensions)]
        changes = list(
            JournalEntry.objects.filter(
                id__gt=self.last_change, table__in=[EVERYTHING, *followed]
            ).values_list("id", "table", "object_id")
        )
        pks = {pk for _, table, pk in changes if table == providers}
        if None in pks or len(pks) > REREAD_LIMIT or any(t == EVERYTHING for _, t, _ in changes):
            self.build(version)
            return
        if pks:
            self._reread(pks)
        if any(table != providers for _, table, _ in changes):
            self.values, self.groups = load_values(self.dimensions)
        if changes:
            self._group()
            self.last_change = changes[-1][0]
        self.version = version
        self.synced = time.monotonic()

    def _reread(self, pks):
        gone = BitMap(pks)
        for bitmaps in (self.by_year, *self.own.values()):
            for bitmap in bitmaps.values():
                bitmap.difference_update(gone)
        self.providers.difference_update(gone)
        self._grow(max(pks))
        self._place(pks)
        self._add(*self._read(pks))

    def _grow(self, largest_pk):
        """Room in the per-provider arrays for ids up to `largest_pk`."""
        missing = largest_pk + 1 - len(self.rank)
        if missing > 0:
            self.rank.extend(array("d", bytes(8 * missing)))
            self.year.extend(array("h", [NO_YEAR]) * missing)

    def _place(self, pks):
        """Give re-read providers their rank again (a rename or a new provider moves it): each
        goes halfway between its nearest neighbours in the database's own (name, id) order,
        two index lookups apiece; many at once, or no room left between two ranks, and the
        whole order is read again."""
        moved = list(
            Provider.objects.filter(pk__in=pks).order_by("name", "id").values_list("pk", "name")
        )
        if len(moved) > REPLACE_LIMIT:
            return self._load_ranks()
        table = connection.ops.quote_name(Provider._meta.db_table)
        waiting = [pk for pk, _ in moved]
        with connection.cursor() as cursor:
            for pk, name in moved:
                waiting.remove(pk)  # those after it, not placed yet, are no neighbours
                skip = f" AND id NOT IN ({', '.join(['%s'] * len(waiting))})" if waiting else ""
                around = []
                for sign, direction in (("<", "DESC"), (">", "ASC")):
                    cursor.execute(
                        f"SELECT id FROM {table} WHERE (name, id) {sign} (%s, %s){skip} "
                        f"ORDER BY name {direction}, id {direction} LIMIT 1",
                        [name, pk, *waiting],
                    )
                    found = cursor.fetchone()
                    around.append(self.rank[found[0]] if found else None)
                low, high = around
                if low is not None and high is not None:
                    if high - low <= 1e-6:
                        return self._load_ranks()
                    rank = (low + high) / 2
                elif low is not None or high is not None:
                    rank = low + 1 if low is not None else high - 1
                else:
                    rank = 0.0
                self.rank[pk] = rank

    def _load_ranks(self):
        with connection.cursor() as cursor:
            for place, (pk,) in enumerate(_rows(cursor, Provider, ["id"], order=("name", "id"))):
                self.rank[pk] = place

    # Asking

    def in_order(self, matching, sort):
        """The providers of `matching` in a sort order of the directory, to slice a page from."""
        rank, year = self.rank, self.year
        keys = {
            "name": rank.__getitem__,
            "-name": lambda pk: -rank[pk],
            "founded": lambda pk: (year[pk] == NO_YEAR, year[pk], rank[pk]),
            "-founded": lambda pk: (year[pk] == NO_YEAR, -year[pk], rank[pk]),
        }
        return Sorted(matching, keys[sort])

    def bitmap(self, name, slugs):
        """The providers with any of the values `slugs` of the dimension `name`."""
        bitmaps, wanted = self.bitmaps[name], set(slugs)
        chosen = [
            bitmaps[key]
            for key, value in self.values[name].items()
            if value[0] in wanted and key in bitmaps
        ]
        return BitMap.union(BitMap(), *chosen)

    def founded(self, low=None, high=None):
        years = [
            bitmap
            for year, bitmap in self.by_year.items()
            if (low is None or year >= low) and (high is None or year <= high)
        ]
        return BitMap.union(BitMap(), *years)

    def counts_of(self, name, matching):
        """{slug: providers within `matching`} for each value of the dimension `name`."""
        bitmaps = self.bitmaps[name]
        return {
            value[0]: matching.intersection_cardinality(bitmaps[key])
            for key, value in self.values[name].items()
            if key in bitmaps
        }

    def choices(self, name):
        """[(slug, name)] of the values of the dimension `name`, in their display order."""
        return list(self.values[name].values())

    def sharing_lines(self, lines, excluding, per_line, limit):
        """[(provider pk, lines in common)] of the providers sharing most of `lines`, best
        first, ties in id order; candidates are the first `per_line` providers (by id) of each
        line other than `excluding`.

        levels[n] holds the candidates sharing more than n of the lines: one bitmap pass per
        line instead of counting ids one by one in Python."""
        levels = []
        for line in lines:
            candidates = self.own[LINES].get(line, BitMap())[: per_line + 1]
            candidates.discard(excluding)
            candidates = candidates[:per_line]
            levels.append(BitMap())
            for n in range(len(levels) - 1, 0, -1):
                levels[n] |= levels[n - 1] & candidates
            levels[0] |= candidates
        ranked = []
        for n in range(len(levels) - 1, -1, -1):
            exactly = levels[n] - levels[n + 1] if n + 1 < len(levels) else levels[n]
            ranked += [(pk, n + 1) for pk in exactly[: limit - len(ranked)]]
            if len(ranked) == limit:
                break
        return ranked

    def links_of(self, pks):
        """{provider pk: ([service line pks], [city pks])} of the providers `pks`: what a
        directory row lists, read from the bitmaps rather than the link tables. Lines come in
        name order, cities in id order (the link table's own)."""
        page = BitMap(pks)
        links = {pk: ([], []) for pk in pks}
        for position, bitmaps, order in (
            (0, self.own[LINES], self.values[LINES]),
            (1, self.own["city"], sorted(self.own["city"])),
        ):
            for value in order:
                if value in bitmaps:  # (a defaultdict: asking for a missing value would add it)
                    for pk in bitmaps[value] & page:
                        links[pk][position].append(value)
        return links


class Sorted:
    """Ids sorted by `key` as far as a slice needs: a page is a partial sort, not a full one."""

    def __init__(self, ids, key):
        self.ids, self.key = ids, key

    def __getitem__(self, window):
        return heapq.nsmallest(window.stop, self.ids, key=self.key)[window]


def _fill(bitmaps, pairs):
    """Add each (provider, value) of `pairs` to the bitmap of its value, a value at a time."""
    grouped = defaultdict(list)
    for pk, value in pairs:
        grouped[value].append(pk)
    for value, ids in grouped.items():
        bitmaps[value].update(ids)


def _rows(cursor, model, columns, among=None, order=()):
    """The rows of `model`'s table as tuples of `columns`: every row, or those whose first
    column is one of `among`."""
    quote = connection.ops.quote_name
    sql = f"SELECT {', '.join(map(quote, columns))} FROM {quote(model._meta.db_table)}"
    if among is not None:
        sql += f" WHERE {quote(columns[0])} IN ({', '.join(['%s'] * len(among))})"
    if order:
        sql += f" ORDER BY {', '.join(map(quote, order))}"
    cursor.execute(sql, list(among or ()))
    return cursor.fetchall()


def provider_index(version):
    """The index of this process for the current database, in step with `version`."""
    depends_on_everything()
    alias = connection.alias
    with _lock:
        index = _indexes.get(alias)
        if index is None:
            index = _indexes[alias] = ProviderIndex()
            index.build(version)
        elif index.version != version:
            index.sync(version)
        return index


def forget_indexes():
    """Drop every index of this process (tests roll back what the journal recorded)."""
    with _lock:
        _indexes.clear()
