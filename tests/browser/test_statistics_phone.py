"""The statistics page on a phone shows each figure once: the table's cards, not the headline
cards as well; at a desk the headline cards stay."""

import pytest

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

SHOWN = """() => ({
  headline: [...document.querySelectorAll(".big-figure")].filter((e) => e.offsetParent).length,
  rows: [...document.querySelectorAll("table.data tbody tr")].map((e) => !!e.offsetParent),
})"""


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_at(viewport):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_at
    for context in contexts:
        context.close()


def test_a_phone_shows_each_figure_once(open_page, site):
    phone = open_page(PHONE)
    phone.goto(site + "/statistics/")
    shown = phone.evaluate(SHOWN)
    assert shown["headline"] == 0
    assert shown["rows"] and all(shown["rows"])  # every figure is still there, in the table
    desk = open_page(DESKTOP)
    desk.goto(site + "/statistics/")
    assert desk.evaluate(SHOWN)["headline"] > 0
