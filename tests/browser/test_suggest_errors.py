"""The correction form in a real browser: an invalid submit moves focus to the error summary,
whose links lead to each field; a sent correction can be reloaded without sending it again."""

import re

from playwright.sync_api import expect

from bpo_portal.portal.models import Suggestion


def test_errors_take_focus_and_lead_to_their_fields(page, site):
    page.goto(site + "/suggest/?page=/providers/ibex/")
    page.get_by_label("Source (URL)").fill("not a url")
    page.get_by_role("button", name="Send to the curators").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Source (URL): Enter a valid URL.").click()
    url = page.get_by_label("Source (URL)")
    expect(url).to_have_accessible_description(re.compile("Enter a valid URL."))


def test_a_reload_of_the_thank_you_page_sends_nothing_again(page, site):
    page.goto(site + "/suggest/?page=/providers/ibex/")
    page.get_by_label("What is wrong").fill("The headcount has no year.")
    page.get_by_role("button", name="Send to the curators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.locator(".sent")).to_contain_text("The headcount has no year.")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    assert Suggestion.objects.count() == 1


def test_the_error_and_thank_you_states_are_accessible_on_a_phone(browser, site):
    from .test_accessibility import PHONE, serious_violations

    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto(site + "/suggest/?page=/providers/ibex/")
    page.get_by_label("Source (URL)").fill("https://example.org/" + "long-address-" * 20)
    page.get_by_role("button", name="Send to the curators").click()
    problems = serious_violations(page)
    page.get_by_label("What is wrong").fill("The headcount has no year.")
    page.get_by_role("button", name="Send to the curators").click()
    problems += serious_violations(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert problems == [] and width <= PHONE["width"]
