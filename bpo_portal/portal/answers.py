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
from bpo_portal.core.search import GENERIC, STOPWORDS, words
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
    """The id of the result of `kind` whose name the query names best, or None (see _ranked)."""
    ranked = _ranked(outcome, kind, covered)
    return ranked[0][0].object_id if ranked else None


def _ranked(outcome, kind, covered=0.5):
    """[(result, holds every word the query matched)] of `kind`, best first: of those whose
    name (title or other name) holds some of the query's words, and whose name's words the
    query holds in more than the share `covered`, those whose name holds the words that weigh
    most, then the longest run of the query's words in the order typed, then the one whose name
    the query covers most, then the first."""
    group = next((g for g in outcome.groups if g.kind.prefix == kind), None)
    if group is None:
        return []
    plan = outcome.plan
    typed = words(outcome.query)
    found = []
    for place, result in enumerate(group.results):
        name = [w for w in words(result.name) if w not in STOPWORDS]
        if not name:
            continue
        held = plan.matched_in(name)
        asked = {w for n in held for a in plan.groups[n] for w in a.words}
        share = sum(w in asked for w in name) / len(name)
        weight = sum(plan.weights[n] for n in held)
        if share > covered and held:
            rank = (-round(weight, 6), -_run(typed, words(result.name)), -share, place)
            found.append((rank, result, set(held) >= set(plan.live) - set(plan.unmatched)))
    found.sort(key=lambda item: item[0])
    return [(result, every) for _, result, every in found]


def _singular(word):
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _run(typed, name):
    """How many of the words typed, in the order typed, the name holds together at most (a
    plural as its singular)."""
    typed, name = [_singular(w) for w in typed], [_singular(w) for w in name]
    best = 0
    for i in range(len(typed)):
        for j in range(len(name)):
            n = 0
            while i + n < len(typed) and j + n < len(name) and typed[i + n] == name[j + n]:
                n += 1
            best = max(best, n)
    return best


MOST_PROVIDERS = 3  # providers a short name may stand for, each answered; more, none


def _providers_named(outcome):
    """The ids of the providers the query names: the one whose every name word it holds, else
    those a short form typed stands for (the start of a name or former name, or its initials),
    the best first."""
    if (pk := _named(outcome, "provider", covered=0.99)) is not None:  # every word of its name
        return [pk]
    group = next((g for g in outcome.groups if g.kind.prefix == "provider"), None)
    if group is None:
        return []
    typed = [w for w in words(outcome.query) if w not in STOPWORDS]
    runs = {tuple(typed[i:j]) for i in range(len(typed)) for j in range(i + 1, len(typed) + 1)}
    found = []
    for result in group.results:
        name = words(result.name)
        if len(name) < 2:
            continue
        starts = any(
            tuple(name[:n]) in runs and name[0] not in GENERIC for n in range(1, len(name))
        )
        initials = "".join(w[0] for w in name)
        if starts or (len(initials) >= 3 and initials in typed):
            found.append(result.object_id)
    found = list(dict.fromkeys(found))
    return found if len(found) <= MOST_PROVIDERS else []


def _about_provider(typed, outcome):
    attribute = next((name for name, asks in ATTRIBUTES if typed & asks), None)
    if attribute is None:
        return None
    pks = _providers_named(outcome)
    if not pks:
        return None
    providers = Provider.objects.select_related("parent").in_bulk(pks)
    found = [_about_one(providers[pk], attribute) for pk in pks if pk in providers]
    if len(found) <= 1:
        return found[0] if found else None
    names = [providers[pk].name for pk in pks if pk in providers]
    first = found[0]
    lines = []
    for one, name in zip(found, names, strict=True):
        for line in one.lines:
            if not line.text.startswith(name) and name not in line.text:
                line.text = f"{name}: {line.text}"
            lines.append(line)
    merged = Answer(
        attribute,
        QUESTION_OF[attribute].format(" or ".join(names)),
        lines,
        first.link,
        first.link_label,
    )
    merged.intro = (
        f"The name typed is the start or the initials of the name or a former name of"
        f" {len(found)} providers; the answer for each:"
    )
    return merged


QUESTION_OF = {
    "founded": "When was {} founded?",
    "headcount": "How many people work at {}?",
    "parent": "Who owns {}?",
    "former": "What else has {} been called?",
    "services": "What services does {} offer?",
}


def _about_one(provider, attribute):
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
        question = QUESTION_OF["founded"].format(name)
    elif attribute == "headcount":
        if provider.headcount:
            text = f"The sources put {name}'s staff at “{provider.headcount}”."
            lines = [Line(text, [(provider, "headcount")])]
        else:
            lines = [Line(f"How many people {name} employs: {NOT_STATED}.", [(provider, "")])]
        question = QUESTION_OF["headcount"].format(name)
    elif attribute == "parent":
        if provider.parent is not None:
            text = f"{name} is part of {provider.parent.name}."
            lines = [Line(text, [(provider, "parent")], provider.parent.get_absolute_url())]
        else:
            lines = [Line(f"A parent group of {name}: {NOT_STATED}.", [(provider, "")])]
        question = QUESTION_OF["parent"].format(name)
    elif attribute == "former":
        aliases = list(ProviderAlias.objects.filter(provider=provider))
        facts += aliases
        lines = [
            Line(f"{name} was {alias.get_kind_display().lower()} {alias.name}.", [(alias, "")])
            if alias.kind == ProviderAlias.Kind.ALIAS
            else Line(f"{name} was formerly called {alias.name}.", [(alias, "")])
            for alias in aliases
        ] or [Line(f"Other names of {name}: {NOT_STATED}.", [(provider, "")])]
        question = QUESTION_OF["former"].format(name)
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
        question = QUESTION_OF["services"].format(name)
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


MOST_METRICS = 3  # metrics one figures answer shows, when their names fit the question alike


def _figures(outcome, covered):
    """The figures of the metric the question names best, and of any other metric whose name
    holds every word the question matched too (the best first): a near match is not hidden."""
    ranked = _ranked(outcome, "metric", covered)
    pks = [r.object_id for r, every in ranked if every or r is ranked[0][0]]
    if not ranked and (best := _named(outcome, "statistic", covered=covered)) is not None:
        pks = list(Metric.objects.filter(statistics__pk=best).values_list("pk", flat=True)[:1])
    elif ranked and not ranked[0][1]:
        pks = pks[:1]  # the best holds only some of the words: the others are no better
    pks = pks[:MOST_METRICS]
    metrics = Metric.objects.in_bulk(pks)
    metrics = [metrics[pk] for pk in pks if pk in metrics]
    if not metrics:
        return None
    figures = list(Statistic.objects.filter(metric__in=metrics).select_related("origin"))
    replaced = {f.supersedes_id for f in figures if f.supersedes_id}
    order = {metric.pk: n for n, metric in enumerate(metrics)}
    figures.sort(key=lambda f: (order[f.metric_id], f.pk in replaced, -(f.year or 0), f.pk))
    disagreements = list(
        Disagreement.objects.filter(statistics__metric__in=metrics).distinct().order_by("title")
    )
    attach_citations([*figures, *disagreements])
    names = {metric.pk: metric.name for metric in metrics}
    lines = []
    for figure in figures:
        text = f"{figure.display_value}, {figure.period_after_value}; scope: {figure.scope}"
        if len(metrics) > 1:
            text = f"{names[figure.metric_id]}: {text}"
        if figure.origin is not None:
            text += f"; from {figure.origin.name}"
        if figure.is_forecast:
            text += "; a forecast"
        if figure.pk in replaced:
            text += "; replaced by a newer figure"
        lines.append(Line(text + ".", [(figure, "")], figure.get_absolute_url()))
    for disagreement in disagreements:
        text = f"{disagreement.get_kind_display()} — {disagreement.title.rstrip('.?!')}."
        lines.append(Line(text, [(disagreement, "")], disagreement.get_absolute_url()))
    metric = metrics[0]
    if len(metrics) == 1:
        question, link_label = f"{metric.name}: the figures", "The figures"
    else:
        question = "The figures: " + "; ".join(m.name for m in metrics)
        link_label = f"The figures of {metric.name}"
    found = Answer("figures", question, lines, metric.get_absolute_url(), link_label)
    found.intro = (
        "The sources give one figure:"
        if len(figures) == 1
        else f"The sources give {len(figures)} figures, the newest first, replaced ones last:"
    )
    if len(metrics) > 1:
        found.intro = (
            f"{len(metrics)} measures fit the question; the sources give {len(figures)} figures,"
            " the closest measure first:"
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


def _what_is(name):
    """ "What is …?" or, for a plural name, "What are …?"."""
    last = (words(name) or [""])[-1]
    plural = last.endswith("s") and not last.endswith(("ss", "us", "is", "ics"))
    return f"What {'are' if plural else 'is'} {name}?"


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
            "definition", _what_is(term.term), lines, term.get_absolute_url(), "The glossary"
        )
    if (pk := _named(outcome, "category")) is not None and (
        category := ServiceCategory.objects.filter(pk=pk).first()
    ):
        attach_citations([category])
        lines = [Line(f"{category.name}: {category.description}", [(category, "")])]
        return Answer(
            "definition",
            _what_is(category.name),
            lines,
            category.get_absolute_url(),
            "Services by category",
        )
    return None
