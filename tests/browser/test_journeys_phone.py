"""A reader on a phone and at a desk, in a real headless Chromium against the live site: a
comparison wider than the screen says that it scrolls, a name half typed still adds a provider,
and no search box cuts its placeholder short."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE

# The width of an input's placeholder in its own font, and the room its box gives it.
PLACEHOLDERS = """() => [...document.querySelectorAll("input[placeholder]")]
  .filter((input) => input.offsetParent)
  .map((input) => {
    const style = getComputedStyle(input);
    const context = document.createElement("canvas").getContext("2d");
    context.font = style.font;
    return {
      id: input.id,
      text: input.placeholder,
      width: context.measureText(input.placeholder).width,
      room: input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
    };
  })"""


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_wide_comparison_on_a_phone_says_it_scrolls_and_keeps_its_labels(page_at, site):
    page = page_at(PHONE)
    page.goto(site + "/compare/ibex-vs-ptcl-vs-trg-pakistan/")
    assert page_width(page) <= 360
    hint = page.locator(".scroll-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("scrolls sideways")
    table = page.get_by_role("region", name="Comparison table")
    last = page.get_by_role("columnheader", name="TRG Pakistan")
    assert last.bounding_box()["x"] + last.bounding_box()["width"] > 360  # off-screen at first

    table.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    page.wait_for_function(
        "() => document.querySelector('thead th:last-child').getBoundingClientRect().right <= 360"
    )
    label = page.get_by_role("rowheader", name="Headcount")
    assert 0 <= label.bounding_box()["x"] < 40  # the facts' names stay in view
    assert page_width(page) <= 360


def test_two_providers_fit_a_phone_without_a_hint(page_at, site):
    page = page_at(PHONE)
    page.goto(site + "/compare/ptcl-vs-telenor/")
    expect(page.get_by_role("columnheader", name="Telenor")).to_be_in_viewport(ratio=1)
    expect(page.locator(".scroll-hint")).to_have_count(1)
    expect(page.locator(".scroll-hint")).to_be_hidden()
    assert page_width(page) <= 360


def test_the_desktop_comparison_has_no_hint(page_at, site):
    page = page_at(DESKTOP)
    page.goto(site + "/compare/ibex-vs-ptcl-vs-trg-pakistan/")
    expect(page.get_by_role("columnheader", name="TRG Pakistan")).to_be_in_viewport(ratio=1)
    expect(page.locator(".scroll-hint")).to_have_count(1)
    expect(page.locator(".scroll-hint")).to_be_hidden()


def test_a_typo_on_a_phone_then_did_you_mean_then_the_correction_form(page_at, site):
    page = page_at(PHONE)
    page.goto(site + "/compare/ptcl-vs-ufone/")
    page.get_by_label("Add a provider").fill("ibx")
    page.get_by_role("button", name="Add", exact=True).click()
    notice = page.locator(".notice")
    expect(notice).to_have_text("No provider matches “ibx”. Did you mean Ibex?")
    notice.get_by_role("link", name="Ibex").click()
    expect(page).to_have_url(site + "/compare/ibex-vs-ptcl-vs-ufone/")

    page.get_by_label("Add a provider").fill("trg")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page).to_have_url(site + "/compare/ibex-vs-ptcl-vs-trg-pakistan-vs-ufone/")
    expect(page.locator(".notice")).to_have_text("Added TRG Pakistan, whose name matches “trg”.")
    assert page_width(page) <= 360

    page.get_by_role("link", name="Suggest a correction to this page").click()
    expect(page.locator(".suggest-about")).to_have_text(
        "About: Compare Ibex vs PTCL vs TRG Pakistan vs Ufone"
    )
    assert page_width(page) <= 360


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_placeholder_fits_its_box(page_at, site, viewport):
    page = page_at(viewport)
    seen = set()
    for path in ["/", "/compare/ibex-vs-ptcl/", "/providers/", "/suggest/?page=/"]:
        page.goto(site + path)
        for box in page.evaluate(PLACEHOLDERS):
            seen.add(box["id"])
            assert box["width"] <= box["room"], (path, box)
    assert {"site-search-q", "home-q", "compare-add"} <= seen
