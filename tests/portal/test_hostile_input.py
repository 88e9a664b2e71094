"""Whatever a browser, crawler or attacker puts in a query string: never a 5xx, nothing reflected."""

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
