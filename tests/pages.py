"""Every kind of page the site serves, in each of its states: lists, details, filtered,
empty, paginated and error pages, and the admin pages the site overrides. The markup and
accessibility checks walk this list, on the real knowledge base alone and with generated
providers, so a new page kind is added here once."""

PUBLIC = [
    "/",
    "/providers/",
    "/providers/?service=call-centres&city=karachi&founded_min=1990",
    "/providers/?q=zzzz",  # empty
    "/providers/?service=payroll-processing&city=karachi",  # empty, filters to remove
    "/providers/?page=2",  # paginated
    "/providers/?kind=alien",  # a value ignored, with a message
    "/providers/ibex/",
    "/providers/sp-global/",  # most facts not stated
    "/compare/",
    "/compare/ibex-vs-ptcl-vs-telenor/",
    "/compare/?p=ibex",  # one is not enough: the picker with a message
    "/services/",
    "/services/call-centres/",
    "/services/call-centres/karachi/",
    "/services/payroll-processing/",  # no provider named: where to go next
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
    "/organisations/the-resource-group-international/",  # its group, and named like it
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
    "/search/?q=who+offers+call+centre+services%3F",  # an answer with footnotes
    "/search/?q=how+big+is+the+BPO+industry",  # figures answered; words left out
    "/search/?q=zyxxvq+qwxzzy",  # nothing holds the words: ways on
    "/changes/",
    "/data/",
    "/api/",
    "/suggest/?page=/providers/ibex/",
    "/no-such-page/",  # 404
]

# The states that only generated providers give (the real knowledge base names no provider's
# city and has one page of providers): city filters, cities' providers, a second page.
WITH_GENERATED_PROVIDERS = [
    "/providers/",
    "/providers/?page=2",
    "/providers/?service=call-centres&city=karachi&founded_min=1990",
    "/services/call-centres/",
    "/services/call-centres/karachi/",
    "/cities/",
    "/cities/karachi/",
]


def admin_pages():
    """The admin pages whose templates the site overrides or adds (a record's page opened from a
    reader's correction among them: one is written for it)."""
    from bpo_portal.directory.models import Provider
    from tests.factories import correction_of

    ibex = Provider.objects.get(slug="ibex")
    correction = correction_of(ibex, "The founding year is missing.")
    return [
        "/admin/",
        "/admin/quality/",
        "/admin/sector/incentive/export/",
        f"/admin/directory/provider/{ibex.pk}/history/",
        f"/admin/directory/provider/{ibex.pk}/change/?_suggestion={correction.pk}",
    ]
