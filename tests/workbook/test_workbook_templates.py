"""The checked-in standard templates, byte-reproducible builds, and the batch of prefilled templates.

When the builder changes on purpose, regenerate the templates and check them in:
    python workbook_templates/regenerate.py
"""
from __future__ import annotations

import dataclasses
import importlib.util
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from wbhelpers import TEMPLATES, name_cell, run_cli
from xl_gleichplan import cli
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.io.workbook_reader import read_workbook
from xl_gleichplan.schema import DOCUMENT_TYPE, SHEETS, TEMPLATE_VERSION

STANDARD = ("erhebungsbogen_thueringen.xlsx", "erhebungsbogen_bund.xlsx", "erhebungsbogen_sachsen-anhalt.xlsx")


def _regenerate_module():
    spec = importlib.util.spec_from_file_location("regenerate", TEMPLATES / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The standard templates as the builder makes them now (through regenerate.py itself)."""
    folder = tmp_path_factory.mktemp("frisch")
    written = _regenerate_module().main(folder)
    assert sorted(p.name for p in written) == sorted(STANDARD)
    return folder


def _parts(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info.filename, zf.read(info.filename)) for info in zf.infolist()]


@pytest.mark.parametrize("name", STANDARD)
def test_checked_in_template_matches_the_builder(fresh, name):
    """Like XlsxWriter's reference-file tests: the same part names in the same order, and every
    part byte for byte. A failure means the builder changed: run workbook_templates/regenerate.py."""
    hint = "run: python workbook_templates/regenerate.py, and check in the result"
    checked_in, built = _parts(TEMPLATES / name), _parts(fresh / name)
    assert [n for n, _ in checked_in] == [n for n, _ in built], hint
    for (part, old), (_, new) in zip(checked_in, built):
        assert old == new, f"{name}: part {part} differs from the builder's; {hint}"
    assert (TEMPLATES / name).read_bytes() == (fresh / name).read_bytes(), hint


@pytest.mark.parametrize("name", STANDARD)
def test_builder_is_byte_reproducible(fresh, tmp_path, name):
    """Two builds with the same arguments give the same bytes (the second one here, the first
    one in the ``fresh`` fixture); only the arguments change them."""
    from xl_gleichplan.io.template import write_template

    profile, agency, stichtag = _regenerate_module().standard_arguments()[name]
    again = write_template(tmp_path / name, profile, agency, stichtag)
    assert again.read_bytes() == (fresh / name).read_bytes()
    other = write_template(tmp_path / "anders.xlsx", profile, dataclasses.replace(agency, name="Amt"), stichtag)
    assert other.read_bytes() != again.read_bytes()


@pytest.mark.parametrize("name, profile, agency_type", [(STANDARD[0], "thueringen", "landesverwaltung"),
                                                        (STANDARD[1], "bund", "bundesbehoerde"),
                                                        (STANDARD[2], "sachsen-anhalt", "oberste_landesbehoerde")])
def test_standard_template_metadata(name, profile, agency_type):
    wb = load_workbook(TEMPLATES / name)
    meta = {row[0]: row[2] for row in wb["Metadaten"].iter_rows(min_row=2, max_col=3, values_only=True) if row[0]}
    assert meta["dokumenttyp"] == DOCUMENT_TYPE and meta["vorlagenversion"] == TEMPLATE_VERSION
    # the drop-down shows German labels, not codes (issue 14); the reader maps them back
    assert meta["profil"] == profile and meta["art"] == load_profile(profile).route(agency_type).label
    assert "_" not in meta["art"]
    assert meta["dienststelle"] in ("", None) and meta["stichtag"] == datetime(2025, 6, 30)
    assert name_cell(wb, "GP_NUR_FRAUEN").value == (0 if profile == "thueringen" else 1)
    assert [s for s in wb.sheetnames] == ["Anleitung", "Übersicht", *(s.name for s in SHEETS.values()), "Metadaten"]
    dataset, prof = read_workbook(TEMPLATES / name)  # an empty template reads: only "the total is missing"
    assert prof.id == profile and dataset.stichtag == date(2025, 6, 30)
    assert len(dataset.findings) == 1 and dataset.findings[0].message.startswith("Die Zeile „Beschäftigte insgesamt“")


# A4 portrait where the columns fit it (up to 105 characters wide; issue 14: more rows on a page), else
# landscape. Checked by hand from the declared widths, each raised to the longest header word + 3 and
# to the longest prefilled label + 2 (at most 36):
# Ausschreibungen 24 + 24 + 18 ("Ausschreibungen" 15 + 3) = 66: portrait.
# Prognose 24 + 36 (the longest Bereich, capped) + 9 + 9 + 9 ("divers" 6 + 3) + 9 ("Angabe" 6 + 3) + 9
# ("gesamt") = 105: portrait, exactly at the limit.
# Gremien 36 + 5 x 9 + 15 + 15 ("Frauenanteil" 12 + 3) + 21 ("unterrepräsentiert" 18 + 3) = 132: landscape.
# Zielvorgaben (ten columns, over 120), Maßnahmen (the text alone is 60, with the rest 117), Bestand and
# Bewegungen (twice the counts and the shares): landscape.
ORIENTATION = {"Bestand": "landscape", "Bewegungen": "landscape", "Ausschreibungen": "portrait",
               "Gremien": "landscape", "Prognose": "portrait", "Zielvorgaben": "landscape", "Maßnahmen": "landscape"}


def test_template_features(tmp_path):
    """Input cells unlocked, formulas locked, sheet protection without a password, validation lists,
    named ranges for every input block, A4 fitted to the width, frozen header."""
    wb = load_workbook(TEMPLATES / STANDARD[0])
    assert set(ORIENTATION) == {sheet.name for sheet in SHEETS.values()}
    for key, sheet in SHEETS.items():
        ws = wb[sheet.name]
        assert ws.protection.sheet and not ws.protection.password, sheet.name
        for col in sheet.columns:
            cell = ws[f"{sheet.letter(col.code)}5"]
            assert cell.protection.locked == (col.kind == "formula"), (sheet.name, col.code)
        assert f"GP_{key.upper()}" in wb.defined_names
        assert ws.data_validations.dataValidation, sheet.name
        assert ws.page_setup.orientation == ORIENTATION[sheet.name], sheet.name
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
        assert ws.freeze_panes and ws.print_title_rows == "$4:$4"
    assert sum(wb["Prognose"].column_dimensions[c].width for c in "ABCDEFG") == 105  # the case at the limit
    assert wb["Bestand"].conditional_formatting


# ----------------------------------------------------------------------------- single template via CLI

def test_cli_template_writes_metadata(tmp_path, capsys):
    out = tmp_path / "amt.xlsx"
    code = cli.main(["template", "--out", str(out), "--agency-name", "Landratsamt Musterkreis", "--agency-type",
                     "kreis", "--parent", "Landesverwaltungsamt", "--stichtag", "30.06.2024"])
    assert code == 0 and str(out) in capsys.readouterr().out
    dataset, profile = read_workbook(out)
    assert (dataset.agency.name, dataset.agency.type, dataset.agency.parent) == \
        ("Landratsamt Musterkreis", "landkreis", "Landesverwaltungsamt")  # the alias "kreis" resolved
    assert dataset.stichtag == date(2024, 6, 30) and profile.id == "thueringen"


def test_cli_template_unknown_type(tmp_path, capsys):
    code = cli.main(["template", "--out", str(tmp_path / "x.xlsx"), "--agency-type", "zoo"])
    err = capsys.readouterr().err
    assert code == 1 and "zoo" in err and "landesverwaltung" in err and not (tmp_path / "x.xlsx").exists()


# ----------------------------------------------------------------------------- batch

AGENCIES = [
    ("name", "art", "uebergeordnet", "stichtag"),
    ("Landesamt für Statistik", "landesverwaltung", "Innenministerium", "30.06.2025"),
    ("Gemeinde Musterdorf", "gemeinde", "", "2025-06-30"),
    ("Landtag", "landtag", "", ""),  # alias; Stichtag from --stichtag
    ("Amt für Dinge", "zoo", "", "30.06.2025"),  # unknown type: reported, not written
    ("Schulamt Süd/Ost", "landesverwaltung", "Bildungsministerium", "31.13.2025"),  # no date: reported
    ("", "gemeinde", "", ""),  # no name: skipped
    ("Gemeinde Musterdorf", "gemeinde", "", "30.06.2024"),  # the same name again: its own file
    ("Kreis Nord: Verwaltung", "kreis", "", "30.06.2025"),
]


def _write_list(path: Path, rows) -> Path:
    if path.suffix == ".csv":  # as German Excel saves CSV: semicolons, UTF-8 with BOM
        path.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8-sig")
    else:
        wb = Workbook()
        for r in rows:
            wb.active.append(list(r))
        wb.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_batch(tmp_path, suffix):
    listing = _write_list(tmp_path / f"dienststellen{suffix}", AGENCIES)
    folder = tmp_path / "vorlagen"
    done = run_cli("template", "--list", listing, "--out", folder, "--stichtag", "2025-06-30")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    out = done.stdout
    assert out.startswith("5 Erhebungsbögen") and "2 Zeilen mit Fehlern" in out, out
    assert "Zeile 5 (Amt für Dinge): nicht erstellt" in out and "zoo" in out
    assert "Zeile 6 (Schulamt Süd/Ost): nicht erstellt" in out and "31.13.2025" in out
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["Gemeinde_Musterdorf.xlsx", "Gemeinde_Musterdorf_2.xlsx", "Kreis_Nord__Verwaltung.xlsx",
                     "Landesamt_für_Statistik.xlsx", "Landtag.xlsx"], files
    expected = {
        "Landesamt_für_Statistik.xlsx": ("Landesamt für Statistik", "landesverwaltung", "Innenministerium", date(2025, 6, 30)),
        "Gemeinde_Musterdorf.xlsx": ("Gemeinde Musterdorf", "gemeinde", None, date(2025, 6, 30)),
        "Gemeinde_Musterdorf_2.xlsx": ("Gemeinde Musterdorf", "gemeinde", None, date(2024, 6, 30)),
        "Landtag.xlsx": ("Landtag", "oberste_landesbehoerde", None, date(2025, 6, 30)),
        "Kreis_Nord__Verwaltung.xlsx": ("Kreis Nord: Verwaltung", "landkreis", None, date(2025, 6, 30)),
    }
    for name, (agency, kind, parent, stichtag) in expected.items():
        dataset, _ = read_workbook(folder / name)
        assert (dataset.agency.name, dataset.agency.type, dataset.agency.parent, dataset.stichtag) == \
            (agency, kind, parent, stichtag), name
        window = [f for f in dataset.findings if "Berichtszeitraum" in f.message]
        assert not window, window  # the flow window in the metadata fits each template's own Stichtag


def test_template_batch_without_name_column(tmp_path):
    listing = _write_list(tmp_path / "liste.csv", [("dienststelle", "art"), ("Amt", "gemeinde")])
    done = run_cli("template", "--list", listing, "--out", tmp_path / "v")
    assert done.returncode == 1 and done.stderr.startswith("Fehler: ") and "„name“" in done.stderr
    assert "Traceback" not in done.stderr


def test_instructions_name_the_report_window_in_words():
    """The window in words from the one list of number words (texts.count_word; the template had its
    own for 2 to 4 and wrote "die 1 Jahre", "die 5 Jahre" for an office's own profile)."""
    import dataclasses
    from datetime import date

    from xl_gleichplan.io.template import build_template
    from xl_gleichplan.model import Agency
    from xl_gleichplan.profiles import load_profile

    def instructions(years):
        profile = dataclasses.replace(load_profile("thueringen"), flow_window_years=years)
        wb = build_template(profile, Agency("Amt", "landesverwaltung"), date(2025, 6, 30))
        return " ".join(str(c.value) for c in wb["Anleitung"]["A"] if c.value)

    assert "im Berichtszeitraum (das Jahr bis zum Stichtag)" in instructions(1)
    assert "im Berichtszeitraum (die drei Jahre bis zum Stichtag)" in instructions(3)
    assert "im Berichtszeitraum (die fünf Jahre bis zum Stichtag)" in instructions(5)


def test_e10_instructions_cite_the_profiles_own_privacy_rule():
    """E10: the ban on personal data is the last sentence of ThürGleichG § 4 Abs. 1, not "§ 4 Abs. 4";
    the federal template cites BGleiG § 13 Abs. 5 and says nothing of a 50 % rule."""
    from datetime import date

    from xl_gleichplan.io.template import build_template
    from xl_gleichplan.model import Agency
    from xl_gleichplan.profiles import load_profile

    def instructions(profile, kind):
        wb = build_template(load_profile(profile), Agency("Amt", kind), date(2025, 6, 30))
        return " ".join(str(c.value) for c in wb["Anleitung"]["A"] if c.value)

    th = instructions("thueringen", "landesverwaltung")
    assert "(§ 4 Abs. 1 letzter Satz ThürGleichG)" in th and "§ 4 Abs. 4" not in th
    assert "50-%-Regel für Führungspositionen (§ 4 Abs. 6 ThürGleichG)" in th
    bund = instructions("bund", "bundesbehoerde")
    assert "(§ 13 Abs. 5 BGleiG)" in bund and "ThürGleichG" not in bund and "50-%" not in bund
    assert "die vier Jahre bis zum Stichtag" in bund


# ----------------------------------------------------------------------------- the copying fast path

AGENCY_CASES = [
    ("Landesamt für Statistik", "landesverwaltung", "Innenministerium", date(2025, 6, 30)),
    ("", "landtag", None, date(2024, 2, 29)),  # an alias, a leap day
    ('=HYPERLINK("http://x")', "gemeinde", 'Amt <&> "ä"', date(2023, 12, 31)),  # a formula stays text
    (" Leerzeichen ", "landesverwaltung", " ", date(2030, 1, 1)),  # kept with xml:space
    ("Zeile\nzwei 😀", "landesverwaltung", "x" * 300, date(2025, 6, 30)),
]


def _agency(profile, name, kind, parent):
    from xl_gleichplan.model import Agency
    from xl_gleichplan.errors import GleichplanError

    try:
        profile.route(kind)
    except GleichplanError:
        kind = next(iter(profile.routing))  # a type of this profile's own approval table
    return Agency(name, kind, parent)


@pytest.mark.parametrize("profile_id", ["thueringen", "bund", "sachsen-anhalt"])
def test_copied_template_is_the_built_one(tmp_path, monkeypatch, profile_id):
    """The template copied from the checked-in one with its metadata rewritten has the builder's
    bytes, for agencies whose names need escaping, whitespace, formulas as text, other Stichtage."""
    from xl_gleichplan.io import template

    profile = load_profile(profile_id)
    expected = {}
    for i, (name, kind, parent, stichtag) in enumerate(AGENCY_CASES):
        agency = _agency(profile, name, kind, parent)
        expected[i] = template.build_template_file(tmp_path / f"gebaut{i}.xlsx", profile, agency, stichtag).read_bytes()
    monkeypatch.setattr(template, "build_template", _no_builder)
    for i, (name, kind, parent, stichtag) in enumerate(AGENCY_CASES):
        agency = _agency(profile, name, kind, parent)
        copied = template.write_template(tmp_path / f"kopie{i}.xlsx", profile, agency, stichtag)
        assert copied.read_bytes() == expected[i], (profile_id, name)


def _no_builder(*args):
    raise AssertionError("openpyxl builder called")


def test_copied_template_reads_back(tmp_path, monkeypatch):
    from xl_gleichplan.io import template

    monkeypatch.setattr(template, "build_template", _no_builder)
    profile = load_profile("thueringen")
    agency = _agency(profile, "Gemeinde Süd & Ost", "gemeinde", "Landratsamt <Nord>")
    out = template.write_template(tmp_path / "amt.xlsx", profile, agency, date(2024, 6, 30))
    dataset, prof = read_workbook(out)
    assert (dataset.agency.name, dataset.agency.type, dataset.agency.parent, dataset.stichtag) == \
        ("Gemeinde Süd & Ost", "gemeinde", "Landratsamt <Nord>", date(2024, 6, 30)) and prof.id == "thueringen"
    meta = {r[0]: r[2] for r in load_workbook(out)["Metadaten"].iter_rows(min_row=2, max_col=3, values_only=True) if r[0]}
    assert (meta["zeitraum_von"], meta["zeitraum_bis"]) == (datetime(2021, 7, 1), datetime(2024, 6, 30))


def test_own_profile_is_built_then_copied(tmp_path, monkeypatch):
    """An office's own profile that reuses a packaged id is never served the packaged template:
    its first template is built, the next ones are copied from that one."""
    from xl_gleichplan.io import template

    own = dataclasses.replace(load_profile("thueringen"), threshold=load_profile("thueringen").threshold / 2)
    calls = []
    real = template.build_template
    monkeypatch.setattr(template, "build_template", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(template, "_BASES", {})
    first = _agency(own, "Amt A", "landesverwaltung", None)
    second = _agency(own, "Amt B", "gemeinde", "Kreis")
    template.write_template(tmp_path / "a.xlsx", own, first, date(2025, 6, 30))
    template.write_template(tmp_path / "b.xlsx", own, second, date(2024, 6, 30))
    assert len(calls) == 1
    monkeypatch.setattr(template, "build_template", real)
    assert (tmp_path / "b.xlsx").read_bytes() == template.build_template_file(
        tmp_path / "ref.xlsx", own, second, date(2024, 6, 30)).read_bytes()
    assert (tmp_path / "a.xlsx").read_bytes() != (TEMPLATES / STANDARD[0]).read_bytes()


def test_stale_template_is_not_copied(tmp_path, monkeypatch):
    """A checked-in template of another version (a fixed metadata field differs) is not copied."""
    from xl_gleichplan.io import template

    monkeypatch.setattr(template, "__version__", "99.0")
    monkeypatch.setattr(template, "_BASES", {})
    profile = load_profile("thueringen")
    agency = _agency(profile, "Amt", "landesverwaltung", None)
    out = template.write_template(tmp_path / "neu.xlsx", profile, agency, date(2025, 6, 30))
    assert out.read_bytes() == template.build_template_file(tmp_path / "ref.xlsx", profile, agency,
                                                            date(2025, 6, 30)).read_bytes()
    assert read_workbook(out)[0].stichtag == date(2025, 6, 30)
    with zipfile.ZipFile(out) as zf:
        assert b"xl-gleichplan 99.0" in zf.read("xl/worksheets/sheet10.xml")


def test_copied_template_refuses_what_the_builder_refuses(tmp_path):
    from openpyxl.utils.exceptions import IllegalCharacterError

    from xl_gleichplan.io.template import write_template

    profile = load_profile("thueringen")
    with pytest.raises(IllegalCharacterError):
        write_template(tmp_path / "x.xlsx", profile, _agency(profile, "Amt\x01", "landesverwaltung", None),
                       date(2025, 6, 30))
    assert not (tmp_path / "x.xlsx").exists()
