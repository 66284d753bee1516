"""The robust batch: failure accounting, exit codes, outputs never read as inputs, byte-identical
re-runs, a crashing worker, the progress bar (issue 6, item 4)."""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from consolidate_helpers import LATEST, N, STICHTAGE
from xl_gleichplan.cli import main
from xl_gleichplan.consolidation import batch, consolidate
from xl_gleichplan.errors import GleichplanError
from xl_gleichplan.io.ooxml import zip_parts

TODAY = ["--today", "2026-04-15"]


def cli(*args) -> int:
    return main(["consolidate", *map(str, args)])


def test_failure_accounting_names_every_broken_file(agencies):
    folder, truth = agencies
    c = consolidate([folder / LATEST.isoformat()], today=date(2026, 4, 15), jobs=2)
    expected = truth["expected_files"][LATEST.isoformat()]
    assert (c.processed, c.skipped, c.failed) == (N, 1, 5) == (expected["processed"], expected["skipped"],
                                                              expected["failed"])
    status = dict(zip(c.files["path"], c.files["status"]))
    reason = dict(zip(c.files["path"], c.files["reason"]))
    for b in truth["broken"]:
        path = str(folder / b["file"])
        assert status[path] == b["expect"], b
        assert Path(path).name in reason[path]  # the reason names the file
        assert reason[path].strip()
    words = {"renamed_csv": "umbenannte CSV", "foreign_workbook": "kein Erhebungsbogen",
             "encrypted_ole": "kennwortgeschützt", "wrong_version": "Vorlagenversion 2", "truncated": "beschädigt",
             "owner_file": "Sperrdatei"}
    for b in truth["broken"]:
        assert words[b["kind"]] in reason[str(folder / b["file"])], b
    failed = c.findings[c.findings["status"] == "failed"]
    assert sorted(failed["path"]) == sorted(str(folder / b["file"]) for b in truth["broken"] if b["expect"] == "failed")
    assert set(failed["severity"]) == {"error"}


def test_findings_of_good_workbooks_are_listed_with_their_path(agencies):
    folder, truth = agencies
    c = consolidate([folder / LATEST.isoformat()], today=date(2026, 4, 15), jobs=2)
    rows = c.agencies.set_index("agency")
    for name, kind in truth["injected"].items():
        if kind == "error":
            assert rows.loc[name, "errors"] >= 1
            msgs = c.findings[(c.findings["agency"] == name) & (c.findings["severity"] == "error")]["message"]
            assert any("Name des Gremiums fehlt" in m for m in msgs)
        else:
            assert rows.loc[name, "warnings"] >= 1
            msgs = c.findings[(c.findings["agency"] == name) & (c.findings["severity"] == "warning")]["message"]
            assert any("Maßnahme hat keinen Text" in m for m in msgs)
        assert set(c.findings[c.findings["agency"] == name]["path"]) == {rows.loc[name, "path"]}
    # the workbook next to the owner file is read, with a hint that it is open in Excel
    owner = next(b for b in truth["broken"] if b["kind"] == "owner_file")
    beside = str(folder / Path(owner["file"]).with_name(Path(owner["file"]).name[2:]))
    hints = c.findings[(c.findings["path"] == beside) & (c.findings["severity"] == "info")]["message"]
    assert any("in Excel geöffnet" in m for m in hints)


def test_exit_codes(agencies, tmp_path, capsys):
    folder, _ = agencies
    latest, clean = folder / LATEST.isoformat(), folder / STICHTAGE[0].isoformat()
    assert cli(clean, "--out", tmp_path / "a.xlsx", *TODAY) == 0
    assert cli(latest, "--out", tmp_path / "b.xlsx", *TODAY) == 1
    out, err = capsys.readouterr()
    assert f"{N} verarbeitet, 1 übersprungen, 5 fehlgeschlagen" in out  # the run ends with the counts
    assert "verschluesselt.xlsx" in err and "haushaltsplan.xlsx" in err
    assert (tmp_path / "b.xlsx").exists()  # the partial summary is written all the same
    assert cli(latest, "--out", tmp_path / "c.xlsx", "--allow-partial", *TODAY) == 0
    only_broken = tmp_path / "kaputt"
    only_broken.mkdir()
    for name in ("verschluesselt.xlsx", "haushaltsplan.xlsx"):
        shutil.copy(latest / "m01" / name, only_broken / name)
    assert cli(only_broken, "--out", tmp_path / "d.xlsx", "--allow-partial", *TODAY) == 1  # nothing read at all
    empty = tmp_path / "leer"
    empty.mkdir()
    assert cli(empty, "--out", tmp_path / "e.xlsx") == 1
    assert "keine Arbeitsmappen" in capsys.readouterr().err
    assert cli(clean, "--out", tmp_path / "f.csv") == 1  # the summary is an .xlsx
    assert cli(clean, "--out", tmp_path / "g.xlsx", "--jobs", "0") == 1
    assert cli(tmp_path / "gibt-es-nicht", "--out", tmp_path / "h.xlsx") == 1
    err = capsys.readouterr().err
    assert "gibt es nicht" in err and "Traceback" not in err


def test_rerun_gives_the_same_bytes(agencies, tmp_path):
    """Two runs (parallel and in one process) into the same place: every output byte-identical."""
    folder, _ = agencies
    out, runs = tmp_path / "out", []
    for jobs in ("2", "1"):
        code = cli(folder / LATEST.isoformat(), folder / STICHTAGE[1].isoformat(), "--out", out / "summary.xlsx",
                   "--json", out / "summary.json", "--history", out / "verlauf",
                   "--hierarchy", folder / "hierarchie.csv", "--jobs", jobs, "--allow-partial", *TODAY)
        assert code == 0
        runs.append({p.name: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
        shutil.rmtree(out)
    first, second = runs
    assert set(first) == {"summary.xlsx", "summary.json", "gleichplan_verlauf.csv"}
    assert zip_parts_of(first["summary.xlsx"], tmp_path / "1.xlsx") == \
        zip_parts_of(second["summary.xlsx"], tmp_path / "2.xlsx")  # part by part, then byte by byte
    assert first == second


def zip_parts_of(data: bytes, path: Path) -> dict:
    path.write_bytes(data)
    return zip_parts(path)


def test_outputs_in_an_input_folder_are_not_read(agencies, tmp_path):
    folder, _ = agencies
    inbox = tmp_path / "eingang"
    shutil.copytree(folder / STICHTAGE[0].isoformat(), inbox)
    for _ in range(2):
        assert cli(inbox, "--out", inbox / "uebersicht.xlsx", "--json", inbox / "uebersicht.json",
                   "--history", inbox, *TODAY) == 0
    c = consolidate([inbox], today=date(2026, 4, 15), exclude=[inbox / "uebersicht.xlsx"])
    assert c.processed == N and c.failed == 0


def test_the_same_agency_twice_is_counted_once(agencies, tmp_path):
    folder, truth = agencies
    inbox = tmp_path / "eingang"
    shutil.copytree(folder / STICHTAGE[0].isoformat(), inbox)
    first = sorted(inbox.rglob("*.xlsx"))[0]
    copy = first.with_name("zz_kopie.xlsx")
    shutil.copy(first, copy)
    c = consolidate([inbox], today=date(2026, 4, 15), jobs=2)
    # the copy has the same save time inside and a newer file date: it counts, the first is skipped
    assert (c.processed, c.skipped, c.failed) == (N, 1, 0)
    reason = c.files.set_index("path").loc[str(first), "reason"]
    assert str(copy) in reason and "neuere" in reason
    heads = sum(r["heads"] for r in truth["records"][STICHTAGE[0].isoformat()].values())
    assert c.rollups.set_index("node").loc["Alle Dienststellen", "staff"] == heads


@pytest.mark.skipif(multiprocessing.get_start_method() != "fork", reason="the patched reader reaches workers by fork")
def test_a_crashing_worker_costs_only_its_file(agencies, monkeypatch):
    folder, _ = agencies
    files = sorted((folder / STICHTAGE[0].isoformat()).rglob("*.xlsx"))
    victim = str(files[3])
    real = batch.read_one

    def crashing(path, *args):
        if path == victim:
            os._exit(3)  # as if the out-of-memory killer struck
        return real(path, *args)

    monkeypatch.setattr(batch, "read_one", crashing)
    results = batch.read_all(files, jobs=2)
    by_path = {r.path: r for r in results}
    assert by_path[victim].status == "failed" and "abgestürzt" in by_path[victim].reason
    assert sum(r.status == "processed" for r in results) == len(files) - 1


def test_progress_bar_only_on_a_terminal(agencies, capsys):
    folder, _ = agencies
    files = sorted((folder / STICHTAGE[0].isoformat()).rglob("*.xlsx"))[:3]
    batch.read_all(files, jobs=1)  # under pytest stderr is no terminal: no bar
    assert "Arbeitsmappen lesen" not in capsys.readouterr().err
    batch.read_all(files, jobs=1, progress=True)
    assert "Arbeitsmappen lesen" in capsys.readouterr().err


def test_json_summary(agencies, tmp_path):
    folder, truth = agencies
    assert cli(folder / LATEST.isoformat(), "--out", tmp_path / "s.xlsx", "--json", tmp_path / "s.json",
               "--allow-partial", *TODAY) == 0
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert data["files"] == {"found": N + 6, "processed": N, "skipped": 1, "failed": 5}
    assert sorted(p["path"] for p in data["problems"]) == sorted(str(folder / b["file"]) for b in truth["broken"])
    assert len(data["agencies"]) == N
    everything = next(r for r in data["rollups"] if r["node"] == "Alle Dienststellen")
    t = truth["totals"][LATEST.isoformat()]["Alle Dienststellen"]
    assert everything["staff"] == t["heads"] and everything["agencies"] == N
    assert data["today"] == "2026-04-15"


def test_bad_history_and_hierarchy_files_stop_before_reading(agencies, tmp_path):
    folder, _ = agencies
    foreign = tmp_path / "fremd.csv"
    foreign.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(GleichplanError, match="keine Verlaufsdatei"):
        consolidate([folder / STICHTAGE[0].isoformat()], history=foreign)
    with pytest.raises(GleichplanError, match="CSV"):
        consolidate([folder / STICHTAGE[0].isoformat()], history=tmp_path / "verlauf.parquet")
    mapping = tmp_path / "liste.csv"
    mapping.write_text("name;art\nA;ministerium\n", encoding="utf-8")
    with pytest.raises(GleichplanError, match="uebergeordnet"):
        consolidate([folder / STICHTAGE[0].isoformat()], hierarchy=mapping)
