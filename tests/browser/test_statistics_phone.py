"""The statistics page on a phone shows each figure once: the table's cards, not the headline
cards as well; at a desk the headline cards stay."""

from tests.browser.conftest import DESKTOP, PHONE

SHOWN = """() => ({
  headline: [...document.querySelectorAll(".big-figure")].filter((e) => e.offsetParent).length,
  rows: [...document.querySelectorAll("table.data tbody tr")].map((e) => !!e.offsetParent),
})"""


def test_a_phone_shows_each_figure_once(page_at, site):
    phone = page_at(PHONE)
    phone.goto(site + "/statistics/")
    shown = phone.evaluate(SHOWN)
    assert shown["headline"] == 0
    assert shown["rows"] and all(shown["rows"])  # every figure is still there, in the table
    desk = page_at(DESKTOP)
    desk.goto(site + "/statistics/")
    assert desk.evaluate(SHOWN)["headline"] > 0
