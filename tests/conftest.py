import pytest
from django.contrib.auth.models import Group, User

from bpo_portal.core.knowledge import KnowledgeLoader, read_knowledge


def load_knowledge():
    from django.conf import settings

    KnowledgeLoader(read_knowledge(settings.KNOWLEDGE_FILE)).load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the real knowledge base, loaded once per session."""
    with django_db_blocker.unblock():
        load_knowledge()


def pytest_collection_modifyitems(items):
    # Tests that empty or rebuild the database (browser tests flush it when they end) run after
    # everything else; they load the knowledge base again themselves.
    items.sort(key=lambda item: any(item.get_closest_marker(m) for m in ("browser", "rebuilds_db")))


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Serve static files without the hashed manifest that `collectstatic` builds."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def empty_cache(settings):
    """Each test has its own empty in-memory cache (a rolled-back test leaves the version as it was)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def curator(db):
    user = User.objects.create_user("curator", password="curator-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def many_providers(db):
    """120 extra providers, each with service lines, a city and citations: enough that a query
    per row on any page would break its query bound."""
    from django.contrib.contenttypes.models import ContentType

    from bpo_portal.directory.models import (
        City,
        Provider,
        ProviderCity,
        ProviderService,
        ServiceLine,
    )
    from bpo_portal.sources.models import Citation, Source

    lines = list(ServiceLine.objects.order_by("pk"))
    cities = list(City.objects.order_by("pk"))
    source = Source.objects.get(slug="contact-centres")
    providers = Provider.objects.bulk_create(
        Provider(
            name=f"Bulk provider {n:03d}",
            slug=f"bulk-provider-{n:03d}",
            kind=Provider.Kind.LOCAL,
            founded_year=1980 + n % 40,
            description="Made in bulk for query-count tests.",
            is_demo=True,
        )
        for n in range(120)
    )
    service_links = ProviderService.objects.bulk_create(
        ProviderService(provider=p, service_line=lines[(n + k) % len(lines)])
        for n, p in enumerate(providers)
        for k in range(3)
    )
    city_links = ProviderCity.objects.bulk_create(
        ProviderCity(provider=p, city=cities[n % len(cities)]) for n, p in enumerate(providers)
    )
    citations = []
    for rows in (providers, service_links, city_links):
        content_type = ContentType.objects.get_for_model(rows[0])
        citations += [
            Citation(
                content_type=content_type,
                object_id=row.pk,
                source=source,
                section="Skilled Workforce",
                note="Test citation.",
            )
            for row in rows
        ]
    Citation.objects.bulk_create(citations)
    return providers


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots",
        action="store_true",
        help="Write screenshots of the main pages to docs/screenshots/ (make screenshots).",
    )


def pytest_ignore_collect(collection_path, config):
    if collection_path.name == "test_screenshots.py":
        return not config.getoption("--screenshots")
    return None
