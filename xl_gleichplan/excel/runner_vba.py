"""xlwings' add-in VBA, changed so that a workbook cannot choose what runs.

xlwings' add-in module reads its settings from a sheet ``xlwings.conf`` in the ACTIVE workbook
and from an ``xlwings.conf`` file in that workbook's folder, puts the folder (and a ``.zip`` of
the workbook's name) on ``sys.path`` and treats sheets named ``*.py`` as code. This add-in opens
workbooks returned by other agencies, so each of these would let a returned ``.xlsx`` (no macros,
no macro warning) pick the interpreter, the DLL or the module path. The changes below, each
required to match exactly once, close them:

* ``GetConfig`` reads only the keys in ``CONFIG_KEYS``, from the machine-wide registry key IT
  writes (``MACHINE_KEY``, HKLM: users cannot write it) or, when that key is absent, from the
  per-user file ``addin install`` writes (``%USERPROFILE%\\.xl-gleichplan\\xl-gleichplan.conf``).
  Every other key gets the add-in's own default.
* The readers of workbook sheets and folders, the embedded-code check and the "Import
  Functions" procedures (which take module names from the workbook) are removed.
* No fallback to "python"/"pythonw" from PATH and no bare ``cmd.exe``: both are searched in the
  current folder first, which Excel sets to the folder of the workbook last opened. Without an
  interpreter setting the buttons and functions refuse with a German message.
* Python starts isolated (``-I``: no current folder, no PYTHON* variables, no user site) and
  without ``xlwings.utils.prepare_sys_path``; the command line carries ``--from_xl=1``, on which
  the action and UDF modules check their own origin (``excel/origin.py``). The interpreter setting
  must be a full path to ``python.exe``/``pythonw.exe`` (``INTERPRETER_PATTERNS``); ``xlwings.pro``
  is blocked in both processes, so no licence key (from the environment, the user's xlwings.conf
  or a workbook's ``xlwings.conf`` sheet) enables xlwings' embedded code.
* ``Option Private Module``: no procedure of the module can be called from a cell
  (``=RunPython(...)``, ``=ReadFile(...)``); RunPython and ExecuteWindows also refuse when the
  caller is a cell. RunFrozenPython and SaveConfigToFile are removed.
* The workbook's name is handed to Python in the process environment (``WORKBOOK_VARIABLE``), not
  on the cmd.exe command line, where cmd.exe would expand ``%VAR%`` in it and xlwings would cut
  it at ``=``.
* macOS: RunPython refuses with a German message before it touches the workbook's name, and the
  AppleScript runner is removed; xlwings' AppleScript puts the name into a shell command
  unquoted (``$(...)`` in a file name would run).
"""
from __future__ import annotations

from ..errors import GleichplanError

PROJECT_NAME = "xl-gleichplan"
MACHINE_KEY = "HKLM\\SOFTWARE\\xl-gleichplan"
# The interpreter setting (Windows only: the add-in refuses to run on macOS).
INTERPRETER_KEY = "INTERPRETER_WIN"
# The only settings a place outside the add-in may give; everything else is the add-in's default.
CONFIG_KEYS = (INTERPRETER_KEY, "USE UDF SERVER", "SHOW CONSOLE")
PYTHON_FLAGS = "-I -B"
# Run first in every Python the add-in starts: with xlwings.pro unimportable, xlwings never turns
# on PRO features (embedded code from *.py sheets), whatever licence key is around.
NO_XLWINGS_PRO = "import sys;sys.modules['xlwings.pro']=None;"
# The calling workbook's name, for Python (excel/actions.py); set in Excel's process environment.
WORKBOOK_VARIABLE = "XL_GLEICHPLAN_WORKBOOK"
# INTERPRETER_WIN as VBA `Like` patterns of the lower-cased value (fnmatch reads them the same way):
# a full local or UNC path to python.exe/pythonw.exe. A bare "python" or a relative path would be
# looked up in Excel's current folder (the folder of the workbook last opened).
INTERPRETER_PATTERNS = ("[a-z]:\\*\\python.exe", "[a-z]:\\*\\pythonw.exe",
                        "\\\\?*\\*\\python.exe", "\\\\?*\\*\\pythonw.exe")


def is_full_python_path(value: str) -> bool:
    """What the add-in's IsFullPythonPath accepts as INTERPRETER_WIN."""
    from fnmatch import fnmatchcase

    lowered = value.lower()
    return ('"' not in lowered and "%" not in lowered
            and any(fnmatchcase(lowered, pattern) for pattern in INTERPRETER_PATTERNS))

_GET_CONFIG = '''Function GetConfig(configKey As String, Optional default As String = "", Optional source As String = "") As Variant
    ' xl_gleichplan: only the keys below, and only from places a workbook cannot reach: the
    ' machine-wide registry key IT writes (then nothing else is read), else the user's own file.
    ' Never from the active workbook, its sheets or its folder.
    Dim configValue As String
    GetConfig = default
    Select Case UCase$(configKey)
    Case {keys}
        If MachineConfig("INTERPRETER_WIN", configValue) Then
            If MachineConfig(configKey, configValue) Then GetConfig = configValue
        ElseIf GetConfigFromFile(GetConfigFilePath(), configKey, configValue) Then
            GetConfig = configValue
        End If
    End Select
    If UCase$(configKey) = "INTERPRETER_WIN" Then
        If Not IsFullPythonPath(CStr(GetConfig)) Then GetConfig = default
    End If
End Function

Function IsFullPythonPath(ByVal path As String) As Boolean
    ' Only a full path to python(w).exe: a bare name or a relative path is searched for in Excel's
    ' current folder, the folder of the workbook opened last.
    path = LCase$(path)
    If InStr(path, Chr(34)) > 0 Or InStr(path, "%") > 0 Then Exit Function
    IsFullPythonPath = {like}
End Function

Function CalledFromCell() As Boolean
    ' A formula in a workbook must never start Python (=RunPython(...) in a returned workbook).
    On Error Resume Next
    CalledFromCell = (TypeName(Application.Caller) = "Range")
End Function

Function MachineConfig(configKey As String, configValue As String) As Boolean
    ' A value under {machine_key} (HKLM: only administrators write it).
    #If Mac Then
        MachineConfig = False
    #Else
        Dim value As Variant
        On Error Resume Next
        value = WScript.RegRead("{machine_key}\\" & configKey)
        If Err.Number = 0 Then
            configValue = CStr(value)
            MachineConfig = True
        End If
        On Error GoTo 0
    #End If
End Function
'''.replace("{like}", " Or ".join(f'path Like "{p}"' for p in INTERPRETER_PATTERNS)).replace("{keys}", ", ".join(f'"{key}"' for key in CONFIG_KEYS)).replace("{machine_key}", MACHINE_KEY)

_NOT_SET_UP = ('"Gleichstellungsplan: Python ist f" & ChrW(252) & "r das Add-in nicht oder nicht mit vollem Pfad '
               'zu python.exe eingerichtet. Bitte an die IT wenden (xl-gleichplan addin status)."')
_NO_MAC = ('"Gleichstellungsplan: Das Add-in l" & ChrW(228) & "uft unter macOS nicht (aus Sicherheitsgr" & ChrW(252) & '
           '"nden). Bitte Excel unter Windows oder die Befehlszeile (xl-gleichplan) verwenden."')

# (old, new[, count]): `old` must occur exactly `count` (default 1) times in xlwings_custom_addin.bas.
_REPLACEMENTS = (
    # no procedure of the module is a worksheet function
    ('Attribute VB_Name = "xlwings"\n', 'Attribute VB_Name = "xlwings"\nOption Private Module\n'),
    ('    SourcePythonCommand = PythonCommand\n', f'''    ' xl_gleichplan: never from a formula, never on macOS (xlwings' AppleScript puts the
    ' workbook's name into a shell command)
    If CalledFromCell() Then Exit Function
    #If Mac Then
        MsgBox {_NO_MAC}, vbCritical, "Gleichstellungsplan"
        Exit Function
    #End If
    SourcePythonCommand = PythonCommand
'''),
    ('        ExecuteMac PythonCommand, interpreter, PYTHONPATH\n', ""),
    ('Public Const PROJECT_NAME As String = "myaddin"', f'Public Const PROJECT_NAME As String = "{PROJECT_NAME}"'),
    # RunPython: no embedded code from .py sheets, never the workbook's folder on sys.path
    ('''    ' Check for embedded Python code
    uses_embedded_code = False
    For i = 1 To 2
        If i = 1 Then
            Set wb = ActiveWorkbook
        Else
            Set wb = ThisWorkbook
        End If
        For Each sht In wb.Worksheets
            If Right$(sht.Name, 3) = ".py" Then
                uses_embedded_code = True
                Exit For
            End If
        Next
    Next i

    If uses_embedded_code = True Then
        AddExcelDir = "false"
    Else
        AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")
    End If
''', '''    ' xl_gleichplan: no embedded code, never the workbook's folder on sys.path
    uses_embedded_code = False
    AddExcelDir = "false"
'''),
    # ExecuteWindows: isolated Python, no prepare_sys_path
    ('''RunCommand = CondaCmd & PythonInterpreter & " -B -c ""import xlwings.utils;xlwings.utils.prepare_sys_path(\\""" & PYTHONPATH & "\\""); " & PythonCommand & """ "''',
     f'''RunCommand = CondaCmd & PythonInterpreter & " {PYTHON_FLAGS} -c ""{NO_XLWINGS_PRO}" & PythonCommand & """ "'''),
    # ExecuteWindows: not from a formula; the workbook's name in the environment, not on the command line
    ('''    Dim ShowConsole As Integer
    Dim TempDir As String
''', '''    Dim ShowConsole As Integer
    Dim TempDir As String
    If CalledFromCell() Then
        ExecuteWindows = -1
        Exit Function
    End If
'''),
    ('''    ExitCode = WScript.Run("cmd.exe /C " & DriveCommand & _
                       RunCommand & _
                       " --wb=" & """" & ActiveWorkbook.Name & """ --from_xl=1" & " --app=" & Chr(34) & _''',
     f'''    ' xl_gleichplan: cmd.exe would expand %VAR% in the name, xlwings would cut it at "="
    WScript.Environment("Process")("{WORKBOOK_VARIABLE}") = ActiveWorkbook.Name
    ExitCode = WScript.Run("cmd.exe /C " & DriveCommand & _
                       RunCommand & _
                       " --from_xl=1" & " --app=" & Chr(34) & _'''),
    # no interpreter from PATH (RunPython; XLPyCommand and XLPyLoadDLL for the UDFs)
    ('''    If interpreter = "" Then
        ' Legacy
        interpreter = GetConfig("INTERPRETER", "python")
    End If''', f'''    If interpreter = "" Then
        MsgBox {_NOT_SET_UP}, vbCritical, "Gleichstellungsplan"
        Exit Function
    End If'''),
    ('''    If PYTHON_WIN = "" Then
        ' Legacy
        PYTHON_WIN = GetConfig("INTERPRETER", "pythonw")
    End If''', f'''    If PYTHON_WIN = "" Then
        Err.Raise 1000, Description:={_NOT_SET_UP}
    End If''', 2),
    # cmd.exe by its full path (RunPython's WScript.Run, the UDF server's command)
    ('"cmd.exe ', 'Environ("SystemRoot") & "\\System32\\cmd.exe ', 3),
    # XLPyCommand (the UDF server)
    ('''    ' TODO: Doesn't automatically check if code is embedded
    AddExcelDir = GetConfig("ADD_WORKBOOK_TO_PYTHONPATH", "true")''',
     '''    AddExcelDir = "false"  ' xl_gleichplan: never the workbook's folder'''),
    ('''tail = " -B -c ""import sys, os;" & LicenseKeyEnvString & "import xlwings.utils;xlwings.utils.prepare_sys_path(\\""" & PYTHONPATH & "\\"");import xlwings; xlwings.serve('$(CLSID)')"""''',
     f'''tail = " {PYTHON_FLAGS} -c ""{NO_XLWINGS_PRO}import xlwings; xlwings.serve('$(CLSID)')"" --from_xl=1"'''),
)

# Procedures removed whole: (first line, end marker). They read settings or module names from a
# workbook, or write VBA into it; nothing left in the module calls them (checked below).
_REMOVED = {
    "GetConfig": ("Function GetConfig(configKey As String", "End Function\r\n"),
    # worksheet-callable in xlwings: run any executable, write any file (Startup folder, settings)
    "RunFrozenPython": ("Public Function RunFrozenPython(", "End Function\r\n"),
    "SaveConfigToFile": ("Function SaveConfigToFile(", "End Function\r\n"),
    # the AppleScript runner: macOS is refused in RunPython
    "ExecuteMac": ("Sub ExecuteMac(", "End Sub\r\n"),
    "GetDirectoryPath": ('#If App = "Microsoft Excel" Then\r\nFunction GetDirectoryPath(', "End Function\r\n"),
    "GetDirectoryConfigFilePath": ("Function GetDirectoryConfigFilePath()", "End Function\r\n"),
    "GetConfigFromSheet": ('#If App = "Microsoft Excel" Then\r\nFunction GetConfigFromSheet(', "End Function\r\n#End If\r\n"),
    "GetFullName": ('#If App = "Microsoft Excel" Then\r\nFunction GetFullName(', "End Function\r\n#End If\r\n"),
    "GetUdfModules": ('#If App = "Microsoft Excel" Then\r\nFunction GetUdfModules(', "End Function\r\n"),
    "ImportPythonUDFsBase": ("Sub ImportPythonUDFsBase(", "End Sub\r\n"),
    "ImportPythonUDFs": ("Sub ImportPythonUDFs()", "End Sub\r\n"),
    "ImportPythonUDFsToAddin": ("Sub ImportPythonUDFsToAddin()", "End Sub\r\n"),
    "ImportXlwingsUdfsModule": ("Sub ImportXlwingsUdfsModule(", "End Sub\r\n"),
}
REMOVED_PROCEDURES = tuple(_REMOVED)


def _unsupported(what: str) -> GleichplanError:
    return GleichplanError(f"Das VBA-Modul von xlwings hat nicht den erwarteten Aufbau ({what}); diese "
                           "xlwings-Version wird vom Add-in-Bau nicht unterstützt.")


def harden(source: str) -> str:
    """xlwings' add-in module (CRLF) with the changes described above."""
    text = source
    for old, new, *count in _REPLACEMENTS:
        old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
        if text.count(old) != (count[0] if count else 1):
            raise _unsupported(old.split("\r\n")[0].strip()[:60])
        text = text.replace(old, new)
    for name, (start, end) in _REMOVED.items():
        begin = text.find(start)
        if begin < 0 or text.count(start) != 1:
            raise _unsupported(name)
        stop = text.index(end, begin) + len(end)
        replacement = _GET_CONFIG.replace("\n", "\r\n") if name == "GetConfig" else ""
        text = text[:begin] + replacement + text[stop:]
    for name in REMOVED_PROCEDURES[1:]:
        if name in text:
            raise _unsupported(f"{name} wird noch verwendet")
    return text
