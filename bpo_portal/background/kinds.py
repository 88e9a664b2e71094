from bpo_portal.background.models import Event, Statement, Technology, TechnologyServiceLine, Term
from bpo_portal.core.kinds import Declaration, register
from bpo_portal.sources.models import cited_sources

register(
    Declaration(
        model=Event,
        search_order=55,
        prefix="event",
        section="events",
        columns=(
            "title",
            "slug",
            "scope",
            "date_text",
            "precision",
            "year",
            "description",
            "incentive",
            "statistics",
            ("sources", cited_sources),
            "url",
        ),
        search={"title": "A", "date_text": "B", "description": "C"},
    )
)
register(
    Declaration(
        model=Term,
        search_order=48,
        prefix="term",
        section="terms",
        columns=(
            "term",
            "slug",
            "abbreviation",
            "also",
            "definition",
            "definition_is_ours",
            ("sources", cited_sources),
            "url",
        ),
        search={"term": "A", "abbreviation": "A", "also": "B", "definition": "C"},
    )
)
register(
    Declaration(
        model=Technology,
        search_order=50,
        prefix="technology",
        section="technologies",
        columns=(
            "name",
            "slug",
            "abbreviation",
            "expansion_is_ours",
            "kind",
            "description",
            "effect",
            "service_lines",
            ("sources", cited_sources),
            "url",
        ),
        search={"name": "A", "abbreviation": "A", "description": "C", "effect": "C"},
    )
)
register(
    Declaration(
        model=TechnologyServiceLine,
        prefix="technology-service-line",
        section="technology_service_lines",
        natural_key=("technology", "service_line"),
        describe_with=("technology", "service_line"),
    )
)
register(
    Declaration(
        model=Statement,
        search_order=90,
        prefix="statement",
        section="statements",
        columns=("slug", "topic", "text", "statistic", ("sources", cited_sources), "url"),
        search={"text": "A"},
    )
)
