"""Started from Excel, the add-in's Python must come from the installation, never from a workbook's folder.

The add-in starts Python isolated (``-I``) and without xlwings' ``prepare_sys_path``
(``excel/runner_vba.py``), so neither the current folder, nor ``PYTHONPATH``, nor the folder of
the active workbook is on ``sys.path``. ``check()`` runs when the action and UDF modules are
imported and verifies exactly that whenever Python was started by the add-in (``--from_xl=1`` on
the command line, as RunPython and the UDF server pass it): an older or altered add-in that would
let a returned workbook contribute modules (a lazily imported ``docx`` beside it, say) is refused
before anything else is imported. Run from the command line or the tests, nothing is checked.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import GleichplanError

STARTED_FROM_EXCEL = "--from_xl=1"


def _installation_roots() -> list[Path]:
    """Where an isolated interpreter takes modules from: its prefixes, the folders that ``.pth``
    files in its site-packages name (editable installs), and this package's own root."""
    import site

    roots = {Path(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    roots.add(Path(__file__).resolve().parents[2])
    for site_dir in site.getsitepackages():
        for pth in sorted(Path(site_dir).glob("*.pth")):
            try:
                lines = pth.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            roots.update(Path(site_dir, line.strip()) for line in lines
                         if line.strip() and not line.startswith(("#", "import ", "import\t")))
    return [root.resolve() for root in roots]


def problems(path: list[str] | None = None, isolated: bool | None = None) -> list[str]:
    """What is wrong with ``sys.path`` (or ``path``) for a start from Excel; empty when all is well."""
    path = sys.path if path is None else path
    isolated = bool(sys.flags.isolated) if isolated is None else isolated
    found = [] if isolated else ["Python wurde nicht isoliert gestartet (Schalter -I fehlt)"]
    roots = _installation_roots()
    for entry in path:
        if entry in ("", "."):
            found.append("der aktuelle Ordner steht im Suchpfad")
            continue
        resolved = Path(entry).resolve()
        if not any(resolved == root or root in resolved.parents for root in roots):
            found.append(f"der Suchpfad enthält einen Ordner außerhalb der Installation: {entry}")
    return found


def check(argv: list[str] | None = None) -> None:
    """Refuse to run when started from Excel with modules from outside the installation."""
    if STARTED_FROM_EXCEL not in (sys.argv if argv is None else argv):
        return
    found = problems()
    if found:
        raise GleichplanError(
            "Das Add-in hat Python so gestartet, dass Programmcode aus dem Ordner einer Arbeitsmappe "
            "geladen werden könnte (" + "; ".join(found) + "). Aus Sicherheitsgründen wird nichts "
            "ausgeführt. Bitte das Add-in von der IT neu installieren lassen (xl-gleichplan addin install)."
        )
