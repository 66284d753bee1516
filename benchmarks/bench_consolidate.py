"""Benchmark of ``xl-gleichplan consolidate`` (issue 6): N agency workbooks, end to end.

Two phases, each in a fresh Python process started by this script, with the same process layout
(a ``ProcessPoolExecutor`` with ``--jobs`` workers, one task per file):

- ours: ``xl-gleichplan consolidate DIR --out --json --history --jobs J --allow-partial`` (reading,
  checking, roll-ups, summary workbook, JSON, history CSV);
- raw:  python-calamine opening every file and converting every sheet with ``to_python()``;
- read: only the reading part of ours (``batch.read_all``: open, check, read, analyse, send the
  small result back), for the ratio of reading alone.

Seconds are wall-clock from starting the process to its exit (interpreter start and imports
included in both). The phases run ``--repeat`` times, interleaved (raw, read, ours, raw, ...), as
this shared virtual machine's speed varies by up to a factor of two from minute to minute; the
ratios are given for the best run of each phase and for the medians. Peak memory is ``ru_maxrss`` of the phase's process plus ``ru_maxrss`` of its
children (Linux reports the largest child, not the sum: ``upper_mb`` adds it once per worker).

    python benchmarks/bench_consolidate.py              # 1,000 agencies (generated first if missing)
    python benchmarks/bench_consolidate.py -n 50 --repeat 1    # a short run
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUFFIXES = (".xlsx", ".xlsm", ".xlsb")


def workbooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()
                  and not p.name.startswith(("~$", "._")))


def _raw_one(path: str) -> int:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(path)
        rows = sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)
        book.close()
        return rows
    except Exception:  # the broken files: calamine refuses them, as our reader does
        return -1


def phase_raw(folder: Path, jobs: int) -> dict:
    files = workbooks(folder)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_raw_one, str(p)) for p in files]
        rows = [f.result() for f in as_completed(futures)]
    return {"files": len(files), "unreadable": sum(r < 0 for r in rows), "rows": sum(r for r in rows if r > 0)}


def phase_read(folder: Path, jobs: int) -> dict:
    from xl_gleichplan.consolidation.batch import discover, read_all

    files, skipped = discover([folder])
    results = read_all(files, jobs=jobs, progress=False)
    return {"files": len(files) + len(skipped), "processed": sum(r.status == "processed" for r in results)}


def phase_ours(folder: Path, jobs: int, out: Path) -> dict:
    from xl_gleichplan.cli import main as cli

    code = cli(["consolidate", str(folder), "--out", str(out / "uebersicht.xlsx"), "--json", str(out / "uebersicht.json"),
                "--history", str(out / "verlauf"), "--jobs", str(jobs), "--allow-partial", "--today", "2026-04-15"])
    return {"exit_code": code}


def child_main(args) -> None:
    folder = Path(args.data)
    if args.phase == "raw":
        result = phase_raw(folder, args.jobs)
    elif args.phase == "read":
        result = phase_read(folder, args.jobs)
    else:
        result = phase_ours(folder, args.jobs, Path(args.out))
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result.update(self_mb=me, largest_child_mb=children)
    print("RESULT " + json.dumps(result))


def run_phase(phase: str, data: Path, jobs: int, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--phase", phase, "--data", str(data), "--jobs", str(jobs), "--out", str(out)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"phase {phase} failed (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    result = json.loads(line[len("RESULT "):])
    result.update(seconds=seconds, peak_mb=result["self_mb"] + result["largest_child_mb"],
                  upper_mb=result["self_mb"] + jobs * result["largest_child_mb"])
    if phase == "ours":
        result["stdout_tail"] = proc.stdout.strip().splitlines()[-2:-1]
    return result


def ensure_agencies(data: Path, n: int, jobs: int) -> list[Path]:
    """The workbooks of ``n`` agencies in ``data`` (generated first if the folder holds another number),
    read once so that they are in the page cache and no measurement pays for the disk."""
    totals = data / "totals.json"
    if not totals.exists() or json.loads(totals.read_text(encoding="utf-8"))["n"] != n:
        sys.path.insert(0, str(HERE))
        from generate_agencies import generate

        shutil.rmtree(data, ignore_errors=True)
        t0 = time.perf_counter()
        generate(data, n, jobs=jobs)
        print(f"generated {n} agencies in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    files = workbooks(data)
    for p in files:
        p.read_bytes()
    return files


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each phase, interleaved (default 3)")
    ap.add_argument("--data", default=None, help="folder of agency workbooks (default benchmarks/data/agencies)")
    ap.add_argument("--phase", choices=["raw", "read", "ours"], help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        return child_main(args)

    data = Path(args.data) if args.data else HERE / "data" / "agencies"
    files = ensure_agencies(data, args.n, args.jobs)
    runs: dict[str, list[dict]] = {"raw": [], "read": [], "ours": []}
    for _ in range(max(1, args.repeat)):
        for phase in runs:
            out = Path(tempfile.mkdtemp(prefix="bench_consolidate_"))
            try:
                runs[phase].append(run_phase(phase, data, args.jobs, out))
                if phase == "ours":
                    summary_kb = (out / "uebersicht.xlsx").stat().st_size / 1024
                    history_mb = (out / "verlauf" / "gleichplan_verlauf.csv").stat().st_size / 1e6
            finally:
                shutil.rmtree(out, ignore_errors=True)
    best = {p: min(r["seconds"] for r in rs) for p, rs in runs.items()}
    median = {p: statistics.median(r["seconds"] for r in rs) for p, rs in runs.items()}
    ours = runs["ours"][-1]
    result = {
        "n_agencies": args.n, "files": len(files), "jobs": args.jobs, "cpus": os.cpu_count(), "repeat": args.repeat,
        "seconds": {p: [round(r["seconds"], 2) for r in rs] for p, rs in runs.items()},
        "ours_s": round(best["ours"], 2), "raw_calamine_s": round(best["raw"], 2), "read_only_s": round(best["read"], 2),
        "ratio_best": round(best["ours"] / best["raw"], 2), "ratio_median": round(median["ours"] / median["raw"], 2),
        "read_only_ratio_best": round(best["read"] / best["raw"], 2),
        "read_only_ratio_median": round(median["read"] / median["raw"], 2),
        "ours_peak_mb": round(max(r["peak_mb"] for r in runs["ours"]), 1),
        "ours_upper_mb": round(max(r["upper_mb"] for r in runs["ours"]), 1),
        "raw_peak_mb": round(max(r["peak_mb"] for r in runs["raw"]), 1),
        "raw_upper_mb": round(max(r["upper_mb"] for r in runs["raw"]), 1),
        "ours_exit_code": ours["exit_code"], "ours_last_line": ours["stdout_tail"],
        "summary_kb": round(summary_kb), "history_csv_mb": round(history_mb, 1),
        "goal": "ours_s < 60 and ratio <= 1.5",
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "consolidate.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
