"""Shared by the consolidation tests (a module with its own name: every test folder has a conftest)."""
from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate_agencies  # noqa: E402,F401

N = 16  # two ministries, Landesämter, Außenstellen, an orphan (#5), a parent spelt otherwise (#7), findings (#9, #10)
STICHTAGE = (date(2019, 6, 30), date(2022, 6, 30), date(2025, 6, 30))
LATEST = STICHTAGE[-1]
