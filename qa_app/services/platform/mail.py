"""Sending queued emails over SMTP (smtplib from the standard library).

Delivery is at least once: a message is marked *sending* and committed before the SMTP
conversation, and *sent* after it. A worker that dies in between leaves it *sending*; the
sweeper sends it again after a while. The Message-ID is derived from the dedupe key, so mail
systems can recognise the rare duplicate.
"""

import hashlib
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime

from sqlalchemy import or_, select

from qa_app.extensions import db
from qa_app.models import EmailMessage

MAX_ATTEMPTS = 5
STALE_SENDING = timedelta(minutes=15)
DELIVERY_ERRORS = (OSError, smtplib.SMTPException)  # recorded on the message, then re-raised


class NotDelivered(RuntimeError):
    """Some emails of a batch could not be sent this time (each one's error is recorded)."""


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def from_config(cls, config) -> "MailSettings":
        return cls(
            server=config.get("MAIL_SERVER"),
            port=int(config.get("MAIL_PORT") or 25),
            use_tls=str(config.get("MAIL_USE_TLS")).lower() in ("1", "true", "yes"),
            username=config.get("MAIL_USERNAME"),
            password=config.get("MAIL_PASSWORD"),
            sender=config.get("MAIL_FROM") or "casefile-qa@localhost",
        )


def _mime(message: EmailMessage, settings: MailSettings) -> MimeMessage:
    mime = MimeMessage()
    mime["From"] = settings.sender
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime["Date"] = format_datetime(message.created_at.replace(tzinfo=None), usegmt=False)
    domain = settings.sender.rpartition("@")[2] or "localhost"
    token = hashlib.sha256(message.dedupe_key.encode()).hexdigest()[:32]
    mime["Message-ID"] = f"<{token}@{domain}>"
    mime.set_content(message.body)
    return mime


def claim(message_id: int, *, now: datetime) -> EmailMessage | None:
    """Mark the message as being sent (the caller commits before sending); None if it is
    already sent, given up on, or being sent by someone else recently."""
    message = db.session.get(EmailMessage, message_id, with_for_update=True)
    if message is None or message.status in ("sent", "not_sent", "failed"):
        return None
    if (
        message.status == "sending"
        and message.claimed_at
        and now - message.claimed_at < STALE_SENDING
    ):
        return None
    message.status = "sending"
    message.claimed_at = now
    message.attempts += 1
    db.session.flush()
    return message


def deliver(message: EmailMessage, settings: MailSettings, *, now: datetime) -> None:
    """Send a claimed message and record the outcome; re-raises SMTP errors after recording
    them (the job retries) until MAX_ATTEMPTS, then marks it failed."""
    if not settings.server:
        message.status = "not_sent"
        message.last_error = "No mail server is configured (QA_MAIL_SERVER)"
        db.session.flush()
        return
    try:
        with smtplib.SMTP(settings.server, settings.port, timeout=30) as smtp:
            if settings.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(_mime(message, settings))
    except DELIVERY_ERRORS as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"[:500]
        message.status = "failed" if message.attempts >= MAX_ATTEMPTS else "queued"
        db.session.flush()
        raise
    message.status = "sent"
    message.sent_at = now
    message.last_error = None
    db.session.flush()


def stranded(*, now: datetime, older_than: timedelta = timedelta(minutes=2)) -> list[int]:
    """Messages that should have gone by now: queued a while ago, or stuck in *sending*."""
    return list(
        db.session.scalars(
            select(EmailMessage.id)
            .where(
                or_(
                    (EmailMessage.status == "queued")
                    & (EmailMessage.created_at < now - older_than),
                    (EmailMessage.status == "sending")
                    & (EmailMessage.claimed_at < now - STALE_SENDING),
                )
            )
            .order_by(EmailMessage.id)
        )
    )
