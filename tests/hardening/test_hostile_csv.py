"""Hostile and broken CSV exports (issue 7, part 1): every case ends in a German error naming the
file, or in a finding, never in a traceback or a hang. The named cases are listed in CASES; the
property tests throw random cell contents and random byte mutations at the staff import."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostile_helpers import (STAFF_HEADER, assert_case, assert_error_or_finding, assert_german_error, attempt,
                             attempt_file, cfb_bytes, csv_bytes, flip_bits, run_import, run_staff, staff_rows,
                             summary)
from xl_gleichplan.cli import main

ROWS = staff_rows(12)
GOOD = csv_bytes(ROWS)
SETTINGS = dict(deadline=2000, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _mixed() -> bytes:
    cp1252 = csv_bytes([["P9", "Müller", "weiblich", "Beamte", "höherer", "A 13", "Vollzeit", "keine", "01.01.1970"]],
                       encoding="cp1252")
    return csv_bytes(ROWS[:5]) + cp1252 + csv_bytes(ROWS[5:])


# name -> (file bytes, file name, "error" or "finding", words the message must contain)
CASES = {
    "empty file": (b"", "p.csv", "error", ["leer"]),
    "only a BOM": (b"\xef\xbb\xbf", "p.csv", "error", ["Kopfzeile"]),
    "blank lines only": (b"\r\n \r\n\r\n", "p.csv", "error", ["Kopfzeile"]),
    "binary garbage with NUL": (bytes(range(256)) * 40, "p.csv", "error", ["Binärdatei"]),
    "NUL bytes after the first line": (GOOD[:200] + b"\x00" * 50 + GOOD[200:], "p.csv", "error", ["Binärdatei"]),
    # Excel's "Unicode-Text" is UTF-16 with a byte order mark: read like any export (issue 11)
    "UTF-16 export": ("\r\n".join(";".join(r) for r in ROWS).encode("utf-16"), "p.csv", "same", []),
    "an xlsx renamed to .csv": (b"PK\x03\x04" + b"\x00" * 200, "p.csv", "error", ["Excel-Arbeitsmappe"]),
    "an encrypted workbook named .csv": (cfb_bytes(), "p.csv", "error", ["kennwortgeschützt"]),
    "mixed UTF-8 and Windows-1252 lines": (_mixed(), "p.csv", "finding", ["Zeichenkodierungen", "Zeile 6"]),
    "mixed encodings with a byte undefined in Windows-1252": (_mixed() + "ä;w\r\n".encode() + b"\x81;m\r\n", "p.csv",
                                                              "finding", ["Zeichenkodierungen"]),
    "Windows-1252 with undefined bytes only": (b"geschlecht;x\r\nw;\x81\x8d\r\n", "p.csv", "error", ["Windows-1252"]),
    "header field longer than the csv field limit": (b"a" * 200_000 + b";geschlecht\r\nx;w\r\n", "p.csv", "error",
                                                     ["Kopfzeile"]),
    "quoted cell longer than the csv field limit": (csv_bytes(ROWS[:3]) + b'"' + b"x" * 300_000 + b'";w\r\n', "p.csv",
                                                    "error", ["Zeile 4"]),
    "unquoted 300,000-character cell in geschlecht": (csv_bytes(ROWS[:3]) + b"1;x;" + b"w" * 300_000 + b"\r\n",
                                                      "p.csv", "finding", ["Zelle C4"]),
    "5,000-digit number where a sex belongs": (csv_bytes(ROWS[:3]) + b"1;x;" + b"7" * 5000 + b"\r\n", "p.csv",
                                               "finding", ["Zelle C4"]),
    "unbalanced quote": (csv_bytes(ROWS[:3]) + b'1;"x;w\r\n' + csv_bytes(ROWS[3:]), "p.csv", "error", ["CSV"]),
    "shifted columns (unquoted separator)": (csv_bytes(ROWS[:3]) + b"1;Meier;Anna;w;Beamte\r\n" + b"2;x;m;a;b;c;d;e;f;g;h\r\n",
                                             "p.csv", "error", ["mehr Felder"]),
    "20,001 columns": ((";".join(["geschlecht"] + [f"c{i}" for i in range(20_000)]) + "\r\nw\r\n").encode(), "p.csv",
                       "error", ["Spalten", "16.384"]),
    "only separators": (b";;;;\r\n;;;\r\n", "p.csv", "error", ["Kopfzeile"]),
    "only a header": (csv_bytes(ROWS[:1]), "p.csv", "finding", ["keine Datenzeilen"]),
    "formulas where values belong": (csv_bytes(ROWS[:2]) + b'1;x;=1+1;=HYPERLINK("http://x");+cmd|calc!A0;@SUM(1);;;\r\n',
                                     "p.csv", "finding", ["Geschlecht"]),
    "dates as serial numbers, text and junk": (b"geschlecht;geburtsdatum\r\nw;25569\r\nm;25569.5\r\nw;1e5\r\nm;1e9999\r\n"
                                               b"w;31.02.1970\r\nm;-5\r\nw;1960-01-01\r\n", "p.csv", "finding",
                                               ["Zelle B3", "Zelle B4"]),
    "wrong types in every dimension": (b"geschlecht;statusgruppe;laufbahngruppe;arbeitszeit;beurlaubung\r\n"
                                       b"w;1e5;3.5;TRUE;2020-01-01\r\nm;nan;None;-1;#DIV/0!\r\n", "p.csv", "finding",
                                       ["kein Standardwert"]),
    "a Bereich longer than an Excel cell": (b"geschlecht;fachrichtung\r\nw;" + b"x" * 40_000 + b"\r\n", "p.csv", "error",
                                            ["Zelle B2", "32.767"]),
    "old Mac line ends (CR only)": (GOOD.replace(b"\r\n", b"\r"), "p.csv", "same", []),
    # two columns for one code that contradict each other: which one holds is not guessed (issue 11)
    "duplicated header names": (b"geschlecht;geschlecht;statusgruppe\r\nw;m;Beamte\r\nm;w;Tarif\r\n", "p.csv", "error",
                                ["zwei Spalten", "Spalte A", "Spalte B", "Zeile 2"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_csv_case(name, tmp_path):
    data, filename, expected, words = CASES[name]
    path = tmp_path / filename
    path.write_bytes(data)
    outcome = attempt(run_staff, path)
    assert_case(outcome, path, expected, words)
    if expected == "same":  # read correctly: the hostile form changes nothing
        assert outcome.result.heads > 0


def test_mixed_encodings_are_read_line_by_line(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(_mixed())
    dataset = run_staff(path)
    # the Windows-1252 line is not mojibake: "höherer" and "weiblich" were understood
    assert dataset.heads == 13
    assert not [f for f in dataset.findings if f.severity == "error"], dataset.findings
    assert not any("Ã" in f.message for f in dataset.findings)


def test_vzae_profile_with_huge_exponents_does_not_hang(tmp_path):
    """Fraction('1e999999999') would compute 10**999999999: the share is refused as a number."""
    profile = tmp_path / "vzae.toml"
    source = (Path(__file__).resolve().parents[2] / "xl_gleichplan" / "profiles" / "thueringen.toml").read_text("utf-8")
    profile.write_text(source.replace('count_basis = "koepfe"', 'count_basis = "vzae"'), "utf-8")
    path = tmp_path / "p.csv"
    path.write_bytes(b"geschlecht;beschaeftigungsumfang\r\nw;1e999999999\r\nm;0,5\r\nw;" + b"9" * 5000 + b"\r\nm;1/0\r\n")
    outcome = attempt(run_staff, path, str(profile), limit=10)
    assert outcome.error is None, outcome.message
    bad = [f for f in outcome.result.findings if "Beschäftigungsumfang" in f.message]
    assert [f.cell for f in bad] == ["B2", "B4", "B5"]


@pytest.mark.parametrize("kind", ["committees", "targets", "movements"])
def test_other_exports_with_garbage_in_every_cell(kind, tmp_path):
    header = {"committees": ["gremium", "w", "m", "d", "x"],
              "targets": ["id", "dimension", "bereich", "geschlecht", "ziel", "erreicht", "fuehrung", "frist"],
              "movements": ["vorgang", "datum", "geschlecht", "statusgruppe"]}[kind]
    junk = ["1e999", "-1", "9" * 5000, "=1/0", "31.02.2024", "NaN", "ja nein", "\u00a0", "٣", "1/0"]
    rows = [header] + [[junk[(i + j) % len(junk)] for j in range(len(header))] for i in range(len(junk))]
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(csv_bytes(rows))
    outcome = attempt(run_import, **{kind: path})
    assert_error_or_finding(outcome, path, severities=("error",))


# ----------------------------------------------------------------------------- budgets

def test_row_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_ROWS", "5")
    path = tmp_path / "p.csv"
    path.write_bytes(GOOD)
    assert_german_error(attempt(run_staff, path), path, "Zeilen", "XL_GLEICHPLAN_MAX_ROWS")


def test_file_size_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_TEXT_FILE_BYTES", "1000")
    path = tmp_path / "p.csv"
    path.write_bytes(GOOD)
    assert_german_error(attempt(run_staff, path), path, "groß", "XL_GLEICHPLAN_MAX_TEXT_FILE_BYTES")


def test_time_budget(tmp_path, monkeypatch):
    """With a budget of (almost) zero seconds the reader stops at its first check, in German."""
    monkeypatch.setenv("XL_GLEICHPLAN_TIME_BUDGET_SECONDS", "0.0001")
    path = tmp_path / "p.csv"
    path.write_bytes(GOOD)
    assert_german_error(attempt(run_staff, path), path, "Sekunden", "XL_GLEICHPLAN_TIME_BUDGET_SECONDS")


def test_default_budget_reads_a_normal_export(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(csv_bytes(staff_rows(2000)))
    dataset = run_staff(path)
    assert dataset.heads == 2000 and not [f for f in dataset.findings if f.topic != "columns"]


# ----------------------------------------------------------------------------- the command line

@pytest.mark.parametrize("name", ["binary garbage with NUL", "a Bereich longer than an Excel cell", "unbalanced quote"])
def test_cli_answers_in_german(name, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XL_GLEICHPLAN_LOG_DIR", str(tmp_path / "log"))
    path = tmp_path / "p.csv"
    path.write_bytes(CASES[name][0])
    code = main(["compute", "--staff", str(path), "--stichtag", "2025-06-30", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1 and err.startswith("Fehler: ") and path.name in err
    assert "Traceback" not in out + err and "Unerwarteter Fehler" not in err
    assert not (tmp_path / "log").exists()


# ----------------------------------------------------------------------------- properties

CELL = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200),
    st.sampled_from(["w", "m", "d", "x", "", "weiblich", "Beamte", "A 13", "E 9b", "01.01.1970", "25569", "=1+1",
                     "1e999999999", "9" * 4400, '"', '";"', "\r", "\n", "\x00", "\ufeff", "NaN", "-0", "٣"]),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@settings(max_examples=50, **SETTINGS)
@given(rows=st.lists(st.lists(CELL, min_size=len(STAFF_HEADER), max_size=len(STAFF_HEADER) + 2), min_size=1,
                     max_size=8),
       sep=st.sampled_from([";", ",", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_random_cells_end_in_a_dataset_or_a_german_error(rows, sep, encoding):
    data = sep.join(STAFF_HEADER).encode(encoding, errors="replace") + b"\r\n" + \
        "".join(sep.join(r) + "\r\n" for r in rows).encode(encoding, errors="replace")
    outcome = attempt_file("personal.csv", lambda p: p.write_bytes(data), run_staff, limit=10)
    if outcome.error is None:
        dataset = outcome.result
        assert 0 <= dataset.heads <= len(rows)
        # every row that was not counted is explained by a finding
        if dataset.heads < sum(1 for r in rows if any(v.strip() for v in r)):
            assert dataset.findings


@settings(max_examples=50, **SETTINGS)
@given(flips=st.lists(st.integers(0, len(GOOD) * 8 - 1), min_size=1, max_size=12),
       cut=st.one_of(st.none(), st.integers(0, len(GOOD))))
def test_mutated_export_ends_in_a_dataset_or_a_german_error(flips, cut):
    data = flip_bits(GOOD, flips)
    data = data if cut is None else data[:cut]
    outcome = attempt_file("personal.csv", lambda p: p.write_bytes(data), run_staff, limit=10)
    if outcome.error is None:
        assert 0 <= outcome.result.heads <= len(ROWS)


def test_unmutated_export_reads_cleanly(tmp_path):
    """The baseline the mutations start from: no findings, every person counted."""
    path = tmp_path / "personal.csv"
    path.write_bytes(GOOD)
    first = summary(run_staff(path))
    assert first[0] == len(ROWS) - 1 and first[2] == []
