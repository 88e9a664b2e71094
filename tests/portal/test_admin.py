import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from bpo_portal.directory.models import Provider, ProviderService, ServiceLine
from bpo_portal.sector.models import Statistic
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


@pytest.fixture(scope="module")
def many_rows(django_db_setup, django_db_blocker):
    """Enough extra rows that an N+1 on any changelist would break the query bounds: made once
    for the module, in a transaction rolled back after its last test (each test runs in a
    savepoint within it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        for _ in range(30):
            link = ProviderServiceFactory()
            ProviderCityFactory(provider=link.provider)
            StatisticFactory()
        yield
        transaction.set_rollback(True)


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


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_create_curator_command(monkeypatch, client):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-long-Pass-phrase-42")
    call_command("create_curator", "amna", stdin=Terminal())
    user = User.objects.get(username="amna")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Curators"]
    response = client.post(
        "/admin/login/",
        {"username": "amna", "password": "a-long-Pass-phrase-42", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/directory/provider/").status_code == 200


def test_create_curator_without_a_terminal_reads_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv("CURATOR_PASSWORD", "a-long-Pass-phrase-42")
    call_command("create_curator", "amna", "--noinput", stdout=io.StringIO())
    assert User.objects.get(username="amna").check_password("a-long-Pass-phrase-42")


def test_create_curator_says_what_to_do_when_it_cannot_ask(monkeypatch):
    monkeypatch.delenv("CURATOR_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="no terminal.*--noinput.*CURATOR_PASSWORD"):
        call_command("create_curator", "amna", stdin=io.StringIO())
    with pytest.raises(CommandError, match="CURATOR_PASSWORD.*not set"):
        call_command("create_curator", "amna", "--noinput")
    monkeypatch.setenv("CURATOR_PASSWORD", "short")
    with pytest.raises(CommandError, match="too short"):
        call_command("create_curator", "amna", "--noinput")
    assert not User.objects.filter(username="amna").exists()


def test_create_curator_refuses_passwords_that_differ(monkeypatch):
    answers = iter(["a-long-Pass-phrase-42", "a-long-Pass-phrase-43"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        call_command("create_curator", "amna", stdin=Terminal())


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


def test_headings_are_typed_one_per_line(curator_client):
    url = admin_url(Source, "add")
    data = change_form_data(curator_client.get(url))
    data.update(
        title="An export review",
        slug="an-export-review",
        summary="A review of exports, made up for this test.",
        headings="Introduction\r\n  Findings  \r\n\r\nWhat comes next\r\nFindings\r\n",
    )
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    source = Source.objects.get(slug="an-export-review")
    assert source.headings == ["Introduction", "Findings", "What comes next"]
    html = curator_client.get(admin_url(Source, "change", source.pk)).content.decode()
    assert ">\nIntroduction\nFindings\nWhat comes next</textarea>" in html


def test_a_heading_too_long_to_cite_is_refused_and_what_was_typed_stays(curator_client):
    url = admin_url(Source, "add")
    data = change_form_data(curator_client.get(url))
    typed = "Findings\n" + "A" * 201
    data.update(title="A review", slug="a-review", summary="Made up.", headings=typed)
    response = curator_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "A heading can be at most 200 characters" in html
    assert typed in html
    assert not Source.objects.filter(slug="a-review").exists()


# One of two figures of "IT exports in SBP data", both in US$ billion.
EXPORTS = "it-exports-jul-mar-fy2021"


def test_a_figure_in_a_unit_its_metric_does_not_use_is_refused(curator_client):
    figure = Statistic.objects.get(slug=EXPORTS)
    url = admin_url(Statistic, "change", figure.pk)
    data = change_form_data(curator_client.get(url))
    data["unit"] = "percent_growth"
    response = curator_client.post(url, data)
    assert response.status_code == 200
    assert (
        f"“{figure.metric.name}” is measured in US$ billion, so a figure in % growth "
        "does not fit it"
    ) in response.content.decode()
    figure.refresh_from_db()
    assert figure.unit == "usd_bn"


def test_a_csv_import_refuses_a_wrong_unit_on_its_line(curator_client):
    figure = Statistic.objects.get(slug=EXPORTS)
    page = reverse("admin:sector_statistic_import")
    form = curator_client.get(page).context["form"]
    formats = {label: value for value, label in form.fields["format"].choices}
    upload = SimpleUploadedFile("figures.csv", f"id,unit\n{figure.pk},percent_growth\n".encode())
    preview = curator_client.post(page, {"format": formats["csv"], "import_file": upload})
    result = preview.context["result"]
    assert result.has_validation_errors()
    assert "does not fit it" in str(result.invalid_rows[0].error_dict)
    figure.refresh_from_db()
    assert figure.unit == "usd_bn"


def supersedes_options(client, term):
    response = client.get(
        "/admin/autocomplete/",
        {
            "term": term,
            "app_label": "sector",
            "model_name": "statistic",
            "field_name": "supersedes",
        },
    )
    assert response.status_code == 200
    return [result["text"] for result in response.json()["results"]]


@pytest.mark.parametrize(
    "term, expected",
    [
        ("1.948", "it-exports-jul-mar-fy2022"),  # its value
        ("US$1.948bn", "it-exports-jul-mar-fy2022"),
        ("SBP 1.5", "it-exports-jul-mar-fy2021"),  # its origin and value
        ("IT exports FY2021", "it-exports-jul-mar-fy2021"),  # its year
        ("Gartner", "ai-customer-service-2025"),
    ],
)
def test_the_supersedes_type_ahead_finds_a_figure_by_value_origin_or_year(
    curator_client, term, expected
):
    figure = Statistic.objects.get(slug=expected)
    assert supersedes_options(curator_client, term) == [str(figure)]


def test_the_supersedes_type_ahead_finds_a_figure_by_a_source_citing_it(curator_client):
    figure = Statistic.objects.get(slug="call-centre-employment-100k")
    title = figure.citations.first().source.title
    assert str(figure) in supersedes_options(curator_client, title)


def test_type_ahead_options_name_the_period(curator_client):
    options = supersedes_options(curator_client, "telecommunication")
    assert len(options) == 2
    assert any("FY2022" in text for text in options) and any("FY2021" in text for text in options)


def test_a_search_with_nonsense_numbers_answers_calmly(curator_client):
    for term in ("1e999", "NaN", "99999999999999999999", "-0", "$", "%"):
        assert (
            curator_client.get(admin_url(Statistic, "changelist"), {"q": term}).status_code == 200
        )


def test_citations_are_stacked_so_they_fit_the_page():
    from django.contrib.contenttypes.admin import GenericStackedInline

    from bpo_portal.sources.admin import CitationInline

    assert issubclass(CitationInline, GenericStackedInline)


def test_every_admin_with_a_slug_fills_it_in_from_the_title():
    from django.db.models import SlugField

    for model, model_admin in admin.site._registry.items():
        if any(f.name == "slug" and isinstance(f, SlugField) for f in model._meta.fields):
            assert "slug" in model_admin.prepopulated_fields, model._meta.label


def test_admin_pages_load_the_curating_styles_and_script(curator_client):
    html = curator_client.get(admin_url(Source, "add")).content.decode()
    assert "/static/admin_csp/curating.css" in html and "/static/admin_csp/curating.js" in html


@pytest.mark.parametrize("model", KNOWLEDGE_MODELS, ids=lambda m: m._meta.label)
def test_the_one_citation_filter_lists_exactly_the_rows_with_one_citation(curator_client, model):
    if not issubclass(model, Cited):
        pytest.skip("not a cited kind")
    response = curator_client.get(admin_url(model, "changelist"), {"citations": "1"})
    expected = sum(1 for row in model.objects.all() if row.citations.count() == 1)
    assert response.context["cl"].result_count == expected
