"""The site says what the sources say: real headings cited by their words, our readings
labelled wherever they are shown, and figures written as the articles write them."""

import csv
import io
import json
import re

import pytest
from django.conf import settings

from bpo_portal.sources.models import Citation, Source

pytestmark = pytest.mark.django_db


def article_lines(source):
    path = settings.ARTICLES_DIR / source.file_name
    if not path.exists():
        pytest.skip(f"articles folder not found at {settings.ARTICLES_DIR}")
    text = path.read_text(encoding="utf-8").replace("\u00a0", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def looks_like_heading(line):
    """A line an article sets as a heading: short, capitalised, with no closing full stop."""
    words = line.split()
    return (
        0 < len(words) <= 16 and line[0].isupper() and not line.endswith((".", ":", "?", "!", ","))
    )


def starts_part(line, heading):
    """A heading stands as a line of its own, or as the label before a paragraph's colon."""
    return line == heading or line.startswith(f"{heading}:")


def labels_over_real_headings(headings, lines):
    """The bracketed labels (ours, for parts without a heading) that stand where the article
    has a heading of its own: walking the article, every stretch of it between two of the
    source's real headings that one of our labels stands for must hold no heading line."""
    wrong, labels, position = [], [], 0
    for heading in [*headings, None]:
        if heading is not None and heading.startswith("["):
            labels.append(heading)
            continue
        end = len(lines)
        if heading is not None:
            end = next(
                (i for i in range(position, len(lines)) if starts_part(lines[i], heading)),
                len(lines),
            )
        if labels:
            found = [line for line in lines[position:end] if looks_like_heading(line)]
            if found:
                wrong.append((labels, found))
        labels, position = [], end + 1
    return wrong


SOURCES = ["bpo-overview", "rise-of-bpo", "scaling-bpo", "tech-and-talent", "contact-centres"]


@pytest.mark.parametrize("slug", SOURCES)
def test_no_label_of_ours_stands_for_a_part_with_a_heading(slug):
    source = Source.objects.get(slug=slug)
    assert labels_over_real_headings(source.headings, article_lines(source)) == []


def test_the_walk_finds_a_label_standing_for_a_real_heading():
    """The check above fails on the label this site once used for a titled part."""
    source = Source.objects.get(slug="contact-centres")
    heading = "Pakistan’s Emergence as a Key Player in the Industry"
    relabelled = [
        "[Third part: Pakistan’s rise in contact-centre work]" if h == heading else h
        for h in source.headings
    ]
    assert labels_over_real_headings(relabelled, article_lines(source)) == [
        (["[Third part: Pakistan’s rise in contact-centre work]"], [heading])
    ]


def test_every_citation_of_a_bracketed_label_cites_a_part_without_a_heading():
    cited = set(Citation.objects.values_list("source__slug", "section"))
    for source in Source.objects.all():
        wrong = labels_over_real_headings(source.headings, article_lines(source))
        for labels, _ in wrong:
            assert not cited & {(source.slug, label) for label in labels}


def test_the_emergence_section_is_cited_by_its_own_heading():
    heading = "Pakistan’s Emergence as a Key Player in the Industry"
    assert heading in Source.objects.get(slug="contact-centres").headings
    assert Citation.objects.filter(section=heading).count() == 8
    assert not Citation.objects.filter(section__startswith="[Third part").exists()


# ---------------------------------------------------------------- our readings, labelled

METRIC = "IT exports in SBP data"  # the articles say SBP; "central bank" was ours


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def streamed(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def json_ld(page):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    ]


@pytest.mark.parametrize(
    "url",
    ["/statistics/", "/statistics/?metric=it-exports", "/disagreements/", "/organisations/sbp/"],
)
def test_the_metric_is_named_as_the_sources_name_it_on_every_page(client, url):
    page = html(client, url)
    assert "central bank counts" not in page
    if "disagreements" not in url and "organisations" not in url:
        assert METRIC in page


def test_the_metric_is_named_as_the_sources_name_it_in_the_downloads(client):
    url = "/statistics/?metric=it-exports"
    rows = list(csv.DictReader(io.StringIO(streamed(client.get(url + "&format=csv")))))
    assert {row["metric"] for row in rows} == {METRIC}
    rows = json.loads(streamed(client.get(url + "&format=json")))
    assert {row["metric"] for row in rows} == {METRIC}
    package = streamed(client.get("/data/metrics.csv"))
    assert METRIC in package and "central bank" not in package


def test_the_metric_is_named_as_the_sources_name_it_in_the_structured_data(client):
    (dataset,) = json_ld(html(client, "/statistics/?metric=it-exports"))
    assert dataset["name"] == dataset["variableMeasured"]["name"] == METRIC


def test_sbps_growth_rate_is_not_filed_as_it_and_bpo_growth(client):
    row = 'id="it-export-growth-jul-mar-fy2022"'
    assert row not in html(client, "/statistics/?metric=it-export-growth")
    assert row in html(client, "/statistics/?metric=it-export-growth-sbp")


@pytest.mark.parametrize(
    "url, label",
    [
        ("/providers/", "our reading"),  # a provider's kind in its list row
        ("/providers/systems-limited/", "filed here by us"),  # a category grouping of ours
        ("/providers/ibex/", "filed here by us"),
        ("/compare/ibex-vs-systems-limited/", "our reading"),
        ("/services/call-centres/", "expansion is ours"),  # Business intelligence, CRM
        ("/incentives/", "grouping is ours"),
        ("/incentives/tax-exemptions-and-reduced-rates/", "grouping is ours"),
        ("/", "grouping is ours"),
        ("/markets/", "filing is ours"),
        ("/industries/", "grouping is ours"),
        ("/industries/finance-and-banking/", "grouping is ours"),
    ],
)
def test_a_reading_of_ours_is_labelled_where_it_shows(client, url, label):
    assert f'<span class="ours">{label}' in html(client, url)


def test_the_directorys_facets_say_which_counts_are_ours(client):
    page = html(client, "/providers/?industry=telecommunications")
    assert "Industry served (our inference)" in page and "Kind (our reading for some)" in page
    assert "serving telecommunications by our inference from their service lines" in page


def test_the_telecom_regulator_is_named_as_the_source_names_it(client):
    page = html(client, "/incentives/telecom-liberalisation-2003/")
    assert "The Pakistan Telecommunication Authority (PTA) opened up" in page
    assert "The regulator opened" not in page


def test_structured_data_gives_periods_as_the_sources_state_them(client):
    datasets = {d["url"].rsplit("=", 1)[1]: d for d in json_ld(html(client, "/statistics/"))}
    assert datasets["it-exports"]["temporalCoverage"] == (
        "July–March of FY2021; July–March of FY2022"
    )
    assert datasets["bpo-revenue"]["temporalCoverage"] == (
        "2020 (calendar or fiscal year not stated)"
    )
    for dataset in datasets.values():
        assert "-06" not in dataset.get("temporalCoverage", "")  # no June the sources never name


# ---------------------------------------------------------------- figures as stated


def test_list_downloads_write_each_figure_as_stated(client):
    rows = list(csv.DictReader(io.StringIO(streamed(client.get("/statistics/?format=csv")))))
    values = {row["slug"]: (row["value"], row["value_upper"]) for row in rows}
    assert values["median-age-22"] == ("22", "")
    assert values["it-exports-jul-mar-fy2021"] == ("1.5", "")
    assert values["call-centre-employment-100k"] == ("100000", "")
    assert values["cost-savings-50-60"] == ("50", "60")
    rows = json.loads(streamed(client.get("/statistics/?format=json")))
    assert {row["slug"]: row["value"] for row in rows}["it-exports-jul-mar-fy2022"] == "1.948"
    rows = json.loads(streamed(client.get("/disagreements/?format=json")))
    implied = {row["slug"]: row["implied_value"] for row in rows}
    assert implied["it-export-growth-fy2022-does-not-follow"] == "29.87"


def test_the_data_package_writes_each_figure_as_stated(client, settings, tmp_path):
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    rows = list(csv.DictReader(io.StringIO(streamed(client.get("/data/statistics.csv")))))
    values = {row["slug"]: row["value"] for row in rows}
    assert values["median-age-22"] == "22"
    assert values["it-exports-jul-mar-fy2021"] == "1.5"
    assert values["call-centre-employment-100k"] == "100000"


def test_dollars_are_written_as_each_article_writes_them(client):
    page = html(client, "/statistics/")
    assert "$2.5 billion" in page and "US$2.5 billion" not in page
    assert "around $2 billion" in page and "US$2 billion" not in page
    assert "US$1.948 billion" in page  # the guide writes SBP's figures as US $
    assert "US$2" not in html(client, "/disagreements/")


@pytest.mark.parametrize("url", ["/statistics/", "/disagreements/", "/effects/"])
def test_one_form_of_the_savings_range(client, url):
    page = html(client, url)
    assert "50-60%" not in page


def test_no_public_text_names_an_internal_file(client):
    for url in ["/disagreements/", "/services/customer-care/"]:
        assert "knowledge.yaml" not in html(client, url)


# ---------------------------------------------------------------- what was not yet said


@pytest.mark.parametrize(
    "url, words",
    [
        ("/effects/", "measure different things"),  # median age and the share under 30
        ("/disagreements/", "2 × 1.2 × 1.2"),  # the revenue that would pass the exports
        ("/effects/", "customer support, technical"),  # what the degrees suit
        ("/markets/", "single provider"),
        ("/markets/", "undervalued choice"),
        ("/effects/", "cornerstone"),
        ("/glossary/", "main link between a company and its"),
        ("/markets/", "professionalism and efficiency"),
        ("/outlook/", "keeping the conditions for business favourable"),
        ("/effects/", "studying case"),
        ("/effects/", "favourable business environment"),
    ],
)
def test_what_the_articles_say_is_said(client, url, words):
    assert words in html(client, url)


def test_the_downloads_say_incentive_kinds_are_ours(client, settings, tmp_path):
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    words = "Our grouping: the sources name each measure without sorting them into kinds."
    assert words in html(client, "/api/")
    package = json.loads(streamed(client.get("/data/datapackage.json")))
    (incentives,) = [r for r in package["resources"] if r["name"] == "incentives"]
    (kind,) = [f for f in incentives["schema"]["fields"] if f["name"] == "kind"]
    assert words in kind["description"]


@pytest.mark.parametrize(
    "resource, field, words",
    [
        ("markets", "kind", "Our filing: the sources name the place without calling it"),
        ("industries", "name", "the one name that groups them is ours"),
    ],
)
def test_the_downloads_say_which_filings_and_groupings_are_ours(
    client, settings, tmp_path, resource, field, words
):
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    package = json.loads(streamed(client.get("/data/datapackage.json")))
    (table,) = [r for r in package["resources"] if r["name"] == resource]
    (column,) = [f for f in table["schema"]["fields"] if f["name"] == field]
    assert words in column["description"]


def test_compare_labels_a_category_of_ours(client, django_capture_on_commit_callbacks):
    from bpo_portal.directory.models import Provider, ServiceLine
    from tests.factories import ProviderServiceFactory

    with django_capture_on_commit_callbacks(execute=True):
        ProviderServiceFactory(
            provider=Provider.objects.get(slug="ibex"),
            service_line=ServiceLine.objects.get(slug="healthcare-support"),
        )
    page = html(client, "/compare/ibex-vs-telenor/")
    row = page[page.index("Industry-specific support") :][:200]
    assert '<span class="ours">grouping is ours' in row


def test_public_texts_name_no_slug_of_ours():
    from bpo_portal.background.models import Technology
    from bpo_portal.sector.models import Disagreement

    slugs = set(Disagreement.objects.values_list("slug", flat=True))
    texts = [d.summary for d in Disagreement.objects.all()]
    texts += [t.effect for t in Technology.objects.all()]
    for text in texts:
        assert not any(slug in text for slug in slugs), text
