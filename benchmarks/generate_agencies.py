"""Generate N filled agency Erhebungsbögen with KNOWN totals, for the consolidation (issue 6).

An invented state administration: ministries (level 1), Landesämter under them (level 2) and
Außenstellen under some Landesämter (level 3). Each agency's staff comes from ``demo.staff_rows``
(seeded, sizes 12..900, some below the plan duty of 50) and goes through the HR import into a
template, as a clerk's workbook would. The generator records what it wrote in ``totals.json``
next to the workbooks: per agency and Stichtag the stock by Bereich, and the sums per office
(its own workbook and everything below it) and for all agencies, summed here by the generator
itself, not by the program under test.

The hierarchy is mostly in the workbooks' metadata; a few agencies leave the parent empty
("orphans") and ``hierarchie.csv`` (name;uebergeordnet) supplies it, and a few spell their parent
differently (upper case, "ue" for "ü"). ``totals`` assume the list is used; ``totals_without_list``
are the sums when only the metadata counts (an orphan is then an office of the top level).

Broken on purpose, in the folder of the latest Stichtag (``broken`` in the JSON): a renamed CSV, a
foreign workbook, an encrypted (OLE) file, a workbook of the wrong template version, a truncated
file (all five fail) and Excel's owner file ``~$...`` next to one agency's workbook (skipped).
Some good workbooks carry findings on purpose (``injected``): an error (a committee without a
name) or a warning (a measure without text); neither touches the stock.

    python benchmarks/generate_agencies.py OUT -n 1000
    python benchmarks/generate_agencies.py OUT -n 40 --stichtage 2019-06-30 2022-06-30 2025-06-30
"""
from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from xl_gleichplan.demo import STAFF_HEADER, movement_rows, staff_rows, write_csv

ALL = "Alle Dienststellen"
MOVE_HEADER = ["vorgang", "datum", "geschlecht", "laufbahngruppe", "besoldungs_entgeltgruppe", "arbeitszeit",
               "beurlaubung"]
TARGET_HEADER = ["id", "dimension", "bereich", "geschlecht", "ziel", "erreicht", "fuehrung", "frist"]
MINISTRIES = [
    "Thüringer Staatskanzlei",
    "Thüringer Ministerium für Inneres und Kommunales",
    "Thüringer Finanzministerium",
    "Thüringer Ministerium für Bildung, Wissenschaft und Kultur",
    "Thüringer Ministerium für Wirtschaft, Landwirtschaft und Ländlichen Raum",
    "Thüringer Ministerium für Umwelt, Energie, Naturschutz und Forsten",
    "Thüringer Ministerium für Soziales, Gesundheit, Arbeit und Familie",
    "Thüringer Ministerium für Justiz, Migration und Verbraucherschutz",
    "Thüringer Ministerium für Digitales und Infrastruktur",
]
LEVELS = ["dienststellenleitung", "abteilungsleitung", "referatsleitung", "sachgebietsleitung"]
DEFAULT_STICHTAG = date(2025, 6, 30)


@dataclass(frozen=True)
class Spec:
    index: int
    name: str
    type: str
    parent: str | None  # the true parent
    meta_parent: str  # what the workbook's metadata says ("" for an orphan)
    ministry: str
    level: int
    folder: str  # relative to the Stichtag folder
    filename: str
    base_size: int


def plan(n: int, seed: int) -> list[Spec]:
    """The org chart, deterministic in (n, seed)."""
    rng = random.Random(seed)
    m = max(2, min(len(MINISTRIES), round(n / 40)))
    specs: list[Spec] = []
    offices: dict[int, list[Spec]] = {k: [] for k in range(m)}  # Landesämter per ministry
    for i in range(n):
        if i < m:
            name, kind, parent, level, k = MINISTRIES[i], "ministerium", None, 1, i
            size = rng.randint(150, 450)
        else:
            k = rng.randrange(m)
            if offices[k] and rng.random() < 0.35:
                office = rng.choice(offices[k])
                name = f"Außenstelle {i:04d} des Landesamts {office.index:04d}"
                kind, parent, level = "landesverwaltung", office.name, 3
                size = rng.randint(12, 150)
            else:
                name = f"Landesamt für Musterverwaltung {i:04d}"
                kind = "koerperschaft" if i % 11 == 4 else "landesverwaltung"
                parent, level = MINISTRIES[k], 2
                size = int(math.exp(rng.uniform(math.log(20), math.log(900))))
        meta = parent or ""
        if parent and i % 17 == 5:
            meta = ""  # an orphan: the parent comes from hierarchie.csv
        elif parent and i % 23 == 7:
            # the same office, spelt otherwise
            meta = parent.upper().replace("Ü", "UE").replace("Ä", "AE").replace("ß", "SS")
        suffix = ".xlsm" if i % 10 == 3 else ".xlsx"
        safe = "".join(ch if ch.isalnum() else "_" for ch in name)[:60]
        spec = Spec(i, name, kind, parent, meta, MINISTRIES[k], level, f"m{k + 1:02d}", f"{i:04d}_{safe}{suffix}", size)
        specs.append(spec)
        if level == 2:
            offices[k].append(spec)
    return specs


def injected(i: int) -> str | None:
    return {9: "error", 10: "warning"}.get(i % 40)


# ------------------------------------------------------------------------------------------ workers

_TEMPLATES: dict[str, object] = {}


def _workbook(template: str):
    from xl_gleichplan.io.workbook_writer import load

    if template not in _TEMPLATES:
        _TEMPLATES[template] = load(template)
    return _TEMPLATES[template]


def _set_meta(wb, values: dict) -> None:
    from xl_gleichplan.schema import METADATA_SHEET

    ws = wb[METADATA_SHEET]
    for row in ws.iter_rows(min_row=2, max_col=3):
        if row[0].value in values:
            row[2].value = values[row[0].value]


def make_agency(spec: Spec, stichtag: date, template: str, target: str, seed: int, scratch: str) -> dict:
    """Write one agency's workbook for one Stichtag; return what was written."""
    from xl_gleichplan.io.hr_import import import_exports
    from xl_gleichplan.model import Agency, Counts, Measure
    from xl_gleichplan.profiles import load_profile
    from xl_gleichplan.schema import FIRST_DATA_ROW, SHEETS

    rng = random.Random(f"{seed}/{spec.index}/{stichtag.isoformat()}")
    size = max(12, round(spec.base_size * rng.uniform(0.85, 1.15)))
    folder = Path(scratch) / f"{spec.index}_{stichtag.year}"
    folder.mkdir(parents=True, exist_ok=True)
    person_seed = rng.randrange(10**9)
    files = {"staff": write_csv(folder / "personal.csv", STAFF_HEADER, staff_rows(size, person_seed, stichtag)),
             "movements": write_csv(folder / "bewegungen.csv", MOVE_HEADER, movement_rows(size, person_seed, stichtag))}
    committees = [("Personalrat", rng.randint(1, 6), rng.randint(1, 6), 0, 0),
                  ("Auswahlkommission", rng.randint(0, 3), rng.randint(1, 4), 0, 0)]
    files["committees"] = write_csv(folder / "gremien.csv", ["gremium", "w", "m", "d", "x"], committees)
    targets = []
    for t in range(rng.choice([0, 1, 2, 3])):
        goal = rng.randint(1, 3)
        achieved = "" if rng.random() < 0.2 else rng.randint(0, goal)
        targets.append((f"Z{t + 1}", "fuehrungsebene", LEVELS[1 + t % 3], rng.choice("wm"), goal, achieved, "ja",
                        f"30.06.{stichtag.year}"))  # the previous plan's targets, due on this Stichtag
    files["targets"] = write_csv(folder / "ziele.csv", TARGET_HEADER, targets)
    profile = load_profile("thueringen")
    ds = import_exports(**files, profile=profile, stichtag=stichtag,
                        agency=Agency(spec.name, spec.type, spec.meta_parent or None))
    shutil.rmtree(folder, ignore_errors=True)
    kind = injected(spec.index)
    if kind == "warning":
        ds.measures.append(Measure(None, "organisatorisch", ""))
    from xl_gleichplan.io.workbook_writer import fill_inputs

    wb = _workbook(template)
    _set_meta(wb, {"dienststelle": spec.name, "art": spec.type, "uebergeordnet": spec.meta_parent})
    fill_inputs(wb, ds, {"stock", "movements", "postings", "committees", "forecast", "targets", "measures"})
    if kind == "error":  # a committee with members but no name
        sheet = SHEETS["committees"]
        row = FIRST_DATA_ROW + len(ds.committees)
        wb[sheet.name][f"{sheet.letter('w')}{row}"] = 2
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    lead = sum((c for (d, _), c in ds.stock.items() if d == "fuehrungsebene"), Counts())
    return {"name": spec.name, "stichtag": stichtag.isoformat(), "file": target, "heads": ds.heads,
            "stock": [[d, a, c.w, c.m, c.d, c.x] for (d, a), c in ds.stock.items()],
            "leadership": [lead.w, lead.m, lead.d, lead.x],
            "targets": [[t.target, t.achieved] for t in ds.targets if t.leadership],
            "injected": kind}


def _run(batch):
    return [make_agency(*task) for task in batch]


# ------------------------------------------------------------------------------------------ totals

def _rollup(records: list[dict], parent_of: dict[str, str | None]) -> dict:
    """Per office: its own workbook and everything below it; plus ALL. Summed by the generator."""
    totals: dict[str, dict] = {}
    for rec in records:
        chain, node = [ALL], rec["name"]
        while node is not None:
            chain.append(node)
            node = parent_of.get(node)
        for node in chain:
            t = totals.setdefault(node, {"agencies": 0, "heads": 0, "stock": {}})
            t["agencies"] += 1
            t["heads"] += rec["heads"]
            for d, a, *counts in rec["stock"]:
                cell = t["stock"].setdefault(f"{d}|{a}", [0, 0, 0, 0])
                for j in range(4):
                    cell[j] += counts[j]
    for t in totals.values():
        lead = [0, 0, 0, 0]
        for key, counts in t["stock"].items():
            if key.startswith("fuehrungsebene|"):
                lead = [x + y for x, y in zip(lead, counts)]
        t["leadership"] = lead
    return totals


def _broken_files(folder: Path, good: dict, template: str) -> list[dict]:
    from openpyxl import Workbook

    from xl_gleichplan.io.workbook_writer import load

    target = folder / "m01"
    target.mkdir(parents=True, exist_ok=True)
    out = []
    csv = target / "personalbestand_umbenannt.xlsx"
    csv.write_text("geschlecht;laufbahngruppe\nweiblich;gehobener\n", encoding="utf-8")
    out.append({"file": str(csv), "kind": "renamed_csv", "expect": "failed"})
    foreign = target / "haushaltsplan.xlsx"
    wb = Workbook()
    wb.active.title = "Haushalt"
    wb.active.append(["Titel", "Ansatz 2025"])
    wb.active.append(["511 01", 12000])
    wb.save(foreign)
    out.append({"file": str(foreign), "kind": "foreign_workbook", "expect": "failed"})
    encrypted = target / "verschluesselt.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    out.append({"file": str(encrypted), "kind": "encrypted_ole", "expect": "failed"})
    old = target / "phantomamt_version2.xlsx"
    wb = load(template)
    _set_meta(wb, {"dienststelle": "Phantomamt mit alter Vorlage", "vorlagenversion": 2})
    wb.save(old)
    out.append({"file": str(old), "kind": "wrong_version", "expect": "failed"})
    first = Path(good["file"])
    truncated = target / "abgeschnitten.xlsx"
    data = first.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    out.append({"file": str(truncated), "kind": "truncated", "expect": "failed"})
    owner = first.with_name("~$" + first.name)
    owner.write_bytes(bytes([8]) + "Sachbear".encode("ascii") + bytes(156))  # as Excel writes them: 165 bytes
    out.append({"file": str(owner), "kind": "owner_file", "expect": "skipped"})
    return out


def generate(out: str | Path, n: int, stichtage=(DEFAULT_STICHTAG,), seed: int = 2025, broken: bool = True,
             jobs: int | None = None) -> dict:
    """Write the workbooks under ``out/<Stichtag>/m<ministry>/`` and ``out/totals.json``,
    ``out/hierarchie.csv``; return the totals dict."""
    from xl_gleichplan.io.template import write_template
    from xl_gleichplan.model import Agency
    from xl_gleichplan.profiles import load_profile

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stichtage = sorted(stichtage)
    specs = plan(n, seed)
    scratch = Path(tempfile.mkdtemp(prefix="gen_agencies_"))
    try:
        templates = {s: str(write_template(scratch / f"vorlage_{s.isoformat()}.xlsx", load_profile("thueringen"),
                                           Agency("", "landesverwaltung"), s)) for s in stichtage}
        tasks = [(spec, s, templates[s], str(out / s.isoformat() / spec.folder / spec.filename), seed, str(scratch))
                 for s in stichtage for spec in specs]
        jobs = max(1, jobs or 2)
        size = max(1, math.ceil(len(tasks) / (jobs * 8)))
        batches = [tasks[i:i + size] for i in range(0, len(tasks), size)]
        if jobs == 1:
            written = [r for b in batches for r in _run(b)]
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                written = [r for rs in pool.map(_run, batches) for r in rs]
        for r in written:
            r["file"] = str(Path(r["file"]).relative_to(out))
        latest = stichtage[-1]
        broken_list = []
        if broken:
            first = next(r for r in written if r["stichtag"] == latest.isoformat())
            broken_list = _broken_files(out / latest.isoformat(), {"file": str(out / first["file"])},
                                        templates[latest])
            for b in broken_list:
                b["file"] = str(Path(b["file"]).relative_to(out))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    true_parent = {s.name: s.parent for s in specs}
    meta_parent = {s.name: (s.parent if s.meta_parent else None) for s in specs}  # without the list
    result = {
        "n": n, "seed": seed, "stichtage": [s.isoformat() for s in stichtage],
        "agencies": [asdict(s) for s in specs],
        "records": {s.isoformat(): {r["name"]: r for r in written if r["stichtag"] == s.isoformat()} for s in stichtage},
        "totals": {}, "totals_without_list": {},
        "broken": broken_list,
        "expected_files": {s.isoformat(): {"processed": n, "skipped": int(broken and s == stichtage[-1]),
                                           "failed": 5 if broken and s == stichtage[-1] else 0} for s in stichtage},
        "injected": {s.name: injected(s.index) for s in specs if injected(s.index)},
        "orphans": sorted(s.name for s in specs if s.parent and not s.meta_parent),
    }
    for s in stichtage:
        records = list(result["records"][s.isoformat()].values())
        result["totals"][s.isoformat()] = _rollup(records, true_parent)
        result["totals_without_list"][s.isoformat()] = _rollup(records, meta_parent)
    with open(out / "hierarchie.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("name;uebergeordnet\n")
        for name in result["orphans"]:
            fh.write(f"{name};{true_parent[name]}\n")
    (out / "totals.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", help="output folder")
    ap.add_argument("-n", type=int, default=100, help="number of agencies (default 100)")
    ap.add_argument("--stichtage", nargs="+", type=date.fromisoformat, default=[DEFAULT_STICHTAG])
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--jobs", type=int, default=None, help="processes (default 2)")
    ap.add_argument("--no-broken", action="store_true", help="no broken files")
    args = ap.parse_args()
    t0 = time.perf_counter()
    result = generate(args.out, args.n, args.stichtage, args.seed, not args.no_broken, args.jobs)
    files = sum(len(r) for r in result["records"].values())
    print(f"{files} workbooks (+{len(result['broken'])} broken) in {args.out} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
