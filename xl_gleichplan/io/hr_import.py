"""Import of HR exports (staff, movements, committees, targets) into the aggregated model.

One row per person or event comes in; only counts per Bereich and sex go out. Names and personnel
numbers are never read (the table reader drops them); birth dates are read only to count
retirements for the vacancy forecast and are dropped right after.
"""
from __future__ import annotations

import re
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
from .atomic import write_text
from .budget import german_number, limit
from .columns import COLUMNS, IGNORE, Resolver, is_value
from .findings import FindingList
from .mapping import Mapping, MappingDraft
from .tabular import TOTALS, Table, column_letter, file_label, normalise_name, read_table, unread_name

__all__ = ["Mapping", "import_exports"]

SEX_CODES = ("w", "m", "d", "x")
# the columns each import reads (personal ones only where a rule needs them: birth dates)
STAFF_CODES = frozenset(STAFF_COLUMNS) - frozenset(PERSONAL_COLUMNS)
MOVEMENT_CODES = frozenset(MOVEMENT_COLUMNS) - frozenset(PERSONAL_COLUMNS)
COMMITTEE_CODES = frozenset(COMMITTEE_COLUMNS)
TARGET_CODES = frozenset(TARGET_COLUMNS)
# Bereiche of the plan (pay group, Laufbahn, leadership level ...): a staff export without a column for
# one of the first three is a warning, without the others a hint; an unused column whose values look
# like one of them is a warning
PLAN_AREAS = ("besoldungs_entgeltgruppe", "laufbahngruppe", "fuehrungsebene")
PLAN_AREAS_OPTIONAL = ("fachrichtung", "wertebene")
SNIFFED_AREAS = ("besoldungs_entgeltgruppe", "laufbahngruppe", "fuehrungsebene", "statusgruppe")
# the rows of a column the import does not use that the column report looks at
REPORT_SAMPLE_ROWS = 20_000
# below this share of readable rows no plan is made from an export (exit 1 with the fix)
MIN_VALID_SHARE = 0.5


def _map_unique(series: pd.Series, func) -> tuple[pd.Series, dict]:
    """Apply ``func`` once per distinct value (exports repeat a few values many times).

    Returns a categorical Series (None -> missing), so that the later counts work on integer codes,
    and the table {raw value: result}. A categorical column (the readers give each column as one:
    codes and the distinct values) is not factorised again."""
    codes, uniques = distinct(series)
    table = {u: func(u) for u in uniques}
    categories = list(dict.fromkeys(v for v in table.values() if v is not None))
    position = {c: i for i, c in enumerate(categories)}
    lookup = np.array([position[table[u]] if table[u] is not None else -1 for u in uniques] + [-1], dtype=np.int64)
    mapped = pd.Categorical.from_codes(lookup[codes], categories=pd.Index(categories, dtype=object))
    return pd.Series(mapped, index=series.index), table


def distinct(series: pd.Series) -> tuple[np.ndarray, list]:
    """(code per row, distinct values): a categorical's own codes (-1: missing), else one factorisation."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(), list(series.cat.categories)
    return pd.factorize(np.asarray(series, dtype=object))


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


# sex codes of systems that number them (SAP HCM's GESCH, ISO/IEC 5218): a suggestion, never applied
_SEX_KEYS = {"1": ("m", "SAP HCM, ISO/IEC 5218: 1 = männlich – bitte prüfen"),
             "2": ("w", "SAP HCM, ISO/IEC 5218: 2 = weiblich – bitte prüfen"),
             "0": ("x", "ISO/IEC 5218: 0 = nicht bekannt – bitte prüfen"),
             "9": ("x", "ISO/IEC 5218: 9 = nicht anwendbar – bitte prüfen")}


def _names(headers: list[str], most: int = 12) -> str:
    shown = ", ".join(f"„{h[:40]}“" for h in headers[:most])
    return shown + (f" und {len(headers) - most} weitere" if len(headers) > most else "")


def _blank(series: pd.Series) -> np.ndarray:
    return _flags(_map_unique(series, lambda v: vocab.text(v) == "")[0], bool)


def _area_order(dimension: str, areas) -> list[str]:
    known = list(VALUES.get(dimension, {}))
    if dimension == "besoldungs_entgeltgruppe":
        return sorted(areas, key=vocab.pay_group_sort_key)
    return sorted(areas, key=lambda a: (known.index(a) if a in known else len(known), a))


class _Reader:
    """Shared steps of the staff and movement imports."""

    def __init__(self, table: Table, profile: Profile, mapping: Mapping, findings: FindingList,
                 draft: MappingDraft | None = None):
        self.t, self.profile, self.mapping, self.findings = table, profile, mapping, findings
        self.draft = draft if draft is not None else MappingDraft()
        for severity, message, *topic in table.notes:  # what the table reader noticed about the whole file
            findings.add(severity, message, table.file, table.sheet, topic=topic[0] if topic else None)
        self._flags = {c.code: c.flag for c in table.header if c.status == "flag"}
        self._texts: dict[str, pd.Series | None] = {}  # _unread, once per column

    def column(self, name: str) -> pd.Series:
        series = self.mapping.apply(name, self.t.columns[name])
        flag = self._flags.get(name)
        if flag is None:
            return series
        # "Teilzeit: ja" means teilzeit, "nein" and blank vollzeit; a date ("befristet bis") means yes,
        # except SAP's open end 31.12.9999 (ENDDA of a contract without end: unbefristet)
        def meaning(value):
            if vocab.text(value) == "":
                return flag.no
            yes = vocab.to_bool(value)
            if yes is None and (day := vocab.to_date(value)) is not None:
                yes = day.year < 9999
            return value if yes is None else (flag.yes if yes else flag.no)
        return _map_unique(series, meaning)[0]

    def add(self, severity: str, message: str, column: str | None = None, index: int | None = None,
            topic: str | None = None) -> None:
        """A finding about this file (at a cell, when column and data row are given)."""
        if column is None or index is None:
            self.findings.add(severity, message, self.t.file, self.t.sheet, topic=topic)
        else:
            self.findings.add(severity, message, self.t.file, self.t.sheet, self.t.cell(column, index),
                              self.t.first_row + index, topic)

    def without_totals(self, filled: pd.Series, column: str, is_code) -> pd.Series:
        """A totals row ("Summe", "Gesamt: 60", "Summe Abt. 1" between the departments) is not counted
        when its ``column`` holds no code (``is_code``): a person always has a sex, a committee a name.
        Rows are looked at where the code is missing (few); the reader found those near the end whose
        totals word stands in a column it does not read."""
        filled = filled.copy()
        codes, _ = _map_unique(self.t.columns[column], lambda v: True if is_code(v) else None)
        open_rows = np.flatnonzero(codes.isna().to_numpy() & filled.to_numpy())
        worded = set()
        for series in self.t.columns.values() if len(open_rows) else ():
            row_codes, values = distinct(series.iloc[open_rows])
            word = np.zeros(len(values) + 1, dtype=bool)  # code -1 (missing): last, no word
            for k in np.unique(row_codes[row_codes >= 0]):  # a categorical lists values of other rows too
                word[k] = bool(TOTALS.match(vocab.text(values[k])))
            worded.update(int(i) for i in open_rows[word[row_codes]])
        for i in sorted(worded | set(self.t.totals)):
            if filled.iloc[i] and not is_code(self.t.columns[column].iloc[i]):
                filled.iloc[i] = False
                self.add("info", f"Zeile {self.t.first_row + i} sieht nach einer Summenzeile aus („Summe“, „Gesamt“) "
                                 f"und wird nicht mitgezählt.")
        return filled

    def require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.t.columns]
        header = [c for c in self.t.header if c.status != "empty"]
        known = [c for c in header if c.status in ("used", "flag", "personal", "unused")]
        # a real header names at least two columns we know; one match may be a value ("Teilzeit")
        if missing and (any(_looks_like_data(normalise_name(c.header)) or vocab.personal_reason(c.header)
                            or is_value(c.header) for c in header) or len(known) < min(2, len(header))):
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
            self.draft_columns()  # --write-mapping helps most when a column is not found
            shown = [c.header if len(c.header) <= 40 else c.header[:40] + "…" for c in header[:30]]
            found = (", ".join(shown) + (f" und {len(header) - 30} weitere" if len(header) > 30 else "")) or "keine"
            sheet = f" (gelesen wurde das Blatt „{self.t.sheet}“)" if self.t.sheet else ""
            guess = [c for c in header if c.status == "unknown" and c.suggestion == missing[0]]
            hint = (f" Die Spalte „{guess[0].header}“ könnte gemeint sein: dann in der Zuordnungsdatei "
                    f"[spalten] \"{guess[0].header}\" = \"{missing[0]}\"." if guess else "")
            raise InputFileError(
                f"In „{self.t.file}“{sheet} fehlt die Spalte „{missing[0]}“ (gefundene Spalten: {found}). "
                f"Bitte die Spalte im Export ergänzen oder in einer Zuordnungsdatei (--mapping) angeben, "
                f"wie sie dort heißt.{hint} Einen Entwurf der Zuordnungsdatei schreibt --write-mapping DATEI."
            )

    def report_columns(self, plan_areas: bool = False) -> None:
        """Say what became of every column: read as what, left out as personal, known but unused, or
        unknown with the closest known name; warn where a Bereich of the plan is missing or a column
        that is not read looks like one."""
        header = self.t.header
        self.draft_columns()
        personal = [c.header for c in header if c.status == "personal"]
        if personal:
            kept = [c.header for c in header if c.status == "personal" and c.code == "geburtsdatum"]
            self.add("info", f"Nicht gelesen (personenbezogene Daten): {_names(personal)}."
                             + (f" „{kept[0]}“ dient nur der Prognose der Altersabgänge und wird danach verworfen."
                                if kept else ""), topic=COLUMNS)
        present = {c.code for c in header if c.status in ("used", "flag")}
        unused = [c for c in header if c.status in ("unused", "unknown")]
        quiet = []
        for c in unused:
            area = self._looks_like_area(c, present)
            if area is not None:
                self.add("warning", f"Die Spalte „{c.header}“ (Spalte {column_letter(c.position)}) wird nicht "
                                    f"ausgewertet, sieht aber nach „{DIMENSIONS[area]}“ aus – einem Bereich des Plans. "
                                    f"Wenn sie das ist, bitte in einer Zuordnungsdatei angeben: [spalten] "
                                    f"\"{c.header}\" = \"{area}\" (einen Entwurf schreibt --write-mapping DATEI).",
                         topic=COLUMNS)
                self.draft.column(c.header, area, "sieht nach einem Bereich aus – bitte prüfen", active=False)
            elif c.status == "unknown":
                many = self._many_values(c)
                guess = (" Sie hat fast in jeder Zeile einen anderen Wert (Namen, Nummern oder Freitext?)." if many
                         else f" Gemeint ist vielleicht „{c.suggestion}“." if c.suggestion else "")
                self.add("info", f"Die Spalte „{c.header}“ (Spalte {column_letter(c.position)}) ist unbekannt und wird "
                                 f"nicht ausgewertet.{guess} Falls sie gebraucht wird, bitte in einer Zuordnungsdatei "
                                 f"angeben (--write-mapping DATEI schreibt einen Entwurf).", topic=COLUMNS)
                self.draft.column(c.header, "" if many else c.suggestion or "", "unbekannt – bitte prüfen", active=False)
            else:
                quiet.append(c.header)
                self.draft.column(c.header, IGNORE, "für den Plan ohne Bedeutung")
        if quiet:
            self.add("info", f"Nicht ausgewertet (für den Plan ohne Bedeutung): {_names(quiet)}.", topic=COLUMNS)
        if plan_areas:
            for area in (*PLAN_AREAS, *PLAN_AREAS_OPTIONAL):
                if area not in present:
                    self.add("warning" if area in PLAN_AREAS else "info",
                             f"Der Export hat keine Spalte für „{DIMENSIONS[area]}“. Der Plan zeigt dann keine "
                             f"Bereiche nach {DIMENSIONS[area]}. Heißt die Spalte im Export anders, bitte in einer "
                             f"Zuordnungsdatei angeben (--write-mapping DATEI schreibt einen Entwurf); fehlt sie, "
                             f"bitte den Export um diese Spalte ergänzen.", topic=COLUMNS)

    def draft_columns(self) -> None:
        """The columns as read into the mapping draft; a yes/no column only as a note (a mapping entry
        would not make it more of one)."""
        for c in self.t.header:
            if c.status == "used":
                self.draft.column(c.header, c.code)
            elif c.status == "flag":
                self.draft.column(c.header, c.code, f"ja/nein-Spalte für {DIMENSIONS[c.code]}: wird so erkannt",
                                  active=False)
            elif c.status == "personal":
                self.draft.column(c.header, "", "personenbezogen: wird nie ausgewertet", active=False)
            elif c.status == "unknown" and c.suggestion and not self._many_values(c):
                self.draft.column(c.header, c.suggestion, "unbekannt – Vorschlag, bitte prüfen", active=False)

    def _unread(self, column) -> pd.Series | None:
        """The values of a column the import does not use, as texts, in its first REPORT_SAMPLE_ROWS rows
        (None when it was not read): enough to tell a Bereich or free text, and a wide export with a
        name or an ID per row is not turned into text row by row."""
        name = unread_name(column)
        if name not in self._texts:
            series = self.t.columns.get(name)
            if series is not None:
                series = series.iloc[:REPORT_SAMPLE_ROWS]
                if isinstance(series.dtype, pd.CategoricalDtype):
                    series = series.cat.remove_unused_categories()
                series = series.map(vocab.text)
            self._texts[name] = series
        return self._texts[name]

    def _many_values(self, column) -> bool:
        """Almost every row a value of its own: names, numbers or free text, never a Bereich."""
        values = self._unread(column)
        if values is None:
            return False
        filled = int((values != "").sum())
        return filled >= 10 and values[values != ""].nunique() > 0.5 * filled

    def _looks_like_area(self, column, present: set[str]) -> str | None:
        """The Bereich whose values a column that is not read holds (most of its distinct values are
        pay groups, Laufbahngruppen, leadership levels or status groups), or None."""
        texts = self._unread(column)
        if texts is None:
            return None
        values = [v for v in pd.unique(texts)[:200] if v]
        for area in SNIFFED_AREAS:
            if area in present or len(values) < 2:
                continue
            if area == "besoldungs_entgeltgruppe":
                hits = sum(vocab.is_pay_group(v) for v in values)
            else:  # one- and two-letter codes (b, r, md) say too little on their own
                hits = sum(len(v) > 2 and vocab.code(area, v) is not None for v in values)
            if hits >= 2 and hits >= 0.8 * len(values):
                return area
        return None

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
            for value in self.codes_to_map(raw, bad):
                self.draft.value("geschlecht", value, *_SEX_KEYS.get(value, ("", "")))
        blank = _blank(raw)
        empty = int((blank if required is None else blank & required.to_numpy()).sum())
        if empty:
            self.findings.add("info", f"{empty} Zeilen ohne Angabe zum Geschlecht werden als „ohne Angabe“ (x) gezählt.",
                              self.t.file, self.t.sheet)
        return codes

    def codes_to_map(self, raw: pd.Series, bad) -> list[str]:
        """The unknown values of a coded column that may be shown and mapped: short codes ("1", "F",
        "BEA") that occur in more than one row. A longer or a unique value may be a name slipped into
        the column and is never repeated."""
        counts = raw[np.asarray(bad, dtype=bool)].map(vocab.text).astype(object).value_counts()
        return [v for v, n in counts.items() if n > 1 and 0 < len(v) <= 4 and not vocab.personal_reason(v)][:20]

    def refuse_if_mostly_unreadable(self, column: str, valid, filled, raw: pd.Series, what: str) -> None:
        """No plan from nothing: when most rows cannot be read (sex coded 1/2 without a mapping, an
        unknown Vorgang), the job stops with the fix instead of counting the few that remain."""
        filled, valid = np.asarray(filled, dtype=bool), np.asarray(valid, dtype=bool)
        total = int(filled.sum())
        if not total or valid[filled].sum() >= MIN_VALID_SHARE * total:
            return
        codes = self.codes_to_map(raw, filled & ~valid)
        example = "".join(f'\n  "{v}" = "{_SEX_KEYS.get(v, ("?", ""))[0] if column == "geschlecht" else "?"}"'
                          for v in codes[:6])
        hint = (f" Die Werte {', '.join(f'„{v}“' for v in codes[:6])} bitte in einer Zuordnungsdatei übersetzen "
                f"(--mapping DATEI):\n[werte.{column}]{example}" if codes else "")
        if column == "geschlecht" and {"1", "2"} & set(codes):
            hint += ("\n(In SAP HCM und nach ISO/IEC 5218 bedeutet 1 männlich und 2 weiblich; bitte in der "
                     "Dokumentation des eigenen Systems prüfen.)")
        sheet = f", Blatt „{self.t.sheet}“" if self.t.sheet else ""
        raise InputFileError(
            f"In „{self.t.file}“{sheet} ist die Spalte „{self.t.header_of(column)}“ (Spalte "
            f"{self.t.letters[column]}) in {total - int(valid[filled].sum())} von {total} Zeilen nicht lesbar "
            f"({what}). Aus so wenigen lesbaren Zeilen entsteht kein richtiger Plan; es wird nichts geschrieben."
            f"{hint}\nEinen Entwurf der Zuordnungsdatei mit allen Spalten schreibt --write-mapping DATEI.")

    def areas(self, dimension: str, valid: pd.Series) -> pd.Series:
        """Area codes of one dimension; known vocabularies normalised, others kept as written (and
        reported); a value that looks like personal data is never taken over."""
        raw = self.column(dimension)
        if dimension == "besoldungs_entgeltgruppe":
            codes, table = _map_unique(raw, lambda v: vocab.pay_group(v) or None)
            codes = self._drop_personal(dimension, codes, {c for u, c in table.items() if vocab.is_pay_group(u)})
            odd = [c for c in codes.cat.categories if not vocab.is_pay_group(c)]
            for area in odd[:10]:
                first = int(np.flatnonzero(_flags(codes, lambda c: c == area))[0])
                self.add("warning", f"Spalte „{self.t.header_of(dimension)}“: „{area[:40]}“ (z. B. Zeile "
                                    f"{self.t.first_row + first}) ist keine erkannte Besoldungs- oder Entgeltgruppe (wie "
                                    f"A 13, A 13 Z, E 9b, E 15 Ü, W 2, AT). Der Wert wird als eigener Bereich gezählt; "
                                    f"ist eine bekannte Gruppe gemeint, bitte in der Zuordnungsdatei unter "
                                    f"[werte.besoldungs_entgeltgruppe] angeben.", dimension, first)
                self.draft.value(dimension, area[:40], "", "keine erkannte Besoldungs-/Entgeltgruppe")
        elif vocab.has_vocabulary(dimension):
            no_function = {"keine", "nein", "ohne", ""} if dimension == "fuehrungsebene" else {""}
            # an export with a Beurlaubung or Befristung column leaves it blank for everyone not on leave,
            # not on a fixed term
            blank = {"beurlaubung": "keine", "befristet": "nein"}.get(dimension)
            # a value outside the vocabulary is kept as its own Bereich, and reported
            codes, table = _map_unique(raw, lambda v: blank if vocab.text(v) == "" else None
                                       if vocab.key(v) in no_function else vocab.code(dimension, v) or vocab.text(v))
            codes = self._drop_personal(dimension, codes, set(VALUES[dimension]))
            unknown = [c for c in codes.cat.categories if c not in VALUES[dimension]]
            known = ", ".join(VALUES[dimension].values())
            for area in unknown[:10]:
                first = int(np.flatnonzero(_flags(codes, lambda c: c == area))[0])
                self.add("warning",
                         f"Spalte „{self.t.header_of(dimension)}“: Der Wert „{area[:40]}“ (z. B. Zeile "
                         f"{self.t.first_row + first}) ist kein Standardwert ({known}). Er wird als eigener Bereich "
                         f"gezählt; falls er einem Standardwert entspricht, bitte in der Zuordnungsdatei angeben.",
                         dimension, first)
                self.draft.value(dimension, area[:40], "", f"kein Standardwert ({', '.join(VALUES[dimension])})")
        else:
            codes, _ = _map_unique(raw, lambda v: vocab.text(v) or None)
            codes = self._drop_personal(dimension, codes, set())
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

    def _drop_personal(self, dimension: str, codes: pd.Series, known: set[str]) -> pd.Series:
        """Bereiche that look like personal data ("Referat Müller", a personnel number, a birth date)
        are not taken over: their rows count as without a Bereich in this dimension, and an error
        names the cell (never the value)."""
        bad = [c for c in codes.cat.categories if c not in known and vocab.personal_reason(c)]
        for area in bad:
            rows = np.flatnonzero(_flags(codes, lambda c: c == area))
            self.findings.for_rows(
                "error", self.t, dimension, rows[:3],
                f"Zeile {{row}} (Zelle {{cell}}): Der Wert in der Spalte „{self.t.header_of(dimension)}“ sieht nach "
                f"personenbezogenen Daten aus ({vocab.personal_reason(area)}). Er wird nicht übernommen; die Person "
                f"zählt ohne {DIMENSIONS[dimension]}. Bitte den Export berichtigen (ein Bereich nennt nie eine Person).")
        if not bad:
            return codes
        return codes.cat.remove_categories(bad)

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
        """Counts per group of ``by`` columns and sex (exact: heads as int, VZÄ as Fraction); a row
        missing a value in one of them is not counted."""
        if weights is None:
            return _head_counts(_coded(frame[[*by, "sex"]]), [*by, "sex"])
        frame = frame[[*by, "sex"]].dropna()
        sizes = frame.assign(_w=weights).groupby([*by, "sex", "_w"], observed=True, sort=False).size()
        acc: dict[tuple, dict[str, Number]] = defaultdict(lambda: dict.fromkeys(SEX_CODES, 0))
        for (*group, sex, weight), n in sizes.items():
            acc[tuple(group)][sex] += weight * int(n)
        return {g: Counts(**v) for g, v in acc.items()}


def _coded(frame: pd.DataFrame) -> dict[str, tuple[np.ndarray, list]]:
    """Each column of ``frame`` as (integer code per row, -1 missing; its categories)."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        if not isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype("category")
        out[name] = (column.cat.codes.to_numpy().astype(np.int64), list(column.cat.categories))
    return out


def _head_counts(coded: dict[str, tuple[np.ndarray, list]], columns: list[str]) -> dict[tuple, Counts]:
    """Heads per group of ``columns`` (the last one the sex), counted on the categories' integer
    codes (see _coded): one bincount over the combined code instead of a group-by on every row."""
    codes = [coded[name][0] for name in columns]
    categories = [coded[name][1] for name in columns]
    shape = tuple(max(len(c), 1) for c in categories)
    combined, valid = codes[0], codes[0] >= 0
    for code, size in zip(codes[1:], shape[1:]):
        combined = combined * size + code  # wrong where a code is -1 (missing): those rows are left out
        valid &= code >= 0
    combined = combined[valid]
    if np.prod(shape, dtype=np.float64) <= 4 * len(combined) + 4096:
        sizes = np.bincount(combined, minlength=int(np.prod(shape)))
        found = np.flatnonzero(sizes)
        sizes = sizes[found]
    else:  # very many distinct groups (a free-text Bereich with a value per row): no huge bin array
        found, sizes = np.unique(combined, return_counts=True)
    acc: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(SEX_CODES, 0))
    for position, n in zip(zip(*np.unravel_index(found, shape)), sizes):
        *group, sex = (categories[k][int(p)] for k, p in enumerate(position))
        acc[tuple(group)][sex] += int(n)
    return {g: Counts(**v) for g, v in acc.items()}


def _constant(value: str, rows: int) -> pd.Categorical:
    """One value in every row, as a category (counted on codes like the other columns)."""
    return pd.Categorical.from_codes(np.zeros(rows, dtype=np.int8), categories=[value])


def _ordered(counts: dict[tuple, Counts], dims: list[str], prefix: tuple = ()) -> dict:
    """Gesamt first, then each dimension in schema order with its Bereiche in natural order."""
    out = {}
    for dim in dims:
        areas = [a for (d, a) in counts if d == dim]
        for area in _area_order(dim, areas):
            out[(*prefix, dim, area)] = counts[(dim, area)]
    return out


def _count_dims(reader: _Reader, frame: pd.DataFrame, dims: list[str], weights, rows=None, coded=None) -> dict:
    """Counts per (dimension, area) for gesamt and every dimension, over the selected rows (``coded``:
    _coded of ``frame``'s columns, when the caller counts several selections of it)."""
    if weights is None:
        coded = coded or _coded(frame[["gesamt", *dims, "sex"]])
        if rows is not None:
            coded = {name: (codes[rows], categories) for name, (codes, categories) in coded.items()}
    elif rows is not None:
        frame, weights = frame[rows], weights[rows]
    counts = {}
    for dim in ["gesamt", *dims]:
        found = _head_counts(coded, [dim, "sex"]) if coded is not None else reader.count(frame, [dim], weights)
        for (area,), c in found.items():
            counts[(dim, area)] = c
    return _ordered(counts, ["gesamt", *dims])




def _is_sex(value) -> bool:
    return vocab.code("geschlecht", value) is not None


def import_staff(path, profile: Profile, stichtag: date, mapping: Mapping, findings: FindingList,
                 draft: MappingDraft | None = None, sheet: str | None = None) -> dict:
    """Staff export -> heads, stock per (dimension, area), of which part-time and on leave, and the
    retirement forecast; as keyword arguments for Dataset."""
    table = read_table(path, resolver=Resolver(mapping.columns, STAFF_CODES, keep=frozenset({"geburtsdatum"})),
                       sheet=sheet)
    reader = _Reader(table, profile, mapping, findings, draft)
    reader.require("geschlecht")
    reader.report_columns(plan_areas=True)  # after require: a header row, not a first person's data
    filled = reader.without_totals(pd.Series(~table.blank), "geschlecht", _is_sex)  # empty lines are nobody
    if not filled.any():  # a plan of nobody is no plan
        findings.add("error", "Der Personalbestand enthält keine Datenzeilen. Bitte den Export mit allen Beschäftigten "
                              "erstellen.", table.file, table.sheet)
    sexes = reader.sexes(required=filled)
    valid = sexes.notna() & filled
    reader.refuse_if_mostly_unreadable("geschlecht", valid, filled, reader.column("geschlecht"),
                                       "unbekannte Angaben zum Geschlecht")
    weights = reader.weights(valid)
    if weights is not None:
        valid &= weights.notna()
    dims = [d for d in AREA_DIMENSIONS if d in table.columns]
    frame = pd.DataFrame({"sex": sexes, "gesamt": _constant("gesamt", len(sexes)),
                          **{d: reader.areas(d, valid) for d in dims}})
    keep = valid.to_numpy()
    for dim in PLAN_AREAS:  # a column that is there but empty leaves the Bereiche out as surely as none
        if dim in dims and keep.any() and frame[dim][keep].isna().all():
            reader.add("warning", f"Die Spalte „{DIMENSIONS[dim]}“ ist in keiner Zeile ausgefüllt. Der Plan zeigt dann "
                                  f"keine Bereiche nach {DIMENSIONS[dim]}; bitte den Export prüfen (richtige Spalte, "
                                  f"richtiges Feld im Personalverwaltungssystem?).", topic=COLUMNS)
    frame, w = frame[keep], (weights[keep] if weights is not None else None)
    coded = _coded(frame[["gesamt", *dims, "sex"]]) if w is None else None  # once for the four selections
    stock = _count_dims(reader, frame, dims, w, coded=coded)
    stock.setdefault(("gesamt", "gesamt"), Counts())
    out = {"heads": int(keep.sum()), "stock": stock}
    # "davon" counts are kept for women and men, as the shares are (d and x are in the totals)
    wm = frame["sex"].isin(["w", "m"]).to_numpy()
    for key, (dim, areas) in (("part_time", PART_TIME), ("on_leave", ON_LEAVE)):
        if dim in dims:
            out[key] = _count_dims(reader, frame, dims, w, wm & frame[dim].isin(areas).to_numpy(), coded)
    if "geburtsdatum" in table.columns:
        out["forecast"] = _count_dims(reader, frame, dims, w, _retiring(reader, keep, stichtag, profile), coded)
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


def import_movements(path, profile: Profile, stichtag: date, mapping: Mapping, findings: FindingList,
                     draft: MappingDraft | None = None, sheet: str | None = None):
    """Movement export (one row per event) -> counts per (kind, dimension, area) and postings."""
    table = read_table(path, resolver=Resolver(mapping.columns, MOVEMENT_CODES), sheet=sheet)
    reader = _Reader(table, profile, mapping, findings, draft)
    reader.require("vorgang", "geschlecht")
    reader.report_columns()
    filled = reader.without_totals(pd.Series(~table.blank), "vorgang",  # empty lines are no event
                                   lambda v: vocab.code("vorgang", v) is not None)
    raw_kinds = reader.column("vorgang")
    kinds, _ = _map_unique(raw_kinds, lambda v: vocab.code("vorgang", v))
    if (kinds.isna() & filled).any():
        findings.for_rows("error", table, "vorgang", np.flatnonzero((kinds.isna() & filled).to_numpy()),
                          "Zeile {row} (Zelle {cell}): unbekannter Vorgang. Erlaubt sind bewerbung, einstellung, "
                          "befoerderung, hoehergruppierung, fortbildung, ausschreibung. Die Zeile wird nicht gezählt.")
        for value in reader.codes_to_map(raw_kinds, kinds.isna() & filled):
            reader.draft.value("vorgang", value, "", "unbekannter Vorgang")
    reader.refuse_if_mostly_unreadable("vorgang", kinds.notna() & filled, filled, raw_kinds, "unbekannte Vorgänge")
    posting = kinds == POSTING_KIND
    sexes = reader.sexes(required=~posting & filled)
    valid = kinds.notna() & (sexes.notna() | posting) & filled
    reader.refuse_if_mostly_unreadable("geschlecht", valid | ~kinds.notna(), filled & kinds.notna(),
                                       reader.column("geschlecht"), "unbekannte Angaben zum Geschlecht")
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
    frame = pd.DataFrame({"kind": kinds, "sex": sexes.astype(object).where(~posting, "x"),
                          "gesamt": _constant("gesamt", len(kinds)),
                          **{d: reader.areas(d, valid) for d in dims}})[valid.to_numpy()]
    w = weights[valid.to_numpy()] if weights is not None else None
    is_posting = (frame["kind"] == POSTING_KIND).to_numpy()
    counts = {}
    events = frame[~is_posting]
    for dim in ["gesamt", *dims]:
        for (kind, area), c in reader.count(events, ["kind", dim], w[~is_posting] if w is not None else None).items():
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


def import_committees(path, mapping: Mapping, findings: FindingList, draft: MappingDraft | None = None,
                      sheet: str | None = None) -> dict[str, Counts]:
    table = read_table(path, resolver=Resolver(mapping.columns, COMMITTEE_CODES), sheet=sheet)
    reader = _Reader(table, None, mapping, findings, draft)
    reader.require("gremium", "w", "m")
    reader.report_columns()
    kept = reader.without_totals(pd.Series(~table.blank), "gremium", lambda v: not TOTALS.match(vocab.text(v)))
    totals = set(np.flatnonzero(~kept.to_numpy() & ~table.blank))
    out = {}
    cols = [c for c in ("w", "m", "d", "x") if c in table.columns]
    names = reader.column("gremium").map(vocab.text)
    for i, name in enumerate(names):
        if i % 10_000 == 0:
            table.deadline.check(f"in Zeile {table.first_row + i}")
        if table.blank[i] or i in totals:
            continue  # an empty line, a totals row
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


def import_targets(path, mapping: Mapping, findings: FindingList, draft: MappingDraft | None = None,
                   sheet: str | None = None) -> list[Target]:
    table = read_table(path, resolver=Resolver(mapping.columns, TARGET_CODES), sheet=sheet)
    reader = _Reader(table, None, mapping, findings, draft)
    reader.require("dimension", "bereich", "geschlecht", "ziel")
    reader.report_columns()
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
        targets.append(Target(ident, dimension, area, sex, goal, achieved, bool(leadership), deadline,
                              table.cell("geschlecht", i), file_label(table.file), table.sheet))
    return targets


def import_exports(*, staff=None, movements=None, committees=None, targets=None, mapping=None,
                   profile: Profile, stichtag: date, agency: Agency, sheet: str | None = None,
                   write_mapping: str | Path | None = None) -> Dataset:
    """Read the exports that are given and return the aggregated Dataset with every finding.

    ``sheet`` names the sheet of a workbook export; ``write_mapping`` a file for the draft of a
    mapping file (written also when the import stops because most rows cannot be read)."""
    profile.route(agency.type)  # an unknown body type stops the job before any file is read
    mapping = mapping if isinstance(mapping, Mapping) else Mapping.load(mapping)
    findings = FindingList()
    draft = MappingDraft()
    ds = Dataset(agency=agency, stichtag=stichtag, findings=findings)
    try:
        if staff is not None:
            for name, value in import_staff(staff, profile, stichtag, mapping, findings, draft, sheet).items():
                setattr(ds, name, value)
        if movements is not None:
            ds.movements, ds.postings = import_movements(movements, profile, stichtag, mapping, findings, draft, sheet)
        if committees is not None:
            ds.committees = import_committees(committees, mapping, findings, draft, sheet)
        if targets is not None:
            ds.targets = import_targets(targets, mapping, findings, draft, sheet)
            _check_leadership_targets(ds, findings)
    except InputFileError as exc:
        written = _write_draft(draft, write_mapping)
        if written:
            raise InputFileError(f"{exc}\n{written}") from None
        raise
    written = _write_draft(draft, write_mapping)
    if written:
        findings.add("info", written)
    return ds


def _write_draft(draft: MappingDraft, path) -> str | None:
    if path is None or not (draft.columns or draft.values):
        return None
    write_text(Path(path), draft.text())
    return f"Entwurf der Zuordnungsdatei geschrieben: {path}. Bitte prüfen und dann mit --mapping {path} verwenden."


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
