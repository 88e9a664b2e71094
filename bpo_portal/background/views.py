from django.shortcuts import render
from django.views.decorators.http import require_safe

from bpo_portal.background import selectors
from bpo_portal.background.models import Event, Statement, Technology, Term
from bpo_portal.core.caching import cached_page
from bpo_portal.core.exports import export_format, export_response, list_download
from bpo_portal.core.kinds import kind_for

EFFECT_TOPICS = [
    Statement.Topic.EMPLOYMENT,
    Statement.Topic.PAY,
    Statement.Topic.SKILLS,
    Statement.Topic.FOREIGN_EXCHANGE,
    Statement.Topic.ECONOMY,
    Statement.Topic.SOCIETY,
]


def exported(request, model, queryset, name):
    """The list as a CSV or JSON download when ?format= asks for one, else None."""
    if fmt := export_format(request):
        return export_response(fmt, kind_for(model), queryset, name)
    return None


@require_safe
@cached_page
@list_download(Event)
def timeline(request):
    if download := exported(request, Event, selectors.timeline_events(), "timeline"):
        return download
    return render(request, "background/timeline.html", {"entries": selectors.timeline()})


@require_safe
@cached_page
@list_download(Term)
def glossary(request):
    if download := exported(request, Term, selectors.terms(), "glossary"):
        return download
    return render(request, "background/glossary.html", {"groups": selectors.terms_by_letter()})


@require_safe
@cached_page
@list_download(Technology)
def technology_list(request):
    if download := exported(request, Technology, selectors.technologies(), "technologies"):
        return download
    return render(
        request, "background/technology_list.html", {"groups": selectors.technologies_by_kind()}
    )


@require_safe
@cached_page
@list_download(Statement)
def effects(request):
    if download := exported(
        request, Statement, selectors.statements(topics=EFFECT_TOPICS), "effects"
    ):
        return download
    return render(
        request,
        "background/effects.html",
        {"groups": selectors.statements_by_topic(topics=EFFECT_TOPICS)},
    )


@require_safe
@cached_page
@list_download(Statement)
def outlook(request):
    topics = [Statement.Topic.OUTLOOK]
    if download := exported(request, Statement, selectors.statements(topics=topics), "outlook"):
        return download
    return render(
        request, "background/outlook.html", {"statements": selectors.statements(topics=topics)}
    )
