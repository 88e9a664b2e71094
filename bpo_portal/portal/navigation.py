"""The site's navigation: the main menu, and every section in the footer."""

from bpo_portal.core.links import url_for

MAIN = [
    ("directory:provider_list", "Providers"),
    ("directory:service_list", "Services"),
    ("background:industry_list", "Industries"),
    ("background:market_list", "Markets"),
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
    ("sector:organisation_list", "Organisations"),
    ("changes", "Recent changes"),
    ("data", "Download the data"),
    ("api", "JSON exports"),
]


def navigation(request):
    """Context processor: (address, label) of the main menu and of the other sections."""
    return {
        "main_menu": [(url_for(name), label) for name, label in MAIN],
        "more_menu": [(url_for(name), label) for name, label in MORE],
    }
