"""Fixture for the import tests: run the import with defaults."""
from __future__ import annotations

import pytest

from io_helpers import STICHTAG
from xl_gleichplan.io.hr_import import import_exports
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile


@pytest.fixture
def run_import():
    """import_exports with the Thuringia profile, Stichtag 30.06.2025 and a Landesbehörde."""
    def run(profile="thueringen", stichtag=STICHTAG, agency_type="landesverwaltung", **files):
        return import_exports(profile=load_profile(profile), stichtag=stichtag,
                              agency=Agency("Testamt", agency_type), **files)
    return run


@pytest.fixture(autouse=True)
def _log_dir(monkeypatch, tmp_path):
    """Unexpected errors would be logged under the user's profile; keep test runs out of it."""
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))
