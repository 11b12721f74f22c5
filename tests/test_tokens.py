import pytest

from dailypapers.common.tokens import BadToken, make_token, read_token

KEY = b"k" * 32


def test_a_token_opens_only_its_own_purpose():
    token = make_token(KEY, "unsubscribe", "reader-1")
    assert read_token(KEY, "unsubscribe", token) == "reader-1"
    with pytest.raises(BadToken):
        read_token(KEY, "manage", token)


def test_forged_or_damaged_tokens_are_refused():
    token = make_token(KEY, "manage", "reader-1")
    reader, expires, signature = token.split(".")
    for bad in (
        f"reader-2.{expires}.{signature}",  # someone else's reader id with this signature
        f"{reader}.{expires}.{signature[:-1]}A",
        make_token(b"x" * 32, "manage", "reader-1"),  # another instance's key
        "nonsense",
        "",
    ):
        with pytest.raises(BadToken):
            read_token(KEY, "manage", bad)


def test_tokens_are_opaque():
    token = make_token(KEY, "unsubscribe", "Zq1s8Kx0")
    assert "@" not in token and len(token) < 80


def test_confirm_tokens_expire_unsubscribe_tokens_never():
    confirm = make_token(KEY, "confirm", "r", lifetime=60, now=1_000_000)
    assert read_token(KEY, "confirm", confirm, now=1_000_059) == "r"
    with pytest.raises(BadToken, match="expired"):
        read_token(KEY, "confirm", confirm, now=1_000_061)
    forever = make_token(KEY, "unsubscribe", "r", now=1_000_000)
    assert read_token(KEY, "unsubscribe", forever, now=10**12) == "r"
