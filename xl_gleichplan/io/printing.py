"""Page setup of every sheet a person reads: the templates, the Ergebnis and Prüfhinweise sheets
and the consolidation's overview (issue 14).

A4 landscape, one page wide and as many pages tall as needed, the header rows repeated on every
page, the print area ending at the last column (a title longer than the columns would otherwise be
cut at the page edge). Wrapped cells get an explicit row height: neither Excel nor LibreOffice fits
the rows of a generated file on opening, so wrapped text would overlap the next row.
"""
from __future__ import annotations

from openpyxl.utils import get_column_letter

LINE_HEIGHT = 15  # points per line of 11-point text
PAPER_A4 = 9  # Worksheet.PAPERSIZE_A4 (write-only sheets lack the constant)


PORTRAIT_WIDTH = 105  # column widths (characters) that fit A4 portrait at about 90 %
ROWS_PER_SCREEN = 40  # a sheet up to this many rows is printed on one page


def print_setup(ws, title_rows: str | None = None, columns: int | None = None, rows: int | None = None) -> None:
    """``title_rows`` like "4:4" repeats them on every page; ``columns`` and ``rows`` bound the
    print area (A1 to that cell) where the sheet's content is known. Portrait when the columns fit
    it (more rows on a page), else landscape; a sheet of one screen of rows on one page."""
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if rows and rows <= ROWS_PER_SCREEN else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    n = columns or getattr(ws, "max_column", 0)
    width = sum(ws.column_dimensions[get_column_letter(i)].width or 9 for i in range(1, n + 1)
                if not ws.column_dimensions[get_column_letter(i)].hidden)
    ws.page_setup.orientation = "portrait" if n and width <= PORTRAIT_WIDTH else "landscape"
    if title_rows:
        ws.print_title_rows = title_rows
    if columns and rows:
        ws.print_area = f"A1:{get_column_letter(columns)}{rows}"


def row_height(texts_and_widths, minimum: float = LINE_HEIGHT, size: float = 11) -> float:
    """Height of a row whose cells wrap: the most lines any of its (text, column width) needs. A
    column width counts digits; a line of German text holds about 0.85 of them at 11 points (words
    wrap whole), fewer in a larger font."""
    scale = 11 / size

    def lines(text, width) -> int:
        per_line = max(int(width * 0.85 * scale), 1)
        return -(-len(str(text or "")) // per_line)

    most = max((lines(text, width) for text, width in texts_and_widths), default=1)
    return max(minimum, LINE_HEIGHT * size / 11 * max(most, 1))
