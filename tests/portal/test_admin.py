import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from bpo_portal.directory.models import Provider, ProviderService, ServiceLine
from bpo_portal.sources.models import Citation, Cited, Source
from tests.admin_forms import change_form_data, inline_prefix
from tests.factories import ProviderCityFactory, ProviderServiceFactory, StatisticFactory

pytestmark = pytest.mark.django_db

KNOWLEDGE_MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in {"sources", "directory", "sector"}
]
# Pages must not issue a query per row: these bounds hold with dozens of extra rows.
MAX_CHANGELIST_QUERIES = 12
MAX_CHANGE_FORM_QUERIES = 30


@pytest.fixture
def many_rows():
    """Enough extra rows that an N+1 on any changelist would break the query bounds."""
    for _ in range(30):
        link = ProviderServiceFactory()
        ProviderCityFactory(provider=link.provider)
        StatisticFactory()


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", KNOWLEDGE_MODELS, ids=lambda m: m._meta.label)
def test_changelist_opens_for_a_curator_in_bounded_queries(
    model, curator_client, many_rows, django_assert_max_num_queries
):
    limit = MAX_CHANGELIST_QUERIES
    if model is Citation:
        # The cited fact of each row is prefetched with one query per kind of fact.
        limit += sum(issubclass(m, Cited) for m in apps.get_models())
    with django_assert_max_num_queries(limit):
        response = curator_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", KNOWLEDGE_MODELS, ids=lambda m: m._meta.label)
def test_change_and_add_forms_open_for_a_curator_in_bounded_queries(
    model, curator_client, many_rows, django_assert_max_num_queries
):
    obj = model.objects.order_by("pk").last()
    if obj is not None:  # a kind the articles have no rows of yet has only its add form
        with django_assert_max_num_queries(MAX_CHANGE_FORM_QUERIES):
            response = curator_client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200
    with django_assert_max_num_queries(MAX_CHANGE_FORM_QUERIES):
        response = curator_client.get(admin_url(model, "add"))
    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("admin:directory_provider_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("name", ["auth_user", "auth_group"])
def test_curators_cannot_see_users_or_groups(curator_client, name):
    assert curator_client.get(reverse(f"admin:{name}_changelist")).status_code == 403


def test_curators_cannot_delete(curator_client):
    ibex = Provider.objects.get(slug="ibex")
    response = curator_client.get(admin_url(Provider, "delete", ibex.pk))
    assert response.status_code == 403


def test_curator_finds_ibex_and_adds_a_cited_service_line(curator_client):
    response = curator_client.get(admin_url(Provider, "changelist"), {"q": "ibex"})
    ibex = Provider.objects.get(slug="ibex")
    assert list(response.context["cl"].result_list) == [ibex]

    url = admin_url(Provider, "change", ibex.pk)
    form = curator_client.get(url)
    data = change_form_data(form)
    prefix = inline_prefix(form, ProviderService)
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    line = ServiceLine.objects.get(slug="chat-and-email-support")
    source = Source.objects.get(slug="bpo-overview")
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": index + 1,
            f"{prefix}-{index}-provider": ibex.pk,
            f"{prefix}-{index}-service_line": line.pk,
            f"{prefix}-{index}-cite_source": source.pk,
            f"{prefix}-{index}-cite_section": "Key Players in the Pakistani BPO Industry",
            f"{prefix}-{index}-cite_note": "A curator's addition.",
        }
    )
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    link = ProviderService.objects.get(provider=ibex, service_line=line)
    citation = link.citations.get()
    assert (citation.source, citation.note) == (source, "A curator's addition.")


def test_a_new_service_link_without_a_citation_is_refused(curator_client):
    ibex = Provider.objects.get(slug="ibex")
    url = admin_url(Provider, "change", ibex.pk)
    form = curator_client.get(url)
    data = change_form_data(form)
    prefix = inline_prefix(form, ProviderService)
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    line = ServiceLine.objects.get(slug="data-entry")
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": index + 1,
            f"{prefix}-{index}-provider": ibex.pk,
            f"{prefix}-{index}-service_line": line.pk,
        }
    )
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "every fact needs its citation" in response.content.decode()
    assert not ProviderService.objects.filter(provider=ibex, service_line=line).exists()


def test_citing_the_same_place_again_is_refused_with_a_message(curator_client):
    ibex = Provider.objects.get(slug="ibex")
    link = ibex.service_links.first()
    cited = link.citations.first()
    before = link.citations.count()
    url = admin_url(Provider, "change", ibex.pk)
    form = curator_client.get(url)
    data = change_form_data(form)
    prefix = inline_prefix(form, ProviderService)
    row = next(k for k, v in data.items() if k.endswith("-id") and str(v) == str(link.pk))
    row = row.removesuffix("-id")
    data.update(
        {
            f"{row}-cite_source": cited.source.pk,
            f"{row}-cite_section": cited.section,
            f"{row}-cite_page": cited.page,
            f"{row}-cite_note": "The same place once more.",
        }
    )
    assert row.startswith(prefix)
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "This fact already cites that place for that field." in response.content.decode()
    assert link.citations.count() == before


def test_founded_year_3000_is_refused_with_a_readable_message(curator_client):
    ibex = Provider.objects.get(slug="ibex")
    url = admin_url(Provider, "change", ibex.pk)
    data = change_form_data(curator_client.get(url))
    data["founded_year"] = "3000"
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "Founded year must be between 1800 and 2100" in response.content.decode()
    ibex.refresh_from_db()
    assert ibex.founded_year is None


def test_a_citation_must_name_a_heading_of_its_source(curator_client):
    ibex = Provider.objects.get(slug="ibex")
    url = admin_url(Provider, "change", ibex.pk)
    form = curator_client.get(url)
    data = change_form_data(form)
    prefix = inline_prefix(form, Citation)
    data[f"{prefix}-0-section"] = "A heading that does not exist"
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert "is not a section heading of this source" in response.content.decode()


def test_the_curators_group_covers_every_knowledge_model():
    from django.contrib.auth.models import Group

    from bpo_portal.portal.curators import curated_models

    perms = set(
        Group.objects.get(name="Curators").permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    assert len(curated_models()) > 40  # every kind and its history
    for model in curated_models():
        label = model._meta.app_label
        for action in ("add", "change", "view"):
            assert (label, f"{action}_{model._meta.model_name}") in perms
    assert not any(codename.startswith("delete_") for _, codename in perms)
    assert not any(label == "auth" for label, _ in perms)
    assert ("core", "change_loadedrecord") not in perms


def test_create_curator_command(monkeypatch, client):
    from django.contrib.auth.models import User
    from django.core.management import call_command

    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-long-Pass-phrase-42")
    call_command("create_curator", "amna")
    user = User.objects.get(username="amna")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Curators"]
    response = client.post(
        "/admin/login/",
        {"username": "amna", "password": "a-long-Pass-phrase-42", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/directory/provider/").status_code == 200


@pytest.mark.parametrize(
    "model, field",
    [
        ("providerservice", "service_line"),
        ("providerservice", "provider"),
        ("providercity", "city"),
        ("provider", "parent"),
    ],
)
def test_autocomplete_answers(curator_client, model, field):
    response = curator_client.get(
        "/admin/autocomplete/",
        {"term": "c", "app_label": "directory", "model_name": model, "field_name": field},
    )
    assert response.status_code == 200
    assert response.json()["results"]
