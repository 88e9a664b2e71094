"""The open data downloads and the API page.

The data package must be valid Frictionless data (foreign keys included), hold every kind with
exactly the knowledge base's rows and none of the demo data, follow the data as soon as it is
saved, and come as the same CSV files in a zip and as an SQLite database with the same rows.
The /api/ page must document every list page's JSON download as it really is.
"""

import csv
import io
import json
import shutil
import sqlite3
import zipfile
from dataclasses import replace

import frictionless
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, reverse

from bpo_portal.core import kinds as registry
from bpo_portal.core.caching import current_version
from bpo_portal.core.kinds import kinds
from bpo_portal.directory.demo import DEMO_SOURCE, generate
from bpo_portal.directory.filters import ProviderFilter
from bpo_portal.directory.models import Provider, ServiceLine
from bpo_portal.portal import downloads, views
from bpo_portal.sector.models import Incentive
from bpo_portal.sources.models import Citation, Source

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def downloads_dir(settings, tmp_path):
    """Each test builds its files in a folder of its own (a rolled-back test leaves the data
    version as it was, so a shared folder could hold files of data that is gone)."""
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    return settings.DOWNLOADS_DIR


@pytest.fixture
def real_counts(db):
    """The number of rows of every table before any demo data is added."""
    return {table.name: table.model._default_manager.count() for table in downloads.tables()}


@pytest.fixture
def demo(real_counts):
    """Thirty generated demo providers on top of the knowledge base, with their links and
    citations and the demo source."""
    generate(30, seed=7)
    assert Provider.objects.filter(is_demo=True).count() == 30
    return real_counts


def body(response):
    """The whole content; the test client closes a streamed response once it is read."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"), newline="")))


def built_package(client):
    """The package's description, as served."""
    return json.loads(body(client.get(reverse("data_package"))))


def test_the_package_is_valid_frictionless_data_with_its_foreign_keys(demo):
    built = downloads.package()
    report = frictionless.validate(str(built.path(downloads.DESCRIPTOR)))
    problems = [
        (task.name, error.type, error.note) for task in report.tasks for error in task.errors
    ]
    assert report.valid, problems[:20]
    resources = built.descriptor()["resources"]
    assert len(report.tasks) == len(resources)
    assert sum(len(r["schema"].get("foreignKeys", [])) for r in resources) > 20


def test_frictionless_would_catch_a_broken_foreign_key(tmp_path):
    built = downloads.package()
    copy = tmp_path / "copy"
    shutil.copytree(built.folder, copy)
    with open(copy / "provider_services.csv", "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow(["no-such-provider", "call-centres"])
    report = frictionless.validate(str(copy / downloads.DESCRIPTOR))
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_every_kind_has_a_table_with_exactly_the_real_rows(client, demo):
    real_counts = demo
    descriptor = built_package(client)
    resources = {resource["name"]: resource for resource in descriptor["resources"]}
    for kind in kinds():
        assert downloads.resource_name(kind.model) in resources, kind.prefix
    assert set(resources) == set(real_counts)
    for name, resource in resources.items():
        rows = csv_rows(body(client.get(reverse("data_csv", kwargs={"resource": name}))))
        assert len(rows) == resource["rows"] == real_counts[name], name
        assert resource["fields"] == len(resource["schema"]["fields"])
    assert resources["providers"]["rows"] == Provider.objects.filter(is_demo=False).count() > 0
    assert resources["citations"]["rows"] > 500


def test_every_table_has_the_curated_fields_and_the_natural_key_of_its_kind(client):
    resources = {r["name"]: r for r in built_package(client)["resources"]}
    for kind in kinds():
        if kind.model is Citation:
            continue
        resource = resources[downloads.resource_name(kind.model)]
        columns = [field["name"] for field in resource["schema"]["fields"]]
        plain = [name for name in kind.fields if not kind.model._meta.get_field(name).many_to_many]
        assert set(columns) == set(kind.natural_key) | set(plain), kind.prefix
        assert resource["schema"]["primaryKey"] == list(kind.natural_key)
        assert all(field["description"] for field in resource["schema"]["fields"])
    citations = [field["name"] for field in resources["citations"]["schema"]["fields"]]
    assert citations[:4] == ["fact_kind", "fact_key", "source", "section"]
    assert {"field", "note"} <= set(citations)


def test_foreign_keys_name_rows_that_are_in_the_package(client):
    descriptor = built_package(client)
    tables = {
        r["name"]: csv_rows(body(client.get(reverse("data_csv", kwargs={"resource": r["name"]}))))
        for r in descriptor["resources"]
    }
    checked = 0
    for resource in descriptor["resources"]:
        for key in resource["schema"].get("foreignKeys", []):
            [column], [target_column] = key["fields"], key["reference"]["fields"]
            target = key["reference"]["resource"] or resource["name"]
            known = {row[target_column] for row in tables[target]}
            for row in tables[resource["name"]]:
                if row[column]:
                    assert row[column] in known, (resource["name"], column, row[column])
                    checked += 1
    assert checked > 300
    # Citations name their facts by kind and key: every one is a row of the package.
    prefixes = {r["bpo:kind"]: r for r in descriptor["resources"] if "bpo:kind" in r}
    keys = {
        (kind, "|".join(row[k] for k in prefixes[kind]["schema"]["primaryKey"]))
        for kind in {row["fact_kind"] for row in tables["citations"]}
        for row in tables[prefixes[kind]["name"]]
    }
    for row in tables["citations"]:
        assert (row["fact_kind"], row["fact_key"]) in keys, row


def test_demo_rows_and_the_demo_source_are_left_out(client, demo, many_providers):
    descriptor = built_package(client)
    demo_slugs = set(Provider.objects.filter(is_demo=True).values_list("slug", flat=True))
    assert len(demo_slugs) == 30 + len(many_providers)
    everything = b"".join(
        body(client.get(reverse("data_csv", kwargs={"resource": r["name"]})))
        for r in descriptor["resources"]
    ).decode()
    assert not any(slug in everything for slug in demo_slugs)
    assert DEMO_SOURCE["slug"] not in everything
    assert "Generated demo data" not in everything
    assert all(s["title"] != DEMO_SOURCE["title"] for s in descriptor["sources"])
    sqlite_file = body(client.get(reverse("data_sqlite")))
    assert b"demo-000001" not in sqlite_file and b"bulk-provider-000" not in sqlite_file
    # What is left is exactly the knowledge base, demo rows or not.
    counts = {r["name"]: r["rows"] for r in descriptor["resources"]}
    demo.pop("sources")  # many_providers adds a real-looking source, cited by demo rows only
    counts.pop("sources")
    assert counts == demo


def test_a_save_makes_the_next_download_reflect_it(client, django_capture_on_commit_callbacks):
    before = body(client.get(reverse("data_csv", kwargs={"resource": "providers"}))).decode()
    version = current_version()
    old_folder = downloads.package(version).folder
    provider = Provider.objects.get(slug="ibex")
    provider.name = "Ibex Renamed For The Test"
    with django_capture_on_commit_callbacks(execute=True):
        provider.save()
    assert current_version() > version
    after = body(client.get(reverse("data_csv", kwargs={"resource": "providers"}))).decode()
    assert "Ibex Renamed For The Test" not in before
    assert "Ibex Renamed For The Test" in after
    zipped = zipfile.ZipFile(io.BytesIO(body(client.get(reverse("data_zip")))))
    assert "Ibex Renamed For The Test" in zipped.read("providers.csv").decode()
    assert json.loads(zipped.read("datapackage.json"))["version"] == str(current_version())
    page = client.get(reverse("data")).content.decode()
    assert f"data version {current_version()}," in page
    assert not old_folder.exists()  # older versions are deleted


def test_a_fact_without_citations_has_no_row_in_the_citations_table(client):
    """A link saved before its citation is added: the package still builds, without it."""
    from bpo_portal.directory.models import City, ProviderCity

    ibex = Provider.objects.get(slug="ibex")
    link = ProviderCity.objects.create(
        provider=ibex, city=City.objects.exclude(provider_links__provider=ibex).first()
    )
    assert not link.citations.exists()
    assert client.get(reverse("data")).status_code == 200
    rows = csv_rows(body(client.get(reverse("data_csv", kwargs={"resource": "citations"}))))
    assert rows and all(row["source"] for row in rows)
    assert not [row for row in rows if row["fact_key"] == f"ibex|{link.city.slug}"]


def test_the_zip_holds_every_csv_file_and_the_description(client, tmp_path):
    descriptor = built_package(client)
    content = body(client.get(reverse("data_zip")))
    archive = zipfile.ZipFile(io.BytesIO(content))
    names = set(archive.namelist())
    assert names == {"datapackage.json", "README.md"} | {r["path"] for r in descriptor["resources"]}
    assert json.loads(archive.read("datapackage.json")) == descriptor
    for resource in descriptor["resources"]:
        served = body(client.get(reverse("data_csv", kwargs={"resource": resource["name"]})))
        assert archive.read(resource["path"]) == served
    archive.extractall(tmp_path / "unzipped")
    assert frictionless.validate(str(tmp_path / "unzipped" / "datapackage.json")).valid
    readme = archive.read("README.md").decode()
    assert "not included" in readme and "providers.csv" in readme


def test_the_sqlite_file_has_the_same_tables_columns_and_rows(client, tmp_path):
    descriptor = built_package(client)
    path = tmp_path / "bpo-portal.sqlite3"
    path.write_bytes(body(client.get(reverse("data_sqlite"))))
    database = sqlite3.connect(path)
    try:
        tables = {
            name
            for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert tables == {r["name"] for r in descriptor["resources"]}
        for resource in descriptor["resources"]:
            name = resource["name"]
            (count,) = database.execute(f'SELECT count(*) FROM "{name}"').fetchone()
            assert count == resource["rows"], name
            columns = [row[1] for row in database.execute(f'PRAGMA table_info("{name}")')]
            assert columns == [field["name"] for field in resource["schema"]["fields"]]
        assert database.execute("PRAGMA foreign_key_check").fetchall() == []
        assert database.execute("PRAGMA user_version").fetchone()[0] == int(descriptor["version"])
        (name,) = database.execute("SELECT name FROM providers WHERE slug = 'ibex'").fetchone()
        assert name == Provider.objects.get(slug="ibex").name
    finally:
        database.close()


def test_the_description_states_sources_licence_version_and_date(client):
    descriptor = built_package(client)
    assert descriptor["version"] == str(current_version())
    assert descriptor["created"].endswith("Z")
    assert descriptor["licenses"] and "not included" in descriptor["description"]
    real_sources = Source.objects.exclude(slug=DEMO_SOURCE["slug"])
    assert sorted(s["title"] for s in descriptor["sources"]) == sorted(
        real_sources.values_list("title", flat=True)
    )
    statistics = next(r for r in descriptor["resources"] if r["name"] == "statistics")
    described = {f["name"]: f for f in statistics["schema"]["fields"]}
    assert described["value"]["type"] == "number"
    assert described["is_forecast"]["type"] == "boolean"
    assert "Upper end of a range" in described["value_upper"]["description"]
    assert {"fields": ["metric"], "reference": {"resource": "metrics", "fields": ["slug"]}} in (
        statistics["schema"]["foreignKeys"]
    )


def test_the_data_page_lists_the_downloads_and_every_table(client):
    response = client.get(reverse("data"))
    assert response.status_code == 200
    html = response.content.decode()
    context = response.context
    for url_name in ("data_zip", "data_package", "data_sqlite"):
        assert f'href="{reverse(url_name)}"' in html
    assert all(download["bytes"] > 0 for download in context["downloads"])
    assert f"data version {current_version()}," in html
    for resource in context["resources"]:
        href = reverse("data_csv", kwargs={"resource": resource["name"]})
        assert f'<a href="{href}">{resource["name"]}.csv</a>' in html
    providers = next(r for r in context["resources"] if r["name"] == "providers")
    assert providers["rows"] == Provider.objects.count()
    kind = registry.kind_for(Provider)
    plain = [name for name in kind.fields if not Provider._meta.get_field(name).many_to_many]
    assert providers["fields"] == len(set(kind.natural_key) | set(plain))
    assert f'<td data-label="Rows">{providers["rows"]}</td>' in html
    assert "What is not" in html and "demo" in html and "not included" in html
    assert "<script>" not in html and "style=" not in html


def test_the_data_page_costs_the_same_queries_whatever_the_data_size(
    client, django_assert_max_num_queries
):
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("data")).status_code == 200
    with django_assert_max_num_queries(1):
        assert client.get(reverse("data")).status_code == 200  # the page, from the cache
    with django_assert_max_num_queries(2):
        assert client.get(reverse("data") + "?again").status_code == 200  # files already built
    generate(200, seed=3)  # bumps the data version: the next request builds again
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("data")).status_code == 200
    assert len(large) == len(small) <= 100


def test_unknown_files_give_the_sites_not_found_page(client):
    for path in (
        "/data/no-such-table.csv",
        "/data/bpo-portal.csv",
        "/data/datapackage.csv",
        "/data/bpo-portal.sqlite",
        "/data/providers.json",
        "/data/%2e%2e.csv",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "We could not find that page" in response.content.decode(), path


def test_a_build_that_fails_half_way_leaves_nothing_to_serve(downloads_dir, monkeypatch):
    written = []
    write_table = downloads._write_table

    def fail_after_three(folder, database, table):
        if len(written) == 3:
            raise OSError("disk full")
        written.append(table.name)
        return write_table(folder, database, table)

    monkeypatch.setattr(downloads, "_write_table", fail_after_three)
    with pytest.raises(OSError):
        downloads.package()
    assert len(written) == 3
    assert [entry.name for entry in downloads_dir.iterdir()] == [".lock"]
    monkeypatch.undo()
    response = Client().get(reverse("data_csv", kwargs={"resource": "providers"}))
    assert response.status_code == 200
    assert len(csv_rows(body(response))) == Provider.objects.count()


def test_the_package_reads_one_consistent_state_outside_a_transaction(transactional_db):
    """Outside a test's transaction the build reads through a read-only snapshot."""
    built = downloads.package()
    assert frictionless.validate(str(built.path(downloads.DESCRIPTOR))).valid
    assert built.descriptor()["version"] == str(current_version())


# The API page


def test_the_api_page_documents_every_list_page_that_answers_json(client):
    def addresses(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    inner = f"{pattern.namespace}:" if pattern.namespace else ""
                    yield from addresses(pattern.url_patterns, namespace + inner)
            elif pattern.name and not pattern.pattern.regex.groups and not pattern.default_args:
                yield reverse(namespace + pattern.name)

    answering = set()
    for path in addresses(get_resolver().url_patterns):
        response = client.get(path, {"format": "json"})
        if response.streaming and response["Content-Type"] == "application/json":
            answering.add(path)
    assert len(answering) >= 15
    page = client.get(reverse("api"))
    assert page.status_code == 200
    documented = {endpoint.path for endpoint in page.context["endpoints"]}
    assert documented == answering
    html = page.content.decode()
    for path in answering:
        assert f"GET {path}?format=json" in html


def json_type_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, list):
        return "array"
    return "string"


def test_the_documented_fields_are_what_each_download_returns(client):
    for endpoint in client.get(reverse("api")).context["endpoints"]:
        response = client.get(endpoint.path, {"format": "json"})
        rows = json.loads(body(response))
        documented = [field.name for field in endpoint.fields]
        types = {field.name: field.type for field in endpoint.fields}
        for row in rows:
            assert list(row) == documented, endpoint.path
            for name, value in row.items():
                kind = json_type_of(value)
                assert types[name].startswith(kind) or (
                    kind == "null" and types[name].endswith("or null")
                ), (endpoint.path, name, value, types[name])
        assert endpoint.example == (rows[0] if rows else None), endpoint.path


def test_the_api_documents_the_filtersets_filters(client):
    endpoints = {e.url_name: e for e in client.get(reverse("api")).context["endpoints"]}
    providers = endpoints["directory:provider_list"]
    assert [f.name for f in providers.filters] == ["format", *ProviderFilter.base_filters]
    service = next(f for f in providers.filters if f.name == "service")
    assert len(service.examples) == 3
    assert ServiceLine.objects.filter(slug__in=service.examples).count() == 3
    assert "repeat" in service.takes
    assert [f.name for f in endpoints["sources:list"].filters] == ["format"]
    assert providers.kind.model is Provider


def test_the_api_page_follows_the_declarations(client, monkeypatch):
    kind = registry.kind_for(Source)
    monkeypatch.setitem(
        registry._REGISTRY, Source, replace(kind, columns=(*kind.export_columns(), "publisher"))
    )
    endpoints = {e.url_name: e for e in client.get(reverse("api")).context["endpoints"]}
    sources = endpoints["sources:list"]
    assert sources.fields[-1].name == "publisher"
    assert "publisher" in sources.example


def test_the_api_examples_are_real_rows_escaped(client, django_capture_on_commit_callbacks):
    first = json.loads(body(client.get(reverse("sector:incentive_list"), {"format": "json"})))[0]
    incentive = Incentive.objects.get(slug=first["slug"])
    with django_capture_on_commit_callbacks(execute=True):
        incentive.description = 'Uses <script>alert("x")</script> & more'
        incentive.save()
    html = client.get(reverse("api")).content.decode()
    assert "<script>alert" not in html
    assert "Uses &lt;script&gt;alert(\\&quot;x\\&quot;)&lt;/script&gt; &amp; more" in html


def test_an_unstated_choice_is_an_empty_cell_as_the_package_readme_says(client, tmp_path):
    """A choice the sources leave unstated is stored as a code, and written as an empty cell
    (NULL in the SQLite file), which the schema names as its only missing value."""
    silent = Provider.objects.filter(is_demo=False, kind=Provider.Kind.NOT_STATED).first()
    assert silent is not None
    descriptor = built_package(client)
    assert (
        "An empty cell means the value is not stated"
        in body(client.get(reverse("data_readme"))).decode()
    )
    for resource in descriptor["resources"]:
        assert resource["schema"]["missingValues"] == [""], resource["name"]
        content = body(client.get(reverse("data_csv", kwargs={"resource": resource["name"]})))
        for row in csv_rows(content):
            assert downloads.NOT_STATED_CODE not in row.values(), resource["name"]
        for described in resource["schema"]["fields"]:
            enum = described.get("constraints", {}).get("enum", [])
            assert downloads.NOT_STATED_CODE not in enum, (resource["name"], described["name"])
    providers = next(r for r in descriptor["resources"] if r["name"] == "providers")
    kind = next(f for f in providers["schema"]["fields"] if f["name"] == "kind")
    assert "required" not in kind["constraints"]
    assert "Empty when the sources do not state it." in kind["description"]
    rows = csv_rows(body(client.get(reverse("data_csv", kwargs={"resource": "providers"}))))
    assert next(row for row in rows if row["slug"] == silent.slug)["kind"] == ""
    path = tmp_path / "bpo-portal.sqlite3"
    path.write_bytes(body(client.get(reverse("data_sqlite"))))
    database = sqlite3.connect(path)
    try:
        found = database.execute("SELECT kind FROM providers WHERE slug = ?", [silent.slug])
        assert found.fetchone() == (None,)
    finally:
        database.close()


def test_before_the_first_build_the_data_page_says_when_to_come_back(client, monkeypatch):
    """A Retry-After for programs, words and a link for people; no page that reloads itself
    (a timed refresh the reader cannot stop fails WCAG 2.2.1, axe's meta-refresh rule)."""
    monkeypatch.setattr(views, "latest_package", lambda version: (None, False))
    monkeypatch.setattr(views, "file_response", lambda version, name: None)
    page = client.get(reverse("data"))
    html = page.content.decode()
    assert page.status_code == 200 and page["Retry-After"] == str(downloads.RETRY_SECONDS)
    assert "a minute or two" in html and ">try again now</a>" in html
    assert 'http-equiv="refresh"' not in html
    download = client.get(reverse("data_zip"))
    assert download.status_code == 503
    assert download["Retry-After"] == str(downloads.RETRY_SECONDS)
    assert ">try again now</a>" in download.content.decode()
    assert 'http-equiv="refresh"' not in download.content.decode()

    monkeypatch.undo()
    ready = client.get(reverse("data"))
    assert "This is data version" in ready.content.decode()
    assert ">try again now</a>" not in ready.content.decode() and "Retry-After" not in ready
