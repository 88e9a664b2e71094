"""Deploy checks (`manage.py check --deploy`): production refuses an unsafe configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    errors = []
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
