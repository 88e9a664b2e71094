"""The site's own settings, with DEBUG off as in production, and a signing key that exists only
for the test run (production must set SECRET_KEY itself)."""

import os
import secrets

os.environ.setdefault("SECRET_KEY", "tests-" + secrets.token_urlsafe(50))

# Data downloads built during tests go to a folder of their own, removed with the run.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402

from bpo_portal.settings import *  # noqa: E402, F403

DOWNLOADS_DIR = tempfile.mkdtemp(prefix="bpo-downloads-")
# Built in the request, inside the test's transaction (the builder thread is tested on its own).
DATA_PACKAGE_IN_BACKGROUND = False
atexit.register(shutil.rmtree, DOWNLOADS_DIR, ignore_errors=True)

# Test accounts' passwords are throwaway: a fast hasher keeps each account and sign-in from
# costing a deliberate slow hash (the site itself keeps Django's default, PBKDF2).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
