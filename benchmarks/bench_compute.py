"""Benchmark of `xl-gleichplan compute` on a large staff export (issue 2).

Each step runs in a fresh process, so its peak memory is that process's own (ru_maxrss):
  a) pandas alone reads the CSV                 b) compute on the CSV, end to end
  c) python-calamine raw read of the xlsx       d) compute on the xlsx, end to end
Goals: b/a <= 2.0, d/c <= 1.5, peak <= 1,500 MB.

    python benchmarks/bench_compute.py [--rows 500000] [--repeat 1] [--quick]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
STEPS = {
    "a_pandas_read_csv": "import pandas as pd; pd.read_csv(P, sep=';', encoding='utf-8-sig')",
    "b_compute_csv": "from xl_gleichplan.cli import main; import contextlib, os; "
                     "f = open(os.devnull, 'w'); contextlib.redirect_stdout(f).__enter__(); "
                     "main(['compute', '--staff', P, '--format', 'json'])",
    "c_calamine_read_xlsx": "from python_calamine import CalamineWorkbook; "
                            "CalamineWorkbook.from_path(P).get_sheet_by_index(0).to_python()",
    "d_compute_xlsx": "from xl_gleichplan.cli import main; import contextlib, os; "
                      "f = open(os.devnull, 'w'); contextlib.redirect_stdout(f).__enter__(); "
                      "main(['compute', '--staff', P, '--format', 'json'])",
}
PROBE = ("import resource, time, sys; P = sys.argv[1]; t = time.perf_counter(); {code}; "
         "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)")


def run(step: str, path: Path) -> tuple[float, float]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(code=STEPS[step]), str(path)],
                          capture_output=True, text=True, check=True)
    seconds, peak = done.stderr.strip().splitlines()[-1].split()
    return float(seconds), float(peak)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--quick", action="store_true", help="20,000 rows, for a smoke run")
    args = ap.parse_args()
    rows = 20_000 if args.quick else args.rows
    data = HERE / "data"
    csv_path, xlsx_path = data / f"personal_{rows}.csv", data / f"personal_{rows}.xlsx"
    if not (csv_path.exists() and xlsx_path.exists()):
        from generate_staff import generate

        generate(rows, data)
    results = {}
    for step in STEPS:
        path = csv_path if "csv" in step else xlsx_path
        runs = [run(step, path) for _ in range(args.repeat)]
        results[step] = {"seconds": round(statistics.median(r[0] for r in runs), 2),
                         "peak_mb": round(max(r[1] for r in runs))}
    results["ratio_csv"] = round(results["b_compute_csv"]["seconds"] / results["a_pandas_read_csv"]["seconds"], 2)
    results["ratio_xlsx"] = round(results["d_compute_xlsx"]["seconds"] / results["c_calamine_read_xlsx"]["seconds"], 2)
    results["rows"] = rows
    print(json.dumps(results, indent=2))
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "compute.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
