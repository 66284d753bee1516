"""Benchmark of the Erhebungsbogen path (issue 3).

1. build N prefilled agency templates from a list (``make_template_batch``);
2. read and compute N filled workbooks (``analyse_workbook``), against python-calamine reading
   every sheet of the same files raw (``to_python()``), in the same single process.

    python benchmarks/bench_workbooks.py            # N = 500
    python benchmarks/bench_workbooks.py --quick    # N = 20
"""
from __future__ import annotations

import argparse
import csv
import json
import resource
import shutil
import time
from datetime import date
from pathlib import Path

from python_calamine import CalamineWorkbook

from xl_gleichplan.demo import write_exports
from xl_gleichplan.io.hr_import import import_exports
from xl_gleichplan.io.template import write_template
from xl_gleichplan.io.workbook_commands import make_template_batch
from xl_gleichplan.io.workbook_reader import analyse_workbook
from xl_gleichplan.io.workbook_writer import fill_inputs, load, save
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile

HERE = Path(__file__).parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=500)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--data", default=str(HERE / "data" / "workbooks"))
    args = ap.parse_args()
    n = 20 if args.quick else args.n
    data = Path(args.data)
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    profile, stichtag = load_profile(), date(2025, 6, 30)

    listing = data / "dienststellen.csv"
    with open(listing, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["name", "art", "uebergeordnet", "stichtag"])
        for i in range(n):
            w.writerow([f"Amt {i:04d}", "landesverwaltung", f"Ministerium {i % 9}", "30.06.2025"])
    t0 = time.perf_counter()
    make_template_batch(listing, data / "vorlagen", profile, None)
    build = time.perf_counter() - t0

    # filled workbooks: a few distinct agencies (sizes 60..400), copied to N files (not timed)
    filled = data / "ausgefuellt"
    filled.mkdir()
    seeds = []
    for k, size in enumerate((60, 150, 300, 400)):
        files = write_exports(data / f"exp{k}", n_staff=size, seed=k)
        ds = import_exports(**files, profile=profile, stichtag=stichtag, agency=Agency(f"Amt {k}", "landesverwaltung"))
        wb = load(write_template(data / f"t{k}.xlsx", profile, ds.agency, stichtag))
        fill_inputs(wb, ds, {"stock", "movements", "postings", "committees", "forecast", "targets"})
        seeds.append(save(wb, data / f"f{k}.xlsx"))
    paths = []
    for i in range(n):
        paths.append(filled / f"amt_{i:04d}.xlsx")
        shutil.copy(seeds[i % len(seeds)], paths[-1])

    t0 = time.perf_counter()
    for p in paths:
        book = CalamineWorkbook.from_path(str(p))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    raw = time.perf_counter() - t0
    t0 = time.perf_counter()
    for p in paths:
        analyse_workbook(p)
    ours = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"n": n, "build_s_per_template": build / n, "read_compute_s_per_workbook": ours / n,
              "calamine_raw_s_per_workbook": raw / n, "ratio_to_raw": ours / raw, "peak_mb": peak}
    print(json.dumps(result, indent=2))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "workbooks.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
