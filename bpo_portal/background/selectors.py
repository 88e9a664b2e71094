"""Reads for the background pages, each in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from bpo_portal.background.models import Event, Statement, Technology, TechnologyServiceLine, Term
from bpo_portal.directory.models import IndustryServiceLine, Provider
from bpo_portal.directory.pages import adds_to
from bpo_portal.sector.models import Incentive
from bpo_portal.sources.models import prefetch_citations


def statements(*, topics):
    return (
        Statement.objects.filter(topic__in=topics)
        .select_related("statistic__metric")
        .prefetch_related(prefetch_citations())
        .order_by("topic", "id")
    )


def statements_by_topic(*, topics):
    """[(topic label, statements)] in the order of `topics`."""
    grouped = {topic: [] for topic in topics}
    for statement in statements(topics=topics):
        grouped[statement.topic].append(statement)
    labels = dict(Statement.Topic.choices)
    return [(labels[topic], items) for topic, items in grouped.items() if items]


@adds_to("market_list")
def market_statements():
    """What the markets page shows of this app: the sources' statements about markets."""
    return {"statements": statements(topics=[Statement.Topic.MARKETS])}


@dataclass
class TimelineEntry:
    sort_key: tuple
    date: str
    title: str
    description: str
    url: str
    fact: object
    cited_field: str = ""
    kind: str = "Event"
    related: list = field(default_factory=list)


def timeline_events():
    return Event.objects.select_related("incentive").prefetch_related(
        prefetch_citations(), "statistics"
    )


def timeline():
    """Events, founding years and dated incentives, in date order; undated events last."""
    entries = []
    events = timeline_events()
    linked_incentives = set()
    for event in events:
        if event.incentive_id:
            linked_incentives.add(event.incentive_id)
        entries.append(
            TimelineEntry(
                sort_key=(event.year is None, event.year or 0, event.position),
                date=event.date_text,
                title=event.title,
                description=event.description,
                url=event.get_absolute_url(),
                fact=event,
                related=[*([event.incentive] if event.incentive else []), *event.statistics.all()],
            )
        )
    for provider in (
        Provider.objects.real()
        .filter(founded_year__isnull=False)
        .prefetch_related(prefetch_citations())
    ):
        entries.append(
            TimelineEntry(
                sort_key=(False, provider.founded_year, -1),
                date=str(provider.founded_year),
                title=f"{provider.name} founded",
                description="The founding year the sources give"
                + (
                    " (it may belong to its parent group)."
                    if provider.founded_year_ambiguous
                    else "."
                ),
                url=provider.get_absolute_url(),
                fact=provider,
                cited_field="founded_year",
                kind="Founding",
            )
        )
    for incentive in (
        Incentive.objects.filter(year__isnull=False)
        .exclude(pk__in=linked_incentives)
        .prefetch_related(prefetch_citations())
    ):
        entries.append(
            TimelineEntry(
                sort_key=(False, incentive.year, -1),
                date=str(incentive.year),
                title=incentive.name,
                description=incentive.description,
                url=incentive.get_absolute_url(),
                fact=incentive,
                cited_field="year",
                kind="Incentive",
            )
        )
    return sorted(entries, key=lambda entry: entry.sort_key)


def terms():
    return Term.objects.prefetch_related(prefetch_citations())


def terms_by_letter():
    groups = {}
    for term in terms():
        groups.setdefault(term.term[0].upper(), []).append(term)
    return list(groups.items())


def technologies():
    return Technology.objects.prefetch_related(
        prefetch_citations(),
        Prefetch(
            "line_links",
            queryset=TechnologyServiceLine.objects.select_related("service_line").prefetch_related(
                prefetch_citations()
            ),
        ),
    )


def technologies_by_kind():
    groups = {}
    labels = dict(Technology.Kind.choices)
    for technology in technologies():
        groups.setdefault(labels[technology.kind], []).append(technology)
    return list(groups.items())


def related_to_service_line(*, line):
    """Industries and technologies a source ties to a service line (for its page)."""
    return {
        "industries": list(
            IndustryServiceLine.objects.filter(service_line=line)
            .select_related("industry")
            .prefetch_related(prefetch_citations())
        ),
        "technologies": list(
            TechnologyServiceLine.objects.filter(service_line=line)
            .select_related("technology")
            .prefetch_related(prefetch_citations())
        ),
    }
