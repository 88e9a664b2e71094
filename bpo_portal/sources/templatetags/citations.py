from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from bpo_portal.core.changes import field_label
from bpo_portal.core.kinds import kind_for
from bpo_portal.sources.citations import section_anchor

register = template.Library()


@register.simple_tag(takes_context=True)
def cite(context, fact, field=""):
    """Footnote markers for the citations supporting `fact` (or one of its fields), each with
    an id for the footnote's link back, and beside them a link to suggest a correction to it."""
    citations = fact.citations_for(field)
    if not citations:
        return ""
    marks = context["footnotes"].mark(citations)
    links = format_html_join(
        ", ",
        '<a href="#cite-{}" id="{}" aria-label="Source {}">{}</a>',
        ((n, ref, n, n) for n, ref in marks),
    )
    return format_html(
        '<sup class="cite">[{}]</sup>{}', links, suggest_link(context, fact, field, marks[0][1])
    )


def suggest_link(context, fact, field, ref):
    """A link to the correction form about this fact, which names it (and where it was)."""
    request = context.get("request")
    kind = kind_for(type(fact))
    if request is None or kind is None:
        return ""
    reference = ":".join(str(part) for part in (kind.prefix, fact.pk, field) if part)
    query = urlencode({"page": f"{request.path}#{ref}", "fact": reference})
    return format_html(
        '<a class="suggest-fact" href="{}?{}" title="Suggest a correction to this fact">'
        '<span aria-hidden="true">✎</span>'
        '<span class="visually-hidden">Suggest a correction to this fact</span></a>',
        reverse("suggest"),
        query,
    )


@register.inclusion_tag("includes/footnotes.html", takes_context=True)
def footnotes(context):
    return {"entries": context["footnotes"].listed()}


@register.filter
def cited_field(citation):
    """The field a citation backs, by its verbose name ("founded year", not "founded_year")."""
    return field_label(type(citation.fact), citation.field)


@register.filter
def any_ours(headings):
    """Whether any heading is bracketed, that is, given by us to a part without one."""
    return any(h.startswith("[") for h in headings or ())


@register.filter
def anchor(heading):
    return section_anchor(heading)
