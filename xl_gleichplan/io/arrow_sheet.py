"""The sheet of an HR export (xlsx, xlsm) as Arrow columns, read by fastexcel (Rust, calamine's parser).

python-calamine gives a sheet as Python lists, an object per cell (500,000 rows x 14 columns: 7 million
objects, 2 s and 300 MB before any counting). fastexcel gives Arrow string columns instead; each column
the importer reads becomes a categorical (codes + its distinct values), and a value is turned back into
what python-calamine would have given (a number, a date) once per distinct value.

fastexcel writes a number with at most nine decimals (1/3 as "0.333333333"), so a decimal whose
fraction needs a denominator of 1000 or more may have been rounded: such a sheet is doubtful and read
the exact way (tabular._read_sheet with python-calamine). A share written with fewer digits (0,5, 0,75,
0,875) comes out as the same fraction either way.

fastexcel's text of a number cell 13 and of a text cell "13" is the same "13" (so for "true" and an ISO
date-time). python-calamine tells them apart (13.0 against "13": a text "13" in a date column is no date).
The texts of the text cells that read like a typed cell are therefore collected from the package (shared
and inline strings, in a second thread while fastexcel parses): a counted column holding such a text is
doubtful, the header and totals rows only when reading such texts as text changes what is found, and a
package without any typed cell (texts only) has every text as text.
"""
from __future__ import annotations

import html
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError
from .budget import Deadline, check_shape
from .columns import HEADER_SEARCH_ROWS, find_header

_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?")
_BOOLEAN = {"true": True, "false": False}
# a decimal that is a fraction with a smaller denominator lies at least 1 / (1000 * 10**6) from every
# other share the importer can read (vocabulary._SHARE_DENOMINATOR), more than twice the rounding
_EXACT_BELOW = 1000
# rows at the end of the body in which the totals row search looks (it wants the last five non-empty)
_TAIL_ROWS = 50


class Doubtful(Exception):
    """A value fastexcel may have rounded: the sheet is read the exact way."""


# the text of a text cell in the XML: <t> of a shared string (<si>) or an inline string (<is>); only texts
# that may read like a typed cell (a digit, "-", "true"/"false", or an escape that may turn into one) are
# taken, with a mark when the text is a run of rich text (the cell's text is its runs together)
_TEXT = re.compile(rb'<t(?:\s[^>]*)?>([-0-9tf&_][^<]*)</t\s*>(\s*</r\s*>)?')
# forms in which a text is not read by _TEXT: the SpreadsheetML namespace under a prefix (<x:t>), CDATA,
# a formula's text result (t="str": its text in <v>); then every column is doubtful. Each is one fast
# search over the part (a single regular expression for all of them takes four times as long)
_PREFIXED = re.compile(rb'xmlns:[^=\s]+\s*=\s*["\'](?:http://schemas\.openxmlformats\.org/spreadsheetml/2006/main|'
                       rb'http://purl\.oclc\.org/ooxml/spreadsheetml/main)["\']')
_UNREAD = (b"<![CDATA[", b'"str"', b"'str'")
# a number cell fastexcel may give rounded (it writes at most nine decimals: 13.0000000001 as "13",
# 1E-300 as "0"), which no test on its text can see: the sheet is then read the exact way
_ROUNDED = re.compile(rb"<v>-?[0-9]*(?:\.[0-9]{10}|[0-9.]*[eE])")


class _Unread(Exception):
    pass


class _AllText(frozenset):
    """typed_looking_texts of a package without a typed cell (no <v> in any worksheet: every cell an
    inline string, as in an export of texts only): each text is a text cell's."""

    def __contains__(self, item) -> bool:
        return True


ALL_TEXT = _AllText()


def _typed_looking(block: bytes, found: set[bytes], sheet: bool) -> bool:
    """Collect the block's texts that may read like typed cells; whether it is a ``sheet``'s that may
    hold a typed cell."""
    if any(form in block for form in _UNREAD) or _PREFIXED.search(block):
        raise _Unread
    for text, run in _TEXT.findall(block):
        if run:  # "1" and "3" in two runs are the text "13"
            raise _Unread
        found.add(text)
    return sheet and b"<v" in block


def typed_looking_texts(path: Path) -> frozenset[str] | None:
    """The texts of text cells (shared strings, inline strings of every worksheet) that fastexcel gives
    as a typed cell's text; None when some text is in a form not read here (rich text runs, CDATA,
    prefixed tags, formula text results) or a number cell may come out rounded: every column is then
    doubtful; ALL_TEXT when no worksheet holds a typed cell."""
    from .ooxml import _blocks, _sheet_parts

    found: set[bytes] = set()
    typed = False
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            sheets = _sheet_parts(path, zf, infos, False)  # wherever the workbook's relationships put them
            for info in infos:
                sheet = info.filename in sheets
                if sheet or "sharedstrings" in info.filename.lower():
                    for block in _blocks(path, zf, info):
                        if sheet and _ROUNDED.search(block):
                            raise _Unread
                        typed = _typed_looking(block, found, sheet and not typed) or typed
    except _Unread:
        return None
    if not typed:
        return ALL_TEXT
    texts = set()
    for raw in found:
        if b"_x" in raw:  # the OOXML escape _xHHHH_: not decoded here
            return None
        text = html.unescape(raw.decode("utf-8", "replace")) if b"&" in raw else raw.decode("utf-8", "replace")
        try:
            if cell_value(text) is not text:
                texts.add(text)
        except Doubtful:
            texts.add(text)
    return frozenset(texts)


def load_sheet(path: Path, name: str, deadline: Deadline):
    """(record batch of the whole sheet as text columns from row 1, column position of each, the texts of
    text cells that read like typed cells: typed_looking_texts), by fastexcel. Only this is inside the
    reader's error handling (tabular._native_errors)."""
    import fastexcel

    try:
        str(path).encode("utf-8")
        source = str(path)
    except UnicodeEncodeError:  # a name unzipped from Windows in another encoding: the bytes
        source = path.read_bytes()
    with ThreadPoolExecutor(1) as pool:  # fastexcel releases the GIL: the two share the two cores
        texts = pool.submit(typed_looking_texts, path)
        sheet = fastexcel.read_excel(source).load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        deadline.check(f"beim Laden des Blatts „{name}“")
        positions = [c.absolute_index for c in sheet.available_columns()]
        check_shape(path, name, sheet.total_height, len(positions))
        batch = sheet.to_arrow()
        deadline.check(f"beim Lesen des Blatts „{name}“")
        return batch, positions, texts.result()


def cell_value(text: str | None):
    """fastexcel's text of a cell as python-calamine gives the cell: '' for an empty one, a number as
    float, a date as date (datetime with a time of day, time below one day), TRUE/FALSE as bool. A
    number that may have been rounded raises Doubtful."""
    if text is None:
        return ""
    if _NUMBER.fullmatch(text):
        if "." in text and Fraction(text).denominator >= _EXACT_BELOW:
            raise Doubtful(text)
        number = float(text)
        if np.format_float_positional(number, trim="-") == text:
            return number
        if sum(c.isdigit() for c in text) > 15:  # beyond a float's digits: fastexcel's own rendering
            raise Doubtful(text)
        return text  # not how a number cell is written ("007", "1.50"): a text cell
    found = _DATE_TIME.fullmatch(text)
    if found:
        y, mo, d, h, mi, s = (int(g) for g in found.groups())
        if (y, mo, d) == (1899, 12, 31):  # serial number below 1: a time of day
            return time(h, mi, s)
        try:
            value = datetime(y, mo, d, h, mi, s)
        except ValueError:
            return text
        return value.date() if (h, mi, s) == (0, 0, 0) else value
    return _BOOLEAN.get(text, text)


def _value(text: str | None, texts: frozenset[str] | None, as_text: bool = False):
    """cell_value; for a text a text cell may have given as well (``texts``: typed_looking_texts) the
    text itself with ``as_text``, else Doubtful."""
    if texts is ALL_TEXT:
        return "" if text is None else text
    value = cell_value(text)
    if value is not text and text and (texts is None or text in texts):
        if not as_text:
            raise Doubtful(text)
        return text
    return value


def _rows(columns, positions: list[int], start: int, stop: int, texts: frozenset[str] | None,
          as_text: bool = False) -> list[list]:
    """Rows ``start`` to ``stop`` as lists padded from column A, as python-calamine gives them (for
    ``as_text`` see _value)."""
    width = positions[-1] + 1 if positions else 0
    cells = [column.slice(start, stop - start).to_pylist() for column in columns]
    rows = []
    for r in range(stop - start):
        row = [""] * width
        for values, position in zip(cells, positions):
            row[position] = _value(values[r], texts, as_text)
        rows.append(row)
    return rows


def _either_way(judge, columns, positions: list[int], start: int, stop: int, texts: frozenset[str] | None):
    """``judge`` of the rows, which must come out the same whether the cells whose type the texts leave
    open are typed or text (the header rows, the totals rows: a personnel number "100234" as text in
    the first rows decides neither), else Doubtful."""
    if texts is ALL_TEXT:
        return judge(_rows(columns, positions, start, stop, texts))
    typed = judge(_rows(columns, positions, start, stop, frozenset()))
    if texts is not None and not texts:
        return typed
    if judge(_rows(columns, positions, start, stop, texts, as_text=True)) != typed:
        raise Doubtful("header or totals rows")
    return typed


def _categorical(column, typed: frozenset[str] | None) -> pd.Series:
    """An Arrow string column as a categorical Series of cell values, each distinct text converted once
    (an empty cell: the last code, '')."""
    import pyarrow.compute as pc

    encoded = column.dictionary_encode()
    texts = encoded.dictionary.to_pylist()
    values = [_value(v, typed) for v in texts] + [""]
    codes = pc.fill_null(encoded.indices, len(texts)).to_numpy(zero_copy_only=False)
    # keep the categories unique whatever the texts give ("" from an empty text and an empty cell)
    recode, distinct = pd.factorize(np.array(values + [None], dtype=object)[:-1])
    return pd.Series(pd.Categorical.from_codes(recode[codes], categories=pd.Index(distinct, dtype=object)))


def _last_non_empty_rows(columns, start: int, wanted: int) -> np.ndarray:
    """The last ``wanted`` rows (from ``start``) with a cell that is not empty or blank as Arrow trims
    it (at least those Python's strip leaves non-empty), looked for in steps from the end."""
    import pyarrow.compute as pc

    found, stop, step = [], len(columns[0]) if columns else start, 1000
    while stop > start and sum(len(f) for f in found) < wanted:
        begin = max(start, stop - step)
        filled = np.zeros(stop - begin, dtype=bool)
        for column in columns:
            text = pc.utf8_trim_whitespace(column.slice(begin, stop - begin))
            filled |= np.asarray(pc.fill_null(pc.greater(pc.utf8_length(text), 0), False), dtype=bool)
        found.insert(0, np.flatnonzero(filled) + begin - start)
        stop, step = begin, step * 4
    return np.concatenate(found)[-wanted:] if found else np.zeros(0, dtype=np.int64)


def sheet_table(path: Path, name: str, batch, positions: list[int], texts: frozenset[str] | None, resolver,
                deadline: Deadline, notes: list):
    """The Table of the export in ``batch`` (tabular.Table: header found, columns named by the resolver),
    or None when a value is doubtful (the caller then reads the sheet the exact way)."""
    from .tabular import _resolved_columns, _totals_rows, Table  # noqa: F401  (tabular imports this module late)

    columns = [batch.column(k) for k in range(batch.num_columns)]
    rows = batch.num_rows
    try:
        found = _either_way(lambda head: find_header(head, resolver), columns, positions, 0,
                            min(rows, 2 * HEADER_SEARCH_ROWS + 1), texts)
        if found is None:
            raise InputFileError(f"Das Tabellenblatt „{name}“ in „{path}“ ist leer.")
        start, count, header = found
        skip = start + count
        index = {p: k for k, p in enumerate(positions)}
        empty = pd.Series(pd.Categorical.from_codes(np.zeros(max(rows - skip, 0), dtype=np.int8), categories=[""]))
        # as in the CSV reader: the columns the importer counts as categories of cell values, those kept
        # for the column report only as Arrow text
        coded = {c.position for c in resolver.columns(header, suggest=False) if c.status in ("used", "flag", "personal")}

        def values(position: int) -> pd.Series:
            k = index.get(position)
            if k is None:
                return empty
            if position in coded:
                return _categorical(columns[k].slice(skip), texts)
            import pyarrow.compute as pc

            return pc.fill_null(columns[k].slice(skip), "").to_pandas()

        table = _resolved_columns(str(path), name, header, values, max(rows - skip, 0), resolver, skip + 1, deadline,
                                  notes)
        # the totals row search wants the last non-empty rows (whatever their columns)
        tail = _last_non_empty_rows(columns, skip, _TAIL_ROWS)
        totals = _either_way(_totals_rows, [c.take(tail + skip) for c in columns], positions, 0, len(tail), texts) \
            if len(tail) else []
        table.totals = [int(tail[i]) for i in totals]
    except Doubtful:
        return None
    return table
