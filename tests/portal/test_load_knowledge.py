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


def load(data, capsys=None):
    from bpo_portal.portal.knowledge import KnowledgeLoader

    loader = KnowledgeLoader(data)
    loader.load()
    return loader


@pytest.fixture
def knowledge():
    from django.conf import settings

    from bpo_portal.portal.knowledge import read_knowledge

    return read_knowledge(settings.KNOWLEDGE_FILE)


def item(data, section, slug):
    return next(row for row in data[section] if row.get("slug") == slug)


def test_an_edited_file_brings_up_to_date_what_no_curator_changed(knowledge):
    item(knowledge, "providers", "ibex")["description"] = "A newer description in the file."
    loader = load(knowledge)
    assert Provider.objects.get(slug="ibex").description == "A newer description in the file."
    assert loader.updated == {"providers": 1}
    assert load(knowledge).updated == {}  # and once is enough


def test_an_edited_file_never_undoes_a_curators_save(knowledge):
    ibex = Provider.objects.get(slug="ibex")
    ibex.description = "Saved by a curator."
    ibex.save()
    item(knowledge, "providers", "ibex")["description"] = "A newer description in the file."
    load(knowledge)
    assert Provider.objects.get(slug="ibex").description == "Saved by a curator."


def test_a_heading_added_to_the_file_lets_its_new_citation_in(knowledge):
    """A database loaded from an older file: the file's new heading reaches the source before
    the new citation that cites it is checked against the source's headings."""
    from bpo_portal.sources.models import Source

    source = item(knowledge, "sources", "bpo-overview")
    source["headings"] = [*source["headings"], "A heading the file gained"]
    item(knowledge, "providers", "ibex")["cite"].append(
        ["bpo-overview", "A heading the file gained", "Named there too."]
    )
    loader = load(knowledge)
    assert "A heading the file gained" in Source.objects.get(slug="bpo-overview").headings
    ibex = Provider.objects.get(slug="ibex")
    assert ibex.citations.filter(section="A heading the file gained").exists()
    assert loader.skipped == []


def test_a_row_a_curators_edit_refuses_is_left_out_and_said(knowledge, capsys):
    """The curator's headings win, so the file's new citation of a heading they removed cannot
    be loaded: it is reported, and everything else still loads."""
    from bpo_portal.sources.models import Source

    source = Source.objects.get(slug="bpo-overview")
    source.headings = [
        h for h in source.headings if h != "Key Players in the Pakistani BPO Industry"
    ]
    Citation.objects.filter(
        source=source, section="Key Players in the Pakistani BPO Industry"
    ).delete()
    source.save()
    LoadedRecord.objects.filter(key__startswith="citation:").delete()
    call_command("load_knowledge")
    error = capsys.readouterr().err
    assert "Left out citation:" in error and "is not a section heading" in error
    assert Citation.objects.filter(section="Skilled Workforce").exists()
