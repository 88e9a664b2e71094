from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from bpo_portal.core.exports import export_format, export_response
from bpo_portal.sources import selectors
from bpo_portal.sources.models import Source

SOURCE_COLUMNS = [
    ("title", lambda s: s.title),
    ("title_is_ours", lambda s: s.title_is_ours),
    ("slug", lambda s: s.slug),
    ("file_name", lambda s: s.file_name),
    ("summary", lambda s: s.summary),
    ("citations", lambda s: s.citation_count),
    ("url", lambda s: s.get_absolute_url()),
]


@require_safe
def source_list(request):
    sources = selectors.sources_overview()
    if fmt := export_format(request):
        return export_response(fmt, sources, SOURCE_COLUMNS, "sources")
    return render(request, "sources/source_list.html", {"sources": sources})


@require_safe
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    return render(
        request,
        "sources/source_detail.html",
        {"source": source, "sections": selectors.source_sections(source)},
    )
