"""Signed, opaque tokens for the links in mails.

A token is the reader's random id plus an HMAC over (purpose, id, expiry): it reveals nothing about
the address, cannot be forged or guessed without the key, and one purpose's token does not open
another's page. Unsubscribe and manage tokens never expire; confirmation tokens do, and so do the
account links ("signup": finish signing up; "verify": confirm an older account's address).
"feed" tokens open a reader's private Following feed and never expire.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Literal

Purpose = Literal["confirm", "manage", "unsubscribe", "signup", "verify", "feed"]
CONFIRM_LIFETIME = 7 * 86400
ACCOUNT_LIFETIME = 2 * 86400
EXPIRED = {
    "signup": "This link has expired; sign up again to get a new one.",
    "verify": "This link has expired; ask for a new one on your account page.",
}
_NEVER = 0


class BadToken(ValueError):
    """The link is damaged, forged, for something else, or expired; the message is safe to show."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signature(key: bytes, purpose: str, reader: str, expires: int) -> str:
    message = f"{purpose}\x00{reader}\x00{expires}".encode()
    return _b64(hmac.new(key, message, hashlib.sha256).digest()[:18])


def make_token(
    key: bytes, purpose: Purpose, reader: str, lifetime: int | None = None, now: float | None = None
) -> str:
    """`reader` is the subscriber's random token; lifetime None means the token never expires."""
    expires = _NEVER if lifetime is None else int((now or time.time()) + lifetime)
    return f"{reader}.{expires:x}.{_signature(key, purpose, reader, expires)}"


def read_token(key: bytes, purpose: Purpose, token: str, now: float | None = None) -> str:
    """The reader id inside a valid token, else BadToken."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or len(token) > 200:
        raise BadToken("This link is not valid.")
    reader, expires_hex, signature = parts
    try:
        expires = int(expires_hex, 16)
    except ValueError as exc:
        raise BadToken("This link is not valid.") from exc
    if not hmac.compare_digest(signature, _signature(key, purpose, reader, expires)):
        raise BadToken("This link is not valid.")
    if expires != _NEVER and expires < (now or time.time()):
        raise BadToken(
            EXPIRED.get(purpose, "This link has expired; subscribe again to get a new one.")
        )
    return reader
