"""One run that measures each row of the performance table against its anchor (issue 16).

Each measurement runs in a fresh Python process (peak memory = that process's ru_maxrss plus that of its
largest child process: Linux reports the largest, not the sum). Anchor and
work of a row alternate (interleaved pairs, the order swapped each round), so that a busy moment of
the shared machine hits both alike; the ratio reported is the median of the per-pair ratios.

Rows:
  csv    compute on the 500,000-row CSV      vs pandas read_csv(engine="pyarrow")   goal <= 1.3x
  xlsx   compute on the 500,000-row xlsx     vs fastexcel -> Arrow                  goal <= 1.5x, < 700 MB
  click  import of the add-in's action module vs import xlwings                     goal <= 0.5 s in total
  draft  plan drafts of 8 demo agencies       vs the same content, bare python-docx/matplotlib  goal <= 1.5x
  template  20 prefilled Erhebungsbögen       vs copying the checked-in one at the zip level    goal <= 5x
  workbook     read + check + compute 100 returned workbooks (analyse_workbook)
               vs python-calamine reading all their sheets raw                      goal <= 2x
  consolidate  `xl-gleichplan consolidate` of 1,000 workbooks (summary, JSON, history)
               vs python-calamine reading them raw in the same process pool         goal <= 1.5x

"seconds" is the timed call inside the process, after the row's common imports (the same in
anchor and work, so neither pays import costs the other is spared), except for "click", which
times the imports themselves.

    pip install -r benchmarks/requirements.txt
    python benchmarks/run_all.py                     # 500,000 rows, 3 pairs per row
    python benchmarks/run_all.py --quick             # 20,000 rows, 1 pair: a smoke run
    python benchmarks/run_all.py --rows csv,click --repeat 5 --markdown benchmarks/results/table.md

Data are generated on first use into benchmarks/data/ (git-ignored; the 1,000 agencies of
generate_agencies.py once, shared with bench_consolidate.py; --quick uses 50); results in
benchmarks/results/run_all.json.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from anchors import prepare_drafts  # noqa: E402
from generate_staff import DATA, generate, paths  # noqa: E402

COMPUTE = r"""
import contextlib
from xl_gleichplan.cli import main
def compute(path):
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null):
        code = main(["compute", "--staff", path, "--format", "json"])
    if code != 0:
        raise SystemExit(f"compute endete mit Code {code}")
"""
# the returned Erhebungsbögen: read + check (formulas too, as `check` does) + compute, one after the other
WORKBOOKS = r"""
from pathlib import Path
from python_calamine import CalamineWorkbook
import lxml.etree, xl_gleichplan.analysis
from xl_gleichplan.io.workbook_reader import analyse_workbook
FILES = Path(P).read_text(encoding="utf-8").splitlines()  # all of them per measurement: ms each would round away
def raw_all_sheets(files):
    for f in files:
        book = CalamineWorkbook.from_path(f)
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
        book.close()
"""
# the consolidation with its outputs vs python-calamine reading the same files with the same pool layout
CONSOLIDATE = r"""
import atexit, shutil, tempfile
from pathlib import Path
sys.path.insert(0, {here})
from bench_consolidate import phase_ours, phase_raw
import xl_gleichplan.cli, xl_gleichplan.consolidation.core
JOBS = os.cpu_count() or 1
OUT = Path(tempfile.mkdtemp(prefix="run_all_consolidate_"))
atexit.register(shutil.rmtree, OUT, True)
""".replace("{here}", repr(str(HERE)))
# name: (label, file kind, common imports, anchor code, work code, goal ratio, goal seconds, goal MB)
ROWS = {
    "csv": ("compute, {n} Zeilen CSV", "csv", "import pandas as pd\n" + COMPUTE,
            "pd.read_csv(P, sep=';', encoding='utf-8-sig', engine='pyarrow')", "compute(P)",
            1.3, None, None),
    "xlsx": ("compute, {n} Zeilen xlsx", "xlsx", "import fastexcel\n" + COMPUTE,
             "fastexcel.read_excel(P).load_sheet(0).to_arrow()", "compute(P)", 1.5, None, 700),
    "click": ("erster Klick im Menüband (Importe)", None, "",
              "import xlwings", "import xl_gleichplan.excel.actions", None, 0.5, None),
}
# the anchors of the draft and template rows are defined in anchors.py
_OUT = f"""
import pickle, tempfile
from pathlib import Path
sys.path.insert(0, {str(HERE)!r})
_tmp = tempfile.TemporaryDirectory()
OUT = Path(_tmp.name)
"""
ROWS["draft"] = ("Planentwurf (je Entwurf, 8 Dienststellen)", lambda: prepare_drafts(DATA / "entwuerfe"),
                 _OUT + "from anchors import bare_draft\nfrom xl_gleichplan.report.draft import write_draft\n"
                 "ITEMS = pickle.loads(Path(P).read_bytes())\nUNITS = len(ITEMS)\n",
                 "for i, (_, spec) in enumerate(ITEMS): bare_draft(spec, OUT / f'a{i}.docx')",
                 "for i, (analysis, _) in enumerate(ITEMS): write_draft(analysis, OUT / f'e{i}.docx')",
                 1.5, None, None)
ROWS["template"] = ("Erhebungsbogen (je Vorlage, 20 Dienststellen)", None,
                    _OUT + "from datetime import date\nfrom anchors import zip_copy\n"
                    "from xl_gleichplan.io.template import SHIPPED, write_template\n"
                    "from xl_gleichplan.model import Agency\nfrom xl_gleichplan.profiles import load_profile\n"
                    "PROFILE = load_profile('thueringen')\nUNITS = 20\n",
                    "for i in range(UNITS): zip_copy(SHIPPED / 'erhebungsbogen_thueringen.xlsx', OUT / f'a{i}.xlsx')",
                    "for i in range(UNITS): write_template(OUT / f't{i}.xlsx', PROFILE, "
                    "Agency(f'Amt {i}', 'landesverwaltung', 'Ministerium'), date(2025, 6, 30))",
                    5, None, None)
ROWS["workbook"] = ("Erhebungsbogen lesen, prüfen und auswerten, {n} Arbeitsmappen",
                    lambda: agency_sample(), WORKBOOKS,
                    "raw_all_sheets(FILES)", "for f in FILES:\n    analyse_workbook(f)", 2.0, None, None)
ROWS["consolidate"] = ("consolidate, {n} Erhebungsbögen", lambda: agencies(), CONSOLIDATE,
                       "phase_raw(Path(P), JOBS)", "phase_ours(Path(P), JOBS, OUT)", 1.5, None, None)
CHILD = r"""
import os, resource, sys, time
P = sys.argv[1]
UNITS = 1  # the imports may set how many items the code makes: seconds are per item
{imports}
t = time.perf_counter()
{code}
seconds = (time.perf_counter() - t) / UNITS
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("RESULT", seconds, peak / 1024, file=sys.stderr)
"""


def measure(imports: str, code: str, path: Path | None) -> tuple[float, float]:
    """(seconds, peak MB) of ``code`` in a fresh process."""
    child = CHILD.replace("{imports}", imports).replace("{code}", code)
    done = subprocess.run([sys.executable, "-c", child, str(path or "")], capture_output=True, text=True)
    lines = [line for line in done.stderr.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"Messung fehlgeschlagen (Code {done.returncode}): {code}\n{done.stderr[-3000:]}")
    _, seconds, peak = lines[-1].split()
    return float(seconds), float(peak)


QUICK = False  # --quick: the agencies rows take 50 agencies and 20 workbooks


def agencies() -> tuple[Path, int]:
    """The agencies' workbooks of benchmarks/generate_agencies.py: 1,000 (--quick: 50), generated once."""
    from bench_consolidate import ensure_agencies

    n = 50 if QUICK else 1000
    folder = HERE / "data" / ("agencies" if n == 1000 else f"agencies_{n}")
    ensure_agencies(folder, n, os.cpu_count() or 1)
    return folder, n


def agency_sample() -> tuple[Path, int]:
    """A list of 100 (--quick: 20) readable workbooks spread over the agencies (sizes 12 to 900 staff)."""
    folder, _ = agencies()
    totals = json.loads((folder / "totals.json").read_text(encoding="utf-8"))
    good = [folder / s / a["folder"] / a["filename"] for a in totals["agencies"] for s in totals["stichtage"]]
    good = [p for p in good if p.exists()]
    n = 20 if QUICK else 100
    sample = good[::max(1, len(good) // n)][:n]
    listing = folder / f"sample_{n}.txt"
    listing.write_text("\n".join(str(p) for p in sample), encoding="utf-8")
    return listing, n


def run_row(name: str, rows: int, repeat: int) -> dict:
    label, kind, imports, anchor, work, goal_ratio, goal_s, goal_mb = ROWS[name]
    path, n = None, rows
    if callable(kind):  # a row that prepares its own input (once per run, not timed)
        path = kind()
        if isinstance(path, tuple):  # (input, the n of its label)
            path, n = path
    elif kind:
        path = dict(zip(("csv", "xlsx"), paths(rows)))[kind]
        if not path.exists():
            print(f"Erzeuge {rows} Zeilen …", file=sys.stderr)
            generate(rows)
        path.read_bytes()  # into the page cache for both sides
    pairs = []
    for i in range(repeat):
        order = ("anchor", "work") if i % 2 == 0 else ("work", "anchor")
        got = {side: measure(imports, anchor if side == "anchor" else work, path) for side in order}
        pairs.append(got)
    ratio = statistics.median(p["work"][0] / p["anchor"][0] for p in pairs)
    result = {"label": label.format(n=f"{n:,}".replace(",", ".")), "anchor": anchor, "work": work,
              "anchor_s": round(statistics.median(p["anchor"][0] for p in pairs), 4),
              "work_s": round(statistics.median(p["work"][0] for p in pairs), 4),
              "work_peak_mb": round(max(p["work"][1] for p in pairs)), "ratio": round(ratio, 2),
              "pairs": [[round(p["anchor"][0], 3), round(p["work"][0], 3)] for p in pairs]}
    checks = []
    if goal_ratio:
        checks.append(result["ratio"] <= goal_ratio)
    if goal_s:
        checks.append(result["work_s"] <= goal_s)
    if goal_mb:
        checks.append(result["work_peak_mb"] < goal_mb)
    result["goal"] = " und ".join(g for g in (goal_ratio and f"≤ {goal_ratio}x".replace(".", ","),
                                               goal_s and f"≤ {goal_s} s".replace(".", ","),
                                               goal_mb and f"< {goal_mb} MB") if g)
    result["met"] = all(checks)
    return result


def german(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def duration(seconds: float) -> str:
    """Milliseconds below a tenth of a second (a template takes 6 ms, which "0,01 s" would hide)."""
    return f"{german(seconds * 1000, 1)} ms" if seconds < 0.1 else f"{german(seconds)} s"


ANCHOR_LABELS = {"csv": "pandas `read_csv(engine=\"pyarrow\")`", "xlsx": "fastexcel → Arrow", "click": "`import xlwings`"}
ANCHOR_LABELS["draft"] = "python-docx und matplotlib ohne Produktlogik"
ANCHOR_LABELS["template"] = "ZIP-Kopie der mitgelieferten Vorlage"
ANCHOR_LABELS["workbook"] = "python-calamine liest alle Blätter roh"
ANCHOR_LABELS["consolidate"] = "python-calamine liest dieselben Dateien roh, gleiche Prozessaufteilung"


def markdown(results: dict, load: str) -> str:
    """The rows in the README's form (| Messung | Ergebnis |), with the load they were measured at."""
    lines = ["| Messung | Ergebnis |", "|---|---|"]
    for name, r in results.items():
        lines.append(f"| {r['label']} | {duration(r['work_s'])} ({ANCHOR_LABELS[name]} {duration(r['anchor_s'])}: "
                     f"Faktor {german(r['ratio'])}; Ziel {r['goal']}{'' if r['met'] else ', verfehlt'}); "
                     f"{r['work_peak_mb']} MB |")
    lines.append(f"\nGemessen mit `python benchmarks/run_all.py` auf {os.cpu_count()} Kernen, Last (uptime, 1 min) "
                 f"{load}; Faktor = Median der Verhältnisse abwechselnd gemessener Paare.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Jede Zeile der Leistungstabelle gegen ihren Vergleich messen")
    ap.add_argument("--rows", default=",".join(ROWS), help="Auswahl, z. B. csv,click")
    ap.add_argument("--n", type=int, default=500_000, help="Zeilen der Personaldatei")
    ap.add_argument("--repeat", type=int, default=3, help="Paare je Zeile")
    ap.add_argument("--quick", action="store_true", help="20.000 Zeilen, 1 Paar (Rauchtest)")
    ap.add_argument("--markdown", type=Path, help="die Tabelle zusätzlich als Markdown hierhin schreiben")
    ap.add_argument("--check", action="store_true", help="Exit-Code 1, wenn ein Ziel verfehlt wird")
    args = ap.parse_args(argv)
    n, repeat = (20_000, 1) if args.quick else (args.n, args.repeat)
    names = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = [r for r in names if r not in ROWS]
    if unknown:
        ap.error(f"unbekannte Zeile(n): {', '.join(unknown)}; vorhanden: {', '.join(ROWS)}")
    load_before = os.getloadavg()
    started = time.perf_counter()
    global QUICK
    QUICK = args.quick
    results = {name: run_row(name, n, repeat) for name in names}
    load = " / ".join(f"{a:.2f}–{b:.2f}".replace(".", ",") for a, b in zip(load_before[:1], os.getloadavg()[:1]))
    print(f"\n{'Messung':38} {'Vergleich s':>11} {'Arbeit s':>9} {'Faktor':>7} {'MB':>6}  Ziel")
    for r in results.values():
        print(f"{r['label']:38} {r['anchor_s']:11.3f} {r['work_s']:9.3f} {r['ratio']:7.2f} {r['work_peak_mb']:6d}  "
              f"{r['goal']} {'erreicht' if r['met'] else 'VERFEHLT'}")
    print(f"{repeat} Paare je Zeile, {time.perf_counter() - started:.0f} s; Last (1 min) vorher–nachher {load} "
          f"auf {os.cpu_count()} Kernen")
    out = HERE / "results" / ("run_all_quick.json" if args.quick else "run_all.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": n, "repeat": repeat, "load": load, "results": results}, indent=2) + "\n",
                   encoding="utf-8")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(results, load), encoding="utf-8")
        print(f"-> {args.markdown}")
    return 1 if args.check and not all(r["met"] for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
