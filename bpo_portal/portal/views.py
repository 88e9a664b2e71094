from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.http import require_safe

from bpo_portal.core.caching import cached_page
from bpo_portal.core.filtering import text_param
from bpo_portal.portal import selectors

MAX_QUERY_LENGTH = 200
RESULTS_PER_TYPE = 10


@require_safe
@cached_page
def home(request):
    return render(request, "portal/home.html", selectors.home_page())


@require_safe
@cached_page
def search(request):
    query = text_param(request, "q", max_length=None)
    if len(query) > MAX_QUERY_LENGTH:
        messages.warning(request, f"Only the first {MAX_QUERY_LENGTH} characters were searched.")
        query = query[:MAX_QUERY_LENGTH].strip()
    groups = []
    if query:
        for label, singular, list_url, queryset in selectors.search_groups(query=query):
            results = list(queryset[: RESULTS_PER_TYPE + 1])
            if results:
                groups.append(
                    {
                        "label": label,
                        "singular": singular,
                        "list_url": list_url,
                        "results": results[:RESULTS_PER_TYPE],
                        "more": len(results) > RESULTS_PER_TYPE,
                    }
                )
    return render(
        request,
        "portal/search.html",
        {"query": query, "groups": groups, "total": sum(len(g["results"]) for g in groups)},
    )
