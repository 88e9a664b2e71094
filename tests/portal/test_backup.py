"""Backups that restore: the README's commands, on a database curators have used, restored into
an empty database and compared table by table."""

import io
import os
import re
import shlex
import sqlite3
import stat
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from bpo_portal.core import search
from bpo_portal.directory.models import Provider
from bpo_portal.portal.management.commands.backup import BY_NAME, dumped_models
from bpo_portal.portal.models import Suggestion
from tests.admin_forms import change_form_data

# The restores run outside the test's transaction (pg_restore is another connection).
restoring = pytest.mark.usefixtures("transactional_db")
# Written by the restore itself: the data version moves past any number reached before it, and
# the journal notes that every table changed (so no cache outlives the restore).
RESTORE_WRITES = {"core_dataversion", "core_journalentry"}


def readme_paragraph():
    """The README's Backups paragraph."""
    text = (settings.BASE_DIR / "README.md").read_text()
    return text.split("- **Backups**", 1)[1].split("\n- **", 1)[0].split("\n## ", 1)[0]


def readme_commands():
    """The manage.py commands of the README's Backups paragraph."""
    paragraph = readme_paragraph()
    return [shlex.split(found) for found in re.findall(r"manage\.py\s+([^`]+)`", paragraph)]


def readme_command(*start):
    for command in readme_commands():
        if tuple(command[: len(start)]) == start:
            return command
    raise LookupError(f"the README's Backups paragraph has no `manage.py {' '.join(start)}`")


def run(command, **substitutions):
    call_command(*[substitutions.get(part, part) for part in command], verbosity=0)


@pytest.fixture
def curated(curator_client, curator):
    """A database curators have used: an edit through the admin (history naming its author)
    and a reader's suggestion accepted with a reason."""
    ibex = Provider.objects.get(slug="ibex")
    url = reverse("admin:directory_provider_change", args=[ibex.pk])
    data = change_form_data(curator_client.get(url))
    data["description"] = "A curator's newer description."
    assert curator_client.post(url, data).status_code == 302
    suggestion = Suggestion.objects.create(
        page="/providers/ibex/", wrong="The year.", address_hash="x" * 64
    )
    suggestion.status = Suggestion.Status.ACCEPTED
    suggestion.save()
    assert ibex.history.filter(history_user=curator).exists()


def tables():
    names = connection.introspection.table_names(include_views=False)
    return sorted(name for name in names if not name.startswith("sqlite_"))


def every_table():
    """Every row of every table, as stored."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables():
            if table in RESTORE_WRITES:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows[table] = sorted(map(repr, cursor.fetchall()))
    return rows


def empty_the_database():
    """Drop every table: what is left is an empty database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TABLE IF EXISTS "{name}"')
            for table in tables():
                cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    assert tables() == []


@restoring
def test_the_native_backup_restores_every_table_into_an_empty_database(curated, tmp_path):
    before = every_table()
    assert "auth_user" in before and before["directory_historicalprovider"]
    path = tmp_path / "backup"
    backup = readme_command("backup")
    assert backup == ["backup"]
    run([*backup, "--output", str(path)])
    empty_the_database()
    run([*readme_command("restore"), "--noinput"], FILE=str(path))
    assert every_table() == before


def comparable(model):
    """A model's rows with foreign keys by natural key, as the portable dump writes them."""
    return sorted(
        repr(row)
        for row in serializers.serialize(
            "python",
            model._base_manager.order_by(model._meta.pk.name),
            use_natural_foreign_keys=True,
            use_natural_primary_keys=model in BY_NAME,
        )
    )


@restoring
def test_the_yaml_dump_loads_into_an_empty_database(curated, tmp_path):
    """With loaddata, as the README says, and with `restore`, which empties the database."""
    before = {model._meta.label: comparable(model) for model in dumped_models()}
    assert before["auth.User"] and before["directory.HistoricalProvider"]
    command = readme_command("backup", "--yaml")
    output = command[command.index("--output") + 1]
    run(command, **{output: str(tmp_path / output)})
    # An empty database: the tables as `migrate` leaves them (flush empties and re-creates
    # what migrations create: content types, permissions, the Curators group).
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        search.clear_full_text(cursor)  # as in a new database (flush leaves SQLite's FTS tables)
    assert not Provider.objects.exists()
    loaddata = readme_command("loaddata")
    run(loaddata, **{output: str(tmp_path / output)})
    after = {model._meta.label: comparable(model) for model in dumped_models()}
    assert after == before

    Provider.objects.filter(slug="ibex").update(description="Changed after the backup.")
    restore = readme_command("restore", output)
    run([*restore, "--noinput"], **{output: str(tmp_path / output)})
    after = {model._meta.label: comparable(model) for model in dumped_models()}
    assert after == before


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_the_other_engine(tmp_path):
    other = tmp_path / "other"
    other.write_bytes(b"PGDMP" if connection.vendor == "sqlite" else b"SQLite format 3\x00")
    with pytest.raises(CommandError, match="YAML"):
        call_command("restore", str(other), interactive=False)


def test_every_dumped_app_model_is_in_the_yaml_dump_or_left_out_on_purpose():
    dumped = set(dumped_models())
    left_out = {"DataVersion", "JournalEntry", "SearchDocument", "SearchTerm"}
    for label in ("sources", "directory", "sector", "background", "portal", "core"):
        for model in apps.get_app_config(label).get_models():
            assert model in dumped or model.__name__ in left_out, model


@pytest.mark.django_db
def test_restore_without_a_terminal_says_how_and_restores_nothing(tmp_path, monkeypatch):
    backup = tmp_path / "backup.yaml"
    backup.write_text("[]\n")

    def no_terminal(prompt=""):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(backup), stderr=errors)
    assert "--noinput" in errors.getvalue()
    assert Provider.objects.filter(slug="ibex").exists()


@pytest.fixture
def umask_022():
    """The usual umask, under which files are made readable by everyone unless told otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


@restoring  # SQLite's online backup waits for the test's transaction to end
@pytest.mark.parametrize("options", [[], ["--yaml"]], ids=["native", "yaml"])
def test_backups_and_their_new_folder_are_readable_by_their_owner_alone(
    options, tmp_path, settings, umask_022
):
    settings.BASE_DIR = tmp_path
    out = io.StringIO()
    call_command("backup", *options, stdout=out)
    path = Path(out.getvalue().strip())
    assert path.parent == tmp_path / "var" / "backups"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.stat().st_size > 0


@pytest.mark.django_db
def test_a_backup_written_over_an_existing_file_is_readable_by_its_owner_alone(tmp_path, umask_022):
    path = tmp_path / "backup.yaml"
    path.write_text("older\n")
    path.chmod(0o644)
    call_command("backup", "--yaml", "--output", str(path), verbosity=0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@restoring
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own backup file")
def test_restoring_an_sqlite_backup_leaves_its_folder_as_it_was(tmp_path):
    folder = tmp_path / "backups"
    folder.mkdir()
    path = folder / "bpo.sqlite3"
    call_command("backup", "--output", str(path), verbosity=0)
    # In WAL mode, as a backup of the site's database is (the test database is in memory).
    copy = sqlite3.connect(path)
    assert copy.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    copy.close()
    before = sorted(folder.iterdir())
    call_command("restore", str(path), interactive=False, verbosity=0)
    assert sorted(folder.iterdir()) == before == [path]
    assert Provider.objects.filter(slug="ibex").exists()


@pytest.mark.django_db
def test_the_yaml_dump_holds_only_the_accounts_its_history_names(curated, curator, tmp_path):
    """As the README says: no account that no history row or change log entry names."""
    User.objects.create_user("never-edited", email="reader@example.com", is_staff=True)
    path = tmp_path / "backup.yaml"
    call_command("backup", "--yaml", "--output", str(path), verbosity=0)
    text = path.read_text()
    users = [
        row["fields"]["username"] for row in yaml.safe_load(text) if row["model"] == "auth.user"
    ]
    assert users == [curator.username]
    assert "reader@example.com" not in text
    assert "and no other account" in " ".join(readme_paragraph().split())
