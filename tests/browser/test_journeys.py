"""What a visitor does, in a real headless Chromium against the live site."""

import csv
import io
import re
from pathlib import Path

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
    footnote.get_by_role("link").click()
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
    expect(page).to_have_url(site + "/providers/?q=&founded_min=&founded_max=&sort=-founded")
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
