"""The plan draft, read back with python-docx, against small Dienststellen counted by hand
(draft_helpers.make_testamt: every expected figure below is worked out in its docstring)."""
from __future__ import annotations

import dataclasses
import re
from fractions import Fraction

import docx
import pytest
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from xl_gleichplan.errors import GleichplanError
from xl_gleichplan.model import Counts
from xl_gleichplan.report import draft as draft_module

from draft_helpers import (NB, all_text, blocks, count_tables, draft_of, make_grossamt, make_kleinamt, number,
                       placeholders_in_text, rows, section_blocks, table_after, make_testamt)

SECTIONS = ["1. Geltungsbereich und Verfahren", "2. Bestandsaufnahme", "3. Beschreibende Auswertung",
            "4. Personalbewegungen und Gremien", "5. Zielvorgaben und Maßnahmen",
            "6. Bericht über die Zielerreichung", "7. Offene Platzhalter"]


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


# -- structure -------------------------------------------------------------------------------

def test_every_section_is_there_in_order(testamt_doc):
    level1 = [p.text for p in testamt_doc.paragraphs if p.style.name == "Heading 1"]
    assert level1 == SECTIONS


def test_title_page(testamt_doc):
    title = []
    for block in blocks(testamt_doc):
        if isinstance(block, Paragraph) and block.style.name == "Heading 1":
            break
        title.append(block.text)
    text = "\n".join(title)
    assert "ENTWURF" in text and "Status: Entwurf" in text
    assert "Testamt" in text and "Rechtsgrundlage: § 4 des Thüringer Gleichstellungsgesetzes (ThürGleichG)" in text
    assert "(Thüringer Gleichstellungsgesetz (ThürGleichG))" not in text  # issue 13: no nested brackets
    assert "Stichtag der Bestandsaufnahme: 30.06.2025" in text
    assert "01.07.2022 bis 30.06.2025" in text  # flow window: 1 July Y-3 to 30 June Y
    assert "sechs Jahre ab [PLATZHALTER: Beginn der Geltungsdauer" in text
    assert "30.06.2031" in text  # next plan's Stichtag
    # issue 13 wording: "zum" Stichtag, not "auf den"; E12: zeros are shown, so not "Zahlen unter 3"
    assert "Anpassung zum Stichtag 30.06.2028; nächster Plan zum Stichtag 30.06.2031" in text
    assert "kleine Anzahlen (1 bis 2)" in text and "Null wird gezeigt" in text and "Zahlen unter 3" not in text


def test_procedure_route_announcement_and_deadlines(testamt_doc):
    text = "\n".join(b.text for b in section_blocks(testamt_doc, SECTIONS[0], 1) if isinstance(b, Paragraph))
    # 60 heads, but d + x = 2 is hidden and the total with it: the duty is stated without the number
    assert "mindestens 50 Beschäftigte" in text and "60" not in text
    assert "Die Dienststelle hatte am Stichtag" in text and " hat am Stichtag" not in text  # issue 13 wording
    assert "zur Genehmigung vorzulegen; zuständige Stelle: nächsthöhere Dienststelle" in text
    assert "[PLATZHALTER: Beteiligung der Gleichstellungsbeauftragten" in text
    assert "[PLATZHALTER: Art und Datum der Bekanntmachung" in text
    route = dict(r for r in rows(table_after(testamt_doc, "Aufstellung und Vorlage"))[1:])
    assert route["Verfahren"] == "Genehmigung" and route["zuständige Stelle"] == "nächsthöhere Dienststelle"
    assert route["Grundlage"] == "§ 4 Abs. 1 Satz 6 Nr. 1 ThürGleichG"
    deadlines = dict(r for r in rows(table_after(testamt_doc, "Fristen"))[1:])
    # "soll neun Monate ... nicht überschreiten" (§ 4 Abs. 1 Satz 4) is no hard deadline: not "fällig"
    assert deadlines["Plan soll vorliegen bis"] == "30.03.2026"  # S + 9 months, BGB
    assert not any("fällig" in k for k in deadlines)
    assert deadlines["Stichtag der Anpassung"] == "30.06.2028"
    assert deadlines["Anpassung soll vorliegen bis"] == "30.03.2029"
    assert deadlines["Berichtszeitraum von"] == "01.07.2022"


def test_no_duty_below_50_and_heads_shown_when_safe(tmp_path):
    document = draft_of(make_kleinamt(), tmp_path / "klein.docx")
    text = "\n".join(paragraphs(document))
    assert "40 Beschäftigte, weniger als 50: eine Pflicht zur Aufstellung eines Gleichstellungsplans besteht" in text
    assert "zur Kenntnisnahme vorzulegen; zuständige Stelle: Gemeinderat" in text
    assert "In keinem Bereich ist ein Geschlecht unterrepräsentiert; Zielvorgaben sind nicht erforderlich." in text


# -- tables against the rules --------------------------------------------------------------

def test_total_table_hides_small_divers_and_the_total(testamt_doc):
    assert rows(table_after(testamt_doc, "Beschäftigte insgesamt"))[1] == \
        ["Dienststelle", "30", "28", ".", ".", f"51,72{NB}%"]  # 30/58


def test_career_groups_table(testamt_doc):
    assert rows(table_after(testamt_doc, "Laufbahngruppe"))[1:] == [
        ["mittlerer Dienst", "12", "8", "20", f"60,00{NB}%", ""],  # men exactly 40 %: not underrepresented
        ["gehobener Dienst", "14", "10", "24", f"58,33{NB}%", ""],
        ["höherer Dienst", "4", "10", "14", f"28,57{NB}%", "Frauen"],
        ["insgesamt", "30", "28", "58", f"51,72{NB}%", ""],
    ]


def test_pay_groups_table_with_primary_suppression(testamt_doc):
    assert rows(table_after(testamt_doc, "Besoldungs-/Entgeltgruppe"))[1:] == [
        ["A 9", "12", "8", "20", f"60,00{NB}%", ""],
        ["A 13", "14", "8", "22", f"63,64{NB}%", "Männer"],  # men 8/22 = 36,36 %
        ["E 13", ".", "8", ".", ".", "Frauen"],
        ["A 15", ".", "4", ".", ".", "Frauen"],
        ["insgesamt", "30", "28", "58", f"51,72{NB}%", ""],
    ]


def test_leadership_levels_have_no_margin_row(testamt_doc):
    assert rows(table_after(testamt_doc, "Führungsebene"))[1:] == [
        ["Abteilungsleitung", ".", "3", ".", ".", "Frauen"],
        ["Referatsleitung", "3", "4", "7", f"42,86{NB}%", ""],
    ]


def test_working_time_needs_complementary_suppression(testamt_doc):
    table = rows(table_after(testamt_doc, "Arbeitszeit"))
    assert table[0] == ["Bereich", "Frauen", "Männer", "zu\u00adsammen", "Frauen\u00adanteil"]  # not judged: no verdict
    assert table[1][0] == "Vollzeit" and table[-1] == ["insgesamt", "30", "28", "58", f"51,72{NB}%"]
    assert table[3][:4] == ["Altersteilzeit", ".", ".", "."]  # total 2 < 3
    hidden = sum(v == "." for r in table[1:3] for v in r[1:4])
    assert hidden >= 2  # Vollzeit/Teilzeit give up cells, else 30 - 18 - 10 = 2 women in Altersteilzeit


def test_movement_tables_and_sentences(testamt_doc):
    text = "\n".join(paragraphs(testamt_doc))
    assert f"Von den 30 Bewerbungen entfielen 21 auf Frauen (70,00{NB}%) und 9 auf Männer (30,00{NB}%)." in text
    assert f"Von den 10 Einstellungen entfielen 6 auf Frauen (60,00{NB}%) und 4 auf Männer (40,00{NB}%)." in text
    assert rows(table_after(testamt_doc, "Bewerbungen nach Laufbahngruppe"))[1:] == [
        ["mittlerer Dienst", "13", "3", "16", f"81,25{NB}%", "Männer"],  # men 3/16 = 18,75 %
        ["gehobener Dienst", "8", "6", "14", f"57,14{NB}%", ""],
        ["insgesamt", "21", "9", "30", f"70,00{NB}%", "Männer"],  # men 30 %
    ]
    hires = rows(table_after(testamt_doc, "Einstellungen nach Laufbahngruppe"))[1:]
    assert hires[0][2] == "." and hires[1][1] == "."  # 0 men, 2 women: below 3
    assert hires[2] == ["insgesamt", "6", "4", "10", f"60,00{NB}%", ""]
    for row, verdict in zip(hires, ("Männer", "Frauen")):
        # a row with every count hidden hides its verdict too (it would tell how the few cases split)
        assert row[5] == ("." if row[1:4] == [".", ".", "."] else verdict)


def test_committees_table(testamt_doc):
    assert rows(table_after(testamt_doc, "Gremien"))[1:] == [
        ["Personalrat", "5", "4", "9", f"55,56{NB}%", ""],
        ["Auswahlkommission", ".", "4", ".", ".", "Frauen"],
    ]


def test_zielvorgaben_sizing_helpers(testamt_doc):
    def sizing(i, title):
        return dict((r[0], r[1]) for r in rows(table_after(testamt_doc, f"Zielvorgabe Z{i}: {title}"))[1:])

    hoeherer = sizing(1, "Frauen im höheren Dienst")
    assert hoeherer["Frauen im Bereich am Stichtag"] == "4"
    assert hoeherer["Frauen und Männer im Bereich am Stichtag"] == "14"
    assert hoeherer["voraussichtlich frei werdende Stellen bis 30.06.2031"] == "7"
    assert hoeherer["davon bisher mit Frauen besetzt"] == "3"
    # E4: the half is a sizing helper, never attributed to § 4 Abs. 3
    assert hoeherer["Mindestens die Hälfte der frei werdenden Stellen für Frauen (Rechenhilfe, vom Gesetz nicht "
                    "vorgegeben)"] == "4"  # ceil(7/2)
    # ceil(2/5 * 14) - (4 - 3) = 6 - 1 = 5 <= 7 vacancies: feasible
    assert hoeherer[f"Einstellungen oder Beförderungen von Frauen für einen Anteil von 40,00{NB}% bis zum Planende"] == "5"
    # E11: 30.06.2031 is the next plan's Stichtag, not the end of the plan period (which the office sets)
    assert hoeherer["Frist (Vorschlag): Stichtag des nächsten Plans"] == "30.06.2031"
    assert "Frist (Vorschlag): Ende des Planzeitraums" not in hoeherer
    assert hoeherer["Zwischenstand zum Stichtag der Anpassung"] == "30.06.2028"

    a13 = sizing(2, "Männer in der Besoldungsgruppe A 13")
    assert a13["voraussichtlich frei werdende Stellen bis 30.06.2031"] == "5"  # 4 + 1: the total alone
    assert a13["davon bisher mit Männern besetzt"] == "."  # 1 man
    assert a13["Mindestens die Hälfte der frei werdenden Stellen für Männer (Rechenhilfe, vom Gesetz nicht "
               "vorgegeben)"] == "3"
    # the hires would give the hidden departure back: ceil(8.8) - (8 - 1) = 2
    assert a13[f"Einstellungen oder Beförderungen von Männern für einen Anteil von 40,00{NB}% bis zum Planende"] == "."

    e13 = sizing(3, "Frauen in der Entgeltgruppe E 13")
    assert e13["Frauen im Bereich am Stichtag"] == "." and e13["voraussichtlich frei werdende Stellen bis 30.06.2031"] == "0"

    lead = sizing(5, "Frauen auf der Ebene der Abteilungsleitungen")
    assert lead["Kaskadenmodell: Anteil der Frauen auf der Ebene darunter (Referatsleitung)"] == f"42,86{NB}%"  # 3/7
    headings = [p.text for p in testamt_doc.paragraphs if p.text.startswith("Zielvorgabe ")]
    assert len(headings) == 5  # höherer Dienst, A 13, E 13, A 15, Abteilungsleitung


def test_zielvorgaben_propose_measures_of_every_kind(testamt_doc):
    measures = [b.text for b in section_blocks(testamt_doc, "Zielvorgabe Z5: Frauen auf der Ebene der Abteilungsleitungen")
                if isinstance(b, Paragraph) and b.text.startswith("Vorgeschlagene Maßnahmen")]
    assert len(measures) == 1
    text = measures[0]
    for kind in ("organisatorisch", "personell", "Fortbildung"):
        assert kind in text
    assert "Teilzeit in Führungspositionen" in text and "Mentoring" in text
    men = [b.text for b in section_blocks(testamt_doc, "Zielvorgabe Z2: Männer in der Besoldungsgruppe A 13")
           if isinstance(b, Paragraph) and b.text.startswith("Vorgeschlagene")][0]
    assert "Männer" in men and "Mentoring" not in men  # mentoring is for women


def test_attainment_and_leadership_rule(testamt_doc):
    assert rows(table_after(testamt_doc, "6. Bericht über die Zielerreichung"))[1:] == [
        ["Z1", "Führungsebene: Abteilungsleitung", "Frauen", "3", "3", "30.06.2025", "erreicht", "ja"],
        # target 2 "nicht erreicht" with 1 hidden would mean exactly 1: 0 and 1 are both hidden
        ["Z2", "Führungsebene: Referatsleitung", "Frauen", "2", ".", "30.06.2025", "nicht erreicht", "ja"],
        ["Z3", "Laufbahngruppe: höherer Dienst", "Frauen", "3", "4", "30.06.2025", "erreicht", "nein"],
        ["Z4", "Laufbahngruppe: mittlerer Dienst", "Männer", "3", ".", "30.06.2025", "nicht erreicht", "nein"],
    ]
    rule = rows(table_after(testamt_doc, "50-%-Regel für Führungspositionen (§ 4 Abs. 6 ThürGleichG)"))
    assert rule[1][1:] == [f"50,00{NB}%", "Regel greift nicht"]  # I1: 1 of 2; exactly 50 % is enough
    # I2 = (3 + 0) / (3 + 2) = 60 % would give the hidden 0 back: only "mindestens 50 %"
    assert rule[2][1:] == [f"mindestens 50,00{NB}% (Wert verdeckt)", "Regel greift nicht"]
    text = "\n".join(paragraphs(testamt_doc))
    assert "Maßgeblich nach dem Rechtsprofil: I1" in text
    assert "Die Regel nach § 4 Abs. 6 ThürGleichG greift nicht" in text
    assert "die nächsthöhere Dienststelle (§ 4 Abs. 1 Satz 6 Nr. 1 ThürGleichG)" in text
    assert "Zustimmung" not in all_text(testamt_doc)  # E5: the law's own words, Genehmigung here


def test_leadership_rule_requires_approval_and_hides_a_revealing_volume(tmp_path):
    document = draft_of(make_kleinamt(), tmp_path / "klein.docx")
    rule = rows(table_after(document, "50-%-Regel für Führungspositionen (§ 4 Abs. 6 ThürGleichG)"))
    assert rule[1][1:] == [f"0,00{NB}%", "Regel greift"]
    assert rule[2][1].startswith(f"unter 50,00{NB}%") and rule[2][2] == "Regel greift"
    assert "20,00" not in all_text(document)  # I2 = 1/5 would give the hidden 1 back
    text = "\n".join(paragraphs(document))
    # E1 and E5: in a Gemeinde the representative body (the Bürgermeister) decides itself; no "Zustimmung"
    assert ("Bis zur Erreichung der Zielvorgaben entscheidet über jede weitere Einstellung, Beförderung oder "
            "Höhergruppierung in eine Führungsposition der Bürgermeister als vertretungsberechtigtes Organ") in text
    assert "Zustimmung" not in text and "Gemeinderat als Vertretungsorgan" not in all_text(document)


# -- small-cell protection everywhere ---------------------------------------------------------

def _lp_fixed(table_rows: list[list[str]], with_dx: bool = False, margin: list[int] | None = None) -> list:
    """Independent check: the hidden cells whose value the published equations fix, by linear
    programming (min = max over all non-negative solutions). Equations: in every row
    W + M (+ d/x) = total; with an "insgesamt" row (or ``margin``, sums the reader knows from
    elsewhere) every column adds up to it. Returns (row, column) of each fixed cell."""
    from scipy.optimize import linprog

    n = 4 if with_dx else 3
    grid = [[number(v) for v in r[1:1 + n]] for r in table_rows[1:]]
    has_margin = table_rows[-1][0] == "insgesamt" or margin is not None
    if margin is not None:
        grid.append(list(margin))
    body = len(grid) - 1 if has_margin else len(grid)
    cells = {(i, j): k for k, (i, j) in enumerate((i, j) for i, r in enumerate(grid) for j, v in enumerate(r)
                                                  if v is None)}
    if not cells:
        return []
    equations = [[(i, j, 1) for j in range(n - 1)] + [(i, n - 1, -1)] for i in range(len(grid))]
    if has_margin:
        equations += [[(i, j, 1) for i in range(body)] + [(body, j, -1)] for j in range(n)]
    a_eq, b_eq = [], []
    for terms in equations:
        row, const = [0.0] * len(cells), 0.0
        for i, j, k in terms:
            if (i, j) in cells:
                row[cells[(i, j)]] += k
            else:
                const -= k * grid[i][j]
        if any(row):
            a_eq.append(row)
            b_eq.append(const)
    fixed = []
    for cell, k in cells.items():
        bounds = []
        for sign in (1.0, -1.0):
            c = [0.0] * len(cells)
            c[k] = sign
            res = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=(0, None))
            bounds.append(sign * res.fun if res.status == 0 else None)
        if None not in bounds and abs(bounds[0] - bounds[1]) < 1e-6:
            fixed.append(cell)
    return fixed


def test_lp_check_finds_a_recomputable_cell():
    """The checker itself: one hidden cell beside its row total is found."""
    assert _lp_fixed([["Bereich", "Frauen", "Männer", "zusammen"], ["A", ".", "5", "7"]]) == [(0, 0)]
    assert _lp_fixed([["Bereich", "Frauen", "Männer", "zusammen"], ["A", ".", "5", "."]]) == []
    assert _lp_fixed([["B", "F", "M", "z"], ["A", ".", "5", "."], ["B", "4", "4", "8"],
                      ["insgesamt", "6", "9", "15"]]) == [(0, 0), (0, 2)]


def test_no_shown_count_below_the_minimum(testamt_doc):
    for table in count_tables(testamt_doc):
        for row in rows(table)[1:]:
            values = [number(v) for v in row[1:4]]
            for v in values:
                if v is not None and v != 0:
                    assert v >= 3, row
            if 0 in values:
                assert values == [0, 0, 0] or row[0] == "insgesamt" and None not in values, row


def test_no_hidden_count_recomputable_from_totals(testamt_doc):
    for table in count_tables(testamt_doc):
        assert _lp_fixed(rows(table)) == [], rows(table)
    total = rows(table_after(testamt_doc, "Beschäftigte insgesamt"))
    assert _lp_fixed([["", "W", "M", "dx", "total"], total[1][:5]], with_dx=True) == []


def test_part_time_safe_even_with_the_total_known_from_elsewhere(testamt_doc):
    # the Teilzeit total (12 women, 3 men) is not printed here, but Arbeitszeit could give it away
    table = rows(table_after(testamt_doc, "davon Teilzeit (einschließlich Altersteilzeit) nach Laufbahngruppe"))
    assert [r[0] for r in table[1:]] == ["mittlerer Dienst", "gehobener Dienst", "höherer Dienst"]
    assert _lp_fixed(table, margin=[12, 3, 15]) == []
    for row in table[1:]:
        assert row[2] == "."  # men 1, 2, 0


def test_sentences_name_shown_shares_and_never_a_hidden_one(testamt_doc):
    text = "\n".join(paragraphs(testamt_doc))
    assert (f"Am Stichtag 30.06.2025 waren in der Dienststelle 30 Frauen (51,72{NB}%) und 28 Männer (48,28{NB}%) "
            f"beschäftigt; die Gesamtzahl wird aus Datenschutzgründen nicht ausgewiesen.") in text
    assert "Von den drei Laufbahngruppen sind in einer Frauen unterrepräsentiert." in text
    assert f"Im höheren Dienst sind Frauen mit 28,57{NB}% unterrepräsentiert." in text
    assert "Von den vier Besoldungs- und Entgeltgruppen sind in zwei Frauen und in einer Männer unterrepräsentiert." in text
    assert f"In der Besoldungsgruppe A 13 sind Männer mit 36,36{NB}% unterrepräsentiert." in text
    hidden = "unterrepräsentiert; der Anteil wird aus Datenschutzgründen nicht ausgewiesen."
    assert f"In der Entgeltgruppe E 13 sind Frauen {hidden}" in text
    assert f"In der Besoldungsgruppe A 15 sind Frauen {hidden}" in text
    assert f"Auf der Ebene der Abteilungsleitungen sind Frauen {hidden}" in text
    everything = all_text(testamt_doc)
    for share in ("20,00", "33,33", "25,00"):  # E 13: 2/10, A 15: 2/6, Abteilungsleitung: 1/4
        assert share not in everything
    assert "60 Personen" not in everything and "60 Beschäftigte" not in everything


def test_sentence_counts_respect_the_minimum(testamt_doc):
    text = "\n".join(paragraphs(testamt_doc))
    for match in re.finditer(r"(\d+) (?:auf )?(?:Frauen|Männer|Personen|Bewerbungen|Einstellungen)\b", text):
        assert int(match.group(1)) >= 3, match.group(0)


def test_charts_get_only_shown_shares(tmp_path, monkeypatch):
    calls = []
    real = draft_module.share_chart

    def spy(bars, threshold, upper=None):
        calls.append((bars, threshold, upper))
        return real(bars, threshold, upper)

    monkeypatch.setattr(draft_module, "share_chart", spy)
    document = draft_of(make_testamt(), tmp_path / "e.docx")
    assert len(calls) == 3  # Laufbahngruppe, Besoldungs-/Entgeltgruppe, Führungsebene
    assert len(document.inline_shapes) == 3
    assert all(shape.width == Cm(16) for shape in document.inline_shapes)
    career, pay, lead = (bars for bars, *_ in calls)
    assert [b.share for b in career] == [Fraction(12, 20), Fraction(14, 24), Fraction(4, 14)]
    assert [(b.label, b.share) for b in pay] == [("A 9", Fraction(12, 20)), ("A 13", Fraction(14, 22)),
                                                  ("E 13", None), ("A 15", None)]
    assert [b.verdict for b in pay] == [None, "men", "women", "women"]
    assert [b.share for b in lead] == [None, Fraction(3, 7)]
    assert calls[0][1:] == (Fraction(2, 5), Fraction(3, 5))


def test_chart_is_a_png_readable_at_a4_width():
    from xl_gleichplan.report.charts import Bar, share_chart

    png = share_chart([Bar("A 9", Fraction(1, 2)), Bar("A 13", None, "women")], Fraction(2, 5), Fraction(3, 5))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    assert width >= 900  # >= 140 dpi printed at 16 cm


def test_higher_min_cell_hides_more_and_lower_is_refused(tmp_path):
    document = draft_of(make_testamt(), tmp_path / "m5.docx", min_cell=5)
    # Referatsleitung 3/4: both sexes below 5, total 7 -> only the total
    assert rows(table_after(document, "Führungsebene"))[2][:5] == ["Referatsleitung", ".", ".", "7", "."]
    assert rows(table_after(document, "Laufbahngruppe"))[3][1] == "."  # 4 women < 5
    assert "weniger als 5 Personen" in all_text(document)
    with pytest.raises(GleichplanError, match="--min-cell 2"):
        draft_of(make_testamt(), tmp_path / "m2.docx", min_cell=2)


# -- placeholders ------------------------------------------------------------------------------

def test_placeholder_list_matches_the_placeholders_in_the_text(testamt_doc):
    listed = rows(table_after(testamt_doc, "7. Offene Platzhalter"))[1:]
    in_text = placeholders_in_text(testamt_doc)
    assert [r[2] for r in listed] == in_text
    assert [r[0] for r in listed] == [str(i) for i in range(1, len(listed) + 1)]
    text = "\n".join(paragraphs(testamt_doc))
    assert f"Diese {len(listed)} Stellen füllt die Dienststelle aus:" in text
    assert "vor der Beschlussfassung" not in text  # E12: the law says nothing of a Beschluss
    sections = {r[2]: r[1] for r in listed}
    assert sections["Begründung zu den Bewerbungen"] == "4. Personalbewegungen und Gremien – Bewerbungen"
    assert sections[next(t for t in in_text if t.startswith("Gründe, warum die Zielvorgabe Z2"))] == \
        "6. Bericht über die Zielerreichung"
    reasons = [t for t in in_text if t.startswith("Gründe")]
    assert [t.split()[4] for t in reasons] == ["Z2", "Z4"]  # missed ones only
    assert len([t for t in in_text if t.startswith("Zielvorgabe ")]) == 5


def test_placeholders_are_highlighted(testamt_doc):
    runs = [r for p in testamt_doc.paragraphs for r in p.runs if r.text.startswith("[PLATZHALTER:")]
    assert runs and all(r.font.highlight_color is not None and r.bold for r in runs)


def test_begruendung_wherever_a_sex_is_underrepresented(testamt_doc):
    def texts(heading):
        return [b.text for b in section_blocks(testamt_doc, heading) if isinstance(b, Paragraph)]

    applications = texts("Bewerbungen")
    assert "[PLATZHALTER: Begründung zu den Bewerbungen]" in applications
    listing = next(t for t in applications if t.startswith("Nach den Bewegungen selbst unterrepräsentiert"))
    # O1: both readings of "im Falle von Unterrepräsentanz" (§ 4 Abs. 2 Satz 3) are shown
    assert listing.startswith("Nach den Bewegungen selbst unterrepräsentiert: Männer in der Dienststelle insgesamt; "
                              "Männer im mittleren Dienst. Nach dem Bestand ist in diesen Bereichen kein Geschlecht "
                              "unterrepräsentiert.")
    assert "eine Begründung ist unter jeder der beiden nötig" in listing
    # Einstellungen: both Laufbahngruppen underrepresented, but all their counts are hidden
    hires = texts("Einstellungen")
    assert "[PLATZHALTER: Begründung zu den Einstellungen]" in hires
    assert "Bereiche mit weniger als 3 Fällen werden aus Datenschutzgründen nicht einzeln genannt." in " ".join(hires)
    assert not any("Begründung" in t for t in texts("Fortbildungen"))  # 10/10: nothing to justify
    committees = texts("Gremien")
    assert "Unterrepräsentiert: Frauen im Gremium „Auswahlkommission“." in committees
    assert "[PLATZHALTER: Begründung zur Besetzung der Gremien]" in committees  # issue 13: "zur", not "zu der"


# -- typography, layout, output ------------------------------------------------------------------

def test_german_number_and_date_formats(testamt_doc, tmp_path):
    text = all_text(testamt_doc)
    assert "%" in text
    assert not re.search(r"[^\u202f]%", text.replace("50-%-Regel", "")), "every % after a narrow no-break space"
    assert not re.search(r"\d\.\d\d\u202f%", text)  # decimal comma
    assert not re.search(r"\d{4}-\d\d-\d\d", text)  # no ISO dates
    big = all_text(draft_of(make_grossamt(), tmp_path / "gross.docx"))
    assert "2.234 Beschäftigte" in big and "1.234" in big and "2234" not in big


def test_a4_portrait_and_tables_fit_the_text_width(testamt_doc):
    section = testamt_doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in testamt_doc.tables:
        grid = table._tbl.tblGrid.findall(docx.oxml.ns.qn("w:gridCol"))
        assert sum(int(g.get(docx.oxml.ns.qn("w:w"))) for g in grid) * 635 <= text_width + 635  # twips -> EMU
        header = table.rows[0]._tr.trPr
        assert header is not None and header.find(docx.oxml.ns.qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(docx.oxml.ns.qn("w:cantSplit")) is not None for r in table.rows)


def test_written_atomically(tmp_path):
    path = tmp_path / "out" / "entwurf.docx"
    draft_of(make_kleinamt(), path)
    draft_of(make_testamt(), path)  # replaces the first one
    assert [p.name for p in path.parent.iterdir()] == ["entwurf.docx"]
    assert "Testamt" in all_text(docx.Document(str(path)))


def test_federal_profile_judges_women_only(tmp_path):
    document = draft_of(make_testamt(), tmp_path / "bund.docx", profile="bund")
    assert "Rechtsgrundlage: §§ 11 bis 14 des Bundesgleichstellungsgesetzes (BGleiG)" in all_text(document)
    for table in count_tables(document):
        if rows(table)[0][-1] == "unter\u00adrepräsentiert":
            assert all(r[-1] in ("", "Frauen", ".") for r in rows(table)[1:])


def test_federal_draft_is_built_on_bgleig(tmp_path):
    """Issue 13: the federal draft cites no ThürGleichG anywhere, has no 50 % rule, its own plan period
    (BGleiG § 12 Abs. 2: by 31 December, in force on 1 January; four years), the optional adjustment,
    the publication rule of § 14, targets for every leadership level (§ 13 Abs. 2), and no "Ab 0
    Beschäftigten". Before the fix the profile applied the Thuringian sections and citations."""
    document = draft_of(make_testamt(), tmp_path / "bund.docx", profile="bund")
    text = all_text(document)
    for absent in ("ThürGleichG", "50-%-Regel", "50 %", "Ab 0 Beschäftigten", "§ 4 Abs", "Zustimmung"):
        assert absent not in text, absent
    assert "Planzeitraum: 01.01.2026 bis 31.12.2029 (vier Jahre)" in text
    assert "Anpassung (möglich) zum Stichtag 30.06.2027" in text
    deadlines = dict(r for r in rows(table_after(document, "Fristen"))[1:])
    assert deadlines["Plan ist zu erstellen bis"] == "31.12.2025"
    assert (deadlines["Geltungsdauer ab"], deadlines["Geltungsdauer bis"]) == ("01.01.2026", "31.12.2029")
    assert deadlines["Berichtszeitraum von"] == "01.07.2021"  # the past four years (§ 13 Abs. 1)
    assert "im Intranet der Dienststelle zu veröffentlichen" in text and "(§ 14 BGleiG)" in text
    assert "Nach § 12 Abs. 1 BGleiG stellt jede Dienststelle einen Gleichstellungsplan für vier Jahre auf." in text
    assert "für jede Führungsebene (§ 13 Abs. 2 BGleiG)" in text
    assert "Unterrepräsentiert sind Frauen mit einem Anteil unter 50,00\u202f%, wenn zugleich mindestens 2 Männer " \
           "mehr beschäftigt sind (§ 3 Nr. 9 BGleiG)." in text


def test_sachsen_anhalt_draft_sizes_by_more_than_half(tmp_path):
    """FrFG LSA § 20 Abs. 3 Satz 2: more than half of the posts. Testamt's höherer Dienst with 8
    expected vacancies (4 women, 4 men, all shown): more than half is floor(8/2) + 1 = 5, where
    Thüringen's helper, at least half, is 8/2 = 4 (with 7 vacancies both give 4: the test could
    not tell them apart). A 13 (men underrepresented under Thüringen) has no verdict: only women count."""
    dataset = make_testamt()
    forecast = {**dataset.forecast, ("laufbahngruppe", "hoeherer"): Counts(4, 4)}
    dataset = dataclasses.replace(dataset, agency=dataclasses.replace(dataset.agency, type="ministerium"),
                                  forecast=forecast)
    document = draft_of(dataset, tmp_path / "lsa.docx", profile="sachsen-anhalt")
    text = all_text(document)
    assert "ThürGleichG" not in text and "50-%-Regel" not in text
    sizing = dict((r[0], r[1]) for r in rows(table_after(document, "Zielvorgabe Z1: Frauen im höheren Dienst"))[1:])
    assert sizing["Mehr als die Hälfte der frei werdenden Stellen für Frauen (nach § 20 Abs. 3 Satz 2 FrFG)"] == "5"
    assert "im Benehmen aufzustellen; zuständige Stelle: bestellte Gleichstellungsbeauftragte" in text
    thuringian = draft_of(dataset, tmp_path / "th.docx")
    sizing = dict((r[0], r[1]) for r in rows(table_after(thuringian, "Zielvorgabe Z1: Frauen im höheren Dienst"))[1:])
    assert sizing["Mindestens die Hälfte der frei werdenden Stellen für Frauen (Rechenhilfe, vom Gesetz nicht "
                  "vorgegeben)"] == "4"


def test_one_person_leadership_level_gets_no_verdict(tmp_path):
    """O5: a Dienststellenleitung of one man: the verdict "Frauen unterrepräsentiert" would tell the
    head's sex. Its row shows no count and no verdict, no sentence or Zielvorgabe names it, and the
    office is asked to decide on the small Bereiche itself. Before the fix the stock table kept it."""
    dataset = make_testamt()
    stock = dict(dataset.stock)
    stock[("fuehrungsebene", "dienststellenleitung")] = Counts(0, 1)
    document = draft_of(dataclasses.replace(dataset, stock=stock), tmp_path / "o5.docx")
    table = rows(table_after(document, "Führungsebene"))
    head = next(r for r in table if r[0] == "Dienststellenleitung")
    assert head[1:4] == [".", ".", "."] and head[-1] == "."
    text = "\n".join(paragraphs(document))
    assert "in der Dienststellenleitung" not in text
    assert "Zielvorgaben für die kleinen Bereiche" in text


def test_catalogue_covers_the_required_topics():
    from xl_gleichplan.schema import MEASURE_KINDS

    measures = draft_module.catalogue()
    assert len({m["id"] for m in measures}) == len(measures)
    assert {m["kind"] for m in measures} == set(MEASURE_KINDS)
    topics = " ".join(m["topic"] for m in measures)
    for topic in ("Vereinbarkeit von Beruf und Familie", "Pflege", "Teilzeit in Führungspositionen", "Mentoring"):
        assert topic in topics
    for sex in ("w", "m"):
        for leadership in (False, True):
            chosen = draft_module.choose_measures(measures, sex, leadership)
            assert {m["kind"] for m in chosen} == set(MEASURE_KINDS)


def test_full_time_equivalents_with_decimal_commas(tmp_path):
    import dataclasses
    from datetime import date

    from xl_gleichplan.analysis import analyse
    from xl_gleichplan.model import Agency, Counts, Dataset
    from xl_gleichplan.profiles import load_profile
    from xl_gleichplan.report.draft import write_draft

    profile = dataclasses.replace(load_profile(), count_basis="vzae")
    half = Fraction(1, 2)
    dataset = Dataset(Agency("VZÄ-Amt", "landesverwaltung"), date(2025, 6, 30), heads=70,
                      stock={("gesamt", "gesamt"): Counts(30 + half, 22 + half),
                             ("laufbahngruppe", "gehobener"): Counts(20 + half, 12 + half),
                             ("laufbahngruppe", "hoeherer"): Counts(10, 10)})
    write_draft(analyse(dataset, profile), tmp_path / "vz.docx")
    document = docx.Document(str(tmp_path / "vz.docx"))
    assert rows(table_after(document, "Laufbahngruppe"))[1:] == [
        ["gehobener Dienst", "20,50", "12,50", "33", f"62,12{NB}%", "Männer"],  # men 12,5/33 = 37,88 %
        ["höherer Dienst", "10", "10", "20", f"50,00{NB}%", ""],
        ["insgesamt", "30,50", "22,50", "53", f"57,55{NB}%", ""],
    ]
    assert (f"umfasste der Personalbestand 53 Vollzeitäquivalente (VZÄ), davon 30,50 VZÄ Frauen (57,55{NB}%) und "
            f"22,50 VZÄ Männer (42,45{NB}%).") in all_text(document)


# -- movement totals count everybody (issue 14) -------------------------------------------------

def test_movement_totals_count_divers_and_ohne_angabe(tmp_path):
    """Testamt with divers/ohne Angabe in the movement totals, counted by hand:
    Bewerbungen 21 W + 9 M + 2 d + 1 x = 33 (d + x = 3 is not below 3: named, total 33 not 30);
    Fortbildungen 10 W + 10 M + 1 d = 21: one person would follow from a total beside 10 and 10,
    so the total is not given and the sentence says why (before the fix: "Von den 20 ...")."""
    from xl_gleichplan.model import Counts

    ds = make_testamt()
    ds.movements[("bewerbung", "gesamt", "gesamt")] = Counts(21, 9, 2, 1)
    ds.movements[("fortbildung", "gesamt", "gesamt")] = Counts(10, 10, 1, 0)
    text = "\n".join(paragraphs(draft_of(ds, tmp_path / "entwurf.docx")))
    assert (f"Von den 33 Bewerbungen entfielen 21 auf Frauen (70,00{NB}%), 9 auf Männer (30,00{NB}%) und 3 auf "
            f"Personen mit dem Eintrag divers oder ohne Angabe.") in text
    assert (f"Von den Fortbildungen entfielen 10 auf Frauen (50,00{NB}%) und 10 auf Männer (50,00{NB}%); die Zahl "
            f"der Fälle mit dem Eintrag divers oder ohne Angabe und damit die Gesamtzahl werden aus "
            f"Datenschutzgründen nicht ausgewiesen.") in text
    assert "Von den 30 Bewerbungen" not in text and "Von den 20 Fortbildungen" not in text


def test_demo_movement_totals_equal_every_row_of_the_export(tmp_path):
    """The demo's Bewerbungen and Fortbildungen: the sentence's total is the number of rows of that
    kind in the export (counted here with the csv module, every sex), not women plus men."""
    import csv
    from collections import Counter

    from xl_gleichplan.cli import main

    assert main(["demo", "--out", str(tmp_path)]) == 0
    with open(tmp_path / "exporte" / "personalbewegungen.csv", encoding="utf-8-sig") as fh:
        rows_ = list(csv.DictReader(fh, delimiter=";"))
    every = Counter(r["vorgang"] for r in rows_)
    wm = Counter(r["vorgang"] for r in rows_ if r["geschlecht"] in ("w", "m"))
    text = "\n".join(paragraphs(docx.Document(str(tmp_path / "gleichstellungsplan_entwurf.docx"))))
    for kind, noun in (("bewerbung", "Bewerbungen"), ("fortbildung", "Fortbildungen")):
        assert every[kind] > wm[kind]  # the demo has divers/ohne Angabe among them
        assert f"Von den {every[kind]} {noun} entfielen" in text
        assert f"Von den {wm[kind]} {noun}" not in text


def test_title_page_says_how_many_cells_are_hidden_and_why(testamt_doc):
    """Issue 14: the note's total is the number of "." cells in all tables (counted here from the
    document), and its three reasons add up to it."""
    dots = sum(cell == "." for t in testamt_doc.tables for row in rows(t)[1:] for cell in row[1:])
    note = next(p for p in paragraphs(testamt_doc) if p.startswith("In den Tabellen dieses Entwurfs"))
    m = re.search(r"sind (\d+) Angaben .*: (\d+) Zahlen, die weniger als 3 .* (\d+) weitere Zahlen, .* und (\d+) "
                  r"Anteile", note)
    assert m, note
    total, rule, secondary, derived = map(int, m.groups())
    assert total == dots > 0 and rule + secondary + derived == total and rule > 0


# -- targets: one numbering, and a warning where a target does not fit (issue 14) -------------------

def test_targets_for_a_sex_that_is_not_underrepresented_are_flagged(testamt_doc):
    """Testamt, by hand: Z1 women in Abteilungsleitung (1 of 4 = 25 %: underrepresented, fits),
    Z2 women in Referatsleitung (3 of 7 = 42,86 %: not), Z3 women in the höherer Dienst (28,57 %:
    fits), Z4 men in the mittlerer Dienst (8 of 20 = exactly 40 %: not, the rule is strictly below)."""
    from xl_gleichplan.analysis import analyse
    from xl_gleichplan.profiles import load_profile

    warned = [f for f in analyse(make_testamt(), load_profile()).findings if f.sheet == "Zielvorgaben"]
    assert [f.message.split()[1] for f in warned] == ["Z2", "Z4"]
    assert all(f.severity == "warning" and "nicht unterrepräsentiert" in f.message for f in warned)
    assert "Hinweis: Bei Z2 und Z4 ist das Geschlecht" in "\n".join(paragraphs(testamt_doc))


def test_new_targets_are_numbered_like_the_previous_plans(testamt_doc):
    """Section 5 numbers its Zielvorgaben Z1, Z2, ... as section 6 lists the previous plan's."""
    level2 = [p.text for p in testamt_doc.paragraphs if p.style.name == "Heading 2"]
    numbered = [t for t in level2 if t.startswith("Zielvorgabe ")]
    assert numbered and all(re.match(rf"Zielvorgabe Z{i}: ", t) for i, t in enumerate(numbered, 1))
    assert rows(table_after(testamt_doc, "6. Bericht über die Zielerreichung"))[0][:5] == \
        ["Nr.", "Bereich", "für", "Ziel", "Ist"]


def test_committee_totals_count_every_member(tmp_path):
    """Issue 14, by hand: Personalrat 5 W, 4 M and 3 divers = 12 members (was "zusammen 9");
    Auswahlkommission 1 W, 4 M, 1 ohne Angabe: W = 1 and d/x = 1 are below 3, so they and the total
    are hidden (4 men shown; the three hidden cells keep the row sum open)."""
    from xl_gleichplan.model import Counts

    ds = make_testamt()
    ds.committees["Personalrat"] = Counts(5, 4, 3, 0)
    ds.committees["Auswahlkommission"] = Counts(1, 4, 0, 1)
    table = rows(table_after(draft_of(ds, tmp_path / "entwurf.docx"), "Gremien"))
    assert table[0][:5] == ["Bereich", "Frauen", "Männer", "divers/ o. A.", "gesamt"]
    assert table[1:] == [["Personalrat", "5", "4", "3", "12", f"55,56{NB}%", ""],
                         ["Auswahlkommission", ".", "4", ".", ".", ".", "Frauen"]]
