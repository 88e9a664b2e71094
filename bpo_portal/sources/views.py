from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from bpo_portal.core.caching import cached_page
from bpo_portal.core.exports import export_format, export_response
from bpo_portal.core.kinds import kind_for
from bpo_portal.sources import selectors
from bpo_portal.sources.models import Source


@require_safe
@cached_page
def source_list(request):
    sources = selectors.sources_overview()
    if fmt := export_format(request):
        return export_response(fmt, kind_for(Source), sources, "sources")
    return render(request, "sources/source_list.html", {"sources": sources})


@require_safe
@cached_page
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "sections": selectors.source_sections(source=source)},
    )
