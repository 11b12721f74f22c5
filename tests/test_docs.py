"""Documentation stays true: every setting is documented, README names the two commands."""

from dailypapers.config import Settings
from tests.conftest import ROOT


def test_every_setting_is_documented():
    doc = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"DAILYPAPERS_{name.upper()}" in doc, f"document DAILYPAPERS_{name.upper()}"


def test_readme_names_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
