"""Sample data of a fictitious agency, the "Landesamt für Musterverwaltung" in Thüringen.

The generator is seeded, so the demo and the tests see the same exports every time; the
benchmarks call it with more rows. Names, personnel numbers and birth dates are invented and
exist only so that the import has personal columns to drop.
"""
from __future__ import annotations

import csv
import random
from datetime import date, timedelta
from pathlib import Path

DEMO_AGENCY = {"name": "Landesamt für Musterverwaltung", "type": "landesverwaltung",
               "parent": "Thüringer Ministerium für Musterangelegenheiten"}
DEMO_STICHTAG = date(2025, 6, 30)
# the sample agency under the other packaged profiles (demo --profile): same staff, the law's own body type
OTHER_AGENCIES = {
    "bund": {"name": "Bundesamt für Musterverwaltung", "type": "bundesbehoerde",
             "parent": "Bundesministerium für Musterangelegenheiten"},
    "sachsen-anhalt": {"name": "Ministerium für Musterangelegenheiten des Landes Sachsen-Anhalt",
                       "type": "oberste_landesbehoerde", "parent": None},
}


def demo_agency(profile) -> dict:
    """The sample agency for a profile; an office's own profile gets the Thuringian one under its first body type."""
    if profile.id in OTHER_AGENCIES:
        return OTHER_AGENCIES[profile.id]
    return DEMO_AGENCY if DEMO_AGENCY["type"] in profile.routing else {**DEMO_AGENCY, "type": next(iter(profile.routing))}


def demo_stichtag(profile) -> date:
    """The profile's usual Stichtag in the demo's year."""
    month, day = profile.stichtag_month_day
    return date(DEMO_STICHTAG.year, month, day)

# (Laufbahngruppe, pay groups, share of women, share of all staff); Beamte and Tarifbeschäftigte mixed
_CAREERS = [
    ("mittlerer", ["A 7", "A 8", "A 9", "E 5", "E 6", "E 8"], 0.72, 0.30),
    ("gehobener", ["A 9", "A 10", "A 11", "A 12", "E 9b", "E 10", "E 11"], 0.60, 0.42),
    ("hoeherer", ["A 13", "A 14", "A 15", "A 16", "B 2", "E 13", "E 14", "E 15"], 0.42, 0.28),
]
_FIELDS = ["Allgemeine Verwaltung", "Informationstechnik", "Technischer Dienst"]
_LEADERS = [("dienststellenleitung", 1, 0.0), ("abteilungsleitung", 4, 0.25),
            ("referatsleitung", 14, 0.36), ("sachgebietsleitung", 30, 0.55)]
_FIRST = {"w": ["Anna", "Berta", "Clara", "Dora", "Emma", "Frieda"], "m": ["Anton", "Bruno", "Carl", "David", "Emil"],
          "d": ["Alex"], "x": ["Kim"]}
_LAST = ["Muster", "Beispiel", "Probe", "Vorlage", "Entwurf", "Schema", "Modell"]

STAFF_HEADER = ["personalnummer", "name", "geburtsdatum", "geschlecht", "statusgruppe", "laufbahngruppe",
                "besoldungs_entgeltgruppe", "fachrichtung", "wertebene", "fuehrungsebene", "arbeitszeit",
                "beschaeftigungsumfang", "beurlaubung", "befristet"]


def staff_rows(n: int = 300, seed: int = 2025, stichtag: date = DEMO_STICHTAG):
    rng = random.Random(seed)
    leaders = [level for level, k, _ in _LEADERS for _ in range(max(1, round(k * n / 300)))]
    female_lead = {level: p for level, _, p in _LEADERS}
    for i in range(n):
        career, groups, p_w, _ = rng.choices(_CAREERS, weights=[c[3] for c in _CAREERS])[0]
        level = leaders[i] if i < len(leaders) else ""
        if level:
            career, groups = "hoeherer" if level != "sachgebietsleitung" else "gehobener", \
                (["B 2", "A 16", "A 15"] if level != "sachgebietsleitung" else ["A 12", "A 11", "E 11"])
            p_w = female_lead[level]
        r = rng.random()
        sex = "w" if r < p_w * 0.99 else ("m" if r < 0.993 else rng.choice("dx"))
        beamte = rng.random() < 0.6
        group = rng.choice([g for g in groups if g.startswith("A") or g.startswith("B")] if beamte
                           else [g for g in groups if g.startswith("E")] or groups)
        if group.startswith("E"):
            beamte = False
        part_time = rng.random() < (0.38 if sex == "w" else 0.09)
        age = rng.randint(20, 66)
        birth = date(stichtag.year - age, 1, 1) + timedelta(days=rng.randint(0, 364))
        leave = rng.choices(["keine", "familie", "sonstige"], weights=[93, 5 if sex == "w" else 1.5, 1])[0]
        yield {
            "personalnummer": f"P{100000 + i}",
            "name": f"{rng.choice(_FIRST[sex])} {rng.choice(_LAST)}-{i}",
            "geburtsdatum": birth.strftime("%d.%m.%Y"),
            "geschlecht": {"w": "weiblich", "m": "männlich", "d": "divers", "x": "ohne Angabe"}[sex],
            "statusgruppe": "Beamte" if beamte else "Tarifbeschäftigte",
            "laufbahngruppe": career,
            "besoldungs_entgeltgruppe": group.replace(" ", "") if i % 3 == 0 else group,
            "fachrichtung": rng.choices(_FIELDS, weights=[70, 15, 15])[0],
            "wertebene": "",
            "fuehrungsebene": level,
            "arbeitszeit": "Altersteilzeit" if age > 62 and rng.random() < 0.3 else ("Teilzeit" if part_time else "Vollzeit"),
            "beschaeftigungsumfang": rng.choice(["0,5", "0,75", "0,8"]) if part_time else "1",
            "beurlaubung": leave,
            "befristet": "ja" if rng.random() < 0.08 else "nein",
        }


def movement_rows(n_staff: int = 300, seed: int = 2025, stichtag: date = DEMO_STICHTAG):
    rng = random.Random(seed + 1)
    start = date(stichtag.year - 3, 7, 1)
    days = (stichtag - start).days
    plan = [("ausschreibung", 0.10), ("bewerbung", 1.2), ("einstellung", 0.12), ("befoerderung", 0.10),
            ("hoehergruppierung", 0.06), ("fortbildung", 0.9)]
    i = 0
    for kind, per_head in plan:
        for _ in range(round(per_head * n_staff)):
            career, groups, p_w, _ = rng.choices(_CAREERS, weights=[c[3] for c in _CAREERS])[0]
            # about 2 % divers/ohne Angabe (applicants often give no sex): the totals must count them (issue 14)
            r = rng.random()
            sex = "" if kind == "ausschreibung" else "w" if r < p_w * 0.98 else "m" if r < 0.98 else \
                "d" if r < 0.99 else "x"
            i += 1
            yield {"vorgang": kind, "datum": (start + timedelta(days=rng.randint(0, days))).strftime("%d.%m.%Y"),
                   "geschlecht": sex, "laufbahngruppe": career, "besoldungs_entgeltgruppe": rng.choice(groups),
                   "arbeitszeit": "Teilzeit" if sex == "w" and rng.random() < 0.3 else "Vollzeit",
                   "beurlaubung": "keine"}


COMMITTEES = [("Personalrat", 5, 4, 0, 0), ("Auswahlkommission höherer Dienst", 1, 4, 0, 0),
              ("Arbeitsschutzausschuss", 3, 3, 0, 0), ("Fortbildungsbeirat", 4, 1, 0, 0)]

# the previous plan's targets, due by this Stichtag and assessed on it (a target due later is not
# yet assessable and would not count in the leadership rule)
TARGETS = [  # id, dimension, bereich, geschlecht, ziel, erreicht, fuehrung, frist
    ("Z1", "fuehrungsebene", "abteilungsleitung", "w", 1, 1, "ja", "30.06.2025"),
    ("Z2", "fuehrungsebene", "referatsleitung", "w", 2, 1, "ja", "30.06.2025"),
    ("Z3", "fuehrungsebene", "sachgebietsleitung", "m", 2, 0, "ja", "30.06.2025"),
    ("Z4", "besoldungs_entgeltgruppe", "A 15", "w", 2, 2, "nein", "30.06.2025"),
    ("Z5", "laufbahngruppe", "mittlerer", "m", 3, 1, "nein", "30.06.2025"),
]


def write_csv(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh, delimiter=";")
        writer.writerow(header)
        for row in rows:
            writer.writerow([row[h] for h in header] if isinstance(row, dict) else row)
    return path


def write_exports(folder: Path, n_staff: int = 300, seed: int = 2025, stichtag: date = DEMO_STICHTAG) -> dict[str, Path]:
    """Write the four demo exports as CSV (semicolon, UTF-8 with BOM, as Excel saves them)."""
    folder.mkdir(parents=True, exist_ok=True)
    move_header = ["vorgang", "datum", "geschlecht", "laufbahngruppe", "besoldungs_entgeltgruppe",
                   "arbeitszeit", "beurlaubung"]
    return {
        "staff": write_csv(folder / "personalbestand.csv", STAFF_HEADER, staff_rows(n_staff, seed, stichtag)),
        "movements": write_csv(folder / "personalbewegungen.csv", move_header, movement_rows(n_staff, seed, stichtag)),
        "committees": write_csv(folder / "gremien.csv", ["gremium", "w", "m", "d", "x"], COMMITTEES),
        "targets": write_csv(folder / "zielvorgaben.csv",
                             ["id", "dimension", "bereich", "geschlecht", "ziel", "erreicht", "fuehrung", "frist"],
                             TARGETS),
    }
