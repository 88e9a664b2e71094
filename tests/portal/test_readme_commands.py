"""The README's management commands work exactly as written after `make setup`: without
SECRET_KEY in the environment, on this machine's own development key (var/secret_key), in a
copy of the project with a database of its own. Production still refuses that key."""

import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "a-long-Pass-phrase-42"


def readme_section(title):
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def environment(project, database="db.sqlite3", **extra):
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "CURATOR_PASSWORD"}
    }
    return {**env, "DATABASE_URL": f"sqlite:///{project / database}", **extra}


def run(project, command, **extra):
    return subprocess.run(
        command,
        shell=True,
        cwd=project,
        env=environment(project, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_in_terminal(project, command, answers, **extra):
    """Run a command in a terminal of its own, typing the answers to its prompts."""
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        command,
        shell=True,
        cwd=project,
        env=environment(project, **extra),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        start_new_session=True,  # no other terminal to read from
    )
    os.close(terminal)
    answers = list(answers)
    output = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # Type each answer once its prompt is shown: a password prompt drops what was typed
        # before it.
        if answers and output.rstrip(b" ").endswith(b":"):
            os.write(controller, f"{answers.pop(0)}\n".encode())
            output += b"\n"
        ready, _, _ = select.select([controller], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the command ended and closed its terminal
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    return process.wait(timeout=10), output.decode(errors="replace")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The project's code, this test run's Python as .venv, a development key and a migrated
    database, as `make setup` leaves a fresh clone."""
    project = tmp_path_factory.mktemp("clone")
    shutil.copytree(
        ROOT / "bpo_portal", project / "bpo_portal", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "manage.py", project)
    (project / "static").mkdir()
    (project / ".venv").symlink_to(sys.prefix)  # the virtual environment running the tests
    (project / "var").mkdir()
    (project / "var" / "secret_key").write_text("this-machines-own-development-key-" + "x" * 30)
    result = run(project, ".venv/bin/python manage.py migrate --noinput -v0")
    assert result.returncode == 0, result.stderr
    return project


def test_the_curating_commands_work_as_written(project):
    commands = re.findall(
        r"(?:CURATOR_PASSWORD=\.\.\. )?\.venv/bin/python manage\.py [^`\n]+",
        readme_section("Curating"),
    )
    assert ".venv/bin/python manage.py create_curator amna" in commands
    answers = {
        "create_curator amna": [PASSWORD, PASSWORD],
        "create_curator amna --noinput": [],
        "createsuperuser": ["root", "root@example.org", PASSWORD, PASSWORD],
    }
    for number, command in enumerate(commands):
        typed = answers[command.split("manage.py ", 1)[1]]
        database = f"db-{number}.sqlite3"  # each command on the database make setup left
        shutil.copy(project / "db.sqlite3", project / database)
        command = command.replace("CURATOR_PASSWORD=...", f"CURATOR_PASSWORD={PASSWORD}")
        code, output = run_in_terminal(project, command, typed, database=database)
        assert code == 0, f"{command}\n{output}"
        assert "Traceback" not in output
    assert len(commands) == 3


def test_create_curator_without_a_terminal(project):
    result = run(project, ".venv/bin/python manage.py create_curator dawood < /dev/null")
    assert result.returncode == 1
    assert "no terminal" in result.stderr and "--noinput" in result.stderr
    assert "Traceback" not in result.stderr
    result = run(
        project,
        ".venv/bin/python manage.py create_curator dawood --noinput",
        CURATOR_PASSWORD=PASSWORD,
    )
    assert result.returncode == 0, result.stderr
    assert "Curator dawood created" in result.stdout


def test_production_refuses_the_development_key(project):
    production = {"ALLOWED_HOSTS": "bpo.example.org", "HTTPS": "1"}
    result = run(project, ".venv/bin/python manage.py check --deploy", **production)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr and "var/secret_key" in result.stderr
    key = {"SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrst"}
    result = run(project, ".venv/bin/python manage.py check --deploy", **production, **key)
    assert "bpo.E001" not in result.stderr


def test_without_a_development_key_the_message_says_where_it_comes_from(project, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(project, bare, symlinks=True, ignore=shutil.ignore_patterns("var", "db.*"))
    result = run(bare, ".venv/bin/python manage.py check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "make setup" in result.stderr and "var/secret_key" in result.stderr
