"""Helpers for the hostile-input tests (issue 7, part 1): build valid exports and workbooks, break
them on purpose (truncation, bit flips, zip bombs, entity bombs, lying zip headers), and run a
reader under a time limit so that every case ends in exactly one of two ways:

* a ``GleichplanError`` whose German message names the file (and sheet/cell where there is one), or
* a result that carries the problem as a ``Finding`` (or, for a mutation that changed nothing the
  reader looks at, the same result as the unbroken file).

Anything else (another exception, a hang) fails the test. Imported by the test modules of this
folder (pytest puts the folder on sys.path; there is deliberately no conftest.py here).
"""
from __future__ import annotations

import contextlib
import io
import random
import signal
import struct
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from xl_gleichplan.errors import GleichplanError

STICHTAG = date(2025, 6, 30)  # flow window 01.07.2022 - 30.06.2025
GERMAN_WORDS = ("Datei", "Bitte", "bitte", "nicht", "ist", "keine", "Zeile", "Zelle", "Blatt", "wird", "fehlt")
STAFF_HEADER = ["Personalnummer", "Name", "Geschlecht", "Statusgruppe", "Laufbahngruppe",
                "Besoldungs-/Entgeltgruppe", "Arbeitszeit", "Beurlaubung", "Geburtsdatum"]


# ----------------------------------------------------------------------------- running a reader

class Hang(Exception):
    """Raised by ``time_limit`` when a reader runs past its limit (never caught by the product)."""


@contextlib.contextmanager
def time_limit(seconds: float):
    """Interrupt Python code that runs longer than ``seconds`` (SIGALRM; the tests run in the main
    thread). Native code is interrupted when it returns to Python; hypothesis' deadline and the
    product's own budget cover the rest."""
    def fire(signum, frame):
        raise Hang(f"no answer within {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Outcome:
    error: GleichplanError | None = None
    result: object = None
    seconds: float = 0.0

    @property
    def message(self) -> str:
        return str(self.error) if self.error else ""


def attempt(call, *args, limit: float = 30.0, **kwargs) -> Outcome:
    """Run ``call``; a GleichplanError is an answer, any other exception or a hang fails the test
    (the exception propagates with its traceback, so the failure shows where the product broke)."""
    start = time.monotonic()
    with time_limit(limit):
        try:
            result = call(*args, **kwargs)
        except GleichplanError as exc:
            return Outcome(error=exc, seconds=time.monotonic() - start)
    return Outcome(result=result, seconds=time.monotonic() - start)


def assert_german_error(outcome: Outcome, path: Path | None, *words: str) -> str:
    """The outcome is a German error naming the file and containing ``words``."""
    assert outcome.error is not None, f"expected a German error, got a result: {outcome.result!r}"[:500]
    message = outcome.message
    assert message and message[0] not in " \n", message
    if path is not None:
        assert Path(path).name in message, message
    assert any(w in message for w in GERMAN_WORDS), message
    assert "Traceback" not in message, message
    for word in words:
        assert word in message, (word, message)
    return message


def attempt_file(name: str, write, call, limit: float) -> Outcome:
    """``call`` on a file ``name`` that ``write(path)`` makes in a fresh folder (for hypothesis
    examples, which cannot share pytest's tmp_path). An error must be a German one naming the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(path)
        outcome = attempt(call, path, limit=limit)
    if outcome.error is not None:
        assert_german_error(outcome, path)
    return outcome


def assert_case(outcome: Outcome, path: Path, expected: str, words) -> None:
    """A named hostile case ends as expected: "error" (German, naming the file and ``words``),
    "finding" (no error; each word in a finding's text or cell; findings name this file), or "same"
    (no error; the caller compares the result with the unbroken file's)."""
    assert expected in ("error", "finding", "same"), expected
    if expected == "error":
        assert_german_error(outcome, path, *words)
        return
    assert outcome.error is None, outcome.message
    if expected == "finding":
        text = assert_error_or_finding(outcome, path)
        found = findings_of(outcome.result)
        for word in words:
            assert word in text or any(f.cell and word.endswith(f.cell) for f in found), (word, text)
        assert all(f.file == path.name for f in found if f.file)


def findings_of(result):
    """The findings of a reader's result: a Dataset, or (Dataset, Profile) from read_workbook."""
    if isinstance(result, tuple):
        result = result[0]
    return list(getattr(result, "findings", []))


def assert_error_or_finding(outcome: Outcome, path: Path | None, *, severities=("error", "warning")) -> str:
    """Either a German error, or at least one finding of these severities; returns the text."""
    if outcome.error is not None:
        return assert_german_error(outcome, path)
    found = [f for f in findings_of(outcome.result) if f.severity in severities]
    assert found, f"neither an error nor a finding: {outcome.result!r}"[:500]
    for f in found:
        assert f.message and any(w in f.message for w in GERMAN_WORDS + ("Spalte", "Wert", "Zahl")), f.message
    return " | ".join(f.message for f in found)


def run_staff(path: Path, profile: str = "thueringen"):
    """The staff import as ``compute --staff`` runs it."""
    from xl_gleichplan.io.hr_import import import_exports
    from xl_gleichplan.model import Agency
    from xl_gleichplan.profiles import load_profile

    return import_exports(staff=path, profile=load_profile(profile), stichtag=STICHTAG,
                          agency=Agency("Testamt", "landesverwaltung"))


def run_import(profile: str = "thueringen", **files):
    from xl_gleichplan.io.hr_import import import_exports
    from xl_gleichplan.model import Agency
    from xl_gleichplan.profiles import load_profile

    return import_exports(**files, profile=load_profile(profile), stichtag=STICHTAG,
                          agency=Agency("Testamt", "landesverwaltung"))


def summary(dataset) -> tuple:
    """What a staff import produced, comparable between two runs."""
    return (dataset.heads, sorted((k, v.w, v.m, v.d, v.x) for k, v in dataset.stock.items()),
            sorted((f.severity, f.message) for f in dataset.findings if f.topic != "columns"))


# ----------------------------------------------------------------------------- exports

def staff_rows(n: int, seed: int = 1) -> list[list[object]]:
    """A staff export: header, then ``n`` plausible people (personal columns included)."""
    rng = random.Random(seed)
    rows = [list(STAFF_HEADER)]
    for i in range(n):
        rows.append([f"P{100000 + i}", f"Person {i}", rng.choice(["w", "m", "weiblich", "männlich", "d"]),
                     rng.choice(["Beamte", "Tarifbeschäftigte"]), rng.choice(["mittlerer", "gehobener", "höherer"]),
                     rng.choice(["A 9", "A 13", "E 9b", "E 13"]), rng.choice(["Vollzeit", "Teilzeit"]),
                     rng.choice(["keine", "Elternzeit"]), f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.{rng.randint(1960, 2000)}"])
    return rows


def csv_bytes(rows, sep: str = ";", encoding: str = "utf-8") -> bytes:
    return "".join(sep.join("" if v is None else str(v) for v in row) + "\r\n" for row in rows).encode(encoding)


def write_xlsx(path: Path, rows, sheet: str = "Export", extra: dict[str, list] | None = None,
               first: str | None = None, hidden: tuple[str, ...] = ()) -> Path:
    """An .xlsx with openpyxl: ``rows`` on ``sheet``; ``extra`` further sheets (before it when
    ``first`` names one of them); ``hidden`` sheets are hidden."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    sheets = {sheet: rows, **(extra or {})}
    order = list(sheets)
    if first:
        order.remove(first)
        order.insert(0, first)
    for name in order:
        ws = wb.create_sheet(name)
        for row in sheets[name]:
            ws.append(row)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


# ----------------------------------------------------------------------------- a minimal .xlsb writer

def _rec(rtype: int, payload: bytes = b"") -> bytes:
    """One BIFF12 record: id (1-2 bytes, as stored), length (7-bit varint), payload."""
    head = bytes([rtype]) if rtype < 0x80 else bytes([rtype & 0xFF, rtype >> 8])
    n, size = len(payload), bytearray()
    while True:
        size.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            break
    return head + bytes(size) + payload


def _wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


def xlsb_bytes(sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    """An .xlsb package (BIFF12) that python-calamine and pyxlsb both read: strings through the
    shared string table, numbers as doubles, dates as serial numbers, ``None`` as no cell."""
    strings: dict[str, int] = {}
    parts: dict[str, bytes] = {}
    sheet_recs = []
    for index, (name, rows) in enumerate(sheets.items(), start=1):
        width = max((len(r) for r in rows), default=1)
        dim = struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, max(width - 1, 0))
        body = bytearray(_rec(0x0181) + _rec(0x0194, dim) + _rec(0x0191))  # WORKSHEET, DIMENSION, SHEETDATA
        for r, row in enumerate(rows):
            body += _rec(0x0000, struct.pack("<IIHBBBI", r, 0, 0x0120, 0, 0, 0, 0))  # ROW header
            for c, value in enumerate(row):
                cell = struct.pack("<II", c, 0)
                if value is None:
                    continue
                if isinstance(value, bool):
                    body += _rec(0x0004, cell + bytes([value]))
                elif isinstance(value, (int, float)):
                    body += _rec(0x0005, cell + struct.pack("<d", float(value)))
                elif isinstance(value, (date, datetime)):
                    serial = (value if isinstance(value, date) and not isinstance(value, datetime) else value.date()) \
                        - date(1899, 12, 30)
                    body += _rec(0x0005, cell + struct.pack("<d", float(serial.days)))
                else:
                    body += _rec(0x0007, cell + struct.pack("<I", strings.setdefault(str(value), len(strings))))
        body += _rec(0x0192) + _rec(0x0182)  # SHEETDATA_END, WORKSHEET_END
        parts[f"xl/worksheets/sheet{index}.bin"] = bytes(body)
        state = 1 if name in hidden else 0
        sheet_recs.append(_rec(0x019C, struct.pack("<II", state, index) + _wide(f"rId{index}") + _wide(name)))
    parts["xl/workbook.bin"] = _rec(0x0183) + _rec(0x018F) + b"".join(sheet_recs) + _rec(0x0190) + _rec(0x0184)
    sst = bytearray(_rec(0x019F, struct.pack("<II", len(strings), len(strings))))
    for text in strings:  # dicts keep insertion order: index order
        sst += _rec(0x0013, b"\x00" + _wide(text))
    parts["xl/sharedStrings.bin"] = bytes(sst + _rec(0x01A0))
    n = len(sheets)
    rels = "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   f'relationships/worksheet" Target="worksheets/sheet{i}.bin"/>' for i in range(1, n + 1))
    rels += (f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             f'relationships/sharedStrings" Target="sharedStrings.bin"/>')
    ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    parts["xl/_rels/workbook.bin.rels"] = f'<?xml version="1.0" encoding="UTF-8"?><Relationships {ns}>{rels}</Relationships>'.encode()
    parts["_rels/.rels"] = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships {ns}><Relationship Id="rId1" '
                            f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                            f'Target="xl/workbook.bin"/></Relationships>').encode()
    ct = "application/vnd.ms-excel."
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.bin" ContentType="{ct}worksheet"/>'
                        for i in range(1, n + 1))
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/xl/sharedStrings.bin" ContentType="{ct}sharedStrings"/>{overrides}</Types>').encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.bin", "xl/_rels/workbook.bin.rels",
                     *[f"xl/worksheets/sheet{i}.bin" for i in range(1, n + 1)], "xl/sharedStrings.bin"]:
            zf.writestr(name, parts[name])
    return buf.getvalue()


def write_xlsb(path: Path, rows, sheet: str = "Export", extra: dict[str, list] | None = None,
               first: str | None = None, hidden: tuple[str, ...] = ()) -> Path:
    sheets = {sheet: rows, **(extra or {})}
    if first:
        sheets = {first: sheets.pop(first), **sheets}
    path.write_bytes(xlsb_bytes(sheets, hidden))
    return path


# ----------------------------------------------------------------------------- zip surgery

def zip_rewrite(src: Path | bytes, dst: Path, replace: dict[str, bytes] | None = None, drop: tuple[str, ...] = (),
                add: dict[str, bytes] | None = None) -> Path:
    """Copy a zip package, replacing, dropping or adding parts."""
    data = src if isinstance(src, bytes) else Path(src).read_bytes()
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, part in add.items():
            zout.writestr(name, part)
    return dst


def zip_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def first_sheet_part(path: Path) -> str:
    names = zipfile.ZipFile(path).namelist()
    return sorted(n for n in names if n.startswith("xl/worksheets/sheet"))[0]


def _deflated(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def write_bomb_part(zout: zipfile.ZipFile, name: str, size: int, head: bytes = b"", chunk: int = 1 << 22) -> None:
    """Stream ``size`` bytes (``head`` then spaces) into a zip part: a few seconds of zlib, a few
    hundred KB on disk. Spaces inside an XML element are valid XML, so only the size betrays it."""
    block = b" " * chunk
    with zout.open(_deflated(name), "w", force_zip64=True) as out:
        out.write(head)
        left = size - len(head)
        while left > 0:
            out.write(block[:min(chunk, left)])
            left -= chunk


def bomb_package(src: Path, dst: Path, part: str, size: int) -> Path:
    """A copy of ``src`` whose ``part`` is padded to ``size`` unpacked bytes (compresses ~1000:1)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                cut = data.rindex(b"</")
                # the padding sits before the closing tag of the root element
                with zout.open(_deflated(part), "w", force_zip64=True) as out:
                    out.write(data[:cut])
                    block, left = b" " * (1 << 22), size - len(data)
                    while left > 0:
                        out.write(block[:min(len(block), left)])
                        left -= len(block)
                    out.write(data[cut:])
            else:
                zout.writestr(info, data)
    return dst


def lie_about_sizes(path: Path, part: str, claimed: int) -> None:
    """Make the zip directory claim ``claimed`` unpacked bytes for ``part`` (local header and
    central directory) while the deflate stream stays as it is: a bomb that hides from a check of
    the declared sizes."""
    data = bytearray(path.read_bytes())
    name = part.encode()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(part)
    local = info.header_offset
    assert data[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, local + 22, claimed)
    pos = 0
    while True:
        central = data.index(b"PK\x01\x02", pos)
        n = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46:central + 46 + n]) == name:
            struct.pack_into("<I", data, central + 24, claimed)
            break
        pos = central + 4
    path.write_bytes(bytes(data))


def billion_laughs(root_xml: bytes, levels: int = 10, fanout: int = 10) -> bytes:
    """``root_xml`` with a DOCTYPE defining nested entities, and one reference in the first text
    node: expanded it would be fanout**levels copies of "lol" (10 levels: 30 GB)."""
    ents = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * fanout}">' for i in range(1, levels)]
    body = root_xml
    if body.startswith(b"<?xml"):
        body = body[body.index(b"?>") + 2:]
    root = body.lstrip()[1:].split(None, 1)[0].split(b">")[0].decode()
    doctype = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE {root} [{"".join(ents)}]>'.encode()
    # put the top entity into the first <t> / <v> text node (or after the root tag)
    for tag in (b"<t>", b"<t xml:space=\"preserve\">", b"<v>", b"<dc:title>"):
        at = body.find(tag)
        if at >= 0:
            at += len(tag)
            return doctype + body[:at] + f"&lol{levels - 1};".encode() + body[at:]
    close = body.index(b">") + 1
    return doctype + body[:close] + f"&lol{levels - 1};".encode() + body[close:]


def external_entity(root_xml: bytes, target: str = "file:///etc/passwd") -> bytes:
    """``root_xml`` with an external entity (XXE) referenced in the first text node."""
    body = root_xml[root_xml.index(b"?>") + 2:] if root_xml.startswith(b"<?xml") else root_xml
    root = body.lstrip()[1:].split(None, 1)[0].split(b">")[0].decode()
    doctype = f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{target}">]>'.encode()
    for tag in (b"<t>", b"<v>"):
        at = body.find(tag)
        if at >= 0:
            at += len(tag)
            return doctype + body[:at] + b"&xxe;" + body[at:]
    close = body.index(b">") + 1
    return doctype + body[:close] + b"&xxe;" + body[close:]


def cfb_bytes(size: int = 4096) -> bytes:
    """The start of a Compound File (what an encrypted/password-protected xlsx or an old .xls is)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    return bytes(header) + b"\x00" * (size - 512) + "EncryptedPackage".encode("utf-16-le")


# ----------------------------------------------------------------------------- mutations

def flip_bits(data: bytes, positions: list[int]) -> bytes:
    out = bytearray(data)
    for p in positions:
        out[(p // 8) % len(out)] ^= 1 << (p % 8)
    return bytes(out)


def overwrite(data: bytes, at: int, junk: bytes) -> bytes:
    at %= max(len(data), 1)
    return data[:at] + junk + data[at + len(junk):]
