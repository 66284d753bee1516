"""The Erhebungsbogen: a statistics workbook that works in Excel without Python.

Built from the sheet declarations in ``schema.SHEETS`` and the law profile: input cells unlocked,
formula columns locked (sheet protection without a password), drop-down lists for codes, the
profile's parameters as named cells on the metadata sheet, so the formulas show every verdict as
the agency types.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from lxml import etree
from openpyxl import Workbook
from openpyxl.cell._writer import write_cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.xml.functions import xmlfile

from .. import __version__
from ..errors import GleichplanError
from ..model import Agency
from ..profiles import Profile, load_profile
from ..texts import PROCEDURE, deadline_labels
from ..schema import (DIMENSIONS, DOCUMENT_TYPE, FIRST_DATA_ROW, HEADER_ROW, INSTRUCTIONS_SHEET,
                      LEADERSHIP_LEVELS, MEASURE_KINDS, METADATA_SHEET, MOVEMENT_KINDS, OVERVIEW_SHEET,
                      PARAMETERS, SHEETS, TEMPLATE_VERSION, VALUES, VERDICT, VERDICT_BEREICH, Sheet, area_label,
                      parameter_values)
from ..texts import APPROVAL, count_word
from .atomic import atomic_path
from .ooxml import make_reproducible, put, write_reproducible
from .printing import print_setup, row_height

INPUT_FILL = PatternFill("solid", fgColor="FFFFFFFF")
FORMULA_FILL = PatternFill("solid", fgColor="FFE7E6E6")
HEADER_FILL = PatternFill("solid", fgColor="FF1F4E79")
FLAG_FILL = PatternFill("solid", fgColor="FFF8CBAD")
THIN = Side(style="thin", color="FFBFBFBF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)
PERCENT = "0.00%"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

# The usual pay groups offered by the template (the user's data may add others).
PAY_GROUPS = ([f"A {n}" for n in range(5, 17)] + ["B 1", "B 2", "B 3"] + ["R 1", "R 2", "R 3"]
              + ["W 2", "W 3"] + [f"E {n}" for n in range(1, 9)] + ["E 9a", "E 9b", "E 9c"]
              + [f"E {n}" for n in range(10, 16)])

# (metadata key, German label, named cell or None, editable by the agency)
META_FIELDS = [
    ("dokumenttyp", "Dokumenttyp", None, False),
    ("vorlagenversion", "Vorlagenversion", "GP_VERSION", False),
    ("generator", "erstellt mit", None, False),
    ("profil", "Rechtsprofil", None, False),
    ("rechtsgrundlage", "Rechtsgrundlage", None, False),
    ("dienststelle", "Dienststelle", "GP_DIENSTSTELLE", True),
    ("art", "Art der Dienststelle", "GP_ART", True),
    ("uebergeordnet", "übergeordnete Dienststelle", "GP_UEBERGEORDNET", True),
    ("stichtag", "Stichtag", "GP_STICHTAG", True),
    ("zeitraum_von", "Berichtszeitraum von", "GP_ZEITRAUM_VON", True),
    ("zeitraum_bis", "Berichtszeitraum bis", "GP_ZEITRAUM_BIS", True),
]
def prefilled_rows(key: str, profile: Profile) -> list[tuple]:
    """The Bereiche a fresh template offers on each input sheet (labels, as a clerk reads them)."""
    lab = lambda d, a: (DIMENSIONS[d], area_label(d, a))  # noqa: E731
    stock = [lab("gesamt", "gesamt")]
    stock += [lab("statusgruppe", a) for a in VALUES["statusgruppe"]]
    stock += [lab("laufbahngruppe", a) for a in profile.career_groups]
    stock += [(DIMENSIONS["besoldungs_entgeltgruppe"], g) for g in PAY_GROUPS]
    stock += [lab("fuehrungsebene", a) for a in LEADERSHIP_LEVELS]
    stock += [lab(d, a) for d in ("arbeitszeit", "beurlaubung", "befristet") for a in VALUES[d]]
    if key == "stock":
        return stock
    if key == "forecast":
        return [lab("gesamt", "gesamt"), *[lab("laufbahngruppe", a) for a in profile.career_groups],
                *[lab("fuehrungsebene", a) for a in LEADERSHIP_LEVELS]]
    if key == "movements":
        rows = []
        for kind, label in MOVEMENT_KINDS.items():
            rows += [(label, *lab("gesamt", "gesamt"))] + [(label, *lab("laufbahngruppe", a)) for a in profile.career_groups]
            if kind in ("befoerderung", "hoehergruppierung", "fortbildung"):
                rows += [(label, *lab(d, a)) for d in ("arbeitszeit", "beurlaubung") for a in VALUES[d]]
        return rows
    if key == "postings":
        return [lab("gesamt", "gesamt"), *[lab("laufbahngruppe", a) for a in profile.career_groups]]
    return []


def capacity(sheet: Sheet, profile: Profile, key: str) -> int:
    return len(prefilled_rows(key, profile)) + sheet.free_rows


def _resolve(formula: str, sheet: Sheet, row: int, profile: Profile) -> str:
    if formula == VERDICT and any(c.code == "dimension" for c in sheet.columns):
        formula = VERDICT_BEREICH
    den = "N({w})+N({m})" if profile.share_basis == "w_m" else "N({w})+N({m})+N({d})+N({x})"
    formula = formula.replace("{den}", den).replace("{op}", "<" if profile.comparison == "lt" else "<=")
    return re.sub(r"\{(\w+)\}", lambda m: f"{sheet.letter(m.group(1))}{row}", formula)


def _title(ws, title: str, hint: str) -> None:
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14, color="FF1F4E79")
    ws["A2"] = hint
    ws["A2"].font = Font(italic=True, color="FF595959")


def _lists(wb: Workbook, profile: Profile) -> dict[str, str]:
    """Drop-down lists live on the metadata sheet; returns list name -> range formula."""
    ws = wb[METADATA_SHEET]
    lists = {
        "dimension": list(DIMENSIONS.values()),
        "kind": list(MOVEMENT_KINDS.values()),
        "sex": ["Frauen", "Männer"],
        "yesno": ["ja", "nein"],
        "measure_kind": list(MEASURE_KINDS.values()),
        "art": [route.label for route in profile.routing.values()],  # German labels; the reader maps them back
        "bereiche": [DIMENSIONS[d] for d in profile.bereich_dimensions if d in DIMENSIONS],
    }
    refs, col = {}, 8  # column H onwards, out of the way of the metadata table
    for i, (name, values) in enumerate(lists.items()):
        letter = chr(ord("H") + i)
        ws[f"{letter}1"] = f"Liste {name}"
        ws[f"{letter}1"].font = Font(bold=True, color="FF7F7F7F")
        for r, value in enumerate(values, start=2):
            ws[f"{letter}{r}"] = value
        refs[name] = f"{METADATA_SHEET}!${letter}$2:${letter}${len(values) + 1}"
        ws.column_dimensions[letter].hidden = True
    wb.defined_names["GP_BEREICHE"] = DefinedName("GP_BEREICHE", attr_text=refs["bereiche"])
    return refs


def _input_sheet(wb: Workbook, key: str, profile: Profile, lists: dict[str, str]) -> None:
    sheet = SHEETS[key]
    ws = wb.create_sheet(sheet.name)
    _title(ws, sheet.title, sheet.hint)
    rows = prefilled_rows(key, profile)
    for i, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(HEADER_ROW, i, col.label)
        cell.font = Font(bold=True, color="FFFFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.border = BORDER
        # wide enough for the longest word of the bold header and for the prefilled labels
        longest = max((len(str(v[i - 1])) for v in rows if len(v) >= i), default=0)
        ws.column_dimensions[sheet.letter(col.code)].width = max(
            col.width, max(map(len, col.label.split())) + 3, min(longest + 2, 36))
    ws.row_dimensions[HEADER_ROW].height = 45  # three lines of header text
    last = FIRST_DATA_ROW + capacity(sheet, profile, key) - 1
    for r in range(FIRST_DATA_ROW, last + 1):
        values = rows[r - FIRST_DATA_ROW] if r - FIRST_DATA_ROW < len(rows) else ()
        for i, col in enumerate(sheet.columns, start=1):
            cell = ws.cell(r, i)
            cell.border = BORDER
            if col.kind == "formula":
                cell.value = _resolve(col.formula, sheet, r, profile)
                cell.fill = FORMULA_FILL
                if col.code.startswith("share"):
                    cell.number_format = PERCENT
            else:
                cell.protection = UNLOCKED
                if i <= len(values):
                    cell.value = values[i - 1]
                if col.kind == "date":
                    cell.number_format = "DD.MM.YYYY"
    for col in sheet.columns:
        rng = f"{sheet.letter(col.code)}{FIRST_DATA_ROW}:{sheet.letter(col.code)}{last}"
        if col.kind in lists:
            dv = DataValidation(type="list", formula1=f"={lists[col.kind]}", allow_blank=True,
                                error="Bitte einen Wert aus der Liste wählen.", errorTitle="Ungültiger Wert",
                                showErrorMessage=True)
        elif col.kind == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                error="Bitte eine ganze Zahl ab 0 eintragen (keine Namen, nur Anzahlen).",
                                errorTitle="Nur Anzahlen", showErrorMessage=True)
        elif col.kind == "date":
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True,
                                error="Bitte ein Datum eintragen (TT.MM.JJJJ).", errorTitle="Datum",
                                showErrorMessage=True)
        else:
            continue
        ws.add_data_validation(dv)
        dv.add(rng)
    codes = [c.code for c in sheet.columns]
    if "verdict" in codes:
        v = f"${sheet.letter('verdict')}{FIRST_DATA_ROW}"
        ws.conditional_formatting.add(
            f"{sheet.letter('share_w')}{FIRST_DATA_ROW}:{sheet.letter('verdict')}{last}",
            FormulaRule(formula=[f'{v}<>""'], fill=FLAG_FILL, font=Font(bold=True, color="FF9C0006")))
    if "part_time_w" in codes:  # "davon" may not exceed the count it belongs to
        for part, whole in (("part_time_w", "w"), ("part_time_m", "m"), ("on_leave_w", "w"), ("on_leave_m", "m")):
            p, w = sheet.letter(part), sheet.letter(whole)
            ws.conditional_formatting.add(f"{p}{FIRST_DATA_ROW}:{p}{last}", FormulaRule(
                formula=[f"N(${p}{FIRST_DATA_ROW})>N(${w}{FIRST_DATA_ROW})"], fill=FLAG_FILL))
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 3 if key != "committees" else 2)
    print_setup(ws, f"${HEADER_ROW}:${HEADER_ROW}", len(sheet.columns), last)
    ws.protection.sheet = True  # no password: protects the formulas, never locks the office out
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    wb.defined_names[f"GP_{key.upper()}"] = DefinedName(
        f"GP_{key.upper()}", attr_text=f"'{sheet.name}'!$A${FIRST_DATA_ROW}:${sheet.letter(codes[-1])}${last}")


def metadata_values(profile: Profile, agency: Agency, stichtag: date) -> dict:
    """The value of each of META_FIELDS; only the editable ones depend on the agency and Stichtag."""
    from ..rules.deadlines import deadlines

    dl = deadlines(stichtag, profile)
    # "art" as the German label of the canonical type (landtag -> oberste Landesbehörde): VLOOKUP into
    # GP_ROUTING (first column: the label) and the drop-down list know no aliases
    return {"dokumenttyp": DOCUMENT_TYPE, "vorlagenversion": TEMPLATE_VERSION,
            "generator": f"xl-gleichplan {__version__}", "profil": profile.id, "rechtsgrundlage": profile.legal_basis,
            "dienststelle": agency.name, "art": profile.route(agency.type).label, "uebergeordnet": agency.parent or "",
            "stichtag": stichtag, "zeitraum_von": dl.flow_window_start, "zeitraum_bis": dl.flow_window_end}


def _metadata(wb: Workbook, profile: Profile, agency: Agency, stichtag: date) -> None:
    ws = wb.create_sheet(METADATA_SHEET)
    values = metadata_values(profile, agency, stichtag)
    ws["A1"], ws["B1"], ws["C1"] = "Schlüssel", "Angabe", "Wert"
    for c in ("A1", "B1", "C1"):
        ws[c].font = Font(bold=True)
    row = 2
    for key, label, name, editable in META_FIELDS:
        ws.cell(row, 1, key), ws.cell(row, 2, label)
        cell = put(ws, row, 3, values[key])
        if isinstance(values[key], date):
            cell.number_format = "DD.MM.YYYY"
        if editable:
            cell.protection = UNLOCKED
            cell.fill = PatternFill("solid", fgColor="FFFFF2CC")
        if name:
            wb.defined_names[name] = DefinedName(name, attr_text=f"{METADATA_SHEET}!$C${row}")
        row += 1
    row += 1
    ws.cell(row, 1, "Parameter des Rechtsprofils").font = Font(bold=True)
    row += 1
    params = parameter_values(profile)
    for key, label, name in PARAMETERS:
        ws.cell(row, 1, key), ws.cell(row, 2, label), ws.cell(row, 3, params[key])
        wb.defined_names[name] = DefinedName(name, attr_text=f"{METADATA_SHEET}!$C${row}")
        row += 1
    row += 1
    ws.cell(row, 1, f"Zuständigkeiten ({profile.cite('approval') or profile.legal_basis})").font = Font(bold=True)
    row += 1
    first = row
    for route in profile.routing.values():
        procedure = PROCEDURE.get(route.procedure, route.procedure)
        for i, value in enumerate((route.label, route.type, route.body, procedure, route.leadership_approver), 1):
            put(ws, row, i, value)
        row += 1
    wb.defined_names["GP_ROUTING"] = DefinedName("GP_ROUTING", attr_text=f"{METADATA_SHEET}!$A${first}:$E${row - 1}")
    for letter, width in (("A", 22), ("B", 44), ("C", 40), ("D", 40), ("E", 60)):
        ws.column_dimensions[letter].width = width
    print_setup(ws, columns=5, rows=row - 1)  # one page wide, not one portrait page per column
    ws.protection.sheet = True


def _overview(wb: Workbook, profile: Profile) -> None:
    """Live verdicts of the whole Dienststelle, as Excel formulas over the input sheets."""
    ws = wb.create_sheet(OVERVIEW_SHEET, 1)
    _title(ws, "Übersicht", "Diese Seite rechnet Excel selbst aus den Eingaben; sie braucht kein Python.")
    st, tg = SHEETS["stock"], SHEETS["targets"]
    n = FIRST_DATA_ROW + capacity(st, profile, "stock") - 1
    t_last = FIRST_DATA_ROW + capacity(tg, profile, "targets") - 1
    col = lambda s, code, last: f"'{s.name}'!${s.letter(code)}${FIRST_DATA_ROW}:${s.letter(code)}${last}"  # noqa: E731
    dim, total = col(st, "dimension", n), col(st, "total", n)
    lead, target, achieved = col(tg, "leadership", t_last), col(tg, "target", t_last), col(tg, "achieved", t_last)
    met, capped = col(tg, "met", t_last), col(tg, "capped", t_last)
    # a leadership target: "Führungsposition" says ja, or is left empty in the dimension Führungsebene
    # (as the reader counts it), with a target above 0
    deadline = col(tg, "deadline", t_last)
    # ... and due by the Stichtag: a target due later is not yet assessable (rules.leadership)
    is_lead = (f"((({lead}=\"ja\")+(({lead}=\"\")*({col(tg, 'dimension', t_last)}=\"{DIMENSIONS['fuehrungsebene']}\")))>0)"
               f"*ISNUMBER({target})*({target}>0)*((({deadline}=\"\")+({deadline}<=GP_STICHTAG))>0)")
    gesamt = DIMENSIONS["gesamt"]
    due = "IF(GP_FRIST_ART=\"monatsende\",EOMONTH({d},GP_FRIST_MONATE),EDATE({d},GP_FRIST_MONATE))"
    rows = [
        ("staff", "Beschäftigte (Köpfe)", f"=SUMIFS({total},{dim},\"{gesamt}\")", None),
        ("plan_required", "Planpflicht", "=IF(<staff> >=GP_MIN_PERSONAL,\"ja\",\"nein\")", None),
        ("share_women", "Frauenanteil insgesamt",
         f"=IF(SUMIFS({col(st, 'w', n)},{dim},\"{gesamt}\")+SUMIFS({col(st, 'm', n)},{dim},\"{gesamt}\")=0,\"\","
         f"SUMIFS({col(st, 'w', n)},{dim},\"{gesamt}\")/(SUMIFS({col(st, 'w', n)},{dim},\"{gesamt}\")"
         f"+SUMIFS({col(st, 'm', n)},{dim},\"{gesamt}\")))", PERCENT),
        ("areas_women", "Bereiche mit unterrepräsentierten Frauen", f"=COUNTIF({col(st, 'verdict', n)},\"Frauen\")", None),
        ("areas_men", "Bereiche mit unterrepräsentierten Männern", f"=COUNTIF({col(st, 'verdict', n)},\"Männer\")", None),
        ("stichtag", "Stichtag", "=GP_STICHTAG", "DD.MM.YYYY"),
        ("flow_window_start", "Berichtszeitraum von", "=EDATE(GP_STICHTAG,-12*GP_FENSTER_JAHRE)+1", "DD.MM.YYYY"),
        ("flow_window_end", "Berichtszeitraum bis", "=GP_STICHTAG", "DD.MM.YYYY"),
        ("plan_due", "Plan fällig bis", "=" + due.format(d="GP_STICHTAG"), "DD.MM.YYYY"),
        ("adjustment_stichtag", "Stichtag der Anpassung", "=EDATE(GP_STICHTAG,12*GP_ANPASSUNG_JAHRE)", "DD.MM.YYYY"),
        ("adjustment_due", "Anpassung fällig bis", "=" + due.format(d="<adjustment_stichtag>"), "DD.MM.YYYY"),
        ("next_plan_stichtag", "Stichtag des nächsten Plans", "=EDATE(GP_STICHTAG,12*GP_PLAN_JAHRE)", "DD.MM.YYYY"),
        ("approval_body", "zuständige Stelle", "=IFERROR(VLOOKUP(GP_ART,GP_ROUTING,3,FALSE),\"Art der Dienststelle prüfen\")", None),
        ("approval_procedure", "Verfahren", "=IFERROR(VLOOKUP(GP_ART,GP_ROUTING,4,FALSE),\"\")", None),
        ("lead_targets", "Führungs-Zielvorgaben", f"=SUMPRODUCT({is_lead})", None),
        ("lead_assessed", "davon bewertet", f"=SUMPRODUCT({is_lead}*({achieved}<>\"\"))", None),
        ("count_reading", "I1: vollständig erreichte Zielvorgaben",
         f"=IF(OR(<lead_targets>=0,<lead_assessed>=0),\"\",SUMPRODUCT({is_lead}*({met}=\"ja\"))/<lead_targets>)", PERCENT),
        ("volume_reading", "I2: erreichter Umfang",
         f"=IF(OR(<lead_targets>=0,<lead_assessed>=0),\"\",SUMPRODUCT({is_lead},{capped})/SUMPRODUCT({is_lead},{target}))",
         PERCENT),
        ("approval_required", f"{profile.cite('leadership_rule')}: Regel für Führungspositionen",
         f"=IF(<count_reading>=\"\",\"{APPROVAL[None]}\",IF(IF(GP_LESART=\"volumen\",<volume_reading>,<count_reading>)"
         f"<GP_FUEHRUNG_SCHWELLE,\"{APPROVAL[True]}\",\"{APPROVAL[False]}\"))", None),
        ("approver", "zuständig, solange die Regel greift", "=IFERROR(VLOOKUP(GP_ART,GP_ROUTING,5,FALSE),\"\")", None),
    ]
    # the profile's parts only: no leadership rule or adjustment where the law has none, its own due words
    dropped = set() if profile.has("leadership_rule") else {"lead_targets", "lead_assessed", "count_reading",
                                                             "volume_reading", "approval_required", "approver"}
    if profile.adjustment == "keine":
        dropped |= {"adjustment_stichtag", "adjustment_due"}
    labels = dict(deadline_labels(profile))
    rows = [(code, labels.get(code, label), formula, fmt) for code, label, formula, fmt in rows if code not in dropped]
    at = {code: f"B{FIRST_DATA_ROW + i}" for i, (code, *_) in enumerate(rows)}
    for i, (code, label, formula, fmt) in enumerate(rows, start=FIRST_DATA_ROW):
        ws.cell(i, 1, label).font = Font(bold=True)
        cell = ws.cell(i, 2, re.sub(r"<(\w+)> ?", lambda m: at[m.group(1)], formula))
        cell.fill = FORMULA_FILL
        cell.alignment = Alignment(horizontal="left")  # numbers next to their labels, not across the wide column
        if fmt:
            cell.number_format = fmt
        ws.cell(i, 3, code).font = Font(color="FFA6A6A6")
    ws.column_dimensions["A"].width = 48
    # the approval body and approver are shown in full (they are looked up from the routing table)
    ws.column_dimensions["B"].width = min(max(34, *(len(t) + 2 for r in profile.routing.values()
                                                     for t in (r.body, r.leadership_approver))), 90)
    # column C keys each row for scripts and tests; hidden, since a clerk has no use for English keys
    ws.column_dimensions["C"].hidden = True
    print_setup(ws, columns=2, rows=FIRST_DATA_ROW + len(rows) - 1)
    ws.protection.sheet = True


INSTRUCTIONS = [
    "So füllen Sie den Erhebungsbogen aus",
    "",
    "1. Prüfen Sie auf dem Blatt „Metadaten“ die gelb markierten Angaben: Name und Art der Dienststelle, "
    "übergeordnete Dienststelle und Stichtag.",
    "2. Tragen Sie auf den weißen Feldern der Eingabeblätter nur Anzahlen ein – niemals Namen, Personalnummern "
    "oder Geburtsdaten. Der Plan darf keine personenbezogenen Daten enthalten{no_personal_data}.",
    "3. „Bestand“: Beschäftigte am Stichtag je Bereich nach Geschlecht (Köpfe). Die Zeile „Beschäftigte "
    "insgesamt“ enthält alle Beschäftigten; jede weitere Zeile einen Bereich (Statusgruppe, Laufbahngruppe, "
    "Besoldungs- oder Entgeltgruppe, Fachrichtung, Wertebene, Führungsebene, Arbeitszeit, Beurlaubung, Befristung).",
    "   Fehlt ein Bereich, tragen Sie ihn in einer freien Zeile ein: Dimension aus der Liste wählen, Bereich schreiben.",
    "4. „Bewegungen“: Bewerbungen, Einstellungen, Beförderungen, Höhergruppierungen und Fortbildungen im "
    "Berichtszeitraum ({window} bis zum Stichtag). „Ausschreibungen“: Zahl der Stellenausschreibungen.",
    "5. „Gremien“: Mitglieder je Gremium am Stichtag. „Prognose“: erwartete Abgänge im Planzeitraum.",
    "6. „Zielvorgaben“ und „Maßnahmen“: für jeden Bereich, in dem ein Geschlecht unterrepräsentiert ist.",
    "",
    "Graue Spalten und das Blatt „Übersicht“ rechnet Excel selbst: Anteile, Unterrepräsentanz (orange markiert), "
    "Fristen{leadership_rule}. Diese Zellen sind geschützt; der Blattschutz "
    "hat kein Kennwort (Überprüfen > Blattschutz aufheben), ändern Sie dort aber bitte nichts.",
    "",
    "Senden Sie die ausgefüllte Datei an die übergeordnete Dienststelle zurück. Mit xl-gleichplan lässt sich "
    "die Datei prüfen (xl-gleichplan check DATEI) und der Planentwurf erstellen (xl-gleichplan plan DATEI).",
]


def _instructions(wb: Workbook, profile: Profile) -> None:
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    ws["A1"] = f"Erhebungsbogen Gleichstellungsplan – {profile.name}"
    ws["A1"].font = Font(bold=True, size=14, color="FF1F4E79")
    width = 110
    # the title wraps in its column: the page ends there, a longer line would be cut mid-word
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[1].height = row_height([(ws["A1"].value, width)], size=16)
    cites = {"no_personal_data": f" ({profile.cite('no_personal_data')})" if profile.cite("no_personal_data") else "",
             "leadership_rule": f" und die 50-%-Regel für Führungspositionen ({profile.cite('leadership_rule')})"
             if profile.has("leadership_rule") else "",
             "window": "das Jahr" if (years := profile.flow_window_years) == 1 else f"die {count_word(years)} Jahre"}
    for i, line in enumerate(line.format(**cites) for line in INSTRUCTIONS):
        i += 3
        ws.cell(i, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = row_height([(line, width)])
    ws["A3"].font = Font(bold=True, size=12)
    ws.row_dimensions[3].height = 18
    ws.column_dimensions["A"].width = width
    print_setup(ws, columns=1, rows=2 + len(INSTRUCTIONS))
    ws.protection.sheet = True


def build_template(profile: Profile, agency: Agency, stichtag: date) -> Workbook:
    wb = Workbook()
    _instructions(wb, profile)
    _metadata(wb, profile, agency, stichtag)
    lists = _lists(wb, profile)
    for key in SHEETS:
        _input_sheet(wb, key, profile, lists)
    _overview(wb, profile)
    meta = wb[METADATA_SHEET]
    wb.move_sheet(meta, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(METADATA_SHEET))
    art = DataValidation(type="list", formula1=f"={lists['art']}", allow_blank=False, showErrorMessage=True,
                         error="Bitte eine Art aus der Liste wählen.", errorTitle="Art der Dienststelle")
    meta.add_data_validation(art)
    art.add(wb.defined_names["GP_ART"].attr_text.split("!")[1].replace("$", ""))
    wb.properties.creator = "xl-gleichplan"
    wb.properties.created = datetime(stichtag.year, stichtag.month, stichtag.day)
    return wb


def write_template(path: str | Path, profile: Profile, agency: Agency, stichtag: date) -> Path:
    """Write a template atomically; the same arguments always give the same bytes, the bytes
    ``build_template_file`` writes. Fast path: the profile's standard template (the checked-in one
    in workbook_templates/, or the first one this process built) with its metadata cells
    rewritten, every other part copied; anything it cannot vouch for goes to the builder."""
    values = metadata_values(profile, agency, stichtag)  # an unknown Art fails here, before anything is written
    base = _base(profile)
    parts = _patched(base, values) if base is not None else None
    if parts is None:
        written = build_template_file(path, profile, agency, stichtag)
        _BASES[profile.id] = (profile, _read_parts(written))
        return written
    with atomic_path(path) as tmp:
        write_reproducible(tmp, parts, _stamp(stichtag))
    return Path(path)


def build_template_file(path: str | Path, profile: Profile, agency: Agency, stichtag: date) -> Path:
    """Build a template with openpyxl and write it atomically (the reference ``write_template``
    copies; workbook_templates/regenerate.py writes the checked-in files with it)."""
    wb = build_template(profile, agency, stichtag)
    with atomic_path(path) as tmp:
        wb.save(tmp)
        make_reproducible(tmp, _stamp(stichtag))
    return Path(path)


def _stamp(stichtag: date) -> str:
    return f"{stichtag:%Y-%m-%d}T00:00:00Z"  # the builder's created date (the Stichtag, midnight)


# ---------------------------------------------------------------------------- the fast path

SHIPPED = Path(__file__).resolve().parents[2] / "workbook_templates"  # present in a source checkout
_BASES: dict[str, tuple[Profile, list[tuple[str, bytes]]]] = {}  # profile id -> (profile, parts of a template)


def _read_parts(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return [(info.filename, zf.read(info)) for info in zf.infolist()]


def _base(profile: Profile) -> list[tuple[str, bytes]] | None:
    """The parts of a template of exactly this profile, or None."""
    known = _BASES.get(profile.id)
    if known is not None and known[0] == profile:
        return known[1]
    try:
        packaged = load_profile(profile.id) == profile  # an office's own .toml may reuse a packaged id
    except GleichplanError:
        packaged = False
    shipped = SHIPPED / f"erhebungsbogen_{profile.id}.xlsx"
    if not packaged or not shipped.is_file():
        return None
    _BASES[profile.id] = (profile, _read_parts(shipped))
    return _BASES[profile.id][1]


def _cell_xml(row: int, col: int, value) -> bytes:
    """A cell as openpyxl's own writer writes it, without its style (``put`` decides the type)."""
    global _SCRATCH
    if _SCRATCH is None:
        _SCRATCH = Workbook().active
    cell = put(_SCRATCH, row, col, value)  # refuses what openpyxl refuses (control characters)
    out = io.BytesIO()
    with xmlfile(out) as xf:
        write_cell(xf, _SCRATCH, cell, styled=False)
    return out.getvalue()


_SCRATCH = None


def _patched(parts: list[tuple[str, bytes]], values: dict) -> list[tuple[str, bytes]] | None:
    """The parts with the metadata sheet's value cells rewritten; None when the parts are not a
    template of this version and profile: a cell not found exactly once, or a fixed field (version,
    generator, profile, legal basis) not holding the value it would get."""
    sheet = _metadata_part(dict(parts))
    if sheet is None:
        return None
    xml = dict(parts)[sheet]
    for row, (key, _label, _name, editable) in enumerate(META_FIELDS, start=2):
        found = list(re.finditer(rb'<c r="C%d"( s="[0-9]+")?[^>]*?(?:/>|>.*?</c>)' % row, xml, re.DOTALL))
        if len(found) != 1:
            return None
        new = _cell_xml(row, 3, values[key])
        new = new.replace(b'<c r="C%d"' % row, b'<c r="C%d"' % row + (found[0].group(1) or b""), 1)
        if not editable and new != found[0].group(0):
            return None
        xml = xml[:found[0].start()] + new + xml[found[0].end():]
    return [(name, xml if name == sheet else data) for name, data in parts]


def _metadata_part(parts: dict[str, bytes]) -> str | None:
    """The part name of the metadata sheet, through the workbook and its relationships."""
    try:
        book = etree.fromstring(parts["xl/workbook.xml"])
        rels = etree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    except (KeyError, etree.XMLSyntaxError):
        return None
    ids = [s.get(f"{{{REL_NS}}}id") for s in book.iter(f"{{{SHEET_NS}}}sheet") if s.get("name") == METADATA_SHEET]
    targets = [r.get("Target") for r in rels if ids and r.get("Id") == ids[0]]
    if len(ids) != 1 or len(targets) != 1:
        return None
    name = posixpath.normpath(targets[0].lstrip("/") if targets[0].startswith("/") else "xl/" + targets[0])
    return name if name in parts else None
