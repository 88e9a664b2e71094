"""Direct answers to the questions people type into search, built from cited rows only.

A question is recognised by its words and by what the search found for them: "who offers data
entry" names a service line, "when was TRG Pakistan founded" a provider and an attribute. Each
answer is a few lines, every one of them made from one or more cited rows (the rows are given
with it, and the page shows their footnotes), and a link to the page the answer comes from.
Where the sources are silent, the line says so. A question not recognised gets no answer: the
results stand alone.
"""

from dataclasses import dataclass, field

from django.urls import reverse

from bpo_portal.background.models import Term
from bpo_portal.core.links import url_for
from bpo_portal.core.search import STOPWORDS, words
from bpo_portal.directory.models import (
    City,
    Provider,
    ProviderAlias,
    ProviderCity,
    ProviderService,
    ServiceCategory,
    ServiceLine,
)
from bpo_portal.sector.models import Disagreement, Incentive, Metric, Statistic
from bpo_portal.sources.models import attach_citations

NOT_STATED = "not stated in the sources"
MOST_LISTED = 50  # providers or incentives one answer lists

# Words that say what is asked.
ASKS_WHO = {
    "who",
    "provider",
    "providers",
    "company",
    "companies",
    "firm",
    "firms",
    "vendor",
    "vendors",
    "offer",
    "offers",
    "offering",
    "provide",
    "provides",
    "hire",
}
ASKS_WHAT = {"what", "whats", "define", "definition", "meaning", "mean", "means", "stand", "stands"}
ASKS_HOW_MUCH = {
    "growth",
    "grow",
    "grown",
    "growing",
    "size",
    "revenue",
    "revenues",
    "worth",
    "earn",
    "earns",
    "earnings",
    "figure",
    "figures",
}
HOW_MUCH_AFTER_HOW = {"many", "much", "big", "large", "fast"}
# A provider's attributes, by the words that ask for them, in the order they are tried.
ATTRIBUTES = [
    ("founded", {"founded", "established", "founding", "started", "began", "incorporated"}),
    (
        "headcount",
        {"employees", "employee", "staff", "headcount", "workforce", "workers", "employs"},
    ),
    ("parent", {"parent", "owner", "owned", "owns", "subsidiary", "belongs"}),
    ("former", {"former", "formerly", "previously", "renamed", "called", "aka"}),
    ("services", {"services", "service", "offer", "offers", "offering", "provide", "provides"}),
]
INCENTIVE_WORDS = {
    "incentive",
    "incentives",
    "break",
    "breaks",
    "exemption",
    "exemptions",
    "relief",
    "holiday",
    "holidays",
    "scheme",
    "schemes",
    "measure",
    "measures",
    "policy",
    "policies",
    "benefit",
    "benefits",
    "concession",
    "concessions",
}
# Kinds of incentive whose name alone asks for them ("subsidies", unlike "tax" or "training").
INCENTIVES_BY_NAME = {"subsidy", "subsidies", "grant", "grants"}
K = Incentive.Kind
INCENTIVE_KINDS = {
    "tax": [K.TAX],
    "taxes": [K.TAX],
    "taxation": [K.TAX],
    "subsidy": [K.SUBSIDY],
    "subsidies": [K.SUBSIDY],
    "grant": [K.SUBSIDY],
    "grants": [K.SUBSIDY],
    "zone": [K.ECONOMIC_ZONE],
    "zones": [K.ECONOMIC_ZONE],
    "sez": [K.ECONOMIC_ZONE],
    "sezs": [K.ECONOMIC_ZONE],
    "park": [K.TECHNOLOGY_PARK],
    "parks": [K.TECHNOLOGY_PARK],
    "infrastructure": [K.TECHNOLOGY_PARK, K.ECONOMIC_ZONE, K.CONNECTIVITY],
    "connectivity": [K.CONNECTIVITY],
    "internet": [K.CONNECTIVITY],
    "broadband": [K.CONNECTIVITY],
    "fibre": [K.CONNECTIVITY],
    "fiber": [K.CONNECTIVITY],
    "training": [K.TRAINING],
    "education": [K.TRAINING],
    "skills": [K.TRAINING],
    "skill": [K.TRAINING],
    "regulation": [K.REGULATION],
    "regulations": [K.REGULATION],
    "regulatory": [K.REGULATION],
    "partnership": [K.PARTNERSHIP],
    "partnerships": [K.PARTNERSHIP],
    "liberalisation": [K.LIBERALISATION],
    "liberalization": [K.LIBERALISATION],
    "investment": [K.INVESTMENT],
    "investments": [K.INVESTMENT],
}


@dataclass
class Line:
    """One sentence of an answer and the cited rows it is made from: (row, field) pairs whose
    citations the page shows as its footnotes."""

    text: str
    facts: list = field(default_factory=list)
    url: str = ""  # a page about the line's subject, if it has one


@dataclass
class Answer:
    shape: str  # providers, definition, founded, headcount, parent, former, services, ...
    question: str  # what is answered, in words
    lines: list
    link: str  # the page the answer comes from
    link_label: str
    intro: str = ""  # what the list of lines is, counted

    @property
    def citations(self):
        return [c for line in self.lines for fact, name in line.facts for c in _cited(fact, name)]


def _cited(fact, name=""):
    """The citations of a field of a fact, or of the whole fact where the field has none."""
    return fact.citations_for(name) or fact.citations_for("")


def answer(query, outcome):
    """The Answer to `query` from what the search found (`outcome`), or None."""
    typed = set(words(query))
    if not typed or outcome is None or not outcome.total:
        return None
    shapes = (_about_provider, _how_much, _incentives, _who_offers, _definition, _what_figure)
    for shape in shapes:
        found = shape(typed, outcome)
        if found is None:
            continue
        for line in found.lines:  # each row with the field its citations support, if any
            line.facts = [
                (fact, name if fact.citations_for(name) else "")
                for fact, name in line.facts
                if _cited(fact, name)
            ]
        found.lines = [line for line in found.lines if line.facts]
        return found if found.lines else None
    return None


def describe_figures(outcome):
    """Give the figures among the results their Statistic row (value, period and scope): one
    query."""
    shown = [r for g in outcome.groups if g.kind.prefix == "statistic" for r in g.results]
    if shown:
        rows = Statistic.objects.in_bulk([r.object_id for r in shown])
        for result in shown:
            result.figure = rows.get(result.object_id)


def _named(outcome, kind, covered=0.5):
    """The id of the result of `kind` whose name the query names best, or None: of those whose
    name (title or other name) holds some of the query's words, and whose name's words the
    query holds in more than the share `covered`, the one whose name holds the words that
    weigh most, then the one whose name the query covers most, then the first."""
    group = next((g for g in outcome.groups if g.kind.prefix == kind), None)
    if group is None:
        return None
    plan = outcome.plan
    best, most = None, (0.0, 0.0)
    for result in group.results:
        name = [w for w in words(result.name) if w not in STOPWORDS]
        if not name:
            continue
        held = plan.matched_in(name)
        asked = {w for n in held for a in plan.groups[n] for w in a.words}
        share = sum(w in asked for w in name) / len(name)
        weight = sum(plan.weights[n] for n in held)
        if share > covered and (weight, share) > most:
            best, most = result, (weight, share)
    return best.object_id if best is not None else None


def _about_provider(typed, outcome):
    pk = _named(outcome, "provider", covered=0.99)  # every word of its name
    if pk is None:
        return None
    attribute = next((name for name, asks in ATTRIBUTES if typed & asks), None)
    if attribute is None:
        return None
    provider = Provider.objects.select_related("parent").filter(pk=pk).first()
    if provider is None:
        return None
    url, name = provider.get_absolute_url(), provider.name
    facts = [provider]
    if attribute == "founded":
        if provider.founded_year:
            lines = [
                Line(
                    f"{name} was founded in {provider.founded_year}.", [(provider, "founded_year")]
                )
            ]
            if provider.founded_year_ambiguous:
                lines.append(
                    Line(
                        "The source's sentence could attach that year to another body named "
                        "beside it, so it may not be this provider's own.",
                        [(provider, "founded_year")],
                    )
                )
        else:
            lines = [Line(f"When {name} was founded: {NOT_STATED}.", [(provider, "")])]
        question = f"When was {name} founded?"
    elif attribute == "headcount":
        if provider.headcount:
            text = f"The sources put {name}'s staff at “{provider.headcount}”."
            lines = [Line(text, [(provider, "headcount")])]
        else:
            lines = [Line(f"How many people {name} employs: {NOT_STATED}.", [(provider, "")])]
        question = f"How many people work at {name}?"
    elif attribute == "parent":
        if provider.parent is not None:
            text = f"{name} is part of {provider.parent.name}."
            lines = [Line(text, [(provider, "parent")], provider.parent.get_absolute_url())]
        else:
            lines = [Line(f"A parent group of {name}: {NOT_STATED}.", [(provider, "")])]
        question = f"Who owns {name}?"
    elif attribute == "former":
        aliases = list(ProviderAlias.objects.filter(provider=provider))
        facts += aliases
        lines = [
            Line(f"{name} was {alias.get_kind_display().lower()} {alias.name}.", [(alias, "")])
            if alias.kind == ProviderAlias.Kind.ALIAS
            else Line(f"{name} was formerly called {alias.name}.", [(alias, "")])
            for alias in aliases
        ] or [Line(f"Other names of {name}: {NOT_STATED}.", [(provider, "")])]
        question = f"What else has {name} been called?"
    else:
        links = list(
            ProviderService.objects.filter(provider=provider)
            .select_related("service_line")
            .order_by("service_line__name")
        )
        facts += links
        lines = [
            Line(link.service_line.name, [(link, "")], link.service_line.get_absolute_url())
            for link in links
        ] or [Line(f"The services of {name}: {NOT_STATED}.", [(provider, "")])]
        question = f"What services does {name} offer?"
    attach_citations(facts)
    found = Answer(attribute, question, lines, url, f"{name}'s profile")
    if attribute == "services" and len(facts) > 1:
        found.intro = f"The sources name {_count(len(facts) - 1, 'service line')} of {name}:"
    return found


def _how_much(typed, outcome):
    """How many / how big / how much / growth of a metric."""
    if typed & ASKS_HOW_MUCH or ("how" in typed and typed & HOW_MUCH_AFTER_HOW):
        return _figures(outcome, covered=0.0)
    return None


def _what_figure(typed, outcome):
    """What is a metric, named by more than half of its name's words (the median age)."""
    return _figures(outcome, covered=0.5) if typed & ASKS_WHAT else None


def _figures(outcome, covered):
    metric = None
    if (pk := _named(outcome, "metric", covered=covered)) is not None:
        metric = Metric.objects.filter(pk=pk).first()
    elif (pk := _named(outcome, "statistic", covered=covered)) is not None:
        metric = Metric.objects.filter(statistics__pk=pk).first()
    if metric is None:
        return None
    figures = list(Statistic.objects.filter(metric=metric).select_related("origin"))
    replaced = {f.supersedes_id for f in figures if f.supersedes_id}
    figures.sort(key=lambda f: (f.pk in replaced, -(f.year or 0), f.pk))
    disagreements = list(Disagreement.objects.filter(statistics__metric=metric).distinct())
    attach_citations([*figures, *disagreements])
    lines = []
    for figure in figures:
        text = f"{figure.display_value}, {figure.period_after_value}; covers {figure.scope}"
        if figure.origin is not None:
            text += f"; from {figure.origin.name}"
        if figure.is_forecast:
            text += "; a forecast"
        if figure.pk in replaced:
            text += "; replaced by a newer figure"
        lines.append(Line(text + ".", [(figure, "")], figure.get_absolute_url()))
    for disagreement in disagreements:
        text = f"The sources disagree: {disagreement.title.rstrip('.?!')}."
        lines.append(Line(text, [(disagreement, "")], disagreement.get_absolute_url()))
    found = Answer(
        "figures", f"{metric.name}: the figures", lines, metric.get_absolute_url(), "The figures"
    )
    found.intro = (
        "The sources give one figure:"
        if len(figures) == 1
        else f"The sources give {len(figures)} figures, the newest first, replaced ones last:"
    )
    return found


def _incentives(typed, outcome):
    kind_words = typed & INCENTIVE_KINDS.keys()
    if not kind_words or not (typed & INCENTIVE_WORDS or kind_words & INCENTIVES_BY_NAME):
        return None
    wanted = list(dict.fromkeys(k for word in sorted(kind_words) for k in INCENTIVE_KINDS[word]))
    incentives = list(
        Incentive.objects.filter(kind__in=wanted).order_by("kind", "name")[:MOST_LISTED]
    )
    attach_citations(incentives)
    labels = ", ".join(str(K(k).label).lower() for k in wanted)
    lines = [
        Line(
            incentive.name
            + (
                " (recommended by the sources, not enacted)"
                if incentive.status == Incentive.Status.RECOMMENDED
                else ""
            ),
            [(incentive, "")],
            incentive.get_absolute_url(),
        )
        for incentive in incentives
    ]
    link = url_for("sector:incentive_list")
    if len(wanted) == 1:
        link += f"?kind={wanted[0]}"
    found = Answer("incentives", f"Incentives: {labels}", lines, link, "Incentives of this kind")
    found.intro = f"The sources name {_count(len(lines), 'incentive')} of this kind:"
    if not lines:
        found.lines = [Line(f"Incentives of this kind: {NOT_STATED}.")]
    return found


def _who_offers(typed, outcome):
    if not typed & ASKS_WHO:
        return None
    pk = _named(outcome, "service-line")
    if pk is None:
        return None
    service = ServiceLine.objects.filter(pk=pk).first()
    if service is None:
        return None
    city_pk = _named(outcome, "city")
    city = City.objects.filter(pk=city_pk).first() if city_pk is not None else None
    links = list(
        ProviderService.objects.filter(service_line=service, provider__is_demo=False)
        .select_related("provider")
        .order_by("provider_id")[:MOST_LISTED]
    )
    city_links = {}
    if city is not None:
        city_links = {
            link.provider_id: link
            for link in ProviderCity.objects.filter(
                city=city, provider_id__in=[link.provider_id for link in links]
            )
        }
        links = [link for link in links if link.provider_id in city_links]
    attach_citations([service, *links, *city_links.values()])
    where = f" in {city.name}" if city is not None else ""
    lines = [
        Line(
            link.provider.name,
            [(link, ""), *([(city_links[link.provider_id], "")] if city is not None else [])],
            link.provider.get_absolute_url(),
        )
        for link in sorted(links, key=lambda link: link.provider.name)
    ]
    if not lines:
        lines = [
            Line(
                f"The sources name no provider for {service.name.lower()}{where}.", [(service, "")]
            )
        ]
    link = service.get_absolute_url()
    if city is not None:
        link = reverse(
            "directory:service_city", kwargs={"slug": service.slug, "city_slug": city.slug}
        )
    found = Answer(
        "providers", f"Who offers {service.name.lower()}{where}?", lines, link, service.name + where
    )
    if links:
        found.intro = f"The sources name {_count(len(links), 'provider')}{where}:"
    return found


def _count(n, noun):
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _definition(typed, outcome):
    if not typed & ASKS_WHAT:
        return None
    if (pk := _named(outcome, "term")) is not None and (term := Term.objects.filter(pk=pk).first()):
        attach_citations([term])
        text = f"{term}: {term.definition}"
        if term.definition_is_ours:
            text += " (The sources use the term without defining it: this reading is ours.)"
        lines = [Line(text, [(term, "definition")])]
        return Answer(
            "definition", f"What is {term.term}?", lines, term.get_absolute_url(), "The glossary"
        )
    if (pk := _named(outcome, "category")) is not None and (
        category := ServiceCategory.objects.filter(pk=pk).first()
    ):
        attach_citations([category])
        lines = [Line(f"{category.name}: {category.description}", [(category, "")])]
        return Answer(
            "definition",
            f"What is {category.name}?",
            lines,
            category.get_absolute_url(),
            "Services by category",
        )
    return None
