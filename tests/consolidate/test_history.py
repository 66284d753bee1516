"""The history over three Stichtage: the tidy CSV, its idempotent update, the sheet and chart of the
share of women in leadership positions per ministry and overall against the target (issue 6, item 3)."""
from __future__ import annotations

import zipfile
from datetime import date
from fractions import Fraction

import pandas as pd
from lxml import etree
import pytest
from openpyxl import load_workbook

from consolidate_helpers import N, STICHTAGE
from xl_gleichplan.cli import main

ALL = "Alle Dienststellen"


def run(folder, stichtag, out, history) -> int:
    return main(["consolidate", str(folder / stichtag.isoformat()), "--out", str(out), "--history", str(history),
                 "--hierarchy", str(folder / "hierarchie.csv"), "--today", "2026-04-15", "--allow-partial"])


@pytest.fixture(scope="module")
def three_runs(agencies, tmp_path_factory):
    """One consolidation per Stichtag, oldest first, all into the same history folder."""
    folder, truth = agencies
    out = tmp_path_factory.mktemp("history")
    for s in STICHTAGE:
        assert run(folder, s, out / f"summary_{s.year}.xlsx", out / "verlauf") == 0
    return out, truth


def read_csv(path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype={"area": str}, keep_default_na=False)


def test_tidy_rows_equal_what_was_written(three_runs):
    out, truth = three_runs
    frame = read_csv(out / "verlauf" / "gleichplan_verlauf.csv")
    assert list(frame.columns) == ["stichtag", "agency", "type", "parent", "ministry", "profile", "dimension", "area",
                                   "sex", "count"]
    assert sorted(set(frame["stichtag"])) == [s.isoformat() for s in STICHTAGE]
    got = {(r.stichtag, r.agency, r.dimension, r.area, r.sex): r.count for r in frame.itertuples()}
    want = {}
    for s in STICHTAGE:
        for name, rec in truth["records"][s.isoformat()].items():
            for d, a, *counts in rec["stock"]:
                for sex, n in zip("wmdx", counts):
                    want[(s.isoformat(), name, d, a, sex)] = n
    assert got == want  # one row per agency, Stichtag, dimension, Bereich and sex; nothing twice
    assert len(frame) == len(want)
    ministries = {sp["name"]: sp["ministry"] for sp in truth["agencies"]}
    assert all(frame["ministry"] == frame["agency"].map(ministries))


def test_rerunning_a_stichtag_replaces_its_rows(agencies, three_runs, tmp_path):
    folder, _ = agencies
    out, _ = three_runs
    history = out / "verlauf" / "gleichplan_verlauf.csv"
    before = history.read_bytes()
    assert run(folder, STICHTAGE[1], tmp_path / "again.xlsx", out / "verlauf") == 0
    assert history.read_bytes() == before


def test_one_run_over_all_stichtage_gives_the_same_history(agencies, three_runs, tmp_path):
    folder, _ = agencies
    out, _ = three_runs
    code = main(["consolidate", *[str(folder / s.isoformat()) for s in STICHTAGE], "--out", str(tmp_path / "s.xlsx"),
                 "--history", str(tmp_path / "h.csv"), "--hierarchy", str(folder / "hierarchie.csv"),
                 "--today", "2026-04-15", "--allow-partial"])
    assert code == 0
    assert (tmp_path / "h.csv").read_bytes() == (out / "verlauf" / "gleichplan_verlauf.csv").read_bytes()


def test_leadership_sheet_per_ministry_and_overall_against_the_target(three_runs):
    out, truth = three_runs
    wb = load_workbook(out / f"summary_{STICHTAGE[-1].year}.xlsx", read_only=True)
    rows = [r for r in wb["Verlauf"].values]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Stichtag")
    labels = list(rows[header])
    ministries = sorted({s["ministry"] for s in truth["agencies"]})
    assert labels[1] == ALL and sorted(labels[2:-1]) == ministries and labels[-1].startswith("Zielwert")
    table = rows[header + 1: header + 1 + len(STICHTAGE)]
    assert [r[0] for r in table] == [f"{s:%d.%m.%Y}" for s in STICHTAGE]
    for s, r in zip(STICHTAGE, table):
        totals = truth["totals"][s.isoformat()]
        for label, value in zip(labels[1:-1], r[1:-1]):
            w, m = totals[label]["leadership"][:2]
            # a cell keeps 15 significant digits, as Excel does; the counts behind it are exact
            assert value == pytest.approx(float(Fraction(w, w + m)), rel=1e-14, abs=0), (s, label)
        assert r[-1] == 0.4  # the Thuringia threshold, 2/5
    with zipfile.ZipFile(out / f"summary_{STICHTAGE[-1].year}.xlsx") as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        chart = etree.fromstring(zf.read(charts[0]))
    names = [etree.QName(e).localname for e in chart.iter() if isinstance(e.tag, str)]
    assert "lineChart" in names
    assert names.count("ser") == len(labels) - 1  # overall, each ministry, the target line
    def line_dash(ser):  # the series' own line, not its markers'
        sp = next(e for e in ser if etree.QName(e).localname == "spPr")
        return [e.get("val") for e in sp.iter() if etree.QName(e).localname == "prstDash"]

    series = [e for e in chart.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "ser"]
    assert [line_dash(ser) == ["dash"] for ser in series] == [False] * (len(series) - 1) + [True]  # the target, dashed


def test_history_frame_in_the_api(agencies, three_runs):
    from xl_gleichplan.consolidation import consolidate

    folder, truth = agencies
    out, _ = three_runs
    c = consolidate([folder / STICHTAGE[0].isoformat()], history=out / "verlauf",
                    hierarchy=folder / "hierarchie.csv", jobs=1)
    assert sorted(set(c.history["stichtag"])) == list(STICHTAGE)
    series = c.leadership_history
    overall = series[series["ministry"] == ALL]
    for s in STICHTAGE:
        w, m, d, x = truth["totals"][s.isoformat()][ALL]["leadership"]
        row = overall[overall["stichtag"] == s].iloc[0]
        assert (row["w"], row["m"], row["d"], row["x"], row["agencies"]) == (w, m, d, x, N)
        assert row["share_w"] == float(Fraction(w, w + m))


def test_an_unchanged_history_is_not_read_again_under_the_lock(agencies, three_runs, tmp_path, monkeypatch):
    """The run merged the history it read; under the lock it reads the file again only if another
    run has written it since (test_outside: two runs into one file keep both)."""
    from xl_gleichplan.consolidation import consolidate, history as hist

    folder, _ = agencies
    out, _ = three_runs
    target = tmp_path / "verlauf.csv"
    full = (out / "verlauf" / "gleichplan_verlauf.csv").read_bytes()
    target.write_bytes(full)
    c = consolidate([folder / STICHTAGE[1].isoformat()], history=target, hierarchy=folder / "hierarchie.csv",
                    today=date(2026, 4, 15), progress=False, jobs=1)
    reads, real = [], hist.read_history
    monkeypatch.setattr(hist, "read_history", lambda path: reads.append(path) or real(path))
    c.write_history()
    assert reads == []
    assert target.read_bytes() == full  # the same Stichtag again: the same file

    # another run has written the file since it was read (here: only its first Stichtag's rows)
    first = [line for line in full.split(b"\n") if not line or line.startswith((b"\xef\xbb\xbfstichtag", b"stichtag",
                                                                              STICHTAGE[0].isoformat().encode()))]
    target.write_bytes(b"\n".join(first))
    c.write_history()
    assert reads == [target]
    assert set(read_csv(target)["stichtag"]) == {STICHTAGE[0].isoformat(), STICHTAGE[1].isoformat()}


@pytest.mark.parametrize("name", ["Amt Nord", "Amt; Süd", 'Amt "Ost"', "Amt\rWest", "Amt\nMitte", "'=Amt", "=1+1", " Amt "])
@pytest.mark.parametrize("count", [3, 2.5])
def test_the_history_file_has_the_bytes_pandas_writes(tmp_path, name, count):
    """The fast writer gives pandas' own CSV, byte for byte, or leaves the file to pandas."""
    from xl_gleichplan.consolidation.history import HISTORY_COLUMNS, write_history

    frame = pd.DataFrame([[date(2025, 6, 30), name, "landesverwaltung", None, "Ministerium", "thueringen",
                           "gesamt", "gesamt", sex, count] for sex in "wmdx"], columns=HISTORY_COLUMNS)
    write_history(frame, tmp_path / "h.csv")
    expected = frame.assign(stichtag="2025-06-30")
    expected["agency"] = expected["agency"].map(lambda v: "'" + v if v.startswith("=") else v)
    expected.to_csv(tmp_path / "p.csv", sep=";", index=False, encoding="utf-8-sig", lineterminator="\n")
    assert (tmp_path / "h.csv").read_bytes() == (tmp_path / "p.csv").read_bytes()
