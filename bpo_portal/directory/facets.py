"""An in-memory facet index of the directory: compressed bitmaps of provider ids per filter value.

Counting facets in SQL evaluates the filtered set once per facet, each time over the providers
table. Here each value of a facet (a service line, a category, a city, a kind, a founding year)
holds a roaring bitmap of the providers that have it (as Lucene and Meilisearch count facets):
the result of any filter combination is a few bitmap unions and intersections, and each facet
count is one intersection cardinality, in microseconds whatever the number of providers.

It also keeps each provider's place in name order (its rank), so that a page of a filtered
list is sorted here, without sending the matching ids back to the database.

Each worker process builds the index once (plain SELECTs over the provider and link
tables), then keeps it in step with the database through the change journal (core/journal.py),
which names every provider written, however it was written (a link to a service line or a city
is part of its provider). When a request sees a new data version, the index reads the journal
entries it has not seen and reads those providers again; a change to the names or grouping of
the values reloads the values, and a change to every row rebuilds everything. Readers never see
the index behind the data version they read.
"""

import heapq
import threading
import time
from array import array
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from pyroaring import BitMap

from bpo_portal.core.caching import depends_on_everything
from bpo_portal.core.journal import EVERYTHING, KEPT
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
# The tables whose rows are the facets' values: a change to one reloads the values.
VALUE_MODELS = (ServiceLine, ServiceCategory, City, Industry, IndustryServiceLine)
_lock = threading.Lock()
_indexes = {}


@dataclass
class Values:
    """The values of the link facets: slugs and names by primary key."""

    lines: dict = field(default_factory=dict)  # pk -> (slug, name, category pk)
    categories: dict = field(default_factory=dict)  # pk -> (slug, name)
    cities: dict = field(default_factory=dict)  # pk -> (slug, name)
    industries: dict = field(default_factory=dict)  # pk -> (slug, name, [service line pks])

    @classmethod
    def load(cls):
        return cls(
            lines={
                pk: (slug, name, category)
                for pk, slug, name, category in ServiceLine.objects.order_by("name").values_list(
                    "pk", "slug", "name", "category_id"
                )
            },
            categories={
                pk: (slug, name)
                for pk, slug, name in ServiceCategory.objects.order_by(
                    "position", "name"
                ).values_list("pk", "slug", "name")
            },
            cities={
                pk: (slug, name)
                for pk, slug, name in City.objects.order_by("name").values_list(
                    "pk", "slug", "name"
                )
            },
            industries=cls.industries_with_lines(),
        )

    @staticmethod
    def industries_with_lines():
        lines = defaultdict(list)
        for industry, line in IndustryServiceLine.objects.values_list(
            "industry_id", "service_line_id"
        ):
            lines[industry].append(line)
        return {
            pk: (slug, name, lines[pk])
            for pk, slug, name in Industry.objects.order_by("name").values_list(
                "pk", "slug", "name"
            )
        }


class ProviderIndex:
    """Bitmaps of provider ids per facet value, for one database."""

    def __init__(self):
        self.version = None
        self.last_change = 0
        self.synced = 0.0  # time.monotonic() of the last build or catch-up
        self.providers = BitMap()
        self.by_line = defaultdict(BitMap)  # service line pk -> providers
        self.by_city = defaultdict(BitMap)  # city pk -> providers
        self.by_kind = defaultdict(BitMap)  # kind -> providers
        self.by_year = defaultdict(BitMap)  # founding year -> providers
        self.named_for_industry = defaultdict(BitMap)  # industry pk -> providers a source names
        self.values = Values()
        self.by_category = {}  # category pk -> providers offering one of its lines
        self.by_industry = {}  # industry pk -> providers named for it or offering its lines
        self.rank = array("d")  # provider pk -> place in (name, id) order
        self.year = array("h")  # provider pk -> founding year, or NO_YEAR

    # Building and keeping in step

    def build(self, version):
        self.__init__()
        self.last_change = (
            JournalEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        )
        self.values = Values.load()
        # Plain cursors: a million rows read through the ORM would take seconds longer.
        with connection.cursor() as cursor:
            providers = _rows(cursor, Provider, "id", "kind", "founded_year", order=("name", "id"))
            self._grow(max((row[0] for row in providers), default=0))
            for place, (pk, _, _) in enumerate(providers):
                self.rank[pk] = place
            self._add(
                providers,
                _rows(cursor, ProviderService, "provider_id", "service_line_id"),
                _rows(cursor, ProviderCity, "provider_id", "city_id"),
                _rows(cursor, ProviderIndustry, "provider_id", "industry_id"),
            )
        self._group_categories()
        self.version = version
        self.synced = time.monotonic()

    def _add(self, providers, service_links, city_links, industry_links):
        kinds, years = defaultdict(list), defaultdict(list)
        for pk, kind, year in providers:
            kinds[kind].append(pk)
            years[year].append(pk)
            self.year[pk] = NO_YEAR if year is None else year
        years.pop(None, None)  # a founding year the sources do not state matches no range
        for ids in kinds.values():
            self.providers.update(ids)
        for bitmaps, pairs in ((self.by_kind, kinds.items()), (self.by_year, years.items())):
            for value, ids in pairs:
                bitmaps[value].update(ids)
        for bitmaps, links in (
            (self.by_line, service_links),
            (self.by_city, city_links),
            (self.named_for_industry, industry_links),
        ):
            grouped = defaultdict(list)
            for provider, value in links:
                grouped[value].append(provider)
            for value, ids in grouped.items():
                bitmaps[value].update(ids)

    def _group_categories(self):
        members = defaultdict(list)
        for line, (_, _, category) in self.values.lines.items():
            members[category].append(self.by_line.get(line, BitMap()))
        self.by_category = {
            category: BitMap.union(BitMap(), *members.get(category, []))
            for category in self.values.categories
        }
        self.by_industry = {
            industry: BitMap.union(
                self.named_for_industry.get(industry, BitMap()),
                *(self.by_line.get(line, BitMap()) for line in lines),
            )
            for industry, (_, _, lines) in self.values.industries.items()
        }

    def sync(self, version):
        """Catch up with the journal; called when a request sees a new data version."""
        if version < self.version or time.monotonic() - self.synced > KEPT.total_seconds() / 2:
            self.build(version)  # another history (a restore), or entries pruned unread
            return
        providers = Provider._meta.db_table
        values = {model._meta.db_table for model in VALUE_MODELS}
        changes = list(
            JournalEntry.objects.filter(
                id__gt=self.last_change, table__in=[EVERYTHING, providers, *values]
            ).values_list("id", "table", "object_id")
        )
        pks = {pk for _, table, pk in changes if table == providers}
        if None in pks or len(pks) > REREAD_LIMIT or any(t == EVERYTHING for _, t, _ in changes):
            self.build(version)
            return
        if pks:
            self._reread(pks)
        if any(table in values for _, table, _ in changes):
            self.values = Values.load()
        if changes:
            self._group_categories()
            self.last_change = changes[-1][0]
        self.version = version
        self.synced = time.monotonic()

    def _reread(self, pks):
        gone = BitMap(pks)
        for bitmaps in (
            self.by_line,
            self.by_city,
            self.by_kind,
            self.by_year,
            self.named_for_industry,
        ):
            for bitmap in bitmaps.values():
                bitmap.difference_update(gone)
        self.providers.difference_update(gone)
        self._grow(max(pks))
        self._place(pks)
        self._add(
            Provider.objects.filter(pk__in=pks).values_list("pk", "kind", "founded_year"),
            ProviderService.objects.filter(provider_id__in=pks).values_list(
                "provider_id", "service_line_id"
            ),
            ProviderCity.objects.filter(provider_id__in=pks).values_list("provider_id", "city_id"),
            ProviderIndustry.objects.filter(provider_id__in=pks).values_list(
                "provider_id", "industry_id"
            ),
        )

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
            cursor.execute(
                f"SELECT id FROM {connection.ops.quote_name(Provider._meta.db_table)} "
                "ORDER BY name, id"
            )
            for place, (pk,) in enumerate(cursor.fetchall()):
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

    def _bitmaps(self, dimension):
        return {
            "lines": (self.by_line, self.values.lines),
            "cities": (self.by_city, self.values.cities),
            "categories": (self.by_category, self.values.categories),
            "industries": (self.by_industry, self.values.industries),
        }[dimension]

    def _union(self, dimension, slugs):
        bitmaps, values = self._bitmaps(dimension)
        wanted = set(slugs)
        chosen = [
            bitmaps[pk] for pk, value in values.items() if value[0] in wanted and pk in bitmaps
        ]
        return BitMap.union(BitMap(), *chosen)

    def lines(self, slugs):
        return self._union("lines", slugs)

    def cities(self, slugs):
        return self._union("cities", slugs)

    def category(self, slug):
        return self._union("categories", [slug])

    def industries(self, slugs):
        return self._union("industries", slugs)

    def kind(self, kind):
        return self.by_kind.get(kind, BitMap())

    def founded(self, low=None, high=None):
        years = [
            bitmap
            for year, bitmap in self.by_year.items()
            if (low is None or year >= low) and (high is None or year <= high)
        ]
        return BitMap.union(BitMap(), *years)

    def counts_of(self, dimension, matching):
        """{slug: providers within `matching`} for each value of a link facet."""
        bitmaps, values = self._bitmaps(dimension)
        return {
            value[0]: matching.intersection_cardinality(bitmaps[pk])
            for pk, value in values.items()
            if pk in bitmaps
        }

    def sharing_lines(self, lines, excluding, per_line, limit):
        """[(provider pk, lines in common)] of the providers sharing most of `lines`, best
        first, ties in id order; candidates are the first `per_line` providers (by id) of each
        line other than `excluding`.

        levels[n] holds the candidates sharing more than n of the lines: one bitmap pass per
        line instead of counting ids one by one in Python."""
        levels = []
        for line in lines:
            candidates = self.by_line.get(line, BitMap())[: per_line + 1]
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
            (0, self.by_line, self.values.lines),
            (1, self.by_city, sorted(self.by_city)),
        ):
            for value in order:
                if value in bitmaps:  # (a defaultdict: asking for a missing value would add it)
                    for pk in bitmaps[value] & page:
                        links[pk][position].append(value)
        return links

    def kind_counts(self, matching):
        return {kind: matching.intersection_cardinality(b) for kind, b in self.by_kind.items()}

    def choices(self, dimension):
        """[(slug, name)] of the values of a link facet, in their display order."""
        return [(value[0], value[1]) for value in self._bitmaps(dimension)[1].values()]


class Sorted:
    """Ids sorted by `key` as far as a slice needs: a page is a partial sort, not a full one."""

    def __init__(self, ids, key):
        self.ids, self.key = ids, key

    def __getitem__(self, window):
        return heapq.nsmallest(window.stop, self.ids, key=self.key)[window]


def _rows(cursor, model, *columns, order=()):
    """Every row of `model`'s table, as tuples of `columns`."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    order_by = f" ORDER BY {', '.join(map(quote, order))}" if order else ""
    cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {table}{order_by}")
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
