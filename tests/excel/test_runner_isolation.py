"""A returned workbook must not choose what runs: the built add-in's VBA (read back with olevba)
takes no setting from a workbook, and the Python it starts imports nothing from a hostile folder
beside the workbook. The command lines are evaluated from the built VBA itself, so a change to the
VBA is what these tests see (xlwings' unchanged module fails them: the workbook folder's fake
``xl_gleichplan`` is imported)."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

import xl_gleichplan
from xl_gleichplan.excel import addin, origin, runner_vba

MARKER = "GEKAPERT-"


@pytest.fixture(scope="module")
def vba(tmp_path_factory) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    path = addin.build_addin(tmp_path_factory.mktemp("addin") / addin.ADDIN_NAME)
    parser = VBA_Parser(str(path))
    try:
        return {stream.rsplit("/", 1)[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def _procedures(source: str) -> dict[str, str]:
    parts = re.split(r"\r\n(?=(?:Private |Public )?(?:Sub|Function) )", source)
    return {re.match(r"(?:Private |Public )?(?:Sub|Function) (\w+)", p).group(1): p
            for p in parts if re.match(r"(?:Private |Public )?(?:Sub|Function) ", p)}


# ---------------------------------------------------------------------------- the VBA, read back

def test_no_setting_is_read_from_a_workbook(vba):
    module = vba["xlwings"]
    for gone in ("GetConfigFromSheet", "GetDirectoryConfigFilePath", "GetDirectoryPath", "GetUdfModules",
                 "prepare_sys_path(", "ADD_WORKBOOK_TO_PYTHONPATH", 'Right$(sht.Name, 3) = ".py"',
                 "ImportPythonUDFs", "VBProject"):
        assert gone not in module, gone
    procedures = _procedures(module)
    # GetConfig: a fixed list of keys, from HKLM or the user's file, nothing from a workbook
    get_config = procedures["GetConfig"]
    keys = re.search(r"Case (\"[^\r\n]+)", get_config).group(1)
    assert re.findall(r'"([^"]+)"', keys) == list(runner_vba.CONFIG_KEYS)
    for name in ("GetConfig", "MachineConfig", "GetConfigFilePath", "GetConfigFromFile"):
        assert not re.search(r"ActiveWorkbook|ThisWorkbook|\.Path\b|Sheets|Worksheets", procedures[name]), name
    assert 'WScript.RegRead("HKLM\\SOFTWARE\\xl-gleichplan\\" & configKey)' in procedures["MachineConfig"]
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME' in procedures["GetConfigFilePath"]
    # the active workbook is still named to Python (which workbook to act on), never read for settings
    users = {name for name, text in procedures.items() if "ActiveWorkbook" in text}
    assert users <= {"RunPython", "ExecuteMac", "ExecuteWindows", "XLPyCommand", "ShowError",
                     "ToPosixPath"}  # (in a comment)


def test_python_starts_isolated_from_a_full_path(vba):
    procedures = _procedures(vba["xlwings"])
    assert '" -I -B -c """ & PythonCommand' in procedures["ExecuteWindows"]
    assert "\" -I -B -c \"\"import xlwings; xlwings.serve('$(CLSID)')\"\" --from_xl=1\"" in procedures["XLPyCommand"]
    assert '+ PythonInterpreter + " -I"' in procedures["ExecuteMac"]
    # no interpreter from PATH, no cmd.exe from the current folder (Excel's: the last workbook's)
    module = vba["xlwings"]
    assert 'GetConfig("INTERPRETER"' not in module
    assert not re.search(r'(?<!\\System32\\)cmd\.exe [/"]', module.replace('"cmd.exe but', ""))
    assert module.count('Environ("SystemRoot") & "\\System32\\cmd.exe ') == 3
    # the DLL is loaded only from the configured interpreter's folder
    assert 'GetConfig("INTERPRETER_WIN", "")' in procedures["XLPyLoadDLL"]


def test_ribbon_sub_differs_from_its_module(vba):
    assert "Sub OnButton(control As IRibbonControl)" in vba["GleichplanRibbon"]
    assert "Sub GleichplanRibbon" not in vba["GleichplanRibbon"]


# ---------------------------------------------------------------------------- a hostile folder

def _vba_string(expression: str, values: dict[str, str]) -> str:
    """Evaluate a VBA string expression of literals, variables, Chr(34) and `&`."""
    out = []
    for literal, chr_, name in re.findall(r'"((?:[^"]|"")*)"|(Chr\(34\))|(\w+)', expression):
        out.append(literal.replace('""', '"') if not (chr_ or name) else '"' if chr_ else values[name])
    return "".join(out)


def _assignment(procedure: str, variable: str) -> str:
    return re.search(rf"^\s*{variable} = (.+)$", procedure, re.MULTILINE).group(1)


@pytest.fixture(scope="module")
def interpreter(tmp_path_factory) -> Path:
    """An installation as the add-in sees one: a venv whose site-packages name this source tree and
    the test environment's packages (like an editable install)."""
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    site = next(root.glob("lib/python3*/site-packages"))
    source = Path(xl_gleichplan.__file__).resolve().parents[1]
    deps = next(p for p in sys.path if p.endswith("site-packages") and Path(p, "xlwings").is_dir())
    (site / "dev.pth").write_text(f"{source}\n{deps}\n")
    return root / "bin" / "python"


@pytest.fixture
def hostile(tmp_path) -> Path:
    """A returned workbook and, beside it, everything that could make Python run its code."""
    folder = tmp_path / "Rueckgabe Landratsamt"
    folder.mkdir()
    (folder / "Rueckgabe.xlsx").write_bytes(b"PK")

    def module(rel: str, name: str) -> str:
        return f"open({str(folder / (MARKER + name))!r}, 'w').close()\n"

    for rel in ("xl_gleichplan/__init__.py", "xl_gleichplan/excel/__init__.py", "xl_gleichplan/excel/actions.py",
                "xl_gleichplan/excel/udfs.py", "xlwings/__init__.py", "docx/__init__.py", "sitecustomize.py",
                "usercustomize.py", "startup.py"):
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module(rel, rel.replace("/", ".")))
    with zipfile.ZipFile(folder / "Rueckgabe.zip", "w") as archive:
        archive.writestr("xl_gleichplan/__init__.py", module("", "zip"))
    (folder / "xlwings.conf").write_text(f'"INTERPRETER_WIN","{folder}/python"\n"PYTHONPATH","{folder}"\n')
    return folder


def _run(args: list[str], folder: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(PYTHONPATH=str(folder), PYTHONSTARTUP=str(folder / "startup.py"), PYTHONUSERBASE=str(folder),
               XL_GLEICHPLAN_LOG_DIR=str(folder.parent / "log"))
    return subprocess.run(args, cwd=folder, env=env, capture_output=True, text=True, timeout=120)


def _taken(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(MARKER))


def test_button_imports_nothing_from_the_workbooks_folder(vba, interpreter, hostile):
    procedures = _procedures(vba["xlwings"])
    workbook = hostile / "Rueckgabe.xlsx"
    ribbon = _vba_string(re.search(r"RunPython (.+)", vba["GleichplanRibbon"]).group(1).replace(
        "control.Tag", "Tag"), {"Tag": "hilfe"})
    command = _vba_string(_assignment(procedures["ExecuteWindows"], "RunCommand"), {
        "CondaCmd": "", "PythonInterpreter": shlex.quote(str(interpreter)), "PythonCommand": ribbon,
        # what xlwings' unchanged RunPython passes: ADD_WORKBOOK_TO_PYTHONPATH defaults to true
        "PYTHONPATH": f"true;{workbook};{hostile / addin.ADDIN_NAME};;;;{hostile}"})
    result = _run(shlex.split(command) + [f"--wb={workbook.name}", "--from_xl=1"], hostile)
    assert _taken(hostile) == []
    # the real run_button ran: it found no Excel to take the workbook from (this is Linux)
    assert "ist für Python nicht erreichbar" in result.stderr, result.stderr[-2000:]


def test_udf_server_imports_nothing_from_the_workbooks_folder(vba, interpreter, hostile):
    tail = _vba_string(_assignment(_procedures(vba["xlwings"])["XLPyCommand"], "tail"), {
        "LicenseKeyEnvString": "", "PYTHONPATH": f"true;{hostile / 'Rueckgabe.xlsx'};;;;;{hostile}"})
    args = shlex.split(tail)
    code = args.index("-c") + 1
    # Everything the server runs before serve(), then what CallUDF imports (serve needs Windows COM).
    args[code] = args[code].replace("xlwings.serve('$(CLSID)')",
                                    "import xl_gleichplan.excel.udfs as u; print(u.GP_ZIELE_HAELFTE(7))")
    result = _run([str(interpreter)] + args, hostile)
    assert _taken(hostile) == []
    assert result.returncode == 0 and result.stdout.strip() == "4", result.stderr[-2000:]


def test_action_module_refuses_a_start_that_is_not_isolated(interpreter, hostile):
    # An older or altered add-in starts Python without -I: PYTHONPATH (here the workbook's folder,
    # which has no fake xl_gleichplan this time) reaches sys.path. The real module refuses before it
    # imports anything that could come from there (docx, lazily, for the plan draft).
    for fake in ("xl_gleichplan", "xlwings"):
        for path in sorted((hostile / fake).rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        (hostile / fake).rmdir()
    (hostile / "sitecustomize.py").unlink()
    result = _run([str(interpreter), "-c", "import xl_gleichplan.excel.actions; import docx", "--from_xl=1"], hostile)
    assert result.returncode == 1
    assert "Aus Sicherheitsgründen wird nichts ausgeführt" in result.stderr
    assert "Schalter -I fehlt" in result.stderr and str(hostile) in result.stderr
    assert _taken(hostile) == []
    # the command line and tests (no --from_xl=1) are not affected
    assert _run([str(interpreter), "-I", "-c", "import xl_gleichplan.excel.actions"], hostile).returncode == 0


def test_origin_problems():
    assert origin.problems(path=[p for p in sys.path if p], isolated=True) == []  # ("" under python -c)
    assert origin.problems(path=sys.path, isolated=False) == ["Python wurde nicht isoliert gestartet (Schalter -I fehlt)"]
    assert origin.problems(path=[""], isolated=True) == ["der aktuelle Ordner steht im Suchpfad"]
    found = origin.problems(path=["/srv/rueckgabe"], isolated=True)
    assert found == ["der Suchpfad enthält einen Ordner außerhalb der Installation: /srv/rueckgabe"]
    origin.check(argv=["-c"])  # not started from Excel: nothing checked


# ---------------------------------------------------------------------------- what Excel will use

def test_status_names_the_setting_excel_reads(monkeypatch, tmp_path):
    monkeypatch.setattr(addin, "_platform", lambda: "win32")
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setattr(addin, "machine_config", lambda: {})
    assert "Kein Python eingerichtet (INTERPRETER_WIN fehlt" in addin.interpreter_status()[0]
    config = tmp_path / ".xl-gleichplan" / "xl-gleichplan.conf"
    config.parent.mkdir()
    config.write_text(f'"INTERPRETER_WIN","{sys.executable}"\n"PYTHONPATH","C:\\\\fremd"\n')
    lines = addin.interpreter_status()
    assert lines[0] == f"Excel startet: {sys.executable} -I (isoliert), eingestellt in: Einstellungen des Benutzers {config}"
    assert not any("PYTHONPATH" in line for line in lines)  # not a key the add-in reads
    # IT's machine-wide key wins, and then the user's file is not read at all
    machine = {"INTERPRETER_WIN": r"C:\Program Files\xl-gleichplan\venv\Scripts\python.exe", "USE UDF SERVER": "True"}
    monkeypatch.setattr(addin, "machine_config", lambda: machine)
    lines = addin.interpreter_status()
    assert lines[0].startswith(r"Excel startet: C:\Program Files\xl-gleichplan\venv\Scripts\python.exe -I (isoliert), "
                               r"eingestellt in: maschinenweite Einstellung HKLM\SOFTWARE\xl-gleichplan")
    assert "gibt es nicht" in lines[1] and "  USE UDF SERVER = True" in lines
