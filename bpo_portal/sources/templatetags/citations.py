from django import template
from django.utils.html import format_html, format_html_join

from bpo_portal.sources.citations import section_anchor

register = template.Library()


@register.simple_tag(takes_context=True)
def cite(context, fact, field=""):
    """Footnote markers for the citations supporting `fact` (or one of its fields)."""
    citations = fact.citations_for(field)
    if not citations:
        return ""
    numbers = context["footnotes"].number(citations)
    links = format_html_join(
        ", ", '<a href="#cite-{}" aria-label="Source {}">{}</a>', ((n, n, n) for n in numbers)
    )
    return format_html('<sup class="cite">[{}]</sup>', links)


@register.inclusion_tag("includes/footnotes.html", takes_context=True)
def footnotes(context):
    return {"entries": context["footnotes"].entries}


@register.filter
def anchor(heading):
    return section_anchor(heading)
