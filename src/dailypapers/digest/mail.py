"""Messages and the mailers that deliver them: SMTP for real, .eml files for development.

Errors are sorted into the two kinds the sender acts on: `TransientMailError` (try again later:
4xx replies, lost connections) and `PermanentMailError` (5xx for this recipient: stop mailing the
address). A problem with our own side (sign-in refused, sender refused) is `MailSetupError`, which
stops the run instead of blaming the reader.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

from dailypapers.config import Settings
from dailypapers.db.models import utcnow
from dailypapers.digest.render import RenderedMail

# Headers are not folded below SMTP's own limit: a folded List-Unsubscribe URL gets encoded, and
# then no mail client can use it.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


class MailError(Exception):
    pass


class TransientMailError(MailError):
    pass


class MailConnectionError(TransientMailError):
    """The server cannot be reached or dropped us: every other message would fail the same way."""


class PermanentMailError(MailError):
    pass


class MailSetupError(MailError):
    pass


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


def build_message(
    mail: RenderedMail,
    *,
    sender: str,
    to: str,
    message_id: str | None = None,
    unsubscribe_url: str | None = None,
    list_id: str | None = None,
) -> EmailMessage:
    """A multipart/alternative message; with `unsubscribe_url`, the RFC 8058 one-click headers."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = message_id or make_msgid(domain=domain_of(sender))
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if list_id:
        message["List-Id"] = list_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip(" >") or "localhost"


class SmtpMailer:
    """One SMTP connection reused for many messages, reopened when the server drops it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
        except smtplib.SMTPAuthenticationError as exc:
            raise MailSetupError(f"the SMTP server refused our sign-in ({exc.smtp_code})") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailSetupError(f"the SMTP server does not offer that: {exc}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise MailConnectionError(
                f"cannot reach the SMTP server {s.smtp_host}:{s.smtp_port}: {exc}"
            ) from exc
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            raise _by_code(code, reply) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise MailSetupError(f"the SMTP server refused our From address: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            self._reset()
            raise _by_code(exc.smtp_code, exc.smtp_error) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise MailConnectionError(f"connection to the SMTP server lost: {exc}") from exc
        if refused:
            code, reply = next(iter(refused.values()))
            raise _by_code(code, reply)

    def _reset(self) -> None:
        try:
            if self._smtp is not None:
                self._smtp.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.close()
            finally:
                self._smtp = None

    def close(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self._smtp.quit()
            self._drop()


class FileMailer:
    """Development: each message becomes an .eml file one can open in a mail client."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        name = str(message["Message-ID"]).strip("<>").replace("/", "_")
        (self.folder / f"{stamp}-{name}.eml").write_bytes(message.as_bytes())

    def close(self) -> None:
        pass


def make_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FileMailer(settings.data_dir / "mail")


def _by_code(code: int, reply: bytes | str) -> MailError:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    if 500 <= code < 600:
        return PermanentMailError(f"{code} {text}")
    return TransientMailError(f"{code} {text}")
