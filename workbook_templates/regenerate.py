"""Regenerate the checked-in standard templates with the builder.

    python workbook_templates/regenerate.py

Run it after a change to the template builder, the sheet declarations or a law profile, and check
in the new files; tests/workbook/test_workbook_templates.py fails while they differ from what the
builder produces. The builder is byte-reproducible: the same arguments always give the same bytes.
``write_template`` copies these files with the metadata rewritten, so they are always built here with
openpyxl (``build_template_file``), never copied from themselves.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from xl_gleichplan.io.template import build_template_file
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile

HERE = Path(__file__).resolve().parent
STICHTAG = date(2025, 6, 30)


def standard_arguments() -> dict[str, tuple]:
    """file name -> (profile, agency, Stichtag): no agency name; for Thuringia the Landesverwaltung,
    for the Bund and Sachsen-Anhalt the first type of its approval table."""
    out = {}
    for profile_id, agency_type in (("thueringen", "landesverwaltung"), ("bund", None), ("sachsen-anhalt", None)):
        profile = load_profile(profile_id)
        agency = Agency("", agency_type or next(iter(profile.routing)))
        out[f"erhebungsbogen_{profile_id}.xlsx"] = (profile, agency, STICHTAG)
    return out


def main(folder: Path = HERE) -> list[Path]:
    return [build_template_file(folder / name, *args) for name, args in standard_arguments().items()]


if __name__ == "__main__":
    for path in main():
        print(f"geschrieben: {path}")
