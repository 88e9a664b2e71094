"""Restore a backup written by `backup`: everything in the database is replaced by it."""

import sqlite3
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from bpo_portal.core import journal, search
from bpo_portal.portal.management.commands.backup import engine, pg_command

PG_MAGIC = b"PGDMP"  # the start of a pg_dump custom-format file
SQLITE_MAGIC = b"SQLite format 3\x00"


def kind_of(path):
    with open(path, "rb") as file:
        start = file.read(16)
    if start.startswith(PG_MAGIC):
        return "postgresql"
    if start == SQLITE_MAGIC:
        return "sqlite"
    return "yaml"


def restore_native(path, connection):
    connection.close()
    if engine(connection) == "postgresql":
        args, env = pg_command("pg_restore", connection)
        args += [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            str(path),
        ]
        done = subprocess.run(args, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise CommandError(f"pg_restore failed, nothing was changed: {done.stderr.strip()}")
    else:
        # SQLite's online backup API, from the file into this database: one step, under the
        # database's write lock. The file is opened as immutable, so that reading it leaves no
        # -shm or -wal file beside it.
        source = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
            connection.close()


def restore_yaml(path, using):
    # In one transaction: if the dump does not load, the database is left as it was.
    with journal.batched(using):
        call_command("flush", interactive=False, database=using, verbosity=0)
        with connections[using].cursor() as cursor:
            search.clear_full_text(cursor)  # SQLite's full-text tables, which flush leaves
        call_command("loaddata", str(path), database=using, verbosity=0)


def after_restore(using):
    """Tell the caches the data is another (core.caching's hook, where it exists)."""
    from bpo_portal.core import caching

    hook = getattr(caching, "after_restore", None)
    if hook is not None:
        hook(using=using)


class Command(BaseCommand):
    help = (
        "Replace everything in the database by a backup from `backup`: a pg_dump file "
        "(PostgreSQL), an SQLite copy (SQLite) or a YAML dump (either engine). Stop the app "
        "servers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, interactive, database, **options):
        path = Path(path)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        connection = connections[database]
        kind = kind_of(path)
        if kind != "yaml" and kind != engine(connection):
            raise CommandError(
                f"{path} is a {kind} backup and this database is {engine(connection)}: "
                "move between engines with a YAML dump (backup --yaml)."
            )
        if interactive:
            name = connection.settings_dict["NAME"]
            try:
                answer = input(
                    f"Everything in the database {name} is replaced by {path}. Type yes: "
                )
            except EOFError:  # no terminal to answer from (a script, a cron job)
                answer = ""
                self.stderr.write(
                    "No answer could be read: to restore from a script, add --noinput."
                )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        if kind == "yaml":
            restore_yaml(path, database)
        else:
            restore_native(path, connection)
        after_restore(database)
        self.stdout.write(f"Restored {path}.")
