from bpo_portal.core.kinds import Declaration, register
from bpo_portal.directory.models import (
    AlternativeGrouping,
    City,
    Industry,
    IndustryServiceLine,
    Market,
    Organisation,
    Provider,
    ProviderAlias,
    ProviderCity,
    ProviderIndustry,
    ProviderMarket,
    ProviderService,
    ServiceCategory,
    ServiceLine,
    ServiceTask,
)

NAMED = {"name": "A", "description": "C"}

register(
    Declaration(
        model=Organisation,
        search_order=45,
        prefix="organisation",
        section="organisations",
        columns=("name", "slug", "abbreviation", "kind", "kind_is_ours", "description", "url"),
        search={"name": "A", "abbreviation": "A", "description": "C"},
    )
)
register(
    Declaration(
        model=ServiceCategory,
        search_order=25,
        prefix="category",
        section="categories",
        search=NAMED,
    )
)
register(
    Declaration(
        model=ServiceLine,
        search_order=20,
        prefix="service-line",
        section="service_lines",
        columns=(
            "category",
            "category_is_ours",
            "name",
            "slug",
            ("emerging", "is_emerging"),
            "provider_count",
            "url",
        ),
        search={"name": "A", "tasks__name": "B", "description": "C"},
    )
)
register(
    Declaration(
        model=ServiceTask,
        prefix="task",
        section="service_tasks",
        natural_key=("service_line", "name"),
        describe_with=("service_line",),
        part_of=("service_line",),
    )
)
register(
    Declaration(
        model=AlternativeGrouping,
        prefix="grouping",
        section="alternative_groupings",
        natural_key=("service_line", "category"),
        describe_with=("service_line", "category"),
    )
)
register(
    Declaration(
        model=City,
        search_order=35,
        prefix="city",
        section="cities",
        columns=("name", "slug", "province", "latitude", "longitude", "provider_count", "url"),
        search=NAMED,
    )
)
register(
    Declaration(
        model=Provider,
        search_order=10,
        prefix="provider",
        section="providers",
        columns=(
            "name",
            "slug",
            "kind",
            "kind_is_ours",
            "founded_year",
            "founded_year_ambiguous",
            "parent",
            "headcount",
            ("service_lines", "services"),
            "markets",
            "industries",
            "cities",
            "url",
        ),
        search={"name": "A", "aliases__name": "B", "description": "C"},
    )
)
register(
    Declaration(
        model=ProviderAlias,
        prefix="alias",
        section="provider_aliases",
        natural_key=("provider", "name"),
        describe_with=("provider",),
        part_of=("provider",),
    )
)
register(
    Declaration(
        model=ProviderService,
        prefix="provider-service",
        section="provider_services",
        natural_key=("provider", "service_line"),
        describe_with=("provider", "service_line"),
        part_of=("provider",),
    )
)
register(
    Declaration(
        model=ProviderCity,
        prefix="provider-city",
        section="provider_cities",
        natural_key=("provider", "city"),
        describe_with=("provider", "city"),
        part_of=("provider",),
    )
)
register(
    Declaration(
        model=Market,
        search_order=32,
        prefix="market",
        section="markets",
        columns=("name", "slug", "kind", "role", "region", "region_is_ours", "description", "url"),
        search={"name": "A", "description": "C"},
    )
)
register(
    Declaration(
        model=ProviderMarket,
        prefix="provider-market",
        section="provider_markets",
        natural_key=("provider", "market"),
        describe_with=("provider", "market"),
        part_of=("provider",),
    )
)
register(
    Declaration(
        model=Industry,
        search_order=30,
        prefix="industry",
        section="industries",
        columns=("name", "slug", "description", "service_lines", "url"),
        search=NAMED,
    )
)
register(
    Declaration(
        model=IndustryServiceLine,
        prefix="industry-service-line",
        section="industry_service_lines",
        natural_key=("industry", "service_line"),
        describe_with=("industry", "service_line"),
    )
)
register(
    Declaration(
        model=ProviderIndustry,
        prefix="provider-industry",
        section="provider_industries",
        natural_key=("provider", "industry"),
        describe_with=("provider", "industry"),
        part_of=("provider",),
    )
)
