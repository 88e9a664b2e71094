"""How a page presents itself to search engines and to sites it is shared on.

- **Canonical address**: a page's address without its query string, so a filtered list
  (`/providers/?service=x&city=y`, `/statistics/?metric=x`) points to the unfiltered list, while a
  landing page with an address of its own (`/services/<service>/<city>/`) points to itself. An
  unfiltered list's later pages point to themselves (`/providers/?page=2`), each a page of its
  own, as search engines advise; a later page of a filtered list points to the unfiltered list's
  first page, like every other filtered view. Error pages have none.
- **Structured data** (schema.org JSON-LD): providers and organisations as `Organization`,
  each metric on the statistics page as a `Dataset`, the glossary as a `DefinedTermSet` of
  `DefinedTerm`s, cities as `Place`s, and the site itself as a `WebSite` on the home page; each
  record with the sources it cites as `citation`.

Everything here is built from the page's address and the records it shows, never from what a
reader typed in the query string.
"""

import json
import re
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from bpo_portal.core.links import url_for
from bpo_portal.sector.models import Statistic

SITE_NAME = "BPO Portal"
SCHEMA = "https://schema.org"
PAKISTAN = {"@type": "Country", "name": "Pakistan"}

# Pages that say something went wrong (not found, not allowed, locked out) have no canonical
# address: they stand for no page of their own.
ERROR_TEMPLATE = re.compile(r"(\d{3}\w*|lockout)\.html")

# Inside a <script> element "</script>" or "<!--" would end or confuse it: such characters are
# written as JSON escapes instead, which read back as the same text.
SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


def is_error_page(template_name):
    return bool(template_name) and ERROR_TEMPLATE.fullmatch(template_name) is not None


def canonical_path(request, page_number=None):
    """The address search engines should know this page by, from its path and page number."""
    filtered = any(key != "page" for key in request.GET)
    if page_number and page_number > 1 and not filtered:
        return f"{request.path}?page={page_number}"
    return request.path


def absolute(request, path):
    """A full address (scheme and host) for a path of this site."""
    return request.build_absolute_uri(path)


def canonical_url(request, page_number=None):
    return absolute(request, canonical_path(request, page_number))


def script_json(data):
    """JSON text safe to place inside a <script> element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # str.replace: translate() would look every character of the text up in a table.
    for character, escape in SCRIPT_ESCAPES:
        text = text.replace(character, escape)
    return text


def json_ld_scripts(things):
    """One <script type="application/ld+json"> data block per thing (never run as a script)."""
    return format_html_join(
        "\n",
        '<script type="application/ld+json">{}</script>',
        ((mark_safe(script_json(thing)),) for thing in things),
    )


def _thing(kind, **properties):
    """A schema.org object, leaving out properties that are empty."""
    return {
        "@context": SCHEMA,
        "@type": kind,
        **{key: value for key, value in properties.items() if value not in (None, "", [])},
    }


def _part(kind, **properties):
    """A schema.org object inside another one (no @context of its own)."""
    thing = _thing(kind, **properties)
    del thing["@context"]
    return thing


def cited_works(request, *facts):
    """The sources the facts cite, each once, as CreativeWorks pointing to their pages here."""
    works = {}
    for fact in facts:
        for citation in fact.cited():
            source = citation.source
            if source.pk not in works:
                works[source.pk] = _part(
                    "CreativeWork",
                    name=source.title,
                    url=absolute(request, source.get_absolute_url()),
                    sameAs=source.url,
                )
    return list(works.values())


def website(request, subject=None):
    return [_thing("WebSite", name=SITE_NAME, url=absolute(request, url_for("home")))]


def provider_organization(request, provider):
    """A provider as an Organization: its names, founding year, parent group and cities."""
    aliases = list(provider.aliases.all())
    parent = provider.parent
    founded = provider.founded_year and not provider.founded_year_ambiguous
    return [
        _thing(
            "Organization",
            name=provider.name,
            alternateName=[alias.name for alias in aliases],
            description=provider.description,
            url=absolute(request, provider.get_absolute_url()),
            foundingDate=str(provider.founded_year) if founded else None,
            parentOrganization=_part(
                "Organization", name=parent.name, url=absolute(request, parent.get_absolute_url())
            )
            if parent
            else None,
            location=[
                _part(
                    "Place",
                    name=link.city.name,
                    url=absolute(request, link.city.get_absolute_url()),
                )
                for link in provider.city_links.all()
            ],
            citation=cited_works(request, provider, *aliases),
        )
    ]


def organisation_organization(request, organisation):
    """A body the sources name (regulator, ministry, parent group…) as an Organization."""
    other_name = organisation.abbreviation if organisation.abbreviation != organisation.name else ""
    return [
        _thing(
            "Organization",
            name=organisation.name,
            alternateName=other_name,
            description=organisation.description,
            url=absolute(request, organisation.get_absolute_url()),
            citation=cited_works(request, organisation),
        )
    ]


def city_place(request, city):
    """A city as a Place in Pakistan, with its (reference) coordinates."""
    return [
        _thing(
            "Place",
            name=city.name,
            description=city.description,
            url=absolute(request, city.get_absolute_url()),
            geo=_part(
                "GeoCoordinates", latitude=float(city.latitude), longitude=float(city.longitude)
            ),
            containedInPlace=PAKISTAN,
            citation=cited_works(request, city),
        )
    ]


def _period(statistic):
    """The period a figure covers, for JSON-LD, as the sources give it; None without a year.

    Only a stated calendar year is written as an ISO 8601 year. Anything else is written in
    words: the sources do not say which months their fiscal years run, a part of a fiscal year
    is not the whole year, and a plain "in 2020" may be either kind of year.
    """
    year = statistic.year
    kind = Statistic.PeriodKind
    if year is None or statistic.period_kind in (kind.NOT_STATED, kind.SPAN):
        return None
    if statistic.period_kind == kind.CALENDAR_YEAR:
        return f"{year:04d}"
    if statistic.period_kind == kind.YEAR:
        return f"{year} (calendar or fiscal year not stated)"
    if statistic.period_kind == kind.FISCAL_YEAR:
        return f"FY{year}"
    return statistic.display_period


def temporal_coverage(figures):
    """The periods the figures cover, each once, as the sources give them; None when none has
    a year."""
    periods = list(dict.fromkeys(p for p in map(_period, figures) if p))
    return "; ".join(periods) or None


def statistics_datasets(request, groups):
    """Each metric on the statistics page as a Dataset of the figures shown for it."""
    catalogue = _part(
        "DataCatalog",
        name=f"{SITE_NAME} statistics",
        url=absolute(request, url_for("sector:statistic_list")),
    )
    datasets = []
    for group in groups:
        metric, figures = group[0], list(group[1])
        address = absolute(request, metric.get_absolute_url())
        downloads = url_for("sector:statistic_list")
        units = list(dict.fromkeys(f.get_unit_display() for f in figures))
        origins = {f.origin.pk: f.origin for f in figures if f.origin is not None}
        datasets.append(
            _thing(
                "Dataset",
                name=metric.name,
                description=metric.description,
                url=address,
                variableMeasured=_part(
                    "PropertyValue",
                    name=metric.name,
                    unitText=", ".join(units),
                ),
                temporalCoverage=temporal_coverage(figures),
                creator=[
                    _part("Organization", name=o.name, url=absolute(request, o.get_absolute_url()))
                    for o in origins.values()
                ],
                isAccessibleForFree=True,
                includedInDataCatalog=catalogue,
                distribution=[
                    _part(
                        "DataDownload",
                        encodingFormat=content_type,
                        contentUrl=absolute(
                            request,
                            f"{downloads}?{urlencode({'metric': metric.slug, 'format': fmt})}",
                        ),
                    )
                    for fmt, content_type in (("csv", "text/csv"), ("json", "application/json"))
                ],
                citation=cited_works(request, *figures),
            )
        )
    return datasets


def glossary_term_set(request, groups):
    """The glossary as a DefinedTermSet, each entry a DefinedTerm in it."""
    address = absolute(request, url_for("background:glossary"))
    terms = [term for group in groups for term in group[1]]
    return [
        _thing(
            "DefinedTermSet",
            name=f"{SITE_NAME} glossary",
            description="Terms of Pakistan's outsourcing industry, defined in plain words.",
            url=address,
            hasDefinedTerm=[
                _part(
                    "DefinedTerm",
                    name=term.term,
                    alternateName=[n for n in [term.abbreviation, *(term.also or [])] if n],
                    description=term.definition,
                    url=absolute(request, term.get_absolute_url()),
                    inDefinedTermSet=address,
                    citation=cited_works(request, term),
                )
                for term in terms
            ],
        )
    ]


BUILDERS = {
    "website": website,
    "provider": provider_organization,
    "organisation": organisation_organization,
    "city": city_place,
    "statistics": statistics_datasets,
    "glossary": glossary_term_set,
}


def structured_data(request, what, subject=None):
    """The schema.org objects for a page: `what` names the page kind, `subject` what it shows."""
    return BUILDERS[what](request, subject)
