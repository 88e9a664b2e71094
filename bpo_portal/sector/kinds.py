from bpo_portal.core.kinds import Declaration, register
from bpo_portal.sector.models import (
    Advantage,
    Challenge,
    Disagreement,
    DisagreementSide,
    DisagreementSubject,
    Incentive,
    Metric,
    Solution,
    Statistic,
)
from bpo_portal.sources.models import cited_sources

NAMED = {"name": "A", "description": "C"}
TOPIC_COLUMNS = ("name", "slug", "description", ("sources", cited_sources), "url")

register(
    Declaration(
        model=Incentive,
        search_order=40,
        prefix="incentive",
        section="incentives",
        columns=("name", "slug", "kind", "status", "body", "year", "description", "url"),
        search=NAMED,
    )
)
register(
    Declaration(
        model=Metric,
        search_order=70,
        prefix="metric",
        section="metrics",
        search=NAMED,
    )
)
register(
    Declaration(
        model=Statistic,
        search_order=65,
        prefix="statistic",
        section="statistics",
        columns=(
            "slug",
            "metric",
            "value",
            "value_upper",
            "unit",
            "qualifier",
            ("period", "display_period"),
            "period_is_inferred",
            "scope",
            "origin",
            ("forecast", "is_forecast"),
            ("sources", cited_sources),
            ("disputed", lambda s: bool(s.disagreements.all())),
        ),
        describe_with=("metric",),
        search={"metric__name": "A", "display_value": "B", "scope": "C"},
    )
)
register(
    Declaration(
        model=Disagreement,
        search_order=85,
        prefix="disagreement",
        section="disagreements",
        columns=(
            "title",
            "slug",
            "kind",
            "summary",
            "statistics",
            "implied_value",
            "implied_unit",
            "implied_working",
            ("sources", cited_sources),
            "url",
        ),
        search={"title": "A", "summary": "C"},
    )
)
register(
    Declaration(
        model=DisagreementSide,
        prefix="side",
        section="disagreement_sides",
        natural_key=("disagreement", "position"),
        describe_with=("disagreement",),
    )
)
register(
    Declaration(
        model=Challenge,
        search_order=60,
        prefix="challenge",
        section="challenges",
        columns=TOPIC_COLUMNS,
        search=NAMED,
    )
)
register(
    Declaration(
        model=Advantage,
        search_order=62,
        prefix="advantage",
        section="advantages",
        columns=TOPIC_COLUMNS,
        search=NAMED,
    )
)
register(
    Declaration(
        model=Solution,
        search_order=64,
        prefix="solution",
        section="solutions",
        search=NAMED,
    )
)
# Last: a subject may be any kind declared above.
register(
    Declaration(
        model=DisagreementSubject,
        prefix="disagreement-subject",
        section="disagreement_subjects",
        natural_key=("disagreement", "subject_kind", "subject_slug"),
        describe_with=("disagreement",),
    )
)
