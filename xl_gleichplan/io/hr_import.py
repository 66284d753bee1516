"""Import of HR exports (staff, movements, committees, targets) into the aggregated model.

One row per person or event comes in; only counts per Bereich and sex go out. Names and personnel
numbers are never read (the table reader drops them); birth dates are read only to count
retirements for the vacancy forecast and are dropped right after.
"""
from __future__ import annotations

import re
import tomllib
from collections import defaultdict
from datetime import date
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError, LimitError
from ..model import Agency, Counts, Dataset, Target
from ..profiles import Profile
from ..rules.deadlines import add_years, deadlines
from ..schema import (AREA_DIMENSIONS, COMMITTEE_COLUMNS, DIMENSIONS, LEADERSHIP_LEVELS, MOVEMENT_COLUMNS, ON_LEAVE,
                      OPTIONAL_DIMENSIONS, PART_TIME, PERSONAL_COLUMNS, PERSONAL_TEXT_PATTERNS, POSTING_KIND,
                      STAFF_COLUMNS, TARGET_COLUMNS, VALUES)
from . import vocabulary as vocab
from .budget import german_number, limit
from .findings import FindingList
from .tabular import Table, normalise_name, read_table

DROP = frozenset(PERSONAL_COLUMNS)
SEX_CODES = ("w", "m", "d", "x")
# the column names an import knows: a header with none of them is taken for a first row of data
# (the committee columns w, m, d, x do not count: they are also the values of a sex column)
KNOWN_COLUMNS = frozenset((*STAFF_COLUMNS, *MOVEMENT_COLUMNS, *TARGET_COLUMNS, *COMMITTEE_COLUMNS)) - set(SEX_CODES)


class Mapping:
    """An office's mapping file (TOML): other column names and values onto ours.

        [spalten]
        "Geschl." = "geschlecht"
        [werte.geschlecht]
        "1" = "m"
        "2" = "w"
    """

    def __init__(self, columns: dict[str, str] | None = None, values: dict[str, dict[str, str]] | None = None):
        self.columns = {normalise_name(k): normalise_name(v) for k, v in (columns or {}).items()}
        self.values = {normalise_name(k): {str(a).strip(): str(b) for a, b in v.items()}
                       for k, v in (values or {}).items()}

    @classmethod
    def load(cls, path: str | Path | None) -> "Mapping":
        if path is None:
            return cls()
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise InputFileError(f"Die Zuordnungsdatei „{path}“ wurde nicht gefunden.") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputFileError(
                f"Die Zuordnungsdatei „{path}“ ist keine gültige TOML-Datei ({exc}). "
                f"Aufbau: [spalten] \"Name im Export\" = \"geschlecht\"; [werte.geschlecht] \"1\" = \"m\"."
            ) from None
        columns, values = data.get("spalten", {}), data.get("werte", {})
        if not isinstance(columns, dict) or not isinstance(values, dict) or \
                not all(isinstance(v, dict) for v in values.values()):
            raise InputFileError(
                f"Die Zuordnungsdatei „{path}“ hat nicht den erwarteten Aufbau: "
                f"[spalten] für Spaltennamen, [werte.SPALTE] für Werte."
            )
        return cls(columns, values)

    def apply(self, column: str, series: pd.Series) -> pd.Series:
        table = self.values.get(column)
        if not table:
            return series
        return series.map(lambda v: table.get(vocab.text(v), v))


def _map_unique(series: pd.Series, func) -> tuple[pd.Series, dict]:
    """Apply ``func`` once per distinct value (exports repeat a few values many times).

    Returns a categorical Series (None -> missing) built from one factorisation, so that the
    later group-bys work on integer codes, and the table {raw value: result}."""
    codes, uniques = pd.factorize(np.asarray(series, dtype=object))
    table = {u: func(u) for u in uniques}
    categories = list(dict.fromkeys(v for v in table.values() if v is not None))
    position = {c: i for i, c in enumerate(categories)}
    lookup = np.array([position[table[u]] if table[u] is not None else -1 for u in uniques] + [-1], dtype=np.int64)
    mapped = pd.Categorical.from_codes(lookup[codes], categories=pd.Index(categories, dtype=object))
    return pd.Series(mapped, index=series.index), table


def _flags(series: pd.Series, predicate) -> np.ndarray:
    """predicate(value) per row of a categorical Series, evaluated once per category; missing: False."""
    lookup = np.array([bool(predicate(c)) for c in series.cat.categories] + [False], dtype=bool)
    return lookup[series.cat.codes.to_numpy()]


_DATA_LIKE = re.compile(r"[0-9_]+")  # a number or a date as a column name: 4711, 0_75, 12_03_1971, 1971_03_12


def _looks_like_data(name: str) -> bool:
    """Whether a (normalised) column name is a value rather than a name: a number, a date, or what the
    workbook reader treats as personal data. Normalising turned '12.03.1971' into '12_03_1971' and
    'P12345' into 'p12345', so the personal-data patterns also see the name with that undone."""
    if _DATA_LIKE.fullmatch(name):
        return True
    probes = (name, name.replace("_", ".").upper())
    return any(pattern.search(probe) for pattern, _ in PERSONAL_TEXT_PATTERNS for probe in probes)


def _blank(series: pd.Series) -> np.ndarray:
    return _flags(_map_unique(series, lambda v: vocab.text(v) == "")[0], bool)


def _area_order(dimension: str, areas) -> list[str]:
    known = list(VALUES.get(dimension, {}))
    if dimension == "besoldungs_entgeltgruppe":
        return sorted(areas, key=vocab.pay_group_sort_key)
    return sorted(areas, key=lambda a: (known.index(a) if a in known else len(known), a))


class _Reader:
    """Shared steps of the staff and movement imports."""

    def __init__(self, table: Table, profile: Profile, mapping: Mapping, findings: FindingList):
        self.t, self.profile, self.mapping, self.findings = table, profile, mapping, findings
        for severity, message in table.notes:  # what the table reader noticed about the whole file
            findings.add(severity, message, table.file, table.sheet)

    def column(self, name: str) -> pd.Series:
        return self.mapping.apply(name, self.t.columns[name])

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.t.columns]
        if missing and (any(_looks_like_data(c) for c in self.t.columns) or not KNOWN_COLUMNS & set(self.t.columns)):
            # an export without a header row: its "column names" are the first person's data, and
            # a message must never repeat them
            sheet = f" (gelesen wurde das Blatt „{self.t.sheet}“)" if self.t.sheet else ""
            raise InputFileError(
                f"In „{self.t.file}“{sheet} fehlt die Spalte „{missing[0]}“. Die erste Zeile sieht nach Daten "
                f"aus, nicht nach Spaltennamen (Zahlen, ein Datum, eine Personalnummer, oder kein einziger "
                f"bekannter Spaltenname wie „geschlecht“ oder „statusgruppe“): Der Datei fehlt wohl die "
                f"Kopfzeile. Bitte den Export mit Kopfzeile (Spaltenüberschriften) neu erstellen; die Werte der "
                f"ersten Zeile werden hier aus Datenschutzgründen nicht wiedergegeben. Heißen die Spalten im "
                f"Export anders, bitte in einer Zuordnungsdatei (--mapping) angeben, wie sie dort heißen."
            )
        if missing:
            shown = [c if len(c) <= 40 else c[:40] + "…" for c in list(self.t.columns)[:30]]
            found = (", ".join(shown) + (f" und {len(self.t.columns) - 30} weitere" if len(self.t.columns) > 30 else "")) \
                or "keine"
            sheet = f" (gelesen wurde das Blatt „{self.t.sheet}“)" if self.t.sheet else ""
            raise InputFileError(
                f"In „{self.t.file}“{sheet} fehlt die Spalte „{missing[0]}“ (gefundene Spalten: {found}). "
                f"Bitte die Spalte im Export ergänzen oder in einer Zuordnungsdatei (--mapping) angeben, "
                f"wie sie dort heißt."
            )

    def sexes(self, required: pd.Series | None = None) -> pd.Series:
        """Sex codes per row; unknown values are errors (row excluded), empty ones count as 'x'."""
        raw = self.column("geschlecht")
        codes, table = _map_unique(raw, lambda v: "x" if vocab.text(v) == "" else vocab.code("geschlecht", v))
        bad = codes.isna() if required is None else codes.isna() & required
        if bad.any():
            self.findings.for_rows(
                "error", self.t, "geschlecht", np.flatnonzero(bad.to_numpy()),
                "Zeile {row} (Zelle {cell}): unbekannte Angabe zum Geschlecht. Erlaubt sind w/weiblich, "
                "m/männlich, d/divers, x/ohne Angabe. Die Zeile wird nicht gezählt; bitte korrigieren.")
        blank = _blank(raw)
        empty = int((blank if required is None else blank & required.to_numpy()).sum())
        if empty:
            self.findings.add("info", f"{empty} Zeilen ohne Angabe zum Geschlecht werden als „ohne Angabe“ (x) gezählt.",
                              self.t.file, self.t.sheet)
        return codes

    def areas(self, dimension: str, valid: pd.Series) -> pd.Series:
        """Area codes of one dimension; known vocabularies normalised, others kept as written."""
        raw = self.column(dimension)
        if dimension == "besoldungs_entgeltgruppe":
            codes, _ = _map_unique(raw, lambda v: vocab.pay_group(v) or None)
        elif vocab.has_vocabulary(dimension):
            no_function = {"keine", "nein", "ohne", ""} if dimension == "fuehrungsebene" else {""}
            # a value outside the vocabulary is kept as its own Bereich, and reported
            codes, table = _map_unique(raw, lambda v: None if vocab.key(v) in no_function
                                       else vocab.code(dimension, v) or vocab.text(v))
            unknown = [(u, c) for u, c in table.items() if c is not None and c not in VALUES[dimension]]
            known = ", ".join(VALUES[dimension].values())
            for value, area in unknown[:10]:
                first = int(np.flatnonzero(_flags(codes, lambda c: c == area))[0])
                self.findings.add(
                    "warning",
                    f"Spalte „{dimension}“: Der Wert „{area[:40]}“ (z. B. Zeile {self.t.first_row + first}) ist "
                    f"kein Standardwert ({known}). Er wird als eigener Bereich gezählt; falls er einem "
                    f"Standardwert entspricht, bitte in der Zuordnungsdatei angeben.",
                    self.t.file, self.t.sheet, self.t.cell(dimension, first), self.t.first_row + first)
        else:
            codes, _ = _map_unique(raw, lambda v: vocab.text(v) or None)
        self._check_area_lengths(dimension, codes)
        missing = codes.isna() & valid
        if missing.any() and dimension not in OPTIONAL_DIMENSIONS:
            self.findings.add(
                "warning",
                f"Spalte „{dimension}“: {int(missing.sum())} Zeilen ohne Angabe (z. B. Zeile "
                f"{self.t.first_row + int(np.flatnonzero(missing.to_numpy())[0])}). Sie fehlen in der Auswertung "
                f"nach {DIMENSIONS[dimension]}, zählen aber bei den Beschäftigten insgesamt.",
                self.t.file, self.t.sheet)
        return codes

    def _check_area_lengths(self, dimension: str, codes: pd.Series) -> None:
        """A Bereich is written into workbooks and the plan draft: refuse one longer than an Excel
        cell can hold (only a broken or hostile file has such a value; checked per distinct value)."""
        most = limit("MAX_CELL_CHARS")
        for area in codes.cat.categories:
            if len(area) > most:
                first = int(np.flatnonzero(_flags(codes, lambda c: c == area))[0])
                raise LimitError(
                    f"In „{self.t.file}“{f' (Blatt „{self.t.sheet}“)' if self.t.sheet else ''}, Zelle "
                    f"{self.t.cell(dimension, first)}, steht in der Spalte „{dimension}“ ein Wert mit "
                    f"{german_number(len(area))} Zeichen; eine Excel-Zelle fasst höchstens {german_number(most)}. Die "
                    f"Datei ist vermutlich beschädigt (verrutschte Anführungszeichen?). Bitte den Export prüfen und "
                    f"neu erstellen.")
        self.t.deadline.check(f"in der Spalte „{dimension}“")

    def weights(self, valid: pd.Series) -> pd.Series | None:
        """Full-time equivalents per row when the profile counts VZÄ, else None (heads)."""
        if self.profile.count_basis != "vzae":
            return None
        if "beschaeftigungsumfang" not in self.t.columns:
            raise InputFileError(
                f"Das Profil zählt Vollzeitäquivalente (count_basis = vzae), aber in „{self.t.file}“ fehlt "
                f"die Spalte „beschaeftigungsumfang“ (z. B. 1 oder 0,5)."
            )
        values, _ = _map_unique(self.column("beschaeftigungsumfang"), vocab.to_fraction)
        bad = values.isna() & valid
        if bad.any():
            self.findings.for_rows("error", self.t, "beschaeftigungsumfang", np.flatnonzero(bad.to_numpy()),
                                   "Zeile {row} (Zelle {cell}): Beschäftigungsumfang ist keine Zahl zwischen 0 und 1 "
                                   "(oder 0 bis 100 %). Die Zeile wird nicht gezählt.")
        return values

    def count(self, frame: pd.DataFrame, by: list[str], weights: pd.Series | None) -> dict[tuple, Counts]:
        """Counts per group of ``by`` columns and sex (exact: heads as int, VZÄ as Fraction)."""
        if weights is None:
            sizes = frame.groupby([*by, "sex"], observed=True, sort=False).size()
        else:
            sizes = frame.assign(_w=weights).groupby([*by, "sex", "_w"], observed=True, sort=False).size()
        acc: dict[tuple, dict[str, Number]] = defaultdict(lambda: dict.fromkeys(SEX_CODES, 0))
        for index, n in sizes.items():
            index = index if isinstance(index, tuple) else (index,)
            if weights is None:
                *group, sex = index
                acc[tuple(group)][sex] += int(n)
            else:
                *group, sex, weight = index
                acc[tuple(group)][sex] += weight * int(n)
        return {g: Counts(**v) for g, v in acc.items()}


Number = int | Fraction


def _ordered(counts: dict[tuple, Counts], dims: list[str], prefix: tuple = ()) -> dict:
    """Gesamt first, then each dimension in schema order with its Bereiche in natural order."""
    out = {}
    for dim in dims:
        areas = [a for (d, a) in counts if d == dim]
        for area in _area_order(dim, areas):
            out[(*prefix, dim, area)] = counts[(dim, area)]
    return out


def _count_dims(reader: _Reader, frame: pd.DataFrame, dims: list[str], weights, rows=None) -> dict:
    """Counts per (dimension, area) for gesamt and every dimension, over the selected rows."""
    if rows is not None:
        frame, weights = frame[rows], (weights[rows] if weights is not None else None)
    counts = {}
    for dim in ["gesamt", *dims]:
        for (area,), c in reader.count(frame[[dim, "sex"]].dropna(), [dim], weights).items():
            counts[(dim, area)] = c
    return _ordered(counts, ["gesamt", *dims])


def import_staff(path, profile: Profile, stichtag: date, mapping: Mapping, findings: FindingList) -> dict:
    """Staff export -> heads, stock per (dimension, area), of which part-time and on leave, and the
    retirement forecast; as keyword arguments for Dataset."""
    table = read_table(path, keep=frozenset({"geburtsdatum"}), drop=DROP, renames=mapping.columns)
    reader = _Reader(table, profile, mapping, findings)
    reader.require("geschlecht")
    filled = pd.Series(~table.blank)  # empty lines are nobody
    if not filled.any():
        findings.add("warning", "Der Personalbestand enthält keine Datenzeilen.", table.file, table.sheet)
    sexes = reader.sexes(required=filled)
    valid = sexes.notna() & filled
    weights = reader.weights(valid)
    if weights is not None:
        valid &= weights.notna()
    dims = [d for d in AREA_DIMENSIONS if d in table.columns]
    frame = pd.DataFrame({"sex": sexes, "gesamt": "gesamt", **{d: reader.areas(d, valid) for d in dims}})
    keep = valid.to_numpy()
    frame, w = frame[keep], (weights[keep] if weights is not None else None)
    stock = _count_dims(reader, frame, dims, w)
    stock.setdefault(("gesamt", "gesamt"), Counts())
    out = {"heads": int(keep.sum()), "stock": stock}
    # "davon" counts are kept for women and men, as the shares are (d and x are in the totals)
    wm = frame["sex"].isin(["w", "m"]).to_numpy()
    for key, (dim, areas) in (("part_time", PART_TIME), ("on_leave", ON_LEAVE)):
        if dim in dims:
            out[key] = _count_dims(reader, frame, dims, w, wm & frame[dim].isin(areas).to_numpy())
    if "geburtsdatum" in table.columns:
        out["forecast"] = _count_dims(reader, frame, dims, w, _retiring(reader, keep, stichtag, profile))
    return out


def _retiring(reader: _Reader, keep, stichtag: date, profile: Profile):
    """Rows (of the kept ones) reaching the retirement age by the end of the plan period."""
    raw = reader.column("geburtsdatum")
    births, _ = _map_unique(raw, vocab.to_date)
    bad = births.isna().to_numpy() & keep & ~_blank(raw)
    if bad.any():
        # the value itself is personal data and is never repeated in a message
        reader.findings.for_rows("warning", reader.t, "geburtsdatum", np.flatnonzero(bad),
                                 "Zeile {row} (Zelle {cell}): Das Geburtsdatum ist kein Datum (TT.MM.JJJJ). "
                                 "Die Person fehlt in der Prognose der Altersabgänge.")
    cutoff = add_years(add_years(stichtag, profile.plan_years), -profile.retirement_age)
    return _flags(births, lambda b: b <= cutoff)[keep]


def import_movements(path, profile: Profile, stichtag: date, mapping: Mapping, findings: FindingList):
    """Movement export (one row per event) -> counts per (kind, dimension, area) and postings."""
    table = read_table(path, drop=DROP, renames=mapping.columns)
    reader = _Reader(table, profile, mapping, findings)
    reader.require("vorgang", "geschlecht")
    filled = pd.Series(~table.blank)  # empty lines are no event
    kinds, _ = _map_unique(reader.column("vorgang"), lambda v: vocab.code("vorgang", v))
    if (kinds.isna() & filled).any():
        findings.for_rows("error", table, "vorgang", np.flatnonzero((kinds.isna() & filled).to_numpy()),
                          "Zeile {row} (Zelle {cell}): unbekannter Vorgang. Erlaubt sind bewerbung, einstellung, "
                          "befoerderung, hoehergruppierung, fortbildung, ausschreibung. Die Zeile wird nicht gezählt.")
    posting = kinds == POSTING_KIND
    sexes = reader.sexes(required=~posting & filled)
    valid = kinds.notna() & (sexes.notna() | posting) & filled
    if "datum" in table.columns:
        dates, _ = _map_unique(reader.column("datum"), vocab.to_date)
        bad = dates.isna() & valid
        if bad.any():
            findings.for_rows("error", table, "datum", np.flatnonzero(bad.to_numpy()),
                              "Zeile {row} (Zelle {cell}): Das Datum ist nicht lesbar (erwartet TT.MM.JJJJ oder "
                              "JJJJ-MM-TT). Die Zeile wird nicht gezählt.")
        window = deadlines(stichtag, profile)
        inside = pd.Series(_flags(dates, lambda d: window.flow_window_start <= d <= window.flow_window_end),
                           index=dates.index)
        outside = dates.notna() & ~inside & valid
        if outside.any():
            findings.for_rows(
                "warning", table, "datum", np.flatnonzero(outside.to_numpy()),
                f"Zeile {{row}} (Zelle {{cell}}): Das Datum liegt außerhalb des Berichtszeitraums "
                f"{window.flow_window_start:%d.%m.%Y}–{window.flow_window_end:%d.%m.%Y}. Die Zeile wird nicht gezählt.")
        valid &= inside
    else:
        findings.add("warning", "Die Bewegungsdaten haben keine Spalte „datum“; der Berichtszeitraum kann nicht "
                                "geprüft werden. Alle Zeilen werden gezählt.", table.file, table.sheet)
    weights = reader.weights(valid)
    if weights is not None:
        valid &= weights.notna() | posting
    dims = [d for d in AREA_DIMENSIONS if d in table.columns]
    frame = pd.DataFrame({"kind": kinds, "sex": sexes.astype(object).where(~posting, "x"), "gesamt": "gesamt",
                          **{d: reader.areas(d, valid) for d in dims}})[valid.to_numpy()]
    w = weights[valid.to_numpy()] if weights is not None else None
    is_posting = (frame["kind"] == POSTING_KIND).to_numpy()
    counts = {}
    events = frame[~is_posting]
    for dim in ["gesamt", *dims]:
        sub = events[["kind", dim, "sex"]].dropna()
        for (kind, area), c in reader.count(sub, ["kind", dim], w[~is_posting] if w is not None else None).items():
            counts[(kind, dim, area)] = c
    movements = {}
    for kind in ["bewerbung", "einstellung", "befoerderung", "hoehergruppierung", "fortbildung"]:
        by_dim = {(d, a): c for (k, d, a), c in counts.items() if k == kind}
        movements.update(_ordered(by_dim, ["gesamt", *dims], (kind,)))
    postings = {}
    posts = frame[is_posting]
    for dim in ["gesamt", *dims]:
        sizes = posts[dim].dropna().value_counts(sort=False)
        sizes = sizes[sizes > 0]  # categorical columns also list the Bereiche without postings
        for area in _area_order(dim, list(sizes.index)):
            postings[(dim, area)] = int(sizes[area])
    return movements, postings


def import_committees(path, mapping: Mapping, findings: FindingList) -> dict[str, Counts]:
    table = read_table(path, drop=DROP, renames=mapping.columns)
    reader = _Reader(table, None, mapping, findings)
    reader.require("gremium", "w", "m")
    out = {}
    cols = [c for c in ("w", "m", "d", "x") if c in table.columns]
    names = reader.column("gremium").map(vocab.text)
    for i, name in enumerate(names):
        if i % 10_000 == 0:
            table.deadline.check(f"in Zeile {table.first_row + i}")
        if table.blank[i]:
            continue  # an empty line
        values, ok = {}, True
        for col in cols:
            raw = table.columns[col].iloc[i]
            number = 0 if vocab.text(raw) == "" else vocab.to_count(raw)
            if number is None:
                ok = False
                findings.add("error", f"Zeile {table.first_row + i} (Zelle {table.cell(col, i)}): „{vocab.text(raw)[:20]}“ "
                                      f"ist keine Anzahl (ganze Zahl ab 0). Das Gremium „{name}“ wird nicht gezählt.",
                             table.file, table.sheet, table.cell(col, i), table.first_row + i)
            values[col] = number
        if not name:
            findings.add("error", f"Zeile {table.first_row + i}: Der Name des Gremiums fehlt.", table.file,
                         table.sheet, table.cell("gremium", i), table.first_row + i)
            continue
        if ok:
            out[name] = out.get(name, Counts()) + Counts(**values)
    return out


def import_targets(path, mapping: Mapping, findings: FindingList) -> list[Target]:
    table = read_table(path, drop=DROP, renames=mapping.columns)
    reader = _Reader(table, None, mapping, findings)
    reader.require("dimension", "bereich", "geschlecht", "ziel")
    col = {name: reader.column(name) for name in table.columns}
    targets = []
    for i in range(table.rows):
        if i % 10_000 == 0:
            table.deadline.check(f"in Zeile {table.first_row + i}")
        if table.blank[i]:
            continue  # an empty line

        def bad(name, what):
            findings.add("error", f"Zeile {table.first_row + i} (Zelle {table.cell(name, i)}): {what} "
                                  f"Die Zielvorgabe wird nicht ausgewertet.",
                         table.file, table.sheet, table.cell(name, i), table.first_row + i)

        get = lambda name: col[name].iloc[i] if name in col else ""  # noqa: E731
        dimension = normalise_name(vocab.text(get("dimension")))
        if dimension not in DIMENSIONS and dimension != "gremium":
            bad("dimension", f"„{vocab.text(get('dimension'))[:30]}“ ist keine Dimension "
                             f"(erlaubt: {', '.join(DIMENSIONS)}, gremium).")
            continue
        area = vocab.text(get("bereich"))
        if dimension == "besoldungs_entgeltgruppe":
            area = vocab.pay_group(area)
        elif vocab.has_vocabulary(dimension):
            area = vocab.code(dimension, area) or area
        sex = vocab.code("geschlecht", get("geschlecht"))
        if sex not in ("w", "m"):
            bad("geschlecht", "Eine Zielvorgabe gilt für Frauen (w) oder Männer (m).")
            continue
        goal = vocab.to_count(get("ziel"))
        if not goal:
            bad("ziel", "Das Ziel muss eine ganze Zahl größer als 0 sein (Anzahl zusätzlicher Personen).")
            continue
        achieved = None
        if vocab.text(get("erreicht")) != "":
            achieved = vocab.to_count(get("erreicht"))
            if achieved is None:
                bad("erreicht", "„erreicht“ muss eine ganze Zahl ab 0 sein oder leer bleiben.")
                continue
        # a blank cell means the same as in the workbook's Zielvorgaben sheet: a leadership target if its
        # Bereich is a leadership level
        leadership = vocab.to_bool(get("fuehrung")) if "fuehrung" in col and vocab.text(get("fuehrung")) \
            else dimension == "fuehrungsebene"
        if leadership is None:
            bad("fuehrung", "„fuehrung“ muss ja oder nein sein.")
            continue
        deadline = None
        if vocab.text(get("frist")):
            deadline = vocab.to_date(get("frist"))
            if deadline is None:
                bad("frist", "Die Frist ist kein Datum (TT.MM.JJJJ).")
                continue
        ident = vocab.text(get("id")) or f"Z{i + 1}"
        targets.append(Target(ident, dimension, area, sex, goal, achieved, bool(leadership), deadline))
    return targets


def import_exports(*, staff=None, movements=None, committees=None, targets=None, mapping=None,
                   profile: Profile, stichtag: date, agency: Agency) -> Dataset:
    """Read the exports that are given and return the aggregated Dataset with every finding."""
    profile.route(agency.type)  # an unknown body type stops the job before any file is read
    mapping = mapping if isinstance(mapping, Mapping) else Mapping.load(mapping)
    findings = FindingList()
    ds = Dataset(agency=agency, stichtag=stichtag, findings=findings)
    if staff is not None:
        for name, value in import_staff(staff, profile, stichtag, mapping, findings).items():
            setattr(ds, name, value)
    if movements is not None:
        ds.movements, ds.postings = import_movements(movements, profile, stichtag, mapping, findings)
    if committees is not None:
        ds.committees = import_committees(committees, mapping, findings)
    if targets is not None:
        ds.targets = import_targets(targets, mapping, findings)
        _check_leadership_targets(ds, findings)
    return ds


def _check_leadership_targets(ds: Dataset, findings: FindingList) -> None:
    lead = [t for t in ds.targets if t.leadership]
    open_ = [t.id for t in lead if t.achieved is None]
    if lead and open_ and len(open_) < len(lead):
        findings.add("warning", f"Für die Führungs-Zielvorgaben {', '.join(open_)} fehlt der erreichte Wert; "
                                f"sie gelten bei der 50-%-Regel (§ 4 Abs. 6) als nicht erreicht.")
    unknown_levels = [t.id for t in lead if t.dimension == "fuehrungsebene" and t.area not in LEADERSHIP_LEVELS]
    if unknown_levels:
        findings.add("info", f"Die Zielvorgaben {', '.join(unknown_levels)} nennen eine Führungsebene außerhalb der "
                             f"Standardliste; sie werden trotzdem ausgewertet.")
