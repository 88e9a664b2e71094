"""A curator growing the knowledge base, a reader correcting it, a reader searching by keyboard."""

import re

from playwright.sync_api import expect

from .admin import choose, sign_in


def test_a_curator_adds_a_report_and_a_newer_figure_citing_it(page, site):
    sign_in(page, site)
    page.goto(site + "/admin/sector/statistic/add/")
    page.locator("#id_slug").fill("it-ites-exports-2024")
    choose(page, page.locator(".field-metric"), "IT and IT-enabled exports, call centres included")
    page.locator("#id_scope").fill("IT and ITeS exports, call centres included")
    choose(page, page.locator(".field-supersedes"), "US$2.5 billion", typed="it-ites-exports-2022")
    page.locator("#id_value").fill("3.2")
    page.locator("#id_unit").select_option(label="US$ billion")
    page.locator("#id_period_kind").select_option(label="Calendar year")
    page.locator("#id_year").fill("2024")

    # The report is not recorded yet: add it from the citation row, in a pop-up window.
    citation = page.locator("#sources-citation-content_type-object_id-group tr.form-row").first
    with page.expect_popup() as opened:
        citation.locator("a.add-related").click()
    popup = opened.value
    popup.locator("#id_kind").select_option(label="Report")
    popup.locator("#id_title").fill("IT and ITeS export review 2024")
    popup.locator("#id_summary").fill("A yearly review of exports, made up for this test.")
    popup.locator("#id_publisher").fill("An export board")
    popup.locator("#id_published").fill("2024-06-01")
    popup.locator("#id_published_precision").select_option(label="Month")
    popup.locator("#id_url").fill("https://example.org/export-review-2024.pdf")
    popup.get_by_role("button", name="Save", exact=True).click()
    popup.wait_for_event("close")

    citation.locator("input[name$='-page']").fill("12")
    citation.locator("textarea[name$='-note']").fill("The newer export total, in our words.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(site + "/statistics/?metric=it-ites-exports")
    row = page.locator("#it-ites-exports-2024")
    expect(row).to_contain_text("US$3.2 billion")
    expect(row).to_contain_text("current")
    expect(page.locator("#it-ites-exports-2022")).to_contain_text("superseded")
    footnote = page.locator(".footnotes li", has_text="IT and ITeS export review 2024")
    expect(footnote).to_contain_text("An export board, June 2024; page 12")
    footnote.get_by_role("link", name="IT and ITeS export review 2024").click()
    expect(page).to_have_url(site + "/sources/it-and-ites-export-review-2024/")  # slug from title
    original = page.get_by_role("link", name="https://example.org/export-review-2024.pdf")
    expect(original).to_have_attribute("rel", "noopener noreferrer")


def test_a_reader_suggests_a_correction_and_a_curator_accepts_it(page, site):
    page.goto(site + "/providers/ibex/")
    page.get_by_role("link", name="Suggest a correction to this page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suggest a correction")
    page.get_by_label("What is wrong").fill("Ibex's founding year is missing.")
    page.get_by_label("What it should be").fill("Founded in 2002, according to its website.")
    page.get_by_role("button", name="Send to the curators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")

    sign_in(page, site, "moderator")
    page.get_by_role("link", name="Quality dashboard").click()
    page.get_by_role("link", name=re.compile("1 readers' corrections waiting")).click()
    row = page.locator("#result_list tbody tr", has_text="Ibex")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(label="Accept, and open the record to edit")
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/admin/directory/provider/\d+/change/\?_suggestion=\d+$"))
    expect(page.locator("#id_name")).to_have_value("Ibex")


def test_search_suggestions_with_the_keyboard_only(page, site):
    page.goto(site + "/")
    box = page.get_by_role("combobox", name="Search the knowledge base")
    for _ in range(5):
        page.keyboard.press("Tab")
        if box.evaluate("element => element === document.activeElement"):
            break
    expect(box).to_be_focused()
    page.keyboard.type("payrol")
    listbox = page.get_by_role("listbox", name="Suggestions")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="suggestion")).to_contain_text(
        "use the arrow keys"
    )
    page.keyboard.press("ArrowDown")
    first = listbox.get_by_role("option").first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(first).to_contain_text("Payroll processing")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    page.keyboard.press("ArrowDown")  # closed: nothing to move through
    page.keyboard.type("l")
    expect(listbox).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(site + "/services/payroll-processing/")
