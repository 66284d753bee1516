"""Read a table (CSV, xlsx, xlsm, xlsb) into columns of raw cell values.

One reader for every flat export: the header row is found, column names are normalised
(``Besoldungs-/Entgeltgruppe`` -> ``besoldungs_entgeltgruppe``), and columns that hold personal data
are dropped at the door unless the caller asks for them. Values stay raw (str, float, datetime);
the importer decides what they mean.
"""
from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError
from .ooxml import check_zip

TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
SHEET_SUFFIXES = {".xlsx", ".xlsm", ".xlsb"}
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def normalise_name(name: object) -> str:
    """Column name as code: lower case, umlauts spelled out, runs of other characters as one '_'."""
    text = str(name).strip().lower().translate(_UMLAUTS)
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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

    def __post_init__(self):
        if self.blank is None:
            self.blank = _blank_rows(self.columns, self.rows)

    def cell(self, column: str, index: int) -> str:
        return f"{self.letters[column]}{self.first_row + index}"


def read_table(path: str | Path, *, keep: frozenset[str] = frozenset(), drop: frozenset[str] = frozenset(),
               renames: dict[str, str] | None = None) -> Table:
    """Read the first sheet (or the CSV) at ``path``.

    Columns named in ``drop`` (personal data) are not kept unless also in ``keep``. ``renames``
    maps normalised source names to our codes (from a mapping file)."""
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
    with open(path, "rb") as fh:
        head = fh.read(8192)
    is_zip = head.startswith(b"PK\x03\x04")
    if suffix in SHEET_SUFFIXES or (is_zip and suffix not in TEXT_SUFFIXES):
        if not is_zip:
            raise InputFileError(
                f"„{path}“ hat die Endung {suffix}, ist aber keine Excel-Arbeitsmappe "
                f"(vielleicht eine umbenannte CSV- oder alte .xls-Datei). Bitte in Excel als .xlsx speichern."
            )
        try:
            check_zip(path)
        except (NotImplementedError, ValueError, EOFError) as exc:  # zipfile's other answers to a damaged package
            raise InputFileError(f"„{path}“ ist beschädigt oder unvollständig ({exc}). Bitte die Datei neu speichern "
                                 f"oder erneut anfordern.") from None
        header, body, sheet, first_row = _read_sheet(path)
    else:
        if is_zip:
            raise InputFileError(
                f"„{path}“ hat die Endung {suffix}, ist aber eine Excel-Arbeitsmappe. "
                f"Bitte die Endung .xlsx verwenden oder als CSV speichern."
            )
        if b"\x00" in head:
            raise InputFileError(
                f"„{path}“ ist keine Textdatei (CSV), sondern eine Binärdatei. Bitte den Export als "
                f"CSV (Trennzeichen ; oder ,) oder als Excel-Arbeitsmappe erstellen."
            )
        return _read_csv(path, keep, drop, renames or {})
    return _columns(str(path), sheet, header, body, keep, drop, renames or {}, first_row)


def _wanted(name: str, keep, drop) -> bool:
    return name in keep or name not in drop


def _blank_rows(columns: dict[str, pd.Series], rows: int) -> np.ndarray:
    """Rows in which every kept column is empty ("" or None), checked column by column on the rows
    still in question (real exports have few such rows, so this stays cheap for large files)."""
    candidates = np.arange(rows)
    for series in columns.values():
        if not len(candidates):
            break
        values = series.to_numpy(dtype=object)[candidates]
        empty = pd.isna(values) | (values == "")
        candidates = candidates[np.asarray(empty, dtype=bool)]
    blank = np.zeros(rows, dtype=bool)
    blank[candidates] = True
    return blank


def _columns(file, sheet, header, body, keep, drop, renames, first_row: int = 2) -> Table:
    names = [renames.get(normalise_name(h), normalise_name(h)) for h in header]
    columns, letters = {}, {}
    wanted = [(i, n) for i, n in enumerate(names) if n and _wanted(n, keep, drop)]
    for i, name in wanted:
        if name in columns:
            continue  # the first of two equally named columns wins
        # one pass per wanted column; personal columns are never copied out of the rows
        columns[name] = pd.Series([r[i] if i < len(r) else "" for r in body], dtype=object)
        letters[name] = column_letter(i)
    return Table(file, sheet, columns, letters, first_row=first_row, rows=len(body))


def _read_sheet(path: Path):
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        # the first visible sheet: a hidden helper sheet is never the export
        name = next((s.name for s in book.sheets_metadata if s.visible == SheetVisibleEnum.Visible),
                    book.sheet_names[0])
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"„{path}“ kann nicht gelesen werden: {exc}. Ist die Datei gesperrt oder beschädigt?") from None
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        if path.suffix.lower() == ".xlsb":
            return _read_xlsb_pyxlsb(path, exc)
        raise InputFileError(
            f"„{path}“ ist keine lesbare Excel-Arbeitsmappe ({type(exc).__name__}: {exc}). "
            f"Bitte die Datei in Excel öffnen und neu speichern."
        ) from None
    return _split_header(path, name, rows)


def _read_xlsb_pyxlsb(path: Path, first_error: Exception):
    """Second reader for .xlsb files that calamine cannot parse."""
    from pyxlsb import open_workbook

    try:
        with open_workbook(str(path)) as book:
            name = book.sheets[0]
            with book.get_sheet(name) as sheet:
                rows = [[c.v if c.v is not None else "" for c in row] for row in sheet.rows(sparse=False)]
    except Exception as exc:
        raise InputFileError(
            f"„{path}“ ist keine lesbare .xlsb-Arbeitsmappe ({first_error}; {exc}). "
            f"Bitte die Datei in Excel als .xlsx speichern."
        ) from None
    return _split_header(path, name, rows)


def _split_header(path: Path, sheet: str, rows: list[list]):
    # the header is the first row with any non-empty cell; the rows start at A1, so the data start
    # in sheet row i + 2 (1-based) when the header is rows[i]
    for i, row in enumerate(rows):
        if any(v not in ("", None) for v in row):
            return [str(v) if v is not None else "" for v in row], rows[i + 1:], sheet, i + 2
    raise InputFileError(f"Das erste Tabellenblatt „{sheet}“ in „{path}“ ist leer.")


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


def _read_csv(path: Path, keep, drop, renames) -> Table:
    data = path.read_bytes()
    encoding = detect_encoding(data)
    text_head = data[:65536].decode(encoding, errors="replace").lstrip("\ufeff")
    first_line = text_head.splitlines()[0] if text_head.strip() else ""
    if not first_line.strip():
        raise InputFileError(f"Die Datei „{path}“ enthält keine Kopfzeile. Die erste Zeile muss die Spaltennamen enthalten.")
    sep = detect_delimiter(first_line)
    header = next(csv.reader([first_line], delimiter=sep))
    names = [renames.get(normalise_name(h), normalise_name(h)) for h in header]
    wanted = {i for i, n in enumerate(names) if n and _wanted(n, keep, drop)}
    overlong = _overlong_lines(path, data, encoding, sep, len(header))
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
        frame = pd.read_csv(path, sep=sep, encoding=encoding, dtype=str, keep_default_na=False,
                            usecols=sorted(wanted), header=0, skip_blank_lines=False, on_bad_lines="error",
                            engine="c").fillna("")  # a short line has empty fields
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"„{path}“ ist weder in UTF-8 noch in Windows-1252 lesbar (Byte {exc.object[exc.start:exc.start + 1]!r} "
            f"an Position {exc.start}). Ist es wirklich eine CSV-Textdatei? Bitte den Export als CSV "
            f"(UTF-8 oder Windows-1252) oder als Excel-Arbeitsmappe erstellen."
        ) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFileError(
            f"„{path}“ kann nicht als CSV gelesen werden ({exc}). Bitte prüfen, ob jede Zeile "
            f"gleich viele Spalten hat und das Trennzeichen einheitlich ist."
        ) from None
    columns, letters = {}, {}
    for pos, i in enumerate(sorted(wanted)):
        if names[i] in columns:
            continue
        columns[names[i]] = frame.iloc[:, pos].astype(object)
        letters[names[i]] = column_letter(i)
    return Table(str(path), None, columns, letters, first_row=2, rows=len(frame))


def _overlong_lines(path: Path, data: bytes, encoding: str, sep: str, fields: int) -> np.ndarray:
    """Line numbers (1-based) of the rows with more non-empty fields than the header has fields
    (empty surplus fields, as in "a;b;c;", shift nothing and are allowed).

    Without quotes in the file the separators are counted per line with numpy (a separator byte is
    ASCII, so this holds for UTF-8 and Windows-1252 alike); with quotes the csv module decides."""
    if b'"' not in data:
        buf = np.frombuffer(data, dtype=np.uint8)
        newlines = np.flatnonzero(buf == 10)
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
    try:
        return np.array([reader.line_num for row in reader if len(row) > fields and any(v.strip() for v in row[fields:])],
                        dtype=np.int64)
    except csv.Error as exc:
        raise InputFileError(
            f"„{path}“ kann nicht als CSV gelesen werden (Zeile {reader.line_num}: {exc}). "
            f"Bitte prüfen, ob es wirklich eine CSV-Textdatei ist und die Anführungszeichen paarweise stehen."
        ) from None


def file_label(path: str | Path) -> str:
    return os.path.basename(str(path))
