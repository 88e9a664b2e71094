import html
import math

from django.contrib import admin, messages
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_http_methods, require_safe

from bpo_portal.core import changes as public_changes
from bpo_portal.core import search as engine
from bpo_portal.core.caching import cached_page, request_version, versioned
from bpo_portal.core.filtering import text_param
from bpo_portal.core.kinds import kind_named
from bpo_portal.core.links import url_for
from bpo_portal.portal import answers, navigation, selectors
from bpo_portal.portal.api import endpoints as api_endpoints
from bpo_portal.portal.downloads import (
    RETRY_SECONDS,
    file_response,
    latest_package,
    page_context,
)
from bpo_portal.portal.forms import SuggestionForm
from bpo_portal.portal.models import Suggestion
from bpo_portal.portal.outage import keeps_typed_text
from bpo_portal.portal.quality import dashboard

MAX_QUERY_LENGTH = 200
RESULTS_PER_KIND = 10
RESULTS_OF_ONE_KIND = 50


@require_safe
@cached_page
def home(request):
    return render(request, "portal/home.html", selectors.home_page())


def query_from(request):
    """The query typed, cleaned of what no database takes, cut to a sane length."""
    query = text_param(request, "q", max_length=None)
    if len(query) > MAX_QUERY_LENGTH:
        messages.warning(request, f"Only the first {MAX_QUERY_LENGTH} characters were searched.")
        query = query[:MAX_QUERY_LENGTH].strip()
    return query


@require_safe
@cached_page
def search(request):
    query = query_from(request)
    only = request.GET.get("kind", "")
    kind = kind_named(only)
    if kind is not None and not kind.search:
        kind = None
    if only and kind is None:
        messages.warning(request, "Ignored kind: not a kind of record search covers.")
    outcome = found = None
    if query:
        outcome = engine.run(
            query,
            kinds_wanted=[kind.prefix] if kind else [],
            per_kind=RESULTS_OF_ONE_KIND if kind else RESULTS_PER_KIND,
            version=request_version(request),
        )
        if not engine.words(query):
            messages.info(request, "Type a word or a name: punctuation alone finds nothing.")
        if kind is None:
            found = answers.answer(query, outcome)
        answers.describe_figures(outcome)
    return render(
        request,
        "portal/search.html",
        {"query": query, "outcome": outcome, "only": kind, "answer": found},
    )


@require_safe
def suggest(request):
    """/search/suggest/?q=: what the header's search box offers as the reader types (JSON)."""
    query = text_param(request, "q", max_length=MAX_QUERY_LENGTH)
    if len(engine.words(query)) == 0:
        return JsonResponse({"query": query, "suggestions": []})
    version = request_version(request)
    found = versioned(request, "suggest", query, lambda: engine.suggestions(query, version=version))
    return JsonResponse({"query": query, "suggestions": found})


CHANGES_PER_PAGE = 50


@require_safe
@cached_page
def changes(request):
    """Changes since the knowledge base was first loaded; ?all=1, the first load's too."""
    everything = request.GET.get("all") == "1"
    changes = selectors.public_changes(everything=everything)
    page = Paginator(changes, CHANGES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for change in page.object_list:
        change.field_labels = public_changes.field_labels(change)
        change.is_citation = change.kind == "citation"
        change.headline = public_changes.headline(change)
    return render(request, "portal/changes.html", {"page": page, "everything": everything})


class ChangesFeed(Feed):
    """The newest changes to the knowledge base, as an Atom feed (RFC 4287): each entry with its
    time updated and a URI for its id, the feed with an author."""

    feed_type = Atom1Feed
    title = "BPO Portal: recent changes"
    subtitle = "What curators have added, changed or removed in the knowledge base."
    link = "/changes/"
    author_name = "BPO Portal"

    def get_object(self, request, *args, **kwargs):
        return request

    def items(self, request):
        changes = list(selectors.public_changes()[:CHANGES_PER_PAGE])
        for change in changes:
            # Its place on /changes/, one per change: the record's own address can repeat.
            change.feed_id = request.build_absolute_uri(
                reverse("changes") + f"?all=1#change-{change.pk}"
            )
        return changes

    def item_title(self, change):
        return public_changes.headline(change)

    def item_description(self, change):
        return public_changes.in_words(change)

    def item_link(self, change):
        # The record's own address (a figure's holds its anchor); a removed record has none.
        return change.url or reverse("changes") + f"?all=1#change-{change.pk}"

    def item_pubdate(self, change):
        return change.date

    def item_updateddate(self, change):
        return change.date

    def item_guid(self, change):
        return change.feed_id

    item_guid_is_permalink = False


@require_http_methods(["GET", "HEAD", "POST"])
@keeps_typed_text
def suggest_correction(request):
    """Suggest a correction: a form (GET), and the suggestion queued for curators (POST)."""
    page = selectors.local_page(request.GET.get("page") or request.POST.get("page") or "")
    fact = request.GET.get("fact") or request.POST.get("fact") or ""
    record = selectors.fact_named(fact)
    if record is None:
        fact = ""
        record = selectors.record_on_page(page)
        if record is None and "#" in page:  # the page, from the link beside one of its facts
            record = selectors.record_on_page(page.split("#")[0])
    form = SuggestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        address = selectors.address_hash(request)
        if (wait := selectors.suggestion_wait(address)) is not None:
            messages.error(
                request,
                "Thank you, but this address has sent several corrections in the last few "
                f"minutes. Please try again in {waiting_time(wait)}; what you typed is still "
                "below.",
            )
            status = 429
        elif form.is_valid():
            suggestion = form.save(commit=False)
            suggestion.page = page
            suggestion.address_hash = address
            if record is not None:
                suggestion.record_kind, suggestion.record_id, suggestion.record_title = record
            try:
                suggestion.save()
            except DatabaseError:
                messages.error(
                    request,
                    "We could not save your correction just now. Nothing you typed is lost: "
                    "it is still below. Please send it again in a moment.",
                )
                status = 503
            else:
                # Redirected, so that reloading the thank-you page sends nothing again.
                request.session[SENT_SUGGESTION] = suggestion.pk
                return redirect("suggest_thanks")
        else:
            status = 400
    return render(
        request,
        "portal/suggest.html",
        {
            "form": form,
            "page": page,
            "record": record,
            "fact": fact,
            "title": page_title(request, page) if record is None else "",
        },
        status=status,
    )


SENT_SUGGESTION = "suggestion_sent"


@require_safe
def suggest_thanks(request):
    """The thank-you page after a correction is sent, showing what was sent (the suggestion this
    browser's session saved); with none, the form."""
    pk = request.session.get(SENT_SUGGESTION)
    suggestion = Suggestion.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if suggestion is None:
        return redirect("suggest")
    return render(
        request, "portal/suggest_thanks.html", {"suggestion": suggestion, "page": suggestion.page}
    )


def page_title(request, page):
    """The title of the page a correction is about: a section's own name, else the title the
    page's footer link gave (shown as text only), else none."""
    path = page.split("#")[0].split("?")[0]
    if path == "/":
        return "The home page"
    for name, label in navigation.MAIN + navigation.MORE:
        if url_for(name) == path:
            return label
    given = html.unescape(text_param(request, "title") or request.POST.get("title", ""))
    return " ".join(given.replace("\x00", "").split())[:200]


def waiting_time(wait):
    """A wait in words, rounded up to the minute: "1 minute", "7 minutes"."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def quality(request):
    """The curators' quality dashboard (in the admin)."""
    context = {**admin.site.each_context(request), "title": "Quality dashboard", **dashboard()}
    return render(request, "admin/quality.html", context)


@require_safe
@cached_page
def open_data(request):
    """/data/: the whole knowledge base to download, with what each file holds; while the
    files of a new data version are being built, the last complete ones (not kept in the page
    cache, so the new ones show as soon as they are ready)."""
    built, current = latest_package(request_version(request))
    context = {
        "preparing": not current,
        **(page_context(built) if built else {}),
    }
    response = render(request, "portal/data.html", context)
    if not current:
        response["Cache-Control"] = "no-store"
    if built is None:  # nothing to offer yet: when to come back
        response["Retry-After"] = str(RETRY_SECONDS)
    return response


def _download(request, name):
    response = file_response(request_version(request), name)
    if response is None:
        response = render(request, "portal/preparing.html", status=503)
        response["Retry-After"] = str(RETRY_SECONDS)
    return response


@require_safe
def data_download(request, name):
    """One file of the data package: the newest complete one."""
    return _download(request, name)


@require_safe
def data_csv(request, resource):
    return _download(request, f"{resource}.csv")


@require_safe
@cached_page
def api(request):
    """/api/: what the JSON downloads of the list pages return."""
    return render(request, "portal/api.html", {"endpoints": api_endpoints(request)})
