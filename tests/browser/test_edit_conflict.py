"""The edit-conflict page in a browser: reached by a real stale save, accessible (axe-core, no
serious or critical violation) and no wider than a 360 px phone."""

from playwright.sync_api import expect

from bpo_portal.directory.models import Provider
from tests.browser.admin import sign_in
from tests.browser.test_accessibility import PHONE, serious_violations


def stale_save(page, site):
    ibex = Provider.objects.get(slug="ibex")
    page.goto(f"{site}/admin/directory/provider/{ibex.pk}/change/")
    other = Provider.objects.get(pk=ibex.pk)  # another curator saves meanwhile
    other.headcount = "about 9,000"
    other.save()
    page.get_by_label("Description").fill("Our newer description.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Edit conflict: Ibex")).to_be_visible()


def test_the_conflict_page_is_accessible_and_fits_a_phone(browser, site):
    problems = []
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        page = context.new_page()
        sign_in(page, site, username=f"editor{viewport['width']}")
        stale_save(page, site)
        problems += [f"{viewport['width']} px: {v}" for v in serious_violations(page)]
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"] and viewport == PHONE:
            problems.append(f"{width} px wide on a 360 px phone")
        context.close()
    assert problems == [], "\n".join(problems)


def test_a_merge_from_the_conflict_page_keeps_both_changes(page, site):
    sign_in(page, site)
    stale_save(page, site)
    page.get_by_role("button", name="Save with the values chosen above").click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()
    ibex = Provider.objects.get(slug="ibex")
    assert (ibex.headcount, ibex.description) == ("about 9,000", "Our newer description.")
