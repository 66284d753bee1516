"""The VBA declarations of the worksheet functions (excel/udf_vba.py) against xlwings' own generator.

xlwings writes these declarations with ``xlwings.udfs.import_udfs`` through COM on Windows. Its
module imports pywin32 at the top, so here it is imported with stand-ins for ``pythoncom``,
``pywintypes`` and ``win32com.client`` (none of them is called by the code under comparison), and
``import_udfs`` runs against a recording stand-in for the Excel workbook: what it would import into
the VBA project and the MacroOptions it would set are compared with what the add-in carries."""
from __future__ import annotations

import ast
import importlib
import inspect
import re
import shutil
import sys
import types
from pathlib import Path

import pytest

from xl_gleichplan.errors import GleichplanError
from xl_gleichplan.excel import addin, udf_vba, udfs

UDFS_MODULE = "xl_gleichplan.excel.udfs"


# ---------------------------------------------------------------------------- xlwings on "Windows"

@pytest.fixture(scope="module")
def xlwings_udfs():
    """``xlwings.udfs`` as imported on Windows, with pywin32 stood in; sys.modules restored after."""
    import xlwings

    stubs = {name: types.ModuleType(name) for name in ("pythoncom", "pywintypes", "win32com", "win32com.client")}
    stubs["pythoncom"].CoInitialize = lambda: None
    stubs["pywintypes"].com_error = type("com_error", (Exception,), {})
    stubs["win32com.client"].Dispatch = lambda obj: pytest.fail("xlwings tried to dispatch a COM object")
    stubs["win32com"].client = stubs["win32com.client"]
    names = [*stubs, "xlwings.udfs"]
    saved = {name: sys.modules.get(name) for name in names}
    had_attr = hasattr(xlwings, "udfs")
    sys.modules.update(stubs)
    sys.modules.pop("xlwings.udfs", None)
    try:
        yield importlib.import_module("xlwings.udfs")
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        if not had_attr and hasattr(xlwings, "udfs"):
            delattr(xlwings, "udfs")


@pytest.fixture
def windows_metadata(xlwings_udfs):
    """``load(module_name)``: the module executed with xlwings' real Windows decorators."""

    def load(module_name):
        u = xlwings_udfs
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(udf_vba, "_RECORDERS", {"func": u.xlfunc, "sub": u.xlsub, "script": u.xlsub,
                                                  "arg": u.xlarg, "ret": u.xlret})
            return udf_vba.load_with_metadata(module_name)

    return load


class _Components:
    def __init__(self, book):
        self.book = book

    def __call__(self, name):
        return name

    def Remove(self, component):
        self.book.removed.append(component)

    def Import(self, path):
        self.book.imported.append(Path(path).read_text())


class _Application:
    Version = "16.0"

    def __init__(self, book):
        self.book = book

    def MacroOptions(self, macro, **options):
        self.book.macro_options.append({"Macro": macro, **options})

    def Run(self, *args):
        pytest.fail(f"unexpected Application.Run{args}")


class FakeWorkbook:
    """What import_udfs touches of an Excel workbook, recorded."""

    def __init__(self, name):
        self.Name = name
        self.removed, self.imported, self.macro_options = [], [], []
        self.VBProject = types.SimpleNamespace(VBComponents=_Components(self))
        self.Application = _Application(self)


def run_import_udfs(xlwings_udfs, monkeypatch, modules: dict, workbook_name: str) -> FakeWorkbook:
    """xlwings' import_udfs for ``modules`` (name -> module with Windows metadata)."""
    monkeypatch.setattr(xlwings_udfs, "__pro__", False)
    for name, module in modules.items():
        monkeypatch.setitem(xlwings_udfs.udf_modules, name,
                            {"filename": module.__file__, "filetime": None, "module": module})
    book = FakeWorkbook(workbook_name)
    xlwings_udfs.import_udfs(";".join(modules), book)
    assert book.removed == ["xlwings_udfs"] and len(book.imported) == 1
    return book


# ---------------------------------------------------------------------------- our UDFs

def test_wrapper_module_equals_xlwings_import_udfs(xlwings_udfs, windows_metadata, monkeypatch):
    # What xlwings writes into a workbook (ThisWorkbook as the workbook argument). For an .xlam it
    # writes ActiveWorkbook, and its UDF server would then take *.py sheets of the active (possibly
    # returned) workbook as code; the add-in's module hands over the add-in itself.
    metadata = {UDFS_MODULE: windows_metadata(UDFS_MODULE)}
    expected = run_import_udfs(xlwings_udfs, monkeypatch, metadata, "gleichplan.xlsm").imported[0]
    as_xlam = run_import_udfs(xlwings_udfs, monkeypatch, metadata, "gleichplan.xlam").imported[0]
    assert as_xlam == expected.replace(", ThisWorkbook, Application.Caller", ", ActiveWorkbook, Application.Caller")
    # our generator on our own metadata, and the committed file (CRLF, as Excel stores it)
    ours = udf_vba.wrapper_module_text({UDFS_MODULE: udf_vba.load_with_metadata(UDFS_MODULE)})
    assert ours == expected
    committed = (addin.macros_dir() / "xlwings_udfs.bas").read_bytes().decode("ascii")
    assert committed == expected.replace("\n", "\r\n")
    # the parts the brief names, present as xlwings writes them
    assert 'GP_ANTEIL = XLPy.CallUDF("xl_gleichplan.excel.udfs", "GP_ANTEIL", Array(w, m), ThisWorkbook, ' \
           "Application.Caller)" in expected and "ActiveWorkbook" not in expected
    assert expected.count("If TypeOf Application.Caller Is Range Then On Error GoTo failed") == 4


def test_metadata_equals_xlwings_decorators(windows_metadata):
    theirs = windows_metadata(UDFS_MODULE)
    ours = udf_vba.load_with_metadata(UDFS_MODULE)
    names = [f.__name__ for f in udf_vba.udf_functions(theirs)]
    assert names == ["GP_ANTEIL", "GP_FRIST", "GP_UNTERREPRAESENTIERT", "GP_ZIELE_HAELFTE"]
    assert [f.__name__ for f in udf_vba.udf_functions(ours)] == names
    for name in names:
        assert getattr(ours, name).__xlfunc__ == getattr(theirs, name).__xlfunc__, name


def test_the_imported_udfs_module_is_not_touched():
    udf_vba.generated_modules()
    # on Linux xw.func keeps no metadata; the probe copy must not leak into the real module
    assert not hasattr(udfs.GP_ANTEIL, "__xlfunc__")
    assert not any(name.startswith("xl_gleichplan.excel._vba_probe") for name in sys.modules)
    import xlwings

    assert xlwings.func("x") == "x"  # the no-op decorator of this platform is back in place


def _eval_vba(expr: str):
    """Evaluate the VBA expressions the info module uses: string literals joined with &,
    ChrW(n), Array(...), True/False, integers."""
    tokens = re.findall(r'"(?:[^"]|"")*"|ChrW\(\d+\)|Array\(|\)|,|&|True|False|-?\d+|\S+', expr)

    def value(i):
        token = tokens[i]
        if token == "Array(":
            items, i = [], i + 1
            while tokens[i] != ")":
                item, i = concat(i)
                items.append(item)
                if tokens[i] == ",":
                    i += 1
            return items, i + 1
        if token.startswith('"'):
            return token[1:-1].replace('""', '"'), i + 1
        if token.startswith("ChrW("):
            return chr(int(token[5:-1])), i + 1
        if token in ("True", "False"):
            return token == "True", i + 1
        if re.fullmatch(r"-?\d+", token):
            return int(token), i + 1
        raise AssertionError(f"unexpected VBA token {token!r} in {expr!r}")

    def concat(i):
        result, i = value(i)
        while i < len(tokens) and tokens[i] == "&":
            more, i = value(i + 1)
            result += more
        return result, i

    result, end = concat(0)
    assert end == len(tokens), expr
    return result


def _split_top_level(text: str) -> list[str]:
    """Split at commas outside string literals and parentheses."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == '"':
            quoted = not quoted  # a doubled quote toggles twice
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(text[start:i].strip())
            start = i + 1
    assert depth == 0 and not quoted, text
    return parts + [text[start:].strip()]


def _macro_options_in_vba(text: str) -> list[dict]:
    """The named arguments of each Application.MacroOptions statement of the info module."""
    joined = re.sub(r" _\r?\n\s*", " ", text)
    calls = []
    for line in joined.splitlines():
        line = line.strip()
        if not line.startswith("Application.MacroOptions "):
            continue
        args = {}
        for part in _split_top_level(line.removeprefix("Application.MacroOptions ")):
            name, _, expr = part.partition(":=")
            if name == "Macro":
                prefix = '"\'" & ThisWorkbook.Name & "\'!'
                assert expr.startswith(prefix) and expr.endswith('"'), expr
                args[name] = "'gleichplan.xlam'!" + expr[len(prefix):-1]
            else:
                args[name] = _eval_vba(expr)
        calls.append(args)
    return calls


def test_auto_open_sets_the_macro_options_xlwings_sets(xlwings_udfs, windows_metadata, monkeypatch):
    book = run_import_udfs(xlwings_udfs, monkeypatch, {UDFS_MODULE: windows_metadata(UDFS_MODULE)}, "gleichplan.xlam")
    # xlwings passes None for the options it leaves unset; VBA leaves them out
    expected = [{key: value for key, value in options.items() if value is not None} for options in book.macro_options]
    assert len(expected) == 4
    info = (addin.macros_dir() / f"{udf_vba.INFO_MODULE}.bas").read_text(encoding="ascii")
    assert _macro_options_in_vba(info) == expected
    # German help texts reach Excel with their umlauts (written as ChrW in the ASCII module)
    anteil = expected[0]
    assert anteil["Category"] == "Gleichstellungsplan"
    assert anteil["ArgumentDescriptions"][1] == "Anzahl Männer (Zelle oder Bereich gleicher Größe)"
    assert anteil["Description"] == udfs.GP_ANTEIL.__doc__


def test_info_module_runs_when_the_add_in_loads():
    info = (addin.macros_dir() / f"{udf_vba.INFO_MODULE}.bas").read_text(encoding="ascii")
    code = [line.strip() for line in info.splitlines() if line.strip() and not line.lstrip().startswith("'")]
    assert code[:4] == [f'Attribute VB_Name = "{udf_vba.INFO_MODULE}"', "Option Explicit", "Option Private Module",
                        "Sub Auto_Open()"]
    assert code[4:6] == ["#If Not Mac Then", "On Error Resume Next"]
    assert code[-3:] == ["ThisWorkbook.Saved = True", "#End If", "End Sub"]
    # no other Auto_Open anywhere in the add-in, or Excel would not know which to run
    modules = addin.vba_modules()
    assert sum(len(re.findall(r"^\s*(Public\s+)?Sub\s+Auto_Open\b", text, re.M | re.I)) for text in modules.values()) == 1


def test_vba_string_round_trips():
    for text in ("", "plain", 'say "hi"', "Männer § 4 „art“ ß", "ä", '"', "x\u00e9"):
        assert _eval_vba(udf_vba.vba_string(text)) == text
        assert udf_vba.vba_string(text).isascii()
    with pytest.raises(GleichplanError):
        udf_vba.vba_string("\U0001F600")


# ---------------------------------------------------------------------------- other xlwings features

SYNTHETIC = '''
"""UDFs using the features of xlwings' generator that excel/udfs.py does not use."""
from typing import Annotated
import xlwings as xw


@xw.func(volatile=True, call_in_wizard=False)
def VOLATILE_NO_WIZARD(a, b=2):
    """Volatile, not in the wizard."""
    return a


@xw.func(category=3)
@xw.arg("values", doc="any number of values")
def VARARGS(first, *values):
    """A vararg."""
    return first


@xw.func
def WITH_CALLER(caller, x):
    """Gets the calling range."""
    return x


@xw.func
@xw.arg("hidden", vba="ActiveSheet.Name")
def WITH_VBA_ARG(x, hidden):
    """An argument filled in by VBA."""
    return x


@xw.func
def ANNOTATED(x: Annotated[float, {"doc": "annotated doc", "ndim": 2}]) -> float:
    """Annotated argument."""
    return x


@xw.sub
def A_SUB(x, y=None):
    """A sub."""


@xw.func
@xw.ret(expand="table")
def LONG(%s):
    """Long enough for xlwings to split the line."""
    return 0


def not_a_udf():
    return 1
''' % ", ".join(f"argument_with_a_rather_long_name_{i}" for i in range(40))


@pytest.fixture
def synthetic(tmp_path, monkeypatch):
    (tmp_path / "synthetic_udfs.py").write_text(SYNTHETIC)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "synthetic_udfs"


@pytest.mark.parametrize("workbook_name", ["gleichplan.xlam", "Mappe1.xlsm"])
def test_generator_equals_xlwings_on_every_feature(xlwings_udfs, windows_metadata, monkeypatch, synthetic,
                                                   workbook_name):
    theirs = windows_metadata(synthetic)
    ours = udf_vba.load_with_metadata(synthetic)
    for func in udf_vba.udf_functions(theirs):
        assert getattr(ours, func.__name__).__xlfunc__ == func.__xlfunc__, func.__name__
    book = run_import_udfs(xlwings_udfs, monkeypatch, {synthetic: theirs}, workbook_name)
    expected = book.imported[0]
    assert udf_vba.wrapper_module_text({synthetic: ours}, workbook_name) == expected
    # the features really occur in the compared text
    for fragment in ("Application.Volatile", 'CommandBars("Standard")', "ParamArray values()",
                     "Array(Nothing, x)", "Array(x, ActiveSheet.Name)", "Sub A_SUB(x, Optional y)",
                     'XLPy.CallUDF "synthetic_udfs", "A_SUB"', " _\n"):
        assert fragment in expected, fragment
    assert ("ActiveWorkbook" in expected) == workbook_name.endswith(".xlam")
    macro = [{k: v for k, v in o.items() if v is not None and k != "Macro"} for o in book.macro_options]
    assert [{k: v for k, v in o.items() if k != "Macro"} for o in udf_vba.macro_options({synthetic: ours})] == macro


def test_generator_refuses_a_udf_without_docstring(tmp_path, monkeypatch):
    (tmp_path / "nodoc_udfs.py").write_text("import xlwings as xw\n\n@xw.func\ndef F(x):\n    return x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(GleichplanError, match="Docstring"):
        udf_vba.load_with_metadata("nodoc_udfs")


# ---------------------------------------------------------------------------- module vs udfs.py

def _decorated_udfs() -> dict[str, ast.FunctionDef]:
    """Functions in udfs.py decorated with xw.func, read from the source (not via the generator)."""
    tree = ast.parse(Path(udfs.__file__).read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if ast.unparse(target) == "xw.func":
                    found[node.name] = node
    return found


def test_every_function_in_the_module_is_a_udf_and_vice_versa():
    text = (addin.macros_dir() / "xlwings_udfs.bas").read_text(encoding="ascii")
    declared = {m.group(1): m.group(2) for m in re.finditer(r"^Function (\w+)\(([^)]*)\)\r?$", text, re.M)}
    decorated = _decorated_udfs()
    assert set(declared) == set(decorated) and len(declared) == 4
    for name, params in declared.items():
        vba_params = [p.strip() for p in params.split(",") if p.strip()]
        signature = inspect.signature(getattr(udfs, name))
        assert [p.removeprefix("Optional ") for p in vba_params] == list(signature.parameters), name
        optional = [p.name for p in signature.parameters.values() if p.default is not inspect.Parameter.empty]
        assert [p.removeprefix("Optional ") for p in vba_params if p.startswith("Optional ")] == optional, name
        # the call hands over every argument, in order, to the function of the same name
        call = re.search(rf'{name} = XLPy\.CallUDF\("{UDFS_MODULE}", "{name}", Array\(([^)]*)\), ThisWorkbook', text)
        assert call and [a.strip() for a in call.group(1).split(",")] == list(signature.parameters), name
    info = (addin.macros_dir() / f"{udf_vba.INFO_MODULE}.bas").read_text(encoding="ascii")
    assert set(re.findall(r"'!(\w+)\"", info)) == set(decorated)


def test_committed_modules_are_current():
    """Regenerate with: python -m xl_gleichplan.excel.udf_vba"""
    assert udf_vba.stale_files(addin.macros_dir()) == []


def test_build_refuses_stale_generated_modules(tmp_path, monkeypatch):
    copy = tmp_path / "macros"
    shutil.copytree(addin.macros_dir(), copy)
    stale = copy / "xlwings_udfs.bas"
    stale.write_bytes(stale.read_bytes().replace(b"GP_ANTEIL", b"GP_ANTEIL_ALT"))
    monkeypatch.setattr(addin, "macros_dir", lambda: copy)
    with pytest.raises(GleichplanError, match=re.escape(udf_vba.REGENERATE)):
        addin.build_addin(tmp_path / "x.xlam")
    assert not (tmp_path / "x.xlam").exists()
    # regenerating repairs it, and only the stale file is rewritten
    assert udf_vba.write_generated(copy) == [stale]
    assert udf_vba.stale_files(copy) == []


def test_regenerate_command(monkeypatch, tmp_path, capsys):
    original = (addin.macros_dir() / f"{udf_vba.INFO_MODULE}.bas").read_bytes()
    copy = tmp_path / "macros"
    shutil.copytree(addin.macros_dir(), copy)
    (copy / f"{udf_vba.INFO_MODULE}.bas").unlink()
    monkeypatch.setattr(addin, "macros_dir", lambda: copy)
    assert udf_vba.main() == 0
    assert "neu erzeugt" in capsys.readouterr().out
    assert (copy / f"{udf_vba.INFO_MODULE}.bas").read_bytes() == original
    assert udf_vba.main() == 0
    assert "aktuell" in capsys.readouterr().out


def test_shipped_addin_carries_the_generated_modules():
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(addin.packaged_addin()))
    try:
        decoded = {stream.rsplit("/", 1)[-1]: code for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()
    for name in ("xlwings_udfs", udf_vba.INFO_MODULE):
        assert decoded[name] == (addin.macros_dir() / f"{name}.bas").read_bytes().decode("ascii"), name


def test_udf_modules_setting_is_not_needed():
    """The declarations name the Python module themselves, so `addin install` does not write
    xlwings' "UDF MODULES" setting. Guard that assumption for future xlwings versions: the
    setting was read only for the "Import Functions" path, which the hardened add-in drops
    (runner_vba), and the COM server's CallUDF takes the module name from its arguments."""
    vba = addin.xlwings_vba_source()
    assert "UDF MODULES" not in vba and "GetUdfModules" not in vba
    com_server = (addin._xlwings_dir() / "com_server.py").read_text(encoding="utf-8")
    assert "def CallUDF(self, script, fname, args, this_workbook=None, caller=None):" in com_server
    assert "call_udf(script, fname, args, this_workbook" in com_server
    # and every declaration passes the module name
    text = (addin.macros_dir() / "xlwings_udfs.bas").read_text(encoding="ascii")
    assert text.count(f'XLPy.CallUDF("{UDFS_MODULE}", ') == 2 * len(_decorated_udfs())
