"""Benchmark of the plan draft (issue 4): drafts for N agencies of different sizes.

    python benchmarks/bench_draft.py          # N = 100
    python benchmarks/bench_draft.py --quick  # N = 10

The agencies come from the demo generator (seed i, 60 to 1,000 staff); exports, import and
analysis are not timed, only ``write_draft`` (tables, protection, sentences, charts, saving).
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from xl_gleichplan.analysis import analyse
from xl_gleichplan.demo import write_exports
from xl_gleichplan.io.hr_import import import_exports
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.report.draft import write_draft


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 10 if args.quick else args.n
    profile = load_profile()
    with tempfile.TemporaryDirectory() as tmp:
        analyses = []
        for i in range(n):  # sizes 60 .. 1,000 staff, not timed
            files = write_exports(Path(tmp) / f"exp{i}", n_staff=60 + (i * 97) % 940, seed=i)
            analyses.append(analyse(import_exports(**files, profile=profile, stichtag=date(2025, 6, 30),
                                                   agency=Agency(f"Amt {i}", "landesverwaltung")), profile))
        times = []
        for i, a in enumerate(analyses):
            start = time.perf_counter()
            write_draft(a, Path(tmp) / f"entwurf_{i}.docx")
            times.append(time.perf_counter() - start)
    result = {"drafts": n, "seconds_total": round(sum(times), 2), "seconds_per_draft": round(sum(times) / n, 3),
              "median": round(statistics.median(times), 3), "max": round(max(times), 3)}
    print(json.dumps(result, indent=2))
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "draft.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
