"""Every sheet a person reads prints well (issue 14): LibreOffice renders each sheet of the demo
workbook (written by the tool: template sheets, Ergebnis, Prüfhinweise) and of a consolidation
overview of 7 agencies to PDF, one sheet at a time. A sheet prints on at most as many pages as it
has screens of rows (40 rows a screen) and its title and hint appear whole on the first page (not
cut at the page edge). Before the fix the demo workbook printed as 43 pages (Ergebnis alone 20)
and the overview of 7 agencies as 46.

Set XLG_RENDER_DIR to keep the PDFs and look at them (pdftoppm -png -r 60)."""
from __future__ import annotations

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from wbhelpers import require_tool, soffice_convert

ROWS_PER_SCREEN = 40
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> list[Path]:
    from xl_gleichplan.cli import main

    tmp = tmp_path_factory.mktemp("print")
    assert main(["demo", "--out", str(tmp / "demo")]) == 0
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate_agencies

    generate_agencies.generate(tmp / "agencies", 7, seed=7, broken=False, jobs=1)
    assert main(["consolidate", str(tmp / "agencies"), "--out", str(tmp / "uebersicht.xlsx")]) == 0
    return [tmp / "demo" / "erhebungsbogen_ausgefuellt.xlsx", tmp / "uebersicht.xlsx"]


@pytest.fixture(scope="module")
def rendered(workbooks, tmp_path_factory) -> list[tuple[str, int, list[str], Path]]:
    """(workbook: sheet, rows, title texts, PDF) per sheet. Each sheet is saved alone (the others
    deleted; formulas that read them show errors, the layout is the same) and converted in one call."""
    tmp = tmp_path_factory.mktemp("sheets")
    singles = []
    for source in workbooks:
        for name in load_workbook(source).sheetnames:
            wb = load_workbook(source)
            ws = wb[name]
            rows, titles = ws.max_row, [str(ws[c].value) for c in ("A1", "A2") if isinstance(ws[c].value, str)]
            for other in [n for n in wb.sheetnames if n != name]:
                del wb[other]
            path = tmp / f"{source.stem}__{name}.xlsx"
            wb.save(path)
            singles.append((f"{source.stem}: {name}", rows, titles, path))
    pdfs = soffice_convert([p for *_, p in singles], tmp / "pdf", "pdf", tmp / "profile")
    keep = os.environ.get("XLG_RENDER_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for pdf in pdfs:
            shutil.copy(pdf, Path(keep) / pdf.name)
    return [(label, rows, titles, pdf) for (label, rows, titles, _), pdf in zip(singles, pdfs)]


def pages(pdf: Path) -> int:
    info = subprocess.run([require_tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(info.split("Pages:")[1].split()[0])


def first_page_text(pdf: Path) -> str:
    out = subprocess.run([require_tool("pdftotext"), "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return " ".join(out.split())


def test_every_sheet_of_the_demo_workbook_and_the_overview_is_rendered(rendered):
    names = [label for label, *_ in rendered]
    assert {"erhebungsbogen_ausgefuellt: Ergebnis", "erhebungsbogen_ausgefuellt: Bestand",
            "erhebungsbogen_ausgefuellt: Maßnahmen", "uebersicht: Übersicht", "uebersicht: Dienststellen",
            "uebersicht: Feststellungen"} <= set(names)


def test_no_sheet_prints_on_more_pages_than_it_has_screens_of_rows(rendered):
    too_many = {label: (pages(pdf), math.ceil(rows / ROWS_PER_SCREEN)) for label, rows, _, pdf in rendered
                if pages(pdf) > math.ceil(rows / ROWS_PER_SCREEN)}
    assert not too_many, too_many  # label: (pages, screens)
    total = {source: sum(pages(pdf) for label, _, _, pdf in rendered if label.startswith(source))
             for source in ("erhebungsbogen_ausgefuellt", "uebersicht")}
    assert total["erhebungsbogen_ausgefuellt"] < 43 and total["uebersicht"] < 46, total


def test_titles_are_printed_whole_on_the_first_page(rendered):
    for label, _, titles, pdf in rendered:
        text = first_page_text(pdf)
        for title in titles:
            assert " ".join(title.split()) in text, (label, title)
