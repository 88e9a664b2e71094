"""A reader types a question into the header's search box, on a phone and on a desktop, reads
the direct answer above the results and follows its footnote to the source it comes from."""

import re

import pytest
from playwright.sync_api import expect

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_a_question_gets_a_cited_answer(browser, site, screen):
    context = browser.new_context(viewport=VIEWPORTS[screen])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(site + "/")
        box = page.locator("#site-search-q")
        box.click()
        box.press_sequentially("who offers call centre services?")
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"/search/\?q=who\+offers\+call\+centre"))

        answer = page.locator("section.answer")
        expect(answer.get_by_role("heading", level=2)).to_have_text(
            "Who offers call and contact centres?"
        )
        expect(answer).to_contain_text("The sources name 4 providers:")
        for name in ("PTCL", "Systems Limited", "Telenor", "Ufone"):
            expect(answer.get_by_role("link", name=name, exact=True)).to_be_visible()
        expect(page.locator(".matched-words")).to_contain_text("“who”, “offers” were left out")

        marker = answer.locator("sup.cite a[href^='#cite-']").first
        number = marker.inner_text().strip()
        marker.click()
        expect(page).to_have_url(re.compile(rf"#cite-{number}$"))
        footnote = page.locator(f"#cite-{number}")
        expect(footnote).to_be_in_viewport()
        expect(footnote).to_contain_text("Contact-centre outsourcing in Pakistan")

        footnote.locator("a[href^='/sources/']").first.click()
        expect(page).to_have_url(re.compile(r"/sources/contact-centres/#section-"))
        expect(page.locator("h1")).to_contain_text("Contact-centre outsourcing in Pakistan")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[screen]["width"]
    finally:
        context.close()


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_a_many_word_query_lists_providers_holding_some_of_its_words(browser, site, screen):
    context = browser.new_context(viewport=VIEWPORTS[screen])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(site + "/")
        box = page.locator("#site-search-q")
        box.click()
        box.press_sequentially("call center companies in kar")
        options = page.get_by_role("option")
        expect(options.filter(has_text="PTCL")).to_have_count(1)  # as the results below
        box.press_sequentially("achi")
        box.press("Enter")
        expect(page).to_have_url(re.compile(r"/search/\?q=call\+center\+companies"))
        expect(page.locator(".matched-words")).to_contain_text("“in” was left out")
        page.locator("nav.jump-links a[href='#group-provider']").click()
        expect(page).to_have_url(re.compile(r"#group-provider$"))
        providers = page.locator("section.search-group:has(#group-provider) ul.results a")
        for name in ("PTCL", "Systems Limited", "Telenor", "Ufone"):
            expect(providers.filter(has_text=name)).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[screen]["width"]
    finally:
        context.close()
