"""Synthetic demo providers for load and scale testing, never mixed into the knowledge base.

Every demo row has `is_demo=True` and cites the "Generated demo data" source, which names no
real article. The same seed always gives the same data.
"""

import io
import json
import random
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from bpo_portal.core import search
from bpo_portal.core.journal import record_everything
from bpo_portal.core.kinds import kind_for
from bpo_portal.core.links import url_for
from bpo_portal.core.models import LoadedRecord, SearchDocument
from bpo_portal.directory.models import (
    City,
    Provider,
    ProviderCity,
    ProviderService,
    ServiceLine,
)
from bpo_portal.sources.models import Citation, Source

DEMO_SOURCE = {
    "slug": "generated-demo-data",
    "title": "Generated demo data (not a real source)",
    "title_is_ours": True,
    "summary": "Synthetic providers made by generate_demo_data for load and scale tests.",
    "file_name": "generated-demo-data",
    "headings": ["Generated"],
}
BATCH = 5000

FIRST = [
    "Indus",
    "Ravi",
    "Margalla",
    "Karakoram",
    "Chenab",
    "Jhelum",
    "Sutlej",
    "Kohinoor",
    "Crescent",
    "Falcon",
    "Meridian",
    "Summit",
    "Horizon",
    "Cedar",
    "Silk Route",
    "Zephyr",
    "Blue Pine",
    "Saffron",
    "Orbit",
    "Harbour",
    "Monsoon",
    "Delta",
    "Nexus",
    "Pinnacle",
    "Lotus",
    "Beacon",
]
SECOND = [
    "Data",
    "Contact",
    "Support",
    "Process",
    "Tech",
    "Outsourcing",
    "Digital",
    "Business",
    "Knowledge",
    "Care",
    "Cloud",
    "Back Office",
    "Call",
    "Service",
    "Analytics",
    "Systems",
]
SUFFIX = ["Solutions", "Services", "Partners", "Labs", "Group", "Hub", "Works", "Centre", "Global"]
OPENERS = [
    "A demo outsourcing firm",
    "A generated provider",
    "A synthetic contact-centre operator",
    "An invented back-office specialist",
]
CLOSERS = [
    "It serves clients in North America, Europe and the Middle East from its delivery floors.",
    "Its teams work in shifts so that clients in other time zones are covered all day.",
    "It trains new graduates in-house and runs quality checks on every account it manages.",
    "It invests in cloud tools and automation to keep its services efficient for clients.",
]
KINDS = [Provider.Kind.LOCAL] * 6 + [Provider.Kind.MULTINATIONAL] * 2 + [Provider.Kind.SUBSIDIARY]


def has_curated_data():
    """True once curators have worked on the database, or it holds rows the loader did not make."""
    if LogEntry.objects.exists():
        return True
    loaded = {
        key.split(":", 1)[1]
        for key in LoadedRecord.objects.filter(key__startswith="provider:").values_list(
            "key", flat=True
        )
    }
    real = set(Provider.objects.real().values_list("slug", flat=True))
    return bool(real - loaded)


def _description(rng, name, lines, cities):
    services = ", ".join(line.name.lower() for line in lines[:3])
    places = " and ".join(city.name for city in cities)
    text = (
        f"{rng.choice(OPENERS)}, {name} offers {services} from offices in {places}. "
        f"{rng.choice(CLOSERS)} {rng.choice(CLOSERS)}"
    )
    return text[:320]


class _Table:
    """Rows for one table, numbered here and written in bulk: on PostgreSQL with COPY (faster
    than multi-row INSERTs, whose time goes mostly into building their parameters), on
    SQLite with many rows per INSERT statement, sent to the database's own connection in its
    own `?` style (Django's cursor rewrites each of a statement's thousands of `%s`, and
    executemany of one row at a time is slower still).

    Every concrete column of the model is written; a value not given takes the field's default.
    Adding and taking rows touches no connection, so another thread can do it (see `_ahead`).
    """

    ROWS_PER_STATEMENT = 500

    def __init__(self, model, now):
        self.model = model
        self.copy = connection.vendor == "postgresql"
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.place = {f.attname: index for index, f in enumerate(fields, start=1)}
        self.defaults = [None] + [
            self._value(now if f.name in ("created", "modified") else f.get_default())
            for f in fields
        ]
        self.next_id = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.rows = []
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in [model._meta.pk, *fields])
        self.prefix = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES "
        self.row_sql = "(" + ", ".join(["?"] * (len(fields) + 1)) + ")"
        self.copy_sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"

    def _value(self, value):
        return _copy_text(value) if self.copy else value

    def add(self, **values):
        pk = self.next_id
        self.next_id += 1
        row = self.defaults.copy()
        row[0] = self._value(pk)
        for name, value in values.items():
            row[self.place[name]] = self._value(value)
        self.rows.append("\t".join(row) if self.copy else row)
        return pk

    def take(self):
        """The rows added since the last take, as `write` wants them (COPY text or lists)."""
        rows, self.rows = self.rows, []
        return "".join(row + "\n" for row in rows) if self.copy else rows

    def write(self, cursor, rows):
        if self.copy:
            cursor.cursor.copy_expert(self.copy_sql, io.StringIO(rows), size=1 << 20)
            return
        step = self.ROWS_PER_STATEMENT
        with connection.wrap_database_errors:  # raised as Django's errors, as from its cursor
            for start in range(0, len(rows), step):
                chunk = rows[start : start + step]
                sql = self.prefix + ", ".join([self.row_sql] * len(chunk))
                connection.connection.execute(sql, [value for row in chunk for value in row])


def _copy_text(value):
    """A value in COPY's text format: \\N for NULL, t/f for booleans, and backslash escapes for
    the characters that would end a value or a row (looked for first: most values have none)."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


@contextmanager
def _indexes_and_keys_built_after(models):
    """On PostgreSQL, drop the indexes, unique constraints and foreign keys of `models`' tables
    for a bulk load and build them again after it, as pg_restore loads data: an index built
    from all the rows at once is sorted once, and a key added afterwards checks every row with
    one join, where kept ones are updated and checked row by row (most of a large load). Used
    inside the load's transaction, so a failure (a duplicate, say) leaves everything as it
    was; the tables are locked against readers until it commits."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Foreign keys, then unique constraints, then the other indexes but primary keys.
        cursor.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype IN ('f', 'u') AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY contype",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) AND NOT indisprimary AND NOT EXISTS "
            "(SELECT FROM pg_constraint WHERE conindid = indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        # Checks already deferred in this transaction run now: a table with pending ones
        # cannot be altered. Django's keys are all deferred again afterwards.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # sorts in memory
        for _, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in reversed(constraints):
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _sqlite_cache(megabytes=256):
    """On SQLite, a page cache of `megabytes` for a bulk load (the default is 2 MB): the name
    and link indexes grow far beyond it, and every insert at a random place in one then read
    its pages from the file again. As it was afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-1024 * megabytes}")
    try:
        yield
    finally:  # on the connection itself: Django's cursor refuses a transaction gone wrong
        connection.connection.execute(f"PRAGMA cache_size = {int(before)}")


def generate(count, seed=0, progress=None):
    """Create `count` demo providers with service lines, cities and citations, in bulk."""
    rng = random.Random(seed)
    lines = list(ServiceLine.objects.order_by("pk"))
    cities = list(City.objects.order_by("pk"))
    if not lines or not cities:
        raise ValueError(
            "Load the knowledge base first: demo providers link to its services and cities."
        )
    source = Source.objects.filter(slug=DEMO_SOURCE["slug"]).first()
    if source is None:
        source = Source(**DEMO_SOURCE)
        source.skip_history_when_saving = True  # not knowledge: no history, no public change
        source.save()
    start_number = Provider.objects.filter(is_demo=True).count()
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    types = {
        model: ContentType.objects.get_for_model(model).pk
        for model in (Provider, ProviderService, ProviderCity)
    }
    note = "Generated demo data, not a fact from the sources."
    providers = _Table(Provider, now)
    service_links = _Table(ProviderService, now)
    city_links = _Table(ProviderCity, now)
    citations = _Table(Citation, now)

    # The providers' search documents, inserted like the other rows and then indexed (an ORM
    # bulk_create of them took a fifth of the time).
    documents = _Table(SearchDocument, now)
    tables = [providers, service_links, city_links, citations, documents]
    kind = kind_for(Provider).prefix
    no_names = SearchDocument._meta.get_field("names").get_default()
    # Profile addresses from one reversed address: reversing each costs more than the rest.
    profile_url = url_for("directory:provider_detail", "SLUG")

    def cite(model, pk):
        citations.add(
            source_id=source.pk,
            section="Generated",
            note=note,
            content_type_id=types[model],
            object_id=pk,
        )

    def batches():
        """Every table's rows and the search documents' (id, title, names, body, kind), BATCH
        providers at a time. Queries nothing, so that it can run in another thread."""
        written = []
        for n in range(start_number, start_number + count):
            name = f"{rng.choice(FIRST)} {rng.choice(SECOND)} {rng.choice(SUFFIX)} {n + 1:06d}"
            slug = f"demo-{n + 1:06d}"
            chosen_lines = rng.sample(lines, rng.randint(1, 6))
            chosen_cities = rng.sample(cities, rng.randint(1, min(3, len(cities))))
            founded = rng.randint(1960, 2024) if rng.random() < 0.85 else None
            description = _description(rng, name, chosen_lines, chosen_cities)
            provider = providers.add(
                name=name,
                slug=slug,
                kind=rng.choice(KINDS),
                founded_year=founded,
                description=description,
                is_demo=True,
            )
            cite(Provider, provider)
            document = documents.add(
                kind=kind,
                object_id=provider,
                title=name,
                name_labels="[]",
                body=description,
                url=profile_url.replace("SLUG", slug),
            )
            written.append((document, name, no_names, description, kind))
            for line in chosen_lines:
                cite(
                    ProviderService,
                    service_links.add(provider_id=provider, service_line_id=line.pk),
                )
            for city in chosen_cities:
                cite(ProviderCity, city_links.add(provider_id=provider, city_id=city.pk))
            if len(written) == BATCH or n == start_number + count - 1:
                yield [table.take() for table in tables], written
                written = []

    # The next batch is built while the database stores this one: PostgreSQL's COPY and
    # SQLite's statements wait without holding Python's lock.
    rows = _ahead(batches())

    started = time.monotonic()
    done = 0
    with (
        transaction.atomic(),
        _indexes_and_keys_built_after([table.model for table in tables]),
        _sqlite_cache(),
        connection.cursor() as cursor,
    ):
        for batch, written in rows:
            for table, table_rows in zip(tables, batch, strict=True):
                table.write(cursor, table_rows)
            search.index_written(written)
            done += len(written)
            if progress:
                progress(done, count, time.monotonic() - started)
        for sql in connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables]):
            cursor.execute(sql)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")  # statistics from a sample, in a second
        cursor.execute("ANALYZE")
        record_everything()  # written around the ORM: the journal is told by hand
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # As after any bulk load: the new rows marked all-visible (index-only scans need no
        # table visit) now, not whenever autovacuum reaches them amid the first requests.
        names = ", ".join(connection.ops.quote_name(t.model._meta.db_table) for t in tables)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {names}")
    return count


def _ahead(items):
    """Iterate over `items`, the next item being made in a worker thread while the caller
    uses this one. An exception raised in making an item is raised to the caller."""
    end = object()
    with ThreadPoolExecutor(max_workers=1) as worker:
        upcoming = worker.submit(next, items, end)
        while (item := upcoming.result()) is not end:
            upcoming = worker.submit(next, items, end)
            yield item


def raw_delete(rows):
    """Delete by key, 500 rows a statement, without a signal per row: the change log, history
    and search index are not told of demo rows, which they never held as curated knowledge."""
    pks = list(rows.values_list("pk", flat=True))
    table = connection.ops.quote_name(rows.model._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = pks[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
    return len(pks)


def clear():
    """Remove every demo provider and what hangs off it, and the demo source."""
    with transaction.atomic():
        demo = Provider.objects.filter(is_demo=True)
        types = ContentType.objects.get_for_models(Provider, ProviderService, ProviderCity)
        links = {
            ProviderService: ProviderService.objects.filter(provider__is_demo=True),
            ProviderCity: ProviderCity.objects.filter(provider__is_demo=True),
            Provider: demo,
        }
        for model, rows in links.items():
            raw_delete(
                Citation.objects.filter(content_type=types[model], object_id__in=rows.values("pk"))
            )
        search.remove_many(kind_for(Provider), list(demo.values_list("pk", flat=True)))
        for rows in links.values():
            deleted = raw_delete(rows)  # the providers last
        Source.objects.filter(slug=DEMO_SOURCE["slug"], citations__isnull=True).delete()
        record_everything()
    return deleted
