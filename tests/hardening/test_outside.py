"""Robustness, second round (issue 15): the eight classes of failure an outside test found, each
tested as a class, not only with its example.

1. an output replaces an input        5. concurrent writers of the history
2. a workbook chooses its own profile  6. what --in-place would drop (data bars, Excel 2010 extensions)
3. numbers the writers cannot hold     7. tracebacks after a failed write
4. names and characters from outside   8. the inbox as clerks leave it (backups, two versions)

Every command must end in a German message or a finding, never in a traceback on stderr. Where a
traceback could appear only at interpreter exit (a half-closed writer collected late), the command
runs in its own process.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from fault_helpers import _agency_name, cli_cmd, cli_env, clone_agencies, hashes

STICHTAG = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _log_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))


def cli(*argv) -> tuple[int, str, str]:
    from xl_gleichplan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def run(*argv, cwd: Path, log: Path) -> subprocess.CompletedProcess:
    """The command in its own process, as a clerk runs it (bytes, so an undecodable name survives)."""
    return subprocess.run([os.fsencode(a) if isinstance(a, (str, Path)) else a for a in cli_cmd(*argv)],
                          cwd=cwd, env=cli_env(log), capture_output=True, timeout=300)


def assert_clean(err: str) -> None:
    assert "Traceback" not in err and "Exception ignored" not in err and "Unerwarteter Fehler" not in err, err
    assert "Warning" not in err, err  # no English library warning either


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The sample agency of ``xl-gleichplan demo``: exports, a filled workbook."""
    folder = tmp_path_factory.mktemp("demo")
    code, _, err = cli("demo", "--out", folder)
    assert code == 0, err
    return folder


@pytest.fixture
def workbook(demo, tmp_path) -> Path:
    path = tmp_path / "amt.xlsx"
    shutil.copy(demo / "erhebungsbogen_ausgefuellt.xlsx", path)
    return path


@pytest.fixture
def inbox(demo, tmp_path) -> Path:
    """Three agencies (distinct names) in an inbox folder."""
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(demo / "erhebungsbogen_ausgefuellt.xlsx", source / "amt.xlsx")
    clone_agencies(source, tmp_path / "inbox", 3)
    return tmp_path / "inbox"


def staff_count(path: Path) -> int:
    """Beschäftigte insgesamt as the workbook holds it (Bestand, row 5: C..F), read with openpyxl."""
    from openpyxl import load_workbook

    ws = load_workbook(path, read_only=True)["Bestand"]
    row = next(ws.iter_rows(min_row=5, max_row=5, min_col=3, max_col=6, values_only=True))
    return sum(int(v or 0) for v in row)


def set_cells(src: Path, dest: Path, sheet: str, cells: dict) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(src)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(dest)
    return dest


def set_saved(path: Path, stamp: str) -> None:
    """Rewrite the save time the workbook records (docProps/core.xml dcterms:modified)."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "docProps/core.xml":
                data, n = re.subn(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
                assert n == 1
            zout.writestr(info, data)
    tmp.replace(path)


# ------------------------------------------------------------------------ 1. an output replaces an input

def test_no_output_of_any_command_replaces_one_of_its_inputs(demo, inbox, tmp_path):
    """Every command, every output option: refused when it is an input, by name however spelled and
    by inode (a hard link); the inputs stay byte-identical and nothing is written."""
    wb = tmp_path / "wb.xlsx"
    shutil.copy(demo / "erhebungsbogen_ausgefuellt.xlsx", wb)
    export = tmp_path / "personal.csv"
    shutil.copy(demo / "exporte" / "personalbestand.csv", export)
    os.link(wb, tmp_path / "verweis.xlsx")
    hierarchy = tmp_path / "zuordnung.csv"
    hierarchy.write_text("name;uebergeordnet\n", encoding="utf-8")
    listing = tmp_path / "liste.csv"
    listing.write_text("name;art\nliste;landesverwaltung\n", encoding="utf-8")
    amt = sorted(inbox.rglob("*.xlsx"))
    cases = [
        ("plan", wb, "--out", wb),
        ("plan", wb, "--out", tmp_path / "." / "wb.xlsx"),
        ("plan", wb, "--out", tmp_path / "verweis.xlsx"),  # the same file under another name
        ("plan", "--staff", export, "--out", export),
        ("plan", "--staff", export, "--movements", demo / "exporte" / "personalbewegungen.csv", "--out", export),
        ("plan", inbox, "--agency-name", _agency_name(amt[0]), "--out", amt[1]),  # a file in the input folder
        ("compute", wb, "--out", tmp_path / "verweis.xlsx"),
        ("compute", wb, "--write", "--staff", tmp_path / "wb_ergebnis.xlsx"),  # a derived name hits an input
        ("import-staff", export, "--into", wb, "--out", export),
        ("compute", "--staff", export, "--write-mapping", export),
        ("consolidate", inbox, "--out", amt[0], "--json", amt[1]),
        ("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--json", tmp_path / "s.xlsx"),
        ("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--hierarchy", hierarchy, "--json", hierarchy),
        ("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--json", tmp_path / "s.json", "--history", tmp_path / "s.json.csv",
         "--hierarchy", tmp_path / "s.json.csv"),
        ("template", "--list", tmp_path / "liste.xlsx", "--out", tmp_path),
    ]
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["name", "art"])
    book.active.append(["liste", "landesverwaltung"])  # a list whose agency "liste" would be liste.xlsx
    book.save(tmp_path / "liste.xlsx")
    inputs = [wb, export, hierarchy, listing, tmp_path / "liste.xlsx", *amt]
    before = hashes(inputs)
    for case in cases:
        code, out, err = cli(*case)
        assert_clean(err)
        if case[0] == "template":  # one row of the batch fails, named, the others would go on
            assert "Zeile 2 (liste): nicht erstellt" in out and "Eingabe" in out, out
            assert hashes(inputs) == before
            continue
        assert code == 1, (case, out, err)
        assert err.startswith("Fehler: ") and ("Eingabe" in err or "dieselbe Datei" in err
                                               or "Arbeitsmappe selbst" in err), (case, err)
        assert hashes(inputs) == before, case
    assert not (tmp_path / "s.xlsx").exists()  # refused before any output was written
    assert not list(tmp_path.glob("wb_ergebnis*"))


# ------------------------------------------------------------------------ 2. a workbook chooses its rules

def own_profile(tmp_path: Path, min_cell: int) -> Path:
    from importlib import resources

    text = resources.files("xl_gleichplan.profiles").joinpath("thueringen.toml").read_text("utf-8")
    text, n = re.subn(r"(?m)^min_cell = \d+", f"min_cell = {min_cell}", text)
    assert n == 1
    path = tmp_path / "eigen.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_workbook_may_only_name_a_shipped_profile(workbook, inbox, tmp_path):
    evil = own_profile(tmp_path, 1)
    for named in (str(evil), "eigen.toml", r"\\server\freigabe\profil.toml", "../profiles/thueringen.toml"):
        bad = set_cells(workbook, tmp_path / "bad.xlsx", "Metadaten", {"C5": named})
        for command in (("check", bad), ("plan", bad, "--out", tmp_path / "e.docx"), ("compute", bad)):
            code, _, err = cli(*command)
            assert code == 1 and "Zelle C5" in err and "mitgeliefertes Profil" in err and "bad.xlsx" in err, err
            assert_clean(err)
        assert not (tmp_path / "e.docx").exists()
    shutil.copy(tmp_path / "bad.xlsx", inbox / "bad.xlsx")
    code, _, err = cli("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--allow-partial")
    assert code == 0 and "Zelle C5" in err, err  # one bad file: reported, the others summed
    # a shipped profile by name is fine; an own profile comes from the command line
    ok = set_cells(workbook, tmp_path / "bund.xlsx", "Metadaten", {"C5": "bund"})
    code, out, err = cli("check", ok)  # (findings: the parameter cells are Thuringia's, the profile is bund)
    assert "Parameter" in out and "mitgeliefertes" not in out + err and not err, err
    code, _, err = cli("compute", bad, "--profile", own_profile(tmp_path, 3))
    assert code == 0, err


def test_a_profile_below_the_shipped_cell_size_needs_an_explicit_option(workbook, tmp_path):
    small = own_profile(tmp_path, 1)
    code, _, err = cli("plan", workbook, "--profile", small, "--out", tmp_path / "e.docx")
    assert code == 1 and "--allow-small-cells" in err and not (tmp_path / "e.docx").exists(), err
    assert cli("plan", workbook, "--profile", small, "--out", tmp_path / "e.docx", "--min-cell", "3")[0] == 0
    assert cli("plan", workbook, "--profile", small, "--out", tmp_path / "f.docx", "--allow-small-cells")[0] == 0
    assert cli("plan", workbook, "--profile", own_profile(tmp_path, 3), "--out", tmp_path / "g.docx")[0] == 0


# ------------------------------------------------------------------------ 3. numbers the writers cannot hold

@pytest.mark.parametrize("value", [1e308, "1e308", 10_000_001, 1e15, "20000000"])
def test_an_implausible_count_is_a_finding_and_never_stops_the_batch(value, workbook, inbox, tmp_path):
    """10,000,000 is the limit (more than Germany's whole public service, about 5 million)."""
    bad = set_cells(workbook, tmp_path / "gross.xlsx", "Bestand", {"C6": value})
    code, out, err = cli("check", bad)
    assert code == 1 and "Bestand, Zelle C6" in out, out
    assert_clean(err)
    code, _, err = cli("plan", bad, "--out", tmp_path / "e.docx")  # an error in the data: no draft by default
    assert code == 1 and "Zelle C6" in err, err
    assert cli("plan", bad, "--out", tmp_path / "e.docx", "--trotz-fehlern")[0] == 0
    assert cli("compute", bad, "--write")[0] == 0
    shutil.copy(bad, inbox / "zz_gross.xlsx")
    code, out, err = cli("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--json", tmp_path / "s.json",
                         "--history", tmp_path, "--allow-partial")
    assert code == 0, err
    assert_clean(err)
    summary = (tmp_path / "s.json").read_text(encoding="utf-8")
    assert "1e+308" not in summary and "Infinity" not in summary and "10000001" not in summary
    assert "4 verarbeitet" in out  # the three good agencies and this one, its bad cell reported


def test_the_limit_itself_is_a_count(workbook, tmp_path):
    ok = set_cells(workbook, tmp_path / "grenze.xlsx", "Bestand", {"C6": 10_000_000})
    code, out, _ = cli("check", ok)
    # taken: the Statusgruppen add up to 10,000,000 + 70 (Tarifbeschäftigte, C7) women
    assert "größer als" not in out and "ergeben zusammen 10000070 Frauen" in out, out


# ------------------------------------------------------------------------ 4. names and characters from outside

def test_a_file_name_that_is_not_utf8_is_read_and_shown(workbook, inbox, tmp_path):
    """"amt_\\xfc.xlsx" as Windows' zip writes "amt_ü.xlsx" (cp437/cp1252 byte, invalid UTF-8)."""
    if sys.platform == "win32" or os.fsencode("ü") != "ü".encode("utf-8"):
        pytest.skip("needs a POSIX file system with UTF-8 names")  # Windows names are UTF-16: no such file
    name = os.fsdecode(b"amt_\xfc.xlsx")
    first = sorted(inbox.rglob("*.xlsx"))[0]
    shutil.move(first, inbox / name)
    proc = run("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--json", tmp_path / "s.json", cwd=tmp_path,
               log=tmp_path / "log")
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, err
    assert_clean(err)
    assert "amt_\ufffd.xlsx" in (tmp_path / "s.json").read_text(encoding="utf-8")
    for command in (("check", inbox / name), ("plan", inbox / name, "--out", tmp_path / "e.docx"),
                    ("compute", inbox / name, "--write")):
        proc = run(*command, cwd=tmp_path, log=tmp_path / "log")
        assert proc.returncode == 0, proc.stderr
        assert_clean(proc.stderr.decode("utf-8", "replace"))


CONTROL = ["\x0b", "\x1b[31m", "\x00", "\x0c", "\x1f", "\x08"]


def test_control_characters_in_a_bereich_reach_no_output(demo, tmp_path):
    """Vertical tab, ESC, NUL (also after the first 8 KB of the file) and the like in a Bereich of
    the export: import-staff and plan finish; no written file holds them."""
    lines = (demo / "exporte" / "personalbestand.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    col = header.index("fachrichtung")
    rows = [line.split(";") for line in lines[1:]]
    assert len("\n".join(lines[:100]).encode()) > 8192  # rows from 100 on lie after the first 8 KB
    for i, row in enumerate(rows):  # NUL only after the first 8 KB (before, the file counts as binary)
        if i > 100 or i % 7 == 0 and CONTROL[i % len(CONTROL)] != "\x00":
            row[col] = f"{row[col]}{CONTROL[i % len(CONTROL)]}"
    export = tmp_path / "personal.csv"
    export.write_text("\n".join([lines[0]] + [";".join(r) for r in rows]) + "\n", encoding="utf-8")
    code, out, err = cli("import-staff", export, "--into", demo / "erhebungsbogen_leer.xlsx",
                         "--out", tmp_path / "gefuellt.xlsx")
    assert code == 0, err
    code, _, err = cli("plan", "--staff", export, "--out", tmp_path / "e.docx")
    assert code == 0, err
    code, _, err = cli("plan", tmp_path / "gefuellt.xlsx", "--out", tmp_path / "f.docx")
    assert code == 0, err
    code, out, err = cli("compute", "--staff", export, "--format", "json")
    assert code == 0 and "\\u001b" not in out and "\\u000b" not in out, err
    for path in (tmp_path / "gefuellt.xlsx", tmp_path / "e.docx", tmp_path / "f.docx"):
        with zipfile.ZipFile(path) as zf:
            for part in (n for n in zf.namelist() if n.endswith((".xml", ".rels"))):  # images are binary
                data = zf.read(part)
                assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|&#(x0*(1b|b|c|1f)|0*(27|11|12|31));", data), part


@pytest.mark.parametrize("day", ["31.12.9999", "9999-12-31", "01.01.1900", "01.01.0001"])
def test_a_placeholder_stichtag_is_refused_with_a_german_message(day, workbook, demo, tmp_path):
    export = demo / "exporte" / "personalbestand.csv"
    for command in (("compute", "--staff", export, "--stichtag", day),
                    ("plan", "--staff", export, "--stichtag", day, "--out", tmp_path / "e.docx"),
                    ("template", "--out", tmp_path / "t.xlsx", "--stichtag", day)):
        with pytest.raises(SystemExit) as exit_:  # a usage error: argparse exits with 2
            cli(*command)
        assert exit_.value.code == 2
    # in a workbook: a finding at the cell; a draft only on request (with the finding marked)
    when = date(1900, 1, 1) if day.endswith("1900") else datetime(9999, 12, 31)
    bad = set_cells(workbook, tmp_path / "s.xlsx", "Metadaten", {"C10": when})
    code, out, err = cli("check", bad)
    assert code == 1 and "Metadaten, Zelle C10" in out and "Stichtag" in out, out
    code, _, err = cli("plan", bad, "--out", tmp_path / "e.docx")
    assert code == 1 and "Zelle C10" in err, err
    assert cli("plan", bad, "--out", tmp_path / "e.docx", "--trotz-fehlern")[0] == 0
    listing = tmp_path / "liste.csv"
    listing.write_text(f"name;stichtag\nAmt A;{day}\nAmt B;30.06.2025\n", encoding="utf-8")
    code, out, err = cli("template", "--list", listing, "--out", tmp_path / "vorlagen")
    assert code == 0 and "Zeile 2 (Amt A)" in out and (tmp_path / "vorlagen" / "Amt_B.xlsx").exists(), out
    assert_clean(err)


def test_the_stichtag_check_itself(capsys):
    from xl_gleichplan.cli import main

    with pytest.raises(SystemExit):
        main(["compute", "--staff", "x.csv", "--stichtag", "31.12.9999"])
    assert "31.12.9999 liegt nicht zwischen 1990 und 2100" in capsys.readouterr().err


# ------------------------------------------------------------------------ 5. concurrent writers of the history

def test_two_runs_writing_one_history_keep_both(inbox, tmp_path):
    """Both runs read the (empty) history before either writes: the second write merges into what
    the first wrote, under the lock, instead of replacing it with its own view."""
    from xl_gleichplan.consolidation import consolidate

    files = sorted(inbox.rglob("*.xlsx"))
    history = tmp_path / "verlauf.csv"
    one = consolidate([files[0]], today=date(2026, 4, 1), history=history, progress=False)
    two = consolidate(files[1:], today=date(2026, 4, 1), history=history, progress=False)
    one.write_history()
    two.write_history()
    from xl_gleichplan.consolidation.history import read_history

    agencies = set(read_history(history)["agency"])
    assert agencies == {r.name for r in one.results + two.results}, agencies
    assert len(agencies) == 3


def test_concurrent_processes_lose_no_agency(inbox, tmp_path):
    """Three consolidate runs at once, each with its own inbox, into one history."""
    files = sorted(inbox.rglob("*.xlsx"))
    procs = []
    for i, f in enumerate(files):
        box = tmp_path / f"box{i}"
        box.mkdir()
        shutil.copy(f, box / f.name)
        procs.append(subprocess.Popen(cli_cmd("consolidate", str(box), "--out", str(tmp_path / f"s{i}.xlsx"),
                                              "--history", str(tmp_path / "verlauf.csv"), "--jobs", "1"),
                                      env=cli_env(tmp_path / "log"), stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
    from xl_gleichplan.consolidation.history import read_history

    assert read_history(tmp_path / "verlauf.csv")["agency"].nunique() == 3
    assert not list(tmp_path.glob("*.lock"))


def test_the_history_lock(tmp_path):
    from xl_gleichplan.errors import OutputError
    from xl_gleichplan.io import atomic

    target = tmp_path / "verlauf.csv"
    lock = Path(f"{target}.lock")
    lock.write_text(f"{atomic._host()} 999999999\n")  # a process gone on this machine: broken at once
    with atomic.locked(target, wait=0):
        assert lock.exists()
    assert not lock.exists()
    lock.write_text(f"{atomic._host()} {os.getppid()}\n")  # a live holder: wait, then a German error
    with pytest.raises(OutputError, match="wird gerade von einem anderen Lauf geschrieben"):
        with atomic.locked(target, wait=0.2):
            pass
    old = datetime(2020, 1, 1).timestamp()
    lock.write_text("anderer-rechner 1\n")  # a leftover older than LOCK_STALE_AFTER, also of another machine
    os.utime(lock, (old, old))
    with atomic.locked(target, wait=0):
        pass


# ------------------------------------------------------------------------ 6. what --in-place would drop

DATA_BAR = (b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD8539E65}" '
            b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
            b'<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
            b'<x14:cfRule type="dataBar" id="{00000000-0000-0000-0000-000000000001}"><x14:dataBar minLength="0" '
            b'maxLength="100"><x14:cfvo type="autoMin"/><x14:cfvo type="autoMax"/></x14:dataBar></x14:cfRule>'
            b'<xm:sqref>C5:C20</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>')


def with_data_bars(src: Path, dest: Path) -> Path:
    """An Excel 2010 data bar (x14 conditional formatting in the sheet's extLst), as Excel writes it."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":
                data = data.replace(b"</worksheet>", DATA_BAR + b"</worksheet>")
            zout.writestr(info, data)
    return dest


def test_in_place_never_drops_excel_2010_extensions(workbook, demo, tmp_path):
    bars = with_data_bars(workbook, tmp_path / "balken.xlsx")
    before = hashes([bars])
    code, out, err = cli("compute", bars, "--in-place")
    assert code == 0 and "Datenbalken" in out and "balken_ergebnis.xlsx" in out, out
    assert_clean(err)
    assert hashes([bars]) == before and not (tmp_path / "balken.bak.xlsx").exists()
    code, out, err = cli("import-staff", demo / "exporte" / "personalbestand.csv", "--into", bars, "--in-place")
    assert code == 1 and "Datenbalken" in err and "bleibt unverändert" in err, err
    assert hashes([bars]) == before
    code, out, err = cli("import-staff", demo / "exporte" / "personalbestand.csv", "--into", bars,
                         "--out", tmp_path / "neu.xlsx")
    assert code == 0 and "Datenbalken" in out, out  # a new file: done, and told what it lacks
    assert_clean(err)
    assert hashes([bars]) == before


# ------------------------------------------------------------------------ 7. after a failed write

@pytest.mark.parametrize("where", ["out", "json", "history"])
def test_a_failed_write_ends_in_one_german_message(where, inbox, tmp_path):
    """The output's folder cannot be made (a file is in the way): one German message, exit 1, no
    "Exception ignored ... Traceback" from the writers left half-done, also at interpreter exit."""
    blocker = tmp_path / "datei"
    blocker.write_text("x")
    paths = {"out": tmp_path / "s.xlsx", "json": tmp_path / "s.json", "history": tmp_path / "v.csv"}
    paths[where] = blocker / paths[where].name
    proc = run("consolidate", inbox, "--out", paths["out"], "--json", paths["json"], "--history", paths["history"],
               cwd=tmp_path, log=tmp_path / "log")
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 1, err
    assert err.count("Fehler: ") == 1 and ("kann nicht geschrieben werden" in err or "kann nicht angelegt" in err), err
    assert_clean(err)


# ------------------------------------------------------------------------ 8. the inbox as clerks leave it

def test_backups_in_the_inbox_are_skipped(inbox, demo, tmp_path):
    first = sorted(inbox.rglob("*.xlsx"))[0]
    code, out, err = cli("import-staff", demo / "exporte" / "personalbestand.csv", "--into", first, "--in-place")
    assert code == 0 and ".bak.xlsx" in out, err
    code, out, err = cli("compute", first, "--in-place")  # a second backup: NAME.bak2.xlsx
    assert code == 0 and ".bak2.xlsx" in out, err
    code, out, err = cli("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--json", tmp_path / "s.json")
    assert code == 0, err
    assert "3 verarbeitet, 2 übersprungen, 0 fehlgeschlagen" in out, out
    assert "Sicherungskopie" in err


def test_of_two_versions_the_newer_counts_and_both_are_named(workbook, tmp_path):
    """The corrected file is named so it sorts first and has the OLDER file date (copied back from a
    stick), but the workbook itself records the later save: it counts. Hand-made numbers: the demo
    agency has 300 heads; the correction adds 7 women in Beschäftigte insgesamt (C5 156 -> 163)."""
    inbox = tmp_path / "eingang"
    inbox.mkdir()
    old = Path(shutil.copy(workbook, inbox / "b_alt.xlsx"))
    new = set_cells(workbook, inbox / "a_korrigiert.xlsx", "Bestand", {"C5": 163})
    assert (staff_count(old), staff_count(new)) == (300, 307)
    set_saved(old, "2025-08-01T09:00:00Z")
    set_saved(new, "2025-09-15T14:30:00Z")
    os.utime(new, (datetime(2025, 1, 1).timestamp(),) * 2)  # file date older than the other's
    code, out, err = cli("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--json", tmp_path / "s.json")
    assert code == 0, err
    import json

    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert [a["staff"] for a in data["agencies"]] == [307]
    assert "b_alt.xlsx" in err and "a_korrigiert.xlsx" in err and "15.09.2025" in err, err
    # the same save time inside (a copy): the file date decides
    set_saved(new, "2025-08-01T09:00:00Z")
    os.utime(new, (datetime(2025, 1, 1).timestamp(),) * 2)
    os.utime(old, (datetime(2025, 3, 1).timestamp(),) * 2)
    code, out, err = cli("consolidate", inbox, "--out", tmp_path / "s.xlsx", "--json", tmp_path / "s.json")
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert code == 0 and [a["staff"] for a in data["agencies"]] == [300], err
