"""Small Dienststellen counted by hand, and helpers to read a plan draft back with python-docx."""
from __future__ import annotations

from datetime import date

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from xl_gleichplan.analysis import analyse
from xl_gleichplan.model import Agency, Counts, Dataset, Target
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.report.draft import write_draft

NB = "\u202f"  # narrow no-break space before "%"
STICHTAG = date(2025, 6, 30)


def make_testamt() -> Dataset:
    """60 Beschäftigte: 30 Frauen, 28 Männer, 1 divers, 1 ohne Angabe (d + x = 2 < 3: hidden, and
    with it the total 60, since women and men are public through the tables' column sums).

    Laufbahngruppen (W, M): mittlerer 12/8 (men exactly 40 %: no verdict), gehobener 14/10,
    höherer 4/10 (women 28,57 %: underrepresented). Sums 30/28: the table has the margin.
    Pay groups: A 9 12/8, A 13 14/8 (men 36,36 %), E 13 2/8 and A 15 2/4 (women 2 < 3: W and the
    total hidden, verdict women). Sums 30/28. Hidden: E13 W, A15 W, E13 total, A15 total: 4 cells,
    3 independent equations (two rows, column W; column total follows) -> none fixed.
    Führungsebenen: Abteilungsleitung 1/3 (W and total hidden, women 25 %), Referatsleitung 3/4.
    Arbeitszeit: Vollzeit 18/25, Teilzeit 10/3, Altersteilzeit 2/0 (total 2 < 3: row hidden, and
    the column sums would give it back: complementary suppression needed).
    Bewerbungen 21/9 (men 30 %): mittlerer 13/3 (men 18,75 %), gehobener 8/6 (57,14 %).
    Einstellungen 6/4: mittlerer 4/0, gehobener 2/4: both rows need suppression, and the columns.
    Fortbildungen 10/10: nothing underrepresented.
    Gremien: Personalrat 5/4 (55,56 %), Auswahlkommission 1/4 (W hidden, women underrepresented).
    Forecast: höherer 3/4 (all shown: V 7, of which women 3), A 13 4/1 (men 1 < 3: only V = 5).
    Targets: Z1 leadership +3 achieved 3 (met), Z2 leadership +2 achieved 0 (missed), Z3 +3 achieved
    4 (met), Z4 +3 achieved 1 (missed, 1 < 3 hidden). I1 = 1/2 = 50 % (no approval), I2 = 3/5 = 60 %.
    """
    stock = {
        ("gesamt", "gesamt"): Counts(30, 28, 1, 1),
        ("laufbahngruppe", "mittlerer"): Counts(12, 8),
        ("laufbahngruppe", "gehobener"): Counts(14, 10),
        ("laufbahngruppe", "hoeherer"): Counts(4, 10, 1, 1),
        ("besoldungs_entgeltgruppe", "A 9"): Counts(12, 8),
        ("besoldungs_entgeltgruppe", "A 13"): Counts(14, 8),
        ("besoldungs_entgeltgruppe", "E 13"): Counts(2, 8),
        ("besoldungs_entgeltgruppe", "A 15"): Counts(2, 4, 1, 1),
        ("fuehrungsebene", "abteilungsleitung"): Counts(1, 3),
        ("fuehrungsebene", "referatsleitung"): Counts(3, 4),
        ("arbeitszeit", "vollzeit"): Counts(18, 25, 2),
        ("arbeitszeit", "teilzeit"): Counts(10, 3),
        ("arbeitszeit", "altersteilzeit"): Counts(2, 0, 0, 1),
    }
    part_time = {("gesamt", "gesamt"): Counts(12, 3), ("laufbahngruppe", "mittlerer"): Counts(6, 1),
                 ("laufbahngruppe", "gehobener"): Counts(4, 2), ("laufbahngruppe", "hoeherer"): Counts(2, 0)}
    movements = {
        ("bewerbung", "gesamt", "gesamt"): Counts(21, 9),
        ("bewerbung", "laufbahngruppe", "mittlerer"): Counts(13, 3),
        ("bewerbung", "laufbahngruppe", "gehobener"): Counts(8, 6),
        ("einstellung", "gesamt", "gesamt"): Counts(6, 4),
        ("einstellung", "laufbahngruppe", "mittlerer"): Counts(4, 0),
        ("einstellung", "laufbahngruppe", "gehobener"): Counts(2, 4),
        ("fortbildung", "gesamt", "gesamt"): Counts(10, 10),
    }
    committees = {"Personalrat": Counts(5, 4), "Auswahlkommission": Counts(1, 4)}
    forecast = {("laufbahngruppe", "hoeherer"): Counts(3, 4), ("besoldungs_entgeltgruppe", "A 13"): Counts(4, 1)}
    deadline = date(2025, 6, 30)  # the previous plan's targets, due on this Stichtag (later ones do not count yet)
    targets = [Target("Z1", "fuehrungsebene", "abteilungsleitung", "w", 3, 3, True, deadline),
               Target("Z2", "fuehrungsebene", "referatsleitung", "w", 2, 0, True, deadline),
               Target("Z3", "laufbahngruppe", "hoeherer", "w", 3, 4, False, deadline),
               Target("Z4", "laufbahngruppe", "mittlerer", "m", 3, 1, False, deadline)]
    return Dataset(Agency("Testamt", "landesverwaltung"), STICHTAG, heads=60, stock=stock, movements=movements,
                   committees=committees, targets=targets, forecast=forecast, part_time=part_time)


def make_kleinamt() -> Dataset:
    """40 Beschäftigte (no plan duty), a municipality; leadership targets +3 achieved 1 (hidden) and
    +2 achieved 0: I1 = 0 % -> approval by the Gemeinderat; I2 = 1/5 = 20 %, not printed (it would
    give the hidden 1 back), only "unter 50 %"."""
    targets = [Target("Z1", "fuehrungsebene", "abteilungsleitung", "w", 3, 1, True),
               Target("Z2", "fuehrungsebene", "referatsleitung", "w", 2, 0, True)]
    return Dataset(Agency("Gemeinde Kleinstadt", "gemeinde"), STICHTAG, heads=40,
                   stock={("gesamt", "gesamt"): Counts(22, 18)}, targets=targets)


def make_grossamt() -> Dataset:
    """2.234 Beschäftigte: thousands dots."""
    return Dataset(Agency("Großamt", "ministerium"), STICHTAG, heads=2234,
                   stock={("gesamt", "gesamt"): Counts(1234, 1000),
                          ("laufbahngruppe", "gehobener"): Counts(1234, 1000)})


def draft_of(dataset: Dataset, path, profile: str = "thueringen", **kwargs):
    write_draft(analyse(dataset, load_profile(profile)), path, **kwargs)
    return docx.Document(str(path))


# -- reading the document back ----------------------------------------------------------------

def blocks(document):
    """Paragraphs and tables of the body in document order."""
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            yield Paragraph(child, document)
        elif child.tag.endswith("}tbl"):
            yield Table(child, document)


def rows(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def table_after(document, text: str, nth: int = 0):
    """The first table after the paragraph (heading or caption) with exactly this text."""
    seen = False
    for block in blocks(document):
        if isinstance(block, Paragraph) and block.text == text:
            seen = True
        elif seen and isinstance(block, Table):
            if nth == 0:
                return block
            nth -= 1
    raise AssertionError(f"no table after {text!r}")


def section_blocks(document, heading: str, level: int = 2):
    """The blocks from a heading to the next heading of the same or a higher level."""
    out, inside = [], False
    for block in blocks(document):
        if isinstance(block, Paragraph) and block.style.name.startswith("Heading"):
            lvl = int(block.style.name.split()[-1]) if block.style.name[-1].isdigit() else 0
            if inside and lvl <= level:
                break
            if block.text == heading:
                inside = True
                continue
        if inside:
            out.append(block)
    assert inside, f"no heading {heading!r}"
    return out


def all_text(document) -> str:
    """Every paragraph and table cell, header and footer included."""
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    for s in document.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return "\n".join(parts)


def placeholders_in_text(document) -> list[str]:
    """The placeholder texts as they stand in the body paragraphs, in order."""
    out = []
    for block in blocks(document):
        if isinstance(block, Paragraph):
            out += [part.split("]")[0] for part in block.text.split("[PLATZHALTER: ")[1:]]
    return out


def count_tables(document):
    """Tables of counts per Bereich: header Bereich, Frauen, Männer, ..."""
    return [t for t in document.tables if [c.text for c in t.rows[0].cells][:3] == ["Bereich", "Frauen", "Männer"]]


def number(text: str):
    """'1.234' -> 1234, '.' -> None (hidden)."""
    if text == ".":
        return None
    return int(text.replace(".", ""))
