"""Password hashing (argon2id via argon2-cffi) and the rules a new password must meet. Pure."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
MIN_LENGTH = 10
COMMON = 10_000  # refuse the most common leaked passwords, whatever their length
# a dummy hash to verify against when no account matches, so timing does not reveal accounts
_DUMMY = _HASHER.hash("not a real password, only for constant-time checks")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problems(password: str, username: str, email: str) -> list[str]:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > 200:
        problems.append("Use at most 200 characters.")
    lowered = password.lower()
    if username and username.lower() in lowered:
        problems.append("Do not put your username in your password.")
    if email and email.split("@")[0].lower() in lowered and len(email.split("@")[0]) >= 3:
        problems.append("Do not put your email address in your password.")
    if len(set(password)) < 4:
        problems.append("Use more than a few different characters.")
    if lowered in common_passwords():
        problems.append("That password is among the most common ones; choose another.")
    return problems


@cache
def common_passwords() -> frozenset[str]:
    """The COMMON most frequent passwords of zxcvbn's list (from leaked password dumps)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # 1 MB of lists: loaded on first use

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON])
