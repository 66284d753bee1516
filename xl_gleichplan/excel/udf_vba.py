"""VBA declarations of the worksheet functions (``@xw.func`` in ``excel/udfs.py``), generated on Linux.

Excel only calls a Python UDF through a VBA function of the same name that hands the call to
xlwings' COM server. xlwings writes these wrappers itself with ``xlwings.udfs.import_udfs``
("Import Functions"), but only at runtime through COM: it needs pywin32, a running Excel and
"Trust access to the VBA project object model". This module produces the same text at build
time, so the declarations ship inside ``gleichplan.xlam``:

* ``xlwings_udfs`` - exactly the module ``import_udfs`` imports into the workbook: its header
  and one wrapper per function as ``generate_vba_wrapper`` writes it (xlwings 0.37.8; a test
  compares the two byte for byte against the installed xlwings). The workbook argument is
  ``ThisWorkbook``, the add-in: for an ``.xlam`` xlwings writes ``ActiveWorkbook``, and its UDF
  server scans the workbook it is given for ``*.py`` sheets and, with an xlwings PRO licence
  anywhere on the PC, imports them as code; a returned workbook would choose that code.
* ``GleichplanUdfInfo`` - ``Auto_Open``, run by Excel when it loads the add-in: the
  ``Application.MacroOptions`` call with description, category and argument help that
  ``import_udfs`` makes through COM after the import, as VBA.

Both are committed as text in ``macros/`` (reviewable, and the build reads every module from
there); ``build_addin`` refuses to build when they differ from what this module generates.
Regenerate with ``python -m xl_gleichplan.excel.udf_vba``.

Why the metadata is collected here: on Linux and macOS ``xw.func``/``xw.arg``/``xw.ret`` are
no-ops that keep nothing (``xlwings/__init__.py``); the ``__xlfunc__`` dict that
``generate_vba_wrapper`` reads only exists on Windows with pywin32. So the UDF module's source
is executed once more, privately, with recording decorators that build the same ``__xlfunc__``
dict as ``xlwings.udfs.xlfunc``/``xlarg``/``xlret``/``xlsub`` (the parts the VBA depends on).
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import inspect
import sys
import threading
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from ..errors import GleichplanError

UDF_MODULES = ("xl_gleichplan.excel.udfs",)
WRAPPER_MODULE = "xlwings_udfs"       # the name import_udfs gives its module
INFO_MODULE = "GleichplanUdfInfo"
REGENERATE = "python -m xl_gleichplan.excel.udf_vba"

_LOCK = threading.Lock()


# ---------------------------------------------------------------------------- metadata

def _func_sig(f) -> dict:
    # xlwings.udfs.func_sig
    args, defaults, vararg = [], [], None
    for p in inspect.signature(f).parameters.values():
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
            args.append(p.name)
            if p.default is not inspect.Signature.empty:
                defaults.append(p.default)
        elif p.kind is inspect.Parameter.VAR_POSITIONAL:
            args.append(p.name)
            vararg = p.name
        else:
            raise GleichplanError(f"{f.__name__}: xlwings unterstützt keine Schlüsselwort-Argumente in Tabellenfunktionen.")
    return {"args": args, "defaults": defaults, "vararg": vararg}


def _category(kwargs: dict):
    # xlwings.udfs.get_category
    if "category" not in kwargs:
        return "xlwings"
    category = kwargs["category"]
    if isinstance(category, bool) or not isinstance(category, (int, str)):
        raise GleichplanError(f"Ungültige Kategorie {category!r}: erlaubt sind 1 bis 14 oder ein Text.")
    if isinstance(category, int):
        if not 1 <= category <= 14:
            raise GleichplanError(f"Ungültige Kategorie {category}: Excel hat nur die Kategorien 1 bis 14.")
        return category
    return category[:255]


def _flag(kwargs: dict, key: str, default: bool) -> bool:
    value = kwargs.get(key, default)
    if not isinstance(value, bool):
        raise GleichplanError(f"{key} verlangt True oder False, nicht {value!r}.")
    return value


def _type_and_annotations(hint):
    if get_origin(hint) is Annotated:
        base, *annotations = get_args(hint)
        return get_origin(base) or base, annotations
    return get_origin(hint) or hint, []


def _xlfunc(f=None, **kwargs):
    """Records what ``xlwings.udfs.xlfunc`` records (``f.__xlfunc__``)."""

    def inner(f):
        if not hasattr(f, "__xlfunc__"):
            hints = get_type_hints(f, include_extras=True)
            sig = _func_sig(f)
            required = len(sig["args"]) - len(sig["defaults"])
            if sig["vararg"] and sig["defaults"]:
                raise GleichplanError(f"{f.__name__}: xlwings unterstützt nicht zugleich optionale und variable Argumente.")
            args = []
            for pos, name in enumerate(sig["args"]):
                info = {"name": name, "pos": pos, "vba": None, "doc": f"Positional argument {pos + 1}",
                        "vararg": name == sig["vararg"], "options": {}}
                if name in hints:
                    hint, annotations = _type_and_annotations(hints[name])
                    if hint is not dt.datetime and hint is not dt.date:
                        info["options"]["convert"] = hint
                        for key, value in (annotations[0].items() if annotations else ()):
                            if key == "doc":
                                info["doc"] = value
                            else:
                                info["options"][key] = value
                if pos >= required:
                    info["optional"] = sig["defaults"][pos - required]
                args.append(info)
            if f.__doc__ is None:
                # xlwings would fall back to a text naming the source file path: not reproducible.
                raise GleichplanError(f"Die Tabellenfunktion {f.__name__} braucht einen Docstring "
                                      "(er wird in Excel als Beschreibung angezeigt).")
            f.__xlfunc__ = {"name": f.__name__, "sub": False, "args": args,
                            "argmap": {a["name"]: a for a in args},
                            "ret": {"doc": f.__doc__, "options": {}}}
            if "return" in hints:
                hint, annotations = _type_and_annotations(hints["return"])
                f.__xlfunc__["ret"]["options"]["convert"] = hint
                if annotations:
                    f.__xlfunc__["ret"]["options"].update(annotations[0])
        f.__xlfunc__["category"] = _category(kwargs)
        f.__xlfunc__["call_in_wizard"] = _flag(kwargs, "call_in_wizard", True)
        f.__xlfunc__["volatile"] = _flag(kwargs, "volatile", False)
        f.__xlfunc__["async_mode"] = kwargs.get("async_mode")
        return f

    return inner if f is None else inner(f)


def _xlsub(f=None, **kwargs):
    def inner(f):
        f = _xlfunc(**kwargs)(f)
        f.__xlfunc__["sub"] = True
        return f

    return inner if f is None else inner(f)


def _xlret(convert=None, **kwargs):
    if convert is not None:
        kwargs["convert"] = convert

    def inner(f):
        _xlfunc(f).__xlfunc__["ret"]["options"].update(kwargs)
        return f

    return inner


def _xlarg(arg, convert=None, **kwargs):
    if convert is not None:
        kwargs["convert"] = convert

    def inner(f):
        xlf = _xlfunc(f).__xlfunc__
        if arg.lstrip("*") not in xlf["argmap"]:
            raise GleichplanError(f"{f.__name__}: xw.arg nennt das unbekannte Argument „{arg}“.")
        info = xlf["argmap"][arg.lstrip("*")]
        for special in ("vba", "doc"):
            if special in kwargs:
                info[special] = kwargs.pop(special)
        info["options"].update(kwargs)
        return f

    return inner


# On Windows xlwings maps func/sub/script/arg/ret to these (xlwings/__init__.py).
_RECORDERS = {"func": _xlfunc, "sub": _xlsub, "script": _xlsub, "arg": _xlarg, "ret": _xlret}


def load_with_metadata(module_name: str):
    """A private copy of the UDF module, executed with recording decorators: its functions carry
    ``__xlfunc__`` as on Windows. The imported module itself is not touched."""
    import xlwings

    spec = importlib.util.find_spec(module_name)
    if spec is None or spec.origin is None:
        raise GleichplanError(f"Das Modul {module_name} mit den Tabellenfunktionen wurde nicht gefunden.")
    package, _, leaf = module_name.rpartition(".")
    private_name = f"{package}._vba_probe_{leaf}" if package else f"_vba_probe_{leaf}"
    private = importlib.util.spec_from_file_location(private_name, spec.origin)
    module = importlib.util.module_from_spec(private)
    with _LOCK:
        missing = object()
        saved = {name: getattr(xlwings, name, missing) for name in _RECORDERS}
        sys.modules[private_name] = module  # classes and type hints look their module up there
        try:
            for name, recorder in _RECORDERS.items():
                setattr(xlwings, name, recorder)
            private.loader.exec_module(module)
        finally:
            for name, value in saved.items():
                if value is missing:
                    delattr(xlwings, name)
                else:
                    setattr(xlwings, name, value)
            sys.modules.pop(private_name, None)
    return module


def udf_functions(module) -> list:
    """The functions with ``__xlfunc__``, in the order xlwings visits them: ``dir(module)``."""
    return [value for value in map(lambda attr: getattr(module, attr), dir(module)) if hasattr(value, "__xlfunc__")]


# ---------------------------------------------------------------------------- xlwings_udfs

class VBAWriter:
    """``xlwings.utils.VBAWriter``: four spaces per block level, lines over 1024 characters
    continued with " _" at the last space that fits."""

    MAX_LINE = 1024
    SPLIT = " _\n"

    def __init__(self):
        self.parts: list[str] = []
        self.indent = 0
        self.fresh = True

    def writeln(self, text: str) -> None:
        text += "\n"
        if self.fresh:
            text = "    " * self.indent + text
            self.fresh = False
        self._write_line(text)
        self.fresh = True

    def _write_line(self, line: str) -> None:
        while len(line) > self.MAX_LINE:
            limit = self.MAX_LINE - len(self.SPLIT)
            index = next((i for i in range(limit, 0, -1) if line[i] == " "), limit)
            self.parts.append(line[:index] + self.SPLIT)
            line = line[index:]
        self.parts.append(line)

    def block(self, start: str):
        writer = self

        class Block:
            def __enter__(self):
                writer.writeln(start)
                writer.indent += 1

            def __exit__(self, *exc):
                writer.indent -= 1

        return Block()

    def label(self, name: str) -> None:
        self.indent -= 1
        self.writeln(name + ":")
        self.indent += 1

    def text(self) -> str:
        return "".join(self.parts)


def _vba_arg(arg: dict) -> str | None:
    # generate_vba_wrapper replaces an argument named "caller" by Nothing (call_udf passes the caller)
    return "Nothing" if arg["name"] == "caller" else arg["vba"]


def _wrapper(vba: VBAWriter, module_name: str, xlfunc: dict, workbook: str) -> None:
    """One function as ``xlwings.udfs.generate_vba_wrapper`` writes it."""
    fname = xlfunc["name"]
    ftype = "Sub" if xlfunc["sub"] else "Function"
    params, vararg = [], ""
    for arg in xlfunc["args"]:
        if _vba_arg(arg):
            continue
        prefix = "Optional " if "optional" in arg else ("ParamArray " if arg["vararg"] else "")
        if arg["vararg"] and "optional" not in arg:
            vararg = arg["name"]
        params.append(prefix + arg["name"] + ("()" if arg["vararg"] else ""))
    with vba.block(f"{ftype} {fname}({', '.join(params)})"):
        if ftype == "Function":
            if not xlfunc["call_in_wizard"]:
                vba.writeln('If (Not Application.CommandBars("Standard").Controls(1).Enabled) Then Exit Function')
            if xlfunc["volatile"]:
                vba.writeln("Application.Volatile")
        if vararg:
            fixed = [_vba_arg(a) or a["name"] for a in xlfunc["args"] if not a["vararg"]]
            n = len(fixed)
            vba.writeln("Dim argsArray() As Variant")
            vba.writeln(f"argsArray = Array({', '.join(fixed)})")
            vba.writeln(f"ReDim Preserve argsArray(0 to UBound({vararg}) - LBound({vararg}) + {n})")
            vba.writeln(f"For k = LBound({vararg}) To UBound({vararg})")
            vba.writeln(f"argsArray({n} + k - LBound({vararg})) = {vararg}(k)")
            vba.writeln("Next k")
            args_vba = "argsArray"
        else:
            args_vba = "Array(" + ", ".join(_vba_arg(a) or a["name"] for a in xlfunc["args"]) + ")"
        call = f'XLPy.CallUDF("{module_name}", "{fname}", {args_vba}'
        if ftype == "Sub":
            with vba.block('#If App = "Microsoft Excel" Then'):
                vba.writeln(f'XLPy.CallUDF "{module_name}", "{fname}", {args_vba}, {workbook}, Application.Caller')
            with vba.block("#Else"):
                vba.writeln(f'XLPy.CallUDF "{module_name}", "{fname}", {args_vba}')
            vba.writeln("#End If")
        else:
            with vba.block('#If App = "Microsoft Excel" Then'):
                vba.writeln("If TypeOf Application.Caller Is Range Then On Error GoTo failed")
                vba.writeln(f"{fname} = {call}, {workbook}, Application.Caller)")
                vba.writeln("Exit " + ftype)
            with vba.block("#Else"):
                vba.writeln(f"{fname} = {call})")
                vba.writeln("Exit " + ftype)
            vba.writeln("#End If")
            vba.label("failed")
            vba.writeln(fname + " = Err.Description")
    vba.writeln("End " + ftype)
    vba.writeln("")


def wrapper_module_text(modules: dict[str, Any], workbook_name: str | None = None) -> str:
    """The file ``import_udfs`` writes and imports into ``workbook_name`` (LF line ends, as xlwings
    writes it); by default with ``ThisWorkbook`` as the workbook argument (see above)."""
    vba = VBAWriter()
    vba.writeln(f'Attribute VB_Name = "{WRAPPER_MODULE}"')
    vba.writeln("'Autogenerated code by xlwings - changes will be lost with next import!")
    vba.writeln("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel""")
    # (xlwings writes ActiveWorkbook instead of ThisWorkbook when the workbook is an .xlam)
    workbook = "ActiveWorkbook" if workbook_name and workbook_name.endswith(".xlam") else "ThisWorkbook"
    for module_name, module in modules.items():
        for func in udf_functions(module):
            _wrapper(vba, module_name, func.__xlfunc__, workbook)
    return vba.text()


# ---------------------------------------------------------------------------- MacroOptions

def macro_options(modules: dict[str, Any]) -> list[dict]:
    """Per function the MacroOptions arguments ``import_udfs`` passes (Excel 2010 and later),
    without the workbook part of ``Macro`` and without the ones it passes as None."""
    options = []
    for module in modules.values():
        for func in udf_functions(module):
            xlfunc = func.__xlfunc__
            argdocs = [arg["doc"][:255] for arg in xlfunc["args"] if not _vba_arg(arg)]
            entry = {"Macro": xlfunc["name"], "Description": xlfunc["ret"]["doc"][:255], "HasMenu": False,
                     "HasShortcutKey": False, "Category": xlfunc["category"]}
            if argdocs:
                entry["ArgumentDescriptions"] = argdocs
            options.append(entry)
    return options


def vba_string(text: str) -> str:
    """A VBA string expression for ``text``, ASCII only: other characters as ``ChrW(n)``."""
    if text == "":
        return '""'
    pieces, literal = [], []
    for char in text:
        if 32 <= ord(char) < 127:
            literal.append('""' if char == '"' else char)
            continue
        if literal:
            pieces.append('"' + "".join(literal) + '"')
            literal = []
        if ord(char) > 0xFFFF:
            raise GleichplanError(f"Das Zeichen {char!r} lässt sich in VBA nicht mit ChrW schreiben.")
        pieces.append(f"ChrW({ord(char)})")
    if literal:
        pieces.append('"' + "".join(literal) + '"')
    return " & ".join(pieces)


def _vba_value(value) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "Array(" + ", ".join(_vba_value(v) for v in value) + ")"
    return vba_string(value)


def info_module_text(modules: dict[str, Any]) -> str:
    lines = [
        f'Attribute VB_Name = "{INFO_MODULE}"',
        "' Generated by xl_gleichplan.excel.udf_vba from the @xw.func metadata of",
        "' " + ", ".join(modules) + "; do not edit. Regenerate with:",
        f"' {REGENERATE}",
        "Option Explicit",
        "Option Private Module",
        "",
        "' Excel runs Auto_Open when it loads the add-in. It registers description,",
        "' category and argument help of each worksheet function for the function",
        "' wizard: the Application.MacroOptions call that xlwings' import_udfs makes",
        "' through COM after importing the xlwings_udfs module. A failure only loses",
        "' the help texts, so errors are ignored. xlwings has no UDFs on macOS; the",
        "' call is compiled for Windows only.",
        "Sub Auto_Open()",
        "#If Not Mac Then",
        "    On Error Resume Next",
    ]
    for entry in macro_options(modules):
        items = [f'Macro:="\'" & ThisWorkbook.Name & "\'!{entry["Macro"]}"']
        items += [f"{key}:={_vba_value(value)}" for key, value in entry.items() if key != "Macro"]
        lines.append("    Application.MacroOptions _")
        lines += [f"        {item}, _" for item in items[:-1]] + [f"        {items[-1]}"]
    lines += [
        "    ' Registering marks the add-in as changed; there is nothing to save.",
        "    ThisWorkbook.Saved = True",
        "#End If",
        "End Sub",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- files

def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def generated_modules(module_names=UDF_MODULES) -> dict[str, str]:
    """Module name -> source as it belongs in ``macros/<name>.bas`` (ASCII, CRLF)."""
    modules = {name: load_with_metadata(name) for name in module_names}
    texts = {WRAPPER_MODULE: wrapper_module_text(modules), INFO_MODULE: info_module_text(modules)}
    for name, text in texts.items():
        if not text.isascii():
            raise GleichplanError(f"Das erzeugte VBA-Modul {name} enthält Zeichen außerhalb von ASCII.")
    return {name: _crlf(text) for name, text in texts.items()}


def stale_files(folder: Path) -> list[Path]:
    """The generated ``.bas`` files in ``folder`` that are missing or differ from the generator."""
    return [folder / f"{name}.bas" for name, text in generated_modules().items()
            if not (folder / f"{name}.bas").is_file() or (folder / f"{name}.bas").read_bytes() != text.encode("ascii")]


def write_generated(folder: Path) -> list[Path]:
    """Write the generated modules into ``folder``; returns the files that changed."""
    changed = []
    for name, text in generated_modules().items():
        path = folder / f"{name}.bas"
        data = text.encode("ascii")
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
            changed.append(path)
    return changed


def main() -> int:
    from .addin import macros_dir

    changed = write_generated(macros_dir())
    for path in changed:
        print(f"VBA-Modul neu erzeugt: {path}")
    if not changed:
        print("Die erzeugten VBA-Module sind aktuell.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
