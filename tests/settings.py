"""The site's own settings, with DEBUG off as in production, and a signing key that exists only
for the test run (production must set SECRET_KEY itself)."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-" + secrets.token_urlsafe(50))

from bpo_portal.settings import *  # noqa: E402, F403
