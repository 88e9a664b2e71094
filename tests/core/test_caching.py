"""The data version: one bump per committed transaction that changes knowledge, none otherwise."""

import pytest
from django.db import transaction

from bpo_portal.core.caching import current_version
from bpo_portal.directory.models import Provider
from tests.factories import ProviderServiceFactory

pytestmark = pytest.mark.django_db


def test_a_transaction_that_saves_many_rows_bumps_once(django_capture_on_commit_callbacks):
    before = current_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        ProviderServiceFactory()  # a provider, a service line, a category, a link, citations
        Provider.objects.filter(slug="ibex").first().save()  # and its history row
    assert len(callbacks) == 1
    assert current_version() == before + 1


def test_a_rolled_back_transaction_does_not_bump(django_capture_on_commit_callbacks):
    before = current_version()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        Provider.objects.filter(slug="ibex").first().save()
        raise RuntimeError("the save fails")
    assert callbacks == []
    assert current_version() == before


def test_rows_that_are_not_knowledge_do_not_bump(django_capture_on_commit_callbacks):
    from django.contrib.auth.models import User

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        User.objects.create_user("someone")
    assert callbacks == []
