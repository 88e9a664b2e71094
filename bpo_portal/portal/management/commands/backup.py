"""Back the database up: the engine's own copy (fast, for restoring on the same engine) or a
portable YAML dump (for moving to the other engine)."""

import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

# What the portable dump carries: the knowledge with its history, readers' suggestions, the
# change log, and the accounts history rows or the change log name (by user name, so they load
# into any database); no other account, so the file holds no more personal data than it needs.
DUMPED_APPS = ("sources", "directory", "sector", "background", "portal", "core")
# Not data: the data version and the change journal (the caches' bookkeeping), and the search
# index, written again as the rows load.
LEFT_OUT = ("core.DataVersion", "core.JournalEntry", "core.SearchDocument", "core.SearchTerm")
BY_NAME = (Group, User)  # loaded by natural key, so an account that exists is reused


def engine(connection):
    return "postgresql" if connection.vendor == "postgresql" else connection.vendor


def pg_command(program, connection):
    """A PostgreSQL client program and its environment for this connection."""
    folder = os.environ.get("PG_BIN", "")
    path = shutil.which(program, path=folder or None)
    if path is None:
        raise CommandError(f"{program} is not installed (PostgreSQL's client programs).")
    params = connection.settings_dict
    args = [path, "--dbname", params["NAME"]]
    if params.get("HOST"):
        args += ["--host", params["HOST"]]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", params["USER"]]
    env = os.environ.copy()
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = params["PASSWORD"]
    return args, env


def dumped_models():
    """The models of the portable dump: accounts first (history rows name them), then every
    model of the dumped apps, historical ones included, less what is not data."""
    left_out = {apps.get_model(label) for label in LEFT_OUT}
    models = list(BY_NAME)
    for label in DUMPED_APPS:
        models += [m for m in apps.get_app_config(label).get_models() if m not in left_out]
    models.append(LogEntry)
    return models


def named_users(using):
    """The ids of the accounts a history row or a change log entry names."""
    named = set()
    for model in dumped_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                rows = model._base_manager.using(using).exclude(**{field.attname: None})
                named.update(rows.values_list(field.attname, flat=True).distinct())
    return named


def write_yaml(path, using):
    named = named_users(using)
    with open(path, "w", encoding="utf-8") as stream:
        for model in dumped_models():
            rows = model._base_manager.using(using).order_by(model._meta.pk.name)
            if model is User:
                rows = rows.filter(pk__in=named)
            if not rows.exists():  # an empty list would end the YAML document's list
                continue
            serializers.serialize(
                "yaml",
                rows.iterator(chunk_size=2000),
                stream=stream,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=model in BY_NAME,
            )


def write_native(path, connection):
    kind = engine(connection)
    if kind == "postgresql":
        args, env = pg_command("pg_dump", connection)
        args += ["--format", "custom", "--no-owner", "--no-privileges", "--file", str(path)]
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise CommandError(f"pg_dump failed: {done.stderr.strip()}")
    elif kind == "sqlite":
        # SQLite's online backup: a consistent copy while the site keeps serving.
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise CommandError(f"No native backup for {connection.vendor}: use --yaml.")


def native_suffix(connection):
    return ".pgdump" if engine(connection) == "postgresql" else ".sqlite3"


class Command(BaseCommand):
    help = (
        "Back the database up to var/backups/ (or --output): PostgreSQL's pg_dump (custom "
        "format) or SQLite's online backup, for `restore` on the same engine; with --yaml a "
        "portable dump, accounts included, that `restore` or `loaddata` loads into an empty "
        "database of either engine."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="The file to write.")
        parser.add_argument(
            "--yaml", action="store_true", help="A portable YAML dump instead of the native one."
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, output, yaml, database, **options):
        connection = connections[database]
        if output:
            path = Path(output)
        else:
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            suffix = ".yaml" if yaml else native_suffix(connection)
            path = Path(settings.BASE_DIR) / "var" / "backups" / f"bpo-{stamp}{suffix}"
        if not path.parent.is_dir():
            path.parent.mkdir(parents=True)
            path.parent.chmod(0o700)
        # Written beside the target and renamed, so a failed backup never leaves half a file
        # under the final name. The file holds password hashes and e-mail addresses: it is made
        # readable by its owner alone before anything is written to it.
        partial = path.with_name(path.name + ".partial")
        partial.unlink(missing_ok=True)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            if yaml:
                write_yaml(partial, database)
            else:
                write_native(partial, connection)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(path)
        self.stdout.write(str(path))
