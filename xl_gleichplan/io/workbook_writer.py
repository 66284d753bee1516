"""Write into an Erhebungsbogen: counts into the input sheets (from an HR export), and Python's
results and the findings into their own sheets.

openpyxl keeps sheets, formulas, validations, names and (with keep_vba) the VBA project of a
workbook, but drops charts and images of existing sheets. A workbook that has them is not
rewritten: the results go into a separate file next to it, and the user is told so.
"""
from __future__ import annotations

import shutil
import warnings
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from ..errors import OutputError, WorkbookError
from ..model import Counts
from ..schema import (DIMENSIONS, FINDINGS_SHEET, FIRST_DATA_ROW, MEASURE_KINDS, MOVEMENT_KINDS, RESULTS_SHEET,
                      SEX_WORDS, SHEETS, VERDICT_LABELS, area_label)
from ..texts import APPROVAL, SEVERITY, deadline_labels
from .atomic import atomic_path
from .findings import message_text
from .printing import LINE_HEIGHT, print_setup, row_height
from .ooxml import put

PRESERVE_RISK = ("xl/charts/", "xl/drawings/", "xl/pivotTables/", "xl/media/", "xl/embeddings/")
HEADER_FONT = Font(bold=True, color="FFFFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="FF1F4E79")


def unpreservable_parts(path: str | Path) -> list[str]:
    """What openpyxl would drop when it rewrites this workbook: charts, images, pivot tables, and the
    Excel 2010 extensions of a sheet (``extLst``: data bars and icon sets, sparklines, slicers, newer
    validations), which it removes with no more than an English warning."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            found = {p for name in names for p in PRESERVE_RISK if name.startswith(p)}
            found |= {name for name in names if name.startswith("xl/worksheets/") and name.endswith(".xml")
                      and _has_extensions(zf, name)}
            return sorted(found)
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return []


def _has_extensions(zf, name: str) -> bool:
    """Whether a sheet part holds an ``extLst`` (read in chunks: a sheet can be hundreds of MB)."""
    tail = b""
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 20):
            if b"extLst" in tail + chunk:
                return True
            tail = chunk[-16:]
    return False


def load(path: str | Path):
    path = Path(path)
    if path.suffix.lower() == ".xlsb":
        raise WorkbookError(f"In „{path.name}“ (.xlsb) kann nicht geschrieben werden. Bitte in Excel als .xlsx "
                            f"speichern, oder die Ergebnisse mit --out in eine eigene Datei schreiben.")
    with warnings.catch_warnings():  # "extension is not supported": unpreservable_parts says it in German
        warnings.simplefilter("ignore", UserWarning)
        return load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)


def input_blocks(dataset, sheets: set[str], room: dict[str, int]) -> list[tuple[str, int, int, list[list]]]:
    """The dataset's counts as blocks (sheet name, first row, first column, 2-D values) covering
    every input row of the named sheets, so old values are cleared in the same write. Formula
    columns lie between the blocks and are never touched."""
    rows = {
        # davon columns: 0 where the export has the data but nobody in the Bereich (not blank, so
        # 0 and "no data" do not look alike); blank only when the export has no such data at all
        "stock": [(DIMENSIONS[d], area_label(d, a), c,
                   dataset.part_time.get((d, a), Counts() if dataset.part_time else None),
                   dataset.on_leave.get((d, a), Counts() if dataset.on_leave else None))
                  for (d, a), c in dataset.stock.items()],
        "movements": [(MOVEMENT_KINDS[k], DIMENSIONS[d], area_label(d, a), c) for (k, d, a), c in dataset.movements.items()],
        "postings": [(DIMENSIONS[d], area_label(d, a), n) for (d, a), n in dataset.postings.items()],
        "committees": [(name, c) for name, c in dataset.committees.items()],
        "forecast": [(DIMENSIONS[d], area_label(d, a), c) for (d, a), c in dataset.forecast.items()],
        "targets": dataset.targets,
        "measures": dataset.measures,
    }
    blocks = []
    for key in sorted(sheets):
        sheet = SHEETS[key]
        if len(rows[key]) > room[key]:
            raise WorkbookError(f"Das Blatt „{sheet.name}“ hat {room[key]} Eingabezeilen, gebraucht werden "
                                f"{len(rows[key])}. Bitte eine neue Vorlage erstellen (xl-gleichplan template) und "
                                f"erneut importieren.")
        values = [_row_values(key, item) for item in rows[key]] + [{}] * (room[key] - len(rows[key]))
        run: list[tuple[int, str]] = []
        for i, col in enumerate([*sheet.columns, None]):
            if col is not None and col.kind != "formula":
                run.append((i, col.code))
                continue
            if run:
                blocks.append((sheet.name, FIRST_DATA_ROW, run[0][0] + 1,
                               [[v.get(code) for _, code in run] for v in values]))
                run = []
    return blocks


def fill_inputs(wb, dataset, sheets: set[str]) -> None:
    """Replace the input rows of the named sheets (keys of SHEETS) with the dataset's counts."""
    room = {k: max(wb[SHEETS[k].name].max_row - FIRST_DATA_ROW + 1, 0) for k in sheets}
    for name, row, col, values in input_blocks(dataset, sheets, room):
        ws = wb[name]
        for r, line in enumerate(values, start=row):
            for c, value in enumerate(line, start=col):
                put(ws, r, c, value)


def _row_values(key: str, item) -> dict:
    def sexes(c):
        return {s: _plain(c.get(s)) for s in ("w", "m", "d", "x")}

    if key == "stock":
        dim, area, c, part, leave = item
        out = {"dimension": dim, "area": area, **sexes(c)}
        if part is not None:
            out |= {"part_time_w": _plain(part.w), "part_time_m": _plain(part.m)}
        if leave is not None:
            out |= {"on_leave_w": _plain(leave.w), "on_leave_m": _plain(leave.m)}
        return out
    if key == "movements":
        kind, dim, area, c = item
        return {"kind": kind, "dimension": dim, "area": area, **sexes(c)}
    if key == "postings":
        return {"dimension": item[0], "area": item[1], "count": item[2]}
    if key == "committees":
        return {"name": item[0], **sexes(item[1])}
    if key == "targets":
        return {"id": item.id, "dimension": DIMENSIONS.get(item.dimension, item.dimension),
                "area": area_label(item.dimension, item.area), "sex": SEX_WORDS[item.sex], "target": item.target,
                "achieved": item.achieved, "leadership": "ja" if item.leadership else "nein", "deadline": item.deadline}
    if key == "measures":
        return {"target_id": item.target_id, "kind": MEASURE_KINDS.get(item.kind, item.kind), "text": item.text,
                "responsible": item.responsible, "deadline": item.deadline}
    return {"dimension": item[0], "area": item[1], **sexes(item[2])}


def _plain(value):
    """Counts into cells: ints stay ints, VZÄ fractions become decimals."""
    return value if isinstance(value, int) else float(value)


def _replace_sheet(wb, name: str):
    if name in wb.sheetnames:
        index = wb.sheetnames.index(name)
        del wb[name]
        return wb.create_sheet(name, index)
    return wb.create_sheet(name)


RESULT_HEADER = ["Art", "Vorgang", "Dimension", "Bereich", "Frauen", "Männer", "divers", "ohne Angabe",
                 "Frauenanteil", "Männeranteil", "unterrepräsentiert"]
FINDINGS_HEADER = ["Schwere", "Datei", "Blatt", "Zelle", "Zeile", "Was ist zu tun?"]
# column widths of the two sheets (files here, the open workbook in excel/actions.py)
RESULT_WIDTHS = (44, 18, 24, 30, 9, 9, 8, 11, 12, 12, 18)
FINDINGS_WIDTHS = (10, 28, 16, 8, 7, 120)


def result_rows(analysis) -> list[list]:
    """The Ergebnis sheet as rows of values from A1: facts, then one row per Bereich."""
    from ..texts import PROCEDURE, READING

    ds, lead, profile = analysis.dataset, analysis.leadership, analysis.profile
    facts = [
        ("Dienststelle", ds.agency.name), ("Rechtsprofil", analysis.profile.id),
        ("Beschäftigte (Köpfe)", ds.heads), ("Planpflicht", "ja" if analysis.plan_required else "nein"),
        ("zuständige Stelle", analysis.route.body), ("Verfahren", PROCEDURE.get(analysis.route.procedure, analysis.route.procedure)),
        *[(label, getattr(analysis.deadlines, k)) for k, label in deadline_labels(profile)],
    ]
    if profile.has("leadership_rule"):  # a part of the law only where the profile has it (not BGleiG, FrFG)
        facts += [
            ("Führungs-Zielvorgaben", lead.targets), ("davon bewertet", lead.assessed),
            ("I1: vollständig erreichte Zielvorgaben", _ratio(lead.count_reading)),
            ("I2: erreichter Umfang", _ratio(lead.volume_reading)),
            ("maßgebliche Lesart", READING[lead.reading]),
            (f"{profile.cite('leadership_rule')}: Regel für Führungspositionen",
             APPROVAL[lead.approval_required]),
            ("zuständig", lead.approver),
        ]
    rows = [["Ergebnis der Auswertung"], ["Feste Werte, berechnet mit xl-gleichplan; nach einer Änderung der "
                                          "Eingaben bitte neu berechnen."]]
    rows += [[label, value] for label, value in facts] + [[], RESULT_HEADER]
    for label, results in (("Bestand", analysis.areas), ("Bewegung", analysis.movements), ("Gremium", analysis.committees)):
        for a in results:
            c = a.counts
            rows.append([label, MOVEMENT_KINDS.get(a.kind, "") if a.kind else "", DIMENSIONS.get(a.dimension, "Gremium"),
                         area_label(a.dimension, a.area), _plain(c.w), _plain(c.m), _plain(c.d), _plain(c.x),
                         _ratio(a.share_women), _ratio(a.share_men), VERDICT_LABELS.get(a.underrepresented, "")])
    return rows


def finding_rows(findings) -> list[list]:
    """The checks of the data ("Prüfhinweise": not the verdicts of the law, which are in the
    Ergebnis sheet); the place is in its own columns, so the text does not repeat it."""
    head = [f"Prüfhinweise zu den Daten: {len(findings)}" if findings else
            "Prüfhinweise zu den Daten: keine. Die Ergebnisse (Anteile, Unterrepräsentanz) stehen im Blatt „Ergebnis“."]
    return [head, [], FINDINGS_HEADER] + [[SEVERITY[f.severity], f.file, f.sheet, f.cell, f.row, message_text(f)]
                                          for f in findings]


def write_results(wb, analysis) -> None:
    """Python's results (values, not formulas) and the findings, each on its own sheet."""
    _write_sheet(wb, RESULTS_SHEET, result_rows(analysis), RESULT_WIDTHS)
    write_findings(wb, analysis.findings)


def write_findings(wb, findings) -> None:
    """The findings sheet alone (import-staff: what the import noticed about the exports)."""
    _write_sheet(wb, FINDINGS_SHEET, finding_rows(findings), FINDINGS_WIDTHS)


def _write_sheet(wb, name: str, rows: list[list], widths) -> None:
    ws = _replace_sheet(wb, name)
    for r, line in enumerate(rows, start=1):
        for c, value in enumerate(line, start=1):
            cell = put(ws, r, c, value)
            if hasattr(value, "year"):
                cell.number_format = "DD.MM.YYYY"
            elif isinstance(value, float) and c in (2, 9, 10):  # I1/I2 and the share columns
                cell.number_format = "0.00%"
        if line in (RESULT_HEADER, FINDINGS_HEADER):
            for c in range(1, len(line) + 1):
                ws.cell(r, c).font, ws.cell(r, c).fill = HEADER_FONT, HEADER_FILL
                ws.cell(r, c).alignment = Alignment(wrap_text=True, vertical="top")  # "Frauenanteil" fits
            ws.row_dimensions[r].height = 2 * LINE_HEIGHT
    ws["A1"].font = Font(bold=True, size=14, color="FF1F4E79")
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(65 + i)].width = width
    header = next(r for r, line in enumerate(rows, start=1) if line in (RESULT_HEADER, FINDINGS_HEADER))
    if name == FINDINGS_SHEET:  # long messages wrap in their column, each row as high as it needs
        for r in range(header + 1, len(rows) + 1):
            for c in range(1, len(widths)):
                ws.cell(r, c).alignment = Alignment(vertical="top")  # beside the first line of the message
            ws.cell(r, len(widths)).alignment = Alignment(wrap_text=True, vertical="top")
            ws.row_dimensions[r].height = row_height([(ws.cell(r, len(widths)).value, widths[-1])])
    print_setup(ws, f"{header}:{header}", len(widths), len(rows))


def _ratio(value):
    return None if value is None else float(value)


def save(wb, target: str | Path, replaces_input: bool = False) -> Path:
    with atomic_path(target, replaces_input) as tmp:
        wb.save(tmp)
    return Path(target)


def backup(path: Path) -> Path:
    """Copy ``path`` to ``name.bak.xlsx`` (numbered if that exists) before it is changed in place."""
    n, candidate = 1, path.with_name(f"{path.stem}.bak{path.suffix}")
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}.bak{n}{path.suffix}")
    try:
        with atomic_path(candidate) as tmp:
            shutil.copy2(path, tmp)
    except OutputError as exc:  # disk full, no rights: the workbook itself is not touched then
        why = f" ({exc.reason})" if exc.reason else ""
        raise OutputError(f"Die Sicherungskopie „{candidate}“ kann nicht angelegt werden{why}; die Arbeitsmappe "
                          f"„{path}“ bleibt unverändert, es wurde nichts geschrieben. Bitte Platz schaffen oder die "
                          f"Rechte des Ordners prüfen und den Befehl wiederholen, oder ohne --in-place in eine neue "
                          f"Datei schreiben lassen.") from None
    return candidate
