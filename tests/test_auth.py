"""Sign-in, sessions that really end, throttling, roles, API tokens, CSRF and headers."""
import re
from datetime import timedelta

import pytest

from webapp import security
from webapp.models import LoginFailure, StudentCourse, UserSession
from webapp.rules import users

from .conftest import PASSWORD


def sign_in_form(client, email, password=PASSWORD, **kwargs):
    return client.post("/login", data={"email": email, "password": password}, **kwargs)


def session_cookie(client):
    cookie = client.get_cookie(security.SESSION_COOKIE)
    return cookie.value if cookie else None


def test_a_stranger_is_sent_to_sign_in_and_comes_back_after(anon_client, registrar):
    response = anon_client.get("/?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    back = sign_in_form(anon_client, "RITA@school.test",
                        query_string={"next": "/?tab=1"})
    assert back.status_code == 303 and back.headers["Location"] == "/?tab=1"
    assert anon_client.get("/").status_code == 200


def test_htmx_requests_without_a_session_are_told_to_redirect(anon_client):
    response = anon_client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")


def test_login_page_and_static_files_are_public(anon_client):
    assert anon_client.get("/login").status_code == 200
    assert anon_client.get("/static/css/app.css").status_code == 200


@pytest.mark.parametrize("path", ["/loginxyz", "/login/../students/", "/healthz-admin",
                                  "/staticfoo", "/api/docs-internal", "/api/openapi.json.bak"])
def test_only_the_public_endpoints_are_public_not_every_path_they_prefix(anon_client, path):
    response = anon_client.get(path)
    if path.startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")


def test_the_api_documents_and_health_check_stay_public(anon_client):
    for path in ["/healthz", "/api/openapi.json", "/api/docs"]:
        assert anon_client.get(path).status_code == 200


def test_sign_in_sets_a_hardened_cookie_and_rotates_the_session_id(app, anon_client, registrar):
    app.config["SESSION_COOKIE_SECURE"] = True
    sign_in_form(anon_client, registrar.email)
    first = session_cookie(anon_client)
    assert first and anon_client.get("/").status_code == 200
    response = sign_in_form(anon_client, registrar.email)
    set_cookie = next(v for k, v in response.headers.items()
                      if k == "Set-Cookie" and v.startswith(security.SESSION_COOKIE))
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie and "Secure" in set_cookie
    second = session_cookie(anon_client)
    assert second != first
    assert users.user_for_session(first) is None  # the old id no longer works


def test_the_cookie_is_not_secure_in_development(app, anon_client, registrar):
    app.config["SESSION_COOKIE_SECURE"] = False
    response = sign_in_form(anon_client, registrar.email)
    assert "Secure" not in response.headers["Set-Cookie"]


def test_a_cookie_replayed_after_sign_out_is_refused(app, anon_client, registrar):
    sign_in_form(anon_client, registrar.email)
    stolen = session_cookie(anon_client)
    assert anon_client.post("/logout").status_code == 303
    thief = app.test_client()
    thief.set_cookie(security.SESSION_COOKIE, stolen)
    assert thief.get("/").status_code == 302
    assert UserSession.select().count() == 0


def test_sign_out_everywhere_ends_every_session_of_that_user(app, registrar, staff_user):
    laptop, phone, colleague = app.test_client(), app.test_client(), app.test_client()
    for browser, user in [(laptop, registrar), (phone, registrar), (colleague, staff_user)]:
        sign_in_form(browser, user.email)
    assert laptop.post("/logout-everywhere").status_code == 303
    assert phone.get("/").status_code == 302
    assert colleague.get("/").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_message(anon_client, registrar):
    wrong = sign_in_form(anon_client, registrar.email, "not the password")
    unknown = sign_in_form(anon_client, "nobody@school.test")
    assert wrong.status_code == unknown.status_code == 401
    message = b"That email and password do not match an active account."
    assert message in wrong.data and message in unknown.data
    assert session_cookie(anon_client) is None


def test_an_inactive_account_cannot_sign_in(anon_client, registrar):
    registrar.active = False
    registrar.save()
    assert sign_in_form(anon_client, registrar.email).status_code == 401


def test_an_empty_form_says_what_is_missing(anon_client):
    response = anon_client.post("/login", data={})
    assert response.status_code == 400
    assert b"Enter your email." in response.data and b"Enter your password." in response.data


def test_the_eleventh_failure_locks_the_account_but_not_its_neighbours(app, registrar, staff_user):
    office = app.test_client()  # one shared school address for everyone
    for _ in range(10):
        assert sign_in_form(office, registrar.email, "guess").status_code == 401
    locked = sign_in_form(office, registrar.email)  # right password, still refused
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.data
    assert session_cookie(office) is None
    assert sign_in_form(office, staff_user.email).status_code == 303


def test_old_failures_fall_out_of_the_window(app, anon_client, registrar):
    long_ago = users.utcnow() - users.ACCOUNT_WINDOW
    LoginFailure.insert_many([{"email": registrar.email, "address": "127.0.0.1", "at": long_ago}
                              for _ in range(20)]).execute()
    assert sign_in_form(anon_client, registrar.email).status_code == 303


def test_one_address_is_blocked_only_after_many_more_failures(app, anon_client, registrar):
    LoginFailure.insert_many([{"email": f"guess{n}@school.test", "address": "127.0.0.1",
                               "at": users.utcnow()}
                              for n in range(users.ADDRESS_FAILURE_LIMIT - 1)]).execute()
    assert sign_in_form(anon_client, registrar.email).status_code == 303
    LoginFailure.create(email="one-more@school.test", address="127.0.0.1")
    other = app.test_client()
    assert sign_in_form(other, registrar.email).status_code == 429


def padded(email, variant):
    """`email`, then whitespace mixed differently per `variant`, then a letter: over 254
    characters in all, and each variant a different string that strips back to `email`
    once cut at 254."""
    spaces = "".join(" \t"[(variant >> bit) & 1] for bit in range(260 - len(email)))
    return email + spaces + "x"


def test_whitespace_padding_cannot_dodge_the_account_lock(app, registrar):
    attacker = app.test_client()
    for variant in range(users.ACCOUNT_FAILURE_LIMIT + 1):
        guess = sign_in_form(attacker, padded(registrar.email, variant), "guess")
        assert guess.status_code == 400
        assert b"at most 254 characters" in guess.data
    right = sign_in_form(attacker, padded(registrar.email, 99))
    assert right.status_code == 400 and session_cookie(attacker) is None
    assert LoginFailure.select().count() == 0  # refused before any lookup: nothing written


def test_every_spelling_of_an_email_counts_against_the_same_account(app, registrar):
    attacker = app.test_client()
    spellings = ["RITA@school.test", " rita@school.test", "rita@SCHOOL.test\t",
                 "\nrita@school.test "]
    for n in range(users.ACCOUNT_FAILURE_LIMIT):
        assert sign_in_form(attacker, spellings[n % len(spellings)], "guess").status_code == 401
    assert {f.email for f in LoginFailure.select()} == {registrar.email}
    assert sign_in_form(app.test_client(), registrar.email).status_code == 429


def test_the_account_lock_says_so_and_when_it_ends(app, registrar):
    LoginFailure.insert_many([{"email": registrar.email, "address": f"10.0.0.{n}",
                               "at": users.utcnow()}
                              for n in range(users.ACCOUNT_FAILURE_LIMIT)]).execute()
    locked = sign_in_form(app.test_client(), registrar.email)
    assert locked.status_code == 429
    assert b"this account is locked for 15 more minutes" in locked.data
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60


def test_an_address_over_its_limit_is_slowed_down_not_locked_out(app, anon_client, registrar):
    a_minute_ago = users.utcnow() - timedelta(minutes=1)
    LoginFailure.insert_many([{"email": f"guess{n}@school.test", "address": "127.0.0.1",
                               "at": a_minute_ago}
                              for n in range(users.ADDRESS_FAILURE_LIMIT * 2)]).execute()
    assert sign_in_form(anon_client, registrar.email).status_code == 303


def test_a_slowed_address_is_told_to_wait_and_no_account_is_called_locked(app, registrar):
    LoginFailure.insert_many([{"email": f"guess{n}@school.test", "address": "127.0.0.1",
                               "at": users.utcnow()}
                              for n in range(users.ADDRESS_FAILURE_LIMIT)]).execute()
    slowed = sign_in_form(app.test_client(), registrar.email)
    assert slowed.status_code == 429
    assert b"from your network" in slowed.data and b"locked" not in slowed.data
    assert 0 < int(slowed.headers["Retry-After"]) <= users.ADDRESS_SLOWDOWN.total_seconds()
    assert LoginFailure.select().count() == users.ADDRESS_FAILURE_LIMIT  # a wait is no failure


def test_forwarded_addresses_are_ignored_unless_proxies_are_trusted(anon_client, registrar):
    sign_in_form(anon_client, registrar.email, "guess", headers={"X-Forwarded-For": "203.0.113.7"},
                 environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert [f.address for f in LoginFailure.select()] == ["10.1.2.3"]


def test_sign_in_never_follows_a_link_off_site(anon_client, registrar):
    for target in ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]:
        response = sign_in_form(anon_client, registrar.email, query_string={"next": target})
        assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/students/\r\nSet-Cookie: x=1", "/\n", "/a\tb",
                                    "/\\evil.example/", "/x\x7f"])
def test_a_next_with_control_characters_or_a_backslash_goes_home(anon_client, registrar,
                                                                target):
    """CR/LF would split the Location header (a 500 before); browsers read `/\\host` as
    `//host`, a link off site."""
    response = sign_in_form(anon_client, registrar.email, query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    again = anon_client.get("/login", query_string={"next": target})  # already signed in
    assert again.status_code == 302 and again.headers["Location"] == "/"


def test_the_api_without_a_valid_token_is_401_json(anon_client, registrar):
    for headers in [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}]:
        response = anon_client.get("/api/students", headers=headers)
        assert response.status_code == 401
        assert response.is_json and "Bearer" in response.get_json()["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_cookie_does_not_open_the_api(app, anon_client, registrar):
    sign_in_form(anon_client, registrar.email)
    assert anon_client.get("/api/students").status_code == 401


def test_revoked_tokens_stop_working(anon_client, registrar):
    token = users.issue_token(registrar)
    headers = {"Authorization": f"Bearer {token}"}
    assert anon_client.get("/api/nothing-here", headers=headers).status_code == 404
    users.revoke_tokens(registrar)
    assert anon_client.get("/api/nothing-here", headers=headers).status_code == 401


def test_staff_writes_are_refused_with_403(staff_client, make_student, make_course):
    student, course = make_student(), make_course()
    page = staff_client.post(f"/students/{student.id}/courses/{course.id}", data={})
    api = staff_client.post(f"/api/students/{student.id}/courses",
                            json={"course_ids": [course.id]})
    assert page.status_code == 403 and b"can view" in page.data
    assert api.status_code == 403 and api.is_json
    assert StudentCourse.select().count() == 0


def test_staff_may_still_sign_out(staff_client):
    assert staff_client.post("/logout").status_code == 303


def test_a_post_without_a_csrf_token_is_refused(app, registrar):
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    assert browser.post("/login", data={"email": registrar.email,
                                        "password": PASSWORD}).status_code == 400
    page = browser.get("/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data).group(1)
    signed_in = browser.post("/login", data={"email": registrar.email, "password": PASSWORD,
                                             "csrf_token": token.decode()})
    assert signed_in.status_code == 303
    assert browser.post("/logout").status_code == 400  # forged: no token
    assert browser.get("/").status_code == 200


@pytest.mark.parametrize("path", ["/", "/api/no-such-route", "/login"])
def test_security_headers_on_pages_and_api(client, path):
    response = client.get(path)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    assert client.get("/static/css/app.css").headers.get("Cache-Control") != "no-store"
