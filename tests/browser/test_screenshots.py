"""Screenshots of the main pages at phone and desktop widths, for the README.

Collected only with --screenshots (`make screenshots`); each still checks the page it shoots.
"""

from pathlib import Path

import pytest

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PAGES = {
    "home": "/",
    "directory": "/providers/?service=call-centres",
    "profile": "/providers/trg-pakistan/",
    "compare": "/compare/ibex-vs-systems-limited-vs-trg-pakistan/",
    "statistics": "/statistics/?metric=it-exports",
}
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(browser, site, name, width):
    OUT.mkdir(parents=True, exist_ok=True)
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    response = page.goto(site + PAGES[name])
    assert response.status == 200
    path = OUT / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    context.close()
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_screenshot(browser, site, width):
    """The statistics page's charts alone, at a size the README shows them legibly."""
    OUT.mkdir(parents=True, exist_ok=True)
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h})
    page = context.new_page()
    page.goto(site + PAGES["statistics"])
    panels = page.locator(".chart-panel")
    assert panels.count() >= 1
    path = OUT / f"chart-{width}.png"
    panels.first.screenshot(path=str(path))
    context.close()
    assert path.stat().st_size > 5_000
