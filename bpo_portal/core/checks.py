"""Deploy checks (`manage.py check --deploy`): production refuses an unsafe configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY is not set: the development key would sign production sessions.",
                hint="Set SECRET_KEY to a long random value, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`.",
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
