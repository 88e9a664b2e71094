"""Whatever a browser, crawler or attacker puts in a query string: never a 5xx, nothing reflected."""

import csv
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.pages import PUBLIC

pytestmark = pytest.mark.django_db

PUBLIC_URLS = sorted({url.partition("?")[0] for url in PUBLIC})
KEYS = [
    "q", "service", "category", "city", "kind", "founded_min", "founded_max", "sort", "page",
    "format", "p", "add", "metric", "origin", "year", "body", "status", "industry",
]  # fmt: skip
INJECTIONS = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "<img src=x onerror=alert(1)>",
]
NASTY = [
    *INJECTIONS,
    "' OR 1=1 --",
    "'; DROP TABLE directory_provider; --",
    "{{ settings.SECRET_KEY }}",
    "{% debug %}",
    "\x00",
    "a\x00b",
    "9" * 500,
    "-1",
    "0",
    "1e309",
    "NaN",
    "../../etc/passwd",
    "%00",
    "\u202e\u200b",
    "🙂" * 50,
    "x" * 5000,
    "csv",
    "json",
    "call-centres",
    "karachi",
]
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
values = st.one_of(st.sampled_from(NASTY), text, st.integers().map(str))
keys = st.one_of(st.sampled_from(KEYS), text.filter(bool))
query = st.lists(st.tuples(keys, values), max_size=10)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(url=st.sampled_from(PUBLIC_URLS), params=query)
def test_no_query_string_breaks_a_page_or_is_reflected(client, url, params):
    response = client.get(f"{url}?{urlencode(params)}")
    assert response.status_code < 500, (url, params)
    if response.streaming:
        b"".join(response.streaming_content)
    elif response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        for injection in INJECTIONS:
            assert injection not in html, (url, params)
        assert django_settings.SECRET_KEY not in html  # template syntax is text, never run


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.text(
        alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="/?#"),
        min_size=1,
        max_size=120,
    )
)
def test_no_path_breaks_a_detail_page(client, path):
    for prefix in (
        "/providers/",
        "/compare/",
        "/services/",
        "/cities/",
        "/sources/",
        "/incentives/",
    ):
        response = client.get(prefix + path.replace("%", "%25") + "/")
        assert response.status_code < 500, (prefix, path)


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("wrong=" + "x" * 40_000, "application/x-www-form-urlencoded"),
        ("x" * 40_000, "multipart/form-data; boundary=BoUnDaRy"),
    ],
)
def test_an_oversized_correction_is_refused_unread_with_a_clear_page(client, body, content_type):
    response = client.post("/suggest/", data=body, content_type=content_type)
    assert response.status_code == 413
    assert "That was more than this form accepts" in response.text
    assert "32 KB" in response.text


def test_a_correction_in_urdu_at_its_longest_fits_the_limit(client):
    wrong = "پاکستان" * (2000 // 7)
    response = client.post("/suggest/", {"page": "/", "wrong": wrong, "should_be": wrong})
    assert response.status_code != 413


def test_any_body_over_the_site_limit_is_refused_unread(client):
    response = client.generic(
        "POST",
        "/admin/login/",
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(11 * 1024 * 1024),
    )
    assert response.status_code == 413


# The admin's CSV import: what a curator sends is untrusted too.

IMPORT_HEADER = (
    "id,name,slug,kind,status,body,year,description,cite_source,cite_section,cite_note\n"
)
IMPORT_CITE = ",contact-centres,Government Initiatives and Industry Collaborations,A citation."


def import_row(slug, description="A test row"):
    return f",Row {slug},{slug},connectivity,recommended,,2024,{description}{IMPORT_CITE}\n"


def preview(client, content):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("admin:sector_incentive_import")
    choices = {
        label: value for value, label in client.get(url).context["form"].fields["format"].choices
    }
    upload = SimpleUploadedFile("incentives.csv", content, "text/csv")
    return client.post(url, {"format": choices["csv"], "import_file": upload})


def confirm_data(response, **changes):
    form = response.context["confirm_form"]
    data = {name: form.initial.get(name, field.initial) for name, field in form.fields.items()}
    return {**data, **changes}


def previews():
    from bpo_portal.sources.imports import preview_folder

    return set(preview_folder().iterdir())


def test_the_import_confirm_step_reads_only_a_file_this_curator_uploaded(
    curator_client, tmp_path, settings
):
    from django.urls import reverse

    from bpo_portal.sector.models import Incentive

    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    canary = tmp_path / "canary.csv"
    canary.write_text(IMPORT_HEADER + import_row("from-the-canary"))
    process = reverse("admin:sector_incentive_process_import")
    response = preview(curator_client, (IMPORT_HEADER + import_row("uploaded")).encode())
    for name in (str(canary), f"../{canary.name}", "0" * 32):
        refused = curator_client.post(process, confirm_data(response, import_file_name=name))
        assert refused.status_code == 302
    assert canary.exists()
    assert not Incentive.objects.filter(slug="from-the-canary").exists()
    # Another session (another curator, or a stolen form) cannot confirm this preview either.
    from django.test import Client

    other = Client()
    other.force_login(response.wsgi_request.user)
    assert other.post(process, confirm_data(response)).status_code == 302
    assert not Incentive.objects.filter(slug="uploaded").exists()
    assert curator_client.post(process, confirm_data(response)).status_code == 302
    assert Incentive.objects.filter(slug="uploaded").exists()
    assert previews() == set()  # the confirmed preview is gone


def test_a_refused_import_preview_is_removed(curator_client, tmp_path, settings):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    response = preview(curator_client, (IMPORT_HEADER + import_row("bad", "x") + "a,b\n").encode())
    assert "confirm_form" not in response.context
    assert previews() == set()


def test_an_import_with_bytes_that_are_not_utf8_names_the_line(curator_client, tmp_path, settings):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    content = (IMPORT_HEADER + import_row("one") + import_row("two")).encode()
    content += import_row("three", "Caf\xe9").encode("latin-1")
    response = preview(curator_client, content)
    assert response.status_code == 200
    assert "Line 4 is not UTF-8 text (it holds the byte 0xe9)" in response.text
    assert previews() == set()


@pytest.fixture
def python_csv_limit():
    """The csv module's own field limit, as the site runs with it (frictionless, which the
    download tests import, raises the process-wide limit to 2 GB)."""
    previous = csv.field_size_limit(131_072)
    yield
    csv.field_size_limit(previous)


def test_an_import_with_an_oversized_field_names_the_line(
    curator_client, tmp_path, settings, python_csv_limit
):
    settings.IMPORT_PREVIEW_DIR = tmp_path / "previews"
    content = IMPORT_HEADER + import_row("one") + import_row("two", "x" * 10_000_000)
    response = preview(curator_client, content.encode())
    assert response.status_code == 200
    assert "Line 3 has a field longer than 131,072 characters" in response.text
