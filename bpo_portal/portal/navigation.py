"""The site's navigation: the main menu, and every section in the footer."""

from functools import lru_cache

from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from bpo_portal.core.links import url_for

MAIN = [
    ("directory:provider_list", "Providers"),
    ("directory:service_list", "Services"),
    ("directory:industry_list", "Industries"),
    ("directory:market_list", "Markets"),
    ("sector:incentive_list", "Incentives"),
    ("sector:statistic_list", "Statistics"),
    ("background:timeline", "Timeline"),
    ("background:glossary", "Glossary"),
    ("sector:disagreement_list", "Disagreements"),
    ("sources:list", "Sources"),
]
MORE = [
    ("directory:city_list", "Cities"),
    ("directory:compare_start", "Compare providers"),
    ("sector:challenge_list", "Challenges and solutions"),
    ("sector:advantage_list", "Advantages"),
    ("background:technology_list", "Technologies and trends"),
    ("background:effects", "Effects on Pakistan"),
    ("background:outlook", "Outlook"),
    ("directory:organisation_list", "Organisations"),
    ("changes", "Recent changes"),
    ("data", "Download the data"),
    ("api", "JSON exports"),
]


@lru_cache(maxsize=64)
def _items(links, current):
    return format_html_join(
        "",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (url, mark_safe(' aria-current="page"') if url == current else "", label)
            for url, label in links
        ),
    )


def menu_items(menu, path=None):
    """The <li> links of a menu, the one to `path` marked as the current page: the same for
    every request to a path, so built once per process."""
    links = tuple((url_for(name), label) for name, label in menu)
    current = path if any(url == path for url, _ in links) else None
    return _items(links, current)
