"""{% disputed fact %}: a link to every disagreement about a record, on the record's own page;
{% dispute_marks figure %}: a mark naming each disagreement about a figure, on the statistics page."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

from bpo_portal.core.caching import per_version, request_version
from bpo_portal.core.kinds import kind_for
from bpo_portal.core.links import url_for
from bpo_portal.sector.models import Disagreement, DisagreementSubject
from bpo_portal.sector.selectors import puts_in_question

register = template.Library()


@per_version
def disputed_records():
    """{(kind prefix, slug): [(disagreement slug, title, kind)]}, kept per process for a data
    version."""
    found = {}
    rows = DisagreementSubject.objects.values_list(
        "subject_kind",
        "subject_slug",
        "disagreement__slug",
        "disagreement__title",
        "disagreement__kind",
    ).order_by("disagreement__title")
    for kind, slug, disagreement, title, disagreement_kind in rows:
        found.setdefault((kind, slug), []).append((disagreement, title, disagreement_kind))
    return found


@register.simple_tag(takes_context=True)
def disputed(context, fact):
    kind = kind_for(type(fact))
    request = context.get("request")
    if kind is None or request is None:
        return ""
    entries = disputed_records(request_version(request)).get(
        (kind.prefix, getattr(fact, "slug", None)), []
    )
    if not entries:
        return ""
    page = url_for("sector:disagreement_list")
    explained = Disagreement.Kind.NOT_CONTRADICTION
    parts = []
    for label, wanted in (("⚠ Sources differ", False), ("Not a contradiction", True)):
        chosen = [(page, s, t) for s, t, k in entries if (k == explained) == wanted]
        if chosen:
            links = format_html_join("; ", '<a href="{}#{}">{}</a>', chosen)
            css = "badge explained" if wanted else "flag"
            parts.append(format_html('<span class="{}">{}</span> {}', css, label, links))
    return format_html(
        '<p class="disputed">{}</p>', format_html_join(" ", "{}", ((part,) for part in parts))
    )


@register.simple_tag
def dispute_marks(statistic):
    """A link to each disagreement that puts a figure in question (its `disputes`, as the
    statistics page reads them), named by its title: a warning where the sources contradict
    each other or the figure does not follow from its inputs, a plain mark where the
    disagreement itself says they do not contradict. The inputs of a figure that does not
    follow are not marked."""
    marks = []
    for d in statistic.disputes:
        if d.kind == Disagreement.Kind.NOT_CONTRADICTION:
            label = (
                d.title
                if "not a contradiction" in d.title.lower()
                else f"{d.title} (not a contradiction)"
            )
            marks.append(("badge dispute-mark explained", d.slug, label))
        elif puts_in_question(d, statistic):
            marks.append(("flag dispute-mark", d.slug, f"⚠ {d.title}"))
    return format_html_join("", '<a class="{}" href="#{}">{}</a>', marks)


@register.filter
def without_verdict(summary):
    """A non-contradiction's summary without its opening 'Not a contradiction:', which the card
    says once already."""
    head = "not a contradiction:"
    if summary[: len(head)].lower() != head:
        return summary
    return capfirst(summary[len(head) :].strip())
