"""A provider deleted while a page is being computed (after its ids were counted, before its
rows were read) is left out of the page, never a 500."""

import pytest

from bpo_portal.core.caching import current_version
from bpo_portal.directory import selectors
from bpo_portal.directory.models import Provider, ServiceLine

pytestmark = pytest.mark.django_db


def test_a_service_line_page_leaves_out_a_provider_deleted_meanwhile():
    line = ServiceLine.objects.filter(providers__isnull=False).first()
    ids = list(line.providers.order_by("name").values_list("pk", flat=True))
    gone = ids[0]
    Provider.objects.filter(pk=gone).delete()
    rows = selectors.OfferingRows(line, ids, selectors.reference_rows(current_version()))
    listed = rows[0 : len(ids)]
    assert [p.pk for p in listed] == ids[1:]


def test_a_directory_page_leaves_out_a_provider_deleted_meanwhile(worker_ready):
    ids = list(Provider.objects.order_by("name").values_list("pk", flat=True))
    Provider.objects.filter(pk=ids[0]).delete()
    rows = selectors.RowsByIds(ids, worker_ready, selectors.reference_rows(current_version()))
    assert [p.pk for p in rows[0 : len(ids)]] == ids[1:]
