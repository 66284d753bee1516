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
    # (no INTERPRETER_MAC: the add-in refuses to run on macOS, review of issue 12)
    assert re.findall(r'"([^"]+)"', keys) == ["INTERPRETER_WIN", "USE UDF SERVER", "SHOW CONSOLE"]
    for name in ("GetConfig", "MachineConfig", "GetConfigFilePath", "GetConfigFromFile"):
        assert not re.search(r"ActiveWorkbook|ThisWorkbook|\.Path\b|Sheets|Worksheets", procedures[name]), name
    assert 'WScript.RegRead("HKLM\\SOFTWARE\\xl-gleichplan\\" & configKey)' in procedures["MachineConfig"]
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME' in procedures["GetConfigFilePath"]
    # the active workbook is still named to Python (which workbook to act on), never read for settings
    users = {name for name, text in procedures.items() if "ActiveWorkbook" in text}
    assert users <= {"RunPython", "ExecuteWindows", "XLPyCommand", "ShowError", "ToPosixPath"}  # (in a comment)


def test_python_starts_isolated_from_a_full_path(vba):
    procedures = _procedures(vba["xlwings"])
    assert f'" -I -B -c ""{runner_vba.NO_XLWINGS_PRO}" & PythonCommand' in procedures["ExecuteWindows"]
    assert (f"\" -I -B -c \"\"{runner_vba.NO_XLWINGS_PRO}import xlwings; xlwings.serve('$(CLSID)')\"\" --from_xl=1\""
            in procedures["XLPyCommand"])
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


def _run(args: list[str], folder: Path, extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(extra or {})
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
    result = _run(shlex.split(command) + ["--from_xl=1"], hostile, {runner_vba.WORKBOOK_VARIABLE: workbook.name})
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
    python = r"C:\Users\sb\AppData\Local\Programs\Python\Python311\python.exe"
    config.write_text(f'"INTERPRETER_WIN","{python}"\n"PYTHONPATH","C:\\\\fremd"\n')
    lines = addin.interpreter_status()
    assert lines[0] == f"Excel startet: {python} -I (isoliert), eingestellt in: Einstellungen des Benutzers {config}"
    assert not any("PYTHONPATH" in line for line in lines)  # not a key the add-in reads
    # IT's machine-wide key wins, and then the user's file is not read at all
    machine = {"INTERPRETER_WIN": r"C:\Program Files\xl-gleichplan\venv\Scripts\python.exe", "USE UDF SERVER": "True"}
    monkeypatch.setattr(addin, "machine_config", lambda: machine)
    lines = addin.interpreter_status()
    assert lines[0].startswith(r"Excel startet: C:\Program Files\xl-gleichplan\venv\Scripts\python.exe -I (isoliert), "
                               r"eingestellt in: maschinenweite Einstellung HKLM\SOFTWARE\xl-gleichplan")
    assert "gibt es nicht" in lines[1] and "  USE UDF SERVER = True" in lines


# ---------------------------------------------------------------------------- review of issue 12, round two

def _standard_modules(vba: dict[str, str]) -> set[str]:
    # document and class modules carry VB_Base; their procedures are no worksheet functions
    return {name for name, code in vba.items() if "Attribute VB_Base" not in code}


def test_only_the_gp_functions_can_be_called_from_a_cell(vba):
    # A public Function of a standard module without "Option Private Module" is a worksheet
    # function in every open workbook: a returned .xlsx with =RunPython("import os;...") or
    # =ExecuteWindows(...) would run code when it calculates, =ReadFile("%USERPROFILE%\...")
    # would copy a local file into the sheet.
    standard = _standard_modules(vba)
    assert standard == {"xlwings", "GleichplanRibbon", "GleichplanUdfInfo", "xlwings_udfs"}
    private = {name for name in standard if re.search(r"^Option Private Module\r?$", vba[name], re.M)}
    assert private == standard - {"xlwings_udfs"}
    callable_from_cells = {m.group(1) for name in standard - private
                           for m in re.finditer(r"^(?:Public )?Function (\w+)", vba[name], re.M)}
    assert callable_from_cells == {"GP_ANTEIL", "GP_FRIST", "GP_UNTERREPRAESENTIERT", "GP_ZIELE_HAELFTE"}
    # defence in depth: even the add-in's own code cannot start Python on a cell's behalf
    procedures = _procedures(vba["xlwings"])
    assert 'CalledFromCell = (TypeName(Application.Caller) = "Range")' in procedures["CalledFromCell"]
    run = procedures["RunPython"]
    assert run.index("If CalledFromCell() Then Exit Function") < run.index("GetConfig(")
    execute = procedures["ExecuteWindows"]
    assert execute.index("If CalledFromCell() Then") < execute.index("WScript.Run(")
    # an executable of the workbook's choice, a file written where the workbook says: gone
    for gone in ("RunFrozenPython", "SaveConfigToFile"):
        assert gone not in vba["xlwings"], gone


def test_macos_is_refused_before_the_workbooks_name_is_used(vba):
    # xlwings' AppleScript puts the workbook's name into `do shell script` inside double quotes:
    # "Rueckmeldung $(curl ...|sh).xlsx" would run. The add-in refuses on the Mac instead.
    module = vba["xlwings"]
    for gone in ("ExecuteMac", "AppleScriptTask"):
        assert gone not in module, gone
    run = _procedures(module)["RunPython"]
    refusal = re.search(r"#If Mac Then\r\n\s+MsgBox [^\r\n]*macOS nicht[^\r\n]*\r\n\s+Exit Function\r\n\s+#End If", run)
    assert refusal is not None
    assert refusal.start() < run.index("ActiveWorkbook") and refusal.start() < run.index("ToPosixPath")
    assert "#If Mac" not in run[:refusal.start()]


def _like(value: str, pattern: str) -> bool:
    """VBA's Like (Option Compare Binary) for the pattern characters the add-in uses: * ? [a-z]."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else c if c in "[]-" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S) is not None


def test_interpreter_must_be_a_full_path_to_python_exe(vba, monkeypatch, tmp_path):
    # "python" or a relative path: cmd.exe and LoadLibrary search Excel's current folder, which is
    # the folder of the workbook opened last.
    procedures = _procedures(vba["xlwings"])
    assert "If Not IsFullPythonPath(CStr(GetConfig)) Then GetConfig = default" in procedures["GetConfig"]
    check = procedures["IsFullPythonPath"]
    patterns = re.findall(r'path Like "([^"]+)"', check)
    assert "path = LCase$(path)" in check and 'InStr(path, "%") > 0 Then Exit Function' in check

    def vba_accepts(value: str) -> bool:
        value = value.lower()
        return '"' not in value and "%" not in value and any(_like(value, p) for p in patterns)

    cases = {r"C:\Program Files\xl-gleichplan\venv\Scripts\python.exe": True,
             r"D:\Py\PYTHONW.EXE": True, r"\\server\apps\py311\python.exe": True,
             "python": False, "pythonw": False, "python.exe": False, r"venv\Scripts\python.exe": False,
             r"..\py\python.exe": False, "C:python.exe": False, r"C:\Python311\python.exe.cmd": False,
             r"C:\Python311\py.exe": False, r"C:\%TEMP%\python.exe": False, 'C:\\x\\python.exe" & calc': False,
             r"\\python.exe": False}
    for value, expected in cases.items():
        assert vba_accepts(value) is expected, value
        assert runner_vba.is_full_python_path(value) is expected, value
    # addin status says so instead of "Excel startet: python"
    monkeypatch.setattr(addin, "_platform", lambda: "win32")
    monkeypatch.setenv("USERPROFILE", str(tmp_path))
    monkeypatch.setattr(addin, "machine_config", lambda: {"INTERPRETER_WIN": "pythonw"})
    lines = addin.interpreter_status()
    assert lines[0].startswith("Achtung: INTERPRETER_WIN = pythonw ist kein vollständiger Pfad zu python.exe")
    assert not any(line.startswith("Excel startet") for line in lines)


def test_workbook_name_is_not_on_the_command_line(vba, monkeypatch):
    # cmd.exe expands %VAR% even inside quotes, and xlwings' Book.caller cuts --wb= at "=":
    # "Bericht %USERNAME%.xlsx" or "a=b.xlsx" made the button fail or act on another workbook.
    execute = _procedures(vba["xlwings"])["ExecuteWindows"]
    command = execute[execute.index("WScript.Run("):execute.index("WindowStyle, WaitOnReturn)")]
    assert "ActiveWorkbook" not in command and "--wb=" not in command
    setting = f'WScript.Environment("Process")("{runner_vba.WORKBOOK_VARIABLE}") = ActiveWorkbook.Name'
    assert execute.index(setting) < execute.index("WScript.Run(")
    # the Python side takes the name from there, unchanged
    from xl_gleichplan.excel import actions

    opened = []
    monkeypatch.setattr(actions, "_book_in_excel", lambda hwnd, name: opened.append((hwnd, name)) or name)
    monkeypatch.setattr(sys, "argv", ["-c", "--from_xl=1", "--app=C:\\Office\\EXCEL.EXE", "--hwnd=132456"])
    for name in ("Bericht %USERNAME%.xlsx", "a=b.xlsx", 'Rückmeldung "Amt" & Co.xlsx'):
        monkeypatch.setenv(runner_vba.WORKBOOK_VARIABLE, name)
        assert actions.calling_book() == name
    assert opened == [(132456, "Bericht %USERNAME%.xlsx"), (132456, "a=b.xlsx"), (132456, 'Rückmeldung "Amt" & Co.xlsx')]


_EMBEDDED = r'''
# xlwings' UDF server on the first GP_* call (xlwings.udfs.get_udf_module, the real code), with
# the Windows COM glue replaced: the workbook object the VBA hands over is a name here.
import os, sys, types
for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
    stub = types.ModuleType(name)
    stub.__getattr__ = lambda attr: (lambda *a, **k: None)
    sys.modules[name] = stub
sys.modules["win32com.client"].Dispatch = lambda x: x
import xlwings
import xlwings.udfs as udfs
SHEETS = {"ThisWorkbook": ADDIN_SHEETS,
          "ActiveWorkbook": ["Daten", "xl_gleichplan.py"]}  # a returned workbook with embedded code
CODE = "open(" + repr(MARK) + ", 'w').close()"
class Rng:
    def __init__(self, v): self.value = v; self.last_cell = types.SimpleNamespace(row=len(v))
    def options(self, *a, **k): return self
class Sheet:
    def __init__(self, name): self.name = name; self.used_range = Rng([CODE])
    def range(self, *a): return Rng([CODE])
class Sheets(list):
    def __getitem__(self, key):
        if isinstance(key, str): raise KeyError(key)
        return list.__getitem__(self, key)
xlwings._xlwindows = types.SimpleNamespace(Book=lambda x: x)
class Book:
    def __init__(self, impl): self.sheets = Sheets(Sheet(n) for n in SHEETS[impl])
udfs.Book = Book
try:
    module = udfs.get_udf_module("xl_gleichplan.excel.udfs", WORKBOOK)
    print("PRO", xlwings.__pro__, "MODULE", module.__file__)
except Exception as exc:
    print("PRO", xlwings.__pro__, "FAILED", type(exc).__name__, exc)
'''


def test_gp_functions_take_no_code_from_the_active_workbook(vba, interpreter, tmp_path):
    # With xlwings PRO active (XLWINGS_LICENSE_KEY=noncommercial is a valid key for public bodies),
    # the UDF server writes a workbook's *.py sheets to a folder first on sys.path: a returned
    # workbook with a sheet "xl_gleichplan.py" ran its code on the first GP_* recalculation.
    calls = re.findall(r'XLPy\.CallUDF\("[^"]+", "(\w+)", Array\([^)]*\), (\w+), Application\.Caller\)',
                       vba["xlwings_udfs"])
    with zipfile.ZipFile(addin.packaged_addin()) as archive:
        addin_sheets = re.findall(r'<sheet name="([^"]+)"', archive.read("xl/workbook.xml").decode())
    assert not [name for name in addin_sheets if name.endswith(".py")]
    tail = _vba_string(_assignment(_procedures(vba["xlwings"])["XLPyCommand"], "tail"), {})
    server_start = shlex.split(tail)[shlex.split(tail).index("-c") + 1].split("import xlwings;")[0]
    mark = tmp_path / (MARKER + "udf")
    script = server_start + _EMBEDDED.replace("ADDIN_SHEETS", repr(addin_sheets)).replace(
        "MARK", repr(str(mark))).replace("WORKBOOK)", repr(calls[0][1]) + ")")
    result = _run([str(interpreter), "-I", "-c", script], tmp_path, {"XLWINGS_LICENSE_KEY": "noncommercial"})
    assert not mark.exists(), result.stdout + result.stderr[-2000:]
    assert "PRO False MODULE" in result.stdout and "xl_gleichplan/excel/udfs.py" in result.stdout, result.stderr[-2000:]
    assert len(calls) == 4 and {workbook for _, workbook in calls} == {"ThisWorkbook"}


def test_no_licence_key_turns_on_xlwings_pro_in_a_started_python(vba, interpreter, tmp_path):
    # xlwings reads a key from the environment, the user's xlwings.conf and, in the button
    # process, the active workbook's xlwings.conf sheet; PRO would run embedded code.
    procedures = _procedures(vba["xlwings"])
    probe = "import xlwings; print(xlwings.__pro__)"
    button = _vba_string(_assignment(procedures["ExecuteWindows"], "RunCommand"), {
        "CondaCmd": "", "PythonInterpreter": shlex.quote(str(interpreter)), "PythonCommand": probe})
    tail = _vba_string(_assignment(procedures["XLPyCommand"], "tail"), {}).replace(
        "import xlwings; xlwings.serve('$(CLSID)')", probe)
    for args in (shlex.split(button), [str(interpreter)] + shlex.split(tail)):
        result = _run(args, tmp_path, {"XLWINGS_LICENSE_KEY": "noncommercial"})
        assert result.stdout.strip() == "False", result.stderr[-2000:]
    # (the key is valid: without the add-in's start, PRO is on)
    plain = _run([str(interpreter), "-I", "-c", probe], tmp_path, {"XLWINGS_LICENSE_KEY": "noncommercial"})
    assert plain.stdout.strip() == "True", plain.stderr[-2000:]
