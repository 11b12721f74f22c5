"""The one rule for what counts as an email address, for accounts and digest subscriptions.

A strict addr-spec, checked by `email-validator` (no display names, comments or angle brackets,
which SMTP servers fold into one mailbox: `0<victim@x>` and `victim@x(comment)` used to pass and
multiply the mails one inbox got). The stored form is lower-cased with the domain in ASCII
(IDNA), so every spelling of one mailbox is one row and one rate-limit counter. Internationalised
local parts are refused at the door: our mail is sent without SMTPUTF8.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 320


def normalize_email(text: str) -> str | None:
    """The address as we store and compare it, or None when it is not one we can mail."""
    text = text.strip()
    if not text or len(text) > MAX_LENGTH:
        return None
    try:
        checked = validate_email(
            text, check_deliverability=False, allow_smtputf8=False, allow_display_name=False
        )
    except EmailNotValidError:
        return None
    return (checked.ascii_email or checked.normalized).lower()
