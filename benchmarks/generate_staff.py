"""Write a staff export of N rows (default 500,000) as CSV and as xlsx, like the demo agency's
(names, personnel numbers and birth dates included, so the import has personal columns to drop).

    python benchmarks/generate_staff.py [--rows N] [--out DIR]

xlsxwriter (benchmarks/requirements.txt) writes the large xlsx in constant memory."""
from __future__ import annotations

import argparse
from pathlib import Path

from xl_gleichplan.demo import STAFF_HEADER, staff_rows, write_csv


def generate(rows: int, out: Path, seed: int = 7) -> tuple[Path, Path]:
    import xlsxwriter

    out.mkdir(parents=True, exist_ok=True)
    csv_path = write_csv(out / f"personal_{rows}.csv", STAFF_HEADER, staff_rows(rows, seed))
    xlsx_path = out / f"personal_{rows}.xlsx"
    book = xlsxwriter.Workbook(str(xlsx_path), {"constant_memory": True})
    sheet = book.add_worksheet("Personal")
    sheet.write_row(0, 0, STAFF_HEADER)
    for i, row in enumerate(staff_rows(rows, seed), start=1):
        sheet.write_row(i, 0, [row[h] for h in STAFF_HEADER])
    book.close()
    return csv_path, xlsx_path


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--out", default=str(Path(__file__).parent / "data"))
    args = ap.parse_args()
    for path in generate(args.rows, Path(args.out)):
        print(path)
