"""Open data: the whole knowledge base as files anyone can download and reuse.

Three forms of the same data, offered on /data/:

- a Frictionless Data Package: one CSV file per kind of record (`providers.csv`, `cities.csv`,
  ...), a CSV of the links a many-to-many field makes (`event_statistics.csv`), `citations.csv`
  (which source and section each fact comes from), and `datapackage.json`, which describes every
  file and column, the key of each table and how the tables point to one another;
- the same files in one zip file;
- one SQLite database with a table per CSV file and the same columns.

Every declared kind is a table, with its curated fields and its natural key. A foreign key is
written as the related row's natural key (its slug, mostly), so the files read without our
database ids. Generated demo providers, the rows that hang off them and the demo source are left
out: the files hold the knowledge base only.

The files are built on the first request after the data changes, for that data version, in a
temporary folder renamed into place once complete, so nobody is served half a file; one build
runs at a time and older versions are deleted. Rows are written one at a time from chunked
queries, so memory stays flat however large the knowledge base grows.
"""

import csv
import fcntl
import hashlib
import inspect
import json
import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import time
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q, Value
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst, slugify

from bpo_portal.core.caching import current_version, depends_on_everything
from bpo_portal.core.exports import plain_number, spreadsheet_safe
from bpo_portal.core.kinds import kind_for, kinds
from bpo_portal.core.links import url_for
from bpo_portal.directory.demo import DEMO_SOURCE
from bpo_portal.sources.models import Citation, Cited, Source

CHUNK = 2000
logger = logging.getLogger(__name__)
DESCRIPTOR = "datapackage.json"
README = "README.md"
ZIP = "bpo-portal.zip"
SQLITE = "bpo-portal.sqlite3"
# How long to wait before asking again for files not built yet: the Retry-After of the answers
# that say so, and the delay of the page's own reload.
RETRY_SECONDS = 30
STALE_SECONDS = 3600  # a leftover of another database, or of a build that died, after this long

# What a download is, by file name: (its URL name, its title, what it holds).
FILES = {
    ZIP: ("data_zip", "Data package (zip)", "Every CSV file with datapackage.json and README.md."),
    DESCRIPTOR: (
        "data_package",
        "Package description (datapackage.json)",
        "Describes every file and column, each table's key and how the tables refer to "
        "one another, in the Frictionless Data Package format.",
    ),
    SQLITE: (
        "data_sqlite",
        "SQLite database",
        "One table per CSV file, with the same columns, for SQL queries.",
    ),
    README: ("data_readme", "README", "What the files hold, in plain words."),
}

LICENCE = (
    "The knowledge base's own text (its descriptions, notes, summaries, definitions, and the "
    "titles and headings we gave in square brackets) is BPO Portal's own work, written in our "
    "words. Names, figures and dates are taken from the sources each fact cites. The source "
    "articles themselves are not included: only their titles, section headings and, where "
    "known, their publisher and address. No licence is stated for the five articles the "
    "knowledge base started from, so ask their publishers before reusing their text."
)
INCLUDED = [
    "Every record of the knowledge base: providers, their other names, service lines and "
    "categories, cities, markets, industries, organisations, incentives, metrics and "
    "statistics, disagreements, challenges, advantages, solutions, events, terms, technologies, "
    "statements, sources and search synonyms.",
    "The links between them: which provider offers which service line, operates in which city, "
    "serves which market or industry, and so on, each link a row of its own.",
    "Every citation: for each fact (or one field of it), the source, the section and what the "
    "source says, in our words.",
]
EXCLUDED = [
    "Generated demo providers, made for load tests, with their links and citations, and the "
    "“generated demo data” source they cite.",
    "The text of the source articles.",
    "Who changed what: the edit history, curator accounts and correction suggestions.",
    "Our database ids, timestamps and search index: rows are named by their natural key "
    "(a slug, mostly) instead.",
]

# Frictionless type of each Django field type; anything else is a string.
TYPES = {
    "BooleanField": "boolean",
    "IntegerField": "integer",
    "BigIntegerField": "integer",
    "SmallIntegerField": "integer",
    "PositiveIntegerField": "integer",
    "PositiveBigIntegerField": "integer",
    "PositiveSmallIntegerField": "integer",
    "DecimalField": "number",
    "FloatField": "number",
    "DateField": "date",
    "DateTimeField": "datetime",
    "TimeField": "time",
    "JSONField": "any",
}
SQL_TYPES = {"integer": "INTEGER", "boolean": "INTEGER", "number": "NUMERIC"}
# The code a choice field stores when the sources are silent: the package writes an empty cell
# (NULL in the SQLite file) instead, as for every other fact the sources leave unstated.
NOT_STATED_CODE = "not_stated"
# An empty cell, and only that, is a missing value (Frictionless's default, said outright).
MISSING_VALUES = [""]
RESOURCE_NAME = re.compile(r"[a-z0-9_]+")


def downloads_root():
    """The folder that holds one folder of files per database and data version."""
    return Path(getattr(settings, "DOWNLOADS_DIR", None) or settings.BASE_DIR / "var" / "downloads")


def resource_name(model):
    return slugify(str(model._meta.verbose_name_plural)).replace("-", "_")


def _sentence(text):
    text = str(text).strip()
    return text if not text or text[-1] in ".!?" else text + "."


def _model_description(model):
    about = f"One row per {model._meta.verbose_name}."
    doc = inspect.cleandoc(model.__doc__ or "")
    if not doc or doc.startswith(f"{model.__name__}("):  # Django's stand-in: the field list
        return about
    return f"{about} {' '.join(doc.split())}"


def _field_description(model_field, extra=""):
    parts = [_sentence(capfirst(str(model_field.verbose_name)))]
    if model_field.help_text:
        parts.append(_sentence(model_field.help_text))
    if extra:
        parts.append(extra)
    return " ".join(parts)


def demo_free(model, prefix="", depth=3):
    """The condition that keeps rows of `model` that are neither demo data nor hang off it.

    A row is demo data when it says so (`is_demo`) or is the generated demo source; a row hangs
    off demo data when one of its foreign keys leads to some, directly or through other rows.
    """
    condition = Q()
    names = {f.name for f in model._meta.concrete_fields}
    if "is_demo" in names:
        condition &= Q(**{f"{prefix}is_demo": False})
    if model is Source:
        condition &= ~Q(**{f"{prefix}slug": DEMO_SOURCE["slug"]})
    if depth:
        for link in model._meta.concrete_fields:
            if not link.many_to_one or link.related_model is model:
                continue
            inner = demo_free(link.related_model, f"{prefix}{link.name}__", depth - 1)
            if inner and link.null:
                inner = Q(**{f"{prefix}{link.name}__isnull": True}) | inner
            condition &= inner
    return condition


def key_paths(kind):
    """The lookups that read a kind's natural key, foreign keys followed to their own keys."""
    paths = []
    for name in kind.natural_key:
        model_field = kind.model._meta.get_field(name)
        target = kind_for(model_field.related_model) if model_field.many_to_one else None
        if target is None:
            paths.append(name)
        else:
            paths.extend(f"{name}__{path}" for path in key_paths(target))
    return paths


@dataclass
class Column:
    """One column of a table: its name, its Frictionless type and description, and the lookups
    (`paths`) it is read from; several paths (a composite key) are joined by "|"."""

    name: str
    type: str
    description: str
    paths: tuple
    constraints: dict = field(default_factory=dict)
    reference: tuple = None  # (resource, field) a foreign key points to
    not_stated: str = None  # a stored code written as an empty cell

    def value(self, values):
        if len(values) == 1:
            return values[0]
        parts = [str(v) for v in values if v is not None]
        return "|".join(parts) if parts else None

    def schema(self):
        described = {"name": self.name, "type": self.type, "description": self.description}
        if self.constraints:
            described["constraints"] = self.constraints
        return described


@dataclass
class Table:
    """One CSV file, SQLite table and package resource, and the querysets of its rows (each a
    values_list of every column's paths, in order)."""

    name: str
    title: str
    description: str
    columns: list
    primary_key: list
    querysets: list
    kind: object  # the kind it belongs to
    model: type  # whose rows it holds: the kind's, or a many-to-many field's links

    def rows(self):
        spans, start = [], 0
        for column in self.columns:
            spans.append((column, start, start + len(column.paths)))
            start += len(column.paths)
        one_path_each = all(len(column.paths) == 1 for column in self.columns)  # rows as read
        blanked = [(i, c.not_stated) for i, c in enumerate(self.columns) if c.not_stated]
        for queryset in self.querysets:
            for values in queryset.iterator(chunk_size=CHUNK):
                if one_path_each and not blanked:
                    yield values
                    continue
                row = [column.value(values[a:b]) for column, a, b in spans]
                for i, code in blanked:
                    if row[i] == code:
                        row[i] = None
                yield row

    def foreign_keys(self):
        return [
            {
                "fields": [column.name],
                "reference": {
                    "resource": "" if column.reference[0] == self.name else column.reference[0],
                    "fields": [column.reference[1]],
                },
            }
            for column in self.columns
            if column.reference
        ]


def _plain_column(model, name):
    model_field = model._meta.get_field(name)
    internal = model_field.get_internal_type()
    value_type = TYPES.get(internal, "string")
    if internal == "JSONField":
        default = model_field.default
        value_type = "array" if default is list else "object" if default is dict else value_type
    constraints = {}
    extra = ""
    if not model_field.null and not (model_field.blank and value_type in ("string", "array")):
        constraints["required"] = True
    if model_field.unique:
        constraints["unique"] = True
    if value_type == "string" and model_field.max_length:
        constraints["maxLength"] = model_field.max_length
    if internal.startswith("Positive"):
        constraints["minimum"] = 0
    not_stated = None
    if model_field.choices:
        choices = [(str(value), label) for value, label in model_field.flatchoices if value != ""]
        if any(value == NOT_STATED_CODE for value, _ in choices):
            not_stated = NOT_STATED_CODE
            choices = [(value, label) for value, label in choices if value != NOT_STATED_CODE]
            constraints.pop("required", None)
        constraints["enum"] = [value for value, _ in choices]
        extra = _sentence("One of: " + "; ".join(f"{value} ({label})" for value, label in choices))
        if not_stated:
            extra += " Empty when the sources do not state it."
    return Column(
        name,
        value_type,
        _field_description(model_field, extra),
        (name,),
        constraints,
        not_stated=not_stated,
    )


def _related_column(model, name):
    """A foreign key, written as the natural key of the row it points to."""
    model_field = model._meta.get_field(name)
    target = kind_for(model_field.related_model)
    target_meta = model_field.related_model._meta
    constraints = {} if model_field.null else {"required": True}
    if target is None:
        extra = f"The id of the {target_meta.verbose_name} it points to."
        return Column(
            name, "integer", _field_description(model_field, extra), (model_field.attname,)
        )
    paths = tuple(f"{name}__{path}" for path in key_paths(target))
    table = resource_name(target.model)
    if len(paths) == 1 and len(target.natural_key) == 1:
        key = target.natural_key[0]
        extra = f"The {key} of the {target_meta.verbose_name} it points to ({table}.{key})."
        key_column = _plain_column(target.model, key)
        return Column(
            name,
            key_column.type,
            _field_description(model_field, extra),
            paths,
            constraints,
            reference=(table, key),
        )
    extra = (
        f"The {target_meta.verbose_name} it points to, by its key "
        f"({', '.join(target.natural_key)}) joined by “|”."
    )
    return Column(name, "string", _field_description(model_field, extra), paths, constraints)


def _column(model, name):
    model_field = model._meta.get_field(name)
    return _related_column(model, name) if model_field.many_to_one else _plain_column(model, name)


def _kind_table(kind):
    model = kind.model
    names = [*kind.natural_key]
    names += [
        name
        for name in kind.fields
        if name not in names and not model._meta.get_field(name).many_to_many
    ]
    columns = [_column(model, name) for name in names]
    paths = [path for column in columns for path in column.paths]
    rows = model._default_manager.filter(demo_free(model))
    ordering = key_paths(kind)
    queryset = rows.order_by(*ordering, "pk").values_list(*paths)
    return Table(
        name=resource_name(model),
        title=capfirst(str(model._meta.verbose_name_plural)),
        description=_model_description(model),
        columns=columns,
        primary_key=list(kind.natural_key),
        querysets=[queryset],
        kind=kind,
        model=model,
    )


def _link_table(kind, name):
    """The links a plain many-to-many field makes, one row per link."""
    model = kind.model
    model_field = model._meta.get_field(name)
    through = model_field.remote_field.through
    ends = [model_field.m2m_field_name(), model_field.m2m_reverse_field_name()]
    columns = [_related_column(through, end) for end in ends]
    paths = [path for column in columns for path in column.paths]
    rows = through._default_manager.filter(demo_free(through))
    singular = str(model._meta.verbose_name)
    plural = str(model_field.related_model._meta.verbose_name_plural)
    description = f"Which {plural} each {singular} is linked to, one link a row."
    if model_field.help_text:
        description += " " + _sentence(model_field.help_text)
    return Table(
        name=f"{slugify(singular).replace('-', '_')}_{name}",
        title=capfirst(f"{singular} {name.replace('_', ' ')}"),
        description=description,
        columns=columns,
        primary_key=ends,
        querysets=[rows.order_by(*paths).values_list(*paths)],
        kind=kind,
        model=through,
    )


def _citation_table(citation_kind):
    """Every citation, its fact named by kind and natural key (joined by "|")."""
    names = [name for name in citation_kind.fields if name not in ("content_type", "object_id")]
    cited = [kind for kind in kinds() if issubclass(kind.model, Cited)]
    width = max(len(key_paths(kind)) for kind in cited)
    key_names = [f"bpo_fact_key_{i}" for i in range(width)]
    columns = [
        Column(
            "fact_kind",
            "string",
            "The kind of record the citation supports (e.g. provider, service-line, "
            "provider-service); each resource names its kind in bpo:kind.",
            ("bpo_fact_kind",),
            {"required": True, "enum": [kind.prefix for kind in cited]},
        ),
        Column(
            "fact_key",
            "string",
            "The natural key of the record it supports: its slug, or the values of its key "
            "joined by “|” (e.g. ibex|call-centres for a provider's service line).",
            tuple(key_names),
            {"required": True},
        ),
        *(_column(Citation, name) for name in names),
    ]
    plain = [f"citations__{path}" for column in columns[2:] for path in column.paths]
    querysets = []
    for kind in cited:
        # From the facts to their citations: one join, where a subquery per citation for each
        # part of its fact's key took most of the package's build on PostgreSQL.
        model = kind.model
        paths = key_paths(kind)
        padding = {
            name: Value(None, output_field=models.CharField()) for name in key_names[len(paths) :]
        }
        queryset = (
            model._default_manager.filter(
                demo_free(model), demo_free(Citation, "citations__"), citations__isnull=False
            )
            .annotate(bpo_fact_kind=Value(kind.prefix, output_field=models.CharField()), **padding)
            .order_by(*paths, *plain, "citations__pk")
            .values_list("bpo_fact_kind", *paths, *padding, *plain)
        )
        querysets.append(queryset)
    return Table(
        name=resource_name(Citation),
        title="Citations",
        description="Where each fact comes from: for every record (or one field of it), the "
        "source and the place in it, and what the source says in our words.",
        columns=columns,
        primary_key=[],
        querysets=querysets,
        kind=citation_kind,
        model=Citation,
    )


def tables():
    """Every table of the package, in the order of the kinds (foreign keys point backwards)."""
    found = []
    for kind in kinds():
        if kind.model is Citation:
            found.append(_citation_table(kind))
            continue
        found.append(_kind_table(kind))
        for name in kind.fields:
            if kind.model._meta.get_field(name).many_to_many:
                found.append(_link_table(kind, name))
    names = [table.name for table in found]
    duplicates = {name for name in names if names.count(name) > 1}
    if duplicates:
        raise ValueError(f"Two tables of the data package share a name: {sorted(duplicates)}")
    return found


# Writing the files


def _csv_value(value):
    kind = type(value)
    if kind is str or kind is int:  # most values: checked first, written as they are
        return value
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(plain_number(value), "f")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sql_value(value):
    kind = type(value)
    if kind is str:
        return value or None
    if kind is int:
        return value
    if value is None or value == "":
        return None
    if value is True or value is False:
        return int(value)
    return _csv_value(value)


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def _create_table(database, table):
    lines = []
    for column in table.columns:
        sql_type = SQL_TYPES.get(column.type, "TEXT")
        required = " NOT NULL" if column.constraints.get("required") else ""
        lines.append(f"{_quote(column.name)} {sql_type}{required}")
    if table.primary_key:
        lines.append(f"PRIMARY KEY ({', '.join(_quote(name) for name in table.primary_key)})")
    for column in table.columns:
        if column.reference:
            other, key = column.reference
            lines.append(
                f"FOREIGN KEY ({_quote(column.name)}) REFERENCES {_quote(other)} ({_quote(key)})"
            )
    database.execute(f"CREATE TABLE {_quote(table.name)} (\n  " + ",\n  ".join(lines) + "\n)")


def _file_hash(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _write_table(folder, database, table):
    """Write a table's CSV file and SQLite table in one pass; return its resource descriptor."""
    path = folder / f"{table.name}.csv"
    _create_table(database, table)
    insert = f"INSERT INTO {_quote(table.name)} VALUES ({', '.join('?' * len(table.columns))})"
    count = 0
    batch = []
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.name for column in table.columns])
        for row in table.rows():
            writer.writerow([spreadsheet_safe(v) if type(v) is str else _csv_value(v) for v in row])
            batch.append([_sql_value(value) for value in row])
            count += 1
            if len(batch) >= CHUNK:
                database.executemany(insert, batch)
                batch = []
    if batch:
        database.executemany(insert, batch)
    schema = {"fields": [column.schema() for column in table.columns]}
    schema["missingValues"] = MISSING_VALUES
    if table.primary_key:
        schema["primaryKey"] = table.primary_key
    if foreign_keys := table.foreign_keys():
        schema["foreignKeys"] = foreign_keys
    described = {
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "path": path.name,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": path.stat().st_size,
        "hash": f"sha256:{_file_hash(path)}",
        "fields": len(table.columns),
        "rows": count,
        "schema": schema,
    }
    if table.model is table.kind.model:  # the kind's own table, not the links of a field
        described["bpo:kind"] = table.kind.prefix
    return described


def _sources():
    """The package's sources: every real Source, with its address where it has one."""
    rows = Source.objects.filter(demo_free(Source)).order_by("slug").values_list("title", "url")
    return [{"title": title, **({"path": url} if url else {})} for title, url in rows]


def _readme(descriptor):
    lines = [
        f"# {descriptor['title']}",
        "",
        descriptor["description"],
        "",
        f"Data version {descriptor['version']}, built {descriptor['created']}.",
        "",
        "## What is included",
        "",
        *(f"- {item}" for item in INCLUDED),
        "",
        "## What is not",
        "",
        *(f"- {item}" for item in EXCLUDED),
        "",
        "## How the files fit together",
        "",
        "Each CSV file is one table, described column by column in datapackage.json. A column "
        "that points to another table holds that row's natural key (its slug, mostly), as the "
        "table's foreign keys in datapackage.json say. Links with no facts of their own (such as "
        "the statistics an event concerns) are tables of two columns, one row per link. "
        "citations.csv names each fact by its kind and key. An empty cell means the value is "
        "not stated. A text cell that starts with =, +, -, @, a tab or a carriage return has an "
        "apostrophe put before it, so that a spreadsheet shows it instead of running it as a "
        "formula. bpo-portal.sqlite3 holds the same tables and columns, its text as it is.",
        "",
        "## Licence",
        "",
        LICENCE,
        "",
        "## Files",
        "",
        *(
            f"- {resource['path']}: {resource['title']}, {resource['rows']} rows"
            for resource in descriptor["resources"]
        ),
        "",
    ]
    return "\n".join(lines)


def _write_package(folder, version):
    """Write every file of the package for `version` into `folder`."""
    database = sqlite3.connect(folder / SQLITE)
    try:
        database.execute("PRAGMA journal_mode = OFF")
        database.execute("PRAGMA synchronous = OFF")
        resources = [_write_table(folder, database, table) for table in tables()]
        database.execute(f"PRAGMA user_version = {int(version)}")
        database.commit()
    finally:
        database.close()
    created = timezone.now().astimezone(UTC).replace(microsecond=0)
    descriptor = {
        "profile": "tabular-data-package",
        "name": "bpo-portal",
        "title": "BPO Portal: Pakistan's business process outsourcing industry",
        "description": "A cited knowledge base of Pakistan's business process outsourcing "
        "industry: providers, service lines, cities, incentives, sector statistics, and the "
        "challenges and advantages the sources discuss. Every fact cites its source "
        "(citations.csv). Generated demo data is not included. " + LICENCE,
        "version": str(version),
        "created": created.isoformat().replace("+00:00", "Z"),
        "licenses": [{"path": README, "title": "The knowledge base's own text is ours"}],
        "sources": _sources(),
        "resources": resources,
    }
    (folder / DESCRIPTOR).write_text(
        json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    (folder / README).write_text(_readme(descriptor), encoding="utf-8")
    with zipfile.ZipFile(folder / ZIP, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in [DESCRIPTOR, README, *(resource["path"] for resource in resources)]:
            archive.write(folder / name, arcname=name)
    return descriptor


# Building once per data version


def database_identity():
    """A short name of the database and its creation (its first migration), so that files built
    from one database are never served for another with the same data version."""
    applied = (
        MigrationRecorder(connection)
        .migration_qs.order_by("pk")
        .values_list("applied", flat=True)
        .first()
    )
    config = connection.settings_dict
    text = f"{connection.vendor}|{config['HOST']}|{config['PORT']}|{config['NAME']}|{applied}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@contextmanager
def _snapshot():
    """Read the whole package from one consistent state of the data, without blocking the
    curators' saves (PostgreSQL: a repeatable-read transaction; SQLite: a read transaction,
    which in WAL mode sees the data as it was when it began)."""
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ROLLBACK")
    else:
        yield


@contextmanager
def _one_build_at_a_time(root):
    with open(root / ".lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Package:
    """A complete, built package: its folder, data version and description."""

    folder: Path
    version: int

    def path(self, name):
        return self.folder / name

    def descriptor(self):
        return json.loads((self.folder / DESCRIPTOR).read_text(encoding="utf-8"))


def _built(root, identity, at_least):
    """The newest complete package of this database for `at_least` or a later version."""
    best = None
    for entry in root.glob(f"{identity}-*"):
        number = entry.name.rsplit("-", 1)[1]
        if not number.isdigit() or int(number) < at_least or not entry.is_dir():
            continue
        if best is None or int(number) > best.version:
            best = Package(entry, int(number))
    return best


def _remove_old(root, identity, keep):
    """Delete older versions of this database's package, and leftovers older than an hour."""
    now = time.time()
    for entry in root.iterdir():
        if not entry.is_dir() or entry == keep.folder:
            continue
        mine, _, number = entry.name.rpartition("-")
        older = mine == identity and number.isdigit() and int(number) < keep.version
        stale = now - entry.stat().st_mtime > STALE_SECONDS
        if older or (mine != identity and stale):
            shutil.rmtree(entry, ignore_errors=True)


def package(version=None):
    """The package for this data version, built now if it is not built yet (or a newer one).
    For `manage.py build_data_package` and the builder thread: a request takes
    `latest_package()`, which never waits for a build."""
    depends_on_everything()  # files kept per data version, read without a query
    if version is None:
        version = current_version()
    root = downloads_root()
    identity = database_identity()
    if found := _built(root, identity, version):
        return found
    root.mkdir(parents=True, exist_ok=True)
    with _one_build_at_a_time(root):
        if found := _built(root, identity, version):
            return found
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
        try:
            with _snapshot():
                seen = current_version()
                _write_package(building, seen)
            final = root / f"{identity}-{seen}"
            try:
                os.rename(building, final)
            except OSError:  # built meanwhile by a process that does not share our lock
                shutil.rmtree(building, ignore_errors=True)
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise
        built = Package(final, seen)
        _remove_old(root, identity, built)
        return built


_builder = threading.Lock()  # held by this process's builder thread while it runs


def latest_package(version):
    """(package, current): the package of this data version when it is built; otherwise the
    newest complete one (None before the first build) while a thread of this process builds
    the new one, so that no request waits for a build (a large one outlasts any request).
    With DATA_PACKAGE_IN_BACKGROUND off (tests), the build happens here."""
    depends_on_everything()
    root, identity = downloads_root(), database_identity()
    if found := _built(root, identity, version):
        return found, True
    if not settings.DATA_PACKAGE_IN_BACKGROUND:
        return package(version), True
    if _builder.acquire(blocking=False):
        threading.Thread(target=_build_then_release, name="data-package", daemon=True).start()
    return _built(root, identity, 0) if root.is_dir() else None, False


def _build_then_release():
    try:
        package()
    except Exception:  # the last complete package is still served; the next request retries
        logger.exception("The data package could not be built")
    finally:
        connections.close_all()  # this thread's own connections
        _builder.release()


# The /data/ page and the files


def page_context(built):
    descriptor = built.descriptor()
    downloads = [
        {
            "name": name,
            "title": title,
            "about": about,
            "url": url_for(url_name),
            "bytes": built.path(name).stat().st_size,
        }
        for name, (url_name, title, about) in FILES.items()
    ]
    resources = [
        {
            "name": resource["name"],
            "title": resource["title"],
            "description": resource["description"],
            "kind": resource.get("bpo:kind"),
            "fields": resource["fields"],
            "rows": resource["rows"],
            "bytes": resource["bytes"],
            "url": reverse("data_csv", kwargs={"resource": resource["name"]}),
        }
        for resource in descriptor["resources"]
    ]
    return {
        "version": descriptor["version"],
        "created": parse_datetime(descriptor["created"]),
        "downloads": downloads,
        "resources": resources,
        "total_rows": sum(resource["rows"] for resource in resources),
        "sources": descriptor["sources"],
        "licence": LICENCE,
        "included": INCLUDED,
        "excluded": EXCLUDED,
    }


CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".md": "text/markdown; charset=utf-8",
    ".zip": "application/zip",
    ".sqlite3": "application/vnd.sqlite3",
}


def _open(built, name):
    if name not in FILES:
        stem = name.removesuffix(".csv")
        if not RESOURCE_NAME.fullmatch(stem) or not any(
            resource["path"] == name for resource in built.descriptor()["resources"]
        ):
            raise Http404("No such file in the data package.")
    return open(built.path(name), "rb")


def file_response(version, name):
    """A download of one file of the newest package, streamed from disk; None while the first
    one is being built."""
    built, _ = latest_package(version)
    if built is None:
        return None
    try:
        handle = _open(built, name)
    except FileNotFoundError:  # deleted by a newer build since we looked: take that one
        handle = _open(latest_package(current_version())[0], name)
    suffix = Path(name).suffix
    response = FileResponse(
        handle,
        content_type=CONTENT_TYPES[suffix],
        as_attachment=suffix in (".zip", ".sqlite3", ".csv"),
        filename=name,
    )
    response["Cache-Control"] = "no-cache"
    return response
