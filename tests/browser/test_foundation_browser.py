"""Sign-in, the admin layout and the desktop's live connection, in headless Chromium."""

import re

from playwright.sync_api import expect

from app.realtime.push import online_user_ids
from tests.support.browser import screenshot, sign_in_page
from tests.support.builders import PASSWORD
from tests.support.sockets import wait_for


def test_admin_signs_in_and_sees_the_admin_layout(new_page, admin):
    page = new_page()
    sign_in_page(page, admin["email"], PASSWORD)
    page.wait_for_url("**/admin/")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    expect(page.get_by_test_id("whoami")).to_contain_text(admin["name"])
    screenshot(page, "admin-overview")


def test_wrong_password_shows_the_error_next_to_the_field(new_page, agent):
    page = new_page()
    sign_in_page(page, agent["email"], "not-the-password")
    error = page.locator("[data-field=password] .field-error")
    expect(error).to_have_text("Wrong email or password.")
    expect(page.locator("input[name=email]")).to_have_value(agent["email"])


def test_agent_desktop_connects_and_sign_out_closes_the_socket(new_page, agent):
    page = new_page()
    sign_in_page(page, agent["email"], PASSWORD)
    page.wait_for_url("**/desktop/")
    indicator = page.get_by_test_id("connection")
    expect(indicator).to_have_attribute("data-state", "connected")
    expect(indicator).to_contain_text("Connected")
    assert str(agent["_id"]) in online_user_ids()
    screenshot(page, "desktop-connected")

    page.get_by_test_id("sign-out").click()
    page.wait_for_url("**/login")
    assert wait_for(lambda: str(agent["_id"]) not in online_user_ids()), "the socket stayed open after sign-out"


def test_signing_out_on_one_device_sends_the_desktop_open_on_another_to_sign_in(new_page, agent):
    desk, phone = new_page(), new_page()
    sign_in_page(desk, agent["email"], PASSWORD)
    desk.wait_for_url("**/desktop/")
    expect(desk.get_by_test_id("connection")).to_have_attribute("data-state", "connected")
    sign_in_page(phone, agent["email"], PASSWORD)
    phone.wait_for_url("**/desktop/")
    phone.get_by_test_id("sign-out").click()
    desk.wait_for_url("**/login")
    desk.goto("/desktop/")
    expect(desk).to_have_url(re.compile(r"/login\?next="))


def test_agents_do_not_see_admin_navigation_and_get_403(new_page, agent):
    page = new_page()
    sign_in_page(page, agent["email"], PASSWORD)
    page.wait_for_url("**/desktop/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Overview")).to_have_count(0)
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.get_by_test_id("error-page")).to_be_visible()


def test_layout_collapses_the_navigation_on_a_tablet(new_page, admin):
    page = new_page(viewport=(800, 1000))
    sign_in_page(page, admin["email"], PASSWORD)
    nav = page.locator("#sidenav")
    expect(nav).to_be_hidden()
    expect(page.locator("[data-nav-toggle]")).to_have_attribute("data-ready", "true")  # its script has run
    page.get_by_role("button", name="Menu").click()
    expect(nav).to_be_visible()
