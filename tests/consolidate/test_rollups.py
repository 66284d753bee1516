"""Roll-ups against the generator's totals, exactly: per Bereich and sex, per parent office at every
level and for all agencies; leadership shares from the summed counts (issue 6, items 1-2, 5)."""
from __future__ import annotations

from datetime import date
from fractions import Fraction

import pandas as pd
import pytest
from openpyxl import load_workbook

from consolidate_helpers import LATEST, N, STICHTAGE
from xl_gleichplan.analysis import analyse
from xl_gleichplan.consolidation import consolidate
from xl_gleichplan.consolidation.hierarchy import ALL
from xl_gleichplan.errors import GleichplanError
from xl_gleichplan.profiles import load_profile

TODAY = date(2026, 4, 15)


@pytest.fixture(scope="module")
def run(agencies):
    folder, truth = agencies
    c = consolidate([folder / LATEST.isoformat()], today=TODAY, hierarchy=folder / "hierarchie.csv", jobs=2)
    return c, truth


def none(value):
    """pandas shows a missing text as NaN."""
    return None if pd.isna(value) else value


def share(w, m):
    return None if w + m == 0 else float(Fraction(w, w + m))


def expected_parents(truth, parent_key: str) -> set[str]:
    """Offices with at least one subordinate agency, from the generator's org chart."""
    specs = truth["agencies"]
    if parent_key == "meta":
        return {s["parent"] for s in specs if s["parent"] and s["meta_parent"]}
    return {s["parent"] for s in specs if s["parent"]}


def test_every_agency_is_read_and_placed_in_the_tree(run):
    c, truth = run
    assert len(c.agencies) == N
    specs = {s["name"]: s for s in truth["agencies"]}
    records = truth["records"][LATEST.isoformat()]
    for row in c.agencies.itertuples():
        spec, rec = specs[row.agency], records[row.agency]
        assert none(row.parent) == (spec["parent"] if spec["parent"] else None)  # orphan: from the list; otherwise
        assert row.ministry == spec["ministry"]                            # spelt otherwise: matched by key
        assert row.level == spec["level"]
        assert row.type == spec["type"]
        assert row.staff == rec["heads"]
        w, m, d, x = rec["leadership"]
        assert (row.leadership_w, row.leadership_m, row.leadership_d, row.leadership_x) == (w, m, d, x)
        assert row.leadership_share_w == share(w, m)
        assert row.plan_required == (rec["heads"] >= 50)


def test_agency_areas_are_the_counts_written(run):
    c, truth = run
    records = truth["records"][LATEST.isoformat()]
    got = {(r.agency, r.dimension, r.area): (r.w, r.m, r.d, r.x) for r in c.areas.itertuples()}
    want = {(name, d, a): tuple(counts) for name, rec in records.items() for d, a, *counts in rec["stock"]}
    assert got == want


@pytest.mark.parametrize("mode", ["list", "meta"])
def test_rollups_per_parent_and_overall_equal_the_generator_totals(agencies, run, mode):
    folder, truth = agencies
    if mode == "list":
        c, totals = run[0], truth["totals"][LATEST.isoformat()]
    else:  # without the mapping list: the orphan is an office of the top level
        c = consolidate([folder / LATEST.isoformat()], today=TODAY, jobs=2)
        totals = truth["totals_without_list"][LATEST.isoformat()]
    assert set(c.rollups["node"]) == {ALL} | expected_parents(truth, mode)
    for row in c.rollups.itertuples():
        t = totals[row.node]
        assert row.agencies == t["agencies"], row.node
        assert row.staff == t["heads"], row.node
        w, m, d, x = t["leadership"]
        assert (row.leadership_w, row.leadership_m, row.leadership_d, row.leadership_x) == (w, m, d, x), row.node
        assert row.leadership_share_w == share(w, m), row.node  # from the sums, not a mean of shares
    for node, rows in c.totals.groupby("node"):
        got = {(r.dimension, r.area): (r.w, r.m, r.d, r.x) for r in rows.itertuples()}
        want = {tuple(k.split("|")): tuple(v) for k, v in totals[node]["stock"].items()}
        assert got == want, node
        for r in rows.itertuples():
            assert r.share_w == share(r.w, r.m)


def test_orphans_are_top_level_without_the_list(agencies):
    folder, truth = agencies
    c = consolidate([folder / LATEST.isoformat()], today=TODAY, jobs=1)
    orphans = set(truth["orphans"])
    assert orphans
    rows = c.agencies[c.agencies["agency"].isin(orphans)]
    assert list(rows["level"]) == [1] * len(orphans)
    assert list(rows["parent"].isna()) == [True] * len(orphans)


def test_levels_of_the_rollups(run):
    c, truth = run
    level = {s["name"]: s["level"] for s in truth["agencies"]}
    for row in c.rollups.itertuples():
        assert row.level == (0 if row.node == ALL else level[row.node])


def test_underrepresentation_of_a_sum_is_judged_on_the_summed_counts(run):
    """Thuringia: a sex under 40 % (strictly) in a Bereich; checked by hand on every summed row."""
    c, _ = run
    judged = {"gesamt", "laufbahngruppe", "besoldungs_entgeltgruppe", "fachrichtung", "wertebene", "fuehrungsebene"}
    for r in c.totals.itertuples():
        expected = None
        if r.dimension in judged and r.w + r.m:
            if Fraction(r.w, r.w + r.m) < Fraction(2, 5):
                expected = "women"
            elif Fraction(r.m, r.w + r.m) < Fraction(2, 5):
                expected = "men"
        assert none(r.underrepresented) == expected


def test_deadline_status_relative_to_today(agencies):
    """Stichtag 30.06.2025: plan due 30.03.2026, adjustment due 30.03.2029 (SPEC § 1). Overdue means
    today is after the due day; on the due day itself the deadline still runs."""
    folder, truth = agencies
    due = consolidate([folder / LATEST.isoformat()], today=date(2026, 3, 30), jobs=1)
    late = consolidate([folder / LATEST.isoformat()], today=date(2026, 3, 31), jobs=1)
    heads = {n: r["heads"] for n, r in truth["records"][LATEST.isoformat()].items()}
    for c, word in ((due, "open"), (late, "overdue")):
        for row in c.agencies.itertuples():
            assert row.plan_due == date(2026, 3, 30)
            assert row.adjustment_due == date(2029, 3, 30)
            assert row.plan_status == (word if heads[row.agency] >= 50 else "no_duty")
            assert row.adjustment_status == ("open" if heads[row.agency] >= 50 else "no_duty")
    expected = sum(h >= 50 for h in heads.values())
    assert late.rollups.set_index("node").loc[ALL, "plan_overdue"] == expected
    assert due.rollups.set_index("node").loc[ALL, "plan_overdue"] == 0


def test_leadership_rule_result_per_agency(run):
    """§ 4 Abs. 6, reading I1 (count of targets fully met), from the targets the generator wrote."""
    c, truth = run
    records = truth["records"][LATEST.isoformat()]
    for row in c.agencies.itertuples():
        targets = records[row.agency]["targets"]
        assessed = [t for t in targets if t[1] is not None]
        assert row.leadership_targets == len(targets)
        if not assessed:
            assert none(row.approval_required) is None
            continue
        met = sum((a or 0) >= goal for goal, a in targets)
        assert row.leadership_i1 == float(Fraction(met, len(targets)))
        assert row.approval_required == (Fraction(met, len(targets)) < Fraction(1, 2))


def test_summary_workbook_shows_the_same_sums(run, tmp_path):
    c, truth = run
    path = c.write_workbook(tmp_path / "summary.xlsx")
    wb = load_workbook(path, read_only=True)
    rows = list(wb["Summen"].values)
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Stichtag")
    col = {name: i for i, name in enumerate(rows[header])}
    totals = truth["totals"][LATEST.isoformat()]
    seen = set()
    for r in rows[header + 1:]:
        node = r[col["Stelle"]]
        seen.add(node)
        t = totals[node]
        assert r[col["Beschäftigte"]] == t["heads"]
        assert (r[col["Führung: Frauen"]], r[col["Führung: Männer"]]) == tuple(t["leadership"][:2])
        assert r[col["Frauenanteil Führung"]] == pytest.approx(share(*t["leadership"][:2]), rel=1e-14, abs=0)
    assert seen == set(c.rollups["node"])
    agencies = list(wb["Dienststellen"].values)
    header = next(i for i, r in enumerate(agencies) if r and r[0] == "Stichtag")
    assert len(agencies) - header - 1 == N
    col = {name: i for i, name in enumerate(agencies[header])}
    heads = {n: r["heads"] for n, r in truth["records"][LATEST.isoformat()].items()}
    for r in agencies[header + 1:]:  # 15.04.2026 is after the due day 30.03.2026
        assert r[col[f"Plan am {TODAY:%d.%m.%Y}"]] == ("überfällig" if heads[r[col["Dienststelle"]]] >= 50
                                                       else "keine Planpflicht")
    overview = [r for r in wb["Übersicht"].values if r and r[0] == "Fristen"]
    assert "sagt nicht, wann der Plan beschlossen wurde" in overview[0][1]  # the definition is stated


def test_parent_dataset_from_its_units(run):
    """A parent's own statistics built from its delegated units: the summed stock of its subtree."""
    c, truth = run
    totals = truth["totals"][LATEST.isoformat()]
    parent = "Landesamt für Musterverwaltung 0004"
    ds = c.dataset_for(parent)
    assert ds.agency.name == parent
    assert ds.heads == totals[parent]["heads"]
    assert {f"{d}|{a}": [c_.w, c_.m, c_.d, c_.x] for (d, a), c_ in ds.stock.items()} == totals[parent]["stock"]
    analysis = analyse(ds, load_profile("thueringen"))
    assert analysis.plan_required == (totals[parent]["heads"] >= 50)


def test_parent_dataset_names_what_is_there_when_the_name_or_stichtag_is_wrong(run, tmp_path):
    """A misspelt office gets the names that were found and the way out (--hierarchy); a Stichtag
    without workbooks gets the Stichtage there are; nothing read at all says so."""
    c, _ = run
    with pytest.raises(GleichplanError) as wrong:
        c.dataset_for("Landesamt für Musterverwaltung 4")
    message = str(wrong.value)
    assert "„Landesamt für Musterverwaltung 0004“" in message and "--hierarchy" in message
    assert "weitere" in message  # more than ten offices: the first ten and the count of the rest
    with pytest.raises(GleichplanError) as day:
        c.dataset_for("Landesamt für Musterverwaltung 0004", date(2000, 6, 30))
    assert "30.06.2000" in str(day.value) and f"{LATEST:%d.%m.%Y}" in str(day.value)
    (tmp_path / "leer").mkdir()
    (tmp_path / "leer" / "kaputt.xlsx").write_bytes(b"PK\x03\x04 abgeschnitten")
    empty = consolidate([tmp_path / "leer"], today=TODAY, jobs=1)
    with pytest.raises(GleichplanError, match="kein Erhebungsbogen konnte gelesen werden"):
        empty.dataset_for("Landesamt für Musterverwaltung 0004")


def test_several_stichtage_in_one_run_are_summed_per_stichtag(agencies):
    folder, truth = agencies
    c = consolidate([folder / s.isoformat() for s in STICHTAGE[:2]], today=TODAY,
                    hierarchy=folder / "hierarchie.csv", jobs=2)
    assert len(c.agencies) == 2 * N
    assert c.stichtage == list(STICHTAGE[:2])
    for row in c.rollups.itertuples():
        t = truth["totals"][row.stichtag.isoformat()][row.node]
        assert (row.agencies, row.staff, row.leadership_w, row.leadership_m) == \
            (t["agencies"], t["heads"], *t["leadership"][:2])


def test_formula_check_on_request_changes_no_number(agencies):
    """--check-formulas runs the full reader of `check`; the generated workbooks overwrite no formula."""
    folder, _ = agencies
    fast = consolidate([folder / STICHTAGE[0].isoformat()], today=TODAY, jobs=1)
    full = consolidate([folder / STICHTAGE[0].isoformat()], today=TODAY, jobs=1, check_formulas=True)
    assert fast.totals.equals(full.totals) and fast.agencies.equals(full.agencies)
    assert len(fast.findings) == len(full.findings)


def test_plan_of_a_parent_from_the_folder_of_its_units(agencies, tmp_path):
    """`plan ORDNER --agency-name STELLE`: the draft of a parent office from its units' workbooks;
    its head count is the generator's total for that subtree."""
    import subprocess
    import sys

    from docx import Document

    folder, truth = agencies
    latest = folder / LATEST.isoformat()
    parent = "Landesamt für Musterverwaltung 0004"
    out = tmp_path / "entwurf.docx"
    done = subprocess.run([sys.executable, "-m", "xl_gleichplan", "plan", str(latest), "--agency-name", parent,
                           "--hierarchy", str(folder / "hierarchie.csv"), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Nicht berücksichtigt:" in done.stderr  # the broken files are named, the rest is used
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert parent in text
    heads = truth["totals"][LATEST.isoformat()][parent]["heads"]
    assert f"{heads:,}".replace(",", ".") in text
    missing = subprocess.run([sys.executable, "-m", "xl_gleichplan", "plan", str(latest), "--out", str(out)],
                             capture_output=True, text=True, timeout=300)
    assert missing.returncode == 1 and "--agency-name" in missing.stderr and "Traceback" not in missing.stderr
