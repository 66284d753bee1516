"""Build the Excel add-in ``gleichplan.xlam`` without Excel, and install it into XLSTART.

The add-in is assembled from text sources only: ``macros/*.bas`` (our ribbon callback),
``macros/customUI.xml`` (the ribbon) and the add-in variant of the xlwings VBA module taken
from the *installed* xlwings package, so that the VBA always matches the xlwings DLL/Python
version it talks to; ``runner_vba`` changes that module so that no workbook can steer it.
pyOpenVBA injects the modules into the VBA project Excel itself wrote for xlwings' quickstart
add-in; the OOXML package is written here with fixed timestamps and part order, so two builds are
byte-identical.

Two of the modules in ``macros/`` are generated from the ``@xw.func`` metadata of
``excel/udfs.py`` by ``excel/udf_vba.py`` (the VBA declarations of the worksheet functions, as
xlwings' "Import Functions" would write them); the build refuses to run when they are stale.

The vbaProject.bin carries VBA source only (no compiled cache): Excel compiles it on first
load. That cannot be tried on Linux (docs/excel-addin.md has the checklist for a Windows PC),
which is why our VBA is kept small and ASCII.

xlwings' files are located via ``importlib.util.find_spec``; only the staleness check of the
generated modules imports xlwings (through the UDF module).
"""
from __future__ import annotations

import contextlib
import importlib.util
import locale
import os
import re
import shutil
import struct
import sys
import tempfile
import zipfile
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

from ..io.atomic import atomic_path, reason
from ..errors import GleichplanError, OutputError
from . import runner_vba

ADDIN_NAME = "gleichplan.xlam"

ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
XLSM_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
# Relationship type for the Office 2010 (2009/07 namespace) ribbon part customUI14.xml.
CUSTOMUI14_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

# The per-user settings file the add-in reads when IT has set no machine-wide key (runner_vba).
CONFIG_NAME = runner_vba.PROJECT_NAME

# 1980-01-01 is the earliest date a zip entry can hold; any fixed value makes builds repeatable.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# xlwings starts Python on macOS through an AppleScript that puts the workbook's name into a
# shell command unquoted (`$(...)` in a returned file's name would run); the add-in refuses there.
MAC_MESSAGE = (
    "Das Add-in läuft unter macOS nicht: xlwings startet Python dort über ein AppleScript, das den "
    "Namen der Arbeitsmappe ungeschützt in einen Shell-Befehl setzt, sodass eine zurückgesandte Datei "
    "Befehle ausführen könnte. Bitte Excel unter Windows oder die Befehlszeile (xl-gleichplan) verwenden."
)

_LINUX_MESSAGE = (
    "Excel läuft nur unter Windows und macOS; auf diesem System gibt es keinen "
    "XLSTART-Ordner, in den das Add-in installiert werden könnte. Mit --dry-run sehen Sie, "
    "was unter Windows/macOS geschehen würde; mit --ziel ORDNER wird das Add-in in einen "
    "Ordner Ihrer Wahl geschrieben."
)


# ---------------------------------------------------------------------------- sources

def macros_dir() -> Path:
    """The folder with ``*.bas`` and ``customUI.xml`` (a source checkout; the wheel ships the built add-in)."""
    repo = Path(__file__).resolve().parents[2] / "macros"
    if repo.is_dir():
        return repo
    raise GleichplanError(
        "Die Quellen des Excel-Add-ins (Ordner „macros“) wurden nicht gefunden. Das Add-in wird aus einem "
        "Quellstand von xl_gleichplan gebaut; für die Installation genügt „xl-gleichplan addin install“."
    )


def _xlwings_dir() -> Path:
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise GleichplanError("Das Paket xlwings ist nicht installiert; es wird für das Add-in benötigt.")
    return Path(list(spec.submodule_search_locations)[0])


def _ascii_text(path: Path) -> str:
    # VBA source is stored in the project's code page (cp1252); ASCII is the safe subset.
    try:
        return path.read_bytes().decode("ascii")
    except UnicodeDecodeError as exc:
        raise GleichplanError(
            f"Die VBA-Datei {path} enthält Zeichen außerhalb von ASCII (Position {exc.start}); "
            "bitte Umlaute im VBA-Code umschreiben."
        ) from None


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def xlwings_vba_source() -> str:
    """xlwings' add-in VBA module as it goes into the add-in (CRLF).

    ``xlwings_custom_addin.bas`` uses ActiveWorkbook where ``xlwings.bas`` uses ThisWorkbook: an
    add-in must act on the user's workbook, not on itself. ``runner_vba.harden`` takes every
    setting that decides what runs out of that workbook's reach."""
    return runner_vba.harden(_crlf(_ascii_text(_xlwings_dir() / "xlwings_custom_addin.bas")))


# Class modules of the base project, replaced by the installed xlwings version's. xlwings' own
# module no longer needs Dictionary once the sheet reader is gone (runner_vba); it stays because
# Excel wrote it into the base project and it costs nothing.
XLWINGS_CLASS_MODULES = ("Dictionary",)
# VB_Base of a class module as Excel stores it: the CLSID of the VBA class template.
_CLASS_BASE = 'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'


def xlwings_class_source(name: str) -> str:
    """A class module of xlwings (``addin/<name>.cls``) as Excel stores it in a project.

    An exported .cls starts with a VERSION/BEGIN/END header that only the VBA editor's import
    reads; the stored module starts at ``Attribute VB_Name`` and carries two attribute lines
    more: VB_Base after VB_Name, VB_TemplateDerived/VB_Customizable after VB_Exposed (this is
    how xlwings' own xlwings.xlam stores Dictionary; a test compares the two)."""
    path = _xlwings_dir() / "addin" / f"{name}.cls"
    lines = _crlf(_ascii_text(path)).split("\r\n")
    header = ["VERSION 1.0 CLASS", "BEGIN", "  MultiUse = -1  'True", "END"]
    expected = [f'Attribute VB_Name = "{name}"', "Attribute VB_GlobalNameSpace = False",
                "Attribute VB_Creatable = False", "Attribute VB_PredeclaredId = False"]
    if lines[:4] != header or lines[4:8] != expected or not lines[8].startswith("Attribute VB_Exposed = "):
        raise GleichplanError(
            f"Die xlwings-Datei {path} hat nicht den erwarteten Aufbau einer Klasse; diese "
            "xlwings-Version wird vom Add-in-Bau nicht unterstützt."
        )
    stored = ([lines[4], _CLASS_BASE] + lines[5:9]
              + ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False"] + lines[9:])
    return "\r\n".join(stored)


def vba_modules() -> dict[str, str]:
    """Module name -> source (CRLF), in build order: our modules sorted by name, then xlwings'
    standard module and its class modules (``XLWINGS_CLASS_MODULES``)."""
    modules: dict[str, str] = {}
    for path in sorted(macros_dir().glob("*.bas")):
        text = _crlf(_ascii_text(path))
        # The module is added under the file's name; Excel reads VB_Name. They must agree.
        match = re.match(r'Attribute VB_Name = "([^"]+)"\r\n', text)
        if not match or match.group(1) != path.stem:
            raise GleichplanError(
                f'Die VBA-Datei {path} muss mit der Zeile Attribute VB_Name = "{path.stem}" beginnen.'
            )
        modules[path.stem] = text
    if "xlwings" in modules:
        raise GleichplanError("Ein eigenes VBA-Modul darf nicht „xlwings“ heißen.")
    if set(modules) & set(XLWINGS_CLASS_MODULES):
        raise GleichplanError("Ein eigenes VBA-Modul darf nicht wie eine Klasse von xlwings heißen.")
    modules["xlwings"] = xlwings_vba_source()
    for name in XLWINGS_CLASS_MODULES:
        modules[name] = xlwings_class_source(name)
    return modules


def check_generated_modules() -> None:
    """Refuse to build from generated modules that no longer match ``excel/udfs.py``."""
    from . import udf_vba

    stale = udf_vba.stale_files(macros_dir())
    if stale:
        names = ", ".join(path.name for path in stale)
        raise GleichplanError(
            f"Die erzeugten VBA-Module ({names}) passen nicht mehr zu den Tabellenfunktionen in "
            f"xl_gleichplan/excel/udfs.py. Bitte mit „{udf_vba.REGENERATE}“ neu erzeugen und "
            "danach das Add-in neu bauen."
        )


# ---------------------------------------------------------------------------- vbaProject.bin

# The container our modules are injected into: xlwings' quickstart add-in, saved by Excel (BSD).
BASE_ADDIN = "quickstart_addin_ribbon.xlam"
# Modules of the base that are replaced (xlwings' own, from the installed version) or dropped.
_BASE_DROPPED = ("RibbonMyAddin",)
# The base's sheet module; the workbook part below ties its sheet to it by codeName.
BASE_SHEET_MODULE = "Sheet2"
# _VBA_PROJECT without a performance cache, version 0xFFFF, as xlwings ships it: Excel finds no
# compiled code for its own version and compiles from the source ([MS-OVBA] 2.3.4.1).
VBA_PROJECT_STREAM = bytes.fromhex("cc61ffff000100")
_BASE_PROJECT = "MyAddin"
VBA_PROJECT_NAME = "Gleichstellungsplan"
# The project keeps the base's ID: its CMG, DPB and GC values are encrypted with a key derived
# from the ID ([MS-OVBA] 2.4.3.2), so a new ID would need all three re-encrypted.


def base_addin() -> Path:
    return _xlwings_dir() / BASE_ADDIN


def _vba_project_bin(modules: dict[str, str]) -> bytes:
    """vbaProject.bin: our modules injected into the project Excel wrote for xlwings' quickstart
    add-in (pyOpenVBA), so PROJECTwm, VersionCompatible32, [Workspace], the references and every
    dir record are Excel's own; xlwings' module and class come from the installed xlwings."""
    from pyopenvba import ExcelFile
    from pyopenvba import vba as vba_codec
    from pyopenvba.cfb import CFB

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "base.xlam"
        shutil.copyfile(base_addin(), work)
        with ExcelFile(work) as book:
            project = book.vba_project()
            expected = {"ThisWorkbook", BASE_SHEET_MODULE, "xlwings", *XLWINGS_CLASS_MODULES, *_BASE_DROPPED}
            if set(book.module_names()) != expected:
                raise GleichplanError(f"Das Add-in {BASE_ADDIN} von xlwings hat nicht die erwarteten Module; "
                                      "diese xlwings-Version wird vom Add-in-Bau nicht unterstützt.")
            for name in _BASE_DROPPED:
                project.delete_module(name)
            for name, text in modules.items():
                if name in expected:
                    book.set_module(name, text)
                else:
                    project.add_module(name, text)
            book.save()
        with zipfile.ZipFile(work) as archive:
            cfb = CFB.from_bytes(archive.read("xl/vbaProject.bin"))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_STREAM)
    dir_stream = vba_codec.decompress(cfb.get_stream_in_storage("VBA", "dir"))
    # pyOpenVBA 6.5.0 ends the dir stream with the terminator (id 0x0010, size 0) and 4 zero bytes
    # more; [MS-OVBA] 2.3.4.2 and Excel end it right after the terminator's 6 bytes.
    if dir_stream.endswith(b"\x10\x00" + bytes(8)):
        dir_stream = dir_stream[:-4]
    # The project is named ours, not the base's (PROJECTNAME record; Name= in the PROJECT stream).
    base_name = b"\x04\x00" + struct.pack("<I", len(_BASE_PROJECT)) + _BASE_PROJECT.encode("ascii")
    if dir_stream.count(base_name) != 1:
        raise GleichplanError(f"Das VBA-Projekt von {BASE_ADDIN} hat nicht den erwarteten Namen; diese "
                              "xlwings-Version wird vom Add-in-Bau nicht unterstützt.")
    dir_stream = dir_stream.replace(
        base_name, b"\x04\x00" + struct.pack("<I", len(VBA_PROJECT_NAME)) + VBA_PROJECT_NAME.encode("ascii"))
    cfb.write_stream_in_storage("VBA", "dir", vba_codec.compress(dir_stream))
    # pyOpenVBA appends [Workspace] entries after the base's closing blank line; Excel writes none
    # inside the section.
    text = cfb.get_stream("PROJECT").decode("cp1252")
    text = text.replace(f'\r\nName="{_BASE_PROJECT}"\r\n', f'\r\nName="{VBA_PROJECT_NAME}"\r\n')
    head, _, workspace = text.partition("[Workspace]\r\n")
    entries = [line for line in workspace.split("\r\n") if line]
    cfb.write_stream("PROJECT", (head + "[Workspace]\r\n" + "".join(f"{e}\r\n" for e in entries)
                                 + "\r\n").encode("cp1252"))
    return cfb.to_bytes()


# ---------------------------------------------------------------------------- OOXML package

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def _content_types(main_type: str) -> str:
    return _XML_HEAD + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    )


_ROOT_RELS = _XML_HEAD + (
    f'<Relationships xmlns="{_NS_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_NS_R}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{CUSTOMUI14_REL}" Target="customUI/customUI14.xml"/>'
    "</Relationships>"
)

# codeName ties the workbook and the sheet to the base project's ThisWorkbook/Sheet2 document modules.
_WORKBOOK = _XML_HEAD + (
    f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_R}">'
    '<workbookPr codeName="ThisWorkbook"/>'
    '<bookViews><workbookView/></bookViews>'
    '<sheets><sheet name="Gleichstellungsplan" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)

_WORKBOOK_RELS = _XML_HEAD + (
    f'<Relationships xmlns="{_NS_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_NS_R}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_NS_R}/styles" Target="styles.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
    'Target="vbaProject.bin"/>'
    "</Relationships>"
)

_SHEET = _XML_HEAD + f'<worksheet xmlns="{_NS_MAIN}"><sheetPr codeName="{BASE_SHEET_MODULE}"/><sheetData/></worksheet>'

_STYLES = _XML_HEAD + (
    f'<styleSheet xmlns="{_NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _package_parts(main_type: str, vba_bin: bytes, custom_ui: bytes) -> list[tuple[str, bytes]]:
    # [Content_Types].xml first, as Office writes it; the order is fixed for repeatable builds.
    return [
        ("[Content_Types].xml", _content_types(main_type).encode()),
        ("_rels/.rels", _ROOT_RELS.encode()),
        ("customUI/customUI14.xml", custom_ui),
        ("xl/workbook.xml", _WORKBOOK.encode()),
        ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.encode()),
        ("xl/worksheets/sheet1.xml", _SHEET.encode()),
        ("xl/styles.xml", _STYLES.encode()),
        ("xl/vbaProject.bin", vba_bin),
    ]


def _write_zip(path: Path, parts: list[tuple[str, bytes]]) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write next to the target and replace it in one step: a failed build leaves the old file.
        fd, tmp_name = tempfile.mkstemp(prefix=".~", suffix=path.suffix, dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
                for name, data in parts:
                    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.create_system = 0  # default differs by OS (0 Windows, 3 Unix)
                    info.external_attr = 0
                    archive.writestr(info, data, compresslevel=6)
            os.chmod(tmp_name, 0o644)  # mkstemp creates 0600; the add-in is an ordinary file
            os.replace(tmp_name, path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
    except PermissionError:
        raise OutputError(
            f"Die Datei {path} kann nicht geschrieben werden (keine Berechtigung oder in Excel "
            "geöffnet). Bitte Excel beenden und erneut versuchen."
        ) from None
    except OSError as exc:
        raise OutputError(f"Die Datei {path} kann nicht geschrieben werden: {reason(exc)}.") from None


def build_addin(out_path: str | os.PathLike, *, xlsm_twin: str | os.PathLike | None = None) -> Path:
    """Write the add-in to ``out_path``; optionally an .xlsm twin with the same parts.

    The twin differs only in the workbook content type: LibreOffice refuses add-in packages,
    but imports the VBA of a macro-enabled workbook, which makes it a test engine for the VBA."""
    custom_ui = (macros_dir() / "customUI.xml").read_bytes()
    try:
        ElementTree.fromstring(custom_ui)
    except ElementTree.ParseError as exc:
        raise GleichplanError(f"macros/customUI.xml ist kein gültiges XML: {exc}") from None
    check_generated_modules()
    vba_bin = _vba_project_bin(vba_modules())
    out = Path(out_path)
    _write_zip(out, _package_parts(ADDIN_CONTENT_TYPE, vba_bin, custom_ui))
    if xlsm_twin is not None:
        _write_zip(Path(xlsm_twin), _package_parts(XLSM_CONTENT_TYPE, vba_bin, custom_ui))
    return out


# ---------------------------------------------------------------------------- install

def packaged_addin() -> Path:
    """The add-in built from ``macros/`` and shipped inside the package (a test keeps it fresh)."""
    path = Path(str(resources.files("xl_gleichplan.excel") / ADDIN_NAME))
    if not path.is_file():
        raise GleichplanError("Das Excel-Add-in fehlt in dieser Installation von xl_gleichplan; bitte neu installieren.")
    return path


def _platform() -> str:
    # One place to read the OS, so tests can pretend to be Windows or macOS.
    return sys.platform


def _kind(platform: str) -> str | None:
    if platform.startswith("win"):
        return "win"
    if platform == "darwin":
        return "mac"
    return None


def xlstart_dir(platform: str | None = None) -> Path | None:
    """Excel's per-user startup folder; None where Excel does not run.

    `xlwings addin install` asks a running Excel for Application.StartupPath; these are the
    default values of that property, so no Excel has to be started here. The Mac's folder stays:
    ``status`` and ``remove`` find an add-in installed there before the Mac was refused."""
    kind = _kind(platform or _platform())
    if kind == "win":
        appdata = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"
    if kind == "mac":
        return (Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office"
                / "User Content.localized" / "Startup.localized" / "Excel")
    return None


def user_config_file(platform: str | None = None) -> Path | None:
    """The per-user settings file the add-in reads when no machine-wide key exists (its
    GetConfigFilePath with PROJECT_NAME "xl-gleichplan"). A workbook cannot reach it; anything
    running as the user can, just as it can replace the add-in in the user's XLSTART. Windows only:
    on macOS the add-in runs nothing."""
    if _kind(platform or _platform()) == "win":
        profile = os.environ.get("USERPROFILE") or str(Path.home())
        return Path(profile) / f".{CONFIG_NAME}" / f"{CONFIG_NAME}.conf"
    return None


def machine_config() -> dict[str, str]:
    """The values under HKLM\\SOFTWARE\\xl-gleichplan that IT wrote (Windows; empty elsewhere).

    While INTERPRETER_WIN is set there, the add-in reads nothing else (runner_vba.GetConfig).
    32-bit Office reads the 32-bit view of the registry: both views are read here."""
    try:
        import winreg
    except ImportError:
        return {}
    key_path = runner_vba.MACHINE_KEY.split("\\", 1)[1]
    values: dict[str, str] = {}
    for view in (winreg.KEY_WOW64_64KEY, winreg.KEY_WOW64_32KEY):
        try:
            with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key_path, 0, winreg.KEY_READ | view) as key:
                for name in runner_vba.CONFIG_KEYS:
                    with contextlib.suppress(OSError):
                        values.setdefault(name, str(winreg.QueryValueEx(key, name)[0]))
        except OSError:
            continue
    return values


def _read_config(path: Path) -> list[tuple[str, str, str]]:
    """(KEY in upper case, value, original line) per line, parsed like xlwings.utils.read_user_config."""
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding=locale.getpreferredencoding(False)).splitlines():
        values = re.findall(r'"([^"]*)"', line)
        key = values[0].upper() if values else ""
        entries.append((key, values[1] if len(values) > 1 else "", line))
    return entries


def _write_interpreter(path: Path, key: str, value: str) -> str | None:
    """Set one key and keep every other line (licence key, other settings); returns the old value."""
    entries = _read_config(path)
    old = next((v for k, v, _ in entries if k == key), None)
    lines = [line for k, _, line in entries if k != key] + [f'"{key}","{value}"']
    path.parent.mkdir(parents=True, exist_ok=True)
    # xlwings writes this file in the locale encoding, which is what VBA's Input # reads.
    path.write_text("\n".join(lines) + "\n", encoding=locale.getpreferredencoding(False))
    return old


def _target(target_dir, dry_run: bool) -> Path | None:
    if target_dir is not None:
        return Path(target_dir)
    folder = xlstart_dir()
    if folder is None and not dry_run:
        raise GleichplanError(_LINUX_MESSAGE)
    return folder


def _plan_elsewhere(verb: str, config: bool = False) -> list[str]:
    lines = [
        "Excel läuft nur unter Windows und macOS; auf diesem System gibt es keinen XLSTART-Ordner.",
        f"Unter Windows würde das Add-in {verb}: "
        rf"%APPDATA%\Microsoft\Excel\XLSTART\{ADDIN_NAME}",
        "Unter macOS läuft das Add-in nicht (aus Sicherheitsgründen, docs/excel-addin.md).",
    ]
    if config:
        lines.append(
            "Dazu würde der Python-Pfad in die Einstellungen des Add-ins eingetragen "
            rf"(%USERPROFILE%\.{CONFIG_NAME}\{CONFIG_NAME}.conf)."
        )
    return lines + ["Mit --ziel ORDNER kann das Add-in in einen beliebigen Ordner geschrieben werden."]


def install(dry_run: bool = False, target_dir=None) -> list[str]:
    """Copy the add-in shipped in the package into Excel's XLSTART folder (or ``target_dir``) and
    point xlwings at this Python; German report lines. No build tools are needed on the desktop."""
    platform = _platform()
    if _kind(platform) == "mac":
        raise GleichplanError(MAC_MESSAGE)
    folder = _target(target_dir, dry_run)
    if folder is None:
        return _plan_elsewhere("hierhin kopiert", config=True)
    dest = folder / ADDIN_NAME
    if dry_run:
        lines = [f"Würde das Add-in ablegen: {dest}"]
    else:
        with atomic_path(dest) as tmp:
            shutil.copyfile(packaged_addin(), tmp)
        lines = [f"Add-in installiert: {dest}"]
    config = user_config_file(platform)
    if config is not None:
        key = runner_vba.INTERPRETER_KEY
        if dry_run:
            lines.append(f"Würde in {config} eintragen: {key} = {sys.executable}")
        else:
            try:
                old = _write_interpreter(config, key, sys.executable)
            except OSError as exc:
                raise OutputError(f"Die Einstellungen des Add-ins ({config}) können nicht geschrieben werden: "
                                  f"{reason(exc)}.") from None
            if old and old != sys.executable:
                lines.append(f"Einstellungen des Add-ins {config}: {key} von {old} auf {sys.executable} geändert.")
            else:
                lines.append(f"Einstellungen des Add-ins {config}: {key} = {sys.executable}")
        if machine_config():
            lines.append(f"Hinweis: IT hat unter {runner_vba.MACHINE_KEY} eine maschinenweite "
                         "Einstellung gesetzt; das Add-in liest dann nur diese, nicht die Datei des Benutzers.")
    else:
        lines.append("Keine Einstellungen: Excel läuft nicht auf diesem System.")
    if not dry_run and _kind(platform):
        lines.append("Bitte Excel neu starten, damit das Menüband „Gleichstellungsplan“ erscheint.")
    return lines


def remove(dry_run: bool = False, target_dir=None) -> list[str]:
    """Delete the installed add-in; the shared xlwings configuration stays."""
    folder = _target(target_dir, dry_run)
    if folder is None:
        return _plan_elsewhere("hier gelöscht")
    dest = folder / ADDIN_NAME
    if not dest.exists():
        return [f"Kein Add-in gefunden unter {dest}; nichts zu entfernen."]
    if dry_run:
        return [f"Würde das Add-in löschen: {dest}"]
    try:
        dest.unlink()
    except PermissionError:
        raise OutputError(
            f"Das Add-in {dest} kann nicht gelöscht werden, solange Excel es geöffnet hat. "
            "Bitte Excel beenden und erneut versuchen."
        ) from None
    return [f"Add-in entfernt: {dest}"]


def machine_xlstart() -> Path | None:
    """Excel's XLSTART for all users (beside EXCEL.EXE, found in the registry); None elsewhere."""
    try:
        import winreg
    except ImportError:
        return None
    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE,
                            r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe") as key:
            return Path(winreg.QueryValueEx(key, "")[0]).parent / "XLSTART"
    except OSError:
        return None


def status(target_dir=None) -> list[str]:
    """Where the add-in is (the user's or the machine's XLSTART), whether it is current, and which
    Python Excel will start."""
    folders = [Path(target_dir)] if target_dir is not None else [xlstart_dir(), machine_xlstart()]
    folders = [folder for folder in folders if folder is not None]
    if not folders:
        return _plan_elsewhere("liegen")
    found = [folder / ADDIN_NAME for folder in folders if (folder / ADDIN_NAME).is_file()]
    lines = [] if found else [f"Add-in nicht installiert (erwartet unter {folders[0] / ADDIN_NAME})."]
    for dest in found:
        current = dest.read_bytes() == packaged_addin().read_bytes()
        lines += [f"Add-in installiert: {dest}",
                  "Es entspricht dem aktuellen Stand." if current else
                  "Es weicht vom aktuellen Stand ab (z. B. nach einem Update); bitte neu installieren."]
    return lines + interpreter_status()


def interpreter_status() -> list[str]:
    """Which Python Excel will start, and from which setting: what the add-in's GetConfig reads."""
    platform = _platform()
    if _kind(platform) == "mac":
        return [MAC_MESSAGE]
    config = user_config_file(platform)
    if config is None:
        return []
    key = runner_vba.INTERPRETER_KEY
    machine = machine_config()
    if machine.get(key):
        source, values = f"maschinenweite Einstellung {runner_vba.MACHINE_KEY}", machine
    else:
        source, values = f"Einstellungen des Benutzers {config}", {k: v for k, v, _ in _read_config(config)}
    value = values.get(key)
    if not value:
        return [f"Kein Python eingerichtet ({key} fehlt in: {source}); die Schaltflächen melden das. "
                "Bitte das Add-in installieren (xl-gleichplan addin install) oder die IT fragen."]
    if not runner_vba.is_full_python_path(value):
        return [f"Achtung: {key} = {value} ist kein vollständiger Pfad zu python.exe oder pythonw.exe "
                rf"(z. B. C:\Program Files\xl-gleichplan\venv\Scripts\python.exe); das Add-in startet es "
                f"nicht (eingestellt in: {source}). Bitte das Add-in neu installieren (xl-gleichplan addin install)."]
    lines = [f"Excel startet: {value} -I (isoliert), eingestellt in: {source}"]
    if not Path(value).is_file():
        lines.append(f"Achtung: {value} gibt es nicht; die Schaltflächen werden das melden.")
    elif value != sys.executable:
        lines.append(f"(Dieser Befehl läuft mit einem anderen Python: {sys.executable})")
    extra = {k: v for k, v in values.items() if k in runner_vba.CONFIG_KEYS and k != key}
    lines += [f"  {k} = {v}" for k, v in sorted(extra.items())]
    return lines


# ---------------------------------------------------------------------------- CLI

def cmd_addin(args) -> int:
    """``xl-gleichplan addin build|install|status|remove|bundle``; prints German lines, returns the exit code."""
    action = getattr(args, "action", None)
    dry_run = bool(getattr(args, "dry_run", False))
    target = getattr(args, "target", None)
    try:
        if action == "build":
            out = Path(getattr(args, "out", None) or Path.cwd() / ADDIN_NAME)
            lines = ([f"Würde das Add-in erstellen: {out}"] if dry_run
                     else [f"Add-in erstellt: {build_addin(out)}"])
        elif action == "install":
            lines = install(dry_run=dry_run, target_dir=target)
        elif action == "status":
            lines = status(target_dir=target)
        elif action == "remove":
            lines = remove(dry_run=dry_run, target_dir=target)
        elif action == "bundle":
            from .bundle import PYTHON_VERSION, build_bundle

            out = getattr(args, "out", None)
            if not out:
                print("Für „addin bundle“ bitte mit --out ORDNER den (neuen) Zielordner angeben.", file=sys.stderr)
                return 2
            version = getattr(args, "python_version", None) or PYTHON_VERSION
            lines = ([f"Würde das Installationspaket für Windows x64 und Python {version} erstellen: {out}"]
                     if dry_run else build_bundle(out, python_version=version,
                                                  find_links=getattr(args, "wheelhouse", None)))
        else:
            print(f"Unbekannte Aktion „{action}“; erlaubt sind build, install, status, remove, bundle.",
                  file=sys.stderr)
            return 2
    except GleichplanError as exc:
        print(f"Fehler: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0
