"""Sending the outbox by SMTP (smtplib): after each request that wrote mail, and from
`flask --app webapp outbox send` (run it from cron to retry what failed).

SMTP_URL says where: `smtp://host:25` (plain), `smtp+starttls://user:pass@host:587`
(upgraded with STARTTLS), `smtps://user:pass@host:465` (TLS from the first byte); user and
password are optional and URL-encoded. MAIL_FROM is the sender. Without SMTP_URL nothing
is sent and the messages wait on the "Messages not sent" page.

Sending never blocks or undoes the change that wrote the message: the message committed
with it, the request hook sends only once the response has gone out, and a failure just
leaves the message for a later try (rules/outbox.py keeps the backoff).
"""
import smtplib
import ssl
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from functools import partial
from urllib.parse import unquote, urlsplit

from ..db import db
from ..rules import outbox, waitlist

DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TIMEOUT = 10  # seconds per SMTP command: a dead server must not hold a worker for long
BATCH = 50


@dataclass(frozen=True)
class SmtpSettings:
    scheme: str
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_smtp_url(url):
    """SmtpSettings from SMTP_URL; ValueError saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(f"SMTP_URL must start with smtp://, smtp+starttls:// or smtps:// "
                         f"(got {parts.scheme or 'no scheme'!r})")
    if not parts.hostname:
        raise ValueError("SMTP_URL names no host (smtp://host:port)")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise ValueError(f"SMTP_URL has a bad port: {error}") from None
    return SmtpSettings(parts.scheme, parts.hostname, port,
                        unquote(parts.username) if parts.username else None,
                        unquote(parts.password) if parts.password else None)


@contextmanager
def smtp_connection(settings):
    """A connected (and, with a user, logged-in) smtplib client."""
    context = ssl.create_default_context()
    if settings.scheme == "smtps":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                  context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    with client:
        if settings.scheme == "smtp+starttls":
            client.starttls(context=context)
        if settings.username:
            client.login(settings.username, settings.password or "")
        yield client


def email_of(message, sender):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, message.recipient, message.subject
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    mail.set_content(message.body)
    return mail


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    claimed: int = 0


def send_due(smtp_url, sender, limit=BATCH):
    """Send up to `limit` messages that are due, over one connection; returns a SendReport.
    A message the server refuses, or every message left when the connection fails, is
    marked failed (tried again later)."""
    settings = parse_smtp_url(smtp_url)
    claimed = outbox.claim_due(limit)
    report = SendReport(claimed=len(claimed))
    if not claimed:
        return report
    pending = list(claimed)
    try:
        with smtp_connection(settings) as client:
            while pending:
                message = pending[0]
                try:
                    client.send_message(email_of(message, sender))
                except (smtplib.SMTPRecipientsRefused,
                        smtplib.SMTPResponseException) as refused:  # this message only
                    outbox.mark_failed(message, refused)
                    report.failed += 1
                else:
                    outbox.mark_sent(message.id)
                    report.sent += 1
                pending.pop(0)
    except (OSError, smtplib.SMTPException) as error:  # the server or the connection
        for message in pending:
            outbox.mark_failed(message, error)
        report.failed += len(pending)
    return report


def send_all_due(smtp_url, sender):
    """send_due in batches until nothing more is due (failures wait for their retry)."""
    total = SendReport()
    while True:
        report = send_due(smtp_url, sender)
        total.sent += report.sent
        total.failed += report.failed
        total.claimed += report.claimed
        if report.claimed < BATCH:
            return total


def _send_after_response(app):
    """Runs once the response has been sent (response.call_on_close): a slow or dead mail
    server costs this worker a few seconds, never the user their answer."""
    with app.app_context():
        try:
            with db.connection_context():
                send_due(app.config["SMTP_URL"], app.config["MAIL_FROM"])
        except Exception:  # noqa: BLE001 - logged; the messages stay for the next try
            app.logger.exception("sending the outbox failed")


def register(app):
    """Check SMTP_URL at start-up, and send the mail a request wrote once it has answered."""
    if app.config.get("SMTP_URL"):
        parse_smtp_url(app.config["SMTP_URL"])  # a typo fails at start-up, not at 3 am

    @app.after_request
    def _send_mail_it_wrote(response):
        if app.config.get("SMTP_URL") and waitlist.noted_promotions():
            response.call_on_close(partial(_send_after_response, app))
        return response
