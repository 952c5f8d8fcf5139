"""Accounts in the browser: a registrar creates an account whose owner chooses a password
through a one-time link, then deactivates it; everyone's own password, tokens and "Sign out
everywhere". Every new page passes axe and fits a 375 px screen."""
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import AXE
from tests.conftest import PASSWORD
from webapp.rules import users

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def fresh_page(browser, base_url):
    """A browser with no cookies at all (the `page` fixture starts signed in)."""
    context = browser.new_context(base_url=base_url)
    yield context.new_page()
    context.close()


def sign_in(page, email, password):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def create_account(page, name="Nia New", email="nia@school.test"):
    """Through the forms, as a registrar: the one-time link shown."""
    page.goto("/")
    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").click()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Role").select_option(label="Staff (can view)")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text(f"Created the account of {name}.")).to_be_visible()
    return page.get_by_label("Set-password link").input_value()


def choose_password(page, link):
    page.goto(link)
    page.get_by_label(re.compile("^New password \\(")).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()


def test_account_lifecycle_create_link_sign_in_deactivate_refused(page, fresh_page):
    link = create_account(page)
    choose_password(fresh_page, link)
    expect(fresh_page.get_by_text("Your password is set, Nia New. Sign in with it now.")) \
        .to_be_visible()
    sign_in(fresh_page, "nia@school.test", NEW_PASSWORD)
    expect(fresh_page.get_by_text("Nia New (staff)")).to_be_visible()

    page.get_by_role("link", name="Back to Nia New").click()
    page.get_by_role("link", name="Deactivate…").click()
    expect(page.get_by_role("heading", name="Deactivate Nia New?")).to_be_visible()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_text("Deactivated Nia New: signed out everywhere, 0 API tokens "
                            "revoked.")).to_be_visible()
    expect(page.get_by_text("Deactivated", exact=True)).to_be_visible()

    fresh_page.goto("/students/")  # their session ended with the deactivation
    expect(fresh_page).to_have_url(re.compile(r"/login"))
    sign_in(fresh_page, "nia@school.test", NEW_PASSWORD)
    expect(fresh_page.get_by_role("alert")).to_have_text(
        "That email and password do not match an active account.")

    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_text("Activated Nia New: they can sign in again.")).to_be_visible()
    sign_in(fresh_page, "nia@school.test", NEW_PASSWORD)
    expect(fresh_page.get_by_text("Nia New (staff)")).to_be_visible()


def test_the_one_time_link_works_once(page, fresh_page):
    link = create_account(page)
    choose_password(fresh_page, link)
    fresh_page.goto(link)
    expect(fresh_page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(fresh_page.get_by_label("New password again")).to_have_count(0)


def test_a_registrar_resets_a_password_and_the_new_link_lets_them_in(page, fresh_page,
                                                                     staff_user):
    page.goto(f"/accounts/{staff_user.id}")
    page.get_by_role("link", name="Reset password…").click()
    page.get_by_role("button", name="Reset password").click()
    link = page.get_by_label("Set-password link").input_value()
    choose_password(fresh_page, link)
    sign_in(fresh_page, staff_user.email, NEW_PASSWORD)
    expect(fresh_page.get_by_text("Sam Staff (staff)")).to_be_visible()


def test_staff_create_name_and_revoke_their_own_tokens(fresh_page, staff_user):
    sign_in(fresh_page, staff_user.email, PASSWORD)
    fresh_page.get_by_role("link", name="Your account").click()
    fresh_page.get_by_role("link", name="Your API tokens").click()
    fresh_page.get_by_label("Name").fill("Timetable sync")
    fresh_page.get_by_role("button", name="Create token").click()
    secret = fresh_page.get_by_label("New API token").input_value()
    assert users.user_for_token(secret) == staff_user
    row = fresh_page.get_by_role("row", name=re.compile("Timetable sync"))
    expect(row).to_contain_text("Working")

    fresh_page.goto("/account/tokens")  # shown once: a fresh look no longer has it
    expect(fresh_page.get_by_label("New API token")).to_have_count(0)
    row.get_by_role("link", name="Revoke Timetable sync").click()
    fresh_page.get_by_role("button", name="Revoke token").click()
    expect(fresh_page.get_by_text("Revoked the token “Timetable sync”.")).to_be_visible()
    expect(row).to_contain_text("Revoked")
    assert users.user_for_token(secret) is None


def test_a_missing_token_name_is_said_beside_the_field(page):
    page.goto("/account/tokens")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Name the token, e.g. after the system that will use it.")) \
        .to_be_visible()


def test_staff_change_their_password_and_sign_out_everywhere(fresh_page, staff_user):
    sign_in(fresh_page, staff_user.email, PASSWORD)
    fresh_page.goto("/account")
    fresh_page.get_by_label("Current password").fill(PASSWORD)
    fresh_page.get_by_label(re.compile("^New password \\(")).fill(NEW_PASSWORD)
    fresh_page.get_by_label("New password again").fill(NEW_PASSWORD)
    fresh_page.get_by_role("button", name="Change password").click()
    expect(fresh_page.get_by_text("Your password is changed.", exact=False)).to_be_visible()
    fresh_page.get_by_role("button", name="Sign out everywhere").click()
    expect(fresh_page.get_by_text("You are signed out on every device.")).to_be_visible()
    sign_in(fresh_page, staff_user.email, NEW_PASSWORD)
    expect(fresh_page.get_by_text("Sam Staff (staff)")).to_be_visible()


def test_staff_opening_accounts_get_a_page_that_explains(fresh_page, staff_user):
    sign_in(fresh_page, staff_user.email, PASSWORD)
    expect(fresh_page.get_by_role("link", name="Accounts")).to_have_count(0)
    response = fresh_page.goto("/accounts/")
    assert response.status == 403
    expect(fresh_page.get_by_text("Only registrars can manage staff accounts.",
                                  exact=False)).to_be_visible()


def new_pages(page, fresh_page, staff_user):
    """Visit every page this feature adds, yielding (which page, the page showing it) once
    it has loaded (stylesheet included)."""
    for name, shown in _visits(page, fresh_page, staff_user):
        shown.wait_for_load_state("load")
        yield name, shown


def _visits(page, fresh_page, staff_user):
    link = create_account(page)
    yield "one-time link", page
    for url in ("/accounts/", "/accounts/new", f"/accounts/{staff_user.id}",
                f"/accounts/{staff_user.id}/deactivate", "/account", "/account/tokens"):
        page.goto(url)
        yield url, page
    page.get_by_label("Name").fill("A token with a long name for the narrow screen")
    page.get_by_role("button", name="Create token").click()
    yield "token shown once", page
    page.get_by_role("button", name="Create token").click()
    yield "token form with an error", page
    fresh_page.goto(link)
    yield "set-password page", fresh_page
    fresh_page.get_by_role("button", name="Set password").click()
    yield "set-password page with errors", fresh_page
    choose_password(fresh_page, link)
    fresh_page.goto(link)
    yield "used link", fresh_page


def test_every_new_page_has_no_axe_violations(page, fresh_page, staff_user):
    for name, shown in new_pages(page, fresh_page, staff_user):
        results = AXE.run(shown)
        assert results.violations_count == 0, (name, results.generate_report())


def test_every_new_page_fits_a_375px_screen(page, fresh_page, staff_user):
    for shown in (page, fresh_page):
        shown.set_viewport_size({"width": 375, "height": 740})
    for name, shown in new_pages(page, fresh_page, staff_user):
        widths = shown.evaluate("[document.documentElement.scrollWidth, "
                                "document.documentElement.clientWidth]")
        wide = shown.evaluate("""[...document.querySelectorAll('*')]
            .filter(e => e.getBoundingClientRect().right > innerWidth)
            .map(e => e.tagName + "." + e.className)""")  # what sticks out, if it fails
        assert widths[0] <= widths[1], (name, widths, wide)
