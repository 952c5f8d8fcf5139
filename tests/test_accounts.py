"""Accounts in the browser: registrars manage staff accounts, everyone their own password
and API tokens; one-time set-password links work once, for 24 hours, and stay out of logs."""
import io
import json
import logging
import re
from datetime import timedelta

import pytest

from webapp.models import ApiToken, EnrollmentEvent, SetPasswordLink, User
from webapp.ops.access_log import AccessJsonFormatter
from webapp.request_log import json_handler
from webapp.rules import accounts, users

from .conftest import PASSWORD, sign_in

NEW_PASSWORD = "a brand new passphrase"


def link_in(page_html):
    """The set-password link a page shows, as a path."""
    return re.search(r'value="http://localhost(/account/set-password/[^"]+)"', page_html).group(1)


def create_account(client, **fields):
    response = client.post("/accounts/new", data={"name": "Nia New", "email": "nia@school.test",
                                                  "role": "staff", **fields})
    assert response.status_code == 200, response.text
    return User.get(User.email == "nia@school.test"), link_in(response.text)


def choose_password(anon_client, link, password=NEW_PASSWORD, confirm=None):
    return anon_client.post(link, data={"password": password,
                                        "confirm_password": confirm or password})


def test_a_new_account_chooses_its_password_through_its_link_once(client, anon_client):
    user, link = create_account(client)
    assert user.role == "staff" and user.active
    assert users.password_matches(user, NEW_PASSWORD) is False
    stored = SetPasswordLink.get(SetPasswordLink.user == user)
    assert stored.token_hash == users.digest(link.rsplit("/", 1)[1])  # only the digest
    assert stored.expires_at - stored.created_at == timedelta(hours=24)

    assert "Choose your password" in anon_client.get(link).text
    done = choose_password(anon_client, link)
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    assert users.authenticate("nia@school.test", NEW_PASSWORD, "127.0.0.1") == user

    again = anon_client.get(link)
    assert again.status_code == 404 and "This link no longer works" in again.text
    assert choose_password(anon_client, link, "yet another passphrase").status_code == 404
    assert users.authenticate("nia@school.test", NEW_PASSWORD, "127.0.0.1") == user


def test_an_expired_link_or_one_for_a_deactivated_account_does_not_work(client, anon_client):
    user, link = create_account(client)
    SetPasswordLink.update(expires_at=SetPasswordLink.created_at).execute()
    assert anon_client.get(link).status_code == 404
    fresh = link_in(client.post(f"/accounts/{user.id}/reset-password").text)
    users.deactivate(user)
    assert choose_password(anon_client, fresh).status_code == 404
    assert not users.password_matches(User.get_by_id(user.id), NEW_PASSWORD)


@pytest.mark.parametrize("password, confirm, message", [
    ("short", "short", "at least 10 characters"),
    (NEW_PASSWORD, "something else entirely", "The two new passwords differ."),
])
def test_a_bad_password_on_the_link_page_is_named_beside_the_field_and_the_link_stays(
        client, anon_client, password, confirm, message):
    user, link = create_account(client)
    refused = choose_password(anon_client, link, password, confirm)
    assert refused.status_code == 400 and message in refused.text
    assert 'class="field-error"' in refused.text
    assert choose_password(anon_client, link).status_code == 303


def test_creating_an_account_refuses_bad_input_beside_the_field_and_writes_nothing(
        client, registrar, db_snapshot):
    before = db_snapshot()
    unnamed = client.post("/accounts/new", data={"name": "", "email": "x@school.test",
                                                 "role": "staff"})
    assert unnamed.status_code == 400 and "This field is required." in unnamed.text
    bad_role = client.post("/accounts/new", data={"name": "X", "email": "x@school.test",
                                                  "role": "admin"})
    assert bad_role.status_code == 400 and "Not a valid choice" in bad_role.text
    exists = client.post("/accounts/new", data={"name": "X", "email": registrar.email,
                                                "role": "staff"})
    assert exists.status_code == 400 and "already exists" in exists.text
    assert db_snapshot() == before


def test_the_list_shows_every_account_with_role_status_and_working_tokens(client, staff_user):
    users.issue_token(staff_user)
    users.deactivate(staff_user)
    page = client.get("/accounts/").text
    assert "Rita Registrar" in page and "Sam Staff" in page and "Deactivated" in page
    assert page.index("Rita Registrar") < page.index("Sam Staff")  # active ones first


def test_a_registrar_changes_a_role_but_not_their_own(client, registrar, staff_user):
    changed = client.post(f"/accounts/{staff_user.id}/role", data={"role": "registrar"})
    assert changed.status_code == 303
    assert User.get_by_id(staff_user.id).role == "registrar"
    assert "Sam Staff is now registrar." in client.get(changed.headers["Location"]).text
    refused = client.post(f"/accounts/{registrar.id}/role", data={"role": "staff"},
                          follow_redirects=True)
    assert "You cannot change the role of your own account" in refused.text
    assert User.get_by_id(registrar.id).role == "registrar"


def test_deactivating_asks_first_then_refuses_sign_in_and_activating_lets_them_back(
        client, app, staff_user, registrar):
    staff_browser = sign_in(app.test_client(), staff_user)
    ask = client.get(f"/accounts/{staff_user.id}/deactivate")
    assert "Deactivate Sam Staff?" in ask.text and User.get_by_id(staff_user.id).active

    done = client.post(f"/accounts/{staff_user.id}/deactivate", follow_redirects=True)
    assert "Deactivated Sam Staff: signed out everywhere, 1 API token revoked." in done.text
    assert staff_browser.get("/students/").status_code == 302  # session gone
    with pytest.raises(users.SignInRefused):
        users.authenticate(staff_user.email, PASSWORD, "127.0.0.1")

    back = client.post(f"/accounts/{staff_user.id}/activate", follow_redirects=True)
    assert "Activated Sam Staff" in back.text
    assert users.authenticate(staff_user.email, PASSWORD, "127.0.0.1") == staff_user

    own = client.post(f"/accounts/{registrar.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in own.text
    assert User.get_by_id(registrar.id).active


def test_resetting_a_password_stops_the_old_one_and_shows_a_new_link(client, anon_client,
                                                                     staff_user):
    assert "Reset the password of Sam Staff?" in client.get(
        f"/accounts/{staff_user.id}/reset-password").text
    first = link_in(client.post(f"/accounts/{staff_user.id}/reset-password").text)
    with pytest.raises(users.SignInRefused):
        users.authenticate(staff_user.email, PASSWORD, "127.0.0.1")
    second = link_in(client.post(f"/accounts/{staff_user.id}/reset-password").text)
    assert anon_client.get(first).status_code == 404  # only the newest link counts
    assert choose_password(anon_client, second).status_code == 303


def test_revoking_someones_tokens_asks_first_then_revokes_them_all(client, staff_user):
    token = users.issue_token(staff_user)
    assert "Revoke every API token of Sam Staff?" in client.get(
        f"/accounts/{staff_user.id}/revoke-tokens").text
    assert users.user_for_token(token) == staff_user
    done = client.post(f"/accounts/{staff_user.id}/revoke-tokens", follow_redirects=True)
    assert "Revoked 1 API token of Sam Staff." in done.text
    assert users.user_for_token(token) is None


@pytest.mark.parametrize("method, path", [
    ("get", "/accounts/"), ("get", "/accounts/new"), ("get", "/accounts/1"),
    ("get", "/accounts/1/deactivate"), ("post", "/accounts/1/deactivate"),
    ("post", "/accounts/new"), ("post", "/accounts/1/reset-password"),
])
def test_staff_get_a_403_page_that_explains_on_every_registrar_page(staff_client, method,
                                                                    path, db_snapshot):
    before = db_snapshot()
    response = getattr(staff_client, method)(path)
    assert response.status_code == 403 and "Not allowed" in response.text
    assert db_snapshot() == before


def test_staff_see_your_account_in_the_menu_but_not_accounts(staff_client, client):
    assert 'href="/account"' in staff_client.get("/").text
    assert 'href="/accounts/"' not in staff_client.get("/").text
    assert 'href="/accounts/"' in client.get("/").text


def test_staff_change_their_own_password_and_stay_signed_in_here_only(app, staff_user):
    here, elsewhere = (sign_in(app.test_client(), staff_user) for _ in range(2))
    token = users.issue_token(staff_user)
    response = here.post("/account", data={"current_password": PASSWORD,
                                           "password": NEW_PASSWORD,
                                           "confirm_password": NEW_PASSWORD})
    assert response.status_code == 303
    assert "Your password is changed" in here.get("/account").text
    assert elsewhere.get("/account").status_code == 302
    assert users.user_for_token(token) is None
    assert users.authenticate(staff_user.email, NEW_PASSWORD, "127.0.0.1") == staff_user


@pytest.mark.parametrize("fields, message", [
    ({"current_password": "wrong password!", "password": NEW_PASSWORD,
      "confirm_password": NEW_PASSWORD}, "That is not your current password."),
    ({"current_password": PASSWORD, "password": NEW_PASSWORD,
      "confirm_password": "another one entirely"}, "The two new passwords differ."),
    ({"current_password": PASSWORD, "password": "short", "confirm_password": "short"},
     "at least 10 characters"),
])
def test_a_wrong_own_password_change_says_why_beside_the_field(staff_client, staff_user,
                                                               fields, message):
    response = staff_client.post("/account", data=fields)
    assert response.status_code == 400 and message in response.text
    assert users.authenticate(staff_user.email, PASSWORD, "127.0.0.1") == staff_user


def test_your_account_has_a_sign_out_everywhere_button(staff_client):
    page = staff_client.get("/account").text
    assert 'action="/logout-everywhere"' in page and "Sign out everywhere" in page


def test_staff_name_create_and_revoke_their_own_tokens(staff_client, staff_user):
    made = staff_client.post("/account/tokens", data={"name": "Timetable sync"})
    assert made.status_code == 201
    secret = re.search(r'id="new-token" value="([^"]+)"', made.text).group(1)
    token = ApiToken.get(ApiToken.name == "Timetable sync")
    assert token.user_id == staff_user.id and users.user_for_token(secret) == staff_user
    assert secret not in staff_client.get("/account/tokens").text  # shown once

    assert "Revoke the token “Timetable sync”?" in staff_client.get(
        f"/account/tokens/{token.id}/revoke").text
    done = staff_client.post(f"/account/tokens/{token.id}/revoke", follow_redirects=True)
    assert "Revoked the token “Timetable sync”." in done.text
    assert users.user_for_token(secret) is None


@pytest.mark.parametrize("name, message", [("   ", "Name the token"),
                                           ("x" * 101, "at most 100 characters")])
def test_a_token_needs_a_sensible_name(staff_client, name, message):
    response = staff_client.post("/account/tokens", data={"name": name})
    assert response.status_code == 400 and message in response.text
    assert ApiToken.select().where(ApiToken.name != "").count() == 0


def test_nobody_can_revoke_someone_elses_token(staff_client, registrar):
    users.issue_token(registrar, "Registrar's own")
    theirs = ApiToken.get(ApiToken.name == "Registrar's own")
    assert staff_client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert ApiToken.get_by_id(theirs.id).revoked_at is None


def test_account_chores_write_no_enrollment_history(client, staff_user):
    client.post(f"/accounts/{staff_user.id}/role", data={"role": "registrar"})
    client.post(f"/accounts/{staff_user.id}/deactivate")
    client.post("/account/tokens", data={"name": "x"})
    assert EnrollmentEvent.select().count() == 0


def test_a_link_used_by_two_requests_at_once_sets_the_password_only_once(client):
    user, link = create_account(client)
    secret = link.rsplit("/", 1)[1]
    accounts.set_password_with_link(secret, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(accounts.LinkInvalid):
        accounts.set_password_with_link(secret, "second passphrase", "second passphrase")


def test_the_links_secret_stays_out_of_both_logs(client, anon_client, monkeypatch):
    _, link = create_account(client)
    stream = io.StringIO()
    monkeypatch.setattr(json_handler, "stream", stream)
    anon_client.get(link)
    secret = link.rsplit("/", 1)[1]
    logged = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["path"] for line in logged] == ["/account/set-password/…"]
    atoms = {"h": "10.0.0.7", "m": "GET", "U": link, "q": "", "s": "200"}
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(m)s %(U)s",
                               (atoms,), None)
    access_line = AccessJsonFormatter().format(record)
    assert secret not in access_line
    assert json.loads(access_line)["path"] == "/account/set-password/…"



def test_an_unknown_role_is_refused_beside_the_field(client, registrar, staff_user):
    response = client.post(f"/accounts/{staff_user.id}/role", data={"role": "admin"})
    assert response.status_code == 400 and "Not a valid choice" in response.text
    with pytest.raises(accounts.InvalidRecord):
        accounts.change_role(staff_user, "admin", registrar)
    assert User.get_by_id(staff_user.id).role == "staff"


def test_an_unknown_account_is_the_404_page(client):
    assert client.get("/accounts/4242").status_code == 404
    assert client.post("/accounts/4242/deactivate").status_code == 404
