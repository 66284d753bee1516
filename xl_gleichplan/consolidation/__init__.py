"""Consolidation: many agencies' Erhebungsbögen -> one summary, roll-ups at every level, a history.

    from xl_gleichplan import consolidate
    c = consolidate(["eingang/2025"], today=date(2026, 4, 1), history="verlauf/", hierarchy="zuordnung.csv")
    c.agencies, c.rollups, c.totals, c.findings, c.history      # tidy pandas DataFrames
    c.write_workbook("uebersicht.xlsx"); c.write_history(); c.write_json("uebersicht.json")

The command ``xl-gleichplan consolidate`` is ``run_cli`` below. Modules: ``batch`` (find and read
the files in worker processes), ``hierarchy`` (who reports to whom), ``core`` (the tables),
``history`` (the CSV over the Stichtage), ``output`` (summary workbook and JSON).
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import GleichplanError

__all__ = ["Consolidation", "consolidate", "run_cli"]


def __getattr__(name: str):
    """``consolidate`` and ``Consolidation`` load pandas (0.6 s): only when they are asked for, so
    ``import xl_gleichplan`` stays fast for the other commands and the Excel add-in."""
    if name in ("Consolidation", "consolidate"):
        from . import core

        return getattr(core, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_cli(args) -> int:
    """``xl-gleichplan consolidate``: returns the exit code (0: every file read, or --allow-partial
    and at least one read; 1 otherwise)."""
    from ..texts import fmt_int
    from .core import consolidate

    if args.jobs is not None and args.jobs < 1:
        raise GleichplanError("--jobs braucht eine Zahl ab 1.")
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise GleichplanError(f"Die Übersicht wird als .xlsx geschrieben; bitte bei --out einen Dateinamen auf .xlsx "
                              f"angeben (nicht „{out.name}“).")
    from .history import history_path

    history = history_path(args.history) if args.history else None
    c = consolidate(args.inputs, today=args.today, history=history, hierarchy=args.hierarchy, jobs=args.jobs,
                    profile=getattr(args, "profile", None),
                    check_formulas=args.check_formulas, exclude=[out, args.json, history],
                    leadership_target=args.zielwert)
    written = [f"Übersicht geschrieben: {c.write_workbook(out)}"]
    if history is not None:
        c.write_history(history)
        n = len(c.stichtage_in_history())
        written.append(f"Verlauf geschrieben: {history} ({n} {'Stichtag' if n == 1 else 'Stichtage'}, "
                       f"{fmt_int(len(c.history))} Zeilen)")
    if args.json:
        written.append(f"JSON geschrieben: {c.write_json(args.json)}")
    problems = c.files[c.files["status"] != "processed"]
    if len(problems):
        print("Nicht gelesen oder übersprungen:", file=sys.stderr)
        for row in problems.itertuples(index=False):
            word = "übersprungen" if row.status == "skipped" else "FEHLER"
            print(f"  {word}: {row.path}\n    {row.reason}", file=sys.stderr)
    for line in written:
        print(line)
    errors = int((c.agencies["errors"] > 0).sum()) if len(c.agencies) else 0
    print(f"{fmt_int(c.processed)} verarbeitet, {fmt_int(c.skipped)} übersprungen, {fmt_int(c.failed)} fehlgeschlagen"
          + (f"; {fmt_int(errors)} der verarbeiteten Erhebungsbögen mit Fehlern in den Daten (Blatt „Feststellungen“)."
             if errors else "."))
    if c.failed == 0 and c.processed:
        return 0
    if c.failed and c.processed and args.allow_partial:
        print(f"Mit --allow-partial: {fmt_int(c.failed)} Dateien fehlen in den Summen; das Ergebnis gilt trotzdem als "
              f"Erfolg.", file=sys.stderr)
        return 0
    if c.failed:
        print(f"{fmt_int(c.failed)} Dateien konnten nicht gelesen werden und fehlen in allen Summen (Exit-Code 1). "
              f"Bitte die Gründe oben prüfen; mit --allow-partial gilt ein Teilergebnis als Erfolg.", file=sys.stderr)
    else:
        print("Keine Arbeitsmappe konnte verarbeitet werden (Exit-Code 1).", file=sys.stderr)
    return 1
