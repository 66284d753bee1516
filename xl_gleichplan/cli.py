"""Command line: ``xl-gleichplan BEFEHL ...`` (also ``python -m xl_gleichplan``).

Exit codes: 0 done (findings may be present), 1 the job could not be done (German message on
stderr, no traceback), 2 usage error.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import date
from pathlib import Path

from . import __version__
from .errors import GleichplanError, is_panic

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse with German frame texts; usage errors exit with 2."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.add_argument("-h", "--help", action="help", help="diese Hilfe anzeigen und beenden")

    def error(self, message: str):
        self.print_usage(sys.stderr)
        for en, de in (("the following arguments are required", "diese Angaben fehlen"),
                       ("unrecognized arguments", "unbekannte Angaben"), ("invalid choice", "ungültige Wahl"),
                       ("argument", "Angabe"), ("expected one argument", "erwartet einen Wert"),
                       ("choose from", "möglich sind")):
            message = message.replace(en, de)
        self.exit(EXIT_USAGE, f"{self.prog}: Fehler: {message}\n")

    def format_help(self):
        return (super().format_help().replace("usage:", "Aufruf:").replace("options:", "Optionen:")
                .replace("positional arguments:", "Angaben:"))

    def format_usage(self):
        return super().format_usage().replace("usage:", "Aufruf:")


def _python_version(text: str) -> str:
    """The bundle's install script compares major.minor: "3.12.1" could never match a target PC."""
    if not re.fullmatch(r"3\.\d{1,2}", text.strip()):
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Python-Version der Form 3.11 (Haupt- und Nebenversion, "
                                         "ohne dritte Stelle)")
    return text.strip()


def _stichtag(text: str) -> date:
    from .rules.deadlines import stichtag_problem

    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            d, month, year = text.split(".")
            day = date(int(year), int(month), int(d))
        except ValueError:
            raise argparse.ArgumentTypeError(f"„{text}“ ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ)") from None
    problem = stichtag_problem(day)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return day


def _add_compute(sub) -> None:
    p = sub.add_parser("compute", help="Anteile, Unterrepräsentanz, Zielvorgaben, § 4 Abs. 6 und Fristen berechnen",
                       description="Berechnet aus einem ausgefüllten Erhebungsbogen oder aus den Exporten des "
                                   "Personalverwaltungssystems alle Kennzahlen und Feststellungen nach ThürGleichG § 4.")
    p.add_argument("workbook", nargs="?", metavar="ARBEITSMAPPE", help="ausgefüllter Erhebungsbogen (xlsx, xlsm, xlsb)")
    p.add_argument("--write", action="store_true",
                   help="Ergebnisse und Feststellungen in eine Kopie der Arbeitsmappe schreiben (ARBEITSMAPPE_ergebnis.xlsx)")
    p.add_argument("--out", metavar="DATEI", help="Name der Ergebnisdatei (schreibt wie --write)")
    p.add_argument("--in-place", action="store_true",
                   help="in die Arbeitsmappe selbst schreiben (vorher wird eine Sicherungskopie angelegt)")
    _add_common(p)
    p.add_argument("--format", choices=["table", "json"], default="table", help="Ausgabe als Tabelle oder JSON")
    p.set_defaults(func=cmd_compute)


def _add_common(p) -> None:
    """The HR exports (instead of a workbook) and the options every computing command shares."""
    p.add_argument("--staff", metavar="DATEI", help="Personalbestand (CSV, xlsx, xlsb), eine Zeile je Person")
    p.add_argument("--movements", metavar="DATEI", help="Personalbewegungen, eine Zeile je Vorgang")
    p.add_argument("--committees", metavar="DATEI", help="Gremien: gremium, w, m, d, x")
    p.add_argument("--targets", metavar="DATEI", help="Zielvorgaben: id, dimension, bereich, geschlecht, ziel, ...")
    _add_export_options(p)
    p.add_argument("--profile", metavar="PROFIL",
                   help="Rechtsprofil: thueringen (Standard; bei einer Arbeitsmappe das dort eingetragene), bund, "
                        "sachsen-anhalt oder Pfad zu einer .toml-Datei")
    p.add_argument("--stichtag", type=_stichtag, metavar="DATUM", help="Stichtag (Standard: 30.06. des Vorjahres)")
    p.add_argument("--agency-name", metavar="NAME", help="Name der Dienststelle (Standard: „Dienststelle“)")
    p.add_argument("--agency-type", default="landesverwaltung", metavar="ART",
                   help="Art der Dienststelle, z. B. landesverwaltung, ministerium, gemeinde, landkreis")


def _add_export_options(p) -> None:
    p.add_argument("--mapping", metavar="DATEI", help="Zuordnungsdatei (TOML) für andere Spaltennamen und Werte")
    p.add_argument("--write-mapping", metavar="DATEI",
                   help="einen Entwurf der Zuordnungsdatei schreiben: jede Spalte der Exporte mit ihrer Bedeutung, "
                        "unbekannte Spalten und Werte mit Vorschlag (zum Prüfen und dann für --mapping)")
    p.add_argument("--sheet", metavar="BLATT",
                   help="bei Exporten als Excel-Arbeitsmappe: das Blatt mit den Daten (Standard: das erste Blatt mit "
                        "einer erkennbaren Kopfzeile)")


def _add_template(sub) -> None:
    p = sub.add_parser("template", help="Erhebungsbogen (Excel-Vorlage) erstellen, einzeln oder für eine Liste von Dienststellen",
                       description="Erstellt den Erhebungsbogen mit Anleitung, Eingabeblättern, Formeln, Auswahllisten "
                                   "und Blattschutz (ohne Kennwort).")
    p.add_argument("--out", required=True, metavar="DATEI_ODER_ORDNER",
                   help="Zieldatei (.xlsx); mit --list ein Ordner für die Vorlagen")
    p.add_argument("--list", metavar="DATEI", help="Liste der Dienststellen (CSV/xlsx: name, art, uebergeordnet, stichtag)")
    p.add_argument("--profile", default="thueringen", metavar="PROFIL", help="Rechtsprofil (Standard: thueringen)")
    p.add_argument("--agency-name", default="", metavar="NAME", help="Name der Dienststelle")
    p.add_argument("--agency-type", default="landesverwaltung", metavar="ART", help="Art der Dienststelle")
    p.add_argument("--parent", default="", metavar="NAME", help="übergeordnete Dienststelle")
    p.add_argument("--stichtag", type=_stichtag, metavar="DATUM", help="Stichtag (Standard: 30.06. des Vorjahres)")
    p.set_defaults(func=cmd_template)


def _add_check(sub) -> None:
    p = sub.add_parser("check", help="einen ausgefüllten Erhebungsbogen prüfen (Exit-Code 1 bei Fehlern)")
    p.add_argument("workbook", metavar="ARBEITSMAPPE")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_check)


def _add_import_staff(sub) -> None:
    p = sub.add_parser("import-staff", help="HR-Exporte in die Eingabeblätter eines Erhebungsbogens übernehmen",
                       description="Zählt die Exporte aus (nur Anzahlen, keine Personendaten) und trägt sie in die "
                                   "Eingabeblätter ein. Geschrieben wird eine neue Datei (--out) oder, mit --in-place, "
                                   "die Arbeitsmappe selbst nach einer Sicherungskopie.")
    p.add_argument("export", nargs="?", metavar="PERSONALBESTAND", help="Export des Personalbestands")
    p.add_argument("--into", required=True, metavar="ARBEITSMAPPE", help="der Erhebungsbogen")
    p.add_argument("--movements", metavar="DATEI", help="Personalbewegungen")
    p.add_argument("--committees", metavar="DATEI", help="Gremien")
    p.add_argument("--out", metavar="DATEI", help="Zieldatei (Standard: ARBEITSMAPPE_gefuellt.xlsx)")
    p.add_argument("--in-place", action="store_true", help="in die Arbeitsmappe selbst schreiben (mit Sicherungskopie)")
    p.add_argument("--trotz-fehlern", dest="despite_errors", action="store_true",
                   help="auch übernehmen, wenn Zeilen der Exporte nicht lesbar sind (die Fehler stehen dann auf dem "
                        "Blatt Feststellungen)")
    _add_export_options(p)
    p.set_defaults(func=cmd_import_staff)


def _add_addin(sub) -> None:
    p = sub.add_parser("addin", help="Excel-Add-in erstellen, installieren, prüfen oder entfernen",
                       description="Das Add-in „Gleichstellungsplan“ (Menüband in Excel) für Windows (unter macOS verweigert).")
    p.add_argument("action", choices=["build", "install", "status", "remove", "bundle"], metavar="AKTION",
                   help="build (aus macros/ erstellen), install, status, remove oder bundle "
                        "(Installationspaket ohne Paketindex für viele Windows-PCs)")
    p.add_argument("--out", metavar="DATEI", help="mit build: Zieldatei (Standard: gleichplan.xlam); "
                                                   "mit bundle: neuer Zielordner")
    p.add_argument("--dry-run", action="store_true", help="nur anzeigen, was geschehen würde")
    p.add_argument("--ziel", dest="target", metavar="ORDNER", help="statt des XLSTART-Ordners in diesen Ordner")
    p.add_argument("--python-version", type=_python_version, metavar="X.Y", help="mit bundle: Python-Version der Ziel-PCs (Standard 3.11)")
    p.add_argument("--wheelhouse", metavar="ORDNER", help="mit bundle: Pakete aus diesem Ordner statt vom Paketindex")
    p.set_defaults(func=cmd_addin)


def _add_demo(sub) -> None:
    p = sub.add_parser("demo", help="den ganzen Ablauf mit Beispieldaten einer erfundenen Dienststelle vorführen")
    p.add_argument("--out", default="gleichplan-demo", metavar="ORDNER", help="Ausgabeordner (Standard: gleichplan-demo)")
    p.add_argument("--profile", default="thueringen", metavar="PROFIL",
                   help="Rechtsprofil der Beispieldienststelle: thueringen (Standard), bund, sachsen-anhalt")
    p.set_defaults(func=cmd_demo)


def _add_plan(sub) -> None:
    p = sub.add_parser("plan", help="Entwurf des Gleichstellungsplans als Word-Dokument (.docx) erstellen",
                       description="Schreibt den Entwurf des Gleichstellungsplans mit allen Abschnitten, "
                                   "Tabellen, Diagrammen und markierten Platzhaltern.")
    p.add_argument("workbook", nargs="?", metavar="ARBEITSMAPPE",
                   help="ausgefüllter Erhebungsbogen (xlsx, xlsm, xlsb) – oder ein Ordner mit den Erhebungsbögen der "
                        "Dienststellen, denen die Stelle aus --agency-name die Erhebung übertragen hat (sie werden "
                        "summiert)")
    p.add_argument("--out", required=True, metavar="DATEI", help="Zieldatei, z. B. entwurf.docx")
    p.add_argument("--min-cell", type=int, metavar="N",
                   help="kleinste gezeigte Zahl (Datenschutz; Standard aus dem Profil, meist 3; nur erhöhen möglich)")
    p.add_argument("--hierarchy", metavar="DATEI",
                   help="bei einem Ordner: Zuordnungsliste (name, uebergeordnet) wie bei consolidate")
    p.add_argument("--allow-small-cells", action="store_true",
                   help="ein eigenes Profil (--profile DATEI.toml) mit kleinerer Mindestzellgröße als die "
                        "mitgelieferten Profile zulassen (Datenschutz: nur nach Prüfung)")
    p.add_argument("--trotz-fehlern", dest="despite_errors", action="store_true",
                   help="den Entwurf auch dann erstellen, wenn die Daten Fehler enthalten (die betroffenen Abschnitte "
                        "werden im Entwurf markiert)")
    _add_common(p)
    p.set_defaults(func=cmd_plan)


def _add_consolidate(sub) -> None:
    p = sub.add_parser("consolidate", help="viele Erhebungsbögen zu einer Übersicht zusammenführen (Summen je Ebene, "
                                           "Feststellungen, Verlauf)",
                       description="Liest alle Erhebungsbögen (xlsx, xlsm, xlsb) in den angegebenen Ordnern samt "
                                   "Unterordnern, prüft jeden und schreibt eine Übersicht: eine Zeile je Dienststelle, "
                                   "Summen je übergeordneter Stelle und insgesamt, alle Feststellungen, den Verlauf "
                                   "des Frauenanteils in Führungspositionen. Exit-Code 0 nur, wenn jede Datei gelesen "
                                   "wurde (mit --allow-partial: wenn mindestens eine).")
    p.add_argument("inputs", nargs="+", metavar="EINGABE", help="Ordner oder einzelne Arbeitsmappen")
    p.add_argument("--out", required=True, metavar="DATEI", help="die Übersicht (.xlsx)")
    p.add_argument("--history", metavar="ORDNER_ODER_DATEI",
                   help="Verlaufsdatei (CSV; bei einem Ordner gleichplan_verlauf.csv darin): frühere Stichtage werden "
                        "gelesen, die dieses Laufs ergänzt oder ersetzt")
    p.add_argument("--hierarchy", metavar="DATEI",
                   help="Zuordnungsliste (CSV/xlsx mit den Spalten name, uebergeordnet); geht den Angaben in den "
                        "Erhebungsbögen vor")
    p.add_argument("--jobs", type=int, metavar="N", help="Zahl der parallelen Leseprozesse (Standard: alle Kerne)")
    p.add_argument("--today", type=_stichtag, metavar="DATUM", help="Bezugstag für die Fristen (Standard: heute)")
    p.add_argument("--allow-partial", action="store_true",
                   help="Exit-Code 0 auch, wenn einzelne Dateien nicht gelesen werden konnten")
    p.add_argument("--json", metavar="DATEI", help="die Zusammenfassung zusätzlich als JSON für Skripte")
    p.add_argument("--profile", metavar="PROFIL",
                   help="Rechtsprofil für alle Erhebungsbögen (Standard: das in den Bögen eingetragene), bund, "
                        "sachsen-anhalt, thueringen oder Pfad zu einer eigenen .toml-Datei")
    p.add_argument("--check-formulas", action="store_true",
                   help="auch überschriebene Formeln melden wie „check“ (liest jede Datei doppelt so lange)")
    p.add_argument("--zielwert", type=_percent, metavar="PROZENT",
                   help="Zielwert für den Frauenanteil in Führungspositionen im Controlling, z. B. 50 "
                        "(Standard: die Schwelle des Rechtsprofils)")
    p.set_defaults(func=cmd_consolidate)


def _percent(text: str):
    from fractions import Fraction

    try:
        value = Fraction(text.strip().rstrip("%").strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f"„{text}“ ist keine Prozentzahl (z. B. 50 oder 45,5)") from None
    if not 0 < value <= 100:
        raise argparse.ArgumentTypeError(f"„{text}“: der Zielwert muss über 0 und höchstens 100 Prozent sein")
    return value / 100


def cmd_consolidate(args) -> int:
    from .consolidation import run_cli

    return run_cli(args)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="xl-gleichplan",
                     description="Gleichstellungsplan nach ThürGleichG § 4 aus Personalstatistiken.")
    parser.add_argument("--version", action="version", version=f"xl-gleichplan {__version__}",
                        help="Version anzeigen")
    sub = parser.add_subparsers(title="Befehle", metavar="BEFEHL", parser_class=_Parser)
    for add in (_add_compute, _add_template, _add_check, _add_import_staff, _add_plan, _add_addin, _add_demo,
                _add_consolidate):
        add(sub)
    return parser


def compute_from_args(args):
    from .analysis import analyse
    from .io.hr_import import import_exports
    from .model import Agency
    from .profiles import load_profile
    from .rules.deadlines import latest_stichtag

    profile = load_profile(args.profile)
    if not any((args.staff, args.movements, args.committees, args.targets)):
        raise GleichplanError("Bitte mindestens eine Datei angeben: --staff, --movements, --committees oder --targets.")
    dataset = import_exports(staff=args.staff, movements=args.movements, committees=args.committees,
                             targets=args.targets, mapping=args.mapping, profile=profile,
                             stichtag=args.stichtag or latest_stichtag(profile),
                             agency=Agency(args.agency_name or "Dienststelle", args.agency_type),
                             sheet=args.sheet, write_mapping=args.write_mapping)
    return analyse(dataset, profile)


def cmd_compute(args) -> int:
    if (args.out or args.in_place) and not args.workbook:
        raise GleichplanError("--out und --in-place brauchen eine Arbeitsmappe (xl-gleichplan compute ARBEITSMAPPE "
                              "--out DATEI).")
    analysis = analysis_from_args(args)
    if args.write or args.out or args.in_place:  # asking for a target means asking to write
        if not args.workbook:
            raise GleichplanError("--write braucht eine Arbeitsmappe (xl-gleichplan compute ARBEITSMAPPE --write).")
        from .io.workbook_commands import write_back

        for line in write_back(Path(args.workbook), analysis, out=args.out, in_place=args.in_place):
            print(line, file=sys.stderr if args.format == "json" else sys.stdout)
    if args.format == "json":
        print(json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2))
    else:
        from .report.text import render

        print(render(analysis))
    return EXIT_OK


def analysis_from_args(args):
    """The Analysis for a command that takes either a workbook or the HR exports."""
    if getattr(args, "workbook", None):
        from .io.workbook_reader import analyse_workbook

        return analyse_workbook(args.workbook, profile=args.profile)
    return compute_from_args(args)


def cmd_plan(args) -> int:
    from .report.draft import write_draft

    if args.workbook and Path(args.workbook).is_dir():
        analysis = _analysis_of_units(args)
    else:
        analysis = analysis_from_args(args)
    _check_min_cell(analysis.profile, args)
    errors = [f for f in analysis.findings if f.severity == "error"]
    if errors and not args.despite_errors:
        from .report.text import listed_findings

        raise GleichplanError(
            f"Der Planentwurf wird nicht erstellt: Die Daten enthalten {len(errors)} Fehler, und ein Plan mit "
            f"falschen Zahlen sähe fertig aus.\n{listed_findings(errors)}\nBitte die genannten Zellen berichtigen (prüfen mit "
            f"„xl-gleichplan check“) und den Befehl wiederholen. Wer den Entwurf trotzdem braucht, gibt --trotz-fehlern "
            f"an; die betroffenen Abschnitte werden dann im Entwurf markiert.")
    path = write_draft(analysis, Path(args.out), min_cell=args.min_cell)
    despite = "eines Fehlers" if len(errors) == 1 else f"{len(errors)} Fehlern"
    print(f"Planentwurf geschrieben: {path}" + (f" (trotz {despite}; im Entwurf markiert)" if errors else ""))
    return EXIT_OK


def _check_min_cell(profile, args) -> None:
    """An own profile may protect less than the shipped ones only when the command says so."""
    from .profiles import available_profiles, load_profile

    shipped = min(load_profile(name).min_cell for name in available_profiles())
    if max(profile.min_cell, args.min_cell or 0) < shipped and not args.allow_small_cells:
        raise GleichplanError(f"Das Rechtsprofil „{profile.id}“ zeigt schon Zahlen ab {profile.min_cell}; die "
                              f"mitgelieferten Profile schützen Zahlen unter {shipped}. Ein solcher Entwurf kann "
                              f"Einzelpersonen erkennbar machen. Bitte --min-cell {shipped} angeben, oder nach Prüfung "
                              f"durch den Datenschutz ausdrücklich --allow-small-cells.")


def _analysis_of_units(args):
    """``plan ORDNER --agency-name STELLE``: the plan of an office whose statistics were delegated to
    its units (§ 4 Abs. 1), from the units' workbooks in the folder, summed like ``consolidate``."""
    from .analysis import analyse
    from .consolidation import consolidate

    if not args.agency_name:
        raise GleichplanError(f"„{args.workbook}“ ist ein Ordner: bitte mit --agency-name angeben, für welche Stelle "
                              f"der Plan aus den Erhebungsbögen ihrer Dienststellen erstellt werden soll.")
    c = consolidate([args.workbook], profile=args.profile, hierarchy=args.hierarchy, progress=False)
    for row in c.files[c.files["status"] != "processed"].itertuples():
        print(f"Nicht berücksichtigt: {row.path} – {row.reason}", file=sys.stderr)
    dataset = c.dataset_for(args.agency_name, args.stichtag)
    return analyse(dataset, c.profile)


def cmd_template(args) -> int:
    from .io.workbook_commands import make_templates

    for line in make_templates(args):
        print(line)
    return EXIT_OK


def cmd_check(args) -> int:
    from .io.workbook_reader import analyse_workbook
    from .report.text import finding_line

    analysis = analyse_workbook(args.workbook)
    errors = sum(f.severity == "error" for f in analysis.findings)
    if args.format == "json":
        print(json.dumps({"file": args.workbook, "errors": errors,
                          "findings": [f.to_dict() for f in analysis.findings]}, ensure_ascii=False, indent=2))
    else:
        for f in analysis.findings:
            print(finding_line(f))
        print(f"{len(analysis.findings)} Feststellungen, davon {errors} Fehler." if analysis.findings
              else "Keine Feststellungen: der Erhebungsbogen ist vollständig lesbar.")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_import_staff(args) -> int:
    from .io.workbook_commands import import_into

    for line in import_into(args):
        print(line)
    return EXIT_OK


def cmd_addin(args) -> int:
    from .excel.addin import cmd_addin as run

    return run(args)


def cmd_demo(args) -> int:
    """The whole job on the sample agency: exports -> template -> filled workbook -> results -> draft."""
    from .analysis import analyse
    from .demo import demo_agency, demo_stichtag, write_exports
    from .io.atomic import write_text
    from .io.hr_import import import_exports
    from .io.template import write_template
    from .io.workbook_writer import fill_inputs, load, save, write_results
    from .model import Agency
    from .profiles import load_profile
    from .report.draft import write_draft
    from .report.text import render

    out = Path(args.out)
    profile = load_profile(args.profile)
    stichtag = demo_stichtag(profile)
    files = write_exports(out / "exporte", stichtag=stichtag)
    dataset = import_exports(**files, profile=profile, stichtag=stichtag, agency=Agency(**demo_agency(profile)))
    analysis = analyse(dataset, profile)
    template = write_template(out / "erhebungsbogen_leer.xlsx", profile, dataset.agency, stichtag)
    wb = load(template)
    fill_inputs(wb, dataset, {"stock", "movements", "postings", "committees", "forecast", "targets"})
    write_results(wb, analysis)
    written = [*files.values(), template, save(wb, out / "erhebungsbogen_ausgefuellt.xlsx")]
    written.append(write_draft(analysis, out / "gleichstellungsplan_entwurf.docx"))
    written.append(write_text(out / "ergebnis.json", json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2)))
    written.append(write_text(out / "ergebnis.txt", render(analysis)))
    print(render(analysis))
    print("\nGeschrieben:")
    for path in written:
        print(f"  {path}")
    return EXIT_OK


_INPUT_OPTIONS = ("workbook", "staff", "movements", "committees", "targets", "mapping", "hierarchy", "list", "into",
                  "export")
_OUTPUT_OPTIONS = (("out", "--out"), ("json", "--json"), ("history", "--history"),
                   ("write_mapping", "--write-mapping"))


def _input_paths(args) -> list:
    """The files a command reads, as named on the command line (files in an input folder are added
    when they are found, see consolidation.batch.discover)."""
    paths = [getattr(args, name, None) for name in _INPUT_OPTIONS] + list(getattr(args, "inputs", None) or [])
    profile = getattr(args, "profile", None)
    if profile and str(profile).lower().endswith(".toml"):
        paths.append(profile)
    return [p for p in paths if p]


def _check_outputs(args) -> None:
    """Before any work: no output may be one of the inputs, nor two outputs one file."""
    from .io.atomic import refuse_input, same_file

    named = [(getattr(args, name, None), option) for name, option in _OUTPUT_OPTIONS]
    # compute and import-staff word their own refusal of --out (with the hint to --in-place)
    named = [(path, option) for path, option in named if path and not (option == "--out" and hasattr(args, "in_place"))]
    if getattr(args, "history", None):
        from .consolidation.history import history_path  # a folder means the file in it

        named = [(history_path(path) if option == "--history" else path, option) for path, option in named]
    for i, (path, option) in enumerate(named):
        refuse_input(path, f"Die Ausgabe {option}")
        for other, other_option in named[i + 1:]:
            if same_file(path, other):
                raise GleichplanError(f"{option} und {other_option} nennen dieselbe Datei „{path}“; die eine Ausgabe "
                                      f"würde die andere überschreiben. Bitte verschiedene Dateinamen angeben.")


def _tolerant_console() -> None:
    """A file name that is not valid in the system's encoding (unzipped from Windows, decoded with
    surrogate escapes) or a text the console cannot show must not end a command: such characters are
    written as "?" instead of raising UnicodeEncodeError."""
    if hasattr(sys.stdout, "reconfigure"):  # stderr already writes them as \udcfc
        try:
            sys.stdout.reconfigure(errors="replace")
        except (ValueError, OSError):
            pass


def main(argv: list[str] | None = None) -> int:
    from .io.atomic import release_quietly

    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return EXIT_USAGE
    _tolerant_console()
    try:
        from .io.atomic import inputs_guarded

        with inputs_guarded(_input_paths(args)):
            _check_outputs(args)
            return args.func(args)
    except GleichplanError as exc:
        release_quietly(exc)
        print(f"Fehler: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("Abgebrochen.", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into a program that stopped reading (e.g. head)
        sys.stdout = open(os.devnull, "w")
        return EXIT_OK
    except BaseException as exc:  # unexpected: log the traceback to a file, tell the clerk where it is
        # a Rust panic in a native reader is unexpected too, never a traceback; only the
        # interpreter's own exits go through
        if not isinstance(exc, Exception) and not is_panic(exc):
            raise
        from .logs import log_exception

        path = log_exception(exc)
        release_quietly(exc)
        print(f"Unerwarteter Fehler ({type(exc).__name__}). Die technischen Details stehen in „{path}“; "
              f"bitte diese Datei an die IT weitergeben.", file=sys.stderr)
        return EXIT_FAILED
