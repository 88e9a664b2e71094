from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bpo_portal.core import search as engine
from bpo_portal.core.caching import cached_page, request_version, versioned
from bpo_portal.core.filtering import text_param
from bpo_portal.core.kinds import kinds
from bpo_portal.portal import selectors

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
    kind = next((k for k in kinds() if k.prefix == only and k.search), None)
    if only and kind is None:
        messages.warning(request, "Ignored kind: not a kind of record search covers.")
    outcome = None
    if query:
        outcome = engine.run(
            query,
            kinds_wanted=[kind.prefix] if kind else [],
            per_kind=RESULTS_OF_ONE_KIND if kind else RESULTS_PER_KIND,
            version=request_version(request),
        )
        if not engine.words(query):
            messages.info(request, "Type a word or a name: punctuation alone finds nothing.")
    return render(request, "portal/search.html", {"query": query, "outcome": outcome, "only": kind})


@require_safe
def suggest(request):
    """/search/suggest/?q=: what the header's search box offers as the reader types (JSON)."""
    query = text_param(request, "q", max_length=MAX_QUERY_LENGTH)
    if len(engine.words(query)) == 0:
        return JsonResponse({"query": query, "suggestions": []})
    version = request_version(request)
    found = versioned(request, "suggest", query, lambda: engine.suggestions(query, version=version))
    return JsonResponse({"query": query, "suggestions": found})
