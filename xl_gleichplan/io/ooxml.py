"""Small helpers on the zip container of .xlsx/.docx files."""
from __future__ import annotations

import io
import os
import posixpath
import re
import struct
import zipfile
import zlib
from functools import lru_cache
from itertools import chain
from pathlib import Path

from .budget import (SCAN_BINARY_EXTENT_BELOW_BYTES, SCAN_EXTENT_BELOW_BYTES, german_number, german_size, how_to_raise,
                     limit)

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
# an XML part's prolog (before the root element) longer than this is not a spreadsheet's
_PROLOG_BYTES = 1 << 20
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_DOCTYPE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
# The r attribute of a cell or row, in every form python-calamine accepts (single quotes, blanks
# around "=", lower-case letters). The patterns also hit attributes that merely end in "r"
# (footer="0.3"); such hits can only widen the extent a little (a lookbehind to skip them would
# make the scan four times slower). A cell position always ends in digits, which the message of a
# drop-down (error="Bitte ...") does not.
_R_ATTRIBUTE = rb'r\s*=\s*["\']'
# One pass decides for most sheets: a cell beyond column Z or beyond row MAX_SHEET_CELLS // 26 puts
# the sheet out of the rectangle A1:Z<that row>, one beyond ZZ or row MAX_SHEET_CELLS // 702 out of
# A1:ZZ<that row>; a sheet in either rectangle is within the budget. Only a sheet outside both is
# doubtful and has every position collected (a 500,000-row export with columns A to N lies in the
# first; the former single rectangle A1:ZZ99999 sent it to the exact pass).
_TIER_COLUMNS = ((1, 26), (2, 702))  # letters of a column name, the last column they reach
_CELL_COLUMN = re.compile(_R_ATTRIBUTE + rb'([A-Za-z]+)[0-9]')
_CELL_ROW = re.compile(_R_ATTRIBUTE + rb'[A-Za-z]+([0-9]+)')  # cells only: an empty formatted row allocates nothing
_POSITION = re.compile(r"([A-Za-z]*)([0-9]+)")
_END_RECORD = re.compile(rb"PK\x05\x06")
# a cell or row element with a namespace prefix (calamine reads the local name)
_PREFIXED = re.compile(rb':(?:c|row)(?![\w.-])')
# An attribute named r as calamine's attribute reader finds one: after a blank or the previous value's
# closing quote, blanks allowed before "=". calamine takes the LAST of two r attributes, so a cell
# <c r="A1" r="XFD1048576"> must not be judged by its first one.
_R_KEY = re.compile(rb'[\s"\']r\s*=')
_SPACED_R_KEY = re.compile(rb'r\s+=')


def check_zip(path: str | Path, parts: dict[str, bytes] | None = None, explicit: set[str] | None = None) -> list[str]:
    """The part names of a zip package, after checking it against the zip-bomb limits, refusing a
    second end record (two readers would see different contents), XML with a DOCTYPE (entity bombs,
    external entities: no spreadsheet program writes one) and sheets whose cells span more than the
    cell budget (every sheet the workbook points to, wherever it lies). ``parts``, if given, receives
    the checked bytes of the sheets it read whole and of xl/workbook.xml, for a later look without
    unpacking them again; ``explicit``, if given, the names of those sheets whose scan found every
    cell and row element starting with r="..." (see _positions_explicit).

    Raises ``InputFileError`` (German) when the package is broken or unpacks beyond the limits."""
    from ..errors import InputFileError, LimitError

    def broken(exc) -> InputFileError:
        return InputFileError(f"„{path}“ ist beschädigt oder unvollständig ({exc}). Bitte die Datei neu speichern "
                              f"oder erneut anfordern.")

    try:
        _check_end_record(path)
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_sizes(path, infos)
            binary = any(i.filename == "xl/workbook.bin" for i in infos)
            sheets = _sheet_parts(path, zf, infos, binary, parts)
            whole: list[tuple[zipfile.ZipInfo, bytes]] = []  # sheets read whole: their extent checked together
            for info in infos:
                name = info.filename.lower()
                if info.filename in sheets and binary:
                    if info.file_size > SCAN_BINARY_EXTENT_BELOW_BYTES:
                        raise LimitError(f"„{path}“: das Tabellenblatt {info.filename} ist entpackt "
                                         f"{german_size(info.file_size)} groß und wird nicht gelesen (Grenze "
                                         f"{german_size(SCAN_BINARY_EXTENT_BELOW_BYTES)}). Bitte den Export auf "
                                         f"mehrere Dateien aufteilen oder als .xlsx speichern.")
                    _check_extent(path, info, _read_whole(zf, info), binary=True)
                elif info.filename in sheets:
                    data = _read_whole(zf, info) if info.file_size <= SCAN_EXTENT_BELOW_BYTES else None  # else in blocks
                    _check_prolog(path, zf, info, data)
                    if data is not None:
                        whole.append((info, data))
                        if parts is not None:
                            parts[info.filename] = data
                    else:
                        _check_extent(path, info, lambda: _blocks(path, zf, info), stream=lambda: zf.open(info))
                elif parts is not None and info.filename == "xl/workbook.xml" and info.file_size <= _PROLOG_BYTES:
                    parts[info.filename] = zf.read(info)
                    _check_prolog(path, zf, info, parts[info.filename])
                elif name.endswith((".xml", ".rels", ".vml")):
                    _check_prolog(path, zf, info)
            if _check_extents_together(path, whole) and explicit is not None:
                explicit.update(info.filename for info, _ in whole)
    except (InputFileError, LimitError):
        raise
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError,
            zlib.error) as exc:  # zipfile's answers to a damaged package (RuntimeError: encrypted entry)
        raise broken(exc) from None
    return [i.filename for i in infos]


def _check_extents_together(path, sheets: list[tuple[zipfile.ZipInfo, bytes]]) -> bool:
    """_check_extent of each sheet, but first one scan of all of them joined (an Erhebungsbogen has ten
    sheets of about 40 KB: numpy's cost per call outweighs the scan). Each sheet is followed by the
    zeros its own scan would see after it, so the joined scan answers "explicit" only if every sheet's
    scan would (its count of r attributes is the sum of theirs, each at least its number of elements),
    and "maybe outside" if any sheet's would; any doubt sends each sheet to its own check.
    True when the joined scan decided: then every sheet's positions are explicit too."""
    digits = _first_rectangle_digits()
    if digits is not None and 1 < len(sheets) and sum(len(d) for _, d in sheets) <= SCAN_EXTENT_BELOW_BYTES:
        explicit, outside = _scan_block((b"\0" * _scan_padding(digits)).join(d for _, d in sheets), digits)
        if explicit and not outside:
            return True  # every cell of every sheet lies within A1:Z<row>, a rectangle within the budget
    for info, data in sheets:
        _check_extent(path, info, lambda data=data: (data,), stream=lambda data=data: io.BytesIO(data))
    return False


def _check_end_record(path) -> None:
    """Refuse a package with more than one plausible end record: Python's zipfile takes the last
    one, the zip reader inside python-calamine may take another, and the two would then read
    different sheets (a harmless one checked here, a hostile one read there). Likewise a zip64 end
    record that does not agree with the plain one: zipfile follows the zip64 record right before its
    locator, calamine's zip reader the plain record (or the locator's offset)."""
    from ..errors import InputFileError

    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        start = max(0, size - 65_557 - _ZIP64_END_BYTES)  # the record (22 bytes), a comment of at most 65,535
        fh.seek(start)                                     # and a zip64 record and locator before them
        tail = fh.read()
    found = [m.start() for m in _END_RECORD.finditer(tail, max(0, len(tail) - 65_557))]
    ending = [p for p in found if p + 22 + int.from_bytes(tail[p + 20:p + 22], "little") == len(tail)]
    if (found and ending != found[-1:]) or (ending and not _zip64_agrees(tail, ending[0], start)):
        raise InputFileError(f"„{path}“ ist beschädigt oder manipuliert: das Inhaltsverzeichnis des ZIP-Archivs ist "
                             f"nicht eindeutig. Die Datei wird nicht gelesen; bitte die Herkunft klären und die "
                             f"Daten in eine frisch gespeicherte Arbeitsmappe übernehmen.")


_ZIP64_END_BYTES = 56 + 20  # the zip64 end record (without extensible data) and its locator


def _zip64_agrees(tail: bytes, end: int, start: int) -> bool:
    """No zip64 locator before the end record at ``end``, or one whose record lies right before it
    (where zipfile reads it) at the offset it gives (where other readers go), and whose counts, size
    and offset of the directory equal the plain record's wherever that one does not say "see zip64"."""
    locator = end - 20
    if locator < 0 or tail[locator:locator + 4] != b"PK\x06\x07":
        return True
    record = locator - 56
    if record < 0 or tail[record:record + 4] != b"PK\x06\x06" or \
            struct.unpack_from("<Q", tail, locator + 8)[0] != start + record:
        return False
    wide = struct.unpack_from("<QQQQ", tail, record + 24)  # entries here, entries, size, offset
    plain = struct.unpack_from("<HHII", tail, end + 8)
    return all(p == w or p == sentinel for p, w, sentinel in zip(plain, wide, (0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF)))


def _sheet_parts(path, zf: zipfile.ZipFile, infos, binary: bool, parts: dict | None = None) -> set[str]:
    """The worksheet parts of a package: everything under xl/worksheets/ (but its relationships),
    and every sheet the workbook's relationships point to, wherever it lies and however it is
    named (python-calamine follows them)."""
    from lxml import etree

    from ..errors import InputFileError

    names = {i.filename for i in infos}
    # calamine finds a part by its name in lower case with "\\" read as "/" (and takes any of several
    # that agree so): every part of such a name is checked
    spelled = {}
    for n in names:
        spelled.setdefault(n.replace("\\", "/").lower(), set()).add(n)
    sheets = {n for key, group in spelled.items() if key.startswith("xl/worksheets/") and "/_rels/" not in key
              for n in group}
    rels = "xl/_rels/workbook.bin.rels" if binary else "xl/_rels/workbook.xml.rels"
    for rels in sorted(spelled.get(rels, ())):
        info = zf.getinfo(rels)
        data = _read_whole(zf, info)
        _check_prolog(path, zf, info, data)
        if parts is not None:
            parts[rels] = data
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except etree.XMLSyntaxError:
            raise InputFileError(f"„{path}“ ist beschädigt: der Teil {rels} ist kein gültiges XML. Bitte die Datei "
                                 f"in Excel öffnen und neu speichern.") from None
        for element in root.iter():
            if not isinstance(element.tag, str) or element.tag.rpartition("}")[2] != "Relationship":
                continue
            kind, target = (element.get("Type") or "").lower(), (element.get("Target") or "").replace("\\", "/")
            if ("worksheet" if binary else "sheet") not in kind.rpartition("/")[2]:
                continue
            for candidate in (target.lstrip("/"), "xl/" + target, posixpath.normpath("xl/" + target)):
                sheets.update(spelled.get(candidate.lower(), ()))
    return sheets


def _check_sizes(path, infos) -> None:
    from ..errors import LimitError

    if len(infos) > limit("MAX_PARTS"):
        raise LimitError(f"„{path}“ besteht aus {german_number(len(infos))} Teilen (Grenze "
                         f"{german_number(limit('MAX_PARTS'))}); das ist keine gewöhnliche Arbeitsmappe. Bitte die "
                         f"Datei in Excel öffnen und neu speichern. {how_to_raise('MAX_PARTS')}")
    total, most = sum(i.file_size for i in infos), limit("MAX_UNPACKED_BYTES")
    if total > most:
        raise LimitError(f"„{path}“ würde entpackt {german_size(total)} belegen (Grenze {german_size(most)}). Eine so "
                         f"große Datei wird nicht gelesen; bitte prüfen, ob es wirklich der richtige Export ist. "
                         f"{how_to_raise('MAX_UNPACKED_BYTES')}")
    ratio, from_bytes = limit("MAX_RATIO"), limit("RATIO_FROM_BYTES")
    for info in infos:
        if info.file_size > from_bytes and info.file_size > ratio * max(info.compress_size, 1):
            raise LimitError(f"„{path}“ enthält einen ungewöhnlich stark komprimierten Teil ({info.filename}, "
                             f"{info.file_size / max(info.compress_size, 1):.0f}:1, erlaubt sind {ratio}:1). Die Datei "
                             f"wird zum Schutz nicht gelesen (möglicher Angriff mit einer „Zip-Bombe“). Bitte die "
                             f"Herkunft der Datei klären und sie in Excel neu speichern lassen.")


def _check_prolog(path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes | None = None) -> None:
    """Refuse an XML part that declares a DOCTYPE or entities before its root element (``data``:
    the part, when it was read already)."""
    from ..errors import InputFileError

    head, size = b"", 1024  # the root element starts within the first hundred bytes of a real part
    with (zf.open(info) if data is None else io.BytesIO(data)) as fh:
        while len(head) < _PROLOG_BYTES:
            chunk = fh.read(size)
            size = min(size * 4, 65536)
            if not chunk:
                break
            head += chunk
            text = head
            if text[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 XML: look at it as UTF-8
                text = head.decode("utf-16", errors="replace").encode("utf-8", errors="replace")
            start = _ELEMENT_START.search(text)
            prolog = text[:start.start()] if start else text
            if _DOCTYPE.search(prolog):
                raise InputFileError(
                    f"„{path}“ enthält im Teil {info.filename} eine DOCTYPE- oder ENTITY-Deklaration. Excel und "
                    f"LibreOffice schreiben so etwas nie; es kann ein Angriff sein (Entitäten-Bombe oder Zugriff auf "
                    f"fremde Dateien). Die Datei wird nicht gelesen. Bitte die Herkunft klären und die Daten in "
                    f"eine frisch gespeicherte Arbeitsmappe übernehmen.")
            if start:
                return
    if len(head) >= _PROLOG_BYTES:
        raise InputFileError(f"„{path}“ ist beschädigt: der Teil {info.filename} beginnt mit mehr als "
                             f"{german_size(_PROLOG_BYTES)} ohne XML-Inhalt. Bitte die Datei neu speichern.")


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper()[:12]:  # 12 letters are far beyond any budget already
        n = n * 26 + ch - 64
    return n


def _row_number(digits: bytes) -> int:
    digits = digits.lstrip(b"0")  # calamine reads "000120" as row 120
    return int(digits or b"0") if len(digits) <= 13 else 10**13  # beyond any budget; int() refuses thousands


def _positions_explicit(block: bytes) -> bool:
    """Every cell and row element in ``block`` starts with r="..." (as Excel, LibreOffice, openpyxl
    and XlsxWriter write them); False means the elements must be walked one by one."""
    return _scan_block(block)[0]


@lru_cache(maxsize=1)
def _byte_sets():
    """(letter, digit, name character) lookup tables by byte, and the bytes ' r="' (numpy is imported on
    the first scan only: the add-in's first click imports this module)."""
    import numpy as np

    def byte_set(chars: bytes):
        table = np.zeros(256, dtype=bool)
        table[list(chars)] = True
        return table

    letter, digit = byte_set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"), byte_set(b"0123456789")
    # what may follow "<c" in a longer element name
    return letter, digit, letter | digit | byte_set(b"_.:-"), np.frombuffer(b' r="', dtype=np.uint8)


def _scan_padding(digits: int | None) -> int:
    """The zeros _scan_block looks at past a block's end (a position's letters, digits and more)."""
    return 32 + (digits or 0)


def _scan_block(block: bytes, digits: int | None = None) -> tuple[bool, bool]:
    """(explicit, maybe outside) for a block of sheet XML that ends before a "<" (_blocks).

    explicit: every element named c or row (nothing else of the name follows: [A-Za-z0-9_.:-]) goes on
    with ' r="', none has a namespace prefix, and the block has no other attribute named r. maybe outside (asked with ``digits``): a cell's r
    starts with two letters (beyond column Z) or, after at most one letter, with ``digits`` digits or
    more (a row number of as many digits as the last row of the first rectangle, or more). False is
    certain, True only sends the sheet to the exact rectangles. Looked at with numpy at each "<"
    instead of a pattern tried at each of the millions of cells: a quarter of the time."""
    import numpy as np

    if _PREFIXED.search(block):
        return False, True
    letters, digit_set, name, r_quote = _byte_sets()
    buf = np.frombuffer(block + b"\0" * _scan_padding(digits), dtype=np.uint8)  # zeros past the end: no name, no digit
    starts = np.flatnonzero(buf[:len(block)] == ord("<"))
    second = buf[starts + 1]
    cells = starts[(second == ord("c")) & ~name[buf[starts + 2]]]
    rows = starts[second == ord("r")]
    rows = rows[(buf[rows + 2] == ord("o")) & (buf[rows + 3] == ord("w")) & ~name[buf[rows + 4]]]
    for found, after in ((cells, 2), (rows, 4)):
        if not all((buf[found + after + k] == b).all() for k, b in enumerate(r_quote)):
            return False, True
    # no r attribute but the one each element starts with (a second one would be the one calamine
    # reads); the cheap count settles a sheet without other attributes ending in r
    keys = len(cells) + len(rows)
    if (block.count(b"r=") != keys or _SPACED_R_KEY.search(block)) and _r_keys(block, buf) != keys:
        return False, True
    if digits is None:
        return True, True
    first = cells + 6  # the first character of the position
    letter = letters[buf[first]]
    if (letter & letters[buf[first + 1]]).any():
        return True, True
    number = first + letter
    long = np.ones(len(number), dtype=bool)
    for k in range(digits):
        long &= digit_set[buf[number + k]]
    return True, bool(long.any())


def _r_keys(block: bytes, buf) -> int:
    """len(_R_KEY.findall(block)), by numpy where no r is spaced from its "=": then each key is a literal
    r= after a blank or a quote (the pattern tried at every byte took 5 ms of an Erhebungsbogen, whose
    drop-down messages, error="...", end in r=)."""
    import numpy as np

    if _SPACED_R_KEY.search(block):
        return len(_R_KEY.findall(block))
    n = len(block)
    at = np.flatnonzero((buf[1:n] == ord("r")) & (buf[2:n + 1] == ord("=")))  # an r at at + 1
    return int(_key_before()[buf[at]].sum())


@lru_cache(maxsize=1)
def _key_before():
    """The bytes _R_KEY allows before the r: blanks as \\s reads them, and quotes."""
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[list(b' \t\n\r\x0b\x0c"\'')] = True
    return table


def placed_cells(source):
    """Each <c> element of a sheet part (a file object) with its (row, column), 1-based, as
    python-calamine places it: a cell without r after the previous one, a row without r below the
    previous one, elements by their local name; a cell with a malformed position (calamine refuses the
    sheet) is left out. Yielded at the cell's end, so its children can be looked at. lxml's
    XMLSyntaxError for a sheet that is not well-formed XML is the caller's."""
    from lxml import etree

    row = col = 0
    placed = None
    for event, element in etree.iterparse(source, events=("start", "end"), resolve_entities=False,
                                          no_network=True, load_dtd=False, huge_tree=True):
        local = element.tag.rpartition("}")[2] if isinstance(element.tag, str) else ""
        if event == "end":
            if local == "c" and placed is not None:
                yield element, *placed
                placed = None
            elif local in ("row", "sheetData"):
                element.clear(keep_tail=False)
            continue
        if local not in ("row", "c"):
            continue
        value = (element.get("r") or "").strip()
        position = _POSITION.fullmatch(value) if value else None
        if local == "row":
            row, col = (_row_number(position.group(2).encode()) if position else row + 1), 0
            continue
        if position and position.group(1):
            placed = _row_number(position.group(2).encode()), _col_number(position.group(1).encode())
            col = placed[1]
        elif value:  # a malformed position: calamine refuses the sheet, nothing is allocated
            placed = None
        else:
            col += 1
            placed = row, col


def _parsed_extent(path, info: zipfile.ZipInfo, stream) -> tuple[list[int], list[int]] | None:
    """(columns, rows) of the outermost cells of a sheet whose elements do not all start with
    r="...", read with a real XML parser (placed_cells). A sheet that is not well-formed XML is
    refused (a tolerant parser would read more than this check)."""
    from lxml import etree

    from ..errors import InputFileError

    box = None
    try:
        with stream() as source:
            for _, r, col in placed_cells(source):
                box = (r, r, col, col) if box is None else \
                    (min(box[0], r), max(box[1], r), min(box[2], col), max(box[3], col))
    except etree.XMLSyntaxError as exc:
        raise InputFileError(f"„{path}“ ist beschädigt: der Teil {info.filename} ist kein gültiges XML (Zeile "
                             f"{exc.lineno}). Bitte die Datei in Excel öffnen und neu speichern.") from None
    return None if box is None else ([box[2], box[3]], [box[0], box[1]])


def _binary_extent(data: bytes):
    """(first row, last row, first column, last column), 1-based, of the cells in an .xlsb sheet
    part (BIFF12 records: BrtRowHdr gives the row, cell records 0x01-0x0B start with the column);
    None without cells. A cut record ends the scan (the reader reports the damage)."""
    unpack = struct.Struct("<I").unpack_from
    pos, end, row = 0, len(data), 0
    low_row = low_col = 1 << 40
    high_row = high_col = 0
    try:
        while pos < end:
            first = data[pos]
            rid, pos = first & 0x7F, pos + 1
            if first & 0x80:
                rid, pos = rid | (data[pos] & 0x7F) << 7, pos + 1
            byte = data[pos]
            size, pos = byte & 0x7F, pos + 1
            shift = 7
            while byte & 0x80 and shift < 28:
                byte = data[pos]
                size, shift, pos = size | (byte & 0x7F) << shift, shift + 7, pos + 1
            if rid <= 0x0B and size >= 4:
                value = unpack(data, pos)[0] + 1
                if rid == 0:
                    row = value
                else:
                    if value < low_col:
                        low_col = value
                    if value > high_col:
                        high_col = value
                    if row < low_row:
                        low_row = row
                    if row > high_row:
                        high_row = row
            pos += size
    except (IndexError, struct.error):
        pass
    return None if high_col == 0 else (low_row, high_row, low_col, high_col)


_BEYOND_ANY_SIZE = 1 << 62


def _read_whole(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The bytes of a part as far as its data goes, not only up to its declared size: zipfile cuts
    there, the zip reader of fastexcel's calamine reads on (a stored part longer than declared, a
    deflated one that inflates to more), so a harmless beginning would be checked and a hostile rest
    read. A part that is not exactly its declared size is damaged (BadZipFile)."""
    with zf.open(info) as fh:
        fh._left = _BEYOND_ANY_SIZE  # zipfile's count of bytes still to give (its cut at the declared size)
        data = fh.read()
    if len(data) != info.file_size:
        raise zipfile.BadZipFile(f"Size of file {info.filename!r} differs from its declared size")
    return data


def _blocks(path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 1 << 22):
    """An XML part in blocks of about ``size`` bytes, each ending before a "<", so that no tag (and
    no cell reference in it) is split between two blocks."""
    from ..errors import InputFileError

    carry, crc = b"", 0
    with zf.open(info) as fh:
        # the CRC is taken here, on the inflating thread, not by zipfile: the block scan runs on the other
        # thread meanwhile. It cannot be left to the reader: fastexcel's calamine reads a damaged part
        # without a word (python-calamine refuses it).
        fh._expected_crc = None
        fh._left, length = _BEYOND_ANY_SIZE, 0  # see _read_whole
        while chunk := fh.read(size):
            crc, length = zlib.crc32(chunk, crc), length + len(chunk)
            data = carry + chunk
            cut = data.rfind(b"<")
            if cut <= 0:
                if len(data) > _PROLOG_BYTES:
                    raise InputFileError(f"„{path}“ ist beschädigt: der Teil {info.filename} enthält ein XML-Element, "
                                         f"das länger als {german_size(_PROLOG_BYTES)} ist. Bitte die Datei in Excel "
                                         f"öffnen und neu speichern.")
                carry = data
                continue
            carry = data[cut:]
            yield data[:cut]
    if crc != info.CRC or length != info.file_size:
        raise zipfile.BadZipFile(f"Bad CRC-32 or size for file {info.filename!r}")
    if carry:
        yield carry


def _digits_above(number: int) -> bytes:
    """A pattern for a run of digits whose value exceeds ``number`` (a run with leading zeros and
    more digits than ``number`` counts as above: the exact pass decides then)."""
    text = str(number)
    longer = rb"[0-9]{%d,}" % (len(text) + 1)
    same = [text[:i].encode() + b"[%d-9]" % (int(text[i]) + 1) + b"[0-9]" * (len(text) - i - 1)
            for i in range(len(text)) if text[i] != "9"]
    return rb"(?:" + b"|".join([longer, *same]) + rb")(?![0-9])"


_TIER_CACHE: dict = {}


def _near_tiers() -> list[re.Pattern]:
    """For each rectangle A1:<column><row> within the budget (see _TIER_COLUMNS), a pattern that
    finds a cell outside it. Used on blocks whose positions are explicit (_positions_explicit:
    every cell element starts with <c r="), so the literal start finds every cell, and twice as
    fast as _R_ATTRIBUTE would (a row element without cells allocates nothing)."""
    key = (limit("MAX_SHEET_CELLS"), limit("MAX_COLUMNS"))
    if key not in _TIER_CACHE:
        cells, columns = key
        _TIER_CACHE[key] = [re.compile(rb'<c r="(?:[A-Za-z]{%d,}[0-9]|[A-Za-z]{0,%d}%s)'
                                       % (letters + 1, letters, _digits_above(cells // last)))
                            for letters, last in _TIER_COLUMNS if last <= columns and cells // last >= 1]
    return _TIER_CACHE[key]


def _first_rectangle_digits() -> int | None:
    """The number of digits of the last row of the first rectangle within the budget (A1:Z<row>, see
    _TIER_COLUMNS), or None when the budget leaves no such rectangle."""
    cells, columns = limit("MAX_SHEET_CELLS"), limit("MAX_COLUMNS")
    letters, last = _TIER_COLUMNS[0]
    return len(str(cells // last)) if letters == 1 and last <= columns and cells // last >= 1 else None


def _scanned(blocks, digits: int | None):
    """_scan_block of each block, run in a second thread while the next block is inflated (zlib and
    numpy release the GIL for most of their work: on two cores the two overlap)."""
    from concurrent.futures import ThreadPoolExecutor

    blocks = iter(blocks)
    first, second = next(blocks, None), next(blocks, None)
    if second is None:  # a part read whole (every sheet of an Erhebungsbogen): a thread would cost more than it saves
        if first is not None:
            yield _scan_block(first, digits)
        return
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(_scan_block, first, digits)
        for block in chain((second,), blocks):
            job = pool.submit(_scan_block, block, digits)
            yield pending.result()
            pending = job
        yield pending.result()


def _check_extent(path, info: zipfile.ZipInfo, data, binary: bool = False, stream=None) -> None:
    """Refuse a sheet whose outermost cells span more cells than the budget (python-calamine would
    allocate the whole rectangle). ``data``: the bytes of an .xlsb sheet; for XML, a function that
    gives the part's blocks (called a second time only when a cell lies beyond ZZ99999), and
    ``stream`` one that opens the part for the XML parser."""
    from ..errors import LimitError
    from .tabular import column_letter

    if binary:
        box = _binary_extent(data)
        if box is None:
            return
        min_row, max_row, min_col, max_col = box
        cols, rows = [min_col, max_col], [min_row, max_row]
    else:
        bare, digits = False, _first_rectangle_digits()
        near = digits is not None  # every cell seen so far certainly in the first rectangle
        for explicit, outside in _scanned(data(), digits if near else None):
            if not explicit:
                bare = True
                break
            near = near and not outside
        far = False
        if not bare and not near:  # doubtful: the exact rectangles, over the whole part again
            tiers = list(_near_tiers())  # the rectangles within the budget the sheet may still lie in
            for block in data():
                tiers = [t for t in tiers if not t.search(block)]
            far = not tiers
        if bare:
            extent = _parsed_extent(path, info, stream)
            if extent is None:
                return
            cols, rows = extent
        else:
            if not far:
                return  # every cell lies within a rectangle of the budget: no need to collect them
            # distinct column letters and row numbers only, collected in C: a sheet has thousands of cells
            letters, numbers = set(), set()
            for block in data():
                letters.update(_CELL_COLUMN.findall(block))
                numbers.update(_CELL_ROW.findall(block))
            if not letters:
                return
            cols, rows = [_col_number(c) for c in letters], [_row_number(r) for r in numbers]
    width, height = max(cols) - min(cols) + 1, max(rows) - min(rows) + 1
    cells, most = width * height, limit("MAX_SHEET_CELLS")
    if cells > most or max(cols) > limit("MAX_COLUMNS"):
        far = f"{column_letter(max(cols) - 1)}{max(rows)}"
        raise LimitError(f"In „{path}“ ({info.filename}) sind Zellen bis {far} belegt: ein Bereich von "
                         f"{german_number(height)} Zeilen und {german_number(width)} Spalten ({german_number(cells)} "
                         f"Zellen, Grenze {german_number(most)}). Meist stehen weit entfernte Zellen versehentlich "
                         f"im Blatt. Bitte in Excel mit Strg+Ende die letzte benutzte Zelle suchen, die überzähligen "
                         f"Zeilen und Spalten löschen und neu speichern. {how_to_raise('MAX_SHEET_CELLS')}")


_ASCII_COMPATIBLE = re.compile(rb"""\s*(?:<\?xml[^>]*encoding\s*=\s*["'](?:utf-8|us-ascii)["'][^>]*>|<\?xml(?![^>]*encoding)|<(?![?!]))""",
                               re.IGNORECASE)
_ENTITY_IN_POSITION = re.compile(rb'<c r="[^"]*&')
# a namespace declared on a formula element: <f xmlns="urn:x"> starts like a formula but is none
_NAMESPACE_ON_FORMULA = re.compile(rb'<f\s[^<]*xmlns')
_CHECK_CACHE: dict = {}


def all_formulas_in_place(data: bytes, letters: frozenset[str], first_row: int, explicit: bool = False) -> bool:
    """True when every cell of ``letters`` from row ``first_row`` on in a sheet part either has no
    content or starts with its formula, read by patterns (no XML parser): the usual answer for
    a returned Erhebungsbogen, about ten times faster than parsing. False means "maybe not": a cell
    without a formula, or anything the patterns cannot read as an XML parser would (another
    encoding, positions not written as r="A1", entities in a position, attributes quoted otherwise);
    the caller parses the part then, and the parser alone names the cells. ``explicit``: the zip check's
    scan of these very bytes found the positions explicit (_positions_explicit), no need to scan again."""
    if not letters or not _ASCII_COMPATIBLE.match(data) or not (explicit or _positions_explicit(data)) \
            or _ENTITY_IN_POSITION.search(data) or _NAMESPACE_ON_FORMULA.search(data):
        return False
    key = (letters, first_row)
    if key not in _CHECK_CACHE:  # letters in either case: calamine reads r="h5" as H5
        ref = rb'<c r="(?i:%s)%s"' % (b"|".join(sorted(x.encode() for x in letters)), _digits_above(first_row - 1))
        # every such cell (one in a comment too: that only asks the parser); the group is empty unless
        # the cell is empty or starts with its formula (its attributes hold no "<": no match runs into the next)
        _CHECK_CACHE[key] = re.compile(ref + rb'((?:\s+[\w:.-]+="[^"<>]*")*\s*(?:/>|><f[\s/>]))?')
    return all(_CHECK_CACHE[key].findall(data))


def make_reproducible(path: str | Path, stamp: str = "2020-01-01T00:00:00Z", change=None) -> None:
    """Rewrite a zip package with fixed entry times and a fixed modification date in
    docProps/core.xml, so that the same input builds the same bytes (templates are checked in).
    ``change``: {part name: function(bytes) -> bytes} for parts to rewrite on the way."""
    path = Path(path)
    change = change or {}
    with zipfile.ZipFile(path) as src:
        parts = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    missing = set(change) - {name for name, _ in parts}
    if missing:  # a rewrite that finds no part would leave its sheet without its rows, in silence
        raise RuntimeError(f"make_reproducible: no part {', '.join(sorted(missing))} in {path.name}")
    write_reproducible(path, [(name, change[name](data) if name in change else data) for name, data in parts], stamp)


def write_reproducible(path: str | Path, parts: list[tuple[str, bytes]], stamp: str) -> None:
    """Write the parts, in this order, as a zip package with fixed entry times; docProps/core.xml
    gets ``stamp`` as its creation and modification date."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in parts:
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, data)


def zip_parts(path: str | Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def put(ws, row: int, col: int, value):
    """Write a value into an openpyxl cell as data: a text that starts with "=" stays text (openpyxl
    would store it as a formula), so names from the input never become live formulas."""
    cell = ws.cell(row, col)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell
