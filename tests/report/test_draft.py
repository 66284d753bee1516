"""The plan draft, read back with python-docx, against a small Dienststelle counted by hand."""
from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date

import docx
import pytest

from xl_gleichplan.analysis import analyse
from xl_gleichplan.model import Agency, Counts, Dataset, Target
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.report.draft import write_draft

NB = "\u202f"  # narrow no-break space before "%"
SECTIONS = ["1. Geltungsbereich und Verfahren", "2. Bestandsaufnahme", "3. Beschreibende Auswertung",
            "4. Personalbewegungen und Gremien", "5. Zielvorgaben und Maßnahmen",
            "6. Bericht über die Zielerreichung", "7. Offene Platzhalter"]


def small_agency() -> Dataset:
    """60 Beschäftigte: 30 Frauen, 28 Männer, 1 divers, 1 ohne Angabe.

    Laufbahngruppen (W, M): mittlerer 12/8 (women 60 %, men exactly 40 %: no verdict), gehobener
    14/10, höherer 4/10 (+1 d, +1 x): women 4/14 = 28,57 % -> underrepresented. Sums: W 30, M 28.
    Führungsebenen: Abteilungsleitung 1/3 (women 25 %, but 1 < 3: W and the total are hidden),
    Referatsleitung 3/4 (42,86 %: shown, no verdict).
    Leadership targets: Z1 +2 achieved 2 (met), Z2 +2 achieved 0: I1 = 1/2 = 50 % -> no approval."""
    stock = {
        ("gesamt", "gesamt"): Counts(30, 28, 1, 1),
        ("laufbahngruppe", "mittlerer"): Counts(12, 8),
        ("laufbahngruppe", "gehobener"): Counts(14, 10),
        ("laufbahngruppe", "hoeherer"): Counts(4, 10, 1, 1),
        ("fuehrungsebene", "abteilungsleitung"): Counts(1, 3),
        ("fuehrungsebene", "referatsleitung"): Counts(3, 4),
    }
    targets = [Target("Z1", "fuehrungsebene", "abteilungsleitung", "w", 2, 2, True),
               Target("Z2", "fuehrungsebene", "referatsleitung", "w", 2, 0, True)]
    return Dataset(Agency("Testamt", "landesverwaltung"), date(2025, 6, 30), heads=60, stock=stock, targets=targets)


@pytest.fixture(scope="module")
def draft(tmp_path_factory):
    path = tmp_path_factory.mktemp("draft") / "entwurf.docx"
    profile = load_profile()
    write_draft(analyse(small_agency(), profile), path)
    return path, docx.Document(str(path))


def _table_after(document, heading: str):
    """The first table that follows the heading paragraph with this text."""
    body = document.element.body
    seen = False
    for child in body.iterchildren():
        if child.tag.endswith("}p") and "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")) == heading:
            seen = True
        elif seen and child.tag.endswith("}tbl"):
            return docx.table.Table(child, document)
    raise AssertionError(f"no table after {heading!r}")


def _rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_every_section_is_there(draft):
    _, document = draft
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    for section in SECTIONS:
        assert section in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ENTWURF" in text and "Testamt" in text and "§ 4 ThürGleichG" in text
    assert "30.03.2026" in text or any("30.03.2026" in c.text for t in document.tables for r in t.rows for c in r.cells)


def test_career_groups_table_has_the_hand_counted_figures(draft):
    _, document = draft
    rows = _rows(_table_after(document, "Laufbahngruppe"))
    assert rows[1] == ["mittlerer Dienst", "12", "8", "20", f"60,00{NB}%", ""]
    assert rows[2] == ["gehobener Dienst", "14", "10", "24", f"58,33{NB}%", ""]
    assert rows[3] == ["höherer Dienst", "4", "10", "14", f"28,57{NB}%", "Frauen"]


def test_small_cells_are_suppressed_and_not_recomputable(draft):
    _, document = draft
    rows = _rows(_table_after(document, "Führungsebene"))
    # Abteilungsleitung: 1 woman < 3 -> W and the total hidden, the share too; the verdict stays
    assert rows[1] == ["Abteilungsleitung", ".", "3", ".", ".", "Frauen"]
    assert rows[2] == ["Referatsleitung", "3", "4", "7", f"42,86{NB}%", ""]
    for table in document.tables:
        header = [c.text for c in table.rows[0].cells]
        if header[:3] != ["Bereich", "Frauen", "Männer"]:
            continue
        for row in _rows(table)[1:]:
            w, m, both = row[1:4]
            shown = [int(v.replace(".", "")) for v in (w, m) if v not in (".", "–")]
            assert all(v >= 3 for v in shown) or both == "0", row  # no small count of women or men
            assert [w, m, both].count(".") != 1, row  # W + M = zusammen: one hidden cell would follow


def test_sentences_name_the_shares_and_never_a_hidden_one(draft):
    _, document = draft
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"In der Laufbahngruppe höherer Dienst sind Frauen mit 28,57{NB}% unterrepräsentiert." in text
    assert ("Auf der Führungsebene Abteilungsleitung sind Frauen unterrepräsentiert (der Anteil wird aus "
            "Datenschutzgründen nicht ausgewiesen).") in text
    assert "25,00" not in text  # the hidden share of the Abteilungsleitung


def test_leadership_rule_exactly_half_needs_no_approval(draft):
    _, document = draft
    rows = _rows(_table_after(document, "50-%-Regel für Führungspositionen (§ 4 Abs. 6)"))
    assert rows[1][1] == f"50,00{NB}%"  # I1: Z1 met, Z2 not: 1 of 2
    assert rows[2][1] == f"50,00{NB}%"  # I2: min(2,2) + min(0,2) = 2 of 4
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Zustimmung nach § 4 Abs. 6 ist nicht erforderlich" in text


def test_placeholder_list_matches_the_placeholders_in_the_text(draft):
    _, document = draft
    in_text = []
    for p in document.paragraphs:
        in_text += [part.split("]")[0] for part in p.text.split("[PLATZHALTER: ")[1:]]
    listed = [row[2] for row in _rows(_table_after(document, "7. Offene Platzhalter"))[1:]]
    # the title page names the start of validity with its own wording
    assert [t for t in in_text if not t.startswith("Beginn der Geltungsdauer")] == listed[1:]
    assert listed[0].startswith("Beginn der Geltungsdauer")
    assert any(t.startswith("Gründe, warum die Zielvorgabe Z2") for t in listed)
    assert not any("Z1" in t for t in listed)  # met targets need no reasons


def test_no_personal_data_and_german_dates(draft):
    _, document = draft
    text = "\n".join(p.text for p in document.paragraphs)
    assert "30.06.2025" in text and "2025-06-30" not in text


def test_demo_draft_renders_in_libreoffice(tmp_path):
    """The demo agency's draft converts to PDF; pages rendered to PNG (looked at by hand)."""
    if not shutil.which("soffice"):
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) fehlt in CI")
        pytest.skip("LibreOffice not installed")
    from xl_gleichplan.cli import main

    assert main(["demo", "--out", str(tmp_path / "demo")]) == 0
    source = tmp_path / "demo" / "gleichstellungsplan_entwurf.docx"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "gleichstellungsplan_entwurf.pdf"
    assert pdf.stat().st_size > 20_000
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Bestandsaufnahme" in text and "Offene Platzhalter" in text
        assert "P100000" not in text and "Muster-" not in text  # demo names and personnel numbers
