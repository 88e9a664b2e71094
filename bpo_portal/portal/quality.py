"""The curators' quality dashboard: what needs a second source, a newer figure, a fact the
sources do not state, a disagreement not yet recorded, a use, or an answer. Each line counts
rows and links to the admin list that shows them; the whole page takes a fixed number of
queries however many providers there are."""

from dataclasses import dataclass
from itertools import combinations

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from bpo_portal.core.kinds import kinds
from bpo_portal.directory.demo import DEMO_SOURCE
from bpo_portal.directory.models import Provider
from bpo_portal.portal.models import Suggestion
from bpo_portal.sector.admin import StaleFigure
from bpo_portal.sector.models import Statistic
from bpo_portal.sources.models import Citation, Cited, Source

STALE_YEARS = StaleFigure.YEARS


@dataclass
class Line:
    one: str  # the label of a count of one
    many: str
    count: int
    url: str

    @property
    def text(self):
        return f"{self.count} {self.one if self.count == 1 else self.many}"


def changelist(model, **params):
    meta = model._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return f"{url}?{query}" if query else url


def single_citations():
    """Facts with only one citation, by kind (generated demo rows left out)."""
    quote = connection.ops.quote_name
    citations, sources = quote(Citation._meta.db_table), quote(Source._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT content_type_id, COUNT(*) FROM (SELECT c.content_type_id, c.object_id "
            f"FROM {citations} c JOIN {sources} s ON s.id = c.source_id WHERE s.slug <> %s "
            "GROUP BY c.content_type_id, c.object_id HAVING COUNT(*) = 1) single "
            "GROUP BY content_type_id",
            [DEMO_SOURCE["slug"]],
        )
        per_type = dict(cursor.fetchall())
    cited = [kind for kind in kinds() if issubclass(kind.model, Cited)]
    types = ContentType.objects.get_for_models(*(kind.model for kind in cited))
    return [
        Line(
            f"{kind.label} with one citation only",
            f"{kind.label_plural} with one citation only",
            per_type[types[kind.model].pk],
            changelist(kind.model, citations="1"),
        )
        for kind in cited
        if per_type.get(types[kind.model].pk)
    ]


def stale_figures():
    return Line(
        f"figure for a period that ended over {STALE_YEARS} years ago with nothing newer",
        f"figures for periods that ended over {STALE_YEARS} years ago with nothing newer",
        Statistic.objects.stale(years=STALE_YEARS).count(),
        changelist(Statistic, stale="1"),
    )


def provider_gaps():
    gaps = Provider.NOT_STATED
    counts = Provider.objects.real().aggregate(
        **{
            name: Count("pk", filter=condition, distinct=True)
            for name, (_, condition) in gaps.items()
        }
    )
    return [
        Line(
            f"provider whose {label} the sources do not state",
            f"providers whose {label} the sources do not state",
            counts[name],
            changelist(Provider, missing=name),
        )
        for name, (label, _) in gaps.items()
    ]


def unrecorded_conflicts():
    """Groups of figures of one metric, period and scope with different values that no
    disagreement links together."""
    figures = Statistic.objects.prefetch_related("disagreements").order_by("pk")
    groups = {}
    for figure in figures:
        key = (
            figure.metric_id,
            figure.period_kind,
            figure.year,
            figure.months,
            figure.span_years,
            figure.scope.strip().lower(),
        )
        groups.setdefault(key, []).append(figure)
    found = []
    for members in groups.values():
        for a, b in combinations(members, 2):
            if (a.value, a.value_upper) == (b.value, b.value_upper):
                continue
            if a.supersedes_id == b.pk or b.supersedes_id == a.pk:
                continue  # a revised figure: recorded as such
            shared = {d.pk for d in a.disagreements.all()} & {d.pk for d in b.disagreements.all()}
            if not shared:
                found.append((a, b))
    return found


def dashboard():
    conflicts = unrecorded_conflicts()
    conflict_ids = sorted({f.pk for pair in conflicts for f in pair})
    return {
        "citations": single_citations(),
        "stale": stale_figures(),
        "gaps": provider_gaps(),
        "conflicts": conflicts,
        "conflicts_url": changelist(Statistic, id__in=",".join(map(str, conflict_ids)))
        if conflict_ids
        else "",
        "uncited_sources": Line(
            "source cited by nothing",
            "sources cited by nothing",
            Source.objects.filter(citations__isnull=True).count(),
            changelist(Source, cited="no"),
        ),
        "waiting": Line(
            "reader's correction waiting",
            "readers' corrections waiting",
            Suggestion.objects.filter(status=Suggestion.Status.WAITING).count(),
            changelist(Suggestion, status__exact="waiting"),
        ),
    }
