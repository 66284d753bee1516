"""The workbook commands behind the CLI and the add-in: make templates, import exports into a
template, write results back. Each returns German lines that say what was written."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from ..errors import GleichplanError, WorkbookError
from ..model import Agency
from ..profiles import load_profile
from ..rules.deadlines import latest_stichtag, stichtag_problem
from . import vocabulary as vocab
from .atomic import same_file
from .tabular import read_table
from .template import write_template
from .workbook_writer import backup, fill_inputs, load, save, unpreservable_parts, write_findings, write_results


# what unpreservable_parts finds, in the clerk's words
LOST = "Diagramme, Bilder, Pivot-Tabellen oder Excel-Erweiterungen wie Datenbalken"


def make_templates(args) -> list[str]:
    profile = load_profile(args.profile)
    if not args.list:
        stichtag = args.stichtag or latest_stichtag(profile)
        profile.route(args.agency_type)
        path = write_template(args.out, profile, Agency(args.agency_name, args.agency_type, args.parent or None), stichtag)
        return [f"Erhebungsbogen geschrieben: {path}"]
    return make_template_batch(Path(args.list), Path(args.out), profile, args.stichtag)


def safe_filename(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in " -_" else "_" for ch in name).strip()
    return "_".join(keep.split())[:80] or "Dienststelle"


def make_template_batch(listing: Path, folder: Path, profile, default_stichtag: date | None) -> list[str]:
    """One prefilled template per agency of a list (name, art, uebergeordnet, stichtag)."""
    table = read_table(listing)
    if "name" not in table.columns:
        raise GleichplanError(f"In der Liste „{listing}“ fehlt die Spalte „name“ (Spalten: name, art, uebergeordnet, stichtag).")
    lines, failed, seen = [], 0, set()
    for i in range(table.rows):
        get = lambda c: table.columns[c].iloc[i] if c in table.columns else ""  # noqa: E731
        name, row = vocab.text(get("name")), table.first_row + i
        if not name:
            continue
        try:
            kind = vocab.text(get("art")) or "landesverwaltung"
            profile.route(kind)
            stichtag = vocab.to_date(get("stichtag")) if vocab.text(get("stichtag")) else (default_stichtag or latest_stichtag(profile))
            if stichtag is None:
                raise GleichplanError(f"Zeile {row}: Der Stichtag „{vocab.text(get('stichtag'))}“ ist kein Datum (TT.MM.JJJJ).")
            problem = stichtag_problem(stichtag)
            if problem:
                raise GleichplanError(f"Zeile {row}: {problem}")
            base = safe_filename(name)
            filename, n = f"{base}.xlsx", 1
            while filename in seen:
                n += 1
                filename = f"{base}_{n}.xlsx"
            seen.add(filename)
            write_template(folder / filename, profile, Agency(name, kind, vocab.text(get("uebergeordnet")) or None), stichtag)
            lines.append(f"  {folder / filename}")
        except GleichplanError as exc:
            failed += 1
            lines.append(f"  Zeile {row} ({name}): nicht erstellt – {exc}")
    return [f"{len(seen)} Erhebungsbögen in „{folder}“ erstellt" + (f", {failed} Zeilen mit Fehlern:" if failed else ":"), *lines]


def import_into(args) -> list[str]:
    from ..io.hr_import import import_exports
    from .workbook_reader import read_workbook

    target = Path(args.into)
    dataset, profile = read_workbook(target)
    if not any((args.export, args.movements, args.committees)):
        raise GleichplanError("Bitte mindestens einen Export angeben: PERSONALBESTAND, --movements oder --committees.")
    imported = import_exports(staff=args.export, movements=args.movements, committees=args.committees,
                              mapping=args.mapping, profile=profile, stichtag=dataset.stichtag, agency=dataset.agency,
                              sheet=getattr(args, "sheet", None), write_mapping=getattr(args, "write_mapping", None))
    errors = [f for f in imported.findings if f.severity == "error"]
    if errors and not getattr(args, "despite_errors", False):
        # the Erhebungsbogen keeps the counts, not the rows that could not be read: a plan from it would
        # look complete
        from ..report.text import listed_findings

        raise GleichplanError(
            f"Die Exporte werden nicht übernommen: {len(errors)} Fehler, und der Erhebungsbogen würde ohne diese "
            f"Zeilen vollständig aussehen.\n{listed_findings(errors)}"
            + "\nBitte den Export berichtigen und erneut importieren. Wer trotzdem übernehmen will, gibt "
              "--trotz-fehlern an; die Fehler stehen dann auf dem Blatt Feststellungen.")
    sheets = ({"stock"} | ({"forecast"} if imported.forecast else set()) if args.export else set()) \
        | ({"movements", "postings"} if args.movements else set()) | ({"committees"} if args.committees else set())
    out = _target(target, args.out, args.in_place, "_gefuellt")
    lost = unpreservable_parts(target)
    if lost and args.in_place:
        raise GleichplanError(f"„{target}“ enthält {LOST}; beim Übernehmen in die Arbeitsmappe selbst gingen sie "
                              f"verloren. Die Arbeitsmappe bleibt unverändert. Bitte ohne --in-place in eine neue Datei "
                              f"übernehmen lassen (--out DATEI) und dort prüfen, oder eine frische Vorlage verwenden.")
    wb = load(target)
    fill_inputs(wb, imported, sheets)
    write_findings(wb, imported.findings)  # what the import noticed stays with the workbook
    lines = _save(wb, target, out, args.in_place)
    if lost:
        lines.append(f"Hinweis: „{target.name}“ enthält {LOST}; sie fehlen in „{out.name}“ (die Arbeitsmappe selbst "
                     f"bleibt unverändert).")
    lines.append(f"Übernommen: {imported.heads} Beschäftigte, {len(imported.movements)} Bewegungszeilen, "
                 f"{len(imported.committees)} Gremien; {len(imported.findings)} Feststellungen, davon {len(errors)} Fehler.")
    from ..report.text import finding_line

    lines += ["  " + finding_line(f) for f in imported.findings]
    return lines


def _target(source: Path, out: str | None, in_place: bool, suffix: str) -> Path:
    if in_place:
        return source
    if out:
        path = Path(out)
        if same_file(path, source):
            raise GleichplanError("Die Zieldatei ist die Arbeitsmappe selbst. Dafür bitte --in-place angeben "
                                  "(es wird dann vorher eine Sicherungskopie angelegt).")
        return path
    return source.with_name(f"{source.stem}{suffix}{'.xlsx' if source.suffix.lower() == '.xlsb' else source.suffix}")


def _save(wb, source: Path, out: Path, in_place: bool) -> list[str]:
    lines = []
    if in_place:
        lines.append(f"Sicherungskopie: {backup(source)}")
    save(wb, out, replaces_input=in_place)
    lines.append(f"Geschrieben: {out}")
    return lines


def write_back(source: Path, analysis, out: str | None = None, in_place: bool = False) -> list[str]:
    """Results and findings into a copy of the workbook (or in place after a backup). A workbook
    with charts or images, or an .xlsb, keeps its own file; the results go into a new workbook."""
    risky = unpreservable_parts(source)
    if source.suffix.lower() == ".xlsb" or risky:
        from openpyxl import Workbook

        why = ("ist eine .xlsb-Datei" if source.suffix.lower() == ".xlsb"
               else f"enthält {LOST}, die beim Zurückschreiben verloren gingen")
        target = Path(out) if out and not in_place else source.with_name(f"{source.stem}_ergebnis.xlsx")
        if same_file(target, source):  # would replace the workbook by a results-only one, without backup
            raise GleichplanError(
                f"Die Zieldatei ist die Arbeitsmappe selbst. „{source.name}“ {why}; sie wird deshalb nie "
                f"überschrieben, die Ergebnisse kommen in eine eigene Datei. Bitte bei --out einen anderen "
                f"Dateinamen angeben oder --out weglassen (dann: „{source.stem}_ergebnis.xlsx“).")
        wb = Workbook()
        write_results(wb, analysis)
        del wb[wb.sheetnames[0]]
        save(wb, target)
        return [f"Hinweis: „{source.name}“ {why}; sie bleibt unverändert.", f"Ergebnisse geschrieben: {target}"]
    target = _target(source, out, in_place, "_ergebnis")
    try:
        wb = load(source)
    except WorkbookError:
        raise
    except Exception as exc:
        raise WorkbookError(f"„{source}“ kann zum Schreiben nicht geöffnet werden ({type(exc).__name__}).") from None
    write_results(wb, analysis)
    return _save(wb, source, target, in_place)
