import pytest
from django.apps import apps
from django.core.management import call_command

from bpo_portal.core.models import LoadedRecord
from bpo_portal.directory.models import Provider, ProviderService
from bpo_portal.sources.models import Citation

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        model._meta.label: sorted(model.objects.values_list("pk", flat=True))
        for model in apps.get_models()
        if model._meta.app_label in {"sources", "directory", "sector", "core"}
    }


def test_running_twice_leaves_the_same_data(capsys):
    before = snapshot()
    call_command("load_knowledge")
    assert snapshot() == before
    assert "nothing added" in capsys.readouterr().out


def test_loading_keeps_a_curators_edit():
    Provider.objects.filter(slug="ibex").update(description="Edited by a curator.", headcount="")
    call_command("load_knowledge")
    ibex = Provider.objects.get(slug="ibex")
    assert (ibex.description, ibex.headcount) == ("Edited by a curator.", "")


def test_loading_adds_what_is_missing(capsys):
    link = ProviderService.objects.get(
        provider__slug="ibex", service_line__slug="technical-support"
    )
    link.delete()
    LoadedRecord.objects.filter(key__contains="provider-service:ibex|technical-support").delete()
    call_command("load_knowledge")
    restored = ProviderService.objects.get(
        provider__slug="ibex", service_line__slug="technical-support"
    )
    assert restored.citations.count() == 1
    assert "Added 1 citations, 1 provider services" in capsys.readouterr().out


def test_loading_does_not_bring_back_what_a_curator_deleted():
    ProviderService.objects.filter(
        provider__slug="ibex", service_line__slug="technical-support"
    ).delete()
    call_command("load_knowledge")
    assert not ProviderService.objects.filter(
        provider__slug="ibex", service_line__slug="technical-support"
    ).exists()


def test_citations_are_only_added_never_duplicated():
    count = Citation.objects.count()
    call_command("load_knowledge")
    call_command("load_knowledge")
    assert Citation.objects.count() == count
