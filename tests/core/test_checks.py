"""The system checks refuse a database engine the site is not written for."""

from unittest import mock

from django.db import connections

from bpo_portal.core.checks import supported_database


def test_sqlite_and_postgresql_pass():
    assert supported_database(None) == []


def test_another_engine_is_refused_with_a_message():
    connection = connections["default"]
    with (
        mock.patch.object(type(connection), "vendor", "mysql"),
        mock.patch.object(type(connection), "display_name", "MySQL"),
    ):
        (error,) = supported_database(None)
    assert error.id == "bpo.E010"
    assert "MySQL" in error.msg and "SQLite and PostgreSQL only" in error.msg
