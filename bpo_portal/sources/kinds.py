from bpo_portal.core.kinds import Declaration, register
from bpo_portal.sources.models import Citation, Source

register(
    Declaration(
        model=Source,
        search_order=95,
        prefix="source",
        section="sources",
        columns=(
            "title",
            "title_is_ours",
            "slug",
            "summary",
            "what_is_known",
            ("citations", "citation_count"),
            "url",
        ),
        search={"title": "A", "summary": "C"},
    )
)
# Citations are loaded with the facts they support (each fact's `cite` list), not on their own.
register(
    Declaration(
        model=Citation,
        prefix="citation",
        section="",
        natural_key=(),
    )
)
