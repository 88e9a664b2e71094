"""{% glossary text %}: the text, escaped, with the first use on the page of each glossary term
linked to its entry. Abbreviations match in capitals only ("IT", not "it"); other forms match
whole words in any case."""

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from bpo_portal.background.models import Term
from bpo_portal.core.caching import per_version, request_version
from bpo_portal.core.links import url_for

register = template.Library()


@per_version
def term_pattern():
    """(compiled pattern, {form: slug}) of the glossary, kept per process for a data version."""
    forms = {}
    for slug, term, abbreviation, also in Term.objects.values_list(
        "slug", "term", "abbreviation", "also"
    ):
        for form in [term, *also]:
            forms.setdefault(form.lower(), slug)
        if abbreviation:
            forms.setdefault(abbreviation, slug)
    alternatives = sorted(forms, key=len, reverse=True)
    parts = [
        re.escape(form) if form.isupper() else f"(?i:{re.escape(form)})" for form in alternatives
    ]
    pattern = re.compile(r"\b(" + "|".join(parts) + r")\b") if parts else None
    return pattern, forms


@register.simple_tag(takes_context=True)
def glossary(context, text):
    request = context.get("request")
    if request is None or not text:
        return text
    pattern, forms = term_pattern(request_version(request))
    if pattern is None:
        return text
    linked = request.__dict__.setdefault("_glossary_linked", set())
    glossary_url = url_for("background:glossary")
    out, last = [], 0
    for match in pattern.finditer(str(text)):
        word = match.group(0)
        slug = forms.get(word) or forms.get(word.lower())
        if slug is None or slug in linked:
            continue
        linked.add(slug)
        out.append(escape(text[last : match.start()]))
        out.append(format_html('<a class="term" href="{}#{}">{}</a>', glossary_url, slug, word))
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))
