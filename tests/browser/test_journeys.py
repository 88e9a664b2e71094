"""What a visitor does, in a real headless Chromium against the live site."""

import csv
import io
import re
from pathlib import Path
from xml.etree import ElementTree

from playwright.sync_api import expect

from .admin import choose, sign_in


def test_find_providers_offering_technical_support(page, site):
    page.goto(site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Providers").click()
    page.locator(".facets").get_by_role("link", name="Technical support").click()
    expect(page.locator(".result-summary strong")).to_have_text(
        "1 provider offering technical support"
    )
    expect(page.locator(".provider-row h2")).to_have_text(["Ibex"])


def test_open_a_profile_and_follow_a_citation(page, site):
    page.goto(site + "/providers/?service=technical-support")
    page.get_by_role("link", name="Ibex", exact=True).click()
    expect(page).to_have_url(site + "/providers/ibex/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ibex")
    page.get_by_role("link", name="Source 2", exact=True).click()
    expect(page).to_have_url(site + "/providers/ibex/#cite-2")
    footnote = page.locator("#cite-2")
    expect(footnote).to_contain_text("Key Players in the Pakistani BPO Industry")
    footnote.locator("a:not(.backlink)").click()
    expect(page).to_have_url(
        site + "/sources/bpo-overview/#section-key-players-in-the-pakistani-bpo-industry"
    )
    expect(page.locator("#section-key-players-in-the-pakistani-bpo-industry")).to_contain_text(
        "Ibex"
    )


def test_compare_two_providers_then_add_a_third(page, site):
    page.goto(site + "/providers/ibex/")
    page.get_by_role("link", name="Compare Ibex with TRG Pakistan").click()
    expect(page).to_have_url(site + "/compare/ibex-vs-trg-pakistan/")
    expect(page.locator("table.compare thead th")).to_have_count(3)
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Technical support"))
    expect(row.locator("td").nth(0)).to_contain_text("✓")
    expect(row.locator("td").nth(1)).to_have_text("Not stated")

    page.get_by_label("Add a provider").fill("Telenor")
    page.get_by_role("button", name="Add").click()
    expect(page).to_have_url(site + "/compare/ibex-vs-telenor-vs-trg-pakistan/")
    expect(page.locator("table.compare thead th")).to_have_count(4)

    page.get_by_role("link", name="Remove Telenor from the comparison").click()
    expect(page).to_have_url(site + "/compare/ibex-vs-trg-pakistan/")


def test_export_the_filtered_list(page, site):
    page.goto(site + "/providers/?service=call-centres&sort=-name")
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["name"] for row in rows] == ["Ufone", "Telenor", "Systems Limited", "PTCL"]


def test_sort_menu_applies_itself(page, site):
    page.goto(site + "/providers/")
    page.get_by_label("Sort by").select_option("-founded")
    expect(page).to_have_url(site + "/providers/?sort=-founded")  # no empty fields
    expect(page.locator(".provider-row h2").first).to_have_text("TRG Pakistan")


def test_keyboard_focus_is_visible(page, site):
    page.goto(site + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0


def test_no_page_breaks_the_content_security_policy(page, site):
    from bpo_portal.directory.models import Provider

    ibex = Provider.objects.get(slug="ibex").pk
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text[:60]}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    for path in [
        "/",
        "/providers/?service=call-centres",
        "/providers/ibex/",
        "/compare/ibex-vs-ptcl/",
        "/statistics/",
        "/cities/",
    ]:
        page.goto(site + path)
    sign_in(page, site)
    for path in [
        f"/admin/directory/provider/{ibex}/change/",
        f"/admin/directory/provider/{ibex}/history/",
        "/admin/directory/provider/?q=ibex",
        "/admin/sector/incentive/import/",
        "/admin/sector/incentive/export/",
    ]:
        response = page.goto(site + path)
        assert response.status == 200, path
    assert violations == []


def test_curator_adds_a_cited_service_line_in_the_browser(page, site):
    from bpo_portal.directory.models import Provider, ProviderService

    ibex = Provider.objects.get(slug="ibex")
    sign_in(page, site)
    page.goto(site + f"/admin/directory/provider/{ibex.pk}/change/")
    group = page.locator("#service_links-group")
    group.get_by_role("button", name=re.compile("Add another", re.IGNORECASE)).click()
    row = group.locator("tr.dynamic-service_links").last
    choose(page, row, "Chat and email support", typed="chat")
    row.locator("select[name$='-cite_source']").select_option(
        label="Contact-centre outsourcing in Pakistan"
    )
    row.locator("input[name$='-cite_section']").fill("Chat and Email Support")
    row.locator("input[name$='-cite_note']").fill("Added by a curator in the browser.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    link = ProviderService.objects.get(provider=ibex, service_line__slug="chat-and-email-support")
    assert link.citations.get().note == "Added by a curator in the browser."


def test_the_kind_menu_of_incentives_applies_itself_without_empty_fields(page, site):
    page.goto(site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incentives").click()
    kind = page.get_by_label("Kind")
    expect(kind.locator("option:checked")).to_have_text("Any kind")
    kind.select_option("tax")
    expect(page).to_have_url(site + "/incentives/?kind=tax")
    expect(page.locator("table.data tbody tr").first).to_be_visible()


def test_the_phone_header_is_compact_and_its_menu_opens(browser, site):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(site + "/")
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 120, header  # 242 px when the menu was always open
    menu = page.get_by_role("navigation", name="Main")
    statistics = menu.get_by_role("link", name="Statistics")
    expect(statistics).to_be_hidden()
    page.locator("summary", has_text="Menu").click()
    expect(statistics).to_be_visible()
    statistics.click()
    expect(page).to_have_url(site + "/statistics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistics")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def test_the_desktop_header_shows_its_menu_without_a_click(page, site):
    page.goto(site + "/")
    expect(page.locator("summary", has_text="Menu")).to_be_hidden()
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Statistics")
    expect(link).to_be_visible()
    assert page.locator("header.site-header").bounding_box()["height"] <= 140


def test_the_keyboard_path_back_to_search(page, site):
    page.goto(site + "/")
    page.get_by_label("Search the knowledge base").first.fill("ibex")
    page.keyboard.press("Enter")
    page.locator(".results").get_by_role("link", name="Ibex", exact=True).click()
    expect(page).to_have_url(site + "/providers/ibex/")
    # "/" puts the cursor in the search box from anywhere, a footnote far down the page too...
    page.goto(site + "/providers/ibex/#cite-1")
    page.keyboard.press("/")
    box = page.locator("#site-search-q")
    expect(box).to_be_focused()
    # ...and types itself when the cursor is in a field already.
    page.keyboard.type("lahore/karachi")
    expect(box).to_have_value("lahore/karachi")
    # Without the shortcut, from the top of a page: the second key press reaches the skip link.
    page.goto(site + "/providers/ibex/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to search")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(box).to_be_focused()
    page.keyboard.type("lahore")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site + "/search/?q=lahore")


def test_a_footnote_and_back_to_its_fact(page, site):
    page.goto(site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Providers").click()
    page.get_by_role("link", name="Ibex", exact=True).click()
    staff = page.locator("dd", has_text="Thousands of staff")
    staff.get_by_role("link", name="Source 2", exact=True).click()
    expect(page).to_have_url(site + "/providers/ibex/#cite-2")
    page.locator("#cite-2").get_by_role("link", name="Back to the text citing source 2").click()
    expect(page).to_have_url(site + "/providers/ibex/#ref-2-1")
    marker = staff.get_by_role("link", name="Source 2", exact=True)
    expect(marker).to_be_in_viewport()
    expect(page.locator(":target")).to_have_text("2")


def test_a_correction_beside_a_fact_names_the_fact(page, site):
    from bpo_portal.portal.models import Suggestion

    page.goto(site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Providers").click()
    page.get_by_role("link", name="Ibex", exact=True).click()
    staff = page.locator("dd", has_text="Thousands of staff")
    staff.get_by_role("link", name="Suggest a correction to this fact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest a correction")
    expect(page.locator(".suggest-about")).to_have_text(
        "About the fact: Ibex: headcount, as the page shows it."
    )
    page.get_by_label("What is wrong").fill("The headcount has no year.")
    page.get_by_role("button", name="Send to the curators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    suggestion = Suggestion.objects.get()
    assert (suggestion.record_kind, suggestion.record_title) == ("provider", "Ibex: headcount")
    page.get_by_role("link", name="Back to the page you were on").click()
    expect(page).to_have_url(site + "/providers/ibex/#ref-2-1")


def test_a_feed_entry_lands_on_its_figure(page, site):
    from bpo_portal.sector.models import Statistic

    figure = Statistic.objects.get(slug="call-centre-employment-100k")
    figure.scope = "Call centres, across Pakistan"
    figure.save()  # a curator's change, after the first load
    page.goto(site + "/")
    page.get_by_role("link", name="Recent changes").click()
    expect(page.locator(".changes li")).to_have_count(1)
    feed = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    response = page.request.get(site + feed.get_attribute("href"))
    entry = ElementTree.fromstring(response.body()).find(
        "atom:entry/atom:link", {"atom": "http://www.w3.org/2005/Atom"}
    )
    link = entry.get("href")
    assert link.count("#") == 1, link
    page.goto(link)
    row = page.locator("#call-centre-employment-100k")
    expect(row).to_be_in_viewport()
    expect(row).to_contain_text("over 100,000 people")


def test_the_metric_select_shows_its_longest_choice_whole(page, site):
    page.goto(site + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Statistics").click()
    metric = page.get_by_label("Metric")
    names = metric.locator("option").all_text_contents()
    longest = max(names, key=len)
    metric.select_option(label=longest)
    text_width, inner_width = metric.evaluate(
        """select => {
            const context = document.createElement("canvas").getContext("2d");
            context.font = getComputedStyle(select).font;
            const style = getComputedStyle(select);
            const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
            return [context.measureText(select.selectedOptions[0].text).width,
                    select.clientWidth - padding];
        }"""
    )
    assert text_width + 16 <= inner_width, (longest, text_width, inner_width)  # 16: the arrow
