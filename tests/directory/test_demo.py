import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import CommandError, call_command

from bpo_portal.directory.models import Provider, ProviderService
from bpo_portal.sources.models import Citation, Source

pytestmark = pytest.mark.django_db


def demo_snapshot():
    return [
        (
            p.slug,
            p.name,
            p.kind,
            p.founded_year,
            p.description,
            sorted(p.services.values_list("slug", flat=True)),
        )
        for p in Provider.objects.filter(is_demo=True).order_by("slug")
    ]


def test_demo_data_is_deterministic_marked_and_cited():
    real = Provider.objects.real().count()
    call_command("generate_demo_data", "--providers", "40", "--seed", "7")
    first = demo_snapshot()
    assert len(first) == 40
    assert all(1 <= len(services) <= 6 for *_, services in first)
    assert all(250 <= len(description) <= 320 for *_, description, _ in first)
    demo = Provider.objects.filter(is_demo=True)
    assert not demo.filter(citations__isnull=True).exists()
    assert not ProviderService.objects.filter(
        provider__is_demo=True, citations__isnull=True
    ).exists()
    assert set(
        Citation.objects.filter(object_id__in=demo.values("pk")).values_list(
            "source__slug", flat=True
        )
    ) >= {"generated-demo-data"}
    assert Provider.objects.real().count() == real  # the knowledge base is untouched

    call_command("generate_demo_data", "--clear")
    assert not Provider.objects.filter(is_demo=True).exists()
    assert not Citation.objects.filter(source__slug="generated-demo-data").exists()
    assert not Source.objects.filter(slug="generated-demo-data").exists()
    assert Provider.objects.real().count() == real
    call_command("generate_demo_data", "--providers", "40", "--seed", "7")
    assert demo_snapshot() == first
    call_command("generate_demo_data", "--clear")
    call_command("generate_demo_data", "--providers", "40", "--seed", "8")
    assert demo_snapshot() != first


def test_demo_providers_are_found_by_full_text_search():
    call_command("generate_demo_data", "--providers", "30", "--seed", "1")
    name = Provider.objects.filter(is_demo=True).first().name
    first_word = name.split()[0]
    assert Provider.objects.search(first_word).filter(name=name).exists()


def test_refuses_a_database_curators_have_worked_on(curator):
    ibex = Provider.objects.get(slug="ibex")
    LogEntry.objects.log_actions(user_id=curator.pk, queryset=[ibex], action_flag=CHANGE)
    with pytest.raises(CommandError, match="holds curated data"):
        call_command("generate_demo_data", "--providers", "5")
    call_command("generate_demo_data", "--providers", "5", "--force")
    assert Provider.objects.filter(is_demo=True).count() == 5


def test_needs_a_count():
    with pytest.raises(CommandError, match="--providers"):
        call_command("generate_demo_data")


def test_bulk_rows_keep_every_character_and_null():
    """The bulk writer (COPY on PostgreSQL, multi-row INSERTs elsewhere) stores text with tabs,
    line breaks and backslashes, empty values, NULLs and booleans as they were given."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bpo_portal.directory.demo import _Table

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = _Table(Provider, now)
    tricky = "tab\there\nnew line\r\\N back\\slash \\t 'quote' \"double\" ü"
    pk = table.add(
        name="Bulk row", slug="bulk-row", description=tricky, founded_year=None, is_demo=True
    )
    with transaction.atomic(), connection.cursor() as cursor:
        table.write(cursor, table.take())
    row = Provider.objects.get(pk=pk)
    assert (row.description, row.founded_year, row.is_demo, row.headcount) == (
        tricky,
        None,
        True,
        "",
    )


TABLES = (
    "directory_provider",
    "directory_providerservice",
    "directory_providercity",
    "sources_citation",
    "core_searchdocument",
)


def constraints_and_indexes():
    from django.db import connection

    with connection.cursor() as cursor:
        return {table: connection.introspection.get_constraints(cursor, table) for table in TABLES}


def test_generating_keeps_every_index_and_key():
    """On PostgreSQL the indexes, unique constraints and foreign keys are dropped for the load
    and built again after it."""
    from bpo_portal.directory.demo import generate

    before = constraints_and_indexes()
    generate(5, seed=3)
    assert constraints_and_indexes() == before
    assert sum(c["foreign_key"] is not None for t in before.values() for c in t.values()) >= 5


def test_a_failed_load_changes_nothing():
    """A demo slug already taken by a provider: the load fails as a whole, and what was there
    before (rows, indexes and keys) is still there."""
    from django.db import IntegrityError

    from bpo_portal.directory.demo import generate

    Provider.objects.create(name="Taken", slug="demo-000001")
    before = constraints_and_indexes(), Provider.objects.count(), Citation.objects.count()
    with pytest.raises(IntegrityError):
        generate(3, seed=3)
    assert (constraints_and_indexes(), Provider.objects.count(), Citation.objects.count()) == before
    assert Provider.objects.get(slug="demo-000001").name == "Taken"


def test_ahead_keeps_order_and_passes_errors_on():
    from bpo_portal.directory.demo import _ahead

    assert list(_ahead(iter([0, None, 2]))) == [0, None, 2]

    def failing():
        yield 1
        raise ValueError("broken batch")

    items = _ahead(failing())
    assert next(items) == 1
    with pytest.raises(ValueError, match="broken batch"):
        next(items)


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_loaded_tables_are_vacuumed_after_the_load():
    """Every page of the new rows marked all-visible, so index-only scans need not visit the
    table, from the first request on rather than once autovacuum gets there."""
    from django.db import connection

    from bpo_portal.directory.demo import generate

    if connection.vendor != "postgresql":
        pytest.skip("VACUUM and index-only scans are PostgreSQL's; SQLite has neither")
    generate(200, seed=3)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, relpages, relallvisible FROM pg_class WHERE relname IN "
            "('directory_provider', 'directory_providerservice', 'directory_providercity')"
        )
        pages = {name: (total, visible) for name, total, visible in cursor.fetchall()}
    assert len(pages) == 3
    assert all(0 < total == visible for total, visible in pages.values()), pages


def test_on_sqlite_the_load_has_a_larger_page_cache_and_leaves_it_as_it_was():
    from django.db import connection

    from bpo_portal.directory import demo

    if connection.vendor != "sqlite":
        pytest.skip("the page cache size is SQLite's")

    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    seen = []
    write = demo._Table.write

    def noting(table, cursor, rows):
        seen.append(cache_size())
        return write(table, cursor, rows)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demo._Table, "write", noting)
        demo.generate(20, seed=3)
    assert set(seen) == {-1024 * 256} != {before}
    assert cache_size() == before
