from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from bpo_portal.core.caching import cached_page, request_version
from bpo_portal.core.exports import export_format, export_response, list_download
from bpo_portal.core.kinds import kind_for
from bpo_portal.sources import selectors
from bpo_portal.sources.models import Source


@require_safe
@cached_page
@list_download(Source)
def source_list(request):
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Source), selectors.sources_for_export(), "sources")
    counts = selectors.citation_counts(request_version(request))
    return render(
        request,
        "sources/source_list.html",
        {"sources": selectors.sources_overview(counts=counts)},
    )


# Footnotes link to a section of page 1, so a page holds more than any real source cites;
# only very large sources (generated demo data) run to further pages.
CITATIONS_PER_PAGE = 1000


@require_safe
@cached_page
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    citations = selectors.source_citations(source=source)
    page = Paginator(citations, CITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "sources/source_detail.html",
        {
            "source": source,
            "page": page,
            "sections": selectors.source_sections(source=source, citations=page),
        },
    )
