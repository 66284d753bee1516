"""An office's own law profile (``--profile DATEI.toml``, as the reader's message advises) in a
consolidation: the workbooks name its id, which only the run's profile knows. Before the fix the
agency table looked the id up among the shipped profiles and the run stopped with "Das
Rechtsprofil „mein-amt“ ist unbekannt"."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from xl_gleichplan.consolidation import consolidate
from xl_gleichplan.consolidation.core import shown
from xl_gleichplan.io.template import write_template
from xl_gleichplan.io.workbook_writer import fill_inputs, load, save
from xl_gleichplan.model import Agency, Counts, Dataset
from xl_gleichplan.profiles import load_profile



def test_a_consolidation_under_an_own_profile(tmp_path):
    import xl_gleichplan.profiles as profiles

    source = Path(profiles.__file__).with_name("thueringen.toml").read_text(encoding="utf-8")
    own = tmp_path / "mein_amt.toml"
    own.write_text(source.replace('id = "thueringen"', 'id = "mein-amt"', 1), encoding="utf-8")
    profile = load_profile(str(own))
    folder = tmp_path / "eingang"
    folder.mkdir()
    ds = Dataset(Agency("Eigenes Amt", "landesverwaltung"), date(2025, 6, 30), heads=60,
                 stock={("gesamt", "gesamt"): Counts(30, 30)})
    wb = load(write_template(folder / "amt.xlsx", profile, ds.agency, ds.stichtag))
    fill_inputs(wb, ds, {"stock"})
    save(wb, folder / "amt.xlsx")
    c = consolidate([folder], profile=str(own), today=date(2025, 12, 1), jobs=1)
    assert list(c.agencies["profile"]) == ["mein-amt"] and list(c.agencies["staff"]) == [60]


def test_a_file_name_with_an_unpaired_surrogate_is_shown():
    """Windows allows an unpaired UTF-16 half in a file name; it could stop the whole run."""
    assert shown("a\ud800b.xlsx") == "a\ufffdb.xlsx" and shown("amt.xlsx") == "amt.xlsx"
