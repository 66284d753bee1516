"""Benchmark of `xl-gleichplan compute` on a large staff export (issue 2, "Done means").

Each step runs in a fresh Python process, so its peak memory is that process's own ru_maxrss:
  a) pandas alone reads the CSV: pd.read_csv(path, sep=';', encoding='utf-8-sig')
  b) compute on the CSV, end to end: xl_gleichplan.cli.main(['compute', '--staff', CSV, '--format', 'json'])
  c) python-calamine raw read of the xlsx: CalamineWorkbook.from_path(p).get_sheet_by_index(0).to_python()
  d) compute on the xlsx, end to end (as b)
Goals: b/a <= 2.0, d/c <= 1.5, peak memory of b and d <= 1,500 MB.

"seconds" is the time of that one call inside the process, after pandas, numpy, python_calamine and
xl_gleichplan.cli are imported (the same imports in every step, so the baselines carry no import cost
the compute steps are spared); "cpu_s" is the CPU time of that call (less sensitive to other load on
the machine); "process_s" is the whole process from start to exit, for reference.
The compute steps write their JSON to /dev/null; their exit code must be 0, and unless --no-verify a
separate run checks the JSON (agency.staff == rows, no error findings).

    pip install -r benchmarks/requirements.txt
    python benchmarks/bench_compute.py                  # 500,000 rows, once
    python benchmarks/bench_compute.py --repeat 3       # median of 3 runs per step
    python benchmarks/bench_compute.py --quick          # 20,000 rows: a smoke run for CI (no goals enforced)

Data are generated on first use into benchmarks/data/ (git-ignored). Results: a table on stdout and
benchmarks/results/compute.json (compute_quick.json for --quick; both git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate_staff import DATA, generate, paths  # noqa: E402

GOALS = {"ratio_csv": 2.0, "ratio_xlsx": 1.5, "peak_mb": 1500}

STEPS = {  # name: (file kind, code timed inside the child; P is the file path)
    "a_pandas_read_csv": ("csv", "pd.read_csv(P, sep=';', encoding='utf-8-sig')"),
    "b_compute_csv": ("csv", "compute(P)"),
    "c_calamine_read_xlsx": ("xlsx", "CalamineWorkbook.from_path(P).get_sheet_by_index(0).to_python()"),
    "d_compute_xlsx": ("xlsx", "compute(P)"),
}
LABELS = {"a_pandas_read_csv": "a) pandas read_csv", "b_compute_csv": "b) compute CSV",
          "c_calamine_read_xlsx": "c) calamine raw read xlsx", "d_compute_xlsx": "d) compute xlsx"}

CHILD = r"""
import contextlib, os, resource, sys, time
import numpy, pandas as pd
from python_calamine import CalamineWorkbook
from xl_gleichplan.cli import main
P = sys.argv[1]

def compute(path):
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        code = main(["compute", "--staff", path, "--format", "json"])
    if code != 0:
        raise SystemExit(f"compute endete mit Code {code}")

t, c = time.perf_counter(), time.process_time()
result = {code}
seconds, cpu = time.perf_counter() - t, time.process_time() - c
del result
print("RESULT", seconds, cpu, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, file=sys.stderr)
"""


def run(step: str, path: Path) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD.replace("{code}", STEPS[step][1]), str(path)],
                          capture_output=True, text=True)
    process_s = time.perf_counter() - started
    lines = [l for l in done.stderr.splitlines() if l.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{step} fehlgeschlagen (Code {done.returncode}):\n{done.stderr[-3000:]}")
    _, seconds, cpu, peak = lines[-1].split()
    return {"seconds": float(seconds), "cpu_s": float(cpu), "peak_mb": float(peak), "process_s": process_s}


def verify(path: Path, rows: int) -> None:
    """compute once with its JSON captured: every row counted, no error finding."""
    done = subprocess.run([sys.executable, "-m", "xl_gleichplan", "compute", "--staff", str(path), "--format", "json"],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"compute auf {path} endete mit Code {done.returncode}: {done.stderr[-2000:]}")
    out = json.loads(done.stdout)
    errors = [f for f in out["findings"] if f["severity"] == "error"]
    if out["agency"]["staff"] != rows or errors:
        raise SystemExit(f"{path}: staff={out['agency']['staff']} (erwartet {rows}), Fehler: {errors[:3]}")


def warm(path: Path) -> None:
    """Read the file once so every step finds it in the page cache."""
    with open(path, "rb") as fh:
        while fh.read(1 << 24):
            pass


def environment() -> dict:
    from importlib.metadata import version

    return {"python": platform.python_version(), "pandas": version("pandas"), "numpy": version("numpy"),
            "python_calamine": version("python-calamine"), "cpus": os.cpu_count(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="compute gegen pandas/calamine messen (Issue 2)")
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--repeat", type=int, default=1, help="Läufe je Schritt; berichtet wird der Median")
    ap.add_argument("--quick", action="store_true", help="20,000 Zeilen, als Rauchtest (Ziele nicht erzwungen)")
    ap.add_argument("--steps", default="abcd", help="nur diese Schritte, z. B. ab")
    ap.add_argument("--no-verify", action="store_true", help="die JSON-Prüfung der compute-Ausgabe auslassen")
    ap.add_argument("--json", type=Path, help="Ergebnisdatei (Vorgabe benchmarks/results/compute.json)")
    ap.add_argument("--check", action="store_true", help="Exit-Code 1, wenn ein Ziel verfehlt wird")
    args = ap.parse_args(argv)
    rows = 20_000 if args.quick else args.rows
    csv_path, xlsx_path = paths(rows)
    if not (csv_path.exists() and xlsx_path.exists()):
        print(f"Erzeuge {rows} Zeilen in {DATA} …", file=sys.stderr)
        generate(rows)
    files = {"csv": csv_path, "xlsx": xlsx_path}
    for path in files.values():
        warm(path)
    if not args.no_verify:
        for path in files.values():
            verify(path, rows)
    steps = [s for s in STEPS if s[0] in args.steps]
    runs: dict[str, list[dict]] = {s: [] for s in steps}
    for _ in range(args.repeat):  # interleaved, so that a busy moment hits every step alike
        for step in steps:
            runs[step].append(run(step, files[STEPS[step][0]]))
    results: dict = {"rows": rows, "repeat": args.repeat,
                     "files": {k: {"path": str(p), "mb": round(p.stat().st_size / 1e6, 1)} for k, p in files.items()},
                     "environment": environment(), "goals": GOALS, "steps": {}}
    for step, rs in runs.items():
        results["steps"][step] = {"seconds": round(statistics.median(r["seconds"] for r in rs), 2),
                                  "cpu_s": round(statistics.median(r["cpu_s"] for r in rs), 2),
                                  "peak_mb": round(max(r["peak_mb"] for r in rs)),
                                  "process_s": round(statistics.median(r["process_s"] for r in rs), 2),
                                  "runs_s": [round(r["seconds"], 2) for r in rs]}
    s = results["steps"]
    checks = {}
    if "a_pandas_read_csv" in s and "b_compute_csv" in s:
        results["ratio_csv"] = round(s["b_compute_csv"]["seconds"] / s["a_pandas_read_csv"]["seconds"], 2)
        checks["ratio_csv"] = results["ratio_csv"] <= GOALS["ratio_csv"]
        results["ratio_csv_cpu"] = round(s["b_compute_csv"]["cpu_s"] / s["a_pandas_read_csv"]["cpu_s"], 2)
    if "c_calamine_read_xlsx" in s and "d_compute_xlsx" in s:
        results["ratio_xlsx"] = round(s["d_compute_xlsx"]["seconds"] / s["c_calamine_read_xlsx"]["seconds"], 2)
        checks["ratio_xlsx"] = results["ratio_xlsx"] <= GOALS["ratio_xlsx"]
        results["ratio_xlsx_cpu"] = round(s["d_compute_xlsx"]["cpu_s"] / s["c_calamine_read_xlsx"]["cpu_s"], 2)
    compute_peaks = [s[k]["peak_mb"] for k in ("b_compute_csv", "d_compute_xlsx") if k in s]
    if compute_peaks:
        results["peak_mb"] = max(compute_peaks)
        checks["peak_mb"] = results["peak_mb"] <= GOALS["peak_mb"]
    results["goals_met"] = checks

    print(f"\ncompute, {rows:,} Zeilen; CSV {results['files']['csv']['mb']} MB, xlsx {results['files']['xlsx']['mb']} MB; "
          f"Median aus {args.repeat}")
    print(f"{'Schritt':28} {'Sekunden':>9} {'CPU s':>8} {'Prozess s':>10} {'Spitze MB':>10}")
    for step, r in s.items():
        print(f"{LABELS[step]:28} {r['seconds']:9.2f} {r['cpu_s']:8.2f} {r['process_s']:10.2f} {r['peak_mb']:10d}")
    for key, label in (("ratio_csv", "b/a"), ("ratio_xlsx", "d/c"), ("peak_mb", "Spitze compute MB")):
        if key in checks:
            cpu = f" (CPU {results[key + '_cpu']})" if key + "_cpu" in results else ""
            print(f"{label:28} {results[key]:9}{cpu}  Ziel <= {GOALS[key]}  {'erreicht' if checks[key] else 'VERFEHLT'}")
    load = results["environment"]["loadavg_at_start"][0]
    if load > 0.5:
        print(f"Hinweis: Last beim Start {load} auf {os.cpu_count()} Kernen; Zeiten streuen (CPU-Sekunden sind robuster).")
    out = args.json or HERE / "results" / ("compute_quick.json" if args.quick else "compute.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"-> {out}")
    return 1 if args.check and not all(checks.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
