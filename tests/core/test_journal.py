"""The change journal hears every way of writing knowledge, and every store derived from the
knowledge follows it: after each kind of write, every page served (from the cache or computed
with the process's in-memory stores) is the page a fresh process computes."""

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from bpo_portal.core import journal
from bpo_portal.core.caching import current_stamp, current_version, forget_per_version
from bpo_portal.core.models import JournalEntry
from bpo_portal.directory.facets import forget_indexes
from bpo_portal.directory.models import City, Provider, ProviderCity, ProviderService, ServiceLine
from bpo_portal.sector.models import Disagreement, Incentive, Statistic
from tests.core.test_page_freshness import NO_CACHE, PAGES, get, serve_every_page
from tests.portal.test_conflicts import import_preview, incentive_csv

pytestmark = pytest.mark.django_db
# Every page kind but the form that carries a new CSRF token each time.
COMPARED = [url for url in PAGES if not url.startswith("/suggest/")]


def entries_since(last):
    return set(JournalEntry.objects.filter(id__gt=last).values_list("table", "object_id"))


def last_entry():
    return JournalEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def ibex():
    return Provider.objects.get(slug="ibex")


def test_a_save_journals_its_row_and_the_rows_it_is_part_of():
    link = ProviderService.objects.first()
    owner = link.provider
    other = Provider.objects.exclude(pk=owner.pk).exclude(services=link.service_line).first()
    last = last_entry()
    link.provider = other  # a link moved: both providers changed
    link.save()
    assert {
        ("directory_providerservice", link.pk),
        ("directory_provider", owner.pk),
        ("directory_provider", other.pk),
    } <= entries_since(last)


def test_a_transaction_moves_the_version_once_however_much_it_writes(
    ibex, django_capture_on_commit_callbacks
):
    before = current_version()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for provider in Provider.objects.all()[:5]:
            provider.description += " Edited."
            provider.save()
        Provider.objects.filter(pk=ibex.pk).update(headcount="many")
    assert current_version() == before + 1
    ibex.save()  # the next transaction moves it again
    assert current_version() == before + 2


def test_a_rolled_back_transaction_leaves_the_version_and_the_next_one_moves_it(ibex):
    before = current_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        ibex.save()
        raise RuntimeError("the save fails")
    assert current_version() == before
    assert (
        not JournalEntry.objects.filter(table="directory_provider", id__gt=0)
        .filter(object_id=ibex.pk, created__gt=ibex.modified)
        .exists()
    )
    ibex.save()
    assert current_version() == before + 1


def test_a_batch_journals_every_row_at_its_end_in_one_pass(ibex):
    """A bulk load's writes are gathered and written as the batch ends: every row (and the rows
    it is part of) journalled, the search index written once, the version moved once."""
    before, last = current_version(), last_entry()
    link = ProviderService.objects.exclude(provider=ibex).first()
    link_pk = link.pk
    with journal.batched():
        for provider in Provider.objects.exclude(pk=ibex.pk)[:3]:
            provider.description += " Edited."
            provider.save()
        ibex.name = "Ibex Zetaworks"
        ibex.save()
        link.delete()
        assert entries_since(last) == set()  # nothing yet: gathered for the end
        assert current_version() == before
    assert current_version() == before + 1
    assert {
        ("directory_provider", ibex.pk),
        ("directory_providerservice", link_pk),
        ("directory_provider", link.provider_id),
    } <= entries_since(last)
    assert list(Provider.objects.search("zetaworks")) == [ibex]


def test_a_batch_that_fails_journals_nothing(ibex):
    before, last = current_version(), last_entry()
    with pytest.raises(RuntimeError), journal.batched():
        ibex.save()
        raise RuntimeError("the load fails")
    assert (current_version(), entries_since(last)) == (before, set())
    ibex.save()  # journalled one by one again
    assert current_version() == before + 1


def test_every_knowledge_model_journals_its_bulk_writes():
    from bpo_portal.core.kinds import knowledge_models

    assert [
        model.__name__
        for model in knowledge_models()
        if not isinstance(model._default_manager.all(), journal.JournalledQuerySet)
    ] == []


@pytest.mark.parametrize(
    "write",
    [
        "save",
        "csv_import",
        "update",
        "bulk_create",
        "bulk_update",
        "queryset_delete",
        "m2m_add",
        "m2m_remove",
        "record_by_hand",
        "migrate",
    ],
)
def test_every_way_of_writing_is_journalled(write, ibex):
    last, version = last_entry(), current_version()
    provider = Provider._meta.db_table
    expected = WRITES[write](ibex)
    assert expected <= entries_since(last)
    assert current_version() == version + 1
    assert all(current_stamp()[1][table] == current_version() for table, _ in expected)
    assert provider  # (a readable failure names the entries above)


def _save(ibex):
    ibex.description += " Saved again."
    ibex.save()
    return {("directory_provider", ibex.pk)}


def _csv_import(ibex):
    """A curator imports a CSV file through the admin: its preview, then its confirmation."""
    curator = User.objects.create_user("importer", is_staff=True)
    curator.groups.add(Group.objects.get(name="Curators"))
    admin = Client()
    admin.force_login(curator)
    incentive = Incentive.objects.order_by("pk").first()
    confirm = import_preview(admin, incentive_csv(incentive, "Imported from a curator's file."))
    response = admin.post(reverse("admin:sector_incentive_process_import"), confirm)
    assert response.url == reverse("admin:sector_incentive_changelist")
    return {("sector_incentive", incentive.pk)}


def _update(ibex):
    Provider.objects.filter(pk=ibex.pk).update(kind=Provider.Kind.NOT_STATED)
    return {("directory_provider", ibex.pk)}


def _bulk_create(ibex):
    city = City.objects.exclude(providers=ibex).first()
    (link,) = ProviderCity.objects.bulk_create([ProviderCity(provider=ibex, city=city)])
    return {("directory_providercity", link.pk), ("directory_provider", ibex.pk)}


def _bulk_update(ibex):
    line = ServiceLine.objects.get(slug="call-centres")
    line.name = "Call and contact centres"
    ServiceLine.objects.bulk_update([line], ["name"])
    return {("directory_serviceline", line.pk)}


def _queryset_delete(ibex):
    links = list(ProviderService.objects.filter(provider=ibex).values_list("pk", flat=True))
    ProviderService.objects.filter(provider=ibex).delete()
    return {("directory_providerservice", pk) for pk in links} | {("directory_provider", ibex.pk)}


def _m2m_add(ibex):
    disagreement = Disagreement.objects.first()
    statistic = Statistic.objects.exclude(disagreements=disagreement).first()
    disagreement.statistics.add(statistic)
    return {("sector_disagreement", disagreement.pk), ("sector_statistic", statistic.pk)}


def _m2m_remove(ibex):
    disagreement = Disagreement.objects.filter(statistics__isnull=False).first()
    statistic = disagreement.statistics.first()
    disagreement.statistics.remove(statistic)
    through = Disagreement.statistics.through._meta.db_table
    return {("sector_disagreement", disagreement.pk), (through, None)}


def _record_by_hand(ibex):
    """What a data migration or a writer around the ORM does: write, then say what it wrote."""
    table = connection.ops.quote_name(Provider._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET headcount = %s WHERE id = %s", ["9", ibex.pk])
        journal.record(Provider, [ibex.pk])
    return {("directory_provider", ibex.pk)}


def _migrate(ibex):
    journal.after_migrate(plan=[("a migration", False)], using="default")
    return {("*", None)}


WRITES = {
    "save": _save,
    "csv_import": _csv_import,
    "update": _update,
    "bulk_create": _bulk_create,
    "bulk_update": _bulk_update,
    "queryset_delete": _queryset_delete,
    "m2m_add": _m2m_add,
    "m2m_remove": _m2m_remove,
    "record_by_hand": _record_by_hand,
    "migrate": _migrate,
}


def _load_knowledge(ibex):
    """The loader adds a row the knowledge file gains (a new glossary term, here)."""
    from django.conf import settings

    from bpo_portal.background.models import Term
    from bpo_portal.core.kinds import kind_for
    from bpo_portal.portal.knowledge import KnowledgeLoader, read_knowledge

    section = kind_for(Term).section
    term = dict(read_knowledge(settings.KNOWLEDGE_FILE)[section][0])
    term.update(term="Zeta sourcing", slug="zeta-sourcing", abbreviation="")
    KnowledgeLoader({section: [term]}).load()
    return set()


def fresh(client, urls):
    """The pages as a new process computes them: no cache, no index or value kept in memory."""
    forget_indexes()
    forget_per_version()
    with override_settings(CACHES=NO_CACHE):
        return {url: get(client, url).content for url in urls}


@pytest.mark.parametrize("write", [*WRITES, "load_knowledge"])
def test_every_page_follows_every_way_of_writing(
    client, write, ibex, django_capture_on_commit_callbacks
):
    serve_every_page(client, COMPARED)
    version = current_version()
    with django_capture_on_commit_callbacks(execute=True):
        {**WRITES, "load_knowledge": _load_knowledge}[write](ibex)
    assert current_version() > version
    served = {url: get(client, url).content for url in COMPARED}
    now = fresh(client, COMPARED)
    assert [url for url in COMPARED if served[url] != now[url]] == []
