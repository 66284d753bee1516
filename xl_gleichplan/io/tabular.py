"""Read a table (CSV, xlsx, xlsm, xlsb) into columns of raw cell values.

One reader for every flat export: the header row is found, column names are normalised
(``Besoldungs-/Entgeltgruppe`` -> ``besoldungs_entgeltgruppe``), and columns that hold personal data
are dropped at the door unless the caller asks for them. Values stay raw (str, float, datetime);
the importer decides what they mean.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError, is_panic
from ..schema import column_letter  # noqa: F401 (imported from here by the importers)
from .atomic import reason
from .budget import Deadline, check_file_size, check_shape, german_number
from . import vocabulary as vocab
from .columns import COLUMNS, HEADER_SEARCH_ROWS, find_header
from .ooxml import check_zip

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: encrypted OOXML or an old .xls
TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb"}
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise_name(name: object) -> str:
    """Column name as code: lower case, umlauts spelled out, runs of other characters as one '_'."""
    text = str(name).strip().lower().translate(_UMLAUTS)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


@dataclass
class Table:
    """Columns of one sheet or CSV file. Row ``i`` of a column is spreadsheet row ``first_row + i``.

    Empty rows stay in the table, so that row numbers match the file; ``blank`` marks them (every
    kept column empty) and the importers skip them: an empty line is nobody."""

    file: str
    sheet: str | None
    columns: dict[str, pd.Series]  # normalised name -> values
    letters: dict[str, str]  # normalised name -> column letter in the file
    first_row: int
    rows: int
    blank: np.ndarray | None = None
    # what the reader noticed about the file as a whole: (severity, German message[, topic]); the
    # importers turn them into findings
    notes: list = field(default_factory=list)
    # the time budget of reading this file, shared with the importer that goes on with the rows
    deadline: Deadline | None = None
    # every header cell with what it was taken for (io.columns.Column), when a resolver named them
    header: list = field(default_factory=list)
    # data rows near the end with a word like "Summe" or "Gesamt" in any cell, also one not read (a
    # totals row is no person; the importer decides)
    totals: list = field(default_factory=list)

    def __post_init__(self):
        if self.blank is None:
            self.blank = _blank_rows(self.columns, self.rows)
        if self.deadline is None:
            self.deadline = Deadline(self.file)

    def cell(self, column: str, index: int) -> str:
        return f"{self.letters[column]}{self.first_row + index}"

    def header_of(self, column: str) -> str:
        """The column's name as the file writes it (the code where no header was kept)."""
        return next((c.header for c in self.header if c.code == column and c.status in ("used", "flag")), column)


def read_table(path: str | Path, *, keep: frozenset[str] = frozenset(), drop: frozenset[str] = frozenset(),
               renames: dict[str, str] | None = None, resolver=None, sheet: str | None = None) -> Table:
    """Read the first sheet (or the CSV) at ``path``.

    Columns named in ``drop`` (personal data) are not kept unless also in ``keep``. ``renames``
    maps normalised source names to our codes (from a mapping file). With a ``resolver``
    (io.columns.Resolver: the HR exports) the header row is looked for below a title block, on the
    sheet that has one (or on ``sheet``), and the resolver names the columns instead."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"Die Datei „{path}“ wurde nicht gefunden. Bitte den Pfad prüfen.")
    if path.is_dir():
        raise InputFileError(f"„{path}“ ist ein Ordner, keine Datei.")
    if path.name.startswith("~$"):
        raise InputFileError(
            f"„{path}“ ist eine Sperrdatei von Excel (die Datei ist gerade in Excel geöffnet). "
            f"Bitte die eigentliche Datei ohne „~$“ angeben."
        )
    if path.stat().st_size == 0:
        raise InputFileError(f"Die Datei „{path}“ ist leer. Bitte den Export erneut erstellen.")
    suffix = path.suffix.lower()
    deadline = Deadline(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:  # locked by another program, no read permission
        raise InputFileError(f"„{path}“ kann nicht geöffnet werden ({reason(exc, reading=True)}). Ist die Datei in "
                             f"einem anderen Programm geöffnet? Bitte schließen oder die Zugriffsrechte prüfen.") from None
    is_zip = head.startswith(b"PK\x03\x04")
    if head.startswith(CFB_MAGIC):
        raise InputFileError(
            f"„{path}“ ist eine kennwortgeschützte (verschlüsselte) Arbeitsmappe oder eine alte .xls-Datei; "
            f"beides wird nicht gelesen. Bitte in Excel ohne Kennwort als .xlsx (oder als CSV) speichern."
        )
    check_file_size(path, "workbook" if is_zip or suffix in SHEET_SUFFIXES else "text")
    if suffix in SHEET_SUFFIXES or (is_zip and suffix not in TEXT_SUFFIXES):
        if not is_zip:
            raise InputFileError(
                f"„{path}“ hat die Endung {suffix}, ist aber keine Excel-Arbeitsmappe "
                f"(vielleicht eine umbenannte CSV- oder alte .xls-Datei). Bitte in Excel als .xlsx speichern."
            )
        try:
            parts = check_zip(path)
        except (NotImplementedError, ValueError, EOFError) as exc:  # zipfile's other answers to a damaged package
            raise InputFileError(f"„{path}“ ist beschädigt oder unvollständig ({exc}). Bitte die Datei neu speichern "
                                 f"oder erneut anfordern.") from None
        deadline.check("beim Prüfen des ZIP-Containers")
        # the HR exports' xlsx/xlsm sheets as Arrow columns; .xlsb (and what the Arrow path doubts) as rows
        found = _read_sheet(path, deadline, resolver, sheet, arrow=resolver is not None and
                            "xl/workbook.bin" not in parts and suffix != ".xlsb")
        if isinstance(found, Table):
            return found
        header, body, sheet, first_row, notes = found
    else:
        if is_zip:
            raise InputFileError(
                f"„{path}“ hat die Endung {suffix}, ist aber eine Excel-Arbeitsmappe. "
                f"Bitte die Endung .xlsx verwenden oder als CSV speichern."
            )
        if b"\x00" in head and not _utf16(head):
            raise InputFileError(
                f"„{path}“ ist keine Textdatei (CSV), sondern eine Binärdatei. Bitte den Export als "
                f"CSV (Trennzeichen ; oder ,) oder als Excel-Arbeitsmappe erstellen."
            )
        if sheet:
            raise InputFileError(f"--sheet „{sheet}“ gilt nur für Excel-Arbeitsmappen; „{path}“ ist eine Textdatei (CSV).")
        return _read_csv(path, keep, drop, renames or {}, deadline, resolver)
    if resolver is not None:
        table = _resolved_columns(str(path), sheet, header, _column_reader(body), len(body), resolver, first_row,
                                  deadline, notes)
        table.totals = _totals_rows(body)
        return table
    return _columns(str(path), sheet, header, body, keep, drop, renames or {}, first_row, deadline)


def _wanted(name: str, keep, drop) -> bool:
    return name in keep or name not in drop


def _blank_rows(columns: dict[str, pd.Series], rows: int) -> np.ndarray:
    """Rows in which every kept column is empty ("" or None), checked column by column on the rows
    still in question (real exports have few such rows, so this stays cheap for large files)."""
    candidates = np.arange(rows)
    for series in columns.values():
        if not len(candidates):
            break
        if isinstance(series.dtype, pd.CategoricalDtype):  # judged once per distinct value
            categories = series.cat.categories
            empty_value = np.append(np.asarray(categories.isna() | (categories.astype(object) == ""), dtype=bool), True)
            empty = empty_value[series.cat.codes.to_numpy()[candidates]]
        else:
            values = series.iloc[candidates].to_numpy(dtype=object)
            empty = pd.isna(values) | (values == "")
        candidates = candidates[np.asarray(empty, dtype=bool)]
    blank = np.zeros(rows, dtype=bool)
    blank[candidates] = True
    return blank


def _columns(file, sheet, header, body, keep, drop, renames, first_row: int = 2, deadline=None) -> Table:
    names = [renames.get(normalise_name(h), normalise_name(h)) for h in header]
    columns, letters = {}, {}
    wanted = [(i, n) for i, n in enumerate(names) if n and _wanted(n, keep, drop)]
    column = _column_reader(body)
    for i, name in wanted:
        if name in columns:
            continue  # the first of two equally named columns wins
        columns[name] = column(i)  # personal columns are never copied out of the rows
        letters[name] = column_letter(i)
        if deadline:
            deadline.check(f"in Spalte {column_letter(i)}")
    return Table(file, sheet, columns, letters, first_row=first_row, rows=len(body), deadline=deadline)


def _column_reader(body: list[list]):
    """A function giving column ``i`` of the rows as an object Series ("" beyond a short row).
    calamine's rows are all as wide as the sheet: then numpy copies them into one grid at once
    (a third of the time of a list per column on 500,000 rows) and each column is copied out of
    it, so that no Series keeps the grid, personal columns included, alive."""
    width = len(body[0]) if body else 0
    if body and all(len(r) == width for r in body):
        grid = np.empty((len(body), width), dtype=object)
        grid[:] = body
        return lambda i: pd.Series(grid[:, i].copy() if i < width else np.full(len(body), "", dtype=object),
                                   dtype=object)
    return lambda i: pd.Series([r[i] if i < len(r) else "" for r in body], dtype=object)


def _native_failure(exc: BaseException) -> bool:
    """python-calamine raises its own error types, and a Rust panic inside it arrives as
    ``pyo3_runtime.PanicException``, which derives from BaseException, not Exception."""
    return isinstance(exc, Exception) or is_panic(exc)


def _read_sheet(path: Path, deadline: Deadline | None = None, resolver=None, wanted: str | None = None,
                arrow: bool = False):
    """(header, body, sheet name, first data row, notes) of the sheet that holds the export: ``wanted``,
    or the visible sheet whose header the resolver knows best, or the first visible sheet. Only the
    reading is inside the native readers' error handling: a fault in the header search is ours, not a
    damaged file. With ``arrow`` (and a resolver) the Table read by fastexcel (io.arrow_sheet), unless
    that path doubts its values."""
    from python_calamine import SheetVisibleEnum

    deadline = deadline or Deadline(path)
    notes = []
    with _native_errors(path) as fallback:
        book = calamine_book(path)
        if not book.sheet_names:
            raise InputFileError(f"„{path}“ enthält kein Tabellenblatt. Bitte den Export erneut erstellen.")
        if wanted is not None:
            if wanted not in book.sheet_names:
                raise InputFileError(f"„{path}“ hat kein Blatt „{wanted}“ (--sheet). Vorhanden: "
                                     f"{', '.join(f'„{n}“' for n in book.sheet_names[:20])}.")
            candidates = [wanted]
        else:
            # visible sheets only: a hidden helper sheet is never the export
            candidates = [s.name for s in book.sheets_metadata if s.visible == SheetVisibleEnum.Visible] \
                or book.sheet_names[:1]
        heads = {n: book.get_sheet_by_name(n).to_python(skip_empty_area=False, nrows=2 * HEADER_SEARCH_ROWS)
                 for n in candidates} if resolver is not None and len(candidates) > 1 else {}
    if fallback:
        return _read_xlsb_pyxlsb(path, fallback[0], deadline, resolver) + (notes,)
    name = _best_sheet(heads, resolver, notes) if heads else candidates[0]
    if arrow:
        from .arrow_sheet import load_sheet, sheet_table

        with _native_errors(path):
            batch, positions, texts = load_sheet(path, name, deadline)
        table = sheet_table(path, name, batch, positions, texts, resolver, deadline, notes)
        if table is not None:
            return table
    with _native_errors(path) as fallback:
        data = book.get_sheet_by_name(name)
        deadline.check(f"beim Laden des Blatts „{name}“")
        check_shape(path, name, data.height, data.width)
        rows = data.to_python(skip_empty_area=False)
        deadline.check(f"beim Lesen des Blatts „{name}“")
    if fallback:
        return _read_xlsb_pyxlsb(path, fallback[0], deadline, resolver) + (notes,)
    return _split_header(path, name, rows, find_header(rows, resolver)) + (notes,)


@contextlib.contextmanager
def _native_errors(path: Path):
    """German messages for what calamine raises on a broken workbook; an .xlsb it cannot parse is handed
    to the second reader (the caller gets the first error in the yielded list)."""
    fallback: list = []
    try:
        yield fallback
    except InputFileError:
        raise
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"„{path}“ kann nicht gelesen werden: {exc}. Ist die Datei gesperrt oder beschädigt?") from None
    except BaseException as exc:  # calamine raises its own error types for broken workbooks
        if not _native_failure(exc):
            raise
        if path.suffix.lower() != ".xlsb":
            raise InputFileError(
                f"„{path}“ ist keine lesbare Excel-Arbeitsmappe ({type(exc).__name__}: {str(exc)[:200]}). "
                f"Bitte die Datei in Excel öffnen und neu speichern."
            ) from None
        fallback.append(exc)


def _best_sheet(heads: dict[str, list], resolver, notes: list) -> str:
    """The visible sheet whose header names the most columns (a cover sheet or a pivot table before the
    data is passed over), judged by the first rows of each; the first sheet on a tie."""
    names = list(heads)
    scores = []
    for name in names:
        found = find_header(heads[name], resolver)
        scores.append(resolver.score(found[2]) if found else -1)
    best = max(range(len(names)), key=lambda i: (scores[i], -i))
    others = [n for i, n in enumerate(names) if i != best and scores[i] >= 2]
    if best != 0 or others:
        also = f" Auch {', '.join(f'„{n}“' for n in others)} hat eine Kopfzeile." if others else ""
        notes.append(("info", f"Gelesen wurde das Blatt „{names[best]}“ (die meisten bekannten Spaltennamen).{also} "
                              f"Ein anderes Blatt wählt --sheet NAME.", COLUMNS))
    return names[best]


def calamine_book(path: Path):
    """The workbook, by path; a name in another encoding (unzipped from Windows) through Python, as
    calamine would look for its UTF-8 spelling."""
    from python_calamine import CalamineWorkbook

    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        with open(path, "rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    return CalamineWorkbook.from_path(str(path))


def _read_xlsb_pyxlsb(path: Path, first_error: BaseException, deadline: Deadline | None = None, resolver=None):
    """Second reader for .xlsb files that calamine cannot parse (pure Python: the budget is
    checked every 10,000 rows)."""
    from pyxlsb import open_workbook

    from ..errors import LimitError
    from .budget import how_to_raise, limit

    deadline = deadline or Deadline(path)
    max_rows, max_cols, max_cells, cells = limit("MAX_ROWS"), limit("MAX_COLUMNS"), limit("MAX_SHEET_CELLS"), 0
    try:
        with open_workbook(str(path)) as book:
            name = book.sheets[0]
            rows = []
            with book.get_sheet(name) as sheet:
                for row in sheet.rows(sparse=False):
                    if len(rows) % 10_000 == 0:
                        deadline.check(f"in Zeile {len(rows) + 1}")
                    cells += len(row)
                    if len(rows) >= max_rows or len(row) > max_cols or cells > max_cells:
                        check_shape(path, name, max(len(rows) + 1, cells // max(len(row), 1)), len(row))
                        raise LimitError(f"Das Blatt „{name}“ in „{path}“ hat mehr als {german_number(max_cells)} "
                                         f"Zellen. Bitte weit entfernte, versehentlich belegte Zellen löschen und neu "
                                         f"speichern. {how_to_raise('MAX_SHEET_CELLS')}")
                    rows.append([c.v if c.v is not None else "" for c in row])
    except InputFileError:
        raise
    except Exception as exc:
        raise InputFileError(
            f"„{path}“ ist keine lesbare .xlsb-Arbeitsmappe ({str(first_error)[:200]}; {str(exc)[:200]}). "
            f"Bitte die Datei in Excel als .xlsx speichern."
        ) from None
    return _split_header(path, name, rows, find_header(rows, resolver))


def _split_header(path: Path, sheet: str, rows: list[list], found):
    """(header, body, sheet, first data row). The rows start at A1, so the data start in sheet row
    i + n + 1 (1-based) when the header is rows[i] (and n - 1 rows below it)."""
    if found is None:
        raise InputFileError(f"Das Tabellenblatt „{sheet}“ in „{path}“ ist leer.")
    start, count, header = found
    return header, rows[start + count:], sheet, start + count + 1


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM) when the bytes decode as such, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def detect_delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _mixed_lines(data: bytes) -> tuple[bytes, list[int]] | None:
    """A file that is not UTF-8 as a whole but has UTF-8 lines (two exports pasted together, or an
    editor that saved part of it anew): each line decoded in its own encoding, as UTF-8 bytes, and
    the (1-based) numbers of the Windows-1252 lines. None when no line is UTF-8 beyond ASCII."""
    if not re.search(rb"[\xc2-\xf4][\x80-\xbf]", data):
        return None  # a plain Windows-1252 file: no UTF-8 sequence at all
    out, cp1252_lines, utf8_lines = [], [], 0
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            text = line.decode("utf-8")
            utf8_lines += not line.isascii()
        except UnicodeDecodeError:
            text = line.decode("cp1252", errors="replace")
            cp1252_lines.append(number)
        out.append(text)
    if not utf8_lines or not cp1252_lines:
        return None
    return "".join(out).encode("utf-8"), cp1252_lines


def _first_line(data: bytes, encoding: str) -> str:
    """The first line, however long it is (a header is never cut)."""
    ends = [i for i in (data.find(b"\n"), data.find(b"\r")) if i >= 0]
    head = data[:max(65536, min(ends) + 1 if ends else len(data))]
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    return text.splitlines()[0] if text.strip() else ""


def _utf16(head: bytes) -> bool:
    """Excel's "Unicode-Text" (and some exports) are UTF-16 with a byte order mark."""
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _head_records(data: bytes, encoding: str, sep: str) -> list[tuple[list[str], int]]:
    """The first records of a CSV file, each with the number of physical lines read after it (a
    quoted header cell may hold a line break)."""
    head = data[:262144].decode(encoding, errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=sep)
    records = []
    try:
        for row in reader:
            records.append((row, reader.line_num))
            if len(records) >= 2 * HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        pass  # a broken quote in the head: what was read so far decides
    return records


def _line_offset(data: bytes, lines: int) -> int:
    """Byte offset of the start of physical line ``lines`` (0-based)."""
    newline = b"\n" if b"\n" in data else b"\r"
    offset = 0
    for _ in range(lines):
        found = data.find(newline, offset)
        if found < 0:
            return len(data)
        offset = found + 1
    return offset


def _read_csv(path: Path, keep, drop, renames, deadline: Deadline | None = None, resolver=None) -> Table:
    deadline = deadline or Deadline(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"„{path}“ kann nicht gelesen werden ({reason(exc, reading=True)}). Ist die Datei in "
                             f"einem anderen Programm geöffnet?") from None
    notes, source = [], path
    if _utf16(data[:2]):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise InputFileError(f"„{path}“ beginnt wie eine UTF-16-Textdatei („Unicode-Text“), ist aber nicht "
                                 f"durchgehend so kodiert. Bitte den Export als CSV (UTF-8) neu erstellen.") from None
        source = io.BytesIO(data)
    encoding = detect_encoding(data)
    if encoding == "cp1252":
        mixed = _mixed_lines(data)
        if mixed:
            data, lines = mixed
            encoding, source = "utf-8", io.BytesIO(data)
            listed = ", ".join(str(n) for n in lines[:10]) + (" …" if len(lines) > 10 else "")
            notes.append(("warning", f"Die Datei mischt zwei Zeichenkodierungen: {len(lines)} Zeilen sind in "
                                     f"Windows-1252 (Zeile {listed}), die übrigen in UTF-8. Jede Zeile wurde in ihrer "
                                     f"eigenen Kodierung gelesen; bitte die Umlaute in diesen Zeilen prüfen und den "
                                     f"Export künftig einheitlich (UTF-8) erstellen."))
    first_line = _first_line(data, encoding)
    if not first_line.strip() and resolver is None:
        raise InputFileError(f"Die Datei „{path}“ enthält keine Kopfzeile. Die erste Zeile muss die Spaltennamen enthalten.")
    # the separator that the most lines of the head have most of (a title line above the header has none)
    head_lines = data[:65536].decode(encoding, errors="replace").splitlines()[:HEADER_SEARCH_ROWS]
    sep = max((";", ",", "\t", "|"), key=lambda d: (max((line.count(d) for line in head_lines), default=0),
                                                    d == detect_delimiter(first_line)))
    records = _head_records(data, encoding, sep)
    found = find_header([r for r, _ in records], resolver)
    if resolver is not None:
        # the separator under which the header names the most columns: one value full of commas in a
        # ";" file, or a title line full of them, must not decide
        for other in (";", ",", "\t", "|"):
            if other == sep or not any(other in line for line in head_lines):
                continue
            other_records = _head_records(data, encoding, other)
            other_found = find_header([r for r, _ in other_records], resolver)
            if other_found and (found is None or resolver.score(other_found[2]) > resolver.score(found[2])):
                sep, records, found = other, other_records, other_found
    if found is None:
        raise InputFileError(f"Die Datei „{path}“ enthält keine Kopfzeile. Die erste Zeile muss die Spaltennamen enthalten.")
    start, count, header = found
    skipped = records[start + count - 1][1]  # physical lines up to the end of the header
    offset = _line_offset(data, skipped)
    newline = b"\n" if b"\n" in data else b"\r"
    check_shape(path, None, data.count(newline, offset) + 1, len(header))
    if resolver is None:
        names = [renames.get(normalise_name(h), normalise_name(h)) for h in header]
        wanted = {i for i, n in enumerate(names) if n and _wanted(n, keep, drop)}
        coded = wanted
    else:
        described = resolver.columns(header)
        wanted = {c.position for c in described if _read(c)}
        # the columns the importer counts; those kept for the report only (a name, an ID, free text
        # with a value per row) stay Arrow text: a category per row would cost more than it saves
        coded = {c.position for c in described if _read(c) and c.status in ("used", "flag", "personal")}
    # pyarrow reads a body whose every line has as many fields as the header, so it has no overlong line
    frame = _arrow_frame(data, encoding, sep, len(header), sorted(wanted), coded, offset)
    body = data[offset:] if frame is None else b""  # the body for the C engine (pyarrow read it in place)
    end = data[max(offset, len(data) - 8192):]  # for the totals search
    overlong = _overlong_lines(path, body, encoding, sep, len(header), deadline, skipped) + skipped \
        if frame is None else []
    deadline.check("nach der Prüfung der Zeilenlängen")
    del data
    if len(overlong):
        # pandas drops the surplus fields silently when it reads only some columns; but a surplus
        # field means the columns have shifted (a name with an unquoted separator), and a shifted
        # row would put personal data into a Bereich
        first = ", ".join(str(n) for n in overlong[:10])
        raise InputFileError(
            f"In „{path}“ {'hat 1 Zeile' if len(overlong) == 1 else f'haben {len(overlong)} Zeilen'} mehr "
            f"Felder als die Kopfzeile ({len(header)}): Zeile {first}{' …' if len(overlong) > 10 else ''}. "
            f"Meist enthält ein Wert (etwa ein Name) das Trennzeichen „{sep}“ ohne Anführungszeichen, und die "
            f"Spalten verrutschen. Bitte den Export mit Anführungszeichen um Textwerte erstellen oder die "
            f"Zeilen korrigieren."
        )
    try:
        if frame is None:
            frame = pd.read_csv(io.BytesIO(body), sep=sep, encoding=encoding, dtype=str, keep_default_na=False,
                                header=None, names=list(range(len(header))), usecols=sorted(wanted), index_col=False,
                                skip_blank_lines=False, on_bad_lines="error", engine="c").fillna("")  # short line: empty
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"„{path}“ ist weder in UTF-8 noch in Windows-1252 lesbar (Byte {exc.object[exc.start:exc.start + 1]!r} "
            f"an Position {exc.start}). Ist es wirklich eine CSV-Textdatei? Bitte den Export als CSV "
            f"(UTF-8 oder Windows-1252) oder als Excel-Arbeitsmappe erstellen."
        ) from None
    except (pd.errors.ParserError, ValueError, OverflowError, MemoryError) as exc:
        raise InputFileError(
            f"„{path}“ kann nicht als CSV gelesen werden ({str(exc)[:200]}). Bitte prüfen, ob jede Zeile "
            f"gleich viele Spalten hat und das Trennzeichen einheitlich ist."
        ) from None
    del source
    deadline.check("nach dem Einlesen")
    if resolver is not None:
        # rows are numbered by records, as a spreadsheet program shows the file (a header cell with a
        # line break is one row there)
        table = _resolved_columns(str(path), None, header, lambda i: _as_column(frame[i]), len(frame), resolver,
                                  start + count + 1, deadline, notes)
        # the last lines, whatever their columns: one in which pandas read the same number of rows
        # records, not lines: a quoted cell with a line break near the end is one row, as for pandas
        tail = list(csv.reader(io.StringIO(end.decode(encoding, errors="replace"), newline=""), delimiter=sep))
        table.totals = [len(frame) - len(tail) + i for i in _totals_rows(tail)
                        if 0 <= len(frame) - len(tail) + i < len(frame)]
        return table
    columns, letters = {}, {}
    for i in sorted(wanted):
        if names[i] in columns:
            continue
        columns[names[i]] = frame[i].astype(object)
        letters[names[i]] = column_letter(i)
    return Table(str(path), None, columns, letters, first_row=start + count + 1, rows=len(frame), notes=notes,
                 deadline=deadline)


def _as_column(series: pd.Series) -> pd.Series:
    """A column of a Table: a categorical (codes and distinct values) or Arrow text stays so, other values
    become objects."""
    return series if isinstance(series.dtype, (pd.CategoricalDtype, pd.StringDtype)) else series.astype(object)


def _arrow_frame(body: bytes, encoding: str, sep: str, fields: int, wanted: list[int],
                 coded: set[int] | None = None, offset: int = 0) -> pd.DataFrame | None:
    """The wanted columns of a regular CSV body (``body`` from byte ``offset``, read in place: every line
    with exactly ``fields`` fields), read by
    pyarrow's multi-threaded parser: about three times faster than pandas' C engine with dtype=str.
    None when pyarrow is missing or the body is irregular (a short or empty line, a surplus empty
    field, bytes that are not text in ``encoding``, an odd number of quotes, which pyarrow would
    close at the end of the file): the C engine then reads it as before, with its rules (a short
    line is filled with empty values) and its error messages."""
    quotes = body.count(b'"', offset)
    if quotes % 2:
        return None
    try:
        import pyarrow as pa
        from pyarrow import csv as pa_csv
    except ImportError:
        return None
    names = [str(i) for i in range(fields)]
    text = pa.dictionary(pa.int32(), pa.string())  # HR columns repeat few values: no str object per cell
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(body).slice(offset)) if offset else io.BytesIO(body),
            read_options=pa_csv.ReadOptions(column_names=names, encoding="utf8" if encoding.startswith("utf-8")
                                            else encoding),
            parse_options=pa_csv.ParseOptions(delimiter=sep, ignore_empty_lines=False,
                                              newlines_in_values=quotes > 0),
            convert_options=pa_csv.ConvertOptions(include_columns=[names[i] for i in wanted],
                                                  column_types={names[i]: text if coded is None or i in coded
                                                                else pa.string() for i in wanted}, null_values=[],
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError):
        return None
    # each column as a categorical (pyarrow's dictionary: codes and distinct values) or as Arrow text (the
    # others), never a str object per cell
    columns = {i: table.column(names[i]).to_pandas() for i in wanted}
    # copy=False: the columns stay separate blocks (consolidating them copied every cell once more)
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows), copy=False) if columns else \
        pd.DataFrame(index=pd.RangeIndex(table.num_rows))


# a word of its own at the start of a cell: "Summe", "Gesamt: 60", "Summe Abt. 1" (not "Gesamtverwaltung")
TOTALS = re.compile(r"^\s*(summe|zwischensumme|gesamt|gesamtsumme|insgesamt|total|ergebnis|anzahl)\b", re.IGNORECASE)
TOTALS_SEARCH_ROWS = 5


def _totals_rows(rows: list[list]) -> list[int]:
    """Indices of the last non-empty rows (at most five) with a totals word at the start of a cell."""
    found, seen = [], 0
    for i in range(len(rows) - 1, -1, -1):
        cells = [vocab.text(v) for v in rows[i]]
        if not any(cells):
            continue
        if any(TOTALS.match(c) for c in cells if c):
            found.append(i)
        seen += 1
        if seen >= TOTALS_SEARCH_ROWS:
            break
    return sorted(found)


def _read(column) -> bool:
    """Whether a described column is read: ours, and the rest for the report; personal data only
    when the importer asked for it (the forecast's birth dates)."""
    return column.status != "empty" and (column.status != "personal" or column.code is not None)


def _resolved_columns(file, sheet, header, values, rows: int, resolver, first_row: int, deadline, notes) -> Table:
    """A Table whose columns the resolver named. Columns it does not use are kept under '?name' for
    the importer's report; two columns that mean the same are read as one when they never disagree."""
    described = resolver.columns(header)
    columns, letters, sources = {}, {}, {}
    for column in described:
        if not _read(column):
            continue
        name = column.code if column.status in ("used", "flag", "personal") else unread_name(column)
        series = values(column.position)
        deadline.check(f"in Spalte {column_letter(column.position)}")
        if name in columns:
            if name.startswith("?"):
                continue
            columns[name] = _merge(file, sheet, sources[name], column, columns[name], series, first_row)
            notes.append(("info", f"Die Spalten „{sources[name].header}“ ({column_letter(sources[name].position)}) "
                                  f"und „{column.header}“ ({column_letter(column.position)}) bedeuten dasselbe und "
                                  f"werden zusammen als „{name}“ gelesen (sie widersprechen sich in keiner Zeile).",
                          COLUMNS))
            continue
        columns[name], letters[name], sources[name] = series, column_letter(column.position), column
    return Table(file, sheet, columns, letters, first_row=first_row, rows=rows, notes=notes, deadline=deadline,
                 header=described)


def unread_name(column) -> str:
    """Where a Table keeps a column the import does not use (for the report on it): never a code."""
    return "?" + (normalise_name(column.header) or str(column.position))


def _merge(file, sheet, first, second, a: pd.Series, b: pd.Series, first_row: int) -> pd.Series:
    """Two columns for one code (Besoldungsgruppe and Entgeltgruppe, or Geschlecht twice): one
    column where each row has at most one value, or both agree; an error where they contradict."""
    left = np.asarray(a.map(vocab.key), dtype=object)  # "A 11" and "A11" say the same
    right = np.asarray(b.map(vocab.key), dtype=object)
    clash = np.flatnonzero((left != "") & (right != "") & (left != right))
    if len(clash):
        where = f" (Blatt „{sheet}“)" if sheet else ""
        raise InputFileError(
            f"In „{file}“{where} stehen zwei Spalten für „{first.code}“: „{first.header}“ (Spalte "
            f"{column_letter(first.position)}) und „{second.header}“ (Spalte {column_letter(second.position)}). Sie "
            f"widersprechen sich in {len(clash)} Zeilen, zuerst in Zeile {first_row + int(clash[0])}. Welche gilt, "
            f"lässt sich nicht entscheiden: Bitte eine der beiden Spalten aus dem Export löschen oder in einer "
            f"Zuordnungsdatei (--mapping) unter [spalten] auf \"ignorieren\" setzen.")
    return pd.Series(np.where(left != "", a.to_numpy(dtype=object), b.to_numpy(dtype=object)), dtype=object)


def _overlong_lines(path: Path, data: bytes, encoding: str, sep: str, fields: int, deadline=None,
                    skipped: int = 0) -> np.ndarray:
    """Line numbers (1-based) of the rows with more non-empty fields than the header has fields
    (empty surplus fields, as in "a;b;c;", shift nothing and are allowed).

    Without quotes in the file the separators are counted per line with numpy (a separator byte is
    ASCII, so this holds for UTF-8 and Windows-1252 alike); with quotes the csv module decides."""
    if b'"' not in data:
        buf = np.frombuffer(data, dtype=np.uint8)
        newlines = np.flatnonzero(buf == (10 if b"\n" in data else 13))  # old Mac files end lines with CR only
        ends = np.append(newlines, len(buf))  # where each line ends
        per_line = np.diff(np.searchsorted(np.flatnonzero(buf == ord(sep)), ends), prepend=0)
        candidates = np.flatnonzero(per_line > fields - 1)
        if not len(candidates):
            return candidates
        starts = np.concatenate(([0], newlines + 1))
        separator = sep.encode("ascii")
        return np.array([k + 1 for k in candidates
                         if any(f.strip() for f in data[starts[k]:ends[k]].split(separator)[fields:])], dtype=np.int64)
    reader = csv.reader(io.StringIO(data.decode(encoding, errors="replace"), newline=""), delimiter=sep)
    found = []
    try:
        for row in reader:
            if len(row) > fields and any(v.strip() for v in row[fields:]):
                found.append(reader.line_num)
            if deadline and reader.line_num % 50_000 == 0:
                deadline.check(f"in Zeile {reader.line_num}")
        return np.array(found, dtype=np.int64)
    except csv.Error as exc:
        raise InputFileError(
            f"„{path}“ kann nicht als CSV gelesen werden (Zeile {skipped + reader.line_num}: {exc}). "
            f"Bitte prüfen, ob es wirklich eine CSV-Textdatei ist und die Anführungszeichen paarweise stehen."
        ) from None


def file_label(path: str | Path) -> str:
    return os.path.basename(str(path))
