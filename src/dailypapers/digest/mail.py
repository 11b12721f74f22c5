"""Messages and the mailers that deliver them: SMTP for real, .eml files for development.

Errors are sorted into the two kinds the sender acts on: `TransientMailError` (try again later:
4xx replies, lost connections) and `PermanentMailError` (5xx for this recipient: stop mailing the
address). A problem with our own side (sign-in refused, sender refused) is `MailSetupError`, which
stops the run instead of blaming the reader.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import logging
import secrets
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol

from dailypapers.config import Settings
from dailypapers.db.models import utcnow
from dailypapers.digest.render import RenderedMail

log = logging.getLogger(__name__)


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
    def send(self, message: Outgoing) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Outgoing:
    """A message ready for SMTP: the envelope and the exact bytes."""

    sender: str  # envelope address
    to: str
    message_id: str
    data: bytes


def build_message(
    mail: RenderedMail,
    *,
    sender: str,
    to: str,
    message_id: str | None = None,
    unsubscribe_url: str | None = None,
    list_id: str | None = None,
) -> Outgoing:
    """multipart/alternative (text, then HTML), UTF-8, quoted-printable, CRLF line ends; with
    `unsubscribe_url`, the RFC 8058 one-click headers.

    Written directly rather than through email.message: for a digest run of 100,000 mails the
    stdlib's header objects cost more than composing, rendering and SMTP together (bench/digest).
    tests/digest parses every message back with the stdlib parser.
    """
    message_id = message_id or make_msgid(domain=domain_of(sender))
    headers = [
        ("From", sender),
        ("To", to),
        ("Subject", mail.subject),
        ("Date", format_datetime(dt.datetime.now(dt.UTC))),
        ("Message-ID", message_id),
    ]
    if unsubscribe_url:
        headers.append(("List-Unsubscribe", f"<{unsubscribe_url}>"))
        headers.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    if list_id:
        headers.append(("List-Id", list_id))
    boundary = f"=_dp_{secrets.token_hex(12)}"
    head = [f"{name}: {_header(name, value)}" for name, value in headers]
    head += [
        "Auto-Submitted: auto-generated",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    lines = [
        "\r\n".join(head).encode(),
        b"",
        f"--{boundary}".encode(),
        *_part("text/plain", mail.text),
        f"--{boundary}".encode(),
        *_part("text/html", mail.html),
        f"--{boundary}--".encode(),
        b"",
    ]
    return Outgoing(parseaddr(sender)[1] or sender, to, message_id, b"\r\n".join(lines))


def _header(name: str, value: str) -> str:
    value = " ".join(value.split())  # no CR/LF smuggling, no stray whitespace
    if value.isascii():
        return value
    if name in ("From", "To"):  # encode the display name only, never the address
        return formataddr(parseaddr(value), charset="utf-8")
    return _encoded_words(value)


def _encoded_words(value: str, chunk: int = 45) -> str:
    """RFC 2047 base64 encoded-words, split on character boundaries, one per folded line."""
    words, current = [], b""
    for char in value:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > chunk:
            words.append(current)
            current = b""
        current += encoded
    words.append(current)
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(w).decode()}?=" for w in words)


def _part(content_type: str, body: str) -> list[bytes]:
    encoded = binascii.b2a_qp(body.replace("\r\n", "\n").encode("utf-8"), istext=True)
    return [
        f'Content-Type: {content_type}; charset="utf-8"'.encode(),
        b"Content-Transfer-Encoding: quoted-printable",
        b"",
        encoded.replace(b"\n", b"\r\n"),
    ]


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

    def send(self, message: Outgoing) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            refused = self._smtp.sendmail(message.sender, [message.to], message.data)
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

    def send(self, message: Outgoing) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        name = message.message_id.strip("<>").replace("/", "_")
        (self.folder / f"{stamp}-{name}.eml").write_bytes(message.data)

    def close(self) -> None:
        pass


def make_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FileMailer(settings.data_dir / "mail")


def send_one(settings: Settings, make: Callable[[], Outgoing]) -> None:
    """Send one notice (a confirmation, an account link) on a connection of its own; a failure is
    logged, not raised: these go out after the answer, which must not depend on them."""
    mailer = make_mailer(settings)
    try:
        mailer.send(make())
    except MailError as exc:
        log.warning("mail not sent: %s", exc)
    finally:
        mailer.close()


def _by_code(code: int, reply: bytes | str) -> MailError:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    if 500 <= code < 600:
        return PermanentMailError(f"{code} {text}")
    return TransientMailError(f"{code} {text}")
