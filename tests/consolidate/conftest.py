"""Fixtures for the consolidation tests: agencies written by benchmarks/generate_agencies.py.

The generator records what it wrote (totals.json); every expected number in these tests comes from
that file or is counted by hand in the test, never from the program's own output.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from consolidate_helpers import N, STICHTAGE, generate_agencies


@pytest.fixture(autouse=True)
def _log_dir(monkeypatch, tmp_path):
    """Unexpected errors would be logged under the user's profile; keep test runs out of it."""
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))


@pytest.fixture(scope="session")
def agencies(tmp_path_factory) -> tuple[Path, dict]:
    """(folder, totals.json) of N agencies on three Stichtage; broken files in the latest one."""
    folder = tmp_path_factory.mktemp("agencies")
    generate_agencies.generate(folder, N, STICHTAGE, seed=7, broken=True, jobs=2)
    return folder, json.loads((folder / "totals.json").read_text(encoding="utf-8"))
