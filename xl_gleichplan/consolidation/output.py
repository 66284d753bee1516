"""The summary workbook and the JSON of a consolidation.

Written with openpyxl in write-only mode (rows stream to disk), except the data rows of the two
largest tables (Dienststellen, Bereiche), which ``_RawRows`` writes as sheet XML and
``make_reproducible`` puts into their sheets: the same inputs and the same ``--today`` give the
same bytes. Every
table is sorted (tree order, then path), so the order in which worker processes finish never shows.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from ..io.atomic import atomic_path, write_text
from ..io.ooxml import make_reproducible
from ..io.printing import print_setup, row_height
from ..io.vocabulary import writable
from ..schema import DIMENSIONS, LEADERSHIP_LEVELS, VERDICT_LABELS, area_label
from ..texts import APPROVAL, SEVERITY, fmt_date, fmt_pct
from .hierarchy import ALL

HEADER_FONT = Font(bold=True, color="FFFFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="FF1F4E79")
TITLE_FONT = Font(bold=True, size=14, color="FF1F4E79")
BOLD = Font(bold=True)
PERCENT, DATE = "0.00%", "DD.MM.YYYY"
STATUS = {"no_duty": "keine Planpflicht", "open": "Frist läuft", "overdue": "überfällig",
          "not_required": "keine Anpassungspflicht"}
FILE_STATUS = {"processed": "gelesen", "skipped": "übersprungen", "failed": "nicht gelesen", "note": "Zusammenführung"}
SEX_COLUMNS = ("Frauen", "Männer", "divers", "ohne Angabe")
LEADERSHIP_AREAS = frozenset(LEADERSHIP_LEVELS)


def write_workbook(c, path: Path) -> Path:
    wb = Workbook(write_only=True)
    wb.properties.creator = "xl-gleichplan"
    _overview(wb, c)
    agencies = _agencies(wb, c)
    _rollups(wb, c)
    areas = _areas(wb, c)
    _findings(wb, c)
    _history(wb, c)
    _leadership(wb, c)
    with atomic_path(path) as tmp:
        wb.save(tmp)
        make_reproducible(tmp, f"{c.today:%Y-%m-%d}T00:00:00Z", {t.part: t.insert for t in (agencies, areas)})
    return path


class _RawRows:
    """The data rows of a large table as sheet XML, put into the saved sheet part after its header
    (``make_reproducible``): openpyxl takes about 10 µs to write a cell, and a thousand agencies'
    Bereiche are 125,000 cells. Takes what ``_cell`` gives; a text is always an inline string, so a
    name from an input never becomes a formula here either."""

    def __init__(self, wb, ws, header_row: int):
        self.part = f"xl/worksheets/sheet{wb.worksheets.index(ws) + 1}.xml"
        self.row, self.rows, self.epoch = header_row, [], wb.epoch

    def append(self, values) -> None:
        self.row += 1
        r = self.row
        cells = []
        for col, value in enumerate(values, start=1):
            style = ""
            if isinstance(value, Cell):
                style = f' s="{value.style_id}"' if value.has_style else ""
                value = value.value
            elif hasattr(value, "item"):  # a numpy number from a DataFrame
                value = value.item()
            ref = f"{_LETTERS[col]}{r}"
            kind = type(value)
            if value is None:
                if style:
                    cells.append(f'<c r="{ref}"{style}/>')
            elif kind is str and not value:
                cells.append(f'<c r="{ref}"{style} t="inlineStr"/>')  # as openpyxl writes it
            elif kind is str:
                space = ' xml:space="preserve"' if value != value.strip() else ""
                cells.append(f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{_escape(value)}</t></is></c>')
            elif kind is bool:
                cells.append(f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>')
            elif kind is int or kind is float:
                cells.append(f'<c r="{ref}"{style} t="n"><v>{safe_string(value)}</v></c>')
            elif isinstance(value, date):
                cells.append(f'<c r="{ref}"{style} t="n"><v>{safe_string(to_excel(value, self.epoch))}</v></c>')
            else:
                raise TypeError(f"unexpected cell value {type(value).__name__}")
        self.rows.append(f'<row r="{r}">{"".join(cells)}</row>')

    def insert(self, part: bytes) -> bytes:
        at = part.rindex(b"</sheetData>")
        return part[:at] + "".join(self.rows).encode("utf-8") + part[at:]


_LETTERS = [""] + [get_column_letter(i) for i in range(1, 100)]


def _escape(text: str) -> str:
    """As openpyxl writes a text (via ``_cell``): at most 32,767 characters (Excel's limit; openpyxl cuts
    there), a carriage return as a reference (a parser reads a raw one as a line feed)."""
    return xml_escape(ILLEGAL_CHARACTERS_RE.sub("", text[:32767]), {"\r": "&#13;"})


def write_json(c, path: Path) -> Path:
    return write_text(path, json_text(c.to_dict()) + "\n")


def json_text(value, pad: str = "") -> str:
    """Indented JSON with every element of a list on one line (a record of a table): the elements go
    through json's C encoder, which the standard library uses only without ``indent`` (with it, a
    thousand agencies' tables take half a second in pure Python)."""
    inner = pad + "  "
    if isinstance(value, dict) and value:
        return "{\n" + ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {json_text(v, inner)}"
                                   for k, v in value.items()) + f"\n{pad}}}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(inner + json.dumps(v, ensure_ascii=False) for v in value) + f"\n{pad}]"
    return json.dumps(value, ensure_ascii=False)


def records(frame) -> list[dict]:
    """DataFrame rows as JSON-ready dicts: dates as ISO text, missing values as null."""
    return [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _json_value(value):
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # the common cases first: a thousand agencies, 10^5 values
        return value
    if kind is float:
        return None if value != value else value
    if _missing(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return _json_value(value.item())
    if isinstance(value, date):
        return value.isoformat()
    return value


# ------------------------------------------------------------------------------------------- cells

def _cell(ws, value, number_format: str | None = None, font=None, indent: int = 0, wrap: bool = False):
    """A value for ``ws.append``: plain where it needs no style (much faster in write-only mode), a
    styled cell for dates, formats, fonts and wrapped text; a text with a leading "=" stays text."""
    if _missing(value):
        value = None
    elif hasattr(value, "item"):
        value = value.item()
    if isinstance(value, str):  # a file name may hold what no XML can (U+FFFE, an undecodable byte)
        value = writable(ILLEGAL_CHARACTERS_RE.sub("", value))
    plain = not (number_format or font or indent or wrap or isinstance(value, date)
                 or (isinstance(value, str) and value.startswith("=")))
    if plain:
        return value
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # a name from an input never becomes a live formula
    if number_format:
        cell.number_format = number_format
    elif isinstance(value, date):
        cell.number_format = DATE
    if font:
        cell.font = font
    if indent or wrap:
        cell.alignment = Alignment(indent=indent, wrap_text=wrap, vertical="top" if wrap else None)
    return cell


def _header(ws, labels: list[str]) -> list:
    out = []
    for label in labels:
        cell = _cell(ws, label, font=HEADER_FONT)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        out.append(cell)
    return out


def _table_sheet(wb, name: str, title: str, notes: list[str], columns: list[tuple[str, int]]):
    ws = wb.create_sheet(name)
    print_setup(ws)  # write-only: the sheet's properties are written with the first row
    for i, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header_row = 1 + len(notes) + 2  # title, notes, one empty row, header
    ws.freeze_panes = f"C{header_row + 1}"
    ws.append([_cell(ws, title, font=TITLE_FONT)])
    for note in notes:
        ws.append([_cell(ws, note)])
    ws.append([])
    ws.append(_header(ws, [label for label, _ in columns]))
    return ws, header_row


def _finish(ws, header_row: int, n_columns: int, n_rows: int) -> None:
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(n_columns)}{header_row + max(n_rows, 1)}"
    print_setup(ws, f"{header_row}:{header_row}", n_columns, header_row + n_rows)


# ------------------------------------------------------------------------------------------- sheets

def _overview(wb, c) -> None:
    ws = wb.create_sheet("Übersicht")
    print_setup(ws)  # write-only: the sheet's properties are written with the first row
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 110
    threshold = fmt_pct(c.profile.threshold, " ")
    stichtage = ", ".join(fmt_date(s) for s in c.stichtage) or "–"
    rows = [
        ("Stand (Bezugstag für die Fristen)", c.today),
        ("Rechtsprofil", c.profile.name),
        ("Schwelle der Unterrepräsentanz", float(c.profile.threshold)),
        ("Zielwert für den Frauenanteil in Führungspositionen", float(c.leadership_target)),
        ("Stichtage dieser Zusammenführung", stichtage),
        ("Dateien gefunden", len(c.files)),
        ("… gelesen", c.processed),
        ("… übersprungen", c.skipped),
        ("… nicht gelesen (Gründe im Blatt „Feststellungen“)", c.failed),
        ("Dienststellen (je Stichtag)", len(c.agencies)),
        ("Zuordnungsliste", str(c.hierarchy_file) if c.hierarchy_file
         else "– (übergeordnete Stellen aus den Erhebungsbögen)"),
        ("Verlaufsdatei", str(c.history_file) if c.history_file else "– (Verlauf nur aus dieser Zusammenführung)"),
    ]
    ws.append([_cell(ws, "Zusammenführung der Gleichstellungsstatistiken", font=TITLE_FONT)])
    ws.append([])
    for row, (label, value) in enumerate(rows, start=3):  # labels wrap in their column, as high as they need
        ws.row_dimensions[row].height = row_height([(label, 44)])
        ws.append([_cell(ws, label, font=BOLD, wrap=True), _cell(ws, value, PERCENT if isinstance(value, float) else None)])
    ws.append([])
    ws.append([_cell(ws, "Wie gerechnet wird", font=BOLD)])
    row = len(rows) + 5  # the next row: title, blank, the rows, blank, "Wie gerechnet wird"
    notes = [
        ("Fristen", f"Ein Erhebungsbogen sagt nicht, wann der Plan beschlossen wurde. „überfällig“ heißt hier nur: "
                    f"der Bezugstag ({fmt_date(c.today)}) liegt nach der Frist des Rechtsprofils (Plan und Anpassung, "
                    f"Blatt „Dienststellen“). „Frist läuft“: die Frist ist noch nicht verstrichen. Ob ein Plan "
                    f"rechtzeitig beschlossen wurde, ist bei der Dienststelle zu erfragen."),
        ("Anteile in Summen", "Aus den summierten Anzahlen berechnet: Frauen / (Frauen + Männer), nie als Mittelwert der "
                              "Anteile der Dienststellen. Personen mit „divers“ oder „ohne Angabe“ werden gezählt und "
                              "gezeigt, aber nicht in den Nenner genommen (Parameter des Rechtsprofils)."),
        ("Führungspositionen", "Summe über alle Bereiche der Dimension „Führungsebene“ (Dienststellenleitung bis "
                               "Sachgebietsleitung, Vorsitzende Richterinnen und Richter)."),
        ("Unterrepräsentanz", f"Ein Geschlecht mit einem Anteil unter {threshold} in einem Bereich "
                              f"({c.profile.cite('underrepresentation') or c.profile.legal_basis}); in den Summen "
                              f"neu beurteilt auf die summierten Anzahlen."),
        ("Summe einer Stelle", "Ihre eigene Arbeitsmappe (falls vorhanden) und alle ihr unterstellten Dienststellen "
                               "auf allen Ebenen. „Alle Dienststellen“: alles. Ebene 1 ist die oberste Ebene "
                               "(Ministerien)."),
        ("Übergeordnete Stelle", "Aus der Zuordnungsliste (--hierarchy), sonst aus dem Blatt „Metadaten“ des "
                                 "Erhebungsbogens. Namen werden ohne Rücksicht auf Groß-/Kleinschreibung, Umlaute und "
                                 "Leerzeichen verglichen."),
        ("Nicht geprüft", "Überschriebene Formeln in den Erhebungsbögen (sie ändern keine Zahl dieser Auswertung); "
                          "dafür „xl-gleichplan check“ oder „consolidate --check-formulas“."),
        ("Datenschutz", "Interne Auswertung mit exakten Anzahlen, ohne Schutz kleiner Zahlen: nicht zur Veröffentlichung "
                        "bestimmt. Für den Gleichstellungsplan einer Dienststelle gilt der Planentwurf."),
    ]
    for label, text in notes:
        cell = WriteOnlyCell(ws, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[row].height = row_height([(text, 110), (label, 44)])  # else it overlaps the next row
        ws.append([_cell(ws, label, font=BOLD, wrap=True), cell])
        row += 1
    print_setup(ws, columns=2, rows=row - 1)


def _agencies(wb, c) -> None:
    columns = [("Stichtag", 11), ("Dienststelle", 40), ("Art", 22), ("übergeordnete Stelle", 34),
               ("Ministerium (oberste Ebene)", 34), ("Ebene", 7), ("Beschäftigte", 12), ("Planpflicht", 10),
               ("zuständige Stelle", 30), ("Frist Plan", 12), (f"Plan am {fmt_date(c.today)}", 16),
               ("Frist Anpassung", 12), (f"Anpassung am {fmt_date(c.today)}", 16),
               ("unterrepräsentierte Bereiche", 13), ("unterrepräsentiert in", 60), ("Führung: Frauen", 10),
               ("Führung: Männer", 10), ("Führung: divers", 9), ("Führung: ohne Angabe", 9),
               ("Frauenanteil Führung", 11), ("Führungs-Zielvorgaben", 11), ("davon bewertet", 10), ("I1", 9),
               ("I2", 9), (f"{_rule(c)}: Regel für Führungspositionen", 20), ("Fehler", 8), ("Warnungen", 10),
               ("Hinweise", 9), ("Datei", 60), ("übergeordnet laut Erhebungsbogen", 30)]
    notes = [f"Eine Zeile je Dienststelle und Stichtag. „überfällig“: der Bezugstag {fmt_date(c.today)} liegt nach der "
             f"Frist (ob der Plan vorliegt, steht nicht im Erhebungsbogen). I1/I2: Lesarten der 50-%-Regel ({_rule(c)}); "
             f"ein Gesetz ohne diese Regel (BGleiG, FrFG LSA) gibt kein Ergebnis."]
    ws, header = _table_sheet(wb, "Dienststellen", "Dienststellen", notes, columns)
    labels = {k: r.label for k, r in c.profile.routing.items()}
    raw = _RawRows(wb, ws, header)
    for row in c.agencies.itertuples(index=False):
        raw.append([_cell(ws, v, f) for v, f in (
            (row.stichtag, None), (row.agency, None), (labels.get(row.type, row.type), None), (row.parent, None),
            (row.ministry, None), (row.level, None), (row.staff, None), ("ja" if row.plan_required else "nein", None),
            (row.approval_body, None), (row.plan_due, None), (STATUS[row.plan_status], None), (row.adjustment_due, None),
            (STATUS[row.adjustment_status], None), (row.underrepresented_count, None), (row.underrepresented, None),
            (row.leadership_w, None), (row.leadership_m, None), (row.leadership_d, None), (row.leadership_x, None),
            (row.leadership_share_w, PERCENT), (row.leadership_targets, None), (row.leadership_assessed, None),
            (row.leadership_i1, PERCENT), (row.leadership_i2, PERCENT),
            (APPROVAL[None if _missing(row.approval_required) else bool(row.approval_required)], None),
            (row.errors, None), (row.warnings, None), (row.infos, None), (row.path, None), (row.parent_metadata, None))])
    _finish(ws, header, len(columns), len(c.agencies))
    return raw


def _rollups(wb, c) -> None:
    columns = [("Stichtag", 11), ("Ebene", 7), ("Stelle", 44), ("übergeordnete Stelle", 34),
               ("Ministerium (oberste Ebene)", 34), ("eigene Arbeitsmappe", 10), ("Dienststellen", 12),
               ("Beschäftigte", 12), ("mit Planpflicht", 10), ("Plan überfällig", 10), ("Anpassung überfällig", 11),
               ("Führung: Frauen", 10), ("Führung: Männer", 10), ("Führung: divers", 9), ("Führung: ohne Angabe", 9),
               ("Frauenanteil Führung", 11), ("unterrepräsentierte Bereiche", 13), ("unterrepräsentiert in", 60),
               (f"{_rule(c)}: Regel greift (Dienststellen)", 16), ("Fehler", 8), ("Warnungen", 10)]
    notes = ["Summen je übergeordneter Stelle über alle Ebenen: ihre eigene Arbeitsmappe und alle ihr unterstellten "
             "Dienststellen. Anteile und Unterrepräsentanz aus den summierten Anzahlen, nie gemittelt.",
             f"„überfällig“ zählt Dienststellen mit Planpflicht, bei denen der Bezugstag {fmt_date(c.today)} nach der "
             f"Frist liegt."]
    ws, header = _table_sheet(wb, "Summen", "Summen je Stelle und insgesamt", notes, columns)
    for row in c.rollups.itertuples(index=False):
        font = BOLD if row.level <= 1 else None
        ws.append([_cell(ws, row.stichtag), row.level, _cell(ws, row.node, font=font, indent=max(row.level - 1, 0)),
                   *[_cell(ws, v) for v in (row.parent, row.ministry)],
                   _cell(ws, "–" if row.node == ALL else ("ja" if row.own_workbook else "nein")),
                   *[_cell(ws, v) for v in (row.agencies, row.staff, row.plan_required, row.plan_overdue,
                                            row.adjustment_overdue, row.leadership_w, row.leadership_m,
                                            row.leadership_d, row.leadership_x)],
                   _cell(ws, row.leadership_share_w, PERCENT),
                   *[_cell(ws, v) for v in (row.underrepresented_count, row.underrepresented, row.approval_required,
                                            row.errors, row.warnings)]])
    _finish(ws, header, len(columns), len(c.rollups))


def _areas(wb, c) -> None:
    columns = [("Stichtag", 11), ("Ebene", 7), ("Stelle", 44), ("Ministerium (oberste Ebene)", 34),
               ("Dienststellen", 12), ("Dimension", 24), ("Bereich", 30), *[(s, 10) for s in SEX_COLUMNS],
               ("Frauenanteil", 11), ("unterrepräsentiert", 16)]
    notes = ["Anzahlen je Bereich, summiert je übergeordneter Stelle und für alle Dienststellen; Anteil und "
             "Unterrepräsentanz aus den summierten Anzahlen. Die Zahlen jeder einzelnen Dienststelle stehen in der "
             "Verlaufsdatei (CSV) und in ihrem Erhebungsbogen."]
    ws, header = _table_sheet(wb, "Bereiche", "Bereiche je Stelle und insgesamt", notes, columns)
    raw = _RawRows(wb, ws, header)
    for row in c.totals.itertuples(index=False):
        verdict = "" if _missing(row.underrepresented) else VERDICT_LABELS.get(row.underrepresented, "")
        raw.append([_cell(ws, row.stichtag), row.level, _cell(ws, row.node), _cell(ws, row.ministry), row.agencies,
                   DIMENSIONS.get(row.dimension, row.dimension),
                   _cell(ws, "" if row.dimension == "gesamt" else area_label(row.dimension, row.area)),
                   *[_cell(ws, v) for v in (row.w, row.m, row.d, row.x)], _cell(ws, row.share_w, PERCENT), verdict])
    _finish(ws, header, len(columns), len(c.totals))
    return raw


def _findings(wb, c) -> None:
    columns = [("Datei", 60), ("Dienststelle", 36), ("Stichtag", 11), ("Status", 14), ("Schwere", 10), ("Blatt", 16),
               ("Zelle", 9), ("Zeile", 7), ("Was ist zu tun?", 120)]
    counts = f"{c.processed} gelesen, {c.skipped} übersprungen, {c.failed} nicht gelesen"
    notes = [f"Jedes Problem jeder Datei ({counts}). „nicht gelesen“: die Datei fehlt in allen Summen; "
             f"„Zusammenführung“: ein Hinweis zur Zuordnung der Stellen."]
    ws, header = _table_sheet(wb, "Feststellungen", "Feststellungen", notes, columns)
    for i, row in enumerate(c.findings.itertuples(index=False), start=header + 1):
        ws.row_dimensions[i].height = row_height([(row.message, 120)])  # the last column wraps, not cut
        ws.append([_cell(ws, v) for v in (row.path, row.agency, row.stichtag, FILE_STATUS.get(row.status, row.status),
                                          SEVERITY.get(row.severity, row.severity), row.sheet, row.cell,
                                          None if _missing(row.row) else int(row.row))] + [_cell(ws, row.message, wrap=True)])
    _finish(ws, header, len(columns), len(c.findings))


def _history(wb, c) -> None:
    """Share of women in leadership positions over the Stichtage: overall, per ministry, and the target."""
    series = c.leadership_history
    ws = wb.create_sheet("Verlauf")
    print_setup(ws)  # write-only: the sheet's properties are written with the first row
    target = float(c.leadership_target)
    stichtage = sorted(set(series["stichtag"]))
    ministries = sorted({m for m in series["ministry"] if m != ALL}, key=lambda m: (m.casefold(), m))
    labels = [ALL, *ministries]
    ws.column_dimensions["A"].width = 12
    for i in range(max(len(labels) + 1, 7)):  # at least as wide as the notes: the page ends there
        ws.column_dimensions[get_column_letter(i + 2)].width = 16
    ws.append([_cell(ws, "Frauenanteil in Führungspositionen im Verlauf", font=TITLE_FONT)])
    ws.append([_cell(ws, "Summe aller Führungsebenen je Stichtag, insgesamt und je Ministerium (oberste Ebene), aus den "
                         "summierten Anzahlen.")])
    ws.append([_cell(ws, f"Zielwert {fmt_pct(c.leadership_target, ' ')} ({_target_source(c)}). "
                         f"Quelle: {c.history_file if c.history_file else 'diese Zusammenführung'}.")])
    header_row = 4
    ws.append(_header(ws, ["Stichtag", *labels, f"Zielwert ({fmt_pct(c.leadership_target, ' ')})"]))
    share = {(s, m): v for s, m, v in zip(series["stichtag"], series["ministry"], series["share_w"])}
    for s in stichtage:
        ws.append([_cell(ws, fmt_date(s)), *[_cell(ws, share.get((s, m)), PERCENT) for m in labels],
                   _cell(ws, target, PERCENT)])
    last = header_row + len(stichtage)
    chart_row = last + 2
    if stichtage:
        chart = LineChart()
        chart.title = "Frauenanteil in Führungspositionen"
        chart.y_axis.title = "Frauenanteil"
        chart.x_axis.title = "Stichtag"
        chart.y_axis.number_format = "0%"
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 1
        chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl 3.1 hides the axes in current Excel otherwise
        chart.height, chart.width = 10, 24
        chart.add_data(Reference(ws, min_col=2, min_row=header_row, max_col=len(labels) + 2, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last))
        for i, s in enumerate(chart.series):
            s.marker.symbol = "circle"
            s.smooth = False
            if i == 0:
                s.graphicalProperties.line.width = 38100  # overall: 3 pt
            if i == len(chart.series) - 1:  # the target line
                s.marker.symbol = "none"
                s.graphicalProperties.line.solidFill = "C00000"
                s.graphicalProperties.line.dashStyle = "dash"
        ws.add_chart(chart, f"A{chart_row}")
    for _ in range(chart_row, chart_row + 22):
        ws.append([])
    ws.append([_cell(ws, "Anzahlen", font=BOLD)])
    ws.append(_header(ws, ["Stichtag", "Ministerium", "Dienststellen", *[f"Führung: {s}" for s in SEX_COLUMNS],
                           "Frauenanteil Führung"]))
    for row in series.itertuples(index=False):
        ws.append([_cell(ws, row.stichtag), _cell(ws, row.ministry), _cell(ws, row.agencies),
                   *[_cell(ws, v) for v in (row.w, row.m, row.d, row.x)], _cell(ws, row.share_w, PERCENT)])
    print_setup(ws, columns=max(len(labels) + 2, 8), rows=chart_row + 23 + len(series))


def _rule(c) -> str:
    """The citation of the leadership rule (ThürGleichG § 4 Abs. 6), or a neutral word for other laws."""
    return c.profile.cite("leadership_rule") or "50-%-Regel"


def _target_source(c) -> str:
    if c.leadership_target == c.profile.threshold:
        return f"Schwelle des Rechtsprofils „{c.profile.id}“"
    return "Zielwert des Controllings (--zielwert)"


FLOW_WORDS = {"einstellung": "Einstellungen", "befoerderung": "Beförderungen", "hoehergruppierung": "Höhergruppierungen"}


def _leadership(wb, c) -> None:
    """Controlling of leadership: the share of women per leadership level over the Stichtage against
    the target value, overall and per ministry; then the flows into leadership by sex."""
    levels, flows = c.leadership_levels, c.leadership_flows
    target = fmt_pct(c.leadership_target, " ")
    columns = [("Stichtag", 12), ("Ministerium", 36), ("Führungsebene", 24), *[(s, 10) for s in SEX_COLUMNS],
               ("Frauenanteil", 12), (f"Zielwert ({target})", 12), ("unter dem Zielwert", 12)]
    ws, header_row = _table_sheet(
        wb, "Führung je Ebene", "Frauenanteil je Führungsebene und Zugänge in Führungspositionen",
        [f"Je Stichtag, insgesamt und je Ministerium (oberste Ebene): Frauenanteil auf jeder Führungsebene aus den "
         f"summierten Anzahlen, gegen den Zielwert {target} ({_target_source(c)}).",
         "Darunter: Einstellungen, Beförderungen und Höhergruppierungen in Führungspositionen (Blatt „Bewegungen“, "
         "Dimension Führungsebene) nach Geschlecht, aus den Erhebungsbögen dieses Laufs."], columns)
    for row in levels.itertuples(index=False):
        ws.append([_cell(ws, row.stichtag), _cell(ws, row.ministry), _cell(ws, area_label("fuehrungsebene", row.level)),
                   *[_cell(ws, v) for v in (row.w, row.m, row.d, row.x)], _cell(ws, row.share_w, PERCENT),
                   _cell(ws, row.target, PERCENT),
                   _cell(ws, {True: "ja", False: "nein", None: "–"}[None if _missing(row.below_target) else
                                                                    bool(row.below_target)])])
    ws.append([])
    ws.append([_cell(ws, "Zugänge in Führungspositionen", font=BOLD)])
    ws.append(_header(ws, ["Stichtag", "Ministerium", "Führungsebene", "Vorgang", *SEX_COLUMNS, "Frauenanteil"]))
    for row in flows.itertuples(index=False):
        ws.append([_cell(ws, row.stichtag), _cell(ws, row.ministry),
                   _cell(ws, row.level if row.level not in LEADERSHIP_AREAS else area_label("fuehrungsebene", row.level)),
                   _cell(ws, FLOW_WORDS[row.kind]), *[_cell(ws, v) for v in (row.w, row.m, row.d, row.x)],
                   _cell(ws, row.share_w, PERCENT)])
    if not len(flows):
        ws.append([_cell(ws, "Keine Bewegungen in Führungspositionen erfasst (Blatt „Bewegungen“, Dimension "
                             "Führungsebene).")])
    _finish(ws, header_row, len(columns), len(levels))


def _missing(value) -> bool:
    """None, NaN, pd.NA, NaT."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return False
    if kind is float:
        return value != value
    import pandas as pd

    return value is None or (not isinstance(value, (bytes, tuple, list)) and bool(pd.isna(value)))
