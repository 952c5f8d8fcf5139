"""The mail outbox: messages written in the transaction of the change they announce, then
claimed, sent and marked by a sender (webapp/ops/mailer.py) after commit. No Flask, no SMTP.

A message is sent at least once: a sender claims it for a while (LEASE) before talking to
the server, so two senders never send it at the same time, and one that dies mid-send
leaves it to be claimed again when the lease runs out. A failure waits longer each time
(backoff: 1, 2, 4 … minutes, at most an hour) and the message stays listed as not sent.
"""
from dataclasses import dataclass
from datetime import timedelta

from ..db import insert_rows, run_sql, write_transaction
from ..models import OutboxMessage, utcnow

LEASE = timedelta(minutes=10)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)

COLUMNS = ("recipient", "subject", "body", "student_id", "course_id", "created_at",
           "attempts", "next_attempt_at")


@dataclass(frozen=True)
class Message:
    recipient: str
    subject: str
    body: str
    student_id: int | None = None
    course_id: int | None = None
    id: int | None = None
    attempts: int = 0


def promotion_message(*, student_id, course_id, name, email, code, title):
    """The mail a student gets when the waitlist gives them a seat (None without an email)."""
    if not email:
        return None
    body = (f"Dear {name},\n\n"
            f"a seat has opened in {code} — {title}, and you have been enrolled in it from "
            f"the waitlist. There is nothing you need to do.\n\n"
            f"If you no longer want the place, please tell the registrar's office so it can "
            f"go to the next student waiting.\n\n"
            f"— The Registrar's office\n")
    return Message(email, f"You have a place in {code}", body, student_id, course_id)


def queue(messages):
    """Write `messages` (None entries are skipped) to the outbox, due now. Call inside the
    transaction of the change they announce."""
    now = utcnow()
    insert_rows("outbox", COLUMNS,
                [(m.recipient, m.subject, m.body, m.student_id, m.course_id, now, 0, now)
                 for m in messages if m is not None])


def claim_due(limit=50):
    """Claim up to `limit` unsent messages whose time has come: each gets one more attempt
    and is held for LEASE. Returns them, oldest first."""
    now = utcnow()
    with write_transaction():
        rows = run_sql("""UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
                          WHERE sent_at IS NULL AND next_attempt_at <= ?
                            AND id IN (SELECT id FROM outbox
                                       WHERE sent_at IS NULL AND next_attempt_at <= ?
                                       ORDER BY id LIMIT ?)
                          RETURNING id, recipient, subject, body, student_id, course_id,
                                    attempts""",
                       now + LEASE, now, now, limit).fetchall()
    return sorted((Message(recipient, subject, body, student_id, course_id, id_, attempts)
                   for id_, recipient, subject, body, student_id, course_id, attempts in rows),
                  key=lambda message: message.id)


def mark_sent(message_id):
    with write_transaction():
        run_sql("UPDATE outbox SET sent_at = ?, last_error = NULL WHERE id = ?",
                utcnow(), message_id)


def retry_delay(attempts):
    """How long to wait after the `attempts`-th failed attempt."""
    return min(FIRST_RETRY * 2 ** (max(attempts, 1) - 1), LONGEST_WAIT)


def mark_failed(message, error):
    """Note why sending failed and when to try again."""
    with write_transaction():
        run_sql("UPDATE outbox SET last_error = ?, next_attempt_at = ? WHERE id = ?",
                str(error)[:1000] or type(error).__name__,
                utcnow() + retry_delay(message.attempts), message.id)


def unsent():
    """Messages not sent yet, oldest first (an unexecuted query, for paging)."""
    return (OutboxMessage.select().where(OutboxMessage.sent_at.is_null())
            .order_by(OutboxMessage.id))


def mark_handled(message_id):
    """Someone passed the message on by hand: take it off the list. False if unknown or
    already sent."""
    with write_transaction():
        return run_sql("UPDATE outbox SET sent_at = ?, last_error = ? "
                       "WHERE id = ? AND sent_at IS NULL",
                       utcnow(), "passed on by hand", message_id).rowcount == 1
