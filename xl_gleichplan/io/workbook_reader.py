"""Read a filled Erhebungsbogen (.xlsx, .xlsm, .xlsb) into the model, with every finding.

The workbook is opened as data only (python-calamine; no macro ever runs). The metadata sheet says
which template version and law profile it was made for; each input sheet is checked against its
declaration in ``schema.SHEETS``, and every problem becomes a finding with sheet and cell.
"""
from __future__ import annotations

import io
import zipfile
from contextlib import ExitStack
from dataclasses import replace
from itertools import chain
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

from ..errors import WorkbookError, is_panic
from ..model import Agency, Counts, Dataset, Finding, Measure, Target
from ..profiles import Profile, available_profiles, load_profile
from ..rules.deadlines import deadlines, stichtag_problem
from ..schema import (DIMENSIONS, DOCUMENT_TYPE, FIRST_DATA_ROW, HEADER_ROW, MEASURE_KINDS, METADATA_SHEET,
                      MOVEMENT_KINDS, PARAMETERS, PERSONAL_TEXT_PATTERNS, SHEETS, TEMPLATE_VERSION, Sheet,
                      parameter_values)
from . import vocabulary as vocab
from .findings import MAX_ROWS_LISTED, FindingList
from .ooxml import all_formulas_in_place, check_zip, placed_cells
from .tabular import CFB_MAGIC, calamine_book, column_letter, file_label

# An input sheet has a few hundred rows; beyond this a list was pasted in (a personnel export):
# only these rows are read, so a huge workbook is answered in bounded time and memory.
MAX_SHEET_ROWS = 10_000
MAX_FORMULA_CHECK_BYTES = 20_000_000  # sheet XML above this is not parsed for overwritten formulas
# Known older template versions and the function that lifts their values to the current layout.
MIGRATIONS: dict[int, callable] = {}

_DIM_LOOKUP = {vocab.key(k): k for k in DIMENSIONS} | {vocab.key(v): k for k, v in DIMENSIONS.items()}
_KIND_LOOKUP = {vocab.key(k): k for k in MOVEMENT_KINDS} | {vocab.key(v): k for k, v in MOVEMENT_KINDS.items()}
_MEASURE_LOOKUP = {vocab.key(k): k for k in MEASURE_KINDS} | {vocab.key(v): k for k, v in MEASURE_KINDS.items()}


def open_workbook(path: str | Path, parts: dict[str, bytes] | None = None, explicit: set[str] | None = None):
    """Open with calamine after the checks a clerk needs words for; returns the CalamineWorkbook.
    ``parts`` receives the sheet parts the zip check unpacked, ``explicit`` those with explicit
    positions (see ``check_zip``)."""
    path = Path(path)
    if not path.exists():
        raise WorkbookError(f"Die Arbeitsmappe „{path}“ wurde nicht gefunden.")
    if path.name.startswith("~$"):
        raise WorkbookError(f"„{path}“ ist die Sperrdatei einer in Excel geöffneten Arbeitsmappe, keine Arbeitsmappe. "
                            f"Bitte die Datei ohne „~$“ im Namen angeben.")
    if path.is_dir():
        raise WorkbookError(f"„{path}“ ist ein Ordner, keine Arbeitsmappe. Bitte die Datei selbst angeben.")
    if not path.is_file():  # a named pipe or a device: opening it could wait forever
        raise WorkbookError(f"„{path}“ ist keine gewöhnliche Datei (etwa eine Pipe oder ein Gerät), keine Arbeitsmappe.")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:  # e.g. locked by another program on Windows, or no read permission
        from .atomic import reason

        raise WorkbookError(f"„{path}“ kann nicht geöffnet werden ({reason(exc, reading=True)}). Ist die Datei in "
                            f"einem anderen Programm geöffnet? Bitte schließen oder die Zugriffsrechte prüfen.") from None
    if head.startswith(CFB_MAGIC) and path.suffix.lower() != ".xlsb":
        raise WorkbookError(f"„{path}“ ist kennwortgeschützt (verschlüsselt) oder eine alte .xls-Datei. Bitte in Excel "
                            f"ohne Kennwort als .xlsx speichern.")
    if not head.startswith(b"PK"):
        raise WorkbookError(f"„{path}“ ist keine Excel-Arbeitsmappe (.xlsx, .xlsm, .xlsb) – vielleicht eine "
                            f"umbenannte CSV-Datei. Bitte die Datei in Excel öffnen und als .xlsx speichern.")
    names = set(check_zip(path, parts, explicit))
    if not ({"xl/workbook.xml", "xl/workbook.bin"} & names):
        raise WorkbookError(f"„{path}“ ist ein ZIP-Archiv, aber keine Excel-Arbeitsmappe.")
    try:
        book = calamine_book(path)
    except BaseException as exc:  # calamine's own error types, or a Rust panic (a BaseException)
        if not (isinstance(exc, Exception) or _damaged_file(exc)):
            raise
        raise WorkbookError(f"„{path}“ kann nicht gelesen werden ({type(exc).__name__}: {str(exc)[:200]}). Bitte die "
                            f"Datei in Excel öffnen und neu speichern.") from None
    return book


def lock_note(path: Path) -> str | None:
    """A hint when Excel's owner file ``~$name`` lies next to the workbook (it is open in Excel)."""
    lock = path.with_name("~$" + path.name)
    if lock.exists():
        return (f"Die Arbeitsmappe ist vermutlich gerade in Excel geöffnet („{lock.name}“ liegt daneben); gelesen wird "
                f"der zuletzt gespeicherte Stand.")
    return None


SHEETS_BY_NAME = {name for s in SHEETS.values() for name in (s.name, *s.former)}
# The largest count a cell may hold: more than the whole public service of Germany (about 5 million);
# anything above is a typing or export error, and numbers such as 1e308 would overflow the writers.
MAX_COUNT = 10_000_000
_SEX_CODES = {"": ("w", "m", "d", "x")}  # column codes of the count cells, in the order of Counts
# (dimension, Bereich) as written -> codes; only pairs whose reading raised no finding, so no text that
# looks like personal data is ever kept here, and such a text is reported in every file again
_AREAS: dict[tuple[str, str], tuple[str, str]] = {}


def _blank(value) -> bool:
    return value is None or value == "" or (type(value) is str and not value.strip())


class _SheetReader:
    def __init__(self, book, sheet: Sheet, file: str, findings: FindingList, profile: Profile):
        self.sheet, self.file, self.findings, self.profile = sheet, file, findings, profile
        data = book.get_sheet_by_name(sheet.name)
        height = getattr(data, "height", 0)  # calamine knows it before converting; other books: 0
        if height > MAX_SHEET_ROWS:
            self.rows = data.to_python(skip_empty_area=False, nrows=MAX_SHEET_ROWS)
            n, limit = (f"{v:,}".replace(",", ".") for v in (height, MAX_SHEET_ROWS))
            findings.add("error", f"Das Blatt hat {n} Zeilen; ein Erhebungsbogen braucht nur einige hundert. Wurde eine "
                                  f"Liste (etwa ein Personalexport) hineinkopiert? Bitte entfernen – nur Anzahlen je "
                                  f"Bereich gehören hinein. Gelesen wurden nur die ersten {limit} Zeilen.",
                         file, sheet.name, f"A{MAX_SHEET_ROWS + 1}", MAX_SHEET_ROWS + 1)
        else:
            self.rows = data.to_python(skip_empty_area=False)
        self.merged = data.merged_cell_ranges or []
        self.repeats: dict[tuple, list] = {}  # (severity, column) -> [count, first row]
        self.added = 0  # findings raised through add(), listed or only counted

    def add(self, severity, message, row=None, code=None):
        self.added += 1
        cell = f"{self.sheet.letter(code)}{row}" if code and row else None
        # a pasted export repeats one problem in thousands of cells: list the first ten per column, count the rest
        seen = self.repeats.setdefault((severity, code), [0, row])
        seen[0] += 1
        if seen[0] <= MAX_ROWS_LISTED:
            self.findings.add(severity, message, self.file, self.sheet.name, cell, row)

    def summarise(self) -> None:
        for (severity, code), (count, _) in self.repeats.items():
            if count > MAX_ROWS_LISTED:
                where = f" in der Spalte „{self.sheet.columns[[c.code for c in self.sheet.columns].index(code)].label}“" if code else ""
                self.findings.add(severity, f"… und {count - MAX_ROWS_LISTED} weitere Feststellungen dieser Art{where}; "
                                            f"bitte die ganze Spalte prüfen.",
                                  self.file, self.sheet.name)

    def header_ok(self) -> bool:
        header = self.rows[HEADER_ROW - 1] if len(self.rows) >= HEADER_ROW else []
        for i, col in enumerate(self.sheet.columns):
            found = vocab.text(header[i]) if i < len(header) else ""
            if vocab.key(found) != vocab.key(col.label):
                self.findings.add("error", f"Die Spaltenüberschrift in {column_letter(i)}{HEADER_ROW} lautet „{found[:40]}“ "
                                           f"statt „{col.label}“. Das Blatt wurde verändert und wird nicht ausgewertet; "
                                           f"bitte die Spalten wie in der Vorlage anordnen.",
                                  self.file, self.sheet.name, f"{column_letter(i)}{HEADER_ROW}", HEADER_ROW)
                return False
        return True

    def check_merged(self) -> None:
        for (r0, c0), (r1, c1) in self.merged:
            if r1 + 1 >= FIRST_DATA_ROW and c0 < len(self.sheet.columns):
                ref = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
                self.findings.add("error", f"Im Eingabebereich sind Zellen verbunden ({ref}). Bitte die Verbindung "
                                           f"aufheben (Start > Verbinden und zentrieren), sonst fehlen Werte.",
                                  self.file, self.sheet.name, ref, r0 + 1)

    def records(self):
        """(row number, {code: raw value}) for each non-empty input row."""
        inputs = [(i, c.code) for i, c in enumerate(self.sheet.columns) if c.kind != "formula"]
        width = max(i for i, _ in inputs) + 1
        for index in range(FIRST_DATA_ROW - 1, len(self.rows)):
            raw = self.rows[index]
            if len(raw) < width:
                raw = list(raw) + [""] * (width - len(raw))
            values = {code: raw[i] for i, code in inputs}
            if all(_blank(v) for v in values.values()):
                continue
            yield index + 1, values

    # -- typed values --------------------------------------------------------------------
    def count(self, row: int, code: str, value) -> Fraction | int | None:
        """A count cell: blank is 0; text, dates and negatives are errors (the value is not repeated,
        it may be a name or a birth date)."""
        kind = type(value)
        if kind is int and 0 <= value <= MAX_COUNT:  # the usual cells first: a number, or nothing
            return value
        if kind is float and 0 <= value <= MAX_COUNT and value.is_integer():
            return int(value)
        if _blank(value):
            return 0
        if isinstance(value, (int, float)) and value > MAX_COUNT:  # 1e308 would overflow every writer
            self.add("error", f"Die Anzahl ist größer als {MAX_COUNT:,}".replace(",", ".") + " und damit keine "
                              "Zahl von Beschäftigten. Bitte die Zelle prüfen (ganze Zahl ab 0).", row, code)
            return None
        if isinstance(value, (datetime, date)):
            self.add("error", "In einem Zählfeld steht ein Datum. Hier gehören nur Anzahlen hin – falls es ein "
                              "Geburtsdatum ist, bitte sofort löschen.", row, code)
            return None
        number = vocab.to_count(value)
        if number is not None and number > MAX_COUNT:  # a text such as "1e308"
            number = None
        if number is None and self.profile.count_basis == "vzae" and isinstance(value, (int, float)) and \
                0 <= value <= MAX_COUNT:
            number = Fraction(value).limit_denominator(1000)  # full-time equivalents such as 12.5
        if number is None:
            if isinstance(value, (int, float)) and value < 0:
                self.add("error", "Negative Anzahl. Bitte eine ganze Zahl ab 0 eintragen.", row, code)
            elif isinstance(value, float):
                self.add("error", "Keine ganze Zahl. Bitte Köpfe zählen (ganze Zahl ab 0).", row, code)
            else:
                self.add("error", "In einem Zählfeld steht Text. Hier gehören nur Anzahlen hin – keine Namen oder "
                                  "Personalnummern. Bitte durch die Anzahl ersetzen.", row, code)
        return number

    def text(self, row: int, code: str, value) -> str:
        """A text cell; one that looks like personal data is reported and not taken over (so it can
        never reach a result sheet or a plan draft)."""
        value = vocab.text(value)
        for pattern, what in PERSONAL_TEXT_PATTERNS:
            if pattern.search(value):
                self.add("error", f"Der Text sieht aus wie {what}. Der Erhebungsbogen darf keine personenbezogenen "
                                  f"Daten enthalten; die Angabe wird nicht übernommen. Bitte entfernen.", row, code)
                return ""
        return value

    def dimension_area(self, row: int, values: dict) -> tuple[str, str] | None:
        pair = (values["dimension"], values["area"])
        known = _AREAS.get(pair) if type(pair[0]) is str and type(pair[1]) is str else None
        if known is None:
            before = self.added
            known = self._dimension_area(row, values)
            # only pairs that raised no finding (every file has the same few hundred): a Bereich reported
            # as personal data ("Gesamt" still gives a key) must be reported again, and never be kept
            if known is not None and self.added == before and type(pair[0]) is str and type(pair[1]) is str \
                    and len(_AREAS) < 100_000:
                _AREAS[pair] = known
        return known

    def _dimension_area(self, row: int, values: dict) -> tuple[str, str] | None:
        dim = _DIM_LOOKUP.get(vocab.key(values["dimension"]))
        if dim is None:
            self.add("error", f"„{vocab.text(values['dimension'])[:40]}“ ist keine Dimension. Bitte aus der Liste wählen.",
                     row, "dimension")
            return None
        raw = self.text(row, "area", values["area"])
        if dim == "gesamt":
            return dim, "gesamt"
        if not raw and vocab.text(values["area"]):
            return None  # personal data, reported by text()
        if not raw:
            self.add("error", "Der Bereich fehlt: Zahlen ohne Bereich können nicht zugeordnet werden. Bitte den "
                              "Bereich eintragen.", row, "area")
            return None
        if dim == "besoldungs_entgeltgruppe":
            return dim, vocab.pay_group(raw)
        if vocab.has_vocabulary(dim):
            return dim, vocab.code(dim, raw) or raw
        return dim, raw

    def counts(self, row: int, values: dict, prefix: str = "") -> Counts | None:
        numbers = [self.count(row, code, values.get(code, "")) for code in _SEX_CODES[prefix]]
        return None if None in numbers else Counts(*numbers)

    def date(self, row: int, code: str, value) -> date | None:
        if vocab.text(value) == "":
            return None
        result = vocab.to_date(value)
        if result is None:
            self.add("error", "Kein gültiges Datum. Bitte als TT.MM.JJJJ eintragen.", row, code)
        return result


class Metadata(dict):
    """The metadata sheet as {key: value}; ``cells`` maps each key to its value cell (for findings).
    Carried by the result, not kept in the module: reading another workbook (a second thread of the
    add-in, the next file of a batch) cannot change the cells a finding of this one names."""

    def __init__(self, values: dict, cells: dict[str, str]):
        super().__init__(values)
        self.cells = cells


def read_metadata(book, file: str) -> Metadata:
    """The metadata sheet as {key: value}, after checking document type and template version."""
    if METADATA_SHEET not in book.sheet_names:
        raise WorkbookError(f"„{file}“ ist kein Erhebungsbogen von xl-gleichplan: das Blatt „{METADATA_SHEET}“ fehlt. "
                            f"Bitte die Daten in eine aktuelle Vorlage übertragen (xl-gleichplan template).")
    meta, rows = {}, {}
    for number, row in enumerate(book.get_sheet_by_name(METADATA_SHEET).to_python(skip_empty_area=False), start=1):
        if len(row) >= 3 and vocab.text(row[0]):
            meta.setdefault(vocab.text(row[0]), row[2])
            rows.setdefault(vocab.text(row[0]), number)
    meta = Metadata(meta, {k: f"C{n}" for k, n in rows.items()})
    if vocab.text(meta.get("dokumenttyp")) != DOCUMENT_TYPE:
        raise WorkbookError(f"„{file}“ ist kein Erhebungsbogen von xl-gleichplan (Dokumenttyp im Blatt „{METADATA_SHEET}“ "
                            f"fehlt oder ist falsch). Bitte eine Vorlage mit xl-gleichplan template erstellen.")
    version = vocab.to_count(meta.get("vorlagenversion"))
    if version != TEMPLATE_VERSION and version not in MIGRATIONS:
        raise WorkbookError(f"„{file}“ hat die Vorlagenversion {vocab.text(meta.get('vorlagenversion')) or '(leer)'}; "
                            f"diese Programmversion liest Version {TEMPLATE_VERSION}. Bitte xl-gleichplan aktualisieren "
                            f"oder die Daten in eine aktuelle Vorlage übertragen.")
    meta["vorlagenversion"] = version
    return meta


def agency_type_code(profile: Profile, text: str) -> str:
    """The metadata's "Art der Dienststelle": the German label the drop-down offers, or (templates
    before issue 14) the type code itself. A label of another shipped profile gives that profile's
    code, which this profile may know as an alias (a Thuringian template read with "bund")."""
    key = vocab.key(text)
    others = (load_profile(name) for name in available_profiles() if name != profile.id)  # only if needed
    for candidate in chain([profile], others):
        code = next((c for c, route in candidate.routing.items() if vocab.key(route.label) == key), None)
        if code is not None:
            return code
    return text


def read_workbook(path: str | Path, profile: Profile | str | None = None, *,
                  check_formulas: bool = True) -> tuple[Dataset, Profile]:
    """The Dataset of a filled Erhebungsbogen file and the law profile it was made for. The one way a
    workbook FILE is read (``check``, ``plan``, the consolidation's workers): a damaged file, a Rust
    panic in calamine included, becomes a German WorkbookError naming file and sheet, and the book is
    always closed. ``check_formulas`` adds the check for formula cells overwritten by values; it
    parses every sheet's XML a second time, so the consolidation leaves it out."""
    path = Path(path)
    file = file_label(path)
    parts: dict[str, bytes] = {}
    explicit: set[str] = set()
    book = _TrackedBook(open_workbook(path, parts, explicit))
    try:
        dataset, profile = read_book(book, file, profile)
        if check_formulas and path.suffix.lower() in (".xlsx", ".xlsm"):
            _check_formulas(path, file, dataset.findings, [s for s in SHEETS.values() if s.name in book.sheet_names],
                            parts, explicit)
    except BaseException as exc:
        if not _damaged_file(exc):
            raise
        where = f" (Blatt „{book.last}“)" if book.last else ""
        raise WorkbookError(f"„{path}“{where} ist beschädigt und kann nicht gelesen werden ({type(exc).__name__}: "
                            f"{str(exc)[:200]}). Bitte die Datei in Excel öffnen, prüfen und neu speichern.") from None
    finally:
        book.close()
    note = lock_note(path)  # calamine's book takes no extra attributes: checked here, not in open_workbook
    if note:
        dataset.findings.insert(0, Finding("info", note, file_label(path)))
    return dataset, profile


class _TrackedBook:
    """calamine's book, remembering the sheet asked for last: calamine parses a sheet only when it is
    asked for, and its errors do not say which sheet was broken."""

    def __init__(self, book):
        self._book, self.last = book, None

    def __getattr__(self, name):
        return getattr(self._book, name)

    def get_sheet_by_name(self, name):
        self.last = name
        return self._book.get_sheet_by_name(name)


def _damaged_file(exc: BaseException) -> bool:
    """An error that says the file is broken, not that the program is: python-calamine's own errors,
    a Rust panic inside it (``pyo3_runtime.PanicException``, a BaseException), lxml's and zipfile's."""
    from lxml import etree
    from python_calamine import CalamineError

    return isinstance(exc, (CalamineError, etree.LxmlError, zipfile.BadZipFile)) or is_panic(exc)


def read_book(book, file: str, profile: Profile | str | None = None) -> tuple[Dataset, Profile]:
    """Read from any book that offers ``sheet_names`` and ``get_sheet_by_name(name)`` with
    ``to_python()`` and ``merged_cell_ranges`` (calamine's API; the Excel add-in adapts xlwings to it)."""
    meta = read_metadata(book, file)
    if not isinstance(profile, Profile):
        profile = load_profile(profile or _named_profile(meta, file))
    findings = FindingList()
    stichtag, stichtag_cell = vocab.to_date(meta.get("stichtag")), meta.cells.get("stichtag")
    if stichtag is None:
        findings.add("error", "Der Stichtag fehlt oder ist kein Datum. Bitte im Blatt „Metadaten“ eintragen (TT.MM.JJJJ).",
                     file, METADATA_SHEET)
    elif problem := stichtag_problem(stichtag):
        findings.add("error", problem, file, METADATA_SHEET, stichtag_cell)
        stichtag = None
    if stichtag is None:
        stichtag = date(date.today().year - 1, *profile.stichtag_month_day)
    agency_type = agency_type_code(profile, vocab.text(meta.get("art")) or "landesverwaltung")
    profile.route(agency_type)  # an unknown type is an error the clerk must fix in the metadata
    ds = Dataset(Agency(vocab.text(meta.get("dienststelle")) or file, agency_type,
                        vocab.text(meta.get("uebergeordnet")) or None), stichtag, findings=findings,
                 file=vocab.text(file_label(file)), stichtag_cell=stichtag_cell)
    _check_window(meta, stichtag, profile, file, findings)
    _check_parameters(meta, profile, file, findings)
    if meta["vorlagenversion"] in MIGRATIONS:
        MIGRATIONS[meta["vorlagenversion"]](book, ds)
    sheets = {}
    hidden = {m.name for m in getattr(book, "sheets_metadata", ()) if "hidden" in str(m.visible).lower()}
    inputs = {vocab.key(s.name): s.name for s in SHEETS.values()}
    for name in book.sheet_names:
        copy_of = next((inputs[k] for k in inputs if k in vocab.key(name)), None) if name not in SHEETS_BY_NAME else None
        if copy_of:  # "Bestand (2)", "Kopie von Bestand": a clerk may have typed the numbers there
            findings.add("warning", f"Das Blatt „{name}“ sieht aus wie eine Kopie von „{copy_of}“ und wird nicht "
                                    f"ausgewertet. Gezählt wird nur „{copy_of}“; bitte die Zahlen dorthin übernehmen und "
                                    f"die Kopie löschen.", file, name)
    for key, sheet in SHEETS.items():
        former = next((name for name in sheet.former if name in book.sheet_names), None)
        if sheet.name not in book.sheet_names and former:
            sheet = replace(sheet, name=former)  # an older template: read under its own name
        if sheet.name not in book.sheet_names:
            findings.add("error", f"Das Blatt „{sheet.name}“ fehlt. Bitte aus einer frischen Vorlage übernehmen; "
                                  f"seine Angaben fehlen in der Auswertung.", file, sheet.name)
            continue
        if sheet.name in hidden:
            findings.add("info", f"Das Blatt „{sheet.name}“ ist ausgeblendet; es wird trotzdem ausgewertet. Bitte "
                                 f"einblenden (Rechtsklick auf einen Blattnamen > Einblenden) und die Angaben prüfen.",
                         file, sheet.name)
        reader = _SheetReader(book, sheet, file, findings, profile)
        reader.check_merged()
        if reader.header_ok():
            sheets[key] = reader
    for key, read in (("stock", _stock), ("movements", _movements), ("postings", _postings),
                      ("committees", _committees), ("forecast", _forecast), ("targets", _targets),
                      ("measures", _measures)):
        if key in sheets:
            read(sheets[key], ds)
            sheets[key].summarise()
    return ds, profile


def _named_profile(meta: Metadata, file: str) -> str | None:
    """The profile the workbook's metadata names, only if it is a shipped one: a returned workbook
    must not choose its own rules (a profile file with smaller cells switches off the draft's
    protection; a path may point to a share). An office's own profile comes from --profile."""
    named = vocab.text(meta.get("profil"))
    if named and named not in available_profiles():
        cell = meta.cells.get("profil", "")
        raise WorkbookError(f"„{file}“ nennt im Blatt „{METADATA_SHEET}“ (Zelle {cell}) das Rechtsprofil „{named[:80]}“. "
                            f"Ein Erhebungsbogen kann nur ein mitgeliefertes Profil nennen "
                            f"({', '.join(available_profiles())}); ein eigenes Profil bitte beim Aufruf angeben "
                            f"(--profile DATEI.toml), oder im Blatt eines der mitgelieferten eintragen.")
    return named or None


def analyse_workbook(path: str | Path, profile: Profile | str | None = None):
    from ..analysis import analyse

    dataset, profile = read_workbook(path, profile)
    return analyse(dataset, profile)


def _check_parameters(meta, profile, file, findings) -> None:
    """The workbook's formulas read the parameter cells; Python reads the profile. Say when they differ."""
    for key, label, _ in PARAMETERS:
        expected, found = parameter_values(profile)[key], meta.get(key)
        same = vocab.text(found) == vocab.text(expected) if isinstance(expected, str) else \
            isinstance(found, (int, float)) and abs(float(found) - float(expected)) < 1e-12
        if key in meta and not same:
            findings.add("warning", f"Der Parameter „{label}“ im Blatt „{METADATA_SHEET}“ ist {vocab.text(found)}, das "
                                    f"Rechtsprofil „{profile.id}“ sagt {vocab.text(expected)}. Die Formeln in Excel rechnen "
                                    f"mit dem Wert im Blatt, xl-gleichplan mit dem Profil. Bitte den Wert zurücksetzen oder "
                                    f"ein eigenes Profil verwenden (--profile DATEI.toml).", file, METADATA_SHEET)


def _check_window(meta, stichtag, profile, file, findings) -> None:
    expected = deadlines(stichtag, profile)
    start, end = vocab.to_date(meta.get("zeitraum_von")), vocab.to_date(meta.get("zeitraum_bis"))
    if (start, end) != (None, None) and (start, end) != (expected.flow_window_start, expected.flow_window_end):
        findings.add("warning", f"Der Berichtszeitraum {vocab.text(meta.get('zeitraum_von'))}–"
                                f"{vocab.text(meta.get('zeitraum_bis'))} passt nicht zum Stichtag: nach dem Gesetz gilt "
                                f"{expected.flow_window_start:%d.%m.%Y}–{expected.flow_window_end:%d.%m.%Y}. Bitte die "
                                f"Bewegungsdaten für diesen Zeitraum erfassen.", file, METADATA_SHEET)


def _add_area(reader: _SheetReader, table: dict, key: tuple, counts: Counts, row: int, code: str = "w") -> None:
    if key in table:
        reader.add("warning", "Dieser Bereich steht mehrfach im Blatt; die Zahlen werden addiert. Bitte prüfen.", row, code)
        counts = table[key] + counts
    table[key] = counts


def _stock(reader: _SheetReader, ds: Dataset) -> None:
    rows: dict[tuple, int] = {}  # Bereich -> its (first) row, for the cell of the sum finding
    for row, values in reader.records():
        key = reader.dimension_area(row, values)
        counts = reader.counts(row, values)
        part = {f"{p}_{s}": reader.count(row, f"{p}_{s}", values[f"{p}_{s}"]) for p in ("part_time", "on_leave") for s in "wm"}
        if key is None or counts is None or None in part.values():
            continue
        if counts.total == 0 and all(vocab.text(values[s]) == "" for s in "wmdx"):
            continue  # a prefilled Bereich nobody filled in: not present in this Dienststelle
        for p in ("part_time", "on_leave"):
            for s in "wm":
                if part[f"{p}_{s}"] > counts.get(s):
                    what = "Teilzeit" if p == "part_time" else "beurlaubt"
                    reader.add("error", f"„davon {what}“ ist größer als die Zahl der {'Frauen' if s == 'w' else 'Männer'} "
                                        f"im Bereich. Bitte korrigieren.", row, f"{p}_{s}")
        _add_area(reader, ds.stock, key, counts, row)
        rows.setdefault(key, row)
        for p, table in (("part_time", ds.part_time), ("on_leave", ds.on_leave)):
            if part[f"{p}_w"] or part[f"{p}_m"]:
                table[key] = Counts(part[f"{p}_w"], part[f"{p}_m"])
    total = ds.stock.get(("gesamt", "gesamt"))
    if total is None:
        reader.add("error", "Die Zeile „Beschäftigte insgesamt“ fehlt oder ist leer. Bitte die Gesamtzahl eintragen.")
        return
    ds.heads = int(total.total) if reader.profile.count_basis == "koepfe" else 0
    # Bereiche that every person belongs to must add up to the total
    for dim in ("statusgruppe", "arbeitszeit", "beurlaubung", "befristet"):
        parts = [c for (d, _), c in ds.stock.items() if d == dim]
        if parts and sum(parts, Counts()) != total:
            s = sum(parts, Counts())
            at = sorted(r for (d, _), r in rows.items() if d == dim)
            cells = f"{reader.sheet.letter('w')}{at[0]}:{reader.sheet.letter('x')}{at[-1]}"  # the Bereiche's counts
            reader.findings.add("warning", f"Die Bereiche der Dimension „{DIMENSIONS[dim]}“ ergeben zusammen {s.w} Frauen "
                                           f"und {s.m} Männer (insgesamt {s.total}), die Zeile „Beschäftigte insgesamt“ "
                                           f"aber {total.w} Frauen und {total.m} Männer (insgesamt {total.total}). Bitte die "
                                           f"Summen prüfen.", reader.file, reader.sheet.name, cells, at[0])


def _movements(reader: _SheetReader, ds: Dataset) -> None:
    for row, values in reader.records():
        kind = _KIND_LOOKUP.get(vocab.key(values["kind"]))
        if kind is None:
            reader.add("error", f"„{vocab.text(values['kind'])[:30]}“ ist kein Vorgang. Bitte aus der Liste wählen.", row, "kind")
            continue
        key, counts = reader.dimension_area(row, values), reader.counts(row, values)
        if key is None or counts is None or all(vocab.text(values[s]) == "" for s in "wmdx"):
            continue
        _add_area(reader, ds.movements, (kind, *key), counts, row)


def _postings(reader: _SheetReader, ds: Dataset) -> None:
    for row, values in reader.records():
        key, number = reader.dimension_area(row, values), reader.count(row, "count", values["count"])
        if key is not None and number is not None and vocab.text(values["count"]) != "":
            ds.postings[key] = ds.postings.get(key, 0) + number


def _committees(reader: _SheetReader, ds: Dataset) -> None:
    for row, values in reader.records():
        name, counts = reader.text(row, "name", values["name"]), reader.counts(row, values)
        if counts is None:
            continue
        if not name:
            reader.add("error", "Der Name des Gremiums fehlt.", row, "name")
            continue
        ds.committees[name] = ds.committees.get(name, Counts()) + counts


def _forecast(reader: _SheetReader, ds: Dataset) -> None:
    for row, values in reader.records():
        key, counts = reader.dimension_area(row, values), reader.counts(row, values)
        if key is not None and counts is not None and any(vocab.text(values[s]) for s in "wmdx"):
            _add_area(reader, ds.forecast, key, counts, row)


def _targets(reader: _SheetReader, ds: Dataset) -> None:
    for row, values in reader.records():
        key = reader.dimension_area(row, values)
        sex = vocab.code("geschlecht", values["sex"])
        goal = reader.count(row, "target", values["target"])
        achieved = None if vocab.text(values["achieved"]) == "" else reader.count(row, "achieved", values["achieved"])
        leadership = vocab.to_bool(values["leadership"]) if vocab.text(values["leadership"]) else key and key[0] == "fuehrungsebene"
        if sex not in ("w", "m"):
            reader.add("error", "Bitte „Frauen“ oder „Männer“ wählen.", row, "sex")
        if not goal:
            reader.add("error", "Das Ziel muss eine ganze Zahl größer als 0 sein.", row, "target")
        if leadership is None:
            reader.add("error", "Bitte „ja“ oder „nein“ wählen.", row, "leadership")
        if key is None or sex not in ("w", "m") or not goal or leadership is None or \
                (achieved is None and vocab.text(values["achieved"]) != ""):
            continue
        ident = vocab.text(values["id"]) or f"Z{len(ds.targets) + 1}"
        ds.targets.append(Target(ident, *key, sex, int(goal), None if achieved is None else int(achieved),
                                 bool(leadership), reader.date(row, "deadline", values["deadline"]),
                                 f"{reader.sheet.letter('sex')}{row}"))


def _measures(reader: _SheetReader, ds: Dataset) -> None:
    for row, values in reader.records():
        text = reader.text(row, "text", values["text"])
        if not text:
            reader.add("warning", "Die Maßnahme hat keinen Text und wird übergangen.", row, "text")
            continue
        kind = _MEASURE_LOOKUP.get(vocab.key(values["kind"]), "organisatorisch")
        ds.measures.append(Measure(vocab.text(values["target_id"]) or None, kind, text,
                                   reader.text(row, "responsible", values["responsible"]),
                                   reader.date(row, "deadline", values["deadline"])))


def _check_formulas(path: Path, file: str, findings: FindingList, sheets: list[Sheet],
                    parts: dict[str, bytes] | None = None, explicit: set[str] = frozenset()) -> None:
    """A formula cell overwritten by a number shows a stale verdict: find them in the sheet XML.
    ``parts``: the parts the zip check unpacked already (the same bytes calamine was checked on),
    ``explicit``: those of them it found with explicit positions."""
    from lxml import etree

    parts = {} if parts is None else parts
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    safe = etree.XMLParser(resolve_entities=False, no_network=True)  # no entity expansion from foreign files
    with ExitStack() as stack:
        opened: list[zipfile.ZipFile] = []

        def archive() -> zipfile.ZipFile:  # opened only for a part the zip check did not keep (rarely)
            if not opened:
                opened.append(stack.enter_context(zipfile.ZipFile(path)))
            return opened[0]

        def read(name: str) -> bytes:
            return parts[name] if name in parts else archive().read(name)

        wb = etree.fromstring(read("xl/workbook.xml"), parser=safe)
        rels = etree.fromstring(read("xl/_rels/workbook.xml.rels"), parser=safe)
        targets = {r.get("Id"): r.get("Target") for r in rels}
        names = {s.get("name"): targets.get(s.get(f"{{{ns['r']}}}id"), "") for s in wb.find("m:sheets", ns)}
        for sheet in sheets:
            letters = frozenset(sheet.letter(c.code) for c in sheet.columns if c.kind == "formula")
            if not letters or sheet.name not in names:
                continue
            part = names[sheet.name].lstrip("/")
            part = part if part.startswith("xl/") else f"xl/{part}"
            size = len(parts[part]) if part in parts else archive().getinfo(part).file_size
            if size > MAX_FORMULA_CHECK_BYTES:
                continue  # a pasted list: reported as too many rows; parsing it whole would take gigabytes
            data = read(part)
            if all_formulas_in_place(data, letters, FIRST_DATA_ROW, part in explicit and part in parts):
                continue  # the usual case, settled without parsing the sheet
            # cells with a value but no formula in the formula columns, placed as calamine places them
            # (also cells without r, and h5 read as H5)
            value, formula = f"{{{ns['m']}}}v", f"{{{ns['m']}}}f"
            broken = [f"{column_letter(col - 1)}{row}" for cell, row, col in placed_cells(io.BytesIO(data))
                      if row >= FIRST_DATA_ROW and column_letter(col - 1) in letters
                      and cell.find(value) is not None and cell.find(formula) is None]
            for ref in broken[:10]:
                findings.add("warning", "Hier stand eine Formel, jetzt ein fester Wert. Die Auswertung von xl-gleichplan "
                                        "rechnet selbst; für Excel bitte die Formel aus einer frischen Vorlage kopieren.",
                             file, sheet.name, ref, int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
