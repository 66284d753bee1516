"""Controlling of leadership across ministries (issue 13, the Sachsen-Anhalt seed): the share of women
per ministry and per leadership level over the Stichtage against a configurable target value, and
the flows into leadership (hirings, promotions, Höhergruppierungen by sex), which the batch dropped
before. Three small agencies written by hand; every expected number is counted below."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from openpyxl import load_workbook

from xl_gleichplan.cli import main
from xl_gleichplan.io.template import write_template
from xl_gleichplan.io.workbook_writer import fill_inputs, load, save
from xl_gleichplan.model import Agency, Counts, Dataset
from xl_gleichplan.profiles import load_profile

ALL = "Alle Dienststellen"
S24, S25 = date(2024, 6, 30), date(2025, 6, 30)
AL, RL = "abteilungsleitung", "referatsleitung"


def _agency(folder, stichtag, name, kind, parent, levels, moves):
    lead = {("fuehrungsebene", level): Counts(w, m) for level, (w, m) in levels.items()}
    total = sum(lead.values(), Counts()) + Counts(20, 20)  # some staff without a leadership function
    stock = {("gesamt", "gesamt"): total, **lead}
    movements = {(kind_, "fuehrungsebene", level): Counts(w, m) for (kind_, level), (w, m) in moves.items()}
    movements.update({(kind_, "gesamt", "gesamt"): Counts(w, m) for (kind_, _), (w, m) in moves.items()})
    ds = Dataset(Agency(name, kind, parent), stichtag, heads=total.total, stock=stock, movements=movements)
    path = folder / stichtag.isoformat() / f"{name}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    template = write_template(path, load_profile("thueringen"), ds.agency, stichtag)
    wb = load(template)
    fill_inputs(wb, ds, {"stock", "movements"})
    save(wb, path)


@pytest.fixture(scope="module")
def controlled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("controlling")
    # 2025: Ministerium A with its Landesamt, and Ministerium B
    _agency(folder, S25, "Ministerium A", "ministerium", None, {AL: (1, 3), RL: (4, 4)},
            {("befoerderung", RL): (2, 1), ("einstellung", AL): (0, 1)})
    _agency(folder, S25, "Landesamt A1", "landesverwaltung", "Ministerium A", {AL: (1, 1), RL: (2, 6)},
            {("befoerderung", RL): (1, 1)})
    _agency(folder, S25, "Ministerium B", "ministerium", None, {AL: (2, 2), RL: (3, 1)},
            {("hoehergruppierung", RL): (1, 0), ("fortbildung", RL): (2, 3)})  # training: no flow into leadership
    # 2024: Ministerium B only
    _agency(folder, S24, "Ministerium B", "ministerium", None, {AL: (1, 3), RL: (3, 1)}, {})
    out = folder / "uebersicht.xlsx"
    code = main(["consolidate", str(folder / S24.isoformat()), str(folder / S25.isoformat()), "--out", str(out),
                 "--json", str(folder / "uebersicht.json"), "--today", "2026-01-15", "--zielwert", "50", "--jobs", "1"])
    assert code == 0
    from xl_gleichplan.consolidation import consolidate

    c = consolidate([folder / S24.isoformat(), folder / S25.isoformat()], today=date(2026, 1, 15), jobs=1,
                    leadership_target=Fraction(1, 2))
    return c, out


def _level(c, stichtag, ministry, level):
    frame = c.leadership_levels
    rows = frame[(frame["stichtag"] == stichtag) & (frame["ministry"] == ministry) & (frame["level"] == level)]
    assert len(rows) == 1, (stichtag, ministry, level)
    r = rows.iloc[0]
    return r["w"], r["m"], r["share_w"], r["below_target"]


def test_share_per_ministry_and_level_against_the_target(controlled):
    c, _ = controlled
    # 2025, all: Abteilungsleitung 1 + 1 + 2 = 4 women, 3 + 1 + 2 = 6 men: 40 % < 50 %
    assert _level(c, S25, ALL, AL) == (4, 6, 0.4, True)
    # Referatsleitung 4 + 2 + 3 = 9, 4 + 6 + 1 = 11: 45 %
    assert _level(c, S25, ALL, RL) == (9, 11, 0.45, True)
    # Ministerium A with its Landesamt: AL 2 / 6 = 33.33 %, RL 6 / 16 = 37.5 %
    assert _level(c, S25, "Ministerium A", AL)[:2] == (2, 4)
    assert _level(c, S25, "Ministerium A", RL) == (6, 10, 0.375, True)
    # Ministerium B: AL 2 / 4 = exactly the target, not below; RL 3 / 4
    assert _level(c, S25, "Ministerium B", AL) == (2, 2, 0.5, False)
    # over the Stichtage: 2024 only Ministerium B, AL 1 / 4
    assert _level(c, S24, ALL, AL) == (1, 3, 0.25, True)
    assert _level(c, S24, "Ministerium B", AL) == (1, 3, 0.25, True)
    assert set(c.leadership_levels["target"]) == {0.5}


def test_flows_into_leadership_by_sex(controlled):
    c, _ = controlled
    f = c.leadership_flows
    got = {(r.stichtag, r.ministry, r.kind, r.level): (r.w, r.m) for r in f.itertuples()}
    # promotions into Referatsleitung: 2 women 1 man (Ministerium A) + 1 and 1 (Landesamt A1)
    assert got[(S25, ALL, "befoerderung", RL)] == (3, 2)
    assert got[(S25, ALL, "befoerderung", "alle Ebenen")] == (3, 2)
    assert got[(S25, "Ministerium A", "befoerderung", RL)] == (3, 2)
    assert got[(S25, ALL, "einstellung", AL)] == (0, 1)
    assert got[(S25, "Ministerium B", "hoehergruppierung", RL)] == (1, 0)
    assert not any(k[0] == S24 for k in got)  # no movements recorded for 2024
    # Ministerium B trained 2 women and 3 men of the Referatsleitung: no flow into leadership
    assert "fortbildung" not in set(f["kind"])
    assert got[(S25, ALL, "hoehergruppierung", "alle Ebenen")] == (1, 0)


def test_controlling_sheet_and_json(controlled):
    import json

    c, out = controlled
    wb = load_workbook(out, read_only=True)
    rows = [tuple(r) + (None,) * 12 for r in wb["Führung je Ebene"].values]
    assert any(r[1] == "Ministerium B" and r[2] == "Abteilungsleitung" and r[9] == "nein" for r in rows)
    assert any(r[1] == ALL and r[2] == "Referatsleitung" and r[3] == "Beförderungen" and r[4:6] == (3, 2) for r in rows)
    assert "Zielwert (50,00 %)" in [v for r in rows if r for v in r]
    data = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert data["leadership_target"] == 0.5
    assert {"stichtag", "ministry", "level", "share_w", "below_target"} <= set(data["leadership_levels"][0])
    assert data["leadership_flows"]


def test_zielwert_must_be_a_percentage(capsys, tmp_path):
    with pytest.raises(SystemExit) as info:  # a usage error: exit code 2, a German message, no traceback
        main(["consolidate", str(tmp_path), "--out", str(tmp_path / "u.xlsx"), "--zielwert", "150"])
    assert info.value.code == 2
    assert "höchstens 100 Prozent" in capsys.readouterr().err
