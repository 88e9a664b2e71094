"""Every page kind passes axe-core with no serious or critical violation, and fits a 360 px
phone screen without scrolling sideways, on the real knowledge base as readers see it and, for
the states only generated providers give, with them. axe-core comes from a pinned package and
is injected by the test (the site itself never loads it)."""

from importlib.resources import files

import pytest

from tests.pages import PUBLIC, WITH_GENERATED_PROVIDERS

AXE = files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def pages(browser, site):
    """(desktop page, phone page), both allowed to inject axe-core despite the site's CSP."""
    contexts = [
        browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True),
        browser.new_context(viewport=PHONE, bypass_csp=True),
    ]
    yield [context.new_page() for context in contexts]
    for context in contexts:
        context.close()


@pytest.fixture
def many_providers_committed(transactional_db):
    from tests.factories import bulk_providers

    return bulk_providers(45)  # enough for a second page of the directory


# axe-core's rules whose impact can only be minor or moderate (the rule's own impact, or else
# that of each of its checks) cannot give a serious or critical violation: they are not run,
# which changes no result here and takes about a third off each page's audit. A rule whose
# impacts cannot be read is run.
AUDIT = """async () => {
    const impacts = rule => rule.impact ? [rule.impact] : [...rule.any, ...rule.all, ...rule.none]
        .map(check => axe._audit.checks[check.id ?? check]?.metadata?.impact);
    const mild = axe._audit.rules
        .filter(rule => impacts(rule).every(impact => ["minor", "moderate"].includes(impact)))
        .map(rule => [rule.id, {enabled: false}]);
    return await axe.run(document, {resultTypes: ["violations"], rules: Object.fromEntries(mild)});
}"""


def serious_violations(page):
    page.add_script_tag(content=AXE)
    result = page.evaluate(AUDIT)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def problems_of(pages, site, paths):
    desktop, phone = pages
    problems = []
    for path in paths:
        desktop.goto(site + path)
        problems += [f"{path}: {v}" for v in serious_violations(desktop)]
        phone.goto(site + path)
        problems += [f"{path} (phone): {v}" for v in serious_violations(phone)]
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wide = phone.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .filter(e => !e.closest('.table-scroll'))
                    .slice(0, 3).map(e => e.tagName + '.' + e.className)"""
            )
            problems.append(f"{path}: {width} px wide on a 360 px phone ({wide})")
    return problems


def test_every_page_kind_is_accessible_and_fits_a_phone(pages, site):
    problems = problems_of(pages, site, PUBLIC)
    assert problems == [], "\n".join(problems)


def test_the_states_of_generated_providers_are_accessible_and_fit_a_phone(
    pages, site, many_providers_committed
):
    problems = problems_of(pages, site, WITH_GENERATED_PROVIDERS)
    assert problems == [], "\n".join(problems)


def test_the_audit_finds_what_is_serious_or_critical(browser):
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_content(
        "<!doctype html><html lang='en'><title>A test page</title><main><h1>Test</h1>"
        "<img src='data:,'><p style='color:#777;background:#888'>Grey on grey</p></main></html>"
    )
    try:
        found = {violation.split(" ")[0] for violation in serious_violations(page)}
    finally:
        context.close()
    assert found == {"image-alt", "color-contrast"}
