"""Profile `xl-gleichplan compute --staff FILE --format json` in this process (JSON to /dev/null).

    python benchmarks/profile_compute.py benchmarks/data/personal_500000.xlsx            # cProfile, top 25
    python benchmarks/profile_compute.py FILE --top 40 --sort tottime
    python benchmarks/profile_compute.py FILE --pyinstrument                              # call tree (pip install pyinstrument)

cProfile adds overhead to every Python call (the pure-Python loops look worse than they are);
pyinstrument samples and shows the call tree with less distortion. Run it on a quiet machine:
with other processes on both cores, wall time can be twice the CPU time.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    ap.add_argument("--pyinstrument", action="store_true")
    args = ap.parse_args(argv)

    import numpy  # noqa: F401  (imported before the measurement, as in bench_compute.py)
    import pandas  # noqa: F401
    import python_calamine  # noqa: F401

    from xl_gleichplan.cli import main as cli_main

    argv_compute = ["compute", "--staff", args.file, "--format", "json"]
    started, cpu = time.perf_counter(), time.process_time()
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        if args.pyinstrument:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.005)
            profiler.start()
            code = cli_main(argv_compute)
            profiler.stop()
        else:
            import cProfile

            profiler = cProfile.Profile()
            code = profiler.runcall(cli_main, argv_compute)
    print(f"compute: Code {code}, {time.perf_counter() - started:.2f} s, CPU {time.process_time() - cpu:.2f} s "
          f"(mit Profiler)")
    if args.pyinstrument:
        print(profiler.output_text(unicode=False, color=False))
    else:
        import pstats

        pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)
    return code


if __name__ == "__main__":
    sys.exit(main())
