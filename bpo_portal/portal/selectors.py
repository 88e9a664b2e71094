"""Reads for the pages that span every kind of knowledge: home and site-wide search."""

import hashlib
import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, F, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import Resolver404, resolve
from django.utils import timezone

from bpo_portal.core.kinds import kind_named
from bpo_portal.core.models import Change, LoadedRecord, SearchDocument
from bpo_portal.core.text import shorten
from bpo_portal.directory.models import City, Provider, ServiceCategory
from bpo_portal.portal.models import Suggestion
from bpo_portal.sector.models import Incentive, Statistic
from bpo_portal.sources.models import prefetch_citations

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

HEADLINE_STATISTICS = [
    "call-centre-employment-100k",
    "it-ites-exports-2022",
    "bpo-revenue-2020",
    "median-age-22",
]


def current_figures(slugs):
    """{slug: the figure now current in its line}: a figure a newer one replaced gives way to
    the newest figure replacing it, however many replacements there have been."""
    metrics = Statistic.objects.filter(slug__in=slugs).values("metric")
    line = {
        s.pk: s
        for s in Statistic.objects.filter(metric__in=metrics)
        .select_related("origin", "metric")
        .prefetch_related(prefetch_citations())
    }
    newer = {s.supersedes_id: s for s in line.values() if s.supersedes_id}
    current = {}
    for figure in line.values():
        if figure.slug in slugs:
            newest = figure
            while newest.pk in newer:
                newest = newer[newest.pk]
            current[figure.slug] = newest
    return current


def home_page():
    headline = current_figures(HEADLINE_STATISTICS)
    return {
        "headline": [headline[slug] for slug in HEADLINE_STATISTICS if slug in headline],
        "categories": list(
            ServiceCategory.objects.annotate(line_count=Count("service_lines")).order_by(
                "position", "name"
            )
        ),
        "cities": list(City.objects.all()),
        "incentives": list(
            Incentive.objects.enacted()
            .select_related("body")
            .order_by(F("year").desc(nulls_last=True), "-created")[:5]
        ),
        "provider_count": Provider.objects.real().count(),
    }


def public_changes(*, everything=False):
    """The changes, newest first: those made since the knowledge base was first loaded (by
    curators, or by a later load of an edited knowledge file), or `everything`, the first
    load's own rows too. A load notes its records in the ledger once its rows are written, so
    every change of the first load comes before the ledger's earliest entry."""
    changes = Change.objects.order_by("-date", "-id")
    if everything:
        return changes
    first_load = LoadedRecord.objects.order_by("loaded").values("loaded")[:1]
    return changes.filter(date__gt=Coalesce(Subquery(first_load), Value(EPOCH)))


def local_page(text):
    """A path of this site the reader came from, or "/" (never another site's address)."""
    text = text.replace("\x00", "").strip()[:400]
    if not text.startswith("/") or text.startswith("//"):
        return "/"
    try:
        resolve(text.split("#")[0].split("?")[0])
    except Resolver404:
        return "/"
    return text


def record_on_page(page):
    """(kind, id, title) of the record a page shows, if it is a record's own page."""
    document = SearchDocument.objects.filter(url=page).first()
    if document is None:
        return None
    return document.kind, document.object_id, document.title


FACT_REFERENCE = re.compile(r"([a-z][a-z-]{0,39}):([0-9]{1,18})(?::([a-z][a-z_]{0,49}))?")


def fact_named(reference):
    """(kind, id, title) of the cited fact a reader's correction is about, from the reference
    the link beside each fact gives (`kind:id`, or `kind:id:field` for one of its fields), or
    None for a reference to nothing."""
    match = FACT_REFERENCE.fullmatch(reference or "")
    kind = kind_named(match[1]) if match else None
    if kind is None:
        return None
    record = kind.model.objects.filter(pk=int(match[2])).first()
    if record is None:
        return None
    title = record.describe() if hasattr(record, "describe") else str(record)
    if match[3]:
        try:
            title = f"{title}: {kind.model._meta.get_field(match[3]).verbose_name}"
        except FieldDoesNotExist:
            return None
    return kind.prefix, record.pk, shorten(title, 300)


def client_address(request):
    """The reader's address. Behind TRUSTED_PROXIES proxies, each adding the address it saw to
    X-Forwarded-For, it is the one the outermost of them saw; entries further left are whatever
    the client sent, and never trusted. A request that does not come from one of the
    TRUSTED_PROXY_ADDRESSES reached the app directly: its X-Forwarded-For is not read at all."""
    address = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXIES
    if count and address in settings.TRUSTED_PROXY_ADDRESSES:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        hops = [hop.strip() for hop in forwarded if hop.strip()]
        if len(hops) >= count:
            address = hops[-count]
    return address


def address_hash(request):
    """The reader's address, hashed with the site's key: enough to count, not to identify."""
    address = client_address(request)
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


SUGGESTIONS_PER_WINDOW = 5
SUGGESTION_WINDOW = timedelta(minutes=10)


def too_many_suggestions(address):
    since = timezone.now() - SUGGESTION_WINDOW
    recent = Suggestion.objects.filter(address_hash=address, created__gte=since)
    return recent.count() >= SUGGESTIONS_PER_WINDOW


def suggestion_wait(address):
    """How long an address that has sent its share of corrections waits before it may send
    another (when the oldest of them leaves the window), or None if it need not wait."""
    now = timezone.now()
    recent = list(
        Suggestion.objects.filter(address_hash=address, created__gte=now - SUGGESTION_WINDOW)
        .order_by("-created")
        .values_list("created", flat=True)[:SUGGESTIONS_PER_WINDOW]
    )
    if len(recent) < SUGGESTIONS_PER_WINDOW:
        return None
    return max(recent[-1] + SUGGESTION_WINDOW - now, timedelta(0))
