"""Overdue adjustments by law profile (review of issue 13): only a plan that "ist" to be adjusted
(ThürGleichG § 4 Abs. 1 Satz 4) has an adjustment that can be overdue; BGleiG's plan "kann" be
adjusted, FrFG LSA has no adjustment. Before the fix the consolidation counted all three.

Three workbooks, Stichtag 30.06.2020, looked at on 15.01.2026 (worked out by hand):
- Thüringen: adjustment Stichtag 30.06.2023 (after three years), due nine months later, 30.03.2024:
  overdue.
- Bund: adjustment possible on 30.06.2022, by 31.12.2022: no duty, so not overdue.
- Sachsen-Anhalt: no adjustment at all: not overdue.
Every plan itself was due in 2020 or 2021 (plan duty from 50 staff in Thuringia, from the first
person elsewhere; each office has 60): three overdue plans."""
from __future__ import annotations

from datetime import date

import pytest

from xl_gleichplan.consolidation import consolidate
from xl_gleichplan.io.template import write_template
from xl_gleichplan.io.workbook_writer import fill_inputs, load, save
from xl_gleichplan.model import Agency, Counts, Dataset
from xl_gleichplan.profiles import load_profile

STICHTAG, TODAY = date(2020, 6, 30), date(2026, 1, 15)
OFFICES = {"Thüringer Amt": ("thueringen", "landesverwaltung"), "Bundesamt": ("bund", "bundesbehoerde"),
           "Landesamt Sachsen-Anhalt": ("sachsen-anhalt", "oberste_landesbehoerde")}


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("anpassung")
    for name, (profile, kind) in OFFICES.items():
        ds = Dataset(Agency(name, kind), STICHTAG, heads=60, stock={("gesamt", "gesamt"): Counts(30, 30)})
        path = folder / f"{profile}.xlsx"
        wb = load(write_template(path, load_profile(profile), ds.agency, STICHTAG))
        fill_inputs(wb, ds, {"stock"})
        save(wb, path)
    return consolidate([folder], today=TODAY, jobs=1)


def test_only_a_required_adjustment_is_overdue(consolidated):
    rows = consolidated.agencies.set_index("agency")
    assert dict(rows["profile"]) == {name: profile for name, (profile, _) in OFFICES.items()}
    assert dict(rows["adjustment_status"]) == {"Thüringer Amt": "overdue", "Bundesamt": "not_required",
                                               "Landesamt Sachsen-Anhalt": "not_required"}
    assert dict(rows["plan_status"]) == {name: "overdue" for name in OFFICES}
    total = consolidated.rollups.set_index("node").loc["Alle Dienststellen"]
    assert (total["plan_overdue"], total["adjustment_overdue"]) == (3, 1)


def test_the_summary_sheet_says_when_no_adjustment_is_owed(consolidated, tmp_path):
    """A Bund or LSA office is not "keine Planpflicht" (its plan is due); its adjustment is not owed."""
    from openpyxl import load_workbook

    from xl_gleichplan.consolidation.output import write_workbook

    ws = load_workbook(write_workbook(consolidated, tmp_path / "summary.xlsx"), read_only=True)["Dienststellen"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(r for r in rows if "Dienststelle" in r)
    name, status = header.index("Dienststelle"), header.index("Anpassung am 15.01.2026")
    seen = {r[name]: r[status] for r in rows[rows.index(header) + 1:] if r[name] in OFFICES}
    assert seen == {"Thüringer Amt": "überfällig", "Bundesamt": "keine Anpassungspflicht",
                    "Landesamt Sachsen-Anhalt": "keine Anpassungspflicht"}
