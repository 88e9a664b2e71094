"""A curator growing the knowledge base, a reader correcting it, a reader searching by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from .admin import add_source, choose, sign_in


def test_a_curator_adds_a_report_and_a_newer_figure_citing_it(page, site):
    sign_in(page, site)
    page.goto(site + "/admin/sector/statistic/add/")
    choose(page, page.locator(".field-metric"), "IT and IT-enabled exports, call centres included")
    page.locator("#id_scope").fill("IT and ITeS exports, call centres included")
    # The older figure, found by its value; its option names its period.
    choose(page, page.locator(".field-supersedes"), "2.5 billion, by 2022", typed="2.5")
    page.locator("#id_value").fill("3.2")
    page.locator("#id_unit").select_option(label="US$ billion")
    page.locator("#id_period_kind").select_option(label="Calendar year")
    page.locator("#id_year").press_sequentially("2024")
    # The slug is made from the scope and year as they are typed; the curator shortens it.
    slug = page.locator("#id_slug")
    expect(slug).to_have_value("it-and-ites-exports-call-centres-included-2024")
    slug.fill("it-ites-exports-2024")

    # The report is not recorded yet: add it from the citation, in a pop-up window.
    citation = page.locator(
        "#sources-citation-content_type-object_id-group .inline-related:not(.empty-form)"
    ).first
    add_source(
        citation,
        "Report",
        precision="Month",
        title="IT and ITeS export review 2024",
        summary="A yearly review of exports, made up for this test.",
        publisher="An export board",
        published="2024-06-01",
        url="https://example.org/export-review-2024.pdf",
    )

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
    page.get_by_role("link", name=re.compile("1 reader's correction waiting")).click()
    row = page.locator("#result_list tbody tr", has_text="Ibex")
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option(
        label="Open the record to edit, with the correction beside it"
    )
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/admin/directory/provider/\d+/change/\?_suggestion=\d+$"))
    expect(page.locator("#id_name")).to_have_value("Ibex")
    # What the reader wrote stays in view while the curator edits.
    wrote = page.get_by_role("region", name=re.compile("What the reader wrote"))
    expect(wrote).to_contain_text("Ibex's founding year is missing.")
    expect(wrote).to_contain_text("Founded in 2002, according to its website.")
    expect(wrote).to_contain_text("Saving this record marks the correction accepted")
    page.locator("#id_founded_year").fill("2002")
    page.get_by_role("button", name="Save", exact=True).click()
    # Ibex's citations say nothing of 2002: the save is refused until the year is cited.
    group = page.locator("#sources-citation-content_type-object_id-group")
    expect(group.locator(".errorlist")).to_contain_text(
        "This correction changes founded year: say where the new value comes from"
    )
    expect(page.locator("#id_founded_year")).to_have_value("2002")
    group.get_by_role("button", name="Add another citation").click()
    citation = group.locator(".inline-related:not(.empty-form)").last
    add_source(
        citation,
        "Web page",
        title="Ibex: our story",
        summary="The company's own history page, made up for this test.",
        url="https://ibex.example/our-story",
    )
    citation.locator("input[name$='-field']").fill("founded_year")
    citation.locator("input[name$='-locator']").fill("The company's history page")
    citation.locator("textarea[name$='-note']").fill("Gives 2002 as the founding year.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("is marked accepted")
    page.goto(site + "/providers/ibex/")
    expect(page.locator(".footnotes")).to_contain_text("Ibex: our story")
    page.goto(site + "/admin/portal/suggestion/?status__exact=accepted")
    expect(page.locator("#result_list tbody tr", has_text="Ibex")).to_have_count(1)


@pytest.fixture
def page_in_utc(browser, site):
    """A curator five hours behind the site's time zone (Asia/Karachi)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="UTC")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_curator_records_a_source_with_its_headings_typed_one_per_line(page_in_utc, site):
    page = page_in_utc
    sign_in(page, site)
    page.goto(site + "/admin/sources/source/add/")
    page.locator("#id_kind").select_option(label="Report")
    page.locator("#id_title").press_sequentially("Contact centres review")
    expect(page.locator("#id_slug")).to_have_value("contact-centres-review")
    page.locator("#id_summary").fill("A review of contact centres, made up for this test.")
    headings = page.get_by_label("Headings")
    headings.fill("Introduction\nWhere the work is\nWhat comes next")
    # A date has no time of day: no time-zone note beside it, whatever the reader's zone.
    page.locator("#id_published").fill("2024-06-01")
    expect(page.locator(".timezonewarning")).to_have_count(0)
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    expect(headings).to_have_value("Introduction\nWhere the work is\nWhat comes next")

    # A citation may now name one of them.
    page.goto(site + "/admin/sector/challenge/add/")
    page.locator("#id_name").press_sequentially("Staff turnover in contact centres")
    expect(page.locator("#id_slug")).to_have_value("staff-turnover-in-contact-centres")
    page.locator("#id_description").fill("People leave often, in our words.")
    citation = page.locator(
        "#sources-citation-content_type-object_id-group .inline-related:not(.empty-form)"
    ).first
    choose(page, citation.locator(".field-source"), "Contact centres review")
    citation.locator("input[name$='-section']").fill("Where the work is")
    citation.locator("textarea[name$='-note']").fill("Turnover is high, in our words.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")


def test_a_figure_in_a_unit_its_metric_does_not_use_is_refused(page, site):
    from bpo_portal.sector.models import Statistic

    sign_in(page, site)
    page.goto(site + "/admin/")
    page.get_by_role("link", name="Statistics").first.click()
    page.get_by_role("link", name=re.compile("Add statistic")).click()
    choose(page, page.locator(".field-metric"), "Growth of IT exports in SBP data")
    page.locator("#id_scope").fill("IT exports, a year later")
    page.locator("#id_value").fill("3.2")
    page.locator("#id_unit").select_option(label="US$ billion")
    page.locator("#id_year").fill("2023")
    citation = page.locator(
        "#sources-citation-content_type-object_id-group .inline-related:not(.empty-form)"
    ).first
    choose(page, citation.locator(".field-source"), "Contact-centre outsourcing in Pakistan")
    citation.locator("input[name$='-page']").fill("3")
    citation.locator("textarea[name$='-note']").fill("A made-up figure, in our words.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator(".field-unit .errorlist")).to_contain_text(
        "“Growth of IT exports in SBP data” is measured in % growth, so a figure in US$ billion "
        "does not fit it"
    )
    # What was typed stays; in % growth it goes through.
    expect(page.locator("#id_value")).to_have_value("3.2")
    page.locator("#id_unit").select_option(label="% growth")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert Statistic.objects.get(slug="it-exports-a-year-later-2023").unit == "percent_growth"


def test_a_metrics_only_figure_and_the_metric_keep_one_unit(page, site):
    """The metric's only figure cannot be switched to another unit, nor the metric to a unit
    its figure does not fit; a unit that fits goes through."""
    from bpo_portal.sector.models import Metric, Statistic

    sign_in(page, site)
    page.goto(site + "/admin/")
    page.get_by_role("link", name="Statistics").first.click()
    page.locator("#searchbar").fill("29.26%")  # the figure, found by its value
    page.locator("#searchbar").press("Enter")
    page.get_by_role("link", name=re.compile("growth on the same months")).click()
    expect(page.locator("#id_unit")).to_have_value("percent_growth")
    page.locator("#id_unit").select_option(label="US$ billion")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".field-unit .errorlist")).to_contain_text(
        "“Growth of IT exports in SBP data” is measured in % growth, so a figure in US$ billion "
        "does not fit it"
    )
    assert Statistic.objects.get(slug="it-export-growth-jul-mar-fy2022").unit == "percent_growth"

    page.goto(site + "/admin/")
    page.get_by_role("link", name="Metrics").first.click()
    page.get_by_role("link", name="Growth of IT exports in SBP data").click()
    unit = page.get_by_label("Unit")
    expect(unit).to_have_value("percent_growth")
    unit.select_option(label="US$ billion")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".field-unit .errorlist")).to_contain_text(
        "Figures of “Growth of IT exports in SBP data” are in % growth, which does not fit "
        "US$ billion"
    )
    assert Metric.objects.get(slug="it-export-growth-sbp").unit == "percent_growth"
    unit.select_option(label="% growth")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def test_a_new_metric_says_what_it_measures_before_its_first_figure(page, site):
    sign_in(page, site)
    page.goto(site + "/admin/sector/metric/add/")
    page.locator("#id_name").press_sequentially("Seats in contact centres")
    expect(page.locator("#id_slug")).to_have_value("seats-in-contact-centres")
    page.locator("#id_description").fill("How many seats contact centres have, for this test.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".field-unit .errorlist")).to_contain_text("This field is required")
    page.get_by_label("Unit").select_option(label="people")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    page.goto(site + "/admin/sector/statistic/add/")
    choose(page, page.locator(".field-metric"), "Seats in contact centres")
    page.locator("#id_scope").fill("Contact-centre seats")
    page.locator("#id_value").fill("40")
    page.locator("#id_unit").select_option(label="% (share)")
    citation = page.locator(
        "#sources-citation-content_type-object_id-group .inline-related:not(.empty-form)"
    ).first
    choose(page, citation.locator(".field-source"), "Contact-centre outsourcing in Pakistan")
    citation.locator("input[name$='-page']").fill("3")
    citation.locator("textarea[name$='-note']").fill("A made-up figure, in our words.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".field-unit .errorlist")).to_contain_text(
        "“Seats in contact centres” is measured in people, so a figure in % (share) does not fit it"
    )
    page.locator("#id_unit").select_option(label="people")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")


@pytest.mark.parametrize("width", [360, 1280])
def test_a_reader_learns_what_is_known_of_each_article(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(site + "/sources/")
    titles = [
        "Pakistan's BPO sector: origins, services, key firms, obstacles and outlook",
        "The Rise of Pakistan’s BPO Industry",
        "Growing a BPO firm in Pakistan: obstacles and remedies",
        "Technology, talent and cost behind Pakistan's BPO boom",
        "Contact-centre outsourcing in Pakistan",
    ]
    for title in titles:
        page.goto(site + "/sources/")
        page.locator("main").get_by_role("link", name=title, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)
        main = page.locator("main")
        expect(main).to_contain_text("What is known of it")
        expect(main).to_contain_text("came to us as a plain-text copy without")
        expect(main).not_to_contain_text("not recorded", ignore_case=True)
        expect(main).not_to_contain_text(".txt")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, title
    context.close()


def test_the_citations_fit_the_form(page, site):
    sign_in(page, site)
    page.goto(site + "/admin/sector/statistic/?q=1.948")
    page.get_by_role("link", name=re.compile("telecommunication")).click()
    group = page.locator("#sources-citation-content_type-object_id-group")
    box = group.bounding_box()
    for field in ("note", "locator"):
        inner = group.locator(f"[name$='-0-{field}']").bounding_box()
        assert inner["x"] + inner["width"] <= box["x"] + box["width"], field
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


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
