"""The Excel add-in file: reproducible build, VBA decodable by olevba and LibreOffice, valid ribbon,
install/status/remove. Excel itself is not available here; these are the checks that can run."""
from __future__ import annotations

import argparse
import difflib
import io
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from xl_gleichplan.errors import GleichplanError
from xl_gleichplan.excel import addin

HERE = Path(__file__).parent
CUI_NS = "{http://schemas.microsoft.com/office/2009/07/customui}"

BUTTONS = {
    "neue_erhebung": "Neue Erhebung",
    "personaldaten_importieren": "Personaldaten importieren",
    "pruefen": "Prüfen",
    "berechnen": "Berechnen",
    "ziele_vorschlagen": "Zielvorgaben vorschlagen",
    "fristen": "Fristen",
    "planentwurf": "Planentwurf erstellen",
    "hilfe": "Hilfe / Info",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """One add-in plus its .xlsm twin, shared by the tests (a build takes a few seconds)."""
    folder = tmp_path_factory.mktemp("build")
    xlam = addin.build_addin(folder / addin.ADDIN_NAME, xlsm_twin=folder / "gleichplan.xlsm")
    return xlam, folder / "gleichplan.xlsm"


@pytest.fixture
def linux(monkeypatch):
    monkeypatch.setattr(addin, "_platform", lambda: "linux")


def _custom_ui() -> etree._ElementTree:
    return etree.parse(str(addin.macros_dir() / "customUI.xml"))


# ---------------------------------------------------------------------------- package

def test_two_builds_are_byte_identical(built, tmp_path, capsys):
    # The second build goes through the CLI entry point, so that path is covered too.
    args = argparse.Namespace(action="build", out=str(tmp_path / "again.xlam"), dry_run=False, target=None)
    assert addin.cmd_addin(args) == 0
    assert "Add-in erstellt" in capsys.readouterr().out
    assert (tmp_path / "again.xlam").read_bytes() == built[0].read_bytes()


def test_package_parts(built):
    xlam, xlsm = built
    with zipfile.ZipFile(xlam) as archive:
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"
        assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
        types = archive.read("[Content_Types].xml").decode()
        assert 'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.addin.macroEnabled.main+xml"' in types
        rels = etree.fromstring(archive.read("_rels/.rels"))
        targets = {r.get("Type"): r.get("Target") for r in rels}
        assert targets["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"] == "customUI/customUI14.xml"
        assert archive.read("customUI/customUI14.xml") == (addin.macros_dir() / "customUI.xml").read_bytes()
        assert b"vbaProject.bin" in archive.read("xl/_rels/workbook.xml.rels")
        xlam_parts = {name: archive.read(name) for name in names}
    # The twin carries the same parts; only the workbook content type differs.
    with zipfile.ZipFile(xlsm) as archive:
        twin_parts = {name: archive.read(name) for name in archive.namelist()}
    assert twin_parts.keys() == xlam_parts.keys()
    assert [n for n in xlam_parts if xlam_parts[n] != twin_parts[n]] == ["[Content_Types].xml"]
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in twin_parts["[Content_Types].xml"]


def test_xlwings_module_is_the_installed_addin_variant():
    # Apart from the hardening (tests/excel/test_runner_isolation.py), every line of the installed
    # xlwings module is kept, in order.
    installed = (addin._xlwings_dir() / "xlwings_custom_addin.bas").read_bytes().decode("ascii").splitlines()
    ours = addin.xlwings_vba_source().split("\r\n")
    matcher = difflib.SequenceMatcher(a=installed, b=ours, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    # the rest: the replaced or removed procedures (runner_vba._REMOVED, among them ExecuteMac,
    # RunFrozenPython and SaveConfigToFile, about a third of the module)
    assert kept > 0.6 * len(installed)
    assert ours[0] == 'Attribute VB_Name = "xlwings"'


def test_own_vba_is_plain_ascii_crlf():
    for path in addin.macros_dir().glob("*.bas"):
        raw = path.read_bytes()
        raw.decode("ascii")
        assert raw.count(b"\n") == raw.count(b"\r\n"), f"{path.name}: not CRLF throughout"


# ---------------------------------------------------------------------------- VBA, decoded

def test_olevba_decodes_every_module_exactly(built):
    from oletools.olevba import VBA_Parser

    # No normalisation at all: olevba returns the source text stored in the module stream, and
    # the build stores each module exactly as Excel does: CRLF line ends, the
    # `Attribute VB_Name` header kept. (This caught a compression bug in ms-ovba that garbled
    # the large xlwings module while the small ones decoded fine.)
    expected = addin.vba_modules()
    for path in built:
        parser = VBA_Parser(str(path))
        try:
            decoded = {stream.rsplit("/", 1)[-1]: code for _, stream, _, code in parser.extract_macros()}
        finally:
            parser.close()
        assert set(decoded) == set(expected) | {"Sheet2", "ThisWorkbook"}
        # our ribbon callback, the generated UDF declarations and their help, xlwings' module
        # and its Dictionary class (needed on macOS)
        assert set(expected) >= {"GleichplanRibbon", "xlwings_udfs", "GleichplanUdfInfo", "xlwings", "Dictionary"}
        for name, source in expected.items():
            assert decoded[name] == source, f"{path.name}: module {name} differs"


def _vba_bin(path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/vbaProject.bin")


def _module_types(vba_bin: bytes) -> dict[str, int]:
    """Module name -> MODULETYPE record id from the dir stream ([MS-OVBA] 2.3.4.2.3.2):
    0x0021 procedural (standard) module, 0x0022 document or class module."""
    import io
    import struct

    import olefile
    from oletools.olevba import decompress_stream

    with olefile.OleFileIO(io.BytesIO(vba_bin)) as ole:
        data = decompress_stream(bytearray(ole.openstream("VBA/dir").read()))
    types, name, i = {}, None, 0
    while i < len(data):
        record_id, size = struct.unpack_from("<HI", data, i)
        i += 6
        if record_id == 0x0009:  # PROJECTVERSION: Size says 4, but 6 bytes follow
            size += 2
        if record_id == 0x0019:
            name = bytes(data[i:i + size]).decode("cp1252")
        elif record_id in (0x0021, 0x0022):
            types[name] = record_id
        i += size
    return types


def _project_modules(vba_bin: bytes) -> list[str]:
    import io

    import olefile

    with olefile.OleFileIO(io.BytesIO(vba_bin)) as ole:
        text = ole.openstream("PROJECT").read().decode("cp1252")
    return [line for line in text.split("\r\n") if line.split("=")[0] in ("Document", "Module", "Class")]


def test_dictionary_is_a_class_module_as_excel_stores_one(built):
    # Reference: xlwings' own xlwings.xlam, saved by Excel, holds the same Dictionary class.
    reference = addin._xlwings_dir() / "addin" / "xlwings.xlam"
    ref_bin, our_bin = _vba_bin(reference), _vba_bin(built[0])
    assert _module_types(ref_bin)["Dictionary"] == 0x0022
    assert "Class=Dictionary" in _project_modules(ref_bin)
    types = _module_types(our_bin)
    assert types == {"Sheet2": 0x22, "ThisWorkbook": 0x22, "GleichplanRibbon": 0x21, "GleichplanUdfInfo": 0x21,
                     "xlwings_udfs": 0x21, "xlwings": 0x21, "Dictionary": 0x22}
    assert _project_modules(our_bin) == [
        "Document=ThisWorkbook/&H00000000", "Class=Dictionary", "Document=Sheet2/&H00000000", "Module=xlwings",
        "Module=GleichplanRibbon", "Module=GleichplanUdfInfo", "Module=xlwings_udfs"]
    # the stored source equals what Excel stored for the class in xlwings.xlam, byte for byte
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(reference))
    try:
        stored = {s.rsplit("/", 1)[-1]: code for _, s, _, code in parser.extract_macros()}["Dictionary"]
    finally:
        parser.close()
    assert addin.xlwings_class_source("Dictionary") == stored


def _soffice() -> str:
    # No skip: LibreOffice is the second, independent reader of the VBA (CI installs it too).
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.fail("LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
    return exe


def test_libreoffice_imports_every_module(built, tmp_path):
    exe = _soffice()
    out = tmp_path / "out"
    # LibreOffice refuses add-in packages, so the .xlsm twin (same vbaProject.bin) is converted.
    # A profile of its own keeps parallel runs and the user's LibreOffice out of each other's way.
    subprocess.run(
        [exe, "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
         "--convert-to", "ods", "--outdir", str(out), str(built[1])],
        check=True, capture_output=True, timeout=300,
    )
    with zipfile.ZipFile(out / "gleichplan.ods") as ods:
        for name, source in addin.vba_modules().items():
            # LibreOffice names the Basic library after the VBA project (the PROJECTNAME record)
            module = etree.fromstring(ods.read(f"Basic/{addin.VBA_PROJECT_NAME}/{name}.xml"))
            # etree unescapes the XML; .text is the Basic source LibreOffice keeps.
            code = module.text
            # Normalised, because LibreOffice rewrites the module on import: it drops the
            # `Attribute VB_...` lines (VBA metadata, not code), puts its own header lines
            # first, uses LF line ends and adds a trailing empty line. All code lines must match.
            # A class module must arrive as a class (LibreOffice reads that from the PROJECT
            # stream and the dir stream's module type).
            if name in addin.XLWINGS_CLASS_MODULES:
                header = ["Rem Attribute VBA_ModuleType=VBAClassModule", "Option VBASupport 1", "Option ClassModule"]
                assert module.get("{http://openoffice.org/2000/script}moduleType") == "class"
            else:
                header = ["Rem Attribute VBA_ModuleType=VBAModule", "Option VBASupport 1"]
                assert module.get("{http://openoffice.org/2000/script}moduleType") == "normal"
            lines = code.split("\n")
            assert lines[:len(header)] == header, name
            got = "\n".join(lines[len(header):]).rstrip("\n")
            # (procedure attributes such as `Attribute Item.VB_UserMemId = 0` are dropped too)
            want = "\n".join(line for line in source.split("\r\n")
                             if not re.match(r"Attribute (\w+\.)?VB_", line)).rstrip("\n")
            assert got == want, f"module {name} differs after LibreOffice import"


# ---------------------------------------------------------------------------- ribbon

def test_custom_ui_validates_against_schema_subset():
    schema = etree.XMLSchema(etree.parse(str(HERE / "customUI14_subset.xsd")))
    document = _custom_ui()
    assert schema.validate(document), schema.error_log


def test_schema_subset_rejects_what_office_rejects():
    # The subset is only useful if it is strict: check a few mistakes Office would refuse.
    schema = etree.XMLSchema(etree.parse(str(HERE / "customUI14_subset.xsd")))
    good = etree.tostring(_custom_ui()).decode()
    for bad in (good.replace('size="large"', 'size="huge"', 1),
                good.replace('id="pruefen"', 'id="neue_erhebung"', 1),      # duplicate id
                good.replace('imageMso="Help"', 'imageMso="Help" onClick="x"', 1),
                good.replace('label="Fristen"', 'label=""', 1)):
        assert not schema.validate(etree.fromstring(bad))


def test_buttons_ids_tags_labels():
    buttons = _custom_ui().getroot().iter(f"{CUI_NS}button")
    found = {b.get("id"): b for b in buttons}
    assert list(found) == list(BUTTONS)
    for button_id, button in found.items():
        assert button.get("tag") == button_id
        assert button.get("label") == BUTTONS[button_id]
        assert button.get("imageMso") and button.get("screentip") and button.get("supertip")
    tab = _custom_ui().getroot().find(f".//{CUI_NS}tab")
    assert (tab.get("id"), tab.get("label")) == ("tabGleichplan", "Gleichstellungsplan")


def test_every_on_action_names_an_existing_ribbon_sub():
    modules = {p.stem: p.read_text(encoding="ascii") for p in addin.macros_dir().glob("*.bas")}
    callbacks = {b.get("onAction") for b in _custom_ui().getroot().iter() if b.get("onAction")}
    assert callbacks
    for callback in callbacks:
        module, _, sub = callback.rpartition(".")
        candidates = [modules[module]] if module else list(modules.values())
        signature = re.compile(rf"^\s*(Public\s+)?Sub\s+{re.escape(sub)}\s*\(\s*control\s+As\s+IRibbonControl\s*\)",
                               re.MULTILINE | re.IGNORECASE)
        assert any(signature.search(text) for text in candidates), callback


# ---------------------------------------------------------------------------- install

def test_install_dry_run_on_linux_prints_planned_paths(linux, capsys):
    args = argparse.Namespace(action="install", out=None, dry_run=True, target=None)
    assert addin.cmd_addin(args) == 0
    out = capsys.readouterr().out
    assert r"%APPDATA%\Microsoft\Excel\XLSTART\gleichplan.xlam" in out
    assert "Unter macOS läuft das Add-in nicht" in out


def test_install_on_linux_without_target_is_refused(linux, capsys):
    with pytest.raises(GleichplanError, match="--dry-run.*--ziel ORDNER"):
        addin.install()
    with pytest.raises(GleichplanError):
        addin.remove()
    args = argparse.Namespace(action="install", out=None, dry_run=False, target=None)
    assert addin.cmd_addin(args) == 1
    assert "Windows und macOS" in capsys.readouterr().err


def test_install_status_remove_in_target_dir(linux, built, tmp_path):
    target = tmp_path / "XLSTART"
    lines = addin.install(target_dir=target)
    dest = target / addin.ADDIN_NAME
    assert dest.read_bytes() == built[0].read_bytes()
    assert any(str(dest) in line for line in lines)
    assert "aktuellen Stand" in " ".join(addin.status(target_dir=target))
    assert addin.remove(dry_run=True, target_dir=target) and dest.exists()
    assert any("entfernt" in line for line in addin.remove(target_dir=target))
    assert not dest.exists()
    assert "nicht installiert" in " ".join(addin.status(target_dir=target))
    assert "nichts zu entfernen" in " ".join(addin.remove(target_dir=target))


def test_install_on_windows_writes_xlstart_and_keeps_other_config(monkeypatch, tmp_path):
    # Pretend to be Windows; install copies the add-in shipped in the package.
    monkeypatch.setattr(addin, "_platform", lambda: "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "profile"))
    config = tmp_path / "profile" / ".xl-gleichplan" / "xl-gleichplan.conf"
    config.parent.mkdir(parents=True)
    config.write_text('"LICENSE_KEY","abc"\n"INTERPRETER_WIN","C:\\old\\python.exe"\n')

    planned = addin.install(dry_run=True)
    assert not (tmp_path / "AppData").exists()
    assert any("XLSTART" in line for line in planned)

    lines = addin.install()
    installed = tmp_path / "AppData" / "Microsoft" / "Excel" / "XLSTART" / addin.ADDIN_NAME
    assert installed.read_bytes() == addin.packaged_addin().read_bytes()
    assert config.read_text().splitlines() == ['"LICENSE_KEY","abc"', f'"INTERPRETER_WIN","{sys.executable}"']
    assert any("C:\\old\\python.exe" in line for line in lines)  # the change is reported


def test_mac_install_is_refused(monkeypatch, tmp_path, capsys):
    # The add-in refuses to run on macOS (xlwings' AppleScript would put the workbook's name into a
    # shell command); installing it there would only install that refusal.
    monkeypatch.setattr(addin, "_platform", lambda: "darwin")
    monkeypatch.setenv("HOME", str(tmp_path))
    for dry_run in (True, False):
        with pytest.raises(GleichplanError, match="läuft unter macOS nicht"):
            addin.install(dry_run=dry_run)
    args = argparse.Namespace(action="install", out=None, dry_run=False, target=None)
    assert addin.cmd_addin(args) == 1
    assert "Shell-Befehl" in capsys.readouterr().err
    assert addin.interpreter_status() == [addin.MAC_MESSAGE]
    assert list(tmp_path.iterdir()) == []


def test_an_addin_installed_on_a_mac_before_the_refusal_can_be_removed(monkeypatch, tmp_path):
    """The one macOS path kept: Excel's startup folder, so that status finds and remove deletes an
    add-in installed there before the Mac was refused (it would keep running xlwings' AppleScript)."""
    monkeypatch.setattr(addin, "_platform", lambda: "darwin")
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    old = (tmp_path / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
           / "Startup.localized" / "Excel" / addin.ADDIN_NAME)
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old add-in")
    lines = addin.status()
    assert f"Add-in installiert: {old}" in lines and lines[-1] == addin.MAC_MESSAGE
    assert addin.remove() == [f"Add-in entfernt: {old}"] and not old.exists()


def test_shipped_addin_matches_a_fresh_build(built):
    """The wheel ships excel/gleichplan.xlam; it must be what macros/ and the installed xlwings
    build today. Regenerate with: xl-gleichplan addin build --out xl_gleichplan/excel/gleichplan.xlam"""
    shipped = addin.packaged_addin().read_bytes()
    assert shipped == built[0].read_bytes()


def _dir_records(vba_bin: bytes) -> list[int]:
    """The record ids of the dir stream, in order ([MS-OVBA] 2.3.4.2)."""
    import io
    import struct

    import olefile
    from oletools.olevba import decompress_stream

    with olefile.OleFileIO(io.BytesIO(vba_bin)) as ole:
        data = decompress_stream(bytearray(ole.openstream("VBA/dir").read()))
    ids, i = [], 0
    while i < len(data):
        record_id, size = struct.unpack_from("<HI", data, i)
        ids.append(record_id)
        i += 6 + size + (2 if record_id == 0x0009 else 0)
    assert i == len(data), "the dir stream ends inside a record"
    return ids


def test_every_stream_and_dir_record_excel_writes_is_present(built):
    """Reference: xlwings' quickstart add-in as Excel saved it (the base of our project)."""
    import io

    import olefile

    reference, ours = _vba_bin(addin.base_addin()), _vba_bin(built[0])
    with olefile.OleFileIO(io.BytesIO(reference)) as ole:
        ref_streams = {"/".join(s) for s in ole.listdir()}
    with olefile.OleFileIO(io.BytesIO(ours)) as ole:
        our_streams = {"/".join(s) for s in ole.listdir()}
        assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
        project = ole.openstream("PROJECT").read().decode("cp1252")
    modules = set(_module_types(ours))
    assert our_streams == {s for s in ref_streams if not s.startswith("VBA/") or s in (
        "VBA/dir", "VBA/_VBA_PROJECT")} | {f"VBA/{m}" for m in modules}
    assert {"PROJECT", "PROJECTwm", "VBA/dir", "VBA/_VBA_PROJECT"} <= our_streams
    for key in ("ID=", "Name=", "HelpContextID=", "VersionCompatible32=", "CMG=", "DPB=", "GC=",
                "[Host Extender Info]", "[Workspace]"):
        assert key in project
    # dir: the project and reference records exactly as Excel wrote them, then per module the
    # same records as Excel writes for a module of its kind
    ref_ids, our_ids = _dir_records(reference), _dir_records(ours)
    assert our_ids[:our_ids.index(0x0019)] == ref_ids[:ref_ids.index(0x0019)]

    def per_module(ids):
        chunks, current = [], None
        for record_id in ids:
            if record_id == 0x0019:
                current = [record_id]
                chunks.append(current)
            elif current is not None:
                current.append(record_id)
        return {tuple(chunk[:-1] if chunk[-1] == 0x0010 else chunk) for chunk in chunks}

    assert per_module(our_ids) == per_module(ref_ids)
    assert our_ids[-1] == ref_ids[-1] == 0x0010


def _decrypt(data: bytes) -> tuple[int, int, bytes]:
    """(Version, ProjKey, Data) of a CMG, DPB or GC value: [MS-OVBA] 2.4.3.3 Decryption."""
    seed, version_enc, proj_key_enc = data[0], data[1], data[2]
    version, proj_key = seed ^ version_enc, seed ^ proj_key_enc
    state = [proj_key, proj_key_enc, version_enc]  # UnencryptedByte1, EncryptedByte1, EncryptedByte2
    pos = 3

    def take(count: int) -> bytes:
        nonlocal pos
        out = bytearray()
        for byte_enc in data[pos:pos + count]:
            byte = byte_enc ^ ((state[2] + state[0]) & 0xFF)
            state[:] = [byte, byte_enc, state[1]]
            out.append(byte)
        assert len(out) == count, "value too short"
        pos += count
        return bytes(out)

    take((seed & 6) // 2)  # IgnoredEnc
    length = struct.unpack("<I", take(4))[0]
    result = take(length)
    assert pos == len(data), "value longer than its DataLength says"
    return version, proj_key, result


@pytest.mark.parametrize("which", ["reference", "built"])
def test_protection_values_are_keyed_to_the_project_id(built, which):
    # [MS-OVBA] 2.4.3.2: the key inside CMG, DPB and GC is the sum of the bytes of the project's ID
    # (mod 256). The reference is the project Excel saved for xlwings' quickstart add-in, which
    # checks this decoder; a changed ID without re-encrypted values does not pass.
    import olefile

    path = addin.base_addin() if which == "reference" else built[0]
    with olefile.OleFileIO(io.BytesIO(_vba_bin(path))) as ole:
        project = ole.openstream("PROJECT").read().decode("cp1252")
    project_id = re.search(r'^ID="(\{[0-9A-F-]+\})"\r$', project, re.M).group(1)
    key = sum(project_id.encode("ascii")) % 256
    for field in ("CMG", "DPB", "GC"):
        value = re.search(rf'^{field}="([0-9A-F]+)"\r$', project, re.M).group(1)
        version, proj_key, _ = _decrypt(bytes.fromhex(value))
        assert (version, proj_key) == (2, key), field
