"""Personal columns (name, personalnummer, geburtsdatum) never leave the import (SPEC § 7).

The example files carry unique canary values; after the import and the analysis, neither the JSON of
``Analysis.to_dict()`` nor any finding message may contain one of them, also when the birth date is
malformed, the columns are renamed by a mapping file, or the export is an xlsx workbook.
"""
from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from io_helpers import write_csv, write_xlsx
from xl_gleichplan.analysis import analyse
from xl_gleichplan.io.tabular import read_table
from xl_gleichplan.profiles import load_profile

AMT10 = Path(__file__).resolve().parents[1] / "fixtures" / "amt10"
CANARIES = ["Kanarienvogel", "CANARY", "Anna", "Bert", "1970", "1958-08-08", "08.08.1958", "1960-06-06"]


def everything(ds) -> str:
    """All that goes out: the JSON of the analysis and every finding message."""
    text = json.dumps(analyse(ds, load_profile("thueringen")).to_dict(), ensure_ascii=False)
    return text + "\n".join(f.message for f in ds.findings)


def assert_clean(text: str, canaries=CANARIES):
    for canary in canaries:
        assert canary not in text, canary


def test_example_agency(run_import):
    ds = run_import(staff=AMT10 / "personal.csv", movements=AMT10 / "bewegungen.csv",
                    committees=AMT10 / "gremien.csv", targets=AMT10 / "ziele.csv")
    assert ds.heads == 10
    assert_clean(everything(ds))


def test_malformed_birth_dates_are_not_repeated(run_import, tmp_path):
    path = write_csv(tmp_path / "personal.csv", [
        ["name", "personalnummer", "geburtsdatum", "geschlecht"],
        ["Zacharias Kanarienvogel", "PN-CANARY-1", "31.02.1961-CANARY", "m"],
        ["Yvonne Kanarienvogel", "PN-CANARY-2", "CANARY 1962", "w"],
        ["Xenia Kanarienvogel", "PN-CANARY-3", "1963/13/45", "w"],
    ])
    ds = run_import(staff=path)
    messages = [f for f in ds.findings if f.cell and f.cell.startswith("C")]
    assert [f.row for f in messages] == [2, 3, 4]  # each bad birth date is reported by its cell ...
    assert_clean(everything(ds), CANARIES + ["1961", "1962", "1963/13/45"])  # ... never by its value


def test_personal_columns_in_every_export(run_import, tmp_path):
    movements = write_csv(tmp_path / "bew.csv", [
        ["vorgang", "datum", "geschlecht", "name", "personalnummer", "geburtsdatum"],
        ["einstellung", "01.01.2024", "w", "Wilma Kanarienvogel", "CANARY-9", "07.07.1977"],
        ["einstellung", "kein Datum", "m", "Walter Kanarienvogel", "CANARY-8", "1977-07-07"],
        ["einstellung", "01.01.2024", "q", "Wanda Kanarienvogel", "CANARY-7", "1977-07-07"],
    ])
    committees = write_csv(tmp_path / "gr.csv", [["gremium", "w", "m", "name"], ["PR", 3, "x", "Vera Kanarienvogel"]])
    ds = run_import(movements=movements, committees=committees)
    assert len(ds.findings) >= 3  # bad date, bad sex, bad count
    assert_clean(everything(ds), CANARIES + ["07.07.1977", "1977-07-07"])


def test_columns_renamed_to_personal_ones_are_dropped(run_import, tmp_path):
    path = write_csv(tmp_path / "personal.csv", [["Mitarbeiter/in", "PersNr", "Geb.-Datum", "Geschl."],
                                                  ["Ulrike Kanarienvogel", "CANARY-77", "01.01.1970", "w"]])
    mapping = tmp_path / "map.toml"
    mapping.write_text('[spalten]\n"Mitarbeiter/in" = "name"\n"PersNr" = "personalnummer"\n'
                       '"Geb.-Datum" = "geburtsdatum"\n"Geschl." = "geschlecht"\n', encoding="utf-8")
    ds = run_import(staff=path, mapping=mapping)
    assert ds.heads == 1
    assert_clean(everything(ds))


def test_xlsx_export(run_import, tmp_path):
    path = write_xlsx(tmp_path / "personal.xlsx", [
        ["personalnummer", "name", "geburtsdatum", "geschlecht", "laufbahngruppe"],
        ["CANARY-1", "Anna Kanarienvogel", datetime(1970, 1, 1), "w", "hoeherer"],
        ["CANARY-2", "Bert Kanarienvogel", "CANARY-kein-Datum", "m", "hoeherer"],
    ])
    ds = run_import(staff=path)
    assert_clean(everything(ds))


def test_the_reader_drops_personal_columns_at_the_door():
    table = read_table(AMT10 / "personal.csv", keep=frozenset({"geburtsdatum"}),
                       drop=frozenset({"name", "personalnummer", "geburtsdatum"}))
    assert "name" not in table.columns and "personalnummer" not in table.columns
    assert "geburtsdatum" in table.columns  # kept only where a rule needs it (retirement forecast)
    assert_clean(repr({k: list(v) for k, v in table.columns.items()}), ["Kanarienvogel", "CANARY"])


def test_forecast_uses_birth_dates_but_shows_only_counts(run_import):
    ds = run_import(staff=AMT10 / "personal.csv")
    out = analyse(ds, load_profile("thueringen")).to_dict()
    assert all(set(row) == {"dimension", "area", "women", "men", "diverse", "unknown"} for row in out["forecast"])
    assert date(1960, 6, 6).isoformat() not in json.dumps(out)
