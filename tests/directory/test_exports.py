"""List pages' downloads, as a spreadsheet opens them: a UTF-8 byte order mark, names beside
slugs, full addresses, empty cells where the sources are silent, no cell run as a formula, and
a file name that says what was filtered."""

import csv
import io
import json

import pytest

from bpo_portal.core.exports import csv_cell, spreadsheet_safe
from bpo_portal.directory.models import Provider
from bpo_portal.portal import downloads
from tests.factories import ProviderFactory, StatisticFactory

pytestmark = pytest.mark.django_db


def body(response):
    return b"".join(response.streaming_content).decode()


def csv_rows(response):
    text = body(response)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def by_slug(rows):
    return {row["slug"]: row for row in rows}


def test_csv_starts_with_a_byte_order_mark_for_spreadsheets(client):
    response = client.get("/providers/", {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert b"".join(response.streaming_content).startswith("\ufeffname,slug,".encode())
    assert not body(client.get("/providers/", {"format": "json"})).startswith("\ufeff")


def test_names_stand_beside_slugs(client):
    rows = by_slug(csv_rows(client.get("/providers/", {"format": "csv"})))
    systems = rows["systems-limited"]
    assert systems["service_lines"] == (
        "business-process-outsourcing; call-centres; data-management; software-development"
    )
    assert systems["service_lines_names"] == (
        "Business process outsourcing (full scope); Call and contact centres; Data management; "
        "Software development"
    )
    assert systems["markets"] == "domestic; international"
    assert systems["markets_names"].count("; ") == 1
    assert rows["ibex"]["cities"] == rows["ibex"]["cities_names"] == ""
    headers = list(systems)
    assert headers.index("service_lines_names") == headers.index("service_lines") + 1
    # JSON keeps the fields the /api/ page documents.
    (row,) = [
        r for r in json.loads(body(client.get("/providers/?format=json"))) if r["slug"] == "ibex"
    ]
    assert "service_lines_names" not in row


def test_addresses_are_full(client):
    rows = by_slug(csv_rows(client.get("/providers/", {"format": "csv"})))
    assert rows["ibex"]["url"] == "http://testserver/providers/ibex/"
    statistics = json.loads(body(client.get("/disagreements/", {"format": "json"})))
    assert all(row["url"].startswith("http://testserver/disagreements/") for row in statistics)


def test_cells_the_sources_leave_empty_are_empty(client):
    ibex = by_slug(csv_rows(client.get("/providers/", {"format": "csv"})))["ibex"]
    assert ibex["kind"] == ""  # not "Not stated in the sources"
    assert ibex["founded_year"] == "" and ibex["parent"] == ""
    assert ibex["headcount"] == "thousands"
    median_age = by_slug(csv_rows(client.get("/statistics/", {"format": "csv"})))["median-age-22"]
    assert median_age["period"] == ""
    for url in ("/statistics/", "/providers/"):
        cells = [
            cell for row in csv_rows(client.get(url, {"format": "csv"})) for cell in row.values()
        ]
        assert not [cell for cell in cells if cell.lower().startswith("not stated")], url


@pytest.mark.parametrize(
    "query, name",
    [
        ({}, "providers.csv"),
        ({"service": "call-centres"}, "providers_service-call-centres.csv"),
        (
            {"service": ["call-centres", "customer-care"], "kind": "multinational"},
            "providers_service-call-centres-or-customer-care_kind-multinational.csv",
        ),
        # A value the list ignores, paging and sorting say nothing of the rows.
        ({"kind": "alien", "page": "2", "sort": "-name", "city": ""}, "providers.csv"),
        (
            {"q": "Cafè <b>centre</b>", "founded_min": "1990"},
            "providers_q-cafe-bcentreb_founded_min-1990.csv",
        ),
    ],
)
def test_the_file_name_says_what_was_filtered(client, query, name):
    response = client.get("/providers/", {**query, "format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_a_list_without_filters_keeps_its_plain_name(client):
    response = client.get("/incentives/", {"kind": "tax", "format": "json"})
    assert response["Content-Disposition"] == 'attachment; filename="incentives_kind-tax.json"'
    response = client.get("/services/", {"format": "csv", "q": "x"})
    assert response["Content-Disposition"] == 'attachment; filename="services.csv"'


FORMULAS = ["=1+2", "+1+2", "-1+2", "@SUM(A1)", "\tx", "\rx"]


def test_spreadsheet_safe_cells():
    assert [spreadsheet_safe(text) for text in FORMULAS] == ["'" + text for text in FORMULAS]
    assert spreadsheet_safe("Ibex") == "Ibex" and spreadsheet_safe("") == ""
    assert csv_cell(-5) == -5  # a number is not run as a formula
    assert csv_cell(None) == "" and csv_cell("Not stated in the sources") == ""


def test_no_cell_of_a_list_download_runs_as_a_formula(client):
    ProviderFactory(name='=HYPERLINK("http://example.com","x")', slug="formula", headcount="-1")
    StatisticFactory(slug="negative", value=-5, unit="percent_growth", scope="@evil")
    provider = by_slug(csv_rows(client.get("/providers/", {"format": "csv"})))["formula"]
    assert provider["name"] == '\'=HYPERLINK("http://example.com","x")'
    assert provider["headcount"] == "'-1"
    statistic = by_slug(csv_rows(client.get("/statistics/", {"format": "csv"})))["negative"]
    assert float(statistic["value"]) == -5  # a number, left as it is
    assert statistic["scope"] == "'@evil"
    # JSON is data for programs, not a spreadsheet: its strings stay as they are.
    rows = json.loads(body(client.get("/providers/", {"format": "json"})))
    assert next(r for r in rows if r["slug"] == "formula")["headcount"] == "-1"


def test_no_cell_of_the_data_package_runs_as_a_formula(settings, tmp_path):
    settings.DOWNLOADS_DIR = tmp_path
    ibex = Provider.objects.get(slug="ibex")
    ibex.headcount, ibex.description = "=2+2", "-thousands"
    ibex.save()
    built = downloads.package()
    with open(built.path("providers.csv"), encoding="utf-8", newline="") as handle:
        ibex = next(row for row in csv.DictReader(handle) if row["slug"] == "ibex")
    assert ibex["headcount"] == "'=2+2"
    assert ibex["description"] == "'-thousands"
