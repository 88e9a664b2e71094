"""Every kind of page the site serves, in each of its states: lists, details, filtered,
empty, paginated and error pages, and the admin pages the site overrides. The markup and
accessibility checks walk this list, so a new page kind is added here once."""

PUBLIC = [
    "/",
    "/providers/",
    "/providers/?service=call-centres&city=karachi&founded_min=1990",
    "/providers/?q=zzzz",  # empty
    "/providers/?page=2",  # paginated
    "/providers/?kind=alien",  # a value ignored, with a message
    "/providers/ibex/",
    "/providers/sp-global/",  # most facts not stated
    "/compare/",
    "/compare/ibex-vs-ptcl-vs-telenor/",
    "/services/",
    "/services/call-centres/",
    "/services/call-centres/karachi/",
    "/cities/",
    "/cities/karachi/",
    "/markets/",
    "/industries/",
    "/industries/healthcare/",
    "/incentives/",
    "/incentives/?kind=tax",
    "/incentives/subsidies/",
    "/statistics/",
    "/statistics/?metric=it-exports",
    "/disagreements/",
    "/organisations/",
    "/organisations/sbp/",
    "/challenges/",
    "/advantages/",
    "/timeline/",
    "/glossary/",
    "/technologies/",
    "/effects/",
    "/outlook/",
    "/sources/",
    "/sources/bpo-overview/",
    "/search/",
    "/search/?q=call+center",
    "/search/?q=accnting",  # nothing found: did you mean
    "/search/?q=centre&kind=statement",
    "/changes/",
    "/data/",
    "/api/",
    "/suggest/?page=/providers/ibex/",
    "/no-such-page/",  # 404
]


def admin_pages():
    """The admin pages whose templates the site overrides or adds."""
    from bpo_portal.directory.models import Provider

    ibex = Provider.objects.get(slug="ibex").pk
    return [
        "/admin/",
        "/admin/quality/",
        "/admin/sector/incentive/export/",
        f"/admin/directory/provider/{ibex}/history/",
    ]
