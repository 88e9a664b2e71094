import json

import pytest
from django.urls import reverse

from bpo_portal.core.kinds import kinds
from bpo_portal.sources.models import Citation, Cited, Source

pytestmark = pytest.mark.django_db


def test_source_list(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        response = client.get(reverse("sources:list"))
    html = response.content.decode()
    assert "Contact-centre outsourcing in Pakistan" in html
    assert "Article · title ours ·" in html  # the title of an untitled article is ours


def test_source_page_lists_everything_taken_from_it(
    client, many_providers, django_assert_max_num_queries
):
    # One query per kind of fact the source supports, whatever the number of facts.
    cited_kinds = sum(issubclass(kind.model, Cited) for kind in kinds())
    with django_assert_max_num_queries(cited_kinds + 6):
        response = client.get(reverse("sources:detail", args=["contact-centres"]))
    html = response.content.decode()
    shown = sum(len(citations) for _, citations in response.context["sections"])
    assert shown == Citation.objects.filter(source__slug="contact-centres").count()
    assert 'id="section-technical-support"' in html
    assert "Telenor offers Call and contact centres" in html
    assert 'href="/providers/telenor/"' in html


def test_unknown_source_is_404(client):
    assert client.get("/sources/nothing/").status_code == 404


def test_export(client):
    rows = json.loads(b"".join(client.get("/sources/?format=json").streaming_content))
    assert (
        len(rows) == Source.objects.count()
        and sum(r["citations"] for r in rows) == Citation.objects.count()
    )
