"""Reads for the pages that span every kind of knowledge: home and site-wide search."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F
from django.urls import Resolver404, resolve
from django.utils import timezone

from bpo_portal.core.kinds import kind_named
from bpo_portal.core.models import Change, SearchDocument
from bpo_portal.directory.models import City, Provider, ServiceCategory
from bpo_portal.portal.models import Suggestion
from bpo_portal.sector.models import Incentive, Statistic
from bpo_portal.sources.models import prefetch_citations

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


def public_changes():
    return Change.objects.order_by("-date", "-id")


def change_in_words(change):
    kind = kind_named(change.kind)
    label = kind.label if kind else change.kind
    if change.action == Change.Action.CHANGED and change.fields:
        return f"{label.capitalize()} changed: {', '.join(f.replace('_', ' ') for f in change.fields)}."
    return f"{label.capitalize()} {change.get_action_display().lower()}."


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
