import pytest

from tests.conftest import with_smtp


@pytest.fixture
def settings(settings, smtp):
    """Every digest test mails through the real SMTP server on loopback."""
    return with_smtp(settings, smtp)
