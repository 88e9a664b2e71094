"""Deploy checks (`manage.py check --deploy`): production refuses an unsafe configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    errors = []
    if getattr(settings, "SECRET_KEY_FROM_FILE", False):
        errors.append(
            Error(
                "SECRET_KEY is not set: the settings fell back to var/secret_key, this machine's "
                "development key.",
                hint="Set SECRET_KEY to a long random value, the same on every server.",
                id="bpo.E001",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty: every request would be refused.",
                hint="Set ALLOWED_HOSTS to the site's host names, comma-separated.",
                id="bpo.E002",
            )
        )
    if settings.DEBUG:
        errors.append(
            Error("DEBUG is on: it must be off in production.", hint="Unset DEBUG.", id="bpo.E003")
        )
    return errors


SUPPORTED_DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


@register()
def supported_database(app_configs, **kwargs):
    """Site search (FTS5 on SQLite, tsvector with unaccent and pg_trgm on PostgreSQL), the
    journal's lock and the migrations are written for these two engines: on another, search
    would silently find nothing."""
    from django.db import connections

    return [
        Error(
            f"The database {alias!r} is {connection.display_name}: BPO Portal runs on SQLite "
            "and PostgreSQL only.",
            hint="Set DATABASE_URL to a sqlite:/// or postgres:// address.",
            id="bpo.E010",
        )
        for alias, connection in ((alias, connections[alias]) for alias in connections)
        if connection.vendor not in SUPPORTED_DATABASES
    ]
