"""Mail to promoted students: written with the promotion, sent by SMTP after the response
(a real aiosmtpd server on loopback), retried with backoff, listed when it cannot go."""
import subprocess
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import sign_in
from webapp import create_app
from webapp.models import OutboxMessage, StudentCourse, utcnow
from webapp.ops import mailer
from webapp.rules import enrollment, outbox

from .server.harness import free_port


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        mail = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), mail))
        return "250 OK"


def start_smtp(inbox, **options):
    """A real SMTP server (aiosmtpd) on a free loopback port; `.url` for SMTP_URL."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    controller.inbox, controller.url = inbox, f"smtp://127.0.0.1:{controller.port}"
    return controller


@pytest.fixture
def smtp_server():
    controller = start_smtp(Inbox())
    yield controller
    controller.stop()


def mail_app(database_url, smtp_url):
    return create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "test",
                       "WTF_CSRF_ENABLED": False, "SMTP_URL": smtp_url,
                       "MAIL_FROM": "Registrar <office@school.test>"})


@pytest.fixture
def mail_client(database_url, registrar, smtp_server):
    """A registrar's client on an app that mails through `smtp_server`."""
    return sign_in(mail_app(database_url, smtp_server.url).test_client(), registrar)


def promote_through(client, full_course, make_student, **student):
    """A full course of one seat with one student waiting; the registrar's API call frees
    the seat. Returns (waiting student, course, response)."""
    course, enrolled, _ = full_course(capacity=1, waiting=0, code="MATH-101")
    waiting = make_student(**student)
    from webapp.rules import waitlist
    waitlist.join(course.id, waiting.id)
    response = client.delete(f"/api/students/{enrolled[0]}/courses/{course.id}")
    return waiting, course, response


def test_a_promotion_is_mailed_to_the_student_after_the_response(
        mail_client, smtp_server, full_course, make_student):
    waiting, course, response = promote_through(mail_client, full_course, make_student,
                                                name="Ada Lovelace", email="ada@example.edu")
    assert response.status_code == 204
    assert smtp_server.inbox.messages == []  # not before the answer has gone out

    response.close()  # the server has sent the answer

    (sender, recipients, mail), = smtp_server.inbox.messages
    assert sender == "office@school.test" and recipients == ["ada@example.edu"]
    assert mail["Subject"] == "You have a place in MATH-101"
    assert mail["From"] == "Registrar <office@school.test>"
    body = mail.get_content()
    assert "Dear Ada Lovelace" in body and "MATH-101" in body
    (message,) = OutboxMessage.select()
    assert message.sent_at is not None and message.attempts == 1
    assert message.student_id == waiting.id and message.course_id == course.id


def test_a_request_that_promotes_nobody_sends_nothing(mail_client, smtp_server, make_student,
                                                      make_course, monkeypatch):
    calls = []
    monkeypatch.setattr(mailer, "send_due", lambda *args: calls.append(args))
    student, course = make_student(), make_course(capacity=3)
    enrollment.enroll(student.id, [course.id])
    mail_client.delete(f"/api/students/{student.id}/courses/{course.id}").close()
    assert calls == []


def test_a_dead_mail_server_neither_blocks_nor_undoes_the_promotion(
        database_url, registrar, full_course, make_student):
    client = sign_in(mail_app(database_url, f"smtp://127.0.0.1:{free_port()}").test_client(),
                     registrar)
    before = utcnow()
    waiting, course, response = promote_through(client, full_course, make_student)
    response.close()
    after = utcnow()

    assert response.status_code == 204
    assert StudentCourse.select().where(StudentCourse.student == waiting.id).count() == 1
    (message,) = OutboxMessage.select()
    assert message.sent_at is None and message.attempts == 1 and message.last_error
    # the first retry is due a minute after the failed try
    assert before + outbox.FIRST_RETRY <= message.next_attempt_at <= after + outbox.FIRST_RETRY


def test_the_command_retries_what_failed_once_it_is_due(database_url, registrar, smtp_server,
                                                       full_course, make_student):
    dead = sign_in(mail_app(database_url, f"smtp://127.0.0.1:{free_port()}").test_client(),
                   registrar)
    promote_through(dead, full_course, make_student, email="late@example.edu")[2].close()
    runner = mail_app(database_url, smtp_server.url).test_cli_runner()

    early = runner.invoke(args=["outbox", "send"])  # the retry is not due yet
    OutboxMessage.update(next_attempt_at=utcnow()).execute()
    due = runner.invoke(args=["outbox", "send"])

    assert early.exit_code == 0 and "sent 0, failed 0; 1 not sent yet" in early.output
    assert due.exit_code == 0 and "sent 1, failed 0; 0 not sent yet" in due.output
    assert [to for _, to, _ in smtp_server.inbox.messages] == [["late@example.edu"]]
    assert OutboxMessage.get().attempts == 2


def test_the_command_says_when_a_send_failed(database_url, registrar, full_course,
                                             make_student):
    app = mail_app(database_url, f"smtp://127.0.0.1:{free_port()}")
    promote_through(sign_in(app.test_client(), registrar), full_course, make_student)[2].close()
    OutboxMessage.update(next_attempt_at=utcnow()).execute()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 1 and "sent 0, failed 1; 1 not sent yet" in result.output
    assert OutboxMessage.get().attempts == 2  # the request's try, then the command's


def test_without_smtp_url_the_command_points_to_the_page(runner, full_course, make_student):
    course, enrolled, queue = full_course(capacity=1, waiting=1)
    enrollment.unenroll(enrolled[0], course.id)
    result = runner.invoke(args=["outbox", "send"])
    assert result.exit_code == 1
    assert "SMTP_URL is not set: 1 messages wait on the 'Messages not sent' page" in result.output


@pytest.mark.parametrize("attempts, minutes", [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60),
                                               (30, 60)])
def test_retries_wait_twice_as_long_each_time_up_to_an_hour(attempts, minutes):
    assert outbox.retry_delay(attempts) == timedelta(minutes=minutes)


def test_a_claimed_message_is_not_claimed_again_while_it_is_being_sent(full_course):
    course, enrolled, _ = full_course(capacity=1, waiting=1)
    enrollment.unenroll(enrolled[0], course.id)
    first, second = outbox.claim_due(), outbox.claim_due()
    assert len(first) == 1 and second == []


class Picky(Inbox):
    """Refuses every recipient whose address starts with 'bounce'."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bounce"):
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def picky_server():
    controller = start_smtp(Picky())
    yield controller
    controller.stop()


def test_a_refused_recipient_fails_alone(picky_server, full_course, make_student):
    course, enrolled, _ = full_course(capacity=2, waiting=0)
    from webapp.rules import waitlist
    for email in ["bounce@example.edu", "fine@example.edu"]:
        waitlist.join(course.id, make_student(email=email).id)
    enrollment.change_enrollments(enrolled[0], remove=[course.id])
    enrollment.change_enrollments(enrolled[1], remove=[course.id])

    report = mailer.send_due(picky_server.url, "office@school.test")

    assert (report.sent, report.failed) == (1, 1)
    assert [to for _, to, _ in picky_server.inbox.messages] == [["fine@example.edu"]]
    failed = OutboxMessage.get(OutboxMessage.recipient == "bounce@example.edu")
    assert failed.sent_at is None and "550" in failed.last_error


@pytest.fixture
def tls_files(tmp_path):
    """A self-signed certificate for 127.0.0.1 (openssl), trusted via SSL_CERT_FILE."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.parametrize("scheme", ["smtps", "smtp+starttls"])
def test_tls_with_a_login_delivers(tls_files, monkeypatch, full_course, scheme):
    import ssl
    cert, key = tls_files
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"p@ss word")
    # smtps: TLS from the first byte (aiosmtpd only counts STARTTLS as TLS for AUTH, so it
    # is told this connection is safe); smtp+starttls: the server insists on STARTTLS.
    tls = ({"ssl_context": context, "auth_require_tls": False} if scheme == "smtps"
           else {"tls_context": context, "require_starttls": True})
    inbox = Inbox()
    controller = start_smtp(inbox, authenticator=authenticator, **tls)
    try:
        course, enrolled, _ = full_course(capacity=1, waiting=1)
        enrollment.unenroll(enrolled[0], course.id)
        url = f"{scheme}://office%40school.test:p%40ss%20word@127.0.0.1:{controller.port}"
        report = mailer.send_due(url, "office@school.test")
    finally:
        controller.stop()
    assert report.sent == 1 and len(inbox.messages) == 1, OutboxMessage.get().last_error
    assert logins == [(b"office@school.test", b"p@ss word")]


@pytest.mark.parametrize("url, problem", [
    ("http://mail.school.test", "must start with smtp://"),
    ("smtp://", "names no host"),
    ("smtp://mail.school.test:port", "bad port"),
])
def test_a_bad_smtp_url_stops_the_app_at_start_up(database_url, url, problem):
    with pytest.raises(ValueError, match=problem):
        mail_app(database_url, url)


def test_smtp_url_defaults_and_parts():
    assert mailer.parse_smtp_url("smtp://mail.school.test") == mailer.SmtpSettings(
        "smtp", "mail.school.test", 25)
    assert mailer.parse_smtp_url("smtp+starttls://u:p@mail.school.test") == mailer.SmtpSettings(
        "smtp+starttls", "mail.school.test", 587, "u", "p")
    assert mailer.parse_smtp_url("smtps://mail.school.test").port == 465


# The page ------------------------------------------------------------------------------

def test_without_smtp_url_the_messages_wait_on_their_page(client, full_course, make_student):
    course, enrolled, _ = full_course(capacity=1, waiting=0, code="MATH-101")
    from webapp.rules import waitlist
    waitlist.join(course.id, make_student(name="Ada Lovelace", email="ada@example.edu").id)
    client.delete(f"/api/students/{enrolled[0]}/courses/{course.id}").close()

    nav = client.get("/students/").get_data(as_text=True)
    page = client.get("/outbox/").get_data(as_text=True)

    assert 'href="/outbox/"' in nav and "Messages not sent" in nav
    assert "<h1>Messages not sent</h1>" in page and "SMTP_URL" in page
    assert "You have a place in MATH-101" in page and "ada@example.edu" in page
    assert "Dear Ada Lovelace" in page
    assert OutboxMessage.get().attempts == 0  # nothing tried to send it


def test_a_registrar_marks_a_message_passed_on(client, staff_client, full_course):
    course, enrolled, _ = full_course(capacity=1, waiting=1)
    enrollment.unenroll(enrolled[0], course.id)
    message = OutboxMessage.get()
    assert "Mark as passed on" not in staff_client.get("/outbox/").get_data(as_text=True)
    assert staff_client.post(f"/outbox/{message.id}/handled").status_code == 403

    done = client.post(f"/outbox/{message.id}/handled", follow_redirects=True)
    again = client.post(f"/outbox/{message.id}/handled", follow_redirects=True)

    assert "Marked as passed on" in done.get_data(as_text=True)
    assert "Every message has been sent." in done.get_data(as_text=True)
    assert "sent or handled already" in again.get_data(as_text=True)
    assert OutboxMessage.get().sent_at is not None


def test_with_smtp_url_the_nav_has_no_outbox_link(mail_client):
    assert "Messages not sent" not in mail_client.get("/students/").get_data(as_text=True)
