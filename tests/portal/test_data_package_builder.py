"""No request waits for the open-data package: after a change, the last complete package is
served while a thread builds the new one; before the first build, a page says it is coming."""

import pytest
from django.urls import reverse

from bpo_portal.core.caching import current_version
from bpo_portal.directory.models import Provider
from bpo_portal.portal import downloads

pytestmark = pytest.mark.django_db


@pytest.fixture
def builder(settings, monkeypatch, tmp_path):
    """The builder thread, started but held: `run()` lets it build, in this test's transaction."""
    settings.DATA_PACKAGE_IN_BACKGROUND = True
    settings.DOWNLOADS_DIR = str(tmp_path)
    started = []

    class HeldThread:
        def __init__(self, target, **kwargs):
            self.target = target

        def start(self):
            started.append(self)

    monkeypatch.setattr(downloads.threading, "Thread", HeldThread)
    monkeypatch.setattr(downloads.connections, "close_all", lambda: None)  # the test's own

    class Builder:
        def run(self):
            assert len(started) == 1  # one builder at a time, however many requests came
            started.pop().target()

        @property
        def waiting(self):
            return len(started)

    return Builder()


def test_before_the_first_build_the_page_says_the_files_are_coming(client, builder):
    page = client.get(reverse("data"))
    assert page.status_code == 200
    assert "being prepared for the first time" in page.content.decode()
    assert page["Cache-Control"] == "no-store"
    download = client.get(reverse("data_zip"))
    assert download.status_code == 503 and download["Retry-After"] == "30"
    assert builder.waiting == 1
    builder.run()
    page = client.get(reverse("data"))
    assert f"This is data version {current_version()}" in page.content.decode()
    assert client.get(reverse("data_zip")).status_code == 200


def test_after_a_change_the_last_package_is_served_while_the_new_one_is_built(
    client, builder, django_capture_on_commit_callbacks
):
    old = downloads.package()
    with django_capture_on_commit_callbacks(execute=True):
        Provider.objects.filter(slug="ibex").update(headcount="Thousands")
    page = client.get(reverse("data"))
    text = page.content.decode()
    assert f"This is data version {old.version}" in text
    assert "newer files are being prepared" in text
    assert client.get(reverse("data_zip")).status_code == 200  # the old files meanwhile
    builder.run()
    text = client.get(reverse("data")).content.decode()
    assert f"This is data version {current_version()}" in text
    assert "being prepared" not in text


def test_a_failed_build_leaves_the_last_package_served(client, builder, monkeypatch):
    old = downloads.package()
    Provider.objects.filter(slug="ibex").update(headcount="Thousands")

    def full_disk(folder, version):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(downloads, "_write_package", full_disk)
    client.get(reverse("data"))
    builder.run()  # logs the failure, releases the builder
    text = client.get(reverse("data")).content.decode()
    assert f"This is data version {old.version}" in text
    assert builder.waiting == 1  # the next request tries again
