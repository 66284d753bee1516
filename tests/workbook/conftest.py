"""Fixtures shared by the workbook tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from xl_gleichplan.demo import write_exports


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running workbook test, runs only with XLG_SLOW=1")


@pytest.fixture(scope="session")
def demo_exports(tmp_path_factory) -> dict[str, Path]:
    """The demo agency's four HR exports (CSV): staff, movements, committees, targets."""
    return write_exports(tmp_path_factory.mktemp("exporte"))
