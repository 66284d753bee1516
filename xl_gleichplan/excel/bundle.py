"""An offline bundle for installing the add-in on many Windows PCs: ``xl-gleichplan addin bundle``.

The package is not on PyPI and PCs in an agency often cannot reach a package index. The bundle
holds everything an installation needs:

* ``wheels/``: xl_gleichplan and every dependency, as binary wheels for Windows x64 and the
  chosen Python version (``pip download --platform win_amd64 --only-binary=:all:``). pip
  evaluates environment markers for the machine it runs on, not for the target, so dependencies
  that only Windows needs (``pywin32`` for xlwings, ``colorama`` for tqdm) are added by
  evaluating every wheel's ``Requires-Dist`` for Windows, until nothing is missing.
* ``gleichplan.xlam``: the add-in shipped in the package.
* ``requirements.txt``: every wheel pinned with its SHA-256, for ``pip install --require-hashes``.
* ``install.ps1`` / ``install.cmd``: a machine-wide installation (administrator): checks every
  file against ``SHA256SUMS``, requires a base Python installed for all users under Program
  Files, locks the target folder down (owner Administrators, rights replaced in the whole tree)
  before it writes a venv there, runs every Python isolated (``-I``: as administrator, a
  ``venv.py`` in the current folder must not be imported), puts the add-in in Excel's machine
  XLSTART and the interpreter in HKLM (both registry views); ``uninstall.ps1`` undoes it.
* ``SHA256SUMS``: a checksum per file, checked by the install script.

The bundle is written into a temporary folder beside the target and renamed when complete; an
existing target folder is never overwritten.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from ..errors import GleichplanError, OutputError
from ..io.atomic import reason
from . import runner_vba

PLATFORM = "win_amd64"
PYTHON_VERSION = "3.11"
# What pip would see on the target: a 64-bit CPython on Windows (packaging.markers names)
_WINDOWS = {"os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
            "platform_release": "10", "platform_version": "10.0.19045", "implementation_name": "cpython",
            "platform_python_implementation": "CPython", "extra": ""}
_MAX_ROUNDS = 5


def _run_pip(args: list[str]) -> None:
    """pip in this interpreter; a failure becomes a German message with pip's last lines."""
    result = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise GleichplanError(f"pip ist gescheitert (pip {args[0]}); ohne Verbindung zum Paketindex lässt sich das "
                              f"Paket nicht bauen. Bitte mit Verbindung zum Paketindex wiederholen (oder die fehlenden Pakete als "
                              f"Wheels in einen Ordner legen und mit --wheelhouse ORDNER angeben). Meldung von pip:\n{tail}")


def _source_root() -> Path:
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise GleichplanError("Das Installationspaket wird aus einem Quellstand von xl_gleichplan gebaut "
                              "(mit pyproject.toml); diese Installation ist keiner.")
    return root


def _requirements(wheel: Path) -> list[str]:
    """Requires-Dist lines of a wheel's METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        text = archive.read(name).decode("utf-8", errors="replace")
    header = text.split("\n\n", 1)[0]
    return [line.split(":", 1)[1].strip() for line in header.splitlines() if line.startswith("Requires-Dist:")]


def _project(filename: str) -> str:
    """The project of a wheel file name (its first part), normalised as pip compares names."""
    from packaging.utils import canonicalize_name

    return canonicalize_name(filename.split("-", 1)[0])


def missing_for_windows(wheels: list[Path], python_version: str = PYTHON_VERSION) -> list[str]:
    """Requirements that a wheel needs on Windows and that no wheel in ``wheels`` provides."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    have = {_project(w.name) for w in wheels}
    environment = dict(_WINDOWS, python_version=python_version, python_full_version=f"{python_version}.0",
                       implementation_version=f"{python_version}.0")
    missing: dict[str, str] = {}
    for wheel in wheels:
        for line in _requirements(wheel):
            requirement = Requirement(line)
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            name = canonicalize_name(requirement.name)
            if name not in have:
                missing[name] = str(Requirement(line)).split(";")[0].strip()
    return sorted(missing.values())


def _download(requirements: list[str], dest: Path, python_version: str, find_links: Path | None) -> None:
    args = ["download", "--dest", str(dest), "--only-binary=:all:", "--platform", PLATFORM,
            "--python-version", python_version, "--implementation", "cp", "--disable-pip-version-check"]
    if find_links is not None:
        args += ["--no-index", "--find-links", str(find_links)]
    _run_pip(args + requirements)


def hashed_requirements(wheels: list[Path]) -> str:
    """One ``name==version --hash=sha256:...`` line per wheel: pip installs exactly these files."""
    lines = []
    for wheel in wheels:
        name, version = wheel.name.split("-")[:2]
        lines.append(f"{_project(name)}=={version} --hash=sha256:{hashlib.sha256(wheel.read_bytes()).hexdigest()}\n")
    return "".join(lines)


def build_bundle(out: str | os.PathLike, *, python_version: str = PYTHON_VERSION,
                 find_links: str | os.PathLike | None = None) -> list[str]:
    """Write the offline bundle to the new folder ``out``; German report lines."""
    from .addin import ADDIN_NAME, packaged_addin

    target = Path(out)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise OutputError(f"Der Ordner {target} existiert schon und ist nicht leer; bitte einen neuen Ordner angeben "
                          "(ein vorhandenes Installationspaket wird nicht überschrieben).")
    links = Path(find_links) if find_links is not None else None
    addin_file = packaged_addin()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".~bundle-", dir=target.parent))
    except OSError as exc:
        raise OutputError(f"Der Ordner {target.parent} kann nicht angelegt werden: {reason(exc)}. Bitte einen "
                          f"Zielordner angeben, in dem Sie schreiben dürfen.") from None
    try:
        wheels = work / "wheels"
        wheels.mkdir()
        offline = ["--no-index", "--find-links", str(links)] if links is not None else []
        # (the build backend, setuptools, comes from the index or the wheelhouse like everything else)
        # built from a copy: pip builds in the source folder and would leave build/ and *.egg-info there
        source = work / "quelle"
        root = _source_root()
        shutil.copytree(root / "xl_gleichplan", source / "xl_gleichplan", ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, source / name)
        _run_pip(["wheel", "--no-deps", "--disable-pip-version-check", *offline,
                  "--wheel-dir", str(wheels), str(source)])
        shutil.rmtree(source)
        own = sorted(wheels.glob("*.whl"))
        if len(own) != 1:
            raise GleichplanError("pip hat aus dem Quellstand kein Paket xl_gleichplan gebaut. Bitte prüfen, ob "
                                  "„pip wheel .“ im Quellordner von Hand gelingt, und die Meldung an die Entwicklung geben.")
        _download([str(own[0])], wheels, python_version, links)
        for _ in range(_MAX_ROUNDS):
            missing = missing_for_windows(sorted(wheels.glob("*.whl")), python_version)
            if not missing:
                break
            _download(missing, wheels, python_version, links)
        else:
            raise GleichplanError("Die Abhängigkeiten für Windows ließen sich nicht vollständig laden: "
                                  + ", ".join(missing) + ". Bitte diese Pakete für Windows (win_amd64) als Wheels in "
                                  "einen Ordner legen und mit --wheelhouse ORDNER angeben.")
        shutil.copyfile(addin_file, work / ADDIN_NAME)
        (work / "requirements.txt").write_text(hashed_requirements(sorted(wheels.glob("*.whl"))), encoding="ascii")
        for name, text in _scripts(python_version).items():
            # CRLF: Windows PowerShell 5.1 and cmd.exe read these files
            (work / name).write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig" if name.endswith(".ps1")
                                                                       else "ascii"))
        files = sorted(p for p in work.rglob("*") if p.is_file())
        sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(work).as_posix()}\n"
                       for p in files)
        (work / "SHA256SUMS").write_text(sums, encoding="ascii")
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(work, target)
    except OSError as exc:
        raise OutputError(f"Das Installationspaket kann nicht nach {target} geschrieben werden: {reason(exc)}. Bitte "
                          f"einen anderen Zielordner angeben (--out ORDNER).") from None
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    count = sum(1 for p in target.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return [f"Installationspaket erstellt: {target}",
            f"{count} Dateien, {size / 1e6:.1f} MB, davon {len(list((target / 'wheels').glob('*.whl')))} Pakete "
            f"für Windows x64 und Python {python_version}.",
            "Installation auf jedem PC (als Administrator): install.cmd – Einzelheiten in docs/excel-addin.md."]


# ---------------------------------------------------------------------------- scripts

def _scripts(python_version: str) -> dict[str, str]:
    install = _INSTALL.replace("@PYVER@", python_version).replace("@KEY@", runner_vba.MACHINE_KEY)
    uninstall = _UNINSTALL.replace("@KEY@", runner_vba.MACHINE_KEY)
    return {"install.ps1": install, "uninstall.ps1": uninstall, "install.cmd": _INSTALL_CMD}


_INSTALL_CMD = """@echo off
rem xl-gleichplan fuer alle Benutzer dieses PCs installieren (als Administrator).
powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0install.ps1" %*
exit /b %ERRORLEVEL%
"""

_INSTALL = r"""# xl-gleichplan: Installation für alle Benutzer dieses PCs, ohne Paketindex.
# Aufruf als Administrator:  install.cmd  [-Python C:\Pfad\python.exe] [-Ziel "C:\Program Files\xl-gleichplan"] [-OhneXlstart]
#Requires -RunAsAdministrator
param(
    [string]$Python = "",
    [string]$Ziel = "$env:ProgramFiles\xl-gleichplan",
    [switch]$OhneXlstart
)
$ErrorActionPreference = "Stop"
$hier = Split-Path -Parent $MyInvocation.MyCommand.Path
# Every Python below runs isolated (-I): as administrator, a venv.py or struct.py in the current
# folder (Downloads, a share) must not be imported.

# 0. Jede Datei des Pakets muss zu SHA256SUMS passen (Kopie auf der Freigabe unverändert)
foreach ($zeile in Get-Content -Encoding Ascii -LiteralPath "$hier\SHA256SUMS") {
    $summe, $datei = $zeile -split "  ", 2
    $ist = (Get-FileHash -Algorithm SHA256 -LiteralPath (Join-Path $hier $datei)).Hash.ToLower()
    if ($ist -ne $summe) { throw "Die Datei $datei passt nicht zu SHA256SUMS; das Installationspaket ist verändert oder unvollständig." }
}

# 1. Python @PYVER@ (64 Bit, für alle Benutzer unter Program Files installiert) finden
if (-not $Python) {
    try { $Python = & py "-@PYVER@-64" -I -c "import sys; print(sys.executable)" } catch { $Python = "" }
}
if (-not $Python -or -not (Test-Path -LiteralPath $Python)) {
    throw "Python @PYVER@ (64 Bit) wurde nicht gefunden. Bitte zuerst für alle Benutzer installieren oder mit -Python angeben."
}
$Python = (Resolve-Path -LiteralPath $Python).Path
if (-not $Python.StartsWith("$env:ProgramFiles\", [StringComparison]::OrdinalIgnoreCase)) {
    throw "$Python ist keine Installation für alle Benutzer unter $env:ProgramFiles; Benutzer könnten sie verändern. Bitte Python @PYVER@ für alle Benutzer installieren."
}
& $Python -I -c "import struct, sys; sys.exit(0 if sys.version_info[:2] == tuple(map(int, '@PYVER@'.split('.'))) and struct.calcsize('P') == 8 else 1)"
if ($LASTEXITCODE -ne 0) { throw "$Python ist nicht Python @PYVER@ (64 Bit)." }

# 2. Zielordner: Besitzer Administratoren, alle Rechte im ganzen Baum ersetzt (auch in einem
#    schon vorhandenen Ordner), dann Administratoren und System ändern, Benutzer lesen und führen aus
if (-not [IO.Path]::IsPathRooted($Ziel)) { throw "-Ziel muss ein vollständiger Pfad sein (z. B. C:\Program Files\xl-gleichplan)." }
New-Item -ItemType Directory -Force -Path $Ziel | Out-Null
icacls "$Ziel" /setowner "*S-1-5-32-544" /T /C | Out-Null
if ($LASTEXITCODE -ne 0) { throw "Der Besitzer von $Ziel konnte nicht gesetzt werden." }
icacls "$Ziel" /reset /T /C | Out-Null
icacls "$Ziel" /inheritance:r /grant:r "*S-1-5-32-544:(OI)(CI)F" "*S-1-5-18:(OI)(CI)F" "*S-1-5-32-545:(OI)(CI)RX" | Out-Null
if ($LASTEXITCODE -ne 0) { throw "Die Rechte von $Ziel konnten nicht gesetzt werden." }

# 3. Umgebung, neu angelegt (--clear: nichts Vorhandenes bleibt), nur aus den mitgelieferten
#    Paketen mit ihren Prüfsummen
& $Python -I -m venv --clear "$Ziel\venv"
if ($LASTEXITCODE -ne 0) { throw "Die Python-Umgebung $Ziel\venv konnte nicht angelegt werden." }
$venvPython = "$Ziel\venv\Scripts\python.exe"
& $venvPython -I -m pip install --no-index --find-links "$hier\wheels" --require-hashes --only-binary=:all: --disable-pip-version-check -r "$hier\requirements.txt"
if ($LASTEXITCODE -ne 0) { throw "Die Installation der Pakete ist gescheitert." }
Copy-Item -Force "$hier\gleichplan.xlam" "$Ziel\gleichplan.xlam"
# Kam das Paket aus dem Internet oder einer E-Mail, trägt die Kopie die Markierung „aus dem
# Internet“ (Mark of the Web), und Excel blockiert ihre Makros.
Unblock-File -Path "$Ziel\gleichplan.xlam"

# 4. Einstellung für das Add-in in HKLM (Benutzer können sie nicht ändern); beide Ansichten,
#    denn 32-Bit-Office liest WOW6432Node
foreach ($ansicht in "64", "32") {
    reg.exe add "@KEY@" /v INTERPRETER_WIN /t REG_SZ /d "$venvPython" /f /reg:$ansicht | Out-Null
    if ($LASTEXITCODE -ne 0) { throw "Der Registrierungsschlüssel @KEY@ konnte nicht geschrieben werden." }
}

# 5. Das Add-in in den XLSTART-Ordner von Excel für alle Benutzer
if (-not $OhneXlstart) {
    $excel = (Get-ItemProperty "HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe" -ErrorAction SilentlyContinue).'(default)'
    if (-not $excel) { throw "Excel wurde nicht gefunden; mit -OhneXlstart installieren und das Add-in je Benutzer einbinden (docs/excel-addin.md)." }
    $xlstart = Join-Path (Split-Path -Parent $excel) "XLSTART"
    New-Item -ItemType Directory -Force -Path $xlstart | Out-Null
    Copy-Item -Force "$Ziel\gleichplan.xlam" "$xlstart\gleichplan.xlam"
    Write-Output "Add-in: $xlstart\gleichplan.xlam"
}

# 6. Rauchtest: was Excel verwenden wird
& $venvPython -I -m xl_gleichplan addin status
Write-Output "Installiert. Bitte Excel neu starten und die Prüfliste in docs/excel-addin.md abarbeiten."
"""

_UNINSTALL = r"""# xl-gleichplan entfernen (als Administrator):
# powershell -ExecutionPolicy Bypass -File uninstall.ps1 [-Ziel "C:\Program Files\xl-gleichplan"]
#Requires -RunAsAdministrator
param([string]$Ziel = "$env:ProgramFiles\xl-gleichplan")
$ErrorActionPreference = "Stop"
$excel = (Get-ItemProperty "HKLM:\SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe" -ErrorAction SilentlyContinue).'(default)'
if ($excel) { Remove-Item -Force -ErrorAction SilentlyContinue (Join-Path (Split-Path -Parent $excel) "XLSTART\gleichplan.xlam") }
foreach ($ansicht in "64", "32") { reg.exe delete "@KEY@" /f /reg:$ansicht 2>$null | Out-Null }
if (Test-Path $Ziel) { Remove-Item -Recurse -Force $Ziel }
Write-Output "xl-gleichplan entfernt."
"""
