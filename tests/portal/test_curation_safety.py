"""Nothing curated is lost: history with revert, CSV import with preview, round trips."""

import io
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from bpo_portal.core import search
from bpo_portal.core.caching import current_version
from bpo_portal.core.kinds import knowledge_models
from bpo_portal.core.models import DataVersion, JournalEntry, SearchDocument, SearchTerm
from bpo_portal.directory.models import Provider
from bpo_portal.sector.models import Incentive
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db
# What a backup holds: the knowledge, the readers' suggestions (portal) and the change log (core).
BACKUP_APPS = {"sources", "directory", "sector", "background", "portal", "core"}


def curated_models():
    return sorted(knowledge_models(), key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", curated_models(), ids=lambda m: m.__name__)
def test_every_curated_model_keeps_history(model):
    assert hasattr(model, "history"), f"{model.__name__} keeps no history"


def test_a_curators_edit_is_recorded_and_can_be_reverted(curator_client, curator):
    ibex = Provider.objects.get(slug="ibex")
    url = reverse("admin:directory_provider_change", args=[ibex.pk])
    original = ibex.description
    data = change_form_data(curator_client.get(url))
    data["description"] = "A mistaken edit."
    assert curator_client.post(url, data).status_code == 302

    latest = ibex.history.first()
    assert (latest.history_user, latest.description, latest.history_type) == (
        curator,
        "A mistaken edit.",
        "~",
    )
    history_page = curator_client.get(reverse("admin:directory_provider_history", args=[ibex.pk]))
    assert (
        "A mistaken edit." not in history_page.content.decode() or history_page.status_code == 200
    )

    before = ibex.history.filter(description=original).order_by("-history_date").first()
    revert_url = reverse(
        "admin:directory_provider_simple_history", args=[ibex.pk, before.history_id]
    )
    form = curator_client.get(revert_url)
    assert form.status_code == 200
    response = curator_client.post(revert_url, change_form_data(form))
    assert response.status_code == 302
    ibex.refresh_from_db()
    assert ibex.description == original
    assert ibex.history.count() == 3  # loaded, edited, reverted


def test_deleting_is_kept_in_history_too():
    provider = Provider.objects.get(slug="ufone")
    pk = provider.pk
    provider.delete()
    assert Provider.history.filter(id=pk, history_type="-").exists()


def import_page(client, model="incentive"):
    return reverse(f"admin:sector_{model}_import")


def upload(client, content):
    page = client.get(import_page(client))
    choices = dict((label, value) for value, label in page.context["form"].fields["format"].choices)
    data = {
        "format": choices["csv"],
        "import_file": SimpleUploadedFile("incentives.csv", content.encode(), "text/csv"),
    }
    return client.post(import_page(client), data)


CSV_HEADER = "id,name,slug,kind,status,body,year,description,cite_source,cite_section,cite_note\n"
CITE = ",contact-centres,Government Initiatives and Industry Collaborations,A test citation."


def test_csv_import_shows_a_preview_then_applies_it(curator_client, curator):
    count = Incentive.objects.count()
    csv = (
        CSV_HEADER
        + ",Broadband vouchers,broadband-vouchers,connectivity,recommended,,2024,A test row"
        + CITE
        + "\n"
    )
    preview = upload(curator_client, csv)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new"]
    assert Incentive.objects.count() == count  # nothing changes before confirmation

    confirm = preview.context["confirm_form"]
    data = {
        name: confirm.initial.get(name, field.initial) for name, field in confirm.fields.items()
    }
    response = curator_client.post(reverse("admin:sector_incentive_process_import"), data)
    assert response.status_code == 302
    created = Incentive.objects.get(slug="broadband-vouchers")
    assert created.history.first().history_user == curator
    citation = created.citations.get()
    assert (citation.source.slug, citation.note) == ("contact-centres", "A test citation.")


def test_csv_import_reports_errors_line_by_line_and_applies_nothing(curator_client):
    count = Incentive.objects.count()
    csv = (
        CSV_HEADER
        + ",Good row,good-row,tax,enacted,,2020,Fine"
        + CITE
        + "\n,Bad year,bad-year,tax,enacted,,3000,Year out of range"
        + CITE
        + "\n,Bad kind,bad-kind,bribe,enacted,,,Unknown kind"
        + CITE
        + "\n,Uncited,uncited,tax,enacted,,,No citation,,,\n"
        + ",Wrong section,wrong-section,tax,enacted,,,Bad heading,contact-centres,Nowhere,Note.\n"
    )
    preview = upload(curator_client, csv)
    result = preview.context["result"]
    assert result.has_validation_errors()
    invalid = {row.number: str(row.error_dict) for row in result.invalid_rows}
    assert set(invalid) == {2, 3, 4, 5}
    assert "Year must be between 1800 and 2100" in invalid[2]
    assert "bribe" in invalid[3]
    assert "every fact needs its citation" in invalid[4]
    assert "is not a section heading" in invalid[5]
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert Incentive.objects.count() == count


def test_csv_export_of_a_model(curator_client):
    page = curator_client.get(reverse("admin:sector_incentive_export"))
    form = page.context["form"]
    choices = dict((label, value) for value, label in form.fields["format"].choices)
    data = {"format": choices["csv"]}
    for name, field in form.fields.items():
        if field.__class__.__name__ == "BooleanField":
            data[name] = "on"
    response = curator_client.post(reverse("admin:sector_incentive_export"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.splitlines()[0].startswith("id,name,slug,kind")
    assert "Telecom sector liberalisation" in text
    assert len(text.strip().splitlines()) == Incentive.objects.count() + 1


# Not data: the data-version counter and the change journal, which a restore must move.
NOT_DATA = {DataVersion, JournalEntry}
# Derived: the search index, written again as the rows load.
DERIVED = {SearchDocument, SearchTerm}
LEFT_OUT = [f"--exclude={m._meta.label}" for m in (JournalEntry, *DERIVED)]


def snapshot():
    """Every curated row."""
    return {
        model._meta.label: sorted(
            json.dumps(row, sort_keys=True, default=str) for row in model.objects.values()
        )
        for model in apps.get_models()
        if model._meta.app_label in BACKUP_APPS and model not in NOT_DATA | DERIVED
    }


def test_dumpdata_then_loaddata_into_an_empty_database_gives_identical_data(
    tmp_path, django_capture_on_commit_callbacks
):
    # YAML keeps timestamps to the microsecond; Django's JSON encoder cuts them to milliseconds.
    before = snapshot()
    version = current_version()
    dump = tmp_path / "knowledge.yaml"
    with io.StringIO() as out:
        call_command(
            "dumpdata",
            *sorted(BACKUP_APPS),
            "--natural-foreign",
            "--format=yaml",
            *LEFT_OUT,
            stdout=out,
        )
        dump.write_text(out.getvalue())
    models = [
        m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in BACKUP_APPS
    ]
    for model in reversed(models):
        model._base_manager.all()._raw_delete(model._base_manager.db)
    with connection.cursor() as cursor:
        search.clear_full_text(cursor)  # as in a new, empty database
    assert all(not m.objects.exists() for m in models)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("loaddata", str(dump), verbosity=0)
    assert snapshot() == before
    found = search.run("ibex", version=current_version()).groups[0].results[0]
    assert found.url == "/providers/ibex/"  # the search index is written again as rows load
    assert current_version() != version  # cached pages are invalidated after a restore
