"""The ribbon actions of the Excel add-in: one function per button, each taking an ``xw.Book``.

The ribbon's VBA callback runs ``run_button(tag)`` with the button's tag; ``run_button`` takes
the workbook from ``xw.Book.caller()`` and calls the action. Every action reads the workbook
through ``LiveBook`` (one read per sheet) and calls the same functions as the command line
(``read_book``, ``analyse``, ``import_exports``, ``input_blocks``, ``result_rows``,
``finding_rows``, ``target_suggestions``, ``write_draft``); nothing here decides a rule.

A ``GleichplanError`` is shown as it is, in a German message box; anything unexpected is
logged with its traceback (``logs.log_exception``) and the box names the log file. Each action
returns an ``ActionResult`` (or None after an error) with the message shown and the counts of
what it asked Excel to do.
"""
from __future__ import annotations

# Started by the add-in: refuse before anything else is imported if modules could come from
# outside the installation, e.g. a returned workbook's folder (excel/origin.py, SECURITY.md).
from . import origin

origin.check()

import csv
import functools
import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from . import import_xlwings

xw = import_xlwings()

from .. import __version__
from ..errors import GleichplanError, InputFileError, WorkbookError
from ..logs import log_dir, log_exception
from ..model import Agency, Dataset, Target
from ..schema import (DIMENSIONS, FINDINGS_SHEET, FIRST_DATA_ROW, METADATA_SHEET, RESULTS_SHEET, SHEETS,
                      area_label, column_letter)
from ..texts import PROCEDURE, SIZING_SHARE, deadline_labels, fmt_date, fmt_pct
from .book import Formula, LiveBook, a1

DATE_FORMAT = "DD.MM.YYYY"
PERCENT_FORMAT = "0.00%"
MAPPING_FILE = "zuordnung.toml"  # a mapping file next to the chosen exports is used automatically
MAX_LINES = 12  # lines of a list shown in a message box; the rest are counted
EXPORT_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xlsb")
DATIVE = {"w": "Frauen", "m": "Männern"}


@dataclass
class ActionResult:
    """What an action did: the message shown to the clerk and the Excel calls it made."""

    message: str
    calls: dict = field(default_factory=dict)
    path: Path | None = None  # a file written (the plan draft)


def _guarded(action):
    """Show a GleichplanError as a German message box; log anything else and name the log."""

    @functools.wraps(action)
    def wrapper(book, *args, **kwargs):
        live = LiveBook(book)
        try:
            return action(live, *args, **kwargs)
        except GleichplanError as exc:
            live.alert(str(exc), critical=True)
        except Exception as exc:  # unexpected: traceback into the log, the clerk gets the path
            path = log_exception(exc)
            live.alert(f"Unerwarteter Fehler ({type(exc).__name__}). Die technischen Details stehen in "
                       f"„{path}“; bitte diese Datei an die IT weitergeben.", critical=True)
        return None

    return wrapper


def _done(live: LiveBook, lines: list[str], path: Path | None = None) -> ActionResult:
    message = "\n".join(lines)
    live.alert(message)
    return ActionResult(message, live.calls.summary(), path)


def _capped(lines: list[str], what: str) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return lines[:MAX_LINES] + [f"… und {len(lines) - MAX_LINES} weitere ({what})."]


def _read(live: LiveBook):
    """The workbook as the command line reads a file: Dataset and law profile (one read per sheet)."""
    from ..io.workbook_reader import read_book

    return read_book(live, live.name)


def _analyse(live: LiveBook):
    from ..analysis import analyse

    dataset, profile = _read(live)
    return analyse(dataset, profile)


# ----------------------------------------------------------------------------- result sheets

def _result_format(percent_columns: tuple[int, ...]):
    """The number format of a written value, as write_results sets it in files; None: any."""

    def fmt(value, col: int):
        if value is None:
            return None
        if isinstance(value, (date, datetime)):
            return DATE_FORMAT
        if isinstance(value, float) and col in percent_columns:
            return PERCENT_FORMAT
        return ""

    return fmt


def format_ranges(rows: list[list], fmt_of, first_row: int = 1, first_col: int = 1) -> list[tuple[str, str]]:
    """(address, number format) rectangles covering the values that need a format.

    Per column, a run of cells with one format may span empty cells (they do not care); then
    runs over the same rows in neighbouring columns are joined. Few rectangles, few calls."""
    width = max((len(r) for r in rows), default=0)
    runs: list[tuple[int, int, int, str]] = []  # (col, first, last, fmt)
    for c in range(width):
        current, start, last = "", 0, 0
        for r, row in enumerate(rows):
            f = fmt_of(row[c] if c < len(row) else None, c + first_col)
            if f is None or (f == current and current):
                last = r if f is not None else last
                continue
            if current:
                runs.append((c, start, last, current))
            current, start, last = f, r, r
        if current:
            runs.append((c, start, last, current))
    rects: list[list] = []
    for c, start, last, f in runs:
        for rect in rects:
            if rect[1] == c - 1 and (rect[2], rect[3], rect[4]) == (start, last, f):
                rect[1] = c
                break
        else:
            rects.append([c, c, start, last, f])
    return [(a1(first_row + s, first_col + c0, e - s + 1, c1 - c0 + 1), f) for c0, c1, s, e, f in rects]


def _width_groups(widths) -> list[tuple[int, int, float]]:
    groups: list[list] = []
    for i, w in enumerate(widths, start=1):
        if groups and groups[-1][2] == w and groups[-1][1] == i - 1:
            groups[-1][1] = i
        else:
            groups.append([i, i, w])
    return [tuple(g) for g in groups]


def _write_sheet(live: LiveBook, name: str, rows: list[list], widths, percent_columns=()) -> str:
    """Replace the contents of one of our result sheets: clear (or create) it, write the rows in one
    block from A1, then the number formats of dates and shares."""
    if name in live.sheet_names:
        live.clear_sheet(name)
    else:
        live.add_sheet(name)
        for first, last, width in _width_groups(widths):
            live.column_width(name, first, last, width)
    address = live.write_block(name, 1, 1, rows)
    for where, fmt in format_ranges(rows, _result_format(percent_columns)):
        live.number_format(name, where, fmt)
    return address


# ----------------------------------------------------------------------------- the buttons

@_guarded
def neue_erhebung(live: LiveBook, profile=None, stichtag: date | None = None) -> ActionResult:
    """Neue Erhebung: the template's sheets into a new, empty workbook (values and formulas, one
    write per sheet; then the named cells, number formats and column widths)."""
    from ..io.template import build_template
    from ..profiles import Profile, load_profile
    from ..rules.deadlines import latest_stichtag

    if METADATA_SHEET in live.sheet_names:
        return _done(live, [f"Diese Arbeitsmappe enthält bereits einen Erhebungsbogen (Blatt „{METADATA_SHEET}“).",
                            "Für eine neue Erhebung bitte eine leere Arbeitsmappe öffnen (Datei > Neu > Leere "
                            "Arbeitsmappe) und dort „Neue Erhebung“ wählen."])
    if not all(live.is_empty(name) for name in live.sheet_names):
        raise GleichplanError("Die Arbeitsmappe ist nicht leer. Der Erhebungsbogen wird in eine neue, leere Arbeitsmappe "
                              "eingefügt: bitte Datei > Neu > Leere Arbeitsmappe wählen und dort erneut „Neue Erhebung“ "
                              "klicken.")
    profile = profile if isinstance(profile, Profile) else load_profile(profile)
    stichtag = stichtag or latest_stichtag(profile)
    wb = build_template(profile, Agency("", "landesverwaltung"), stichtag)
    names = wb.sheetnames
    # sheets first (formulas refer to other sheets and to names), then names, values, formats
    existing = list(live.sheet_names)
    for extra in existing[1:]:
        live.delete_sheet(extra)
    live.rename_sheet(existing[0], names[0])
    for before, name in zip(names, names[1:]):
        live.add_sheet(name, after=before)
    for name, defined in wb.defined_names.items():
        live.add_name(name, "=" + defined.attr_text)
    for ws in wb.worksheets:
        rows = [[Formula(c.value) if c.data_type == "f" and isinstance(c.value, str) else c.value for c in row]
                for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)]
        live.write_block(ws.title, 1, 1, rows, formulas=True)
    for ws in wb.worksheets:
        formats = [[c.number_format if c.value is not None or c.number_format != "General" else None for c in row]
                   for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)]
        for where, fmt in format_ranges(formats, lambda f, _c: None if f is None else ("" if f == "General" else f)):
            live.number_format(ws.title, where, fmt)
        widths = [ws.column_dimensions[col].width if col in ws.column_dimensions else None
                  for col in (_letter(i) for i in range(1, ws.max_column + 1))]
        for first, last, width in _width_groups(widths):
            if width:
                live.column_width(ws.title, first, last, width)
        hidden = [i for i in range(1, ws.max_column + 1)
                  if _letter(i) in ws.column_dimensions and ws.column_dimensions[_letter(i)].hidden]
        for first, last, _ in _width_groups([True if i in hidden else None for i in range(1, ws.max_column + 1)]):
            if first in hidden:
                live.hide_columns(ws.title, first, last)
    live.select(names[0])
    return _done(live, [
        f"Der Erhebungsbogen ({profile.name}, Stichtag {fmt_date(stichtag)}) wurde eingefügt.",
        f"Bitte zuerst im Blatt „{METADATA_SHEET}“ Dienststelle, Art der Dienststelle und Stichtag eintragen.",
        "Auswahllisten, Farben und Blattschutz der Vorlage enthält nur die Vorlagendatei "
        "(„xl-gleichplan template“, bei der IT erhältlich); gerechnet wird hier wie dort gleich."])


def _letter(col: int) -> str:
    return column_letter(col - 1)


@_guarded
def personaldaten_importieren(live: LiveBook, paths=None, mapping=None) -> ActionResult | None:
    """Personaldaten importieren: HR exports (chosen in a file dialog, or ``paths``) counted into
    the input sheets, as ``xl-gleichplan import-staff`` does for a file."""
    from ..io.hr_import import Mapping, import_exports
    from ..io.workbook_writer import FINDINGS_WIDTHS, finding_rows, input_blocks
    from ..report.text import finding_line

    dataset, profile = _read(live)
    if paths is None:
        paths = choose_exports()
        if not paths:
            return None  # the clerk cancelled the dialog
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, os.PathLike)) else paths)]
    if mapping is None and (paths[0].parent / MAPPING_FILE).is_file():
        mapping = paths[0].parent / MAPPING_FILE
    mapping = mapping if isinstance(mapping, Mapping) else Mapping.load(mapping)
    kinds = classify_exports(paths, mapping)
    imported = import_exports(staff=kinds.get("staff"), movements=kinds.get("movements"),
                              committees=kinds.get("committees"), mapping=mapping, profile=profile,
                              stichtag=dataset.stichtag, agency=dataset.agency)
    # the sheets each export fills, as `xl-gleichplan import-staff` fills them
    sheets = ({"stock"} | ({"forecast"} if imported.forecast else set()) if "staff" in kinds else set()) \
        | ({"movements", "postings"} if "movements" in kinds else set()) \
        | ({"committees"} if "committees" in kinds else set())
    missing = [SHEETS[k].name for k in SHEETS if k in sheets and SHEETS[k].name not in live.sheet_names]
    if missing:
        raise WorkbookError(f"Das Blatt „{missing[0]}“ fehlt in der Arbeitsmappe; dorthin gehören die Zahlen aus dem "
                            f"Export. Bitte den Erhebungsbogen neu anlegen („Neue Erhebung“ in einer leeren Mappe).")
    room = {k: max(len(live.rows(SHEETS[k].name)) - FIRST_DATA_ROW + 1, 0) for k in sheets}
    for name, row, col, values in input_blocks(imported, sheets, room):
        live.write_block(name, row, col, values)
    _write_sheet(live, FINDINGS_SHEET, finding_rows(imported.findings), FINDINGS_WIDTHS)
    errors = [f for f in imported.findings if f.severity == "error"]
    lines = [f"Übernommen aus {', '.join(p.name for p in paths)}:",
             f"{imported.heads} Beschäftigte, {len(imported.movements)} Bewegungszeilen, {len(imported.committees)} Gremien "
             f"(Blätter: {', '.join(s.name for k, s in SHEETS.items() if k in sheets)}).",
             f"{len(imported.findings)} Feststellungen, davon {len(errors)} Fehler"
             + (f" – im Blatt „{FINDINGS_SHEET}“:" if imported.findings else ".")]
    lines += _capped([finding_line(f) for f in imported.findings], f"Blatt „{FINDINGS_SHEET}“")
    return _done(live, lines)


@_guarded
def pruefen(live: LiveBook) -> ActionResult:
    """Prüfen: every finding into the Feststellungen sheet; the cell of the first error is selected."""
    from ..io.workbook_writer import FINDINGS_WIDTHS, finding_rows
    from ..report.text import finding_line

    dataset, _ = _read(live)
    findings = dataset.findings
    _write_sheet(live, FINDINGS_SHEET, finding_rows(findings), FINDINGS_WIDTHS)
    errors = [f for f in findings if f.severity == "error"]
    counts = ", ".join(f"{sum(f.severity == s for f in findings)} {label}" for s, label in
                       (("error", "Fehler"), ("warning", "Warnungen"), ("info", "Hinweise")))
    if not findings:
        return _done(live, ["Keine Feststellungen: der Erhebungsbogen ist vollständig lesbar."])
    first = next((f for f in errors if f.sheet in live.sheet_names), None)
    if first is not None:
        live.select(first.sheet, first.cell)
        lines = [f"{len(findings)} Feststellungen ({counts}), alle im Blatt „{FINDINGS_SHEET}“.",
                 "Der erste Fehler ist markiert:", finding_line(first)]
    else:
        live.select(FINDINGS_SHEET, "A1")
        lines = [f"{len(findings)} Feststellungen ({counts}), alle im Blatt „{FINDINGS_SHEET}“."]
        lines += [finding_line(f) for f in errors[:1]]
    return _done(live, lines)


@_guarded
def berechnen(live: LiveBook) -> ActionResult:
    """Berechnen: results and verdicts into the Ergebnis sheet, the findings into Feststellungen
    (the same sheets as ``xl-gleichplan compute ARBEITSMAPPE --write``)."""
    from ..io.workbook_writer import FINDINGS_WIDTHS, RESULT_WIDTHS, finding_rows, result_rows

    analysis = _analyse(live)
    _write_sheet(live, RESULTS_SHEET, result_rows(analysis), RESULT_WIDTHS, percent_columns=(2, 9, 10))
    _write_sheet(live, FINDINGS_SHEET, finding_rows(analysis.findings), FINDINGS_WIDTHS)
    live.select(RESULTS_SHEET, "A1")
    women = sum(a.underrepresented == "women" for a in analysis.areas)
    men = sum(a.underrepresented == "men" for a in analysis.areas)
    errors = sum(f.severity == "error" for f in analysis.findings)
    return _done(live, [
        f"Ergebnis berechnet (Blatt „{RESULTS_SHEET}“): {analysis.dataset.heads} Beschäftigte, Planpflicht "
        f"{'ja' if analysis.plan_required else 'nein'}.",
        f"Bereiche mit unterrepräsentierten Frauen: {women}, mit unterrepräsentierten Männern: {men}.",
        f"Plan fällig bis {fmt_date(analysis.deadlines.plan_due)}.",
        f"{len(analysis.findings)} Feststellungen, davon {errors} Fehler (Blatt „{FINDINGS_SHEET}“)."])


@_guarded
def ziele_vorschlagen(live: LiveBook) -> ActionResult:
    """Zielvorgaben vorschlagen: for every underrepresented stock Bereich without a Zielvorgabe, the
    sizing helpers of ``analysis.target_suggestions`` (rules.targets): the profile's share of the
    vacancies expected in the Prognose and the hires needed for the threshold share. A figure is
    written into the Zielvorgaben sheet only where the law itself sets it (the profile cites a
    source for its sizing, e.g. FrFG LSA § 20 Abs. 3: more than half of the posts to be filled).
    ThürGleichG § 4 Abs. 3 sets no share: there the helpers are only listed and the clerk sets the
    Zielvorgabe. A Bereich without expected vacancies is only listed – a Zielvorgabe of 0 is not valid."""
    from ..analysis import target_suggestions
    from ..io.workbook_writer import input_blocks

    analysis = _analyse(live)
    profile = analysis.profile
    source = profile.cite("sizing")
    have = {(t.dimension, t.area) for t in analysis.dataset.targets}
    open_ = [s for s in target_suggestions(analysis) if (s.dimension, s.area) not in have]
    proposals = [s for s in open_ if s.vacancy_target > 0] if source else []
    without = [s for s in open_ if s not in proposals]
    share = SIZING_SHARE[profile.sizing]
    sheet = SHEETS["targets"]
    lines: list[str] = []
    targets: list[Target] = []
    if proposals:
        rows = live.rows(sheet.name)
        inputs = [i for i, c in enumerate(sheet.columns) if c.kind != "formula"]
        used = [r for r in range(FIRST_DATA_ROW - 1, len(rows))
                if any(rows[r][i] not in (None, "") for i in inputs if i < len(rows[r]))]
        first_free = (used[-1] + 2) if used else FIRST_DATA_ROW
        room = len(rows) - first_free + 1
        if len(proposals) > room:
            raise WorkbookError(f"Im Blatt „{sheet.name}“ sind nur {max(room, 0)} Zeilen frei, vorgeschlagen werden "
                                f"{len(proposals)} Zielvorgaben. Bitte eine neue Vorlage verwenden (xl-gleichplan "
                                f"template) oder Zeilen zusammenfassen.")
        taken = {t.id for t in analysis.dataset.targets}
        numbers = (f"V{n}" for n in range(1, 10_000) if f"V{n}" not in taken)
        targets = [Target(next(numbers), s.dimension, s.area, s.sex, s.vacancy_target, None,
                          s.dimension == "fuehrungsebene", analysis.deadlines.next_plan_stichtag) for s in proposals]
        scratch = Dataset(analysis.dataset.agency, analysis.dataset.stichtag, targets=targets)
        for name, _, col, values in input_blocks(scratch, {"targets"}, {"targets": len(targets)}):
            live.write_block(name, first_free, col, values)
        live.select(sheet.name, a1(first_free, 1, len(targets), len(inputs)))
        lines.append(f"{len(targets)} Zielvorgaben vorgeschlagen (Blatt „{sheet.name}“, Nr. {targets[0].id} bis "
                     f"{targets[-1].id}): Ziel = {share} der zu besetzenden Stellen ({source}; Blatt „Prognose“), "
                     f"bis zum Stichtag des nächsten Plans. Bitte prüfen und anpassen.")
    if not open_:
        return _done(live, ["Für jeden Bereich, in dem ein Geschlecht unterrepräsentiert ist, steht schon eine "
                            f"Zielvorgabe im Blatt „{sheet.name}“ – es gibt nichts vorzuschlagen."])
    if not source:
        lines.append(f"Rechenhilfen für die Zielvorgaben (nicht eingetragen: {profile.name} legt keinen Anteil der "
                     f"frei werdenden Stellen fest; die Zielvorgabe legt die Dienststelle fest):")
    lines.append(f"Einstellungen, die nötig sind, um die Schwelle von {fmt_pct(profile.threshold)} zu "
                 f"erreichen:")
    detail = []
    for ident, s in [(t.id, s) for t, s in zip(targets, proposals)] + [("–", s) for s in without]:
        if not s.vacancy_target:
            goal = "keine Abgänge erwartet – Zielvorgabe bitte selbst festlegen"
        elif source:
            goal = f"Ziel {s.vacancy_target} von {_number(s.vacancies)} frei werdenden Stellen"
        else:
            goal = f"Rechenhilfe {share}: {s.vacancy_target} von {_number(s.vacancies)} frei werdenden Stellen"
        need = (f"{s.hires_for_threshold} Einstellungen von {DATIVE[s.sex]}"
                + (", mehr als Stellen frei werden" if s.infeasible else ""))
        detail.append(f"{ident} {DIMENSIONS.get(s.dimension, s.dimension)}: {area_label(s.dimension, s.area)} – "
                      f"{goal}; nötig: {need}")
    return _done(live, lines + _capped(detail, "siehe Planentwurf"))


def _number(value) -> str:
    from ..texts import fmt_number

    return fmt_number(value)


@_guarded
def fristen(live: LiveBook) -> ActionResult:
    """Fristen: the deadlines from the Stichtag and who approves the plan, as a message."""
    analysis = _analyse(live)
    route, lead = analysis.route, analysis.leadership
    profile = analysis.profile
    lines = [f"{label}: {fmt_date(getattr(analysis.deadlines, k))}" for k, label in deadline_labels(profile)]
    lines += ["", f"Der Plan ist {PROCEDURE.get(route.procedure, route.procedure)}; zuständige Stelle: {route.body}."]
    if route.note:
        lines.append(f"Hinweis: {route.note}")
    if profile.has("leadership_rule"):
        lines.append(f"Führungspositionen nach {profile.cite('leadership_rule')}, solange die Regel greift: "
                     f"{lead.approver}.")
    if not analysis.plan_required:
        lines.append(f"Mit {analysis.dataset.heads} Beschäftigten besteht keine Pflicht, einen Plan aufzustellen "
                     f"(ab {analysis.profile.min_staff}).")
    return _done(live, lines)


@_guarded
def planentwurf(live: LiveBook, out=None, open_document: bool = True, min_cell: int | None = None) -> ActionResult:
    """Planentwurf erstellen: the .docx next to the workbook (NAME_planentwurf.docx), then opened."""
    from ..report.draft import write_draft

    if out is None:
        full = Path(live.book.fullname)
        if not full.is_absolute() or not full.parent.is_dir():
            raise GleichplanError("Bitte die Arbeitsmappe zuerst in einem Ordner speichern (nicht nur in OneDrive/"
                                  "SharePoint geöffnet): der Planentwurf wird neben ihr abgelegt.")
        out = full.with_name(f"{full.stem}_planentwurf.docx")
    analysis = _analyse(live)
    path = Path(write_draft(analysis, Path(out), min_cell=min_cell))
    if open_document:
        open_file(path)
    return _done(live, [f"Planentwurf geschrieben: {path}",
                        "Er enthält nur Anzahlen; zu kleine Zahlen sind zum Schutz der Beschäftigten ausgeblendet."],
                 path)


@_guarded
def hilfe(live: LiveBook) -> ActionResult:
    """Hilfe / Info: version, law profile of the workbook, where the error log is."""
    from ..io import vocabulary as vocab
    from ..io.workbook_reader import read_metadata
    from ..profiles import load_profile

    lines = [f"xl-gleichplan {__version__} (xlwings {xw.__version__}, Python {sys.version.split()[0]})"]
    meta = None
    if METADATA_SHEET not in live.sheet_names:
        lines.append("Diese Arbeitsmappe ist kein Erhebungsbogen: „Neue Erhebung“ legt einen in einer leeren "
                     "Arbeitsmappe an.")
    else:
        try:
            meta = read_metadata(live, live.name)
        except WorkbookError as exc:
            lines.append(str(exc))
    if meta is not None:
        try:
            profile = load_profile(str(meta.get("profil") or "") or None)
            lines.append(f"Rechtsprofil: {profile.name} („{profile.id}“), {profile.legal_basis}")
        except GleichplanError as exc:
            lines.append(f"Rechtsprofil: {exc}")
        lines.append(f"Dienststelle: {vocab.text(meta.get('dienststelle')) or '–'}; Stichtag: "
                     f"{fmt_date(vocab.to_date(meta.get('stichtag')))}")
    lines += ["",
              "Die Schaltflächen: Neue Erhebung – Personaldaten importieren – Prüfen – Berechnen – Zielvorgaben "
              "vorschlagen – Fristen – Planentwurf erstellen.",
              f"Meldet eine Schaltfläche einen unerwarteten Fehler, stehen die Details in „{log_dir() / 'fehler.log'}“; "
              "bitte diese Datei an die IT geben (sie enthält keine Personendaten).",
              f"Python: {sys.executable}"]
    return _done(live, lines)


ACTIONS = {
    "neue_erhebung": neue_erhebung,
    "personaldaten_importieren": personaldaten_importieren,
    "pruefen": pruefen,
    "berechnen": berechnen,
    "ziele_vorschlagen": ziele_vorschlagen,
    "fristen": fristen,
    "planentwurf": planentwurf,
    "hilfe": hilfe,
}


def calling_book() -> xw.Book:
    """The workbook whose button was clicked. The add-in names it in the environment
    (runner_vba.WORKBOOK_VARIABLE), not with --wb= on the command line: cmd.exe would expand
    %VAR% in the name and xlwings' Book.caller cuts it at "=" (another workbook, or none)."""
    from .runner_vba import WORKBOOK_VARIABLE

    name = os.environ.get(WORKBOOK_VARIABLE)
    hwnd = next((arg.split("=", 1)[1] for arg in sys.argv if arg.startswith("--hwnd=")), None)
    if name is None or hwnd is None:
        return xw.Book.caller()  # a mock caller (tests) or the UDF server's connection
    return _book_in_excel(int(hwnd), name)


def _book_in_excel(hwnd: int, name: str) -> xw.Book:
    # Windows only (the add-in refuses to run on macOS); as xlwings' Book.caller does it.
    from xlwings import _xlwindows

    return xw.App(impl=_xlwindows.App(xl=hwnd)).books[name]


def run_button(tag: str):
    """Entry point of the ribbon callback: the action of the button ``tag`` on the calling workbook."""
    try:
        book = calling_book()
    except Exception as exc:  # no workbook to show a message box in: log, and let xlwings show the text
        path = log_exception(exc)
        raise RuntimeError(f"Die Arbeitsmappe, in der „{tag}“ geklickt wurde, ist für Python nicht erreichbar "
                           f"({type(exc).__name__}). Details: {path}") from None
    action = ACTIONS.get(tag)
    if action is None:
        return _unknown(book, tag)
    return action(book)


@_guarded
def _unknown(live: LiveBook, tag: str):
    raise GleichplanError(f"Die Schaltfläche „{tag}“ ist dieser Version von xl-gleichplan ({__version__}) unbekannt. "
                          f"Bitte Add-in und Python-Paket gemeinsam aktualisieren (xl-gleichplan addin install).")


# ----------------------------------------------------------------------------- desktop helpers

def choose_exports() -> list[Path]:
    """The HR exports the clerk picks in a file dialog (several at once: Bestand, Bewegungen, Gremien).

    The dialog is tkinter's (Python's standard library), so nothing depends on Excel's object model."""
    try:
        import tkinter
        from tkinter import filedialog
    except ImportError:
        raise GleichplanError("Der Dateidialog ist in dieser Python-Installation nicht verfügbar (tkinter fehlt). Bitte "
                              "die IT bitten, Python mit tkinter zu installieren, oder die Exporte mit "
                              "„xl-gleichplan import-staff“ übernehmen.") from None
    try:
        root = tkinter.Tk()
    except tkinter.TclError as exc:
        raise GleichplanError(f"Der Dateidialog kann nicht geöffnet werden ({exc}).") from None
    try:
        root.withdraw()
        root.attributes("-topmost", True)
        chosen = filedialog.askopenfilenames(
            parent=root, title="Personalexporte wählen (Personalbestand, ggf. Personalbewegungen und Gremien)",
            filetypes=[("Exporte (CSV, Excel)", " ".join(f"*{s}" for s in EXPORT_SUFFIXES)), ("Alle Dateien", "*.*")])
    finally:
        root.destroy()
    return [Path(p) for p in chosen]


def header_words(path: Path) -> set[str]:
    """The normalised cell texts of the first rows of an export (its header is among them)."""
    from ..io.columns import HEADER_SEARCH_ROWS
    from ..io.tabular import detect_delimiter, detect_encoding, normalise_name

    suffix = path.suffix.lower()
    if not path.is_file():
        raise InputFileError(f"Die Datei „{path}“ wurde nicht gefunden. Bitte den Pfad prüfen.")
    try:
        if suffix in (".xlsx", ".xlsm", ".xlsb"):
            from python_calamine import SheetVisibleEnum

            from ..io.tabular import calamine_book

            # every visible sheet: the import reads the one with the best header (a cover sheet may come first)
            book = calamine_book(path)
            rows = [row for s in book.sheets_metadata if s.visible == SheetVisibleEnum.Visible
                    for row in book.get_sheet_by_name(s.name).to_python(nrows=2 * HEADER_SEARCH_ROWS)]
        else:
            with open(path, "rb") as fh:
                head = fh.read(65536)
            text = head.decode(detect_encoding(head), errors="replace").lstrip("\ufeff")
            lines = text.splitlines()[:HEADER_SEARCH_ROWS]
            rows = list(csv.reader(lines, delimiter=detect_delimiter(lines[0] if lines else "")))
    except InputFileError:
        raise
    except Exception as exc:
        raise InputFileError(f"„{path}“ kann nicht gelesen werden ({type(exc).__name__}). Bitte einen Export als CSV oder "
                             f"Excel-Arbeitsmappe wählen.") from None
    return {normalise_name(v) for row in rows for v in row if v not in (None, "")}


def classify_exports(paths: list[Path], mapping) -> dict[str, Path]:
    """Which export is which, by its columns: „vorgang“ – Personalbewegungen, „gremium“ – Gremien,
    otherwise „geschlecht“ – Personalbestand (column names after the mapping file)."""
    from ..io.columns import Resolver
    from ..io.hr_import import COMMITTEE_CODES, MOVEMENT_CODES

    kinds: dict[str, Path] = {}
    labels = {"staff": "Personalbestand", "movements": "Personalbewegungen", "committees": "Gremien"}
    resolver = Resolver(mapping.columns, MOVEMENT_CODES | COMMITTEE_CODES)  # the exports' names for our columns
    for path in paths:
        words = {resolver.column(0, w).code for w in header_words(path)}
        kind = ("movements" if "vorgang" in words else "committees" if "gremium" in words
                else "staff" if "geschlecht" in words else None)
        if kind is None:
            raise InputFileError(f"„{path.name}“ ist keinem Export zuzuordnen: erwartet wird eine Spalte „geschlecht“ "
                                 f"(Personalbestand; mit „vorgang“: Personalbewegungen) oder „gremium“ (Gremien). Bei "
                                 f"anderen Spaltennamen hilft eine Zuordnungsdatei „{MAPPING_FILE}“ neben dem Export.")
        if kind in kinds:
            raise InputFileError(f"„{kinds[kind].name}“ und „{path.name}“ sind beide {labels[kind]}. Bitte je Art nur "
                                 f"einen Export wählen.")
        kinds[kind] = path
    return kinds


def open_file(path: Path) -> None:
    """Open a document with its usual program (Word for .docx)."""
    if sys.platform.startswith("win"):
        os.startfile(str(path))  # noqa: S606 - the file was just written by us
    elif sys.platform == "darwin":
        subprocess.run(["open", str(path)], check=False)
