"""The offline bundle (`xl-gleichplan addin bundle`), with pip replaced by a fake that writes
small wheels: no network. A real bundle is built by hand (docs/excel-addin.md)."""
from __future__ import annotations

import argparse
import hashlib
import zipfile
from pathlib import Path

import pytest

from xl_gleichplan.errors import GleichplanError, OutputError
from xl_gleichplan.excel import addin, bundle

# The fake index: what each project requires (markers as the real packages write them).
INDEX = {
    "xl_gleichplan": ["xlwings>=0.33", "tqdm>=4.60"],
    "xlwings": ['pywin32>=224; platform_system == "Windows"', 'psutil>=2; sys_platform == "darwin"',
                'appscript>=1.0.1; sys_platform == "darwin"'],
    "tqdm": ['colorama; platform_system == "Windows"'],
    "pywin32": [],
    "colorama": [],
}


def _wheel(folder: Path, project: str) -> Path:
    path = folder / f"{project}-1.0-py3-none-any.whl"
    metadata = "Metadata-Version: 2.1\nName: {}\nVersion: 1.0\n{}\n\nDescription\nRequires-Dist: fake\n".format(
        project, "".join(f"Requires-Dist: {line}\n" for line in INDEX[project]))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{project}-1.0.dist-info/METADATA", metadata)
    return path


def _requirements(args: list[str]) -> list[str]:
    """The requirements of a `pip download` call: its arguments that are neither options nor their values."""
    with_value = {"--dest", "--platform", "--python-version", "--implementation", "--find-links"}
    return [a for i, a in enumerate(args[1:], 1) if not a.startswith("-") and args[i - 1] not in with_value]


@pytest.fixture
def pip(monkeypatch):
    calls: list[list[str]] = []

    def fake(args):
        calls.append(args)
        dest = Path(args[args.index("--wheel-dir" if args[0] == "wheel" else "--dest") + 1])
        if args[0] == "wheel":
            _wheel(dest, "xl_gleichplan")
            return
        for requirement in _requirements(args):
            name = "xl_gleichplan" if requirement.endswith(".whl") else requirement.split(">")[0].split("=")[0]
            wanted = [name] + ([r.split(">")[0] for r in INDEX[name] if ";" not in r] if name == "xl_gleichplan" else [])
            for project in wanted:
                if not (dest / f"{project}-1.0-py3-none-any.whl").exists():
                    _wheel(dest, project)

    monkeypatch.setattr(bundle, "_run_pip", fake)
    return calls


def test_bundle_holds_everything_an_installation_needs(pip, tmp_path):
    out = tmp_path / "verteilung" / "gleichplan-offline"
    lines = bundle.build_bundle(out)
    assert lines[0] == f"Installationspaket erstellt: {out}"
    wheels = sorted(p.name.split("-")[0] for p in (out / "wheels").glob("*.whl"))
    # pywin32 (xlwings) and colorama (tqdm) are needed on Windows only: pip on Linux would not fetch them
    assert wheels == ["colorama", "pywin32", "tqdm", "xl_gleichplan", "xlwings"]
    download = pip[1]
    for flag in (["--platform", "win_amd64"], ["--only-binary=:all:"], ["--python-version", "3.11"]):
        assert all(part in download for part in flag)
    assert sorted(_requirements(pip[2])) == ["colorama", "pywin32>=224"]
    assert (out / addin.ADDIN_NAME).read_bytes() == addin.packaged_addin().read_bytes()
    # checksums of every file
    sums = dict(reversed(line.split("  ")) for line in (out / "SHA256SUMS").read_text().splitlines())
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name != "SHA256SUMS")
    assert sorted(sums) == files
    assert all(hashlib.sha256((out / name).read_bytes()).hexdigest() == digest for name, digest in sums.items())
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".~")]


def test_install_script_writes_what_the_addin_reads(pip, tmp_path):
    out = tmp_path / "b"
    bundle.build_bundle(out)
    script = (out / "install.ps1").read_bytes()
    assert script.startswith(b"\xef\xbb\xbf") and b"\r\n" in script and b"\n" not in script.replace(b"\r\n", b"")
    text = script.decode("utf-8-sig")
    # HKLM, in both registry views: the key the add-in's GetConfig reads (32-bit Office: WOW6432Node)
    assert 'reg.exe add "HKLM\\SOFTWARE\\xl-gleichplan" /v INTERPRETER_WIN' in text
    assert 'foreach ($ansicht in "64", "32")' in text and "/reg:$ansicht" in text
    # python.exe, as `addin install` writes it (the add-in hides the console window itself)
    assert '$venvPython = "$Ziel\\venv\\Scripts\\python.exe"' in text and "pythonw" not in text
    assert "--no-index --find-links" in text and "icacls" in text and "-m xl_gleichplan addin status" in text
    assert "XLSTART" in text and "#Requires -RunAsAdministrator" in text
    assert (out / "install.cmd").read_bytes().decode("ascii").count("install.ps1") == 1


def test_an_existing_bundle_is_never_overwritten(pip, tmp_path):
    out = tmp_path / "b"
    out.mkdir()
    (out / "alt.txt").write_text("bleibt")
    with pytest.raises(OutputError, match="existiert schon und ist nicht leer"):
        bundle.build_bundle(out)
    assert [p.name for p in out.iterdir()] == ["alt.txt"] and pip == []


def test_pip_failure_leaves_nothing_behind(monkeypatch, tmp_path):
    def failing(args):
        raise GleichplanError("pip ist gescheitert")

    monkeypatch.setattr(bundle, "_run_pip", failing)
    with pytest.raises(GleichplanError):
        bundle.build_bundle(tmp_path / "b")
    assert list(tmp_path.iterdir()) == []


def test_cli_bundle(pip, tmp_path, capsys):
    args = argparse.Namespace(action="bundle", out=str(tmp_path / "b"), dry_run=False, target=None,
                              python_version="3.12", wheelhouse=str(tmp_path))
    assert addin.cmd_addin(args) == 0
    assert "Python 3.12" in capsys.readouterr().out
    assert ["--no-index", "--find-links", str(tmp_path)] == pip[1][pip[1].index("--no-index"):][:3]
    args.out = None
    assert addin.cmd_addin(args) == 2
    assert "--out ORDNER" in capsys.readouterr().err


def test_missing_for_windows_evaluates_markers_for_the_target(tmp_path):
    wheels = [_wheel(tmp_path, "xlwings")]
    assert bundle.missing_for_windows(wheels) == ["pywin32>=224"]
    assert bundle.missing_for_windows(wheels + [_wheel(tmp_path, "pywin32")]) == []


def test_install_script_runs_only_checked_files_isolated(pip, tmp_path):
    # Review of issue 12: as administrator, Python ran without -I (a venv.py or struct.py in the
    # current folder, e.g. Downloads, was imported elevated); SHA256SUMS was never checked; an
    # existing -Ziel folder kept its owner and its files' rights; any Python was accepted.
    out = tmp_path / "b"
    bundle.build_bundle(out)
    text = (out / "install.ps1").read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    runs = [line for line in lines if line.lstrip().startswith(("& $Python", "& $venvPython"))
            or "& py " in line]
    assert len(runs) == 5
    assert all(" -I " in line for line in runs), runs
    # every file against SHA256SUMS, before any Python runs
    check = text.index('Get-FileHash -Algorithm SHA256 -LiteralPath (Join-Path $hier $datei)')
    assert text.index('Get-Content -Encoding Ascii -LiteralPath "$hier\\SHA256SUMS"') < check < text.index(runs[0])
    # pip installs exactly the wheels listed with their hashes
    pip_line = next(line for line in runs if " -m pip install " in line)
    assert "--require-hashes" in pip_line and pip_line.endswith('-r "$hier\\requirements.txt"')
    requirements = (out / "requirements.txt").read_text(encoding="ascii").splitlines()
    wheels = sorted((out / "wheels").glob("*.whl"))
    assert requirements == [f"{w.name.split('-')[0].replace('_', '-')}=={w.name.split('-')[1]} "
                            f"--hash=sha256:{hashlib.sha256(w.read_bytes()).hexdigest()}" for w in wheels]
    assert any(r.startswith("xl-gleichplan==1.0 --hash=sha256:") for r in requirements)
    # the target: owner and rights replaced in the whole tree before the venv is (re)created empty
    owner = text.index('icacls "$Ziel" /setowner "*S-1-5-32-544" /T /C')
    reset = text.index('icacls "$Ziel" /reset /T /C')
    grant = text.index('icacls "$Ziel" /inheritance:r /grant:r')
    venv = text.index('& $Python -I -m venv --clear "$Ziel\\venv"')
    assert owner < reset < grant < venv
    # only a Python installed for all users under Program Files
    assert '$Python.StartsWith("$env:ProgramFiles\\", [StringComparison]::OrdinalIgnoreCase)' in text
    assert text.index("$env:ProgramFiles\\") < venv
