"""Helpers of the hardening tests (issue 7, parts 4 and 5): canary HR exports in CSV, xlsx and xlsb,
a search for canaries in every output (zip parts unpacked, several encodings), hashes of inputs,
cloned agency workbooks for the batch tests.

No conftest here on purpose (another helper owns the folder's other files): the tests import this
module by name, as the other test folders do with their ``*_helpers.py``.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import struct
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXCEL_EPOCH = date(1899, 12, 30)
STICHTAG = date(2025, 6, 30)


# ----------------------------------------------------------------------------- canaries

@dataclass(frozen=True)
class Person:
    """One invented employee whose personal data must never leave the import."""

    first: str
    last: str
    number: str
    birth: date
    remark: str


# Values that cannot occur by chance: a bird's name with a random suffix, a personnel number far
# outside any series, birth dates whose Excel serial numbers (22475, 21518, 26712) are searched as
# standalone numbers. 1958-11-29 retires within the plan period (it is counted in the forecast).
PEOPLE = (
    Person("Zeisig-5K8W", "Kanarienvogel-7Q3X", "PN-90417733", date(1961, 7, 13), "Bemerkung-Kanarie-8J4T"),
    Person("Girlitz-3T6Y", "Stieglitz-4M9P", "PN-90417734", date(1958, 11, 29), "Notiz-Kanarie-2D5V"),
    Person("Hänfling-9Ü1Ä", "Zilpzalp-2W6R", "PN-90417735", date(1973, 2, 17), "Vermerk-Kanarie-6H2Z"),
)
# the header of an unknown column is a canary too (a column the import has never heard of)
ODD_HEADER = "Privatanschrift-Kanarie-4F7L"
ADDRESS = "Finkenweg-3V7N 12, 99084 Erfurt"


def serial(d: date) -> int:
    return (d - EXCEL_EPOCH).days


def date_forms(d: date) -> list[str]:
    """Every way a birth date may be written as text."""
    return [f"{d:%d.%m.%Y}", d.isoformat(), f"{d.day}.{d.month}.{d.year}", f"{d:%d.%m.%y}", f"{d:%m/%d/%Y}",
            f"{d:%Y%m%d}", f"{d.isoformat()}T00:00:00", f"{d.isoformat()} 00:00:00", f"{d:%d/%m/%Y}"]


def text_canaries() -> list[str]:
    """The exact strings searched for (case-folded variants are added by the search)."""
    out = [ODD_HEADER, ADDRESS, "Finkenweg-3V7N"]
    for p in PEOPLE:
        out += [p.first, p.last, f"{p.first} {p.last}", f"{p.last}, {p.first}", p.number, p.number[3:], p.remark,
                *date_forms(p.birth)]
    return out


def serial_canaries() -> list[int]:
    return [serial(p.birth) for p in PEOPLE]


# ----------------------------------------------------------------------------- exports

STAFF_HEADER = ["Personalnummer", "Name", "Vorname", "Nachname", "Geburtsdatum", "geschlecht", "statusgruppe",
                "laufbahngruppe", "besoldungs_entgeltgruppe", "fachrichtung", "fuehrungsebene", "arbeitszeit",
                "beschaeftigungsumfang", "beurlaubung", "befristet", "Bemerkung", ODD_HEADER, "Freitext"]
MOVE_HEADER = ["vorgang", "datum", "geschlecht", "laufbahngruppe", "besoldungs_entgeltgruppe", "arbeitszeit",
               "beurlaubung", "Personalnummer", "Name", "Geburtsdatum", "Bemerkung", ODD_HEADER]


def staff_table(birth_form: str = "text", n_filler: int = 60) -> list[list]:
    """Header and rows of a staff export: the canary people plus ordinary filler staff (enough
    people per Bereich that the draft shows numbers). ``birth_form``: "text" (DD.MM.YYYY), "iso",
    "date" (a date cell) or "serial" (an Excel serial number)."""
    from xl_gleichplan.demo import staff_rows

    def birth(d: date):
        return {"text": f"{d:%d.%m.%Y}", "iso": d.isoformat(), "date": d, "serial": serial(d)}[birth_form]

    rows = [STAFF_HEADER]
    for i, p in enumerate(PEOPLE):
        rows.append([p.number, f"{p.last}, {p.first}", p.first, p.last, birth(p.birth), "weiblich" if i != 1 else "m",
                     "Beamte", "gehobener", "A 11", "Allgemeine Verwaltung", "referatsleitung" if i == 0 else "",
                     "Teilzeit" if i == 2 else "Vollzeit", "0,5" if i == 2 else "1", "keine", "nein",
                     p.remark, ADDRESS, f"Gespräch mit {p.first} {p.last} am {p.birth:%d.%m.%Y} ({p.number})"])
    for r in staff_rows(n_filler, seed=77, stichtag=STICHTAG):
        d = date(int(r["geburtsdatum"][6:]), int(r["geburtsdatum"][3:5]), int(r["geburtsdatum"][:2]))
        rows.append([r["personalnummer"], r["name"], "", "", birth(d), r["geschlecht"], r["statusgruppe"],
                     r["laufbahngruppe"], r["besoldungs_entgeltgruppe"], r["fachrichtung"], r["fuehrungsebene"],
                     r["arbeitszeit"], r["beschaeftigungsumfang"], r["beurlaubung"], r["befristet"], "", "", ""])
    return rows


def movement_table(birth_form: str = "text") -> list[list]:
    from xl_gleichplan.demo import movement_rows

    def birth(d: date):
        return {"text": f"{d:%d.%m.%Y}", "iso": d.isoformat(), "date": d, "serial": serial(d)}[birth_form]

    rows = [MOVE_HEADER]
    for p in PEOPLE:
        for kind in ("bewerbung", "einstellung", "fortbildung"):
            rows.append([kind, "01.03.2024", "w", "gehobener", "A 11", "Vollzeit", "keine", p.number,
                         f"{p.first} {p.last}", birth(p.birth), f"{p.remark}: {p.last}", ADDRESS])
    for r in movement_rows(60, seed=77, stichtag=STICHTAG):
        rows.append([r["vorgang"], r["datum"], r["geschlecht"], r["laufbahngruppe"], r["besoldungs_entgeltgruppe"],
                     r["arbeitszeit"], r["beurlaubung"], "", "", "", "", ""])
    return rows


def committee_table() -> list[list]:
    p = PEOPLE[0]
    return [["gremium", "w", "m", "d", "x", "Mitglieder"],
            ["Personalrat", 4, 3, 0, 0, f"{p.first} {p.last} ({p.number}), {PEOPLE[1].last}"],
            ["Auswahlkommission", 2, 3, 0, 0, PEOPLE[2].last]]


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig") -> Path:
    import csv

    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=";")
        for row in rows:
            writer.writerow(["" if v is None else (f"{v:%d.%m.%Y}" if isinstance(v, date) else v) for v in row])
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Export"
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    wb.save(path)
    return path


# ----------------------------------------------------------------------------- a minimal xlsb writer

def _record(kind: int, data: bytes = b"") -> bytes:
    """One BIFF12 record: type and size as 7-bit varints (MS-XLSB 2.1.4)."""
    out = bytearray()
    for value in (kind, len(data)):
        while True:
            byte = value & 0x7F
            value >>= 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                break
    return bytes(out) + data


def _wide(text: str) -> bytes:  # XLWideString: character count, UTF-16LE
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def write_xlsb(path: Path, rows: list[list], sheet: str = "Export") -> Path:
    """A one-sheet .xlsb with text (BrtCellSt) and number cells (BrtCellReal). Neither LibreOffice
    (import filter only) nor any installed library writes .xlsb, so the few records needed are
    written here; python-calamine and pyxlsb both read the result (checked in the tests). There is
    no styles part (Excel's readers take style 0 then), so dates are plain Excel serial numbers."""
    ncols = max(len(r) for r in rows)
    sheet_bin = [_record(0x81),  # BrtBeginSheet
                 _record(0x94, struct.pack("<IIII", 0, len(rows) - 1, 0, ncols - 1)),  # BrtWsDim
                 _record(0x91)]  # BrtBeginSheetData
    for r, row in enumerate(rows):
        sheet_bin.append(_record(0x00, struct.pack("<IIHBBBI", r, 0, 300, 0, 0, 0, 1) + struct.pack("<II", 0, ncols - 1)))
        for c, value in enumerate(row):
            cell = struct.pack("<II", c, 0)  # column, style 0
            if value is None or value == "":
                continue
            if isinstance(value, date):
                value = serial(value)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet_bin.append(_record(0x05, cell + struct.pack("<d", float(value))))  # BrtCellReal
            else:
                sheet_bin.append(_record(0x06, cell + _wide(str(value))))  # BrtCellSt
    sheet_bin += [_record(0x92), _record(0x82)]  # BrtEndSheetData, BrtEndSheet
    workbook_bin = (_record(0x83) + _record(0x8F)  # BrtBeginBook, BrtBeginBundleShs
                    + _record(0x9C, struct.pack("<II", 0, 1) + _wide("rId1") + _wide(sheet))  # BrtBundleSh
                    + _record(0x90) + _record(0x84))  # BrtEndBundleShs, BrtEndBook
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.bin" ContentType="application/vnd.ms-excel.worksheet"/>'
        '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.bin"/></Relationships>')
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'worksheet" Target="worksheets/sheet1.bin"/>'
               '</Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.bin", workbook_bin)
        z.writestr("xl/_rels/workbook.bin.rels", wb_rels)
        z.writestr("xl/worksheets/sheet1.bin", b"".join(sheet_bin))
    return path


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "xlsb": write_xlsb}


def write_exports(folder: Path, fmt: str) -> dict[str, Path]:
    """Staff, movements and committees with canaries in one file format (csv, xlsx, xlsb)."""
    folder.mkdir(parents=True, exist_ok=True)
    birth_form = {"csv": "text", "xlsx": "date", "xlsb": "serial"}[fmt]
    write = WRITERS[fmt]
    return {"staff": write(folder / f"personalbestand.{fmt}", staff_table(birth_form)),
            "movements": write(folder / f"bewegungen.{fmt}", movement_table("iso" if fmt == "csv" else birth_form)),
            "committees": write(folder / f"gremien.{fmt}", committee_table())}


# ----------------------------------------------------------------------------- the search

def _variants(canary: str) -> set[str]:
    return {canary, canary.lower(), canary.upper(), canary.casefold()}


_ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "cp1252")


def _needles(canaries) -> list[tuple[str, bytes]]:
    out = []
    for canary in canaries:
        for v in _variants(canary):
            for enc in _ENCODINGS:
                try:
                    out.append((f"{canary!r} ({enc}{', ' + v if v != canary else ''})", v.encode(enc)))
                except UnicodeEncodeError:
                    pass
            # XML and HTML escapes of non-ASCII letters (&#228; for ä)
            escaped = v.encode("ascii", "xmlcharrefreplace")
            if escaped != v.encode("utf-8"):
                out.append((f"{canary!r} (XML-escaped)", escaped))
    return out


def _serial_pattern(numbers) -> re.Pattern:
    alternatives = "|".join(str(n) for n in numbers)
    # a standalone number: not part of a longer number, a decimal fraction or a hex id
    return re.compile(rf"(?<![0-9A-Za-z.,]){{}}(?:[.,]0+)?(?![0-9A-Za-z]|[.,][0-9])".replace("{}", f"(?:{alternatives})"))


@dataclass
class Scope:
    files: int = 0
    zip_parts: int = 0
    bytes: int = 0
    texts: int = 0  # stdout/stderr and JSON strings searched besides the files


class CanarySearch:
    """Search bytes, files and folders for every canary; zip containers (xlsx, xlsm, docx, xlsb)
    are opened and every part searched decompressed, nested zips too."""

    def __init__(self, canaries=None, serials=None):
        self.canaries = list(canaries if canaries is not None else text_canaries())
        self.needles = _needles(self.canaries)
        serials = list(serials if serials is not None else serial_canaries())
        self.serial_re = _serial_pattern(serials)
        self.doubles = [(n, struct.pack("<d", float(n))) for n in serials]  # a number cell of an .xlsb
        self.scope = Scope()

    def hits_in_bytes(self, data: bytes, where: str) -> list[str]:
        hits = [f"{where}: {label}" for label, needle in self.needles if needle in data]
        hits += [f"{where}: serial {n} as a binary double" for n, packed in self.doubles if packed in data]
        for enc in ("utf-8", "utf-16-le"):
            text = data.decode(enc, errors="ignore")
            hits += [f"{where}: serial {m.group(0)} ({enc})" for m in self.serial_re.finditer(text)]
        if data[:2] == b"PK":
            hits += self._zip(data, where)
        return hits

    def _zip(self, data: bytes, where: str) -> list[str]:
        try:
            z = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            return []
        hits = []
        for info in z.infolist():
            part = z.read(info)
            self.scope.zip_parts += 1
            self.scope.bytes += len(part)
            hits += self.hits_in_bytes(part, f"{where}!{info.filename}")
            hits += [f"{where}!{info.filename}: name contains {c!r}" for c in self.canaries if c in info.filename]
        return hits

    def hits_in_text(self, text: str, where: str) -> list[str]:
        self.scope.texts += 1
        return self.hits_in_bytes(text.encode("utf-8"), where) + self.hits_in_bytes(text.encode("utf-16-le"), where)

    def hits_in_file(self, path: Path) -> list[str]:
        data = path.read_bytes()
        self.scope.files += 1
        self.scope.bytes += len(data)
        hits = [f"{path}: file name contains {c!r}" for c in self.canaries if c in path.name]
        return hits + self.hits_in_bytes(data, str(path))

    def hits_in_tree(self, folder: Path) -> list[str]:
        hits = []
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                hits += self.hits_in_file(path)
        return hits


# ----------------------------------------------------------------------------- files and hashes

def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def hashes(paths) -> dict[str, str]:
    out = {}
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.update(hashes(q for q in sorted(p.rglob("*")) if q.is_file()))
        elif p.exists():
            out[str(p)] = sha256(p)
    return out


def valid_xlsx(path: Path) -> bool:
    """A complete workbook: the zip's directory and every part's CRC are good, openpyxl opens it."""
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(path) as z:
            if z.testzip() is not None:
                return False
        load_workbook(path, read_only=True).close()
        return True
    except Exception:  # noqa: BLE001 - any failure means: not a valid complete workbook
        return False


def cli_env(log_dir: Path) -> dict[str, str]:
    """Environment of a command in a subprocess: the package from this checkout, logs in tmp."""
    env = dict(os.environ)
    env["XL_GLEICHPLAN_LOG_DIR"] = str(log_dir)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def cli_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "xl_gleichplan", *args]


# ----------------------------------------------------------------------------- many agencies

def clone_agencies(source: Path, target: Path, n: int) -> list[Path]:
    """``n`` distinct agency workbooks from the few generated in ``source``: each copy gets its own
    agency name (the shared string of the name is rewritten in the zip), so the consolidation
    counts every copy as an agency of its own. Takes ~10 ms per file instead of ~0.3 s to generate."""
    originals = sorted(p for p in Path(source).rglob("*.xlsx") if not p.name.startswith("~$") and _is_agency(p))
    target.mkdir(parents=True, exist_ok=True)
    out = []
    for k in range(n):
        original = originals[k % len(originals)]
        name = _agency_name(original)
        new_name = f"{name} Kopie {k:04d}"
        dest = target / f"m{k % 9:02d}" / f"{k:04d}_{original.stem[:40]}.xlsx"
        dest.parent.mkdir(parents=True, exist_ok=True)
        _rewrite_name(original, dest, name, new_name)
        out.append(dest)
    return out


def _is_agency(path: Path) -> bool:
    try:
        return _agency_name(path) is not None
    except Exception:  # noqa: BLE001 - the broken files of the generator
        return False


def _agency_name(path: Path) -> str | None:
    from xl_gleichplan.io.workbook_reader import open_workbook, read_metadata

    book = open_workbook(path)
    try:
        meta = read_metadata(book, path.name)
    finally:
        book.close()
    return str(meta.get("dienststelle") or "") or None


def _rewrite_name(src: Path, dest: Path, old: str, new: str) -> None:
    from xml.sax.saxutils import escape

    # as UTF-8 and as character references (openpyxl writes "f&#252;r" in inline strings)
    pairs = [(f">{escape(o)}<".encode(enc, "xmlcharrefreplace"), f">{escape(n)}<".encode(enc, "xmlcharrefreplace"))
             for o, n, enc in ((old, new, "utf-8"), (old, new, "ascii"))]
    replaced = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in ("xl/sharedStrings.xml",) or info.filename.startswith("xl/worksheets/"):
                for o, n in pairs:
                    replaced += data.count(o)
                    data = data.replace(o, n)
            zout.writestr(info, data)
    assert replaced, f"the agency name {old!r} was not found in {src}"


def copy_tree(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest
