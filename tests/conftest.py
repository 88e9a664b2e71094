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
    # Browser tests flush the database when they end, so they run after everything else.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Serve static files without the hashed manifest that `collectstatic` builds."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def curator(db):
    user = User.objects.create_user("curator", password="curator-pass-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Curators"))
    return user


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client
