"""Steps a curator takes in the admin, shared by the browser tests."""

from playwright.sync_api import expect


def sign_in(page, site, username="editor"):
    from django.contrib.auth.models import User

    User.objects.create_superuser(username, f"{username}@example.org", "editor-pass-12345")
    page.goto(site + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("editor-pass-12345")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Knowledge base")).to_be_visible()


def choose(page, container, text, typed=None):
    """Pick a value in one of the admin's autocomplete (select2) fields: type `typed` (the
    admin's search terms; the option's own text by default) and click the option showing
    `text` once the search has answered."""
    container.locator(".select2-selection").click()
    page.locator(".select2-search__field").fill(typed or text)
    # Records only: not select2's "Searching…" or "No results found" rows.
    options = page.locator(
        ".select2-results__option:not(.loading-results):not(.select2-results__message)"
    )
    expect(options).to_have_count(1)  # the search answered with the one record wanted
    options.filter(has_text=text).click()


def add_source(citation, kind, precision=None, **typed):
    """Record a source not recorded yet from a citation's + (a pop-up window): its kind, the
    fields typed (`title=…`, `summary=…`, `url=…`), and how much of its date is known."""
    with citation.page.expect_popup() as opened:
        citation.locator("a.add-related").click()
    popup = opened.value
    popup.locator("#id_kind").select_option(label=kind)
    for name, text in typed.items():
        popup.locator(f"#id_{name}").fill(text)
    if precision:
        popup.locator("#id_published_precision").select_option(label=precision)
    popup.get_by_role("button", name="Save", exact=True).click()
    popup.wait_for_event("close")
