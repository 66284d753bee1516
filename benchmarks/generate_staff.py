"""Write a staff export of N rows (default 500,000) as CSV and as xlsx, like the demo agency's.

The rows come from ``xl_gleichplan.demo.staff_rows(n, seed)``, so names, personnel numbers and birth
dates are included and the import has personal columns to drop.

* CSV: semicolon, UTF-8 with BOM (as Excel saves "CSV UTF-8"), written by ``demo.write_csv``.
* xlsx: one sheet "Personal", written by xlsxwriter in ``constant_memory`` mode (a few MB of RAM for any
  size). Cells are typed as an HR system's xlsx export has them: ``geburtsdatum`` is a date cell
  (format TT.MM.JJJJ), ``beschaeftigungsumfang`` a number; everything else is text. ``--text-cells``
  writes every cell as text instead (what the CSV holds). Note: constant_memory writes strings
  in-line; a file saved by Excel keeps them in a shared-strings table instead.

    pip install -r benchmarks/requirements.txt       # xlsxwriter, for the benchmark only
    python benchmarks/generate_staff.py [--rows N] [--seed S] [--out DIR] [--only csv|xlsx] [--text-cells]

Files: DIR/personal_N.csv and DIR/personal_N.xlsx (DIR defaults to benchmarks/data/, git-ignored).
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

from xl_gleichplan.demo import STAFF_HEADER, staff_rows, write_csv

DATA = Path(__file__).resolve().parent / "data"
SEED = 7


def paths(rows: int, out: Path = DATA) -> tuple[Path, Path]:
    return out / f"personal_{rows}.csv", out / f"personal_{rows}.xlsx"


def write_xlsx(path: Path, rows, typed: bool = True) -> Path:
    """Rows (dicts keyed by STAFF_HEADER) into a new xlsx, streaming (constant memory)."""
    try:
        import xlsxwriter
    except ImportError:
        raise SystemExit("xlsxwriter fehlt: pip install -r benchmarks/requirements.txt") from None
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Personal")
    date_format = book.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, STAFF_HEADER)
    birth = STAFF_HEADER.index("geburtsdatum")
    volume = STAFF_HEADER.index("beschaeftigungsumfang")
    write_string, write_number, write_datetime = sheet.write_string, sheet.write_number, sheet.write_datetime
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(STAFF_HEADER):
            value = row[name]
            if typed and c == birth:
                write_datetime(r, c, datetime.strptime(value, "%d.%m.%Y"), date_format)
            elif typed and c == volume:
                write_number(r, c, float(value.replace(",", ".")))
            elif value != "":
                write_string(r, c, value)
    book.close()
    return path


def generate(rows: int, out: Path = DATA, seed: int = SEED, only: str | None = None,
             typed: bool = True) -> tuple[Path, Path]:
    """Write both files (or ``only`` one of them); returns (csv_path, xlsx_path)."""
    out.mkdir(parents=True, exist_ok=True)
    csv_path, xlsx_path = paths(rows, out)
    if only in (None, "csv"):
        write_csv(csv_path, STAFF_HEADER, staff_rows(rows, seed))
    if only in (None, "xlsx"):
        write_xlsx(xlsx_path, staff_rows(rows, seed), typed=typed)
    return csv_path, xlsx_path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=500_000, help="Zeilen (Personen), Vorgabe 500000")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=DATA, help="Zielordner (Vorgabe benchmarks/data/)")
    ap.add_argument("--only", choices=["csv", "xlsx"], help="nur eine der beiden Dateien schreiben")
    ap.add_argument("--text-cells", action="store_true", help="xlsx: jede Zelle als Text (wie in der CSV)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    for path in generate(args.rows, args.out, args.seed, args.only, typed=not args.text_cells):
        if path.exists():
            print(f"{path}  {path.stat().st_size / 1e6:.1f} MB")
    print(f"{time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
