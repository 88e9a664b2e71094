"""An in-memory facet index of the directory: compressed bitmaps of provider ids per filter value
(as Lucene and Meilisearch count facets), and each provider's rank in name order. Each facet is
one `Dimension` of `DIMENSIONS`; each worker builds the index once, then follows the journal.
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

REREAD_LIMIT = 5000  # more changed providers than this: rebuild
REPLACE_LIMIT = 50  # more renamed or new providers than this: read the whole name order again
NO_YEAR = -1
LINES = "service"  # the dimension of service lines, which others group
_lock = threading.Lock()
_indexes = {}


@dataclass(frozen=True)
class Dimension:
    """A facet of the directory, named by its query parameter. A provider has a value through a
    row of `link` (a kind `part_of` the provider), through one of its service lines (`lines`:
    a model, its value field and its service line field), or in its own `column`. The values
    are rows of `values` in `order`, chosen by slug, or else the column's choices."""

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

    def link_fields(self):
        """The fields of `link` pointing to the provider and to the value."""
        by_target = {f.related_model: f for f in self.link._meta.fields}
        return by_target[Provider], by_target[self.values]


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
        if d.link and d.link_fields()[0].name not in getattr(kind_for(d.link), "part_of", ())
    ]


def load_values(dimensions):
    """{dimension: {key: (slug, name)}} in display order, and {grouping dimension: {key:
    [service line pks]}}; each table read once."""
    read, values, groups = {}, {}, {}
    for d in dimensions:
        if d.values is None:
            choices = Provider._meta.get_field(d.column).choices
            values[d.name] = {value: (value, str(label)) for value, label in choices}
        else:
            read[d.values] = rows = list(d.values.objects.order_by(*d.order).values())
            values[d.name] = {r["id"]: (r["slug"], r["name"]) for r in rows}
    for d in dimensions:
        if d.lines:
            model, value, line = d.lines
            groups[d.name] = defaultdict(list)
            for row in read.get(model) or model.objects.order_by().values():
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
        last = JournalEntry.objects.order_by("-id").values_list("id", flat=True).first()
        self.last_change = last or 0
        self.values, self.groups = load_values(self.dimensions)
        providers, links = self._read()
        self._grow(max((row[0] for row in providers), default=0))
        for place, row in enumerate(providers):
            self.rank[row[0]] = place
        self._add(providers, links)
        self._group()
        self.version, self.synced = version, time.monotonic()

    def _read(self, pks=None):
        """Rows (id, founding year, column values…) of the providers `pks` (None: all, in name
        order), and the (provider, value) rows of each linked dimension for them."""
        columns = ["id", "founded_year", *(d.column for d in self.columns)]
        order = ("name", "id") if pks is None else ()
        with connection.cursor() as cursor:  # plain statements: no ORM work per row
            providers = _rows(cursor, Provider, columns, pks, order)
            links = [
                _rows(cursor, d.link, [f.column for f in d.link_fields()], pks) for d in self.linked
            ]
        return providers, links

    def _add(self, providers, links):
        """Add the rows that `_read` gives."""
        self.providers.update([row[0] for row in providers])
        for pk, year, *_ in providers:
            self.year[pk] = NO_YEAR if year is None else year
        columns = [self.by_year, *(self.own[d.name] for d in self.columns)]
        for position, bitmaps in enumerate(columns, start=1):
            _fill(bitmaps, ((row[0], row[position]) for row in providers))
        self.by_year.pop(None, None)  # a founding year the sources do not state matches no range
        for d, pairs in zip(self.linked, links, strict=True):
            _fill(self.own[d.name], pairs)

    def _group(self):
        """Grouping dimensions: their own providers, and those offering one of their lines."""
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
        stale = time.monotonic() - self.synced > KEPT.total_seconds() / 2
        if self.version is None or version < self.version or stale:
            self.build(version)  # never built, another history (a restore), or entries pruned
            return
        providers = Provider._meta.db_table
        # Providers (with what is part of them), and the values and groupings of the facets.
        followed = {
            m._meta.db_table for d in self.dimensions for m in (d.values, *d.lines[:1]) if m
        }
        changes = list(
            JournalEntry.objects.filter(
                id__gt=self.last_change, table__in=[EVERYTHING, providers, *followed]
            ).values_list("id", "table", "object_id")
        )
        tables = {table for _, table, _ in changes}
        pks = {pk for _, table, pk in changes if table == providers}
        if None in pks or len(pks) > REREAD_LIMIT or EVERYTHING in tables:
            self.build(version)
            return
        if pks:  # dropped, then read again
            gone = BitMap(pks)
            for bitmaps in (self.by_year, *self.own.values()):
                for bitmap in bitmaps.values():
                    bitmap.difference_update(gone)
            self.providers.difference_update(gone)
            self._grow(max(pks))
            self._place(pks)
            self._add(*self._read(pks))
        if tables - {providers}:
            self.values, self.groups = load_values(self.dimensions)
        if changes:
            self._group()
            self.last_change = changes[-1][0]
        self.version, self.synced = version, time.monotonic()

    def _grow(self, largest_pk):
        """Room in the per-provider arrays for ids up to `largest_pk`."""
        missing = largest_pk + 1 - len(self.rank)
        if missing > 0:
            self.rank.extend(array("d", bytes(8 * missing)))
            self.year.extend(array("h", [NO_YEAR]) * missing)

    def _place(self, pks):
        """Rank re-read providers again: each halfway between its nearest neighbours in the
        database's (name, id) order; many at once, or no room between two ranks, and the whole
        order is read again."""
        table = connection.ops.quote_name(Provider._meta.db_table)
        with connection.cursor() as cursor:
            moved = _rows(cursor, Provider, ["id", "name"], pks, order=("name", "id"))
            if len(moved) > REPLACE_LIMIT:
                return self._load_ranks()
            waiting = [pk for pk, _ in moved]
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
                if low is not None and high is not None and high - low <= 1e-6:
                    return self._load_ranks()
                if low is None:
                    low = -1.0 if high is None else high - 2
                high = low + 2 if high is None else high
                self.rank[pk] = (low + high) / 2

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
        wanted, bitmaps = set(slugs), self.bitmaps[name]
        keys = [key for key, (slug, _) in self.values[name].items() if slug in wanted]
        return BitMap.union(BitMap(), *(bitmaps.get(key, BitMap()) for key in keys))

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
        first, ties in id order, among the first `per_line` providers (by id) of each line other
        than `excluding`. levels[n] holds the candidates sharing more than n of the lines."""
        levels = [BitMap()]  # the last one stays empty
        for line in lines:
            offering = self.own[LINES].get(line, BitMap())
            candidates = (offering[: per_line + 1] - BitMap([excluding]))[:per_line]
            levels.insert(-1, BitMap())
            for n in range(len(levels) - 2, 0, -1):
                levels[n] |= levels[n - 1] & candidates
            levels[0] |= candidates
        ranked = []
        for n in range(len(levels) - 2, -1, -1):
            ranked += [(pk, n + 1) for pk in (levels[n] - levels[n + 1])[: limit - len(ranked)]]
        return ranked

    def links_of(self, pks):
        """{provider pk: ([service line pks], [city pks])} of the providers `pks`, as a
        directory row lists them: lines in name order, cities in id order."""
        page = BitMap(pks)
        links = {pk: ([], []) for pk in pks}
        for position, bitmaps, order in (
            (0, self.own[LINES], self.values[LINES]),
            (1, self.own["city"], sorted(self.own["city"])),
        ):
            for value in order:
                for pk in bitmaps.get(value, BitMap()) & page:  # (get: never adds a value)
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
    with _lock:
        if (index := _indexes.get(connection.alias)) is None:
            index = _indexes[connection.alias] = ProviderIndex()
        if index.version != version:
            index.sync(version)
        return index


def forget_indexes():
    """Drop every index of this process (tests roll back what the journal recorded)."""
    with _lock:
        _indexes.clear()
