"""The command line (issue 2, item 5): `xl-gleichplan compute ... --format json`, exit codes, demo.

The end-to-end example is the agency in tests/fixtures/amt10, counted by hand (the per-person table
is in tests/io/test_io_hr_import.py). Stichtag 30.06.2025, Thuringia.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from xl_gleichplan.cli import main

AMT10 = Path(__file__).resolve().parent / "fixtures" / "amt10"
FILES = ["--staff", str(AMT10 / "personal.csv"), "--movements", str(AMT10 / "bewegungen.csv"),
         "--committees", str(AMT10 / "gremien.csv"), "--targets", str(AMT10 / "ziele.csv")]
COMMON = ["--stichtag", "2025-06-30", "--agency-name", "Testamt"]

ROW_KEYS = {"dimension", "area", "women", "men", "diverse", "unknown", "share_women", "share_men", "underrepresented"}
NUMBER = (int, float)


@pytest.fixture(autouse=True)
def _log_dir(monkeypatch, tmp_path):
    """Unexpected errors would be logged under the user's profile; keep test runs out of it."""
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))


def compute_json(capsys, *args: str) -> dict:
    code = main(["compute", *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    data = json.loads(out)  # exactly one JSON object: json.loads rejects anything after it
    assert isinstance(data, dict)
    return data


@pytest.fixture
def result(capsys) -> dict:
    return compute_json(capsys, *FILES, *COMMON)


def by_area(rows, *key_names):
    return {tuple(r[k] for k in key_names): r for r in rows}


# --- shape and types of the JSON ---------------------------------------------------------------

def test_json_has_every_key_of_the_issue(result):
    assert {"profile", "agency", "areas", "movements", "committees", "targets", "leadership_rule",
            "deadlines", "findings"} <= set(result)
    assert isinstance(result["profile"], str)
    agency = result["agency"]
    assert {"name", "type", "staff", "plan_required"} <= set(agency)
    assert isinstance(agency["name"], str) and isinstance(agency["type"], str)
    assert isinstance(agency["staff"], int) and isinstance(agency["plan_required"], bool)
    for section in ("areas", "movements", "committees"):
        assert isinstance(result[section], list) and result[section]
        for row in result[section]:
            assert ROW_KEYS <= set(row)
            assert isinstance(row["dimension"], str) and isinstance(row["area"], str)
            for k in ("women", "men", "diverse", "unknown"):
                assert isinstance(row[k], NUMBER) and not isinstance(row[k], bool)
            for k in ("share_women", "share_men"):
                assert row[k] is None or (isinstance(row[k], float) and 0 <= row[k] <= 1)
            assert row["underrepresented"] in ("women", "men", None)
    assert all(isinstance(r["kind"], str) for r in result["movements"])
    assert {r["dimension"] for r in result["committees"]} == {"gremium"}
    for t in result["targets"]:
        assert {"id", "dimension", "area", "sex", "target", "achieved", "met", "leadership"} <= set(t)
        assert isinstance(t["target"], int) and (t["achieved"] is None or isinstance(t["achieved"], int))
        assert t["met"] in (True, False, None) and isinstance(t["leadership"], bool)
    lead = result["leadership_rule"]
    assert {"targets", "count_reading", "volume_reading", "reading", "approval_required", "approver"} <= set(lead)
    assert lead["reading"] in ("anzahl", "volumen") and isinstance(lead["approver"], str)
    dl = result["deadlines"]
    assert set(dl) >= {"stichtag", "flow_window_start", "flow_window_end", "plan_due", "adjustment_stichtag",
                       "adjustment_due", "next_plan_stichtag"}
    for f in result["findings"]:
        # "topic" only on the findings that account for an export's columns (issue 11)
        assert set(f) - {"topic"} == {"severity", "file", "sheet", "cell", "row", "message"}
        assert f.get("topic", "columns") == "columns"
        assert f["severity"] in ("error", "warning", "info") and isinstance(f["message"], str)
        assert f["row"] is None or isinstance(f["row"], int)


def test_gesamt_row_comes_first(result):
    assert (result["areas"][0]["dimension"], result["areas"][0]["area"]) == ("gesamt", "gesamt")


# --- the hand-checked example ------------------------------------------------------------------

def test_agency_and_plan_duty(result):
    # 10 persons (4 w, 4 m, 1 d, 1 x) < 50: no duty to make a plan
    assert result["profile"] == "thueringen"
    assert result["agency"]["name"] == "Testamt" and result["agency"]["type"] == "landesverwaltung"
    assert result["agency"]["staff"] == 10 and result["agency"]["plan_required"] is False


@pytest.mark.parametrize("dimension, area, counts, share_w, verdict", [
    # gesamt: 4 w, 4 m, 1 d, 1 x -> 4/8 = 1/2
    ("gesamt", "gesamt", (4, 4, 1, 1), F(1, 2), None),
    # A 13: 1 w, 2 m, 1 x -> 1/3 = 33.3 % < 40 % -> women
    ("besoldungs_entgeltgruppe", "A 13", (1, 2, 0, 1), F(1, 3), "women"),
    # E 9b: 2 w, 1 m, 1 d -> men 1/3 < 40 % -> men
    ("besoldungs_entgeltgruppe", "E 9b", (2, 1, 1, 0), F(2, 3), "men"),
    ("besoldungs_entgeltgruppe", "A 9", (1, 1, 0, 0), F(1, 2), None),
    ("laufbahngruppe", "hoeherer", (1, 2, 0, 1), F(1, 3), "women"),
    ("laufbahngruppe", "gehobener", (2, 1, 1, 0), F(2, 3), "men"),
    ("laufbahngruppe", "mittlerer", (1, 1, 0, 0), F(1, 2), None),
    ("fuehrungsebene", "referatsleitung", (1, 1, 0, 0), F(1, 2), None),
    # one woman, no man: men 0 % -> men
    ("fuehrungsebene", "sachgebietsleitung", (1, 0, 0, 0), F(1), "men"),
])
def test_stock(result, dimension, area, counts, share_w, verdict):
    row = by_area(result["areas"], "dimension", "area")[(dimension, area)]
    assert (row["women"], row["men"], row["diverse"], row["unknown"]) == counts
    # shares are unrounded fractions: 1/3 is 0.333..., not 0.33
    assert row["share_women"] == float(share_w) and row["share_men"] == float(1 - share_w)
    assert row["underrepresented"] == verdict


def test_movements(result):
    mv = by_area(result["movements"], "kind", "dimension", "area")
    # applications in the window: rows 2 (w), 3 (m), 7 (w) -> 2 w, 1 m; men 1/3 < 40 %
    row = mv[("bewerbung", "gesamt", "gesamt")]
    assert (row["women"], row["men"], row["share_men"], row["underrepresented"]) == (2, 1, 1 / 3, "men")
    assert (mv[("bewerbung", "laufbahngruppe", "hoeherer")]["women"], mv[("bewerbung", "laufbahngruppe", "hoeherer")]["men"]) == (1, 1)
    # hirings: row 6 (w) only
    row = mv[("einstellung", "gesamt", "gesamt")]
    assert (row["women"], row["men"], row["underrepresented"]) == (1, 0, "men")
    assert not any(k == "fortbildung" for k, _, _ in mv)


def test_committees(result):
    gr = by_area(result["committees"], "area")
    # Personalrat 3 w, 2 m: men 2/5 = 40 % exactly -> not underrepresented
    assert gr[("Personalrat",)]["share_men"] == 0.4 and gr[("Personalrat",)]["underrepresented"] is None
    # Auswahlkommission 1 w, 4 m: 1/5 = 20 % -> women
    assert gr[("Auswahlkommission",)]["underrepresented"] == "women"
    # Beirat: only one divers member, W + M = 0 -> no shares, no verdict
    beirat = gr[("Beirat",)]
    assert (beirat["diverse"], beirat["share_women"], beirat["share_men"], beirat["underrepresented"]) == (1, None, None, None)


def test_targets_and_leadership_rule(result):
    met = {t["id"]: (t["target"], t["achieved"], t["met"], t["leadership"]) for t in result["targets"]}
    assert met == {"Z1": (3, 3, True, True), "Z2": (2, 0, False, True), "Z3": (1, 0, False, True),
                   "Z4": (2, None, None, False)}
    lead = result["leadership_rule"]
    # the spec's example: I1 = 1 of 3 = 1/3 -> approval required; I2 = 3/6 = 1/2
    assert lead["targets"] == 3
    assert lead["count_reading"] == 1 / 3 and lead["volume_reading"] == 0.5
    assert lead["reading"] == "anzahl" and lead["approval_required"] is True
    assert "nächsthöhere Dienststelle" in lead["approver"]


def test_deadlines(result):
    assert result["deadlines"] == {
        "stichtag": "2025-06-30", "flow_window_start": "2022-07-01", "flow_window_end": "2025-06-30",
        "plan_due": "2026-03-30", "adjustment_stichtag": "2028-06-30", "adjustment_due": "2029-03-30",
        "next_plan_stichtag": "2031-06-30", "plan_start": None, "plan_end": None}


def test_findings(result):
    got = sorted((f["severity"], f["file"], f["cell"], f["row"]) for f in result["findings"]
                 if f.get("topic") != "columns" and f["file"] != "ziele.csv")
    assert got == [("error", "bewegungen.csv", "B9", 9), ("error", "bewegungen.csv", "C10", 10),
                   ("warning", "bewegungen.csv", "B4", 4), ("warning", "bewegungen.csv", "B5", 5)]
    # issue 14, by hand: Z1 is for women in Referatsleitung (1 W, 1 M: 50 %, not underrepresented),
    # Z3 for women in Sachgebietsleitung (1 W, 0 M: men are underrepresented there, not women)
    # (rows 2 and 4 of ziele.csv, their geschlecht cells)
    targets = [f for f in result["findings"] if f["file"] == "ziele.csv"]
    assert [(f["severity"], f["message"].split()[1], f["cell"]) for f in targets] == \
        [("warning", "Z1", "D2"), ("warning", "Z3", "D4")]


def test_success_rates_and_postings(result):
    rates = by_area(result["success_rates"], "dimension", "area")
    # gesamt: women 1 hiring of 2 applications = 1/2; men 0 of 1 = 0
    assert (rates[("gesamt", "gesamt")]["women"], rates[("gesamt", "gesamt")]["men"]) == (0.5, 0)
    # gehobener: 1 application of a woman, no hiring = 0; no man applied -> None (no rate of nothing)
    assert (rates[("laufbahngruppe", "gehobener")]["women"], rates[("laufbahngruppe", "gehobener")]["men"]) == (0, None)
    # one Ausschreibung (row 8), counted without sex
    assert {(p["dimension"], p["area"]): p["count"] for p in result["postings"]} == {
        ("gesamt", "gesamt"): 1, ("laufbahngruppe", "hoeherer"): 1}


def test_verdicts_only_for_bereiche_of_the_law(capsys, tmp_path):
    # 1 woman among 5 Beamte: 1/5 = 20 %; Statusgruppe and Arbeitszeit are shown, not judged (§ 3);
    # the Laufbahngruppe is a Bereich and gets the verdict
    path = tmp_path / "p.csv"
    path.write_text("geschlecht;statusgruppe;arbeitszeit;laufbahngruppe\n" + "m;Beamte;Vollzeit;hD\n" * 4
                    + "w;Beamte;Vollzeit;hD\n", encoding="utf-8")
    data = compute_json(capsys, "--staff", str(path), *COMMON)
    areas = by_area(data["areas"], "dimension", "area")
    assert areas[("statusgruppe", "beamte")]["share_women"] == 0.2
    assert areas[("statusgruppe", "beamte")]["underrepresented"] is None
    assert areas[("arbeitszeit", "vollzeit")]["underrepresented"] is None
    assert areas[("laufbahngruppe", "hoeherer")]["underrepresented"] == "women"
    assert areas[("gesamt", "gesamt")]["underrepresented"] == "women"


def test_mapping_option(capsys, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("Geschl.,LG\n1,HD\n2,HD\n2,GD\n", encoding="utf-8")
    mapping = tmp_path / "m.toml"
    mapping.write_text('[spalten]\n"Geschl." = "geschlecht"\n"LG" = "laufbahngruppe"\n'
                       '[werte.geschlecht]\n"1" = "m"\n"2" = "w"\n', encoding="utf-8")
    data = compute_json(capsys, "--staff", str(path), "--mapping", str(mapping), *COMMON)
    gesamt = data["areas"][0]
    assert (gesamt["women"], gesamt["men"]) == (2, 1)
    assert by_area(data["areas"], "dimension", "area")[("laufbahngruppe", "hoeherer")]["women"] == 1


def test_no_personal_data_in_any_output_format(capsys):
    for fmt in ("json", "table"):
        assert main(["compute", *FILES, *COMMON, "--format", fmt]) == 0
        out, err = capsys.readouterr()
        assert "Kanarienvogel" not in out + err and "CANARY" not in out + err


def test_bund_profile_and_german_date(capsys):
    data = compute_json(capsys, *FILES, "--stichtag", "30.06.2025", "--profile", "bund")
    areas = by_area(data["areas"], "dimension", "area")
    # A 13: 1 w, 2 m: 1/3 < 50 % but M - W = 1 -> not under BGleiG
    assert areas[("besoldungs_entgeltgruppe", "A 13")]["underrepresented"] is None
    # E 9b: 2 w, 1 m: men are never judged under BGleiG
    assert areas[("besoldungs_entgeltgruppe", "E 9b")]["underrepresented"] is None
    # Auswahlkommission 1 w, 4 m: M - W = 3 -> women
    assert by_area(data["committees"], "area")[("Auswahlkommission",)]["underrepresented"] == "women"
    assert data["agency"]["plan_required"] is True and data["agency"]["type"] == "bundesbehoerde"
    assert data["deadlines"]["next_plan_stichtag"] == "2029-06-30"  # four-year plan
    assert data["deadlines"]["adjustment_stichtag"] == "2027-06-30"  # adjustment after two years


def test_landtag_gets_the_visible_note(capsys):
    data = compute_json(capsys, "--committees", str(AMT10 / "gremien.csv"), "--agency-type", "landtag", *COMMON)
    assert data["agency"]["type"] == "oberste_landesbehoerde"
    assert "Landtag" in data["approval"]["note"]


# --- exit codes -----------------------------------------------------------------------------

@pytest.mark.parametrize("args, words", [
    ([], "mindestens eine Datei"),
    (["--staff", "gibt-es-nicht.csv"], "nicht gefunden"),
    (["--staff", str(AMT10 / "personal.csv"), "--profile", "hessen"], "unbekannt"),
    (["--staff", str(AMT10 / "personal.csv"), "--agency-type", "weltraumbehoerde"], "nicht vorgesehen"),
    (["--staff", str(AMT10 / "gremien.csv")], "fehlt die Spalte „geschlecht“"),
])
def test_exit_code_1_with_a_german_message(capsys, args, words):
    assert main(["compute", *args, "--format", "json"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("Fehler: ") and words in err
    assert "Traceback" not in err


@pytest.mark.parametrize("args", [
    ["compute", "--format", "xml"],
    ["compute", "--stichtag", "2025-13-01", "--staff", "x.csv"],
    ["compute", "--stichtag", "gestern", "--staff", "x.csv"],
    ["compute", "--unbekannt"],
    ["rechnen"],
])
def test_exit_code_2_for_usage_errors(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Fehler:" in err and "Aufruf:" in err and "Traceback" not in err


def test_no_command_prints_the_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "Befehle" in capsys.readouterr().out


def test_help_is_german(capsys):
    with pytest.raises(SystemExit) as info:
        main(["compute", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "Aufruf:" in out and "Personalbestand" in out and "Optionen:" in out


# --- a real process ---------------------------------------------------------------------------

def run_module(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "XL_GLEICHPLAN_LOG_DIR": str(cwd / "logs")}
    return subprocess.run([sys.executable, "-m", "xl_gleichplan", *args], capture_output=True, text=True,
                          encoding="utf-8", cwd=cwd, env=env, timeout=120)


def test_python_dash_m_real_process(tmp_path):
    done = run_module("compute", *FILES, *COMMON, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["agency"]["staff"] == 10 and data["leadership_rule"]["approval_required"] is True
    failed = run_module("compute", "--staff", str(tmp_path / "fehlt.csv"), cwd=tmp_path)
    assert failed.returncode == 1 and failed.stderr.startswith("Fehler: ") and "Traceback" not in failed.stderr
    usage = run_module("compute", "--format", "xml", cwd=tmp_path)
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


# --- demo -------------------------------------------------------------------------------------

DRAFT_MISSING = importlib.util.find_spec("xl_gleichplan.report.draft") is None


@pytest.mark.xfail(DRAFT_MISSING, strict=True, reason=(
    "cli.cmd_demo imports xl_gleichplan.report.draft (write_draft), which is not in the tree: the demo "
    "ends with 'Unerwarteter Fehler (ModuleNotFoundError)' and exit code 1 before writing anything "
    "(report/ is owned by issue 4)"))
def test_demo_writes_its_files(tmp_path, capsys):
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    for name in ("exporte/personalbestand.csv", "exporte/personalbewegungen.csv", "exporte/gremien.csv",
                 "exporte/zielvorgaben.csv", "erhebungsbogen_leer.xlsx", "erhebungsbogen_ausgefuellt.xlsx",
                 "gleichstellungsplan_entwurf.docx", "ergebnis.json", "ergebnis.txt"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    data = json.loads((out / "ergebnis.json").read_text("utf-8"))
    assert data["agency"]["plan_required"] is True  # about 300 staff
    assert 250 <= data["agency"]["staff"] <= 350
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("profile, agency_type, basis", [("bund", "bundesbehoerde", "BGleiG"),
                                                         ("sachsen-anhalt", "oberste_landesbehoerde", "FrFG")])
def test_demo_for_the_other_laws(tmp_path, capsys, profile, agency_type, basis):
    """Issue 13: `demo --profile bund|sachsen-anhalt` writes the full set, and neither the draft nor
    the workbook cites ThürGleichG or carries its 50 % rule."""
    import docx
    from openpyxl import load_workbook

    out = tmp_path / profile
    code = main(["demo", "--profile", profile, "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    for name in ("exporte/personalbestand.csv", "erhebungsbogen_leer.xlsx", "erhebungsbogen_ausgefuellt.xlsx",
                 "gleichstellungsplan_entwurf.docx", "ergebnis.json", "ergebnis.txt"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    data = json.loads((out / "ergebnis.json").read_text("utf-8"))
    assert (data["profile"], data["agency"]["type"]) == (profile, agency_type)
    document = docx.Document(out / "gleichstellungsplan_entwurf.docx")
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert basis in text
    for absent in ("ThürGleichG", "50-%-Regel", "50 % der Zielvorgaben", "Ab 0 Beschäftigten"):
        assert absent not in text, absent
    wb = load_workbook(out / "erhebungsbogen_ausgefuellt.xlsx")
    cells = " ".join(str(c.value) for ws in wb.worksheets if ws.title != "Metadaten"
                     for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert "ThürGleichG" not in cells and "50-%-Regel" not in cells
    assert "ThürGleichG" not in (out / "ergebnis.txt").read_text("utf-8")


def test_bundle_python_version_is_major_minor(capsys, tmp_path):
    """The bundle's install script compares major.minor with the target PC's Python: "3.12.1" could
    never match, and the bundle would fail only on the target PC. Refused at the command line."""
    from xl_gleichplan.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["addin", "bundle", "--out", str(tmp_path / "b"), "--python-version", "3.12.1"])
    assert stop.value.code == 2 and "„3.12.1“ ist keine Python-Version der Form 3.11" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()
