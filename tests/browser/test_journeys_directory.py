"""A reader's paths through the directory, in a real headless Chromium against the live site:
a service line nobody offers, two providers picked from the list to compare, and a CSV file
opened beside the page it came from."""

import csv
import io
from pathlib import Path

from playwright.sync_api import expect


def main_menu(page, name):
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_a_service_line_nobody_offers_is_no_dead_end(page, site):
    page.goto(site + "/")
    main_menu(page, "Services")
    page.get_by_role("link", name="Payroll processing", exact=True).click()
    expect(page).to_have_url(site + "/services/payroll-processing/")
    providers = page.locator("section", has=page.locator("#providers-heading"))
    expect(providers).to_contain_text("The sources name no provider of payroll processing.")
    expect(page.get_by_role("navigation", name="Filter by city")).to_have_count(0)
    # Every link there leads to a page with something on it: follow the related line.
    providers.get_by_role("link", name="Business process outsourcing (full scope)").click()
    expect(page.locator("section", has=page.locator("#providers-heading"))).to_contain_text(
        "Systems Limited"
    )

    # In the directory, payroll is listed with its 0 and why, not as a link.
    main_menu(page, "Providers")
    facet = page.locator(".facet", has=page.get_by_role("heading", name="Service line"))
    expect(facet.get_by_role("link", name="Payroll processing")).to_have_count(0)
    empty = facet.locator("details")
    empty.locator("summary").click()
    expect(empty.locator("li", has_text="Payroll processing")).to_contain_text("0")


def test_compare_trg_pakistan_and_ibex_picked_from_the_directory(page, site):
    page.goto(site + "/")
    main_menu(page, "Providers")
    page.get_by_label("Compare TRG Pakistan").check()
    page.get_by_label("Compare Ibex").check()
    page.get_by_role("button", name="Compare the ticked providers").click()
    expect(page).to_have_url(site + "/compare/ibex-vs-trg-pakistan/")
    names = page.locator("tr", has=page.get_by_role("rowheader", name="Other names"))
    expect(names.locator("td").nth(0)).to_contain_text("Former name: TRG Customer Solutions")
    expect(names.locator("td").nth(1)).to_have_text("None stated")
    staff = page.locator("tr", has=page.get_by_role("rowheader", name="Headcount"))
    expect(staff.locator("td").nth(0)).to_contain_text("Thousands of staff, as stated")

    # TRG Pakistan's group names Ibex too, by its former name.
    page.get_by_role("link", name="TRG Pakistan", exact=True).click()
    page.get_by_role("link", name="The Resource Group International").click()
    named = page.locator("section", has=page.locator("#named-heading"))
    expect(named).to_contain_text("Ibex, former name TRG Customer Solutions")


def test_a_csv_file_says_what_the_page_says(page, site):
    page.goto(site + "/")
    main_menu(page, "Providers")
    page.locator(".facets").get_by_role("link", name="Call and contact centres").click()
    rows = page.locator(".provider-row")
    shown = {
        rows.nth(n).locator("h2").inner_text(): {
            "url": rows.nth(n).locator("h2 a").get_attribute("href"),
            "lines": rows.nth(n).locator(".tags a").all_inner_texts(),
            "meta": rows.nth(n).locator("p.meta").first.inner_text(),
        }
        for n in range(rows.count())
    }
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "providers_service-call-centres.csv"
    raw = Path(download.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8, said to the spreadsheet
    written = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [row["name"] for row in written] == list(shown)
    for row in written:
        on_page = shown[row["name"]]
        assert row["url"] == site + on_page["url"]
        assert sorted(row["service_lines_names"].split("; ")) == sorted(on_page["lines"])
        assert row["kind"] in on_page["meta"] and row["kind"]
        assert "Not stated" not in row.values()
