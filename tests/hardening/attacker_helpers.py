"""An attacker's view of one plan draft (issue 7, part 5): every figure the .docx shows becomes one
linear constraint over the unknown counts, and each suppressed cell is bounded over the integers.

What is read from the document (nothing else, except ``truth`` for the self-check):
  * every count table (Bestand, "davon Teilzeit/Beurlaubung", movements, committees): in every row
    W + M (+ d/x) = total, the shown share as an interval (rounded half-up to 2 decimals), the
    verdict ("Frauen"/"Männer"/blank: share below or not below the threshold, with the min-gap rule);
  * the partitions: a table with an "insgesamt" row adds up to it column by column (the row is the
    same unknowns in every table, the Dienststelle's W and M); a table without it adds up to at most
    the Dienststelle (each person is in at most one Bereich of a dimension);
  * "davon Teilzeit/beurlaubt" per Bereich <= the Bereich's W and M; all part-time = Arbeitszeit
    Teilzeit + Altersteilzeit, all on leave = Beurlaubung familiär + sonstige, and the Bereiche of a
    dimension that covers everybody add up to it;
  * the sentences: head count of section 1 (or "mindestens/weniger als 50"), the overview of the
    stock and of each movement, the verdict sentences of section 3 (with or without share), the
    part-time/leave share sentences, the list "Unterrepräsentiert: ..." per movement (the verdict of
    the Dienststelle's row, which no table shows when a movement has no Bereiche);
  * the sizing helpers of every Zielvorgabe: current count, size, vacancies V (hidden only in
    1..min-1), departures D (D <= V, D <= current), ceil(V/2), the hires for the threshold
    (max(0, ceil(p*N) - (X - D))), the cascade share;
  * the previous plan's targets (section 6): target, achieved (hidden only in the range the
    product's rule gives, ``achieved_hidden``), Stand (erreicht: achieved >= target), and the I2
    reading of § 4 Abs. 6 ("unter 50 %": a linear inequality over the hidden achieved counts of the
    leadership targets). The achieved counts are not linked to the stock (a target counts persons
    gained, who may have left again), so that is all the previous plan gives.
Charts are drawn from shown shares only (report/charts.py takes the protected rows' shares; a hidden
share is not drawn), so they add nothing beyond the tables and are not read.

Rule knowledge, only where it is sound: a hidden lone figure (vacancies, achieved count) lies in
the range the rule hides; in a row protected on its own (the Dienststelle's row of the stock and of
each movement) or in a table without an "insgesamt" row (no column equations, so no complementary
suppression), a hidden sex is below the minimum when the row shows any cell. Not assumed elsewhere:
complementary suppression hides large cells too, and a row the verdict would expose is hidden whole
whatever its size. Counts are integers (heads); VZÄ drafts are not attacked here.
"""
from __future__ import annotations

import math
import re
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
from docx.table import Table
from docx.text.paragraph import Paragraph
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))
from draft_helpers import blocks  # noqa: E402

from xl_gleichplan.report import sentences as say  # noqa: E402
from xl_gleichplan.schema import DIMENSIONS, MOVEMENT_KINDS, VALUES  # noqa: E402

SOFT = "\u00ad"
DIM_CODE = {label: code for code, label in DIMENSIONS.items()}
KIND_CODE = {label: code for code, label in MOVEMENT_KINDS.items()}
SEX = {"Frauen": "w", "Männer": "m"}


def area_code(dim: str, label: str) -> str:
    return {v: k for k, v in VALUES.get(dim, {}).items()}.get(label, label)


def number(text: str) -> Fraction:
    """'1.234' -> 1234, '20,50' -> 41/2."""
    return Fraction(text.strip().replace(".", "").replace(",", "."))


def percent(text: str) -> Fraction | None:
    m = re.fullmatch(r"\s*([\d.]+,\d\d)\s*\u202f?%\s*", text)
    return number(m.group(1)) / 100 if m else None


# -- the system ----------------------------------------------------------------------------------

class Lin:
    """const + sum(coeff * var)."""

    def __init__(self, terms: dict[int, Fraction] | None = None, const: Fraction = Fraction(0)):
        self.terms, self.const = dict(terms or {}), Fraction(const)

    def __add__(self, other):
        other = other if isinstance(other, Lin) else Lin(const=other)
        terms = dict(self.terms)
        for k, v in other.terms.items():
            terms[k] = terms.get(k, 0) + v
        return Lin({k: v for k, v in terms.items() if v}, self.const + other.const)

    def __rmul__(self, f):
        return Lin({k: f * v for k, v in self.terms.items() if f * v}, f * self.const)

    def __sub__(self, other):
        other = other if isinstance(other, Lin) else Lin(const=other)
        return self + (-1) * other


def total(lins) -> Lin:
    out = Lin()
    for x in lins:
        out = out + x
    return out


@dataclass
class Constraint:
    lin: Lin
    lo: Fraction | None
    hi: Fraction | None
    strict_lo: bool = False
    strict_hi: bool = False
    why: str = ""


@dataclass
class System:
    min_cell: int = 3
    threshold: Fraction = Fraction(2, 5)
    comparison: str = "lt"
    sexes: str = "both"
    gap: int = 0
    basis: str = "w_m"
    names: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    binary: set[int] = field(default_factory=set)
    constraints: list[Constraint] = field(default_factory=list)
    cells: dict[str, Lin] = field(default_factory=dict)  # suppressed cells to attack
    shown: set[str] = field(default_factory=set)  # cells shown somewhere (a sentence may hide what a table shows)
    big: int = 100_000

    def var(self, name: str, binary: bool = False) -> Lin:
        if name not in self.index:
            self.index[name] = len(self.names)
            self.names.append(name)
            if binary:
                self.binary.add(self.index[name])
        return Lin({self.index[name]: Fraction(1)})

    def add(self, lin: Lin, lo=None, hi=None, strict_lo=False, strict_hi=False, why=""):
        if not lin.terms:
            return  # a relation between shown figures only
        shift = lin.const
        self.constraints.append(Constraint(Lin(lin.terms), None if lo is None else Fraction(lo) - shift,
                                           None if hi is None else Fraction(hi) - shift, strict_lo, strict_hi, why))

    def eq(self, lin: Lin, value, why=""):
        self.add(lin, value, value, why=why)

    def figure(self, name: str, text: str, lin: Lin, why: str = "") -> bool:
        """A shown cell fixes its expression; a hidden one is attacked. True if hidden."""
        text = text.strip()
        if text == ".":
            self.cells.setdefault(name, lin)
            return True
        if re.fullmatch(r"[\d.]+(,\d+)?", text):
            self.eq(lin, number(text), why or name)
            self.shown.add(name)
        return False

    def small(self, lin: Lin, why: str):
        """Rule knowledge: a figure protected on its own (a single row, where nothing can be
        recomputed, so nothing is hidden by complementary suppression) is hidden only below the minimum."""
        self.add(lin, hi=self.min_cell - 1, why=why)

    def share(self, part: Lin, whole: Lin, pct: Fraction, why=""):
        """Shown share pct (half-up to 0,01 %): pct - 1/20000 <= part/whole < pct + 1/20000."""
        h = Fraction(1, 20000)
        self.add(whole, lo=1, why=why)
        self.add(part - (pct - h) * whole, lo=0, why=why)
        self.add(part - (pct + h) * whole, hi=0, strict_hi=True, why=why)

    def below(self, own: Lin, whole: Lin) -> tuple[Lin, bool]:
        """own share below the threshold: (own - p*whole) < 0 (lt) or <= 0 (le)."""
        return own - self.threshold * whole, self.comparison == "lt"

    def verdict(self, w: Lin, m: Lin, whole: Lin, text: str, why=""):
        """'Frauen' / 'Männer' / '' (nobody) as shown for a row; '.' and '–' tell nothing here."""
        text = text.strip()
        if text not in ("Frauen", "Männer", ""):
            return
        self.add(w + m, lo=1, why=why)  # a verdict (or its absence) is given for non-empty rows only
        cases = [("Frauen", w, m)] + ([("Männer", m, w)] if self.sexes == "both" else [])
        for label, own, other in cases:
            diff, strict = self.below(own, whole)
            if text == label:
                self.add(diff, hi=0, strict_hi=strict, why=why)
                if self.gap:
                    self.add(other - own, lo=self.gap, why=why)
            else:  # not this verdict: share not below, or (with a gap rule) the gap not reached
                if not self.gap:
                    self.add(diff, lo=0, strict_lo=not strict, why=why)
                else:
                    z = self.var(f"aux|z{len(self.names)}", binary=True)
                    # z = 0: share not below; z = 1: gap not reached
                    self.add(diff + self.big * z, lo=0, strict_lo=not strict, why=why)
                    self.add(other - own + self.big * z, hi=self.gap - 1 + self.big, why=why)

    # -- solving ---------------------------------------------------------------------------------
    def _rows(self):
        """Integer rows (coefficients scaled to integers; strict bounds tightened by one)."""
        out = []
        for c in self.constraints:
            dens = [v.denominator for v in c.lin.terms.values()] + \
                   [b.denominator for b in (c.lo, c.hi) if b is not None]
            f = math.lcm(*dens)
            terms = {k: int(v * f) for k, v in c.lin.terms.items()}
            lo = None if c.lo is None else c.lo * f
            hi = None if c.hi is None else c.hi * f
            if lo is not None:
                lo = math.floor(lo) + 1 if c.strict_lo else math.ceil(lo)
            if hi is not None:
                hi = math.ceil(hi) - 1 if c.strict_hi else math.floor(hi)
            out.append((terms, lo, hi))
        return out

    def solve(self, time_limit: float = 20.0) -> "Result":
        """Min and max of every suppressed cell over all integer solutions, component by component
        (unknowns that no constraint links cannot bound each other)."""
        rows = self._rows()
        n = len(self.names)
        parent = list(range(n))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for terms, _, _ in rows:
            ks = list(terms)
            for k in ks[1:]:
                parent[find(k)] = find(ks[0])
        groups: dict[frozenset, list[str]] = {}
        for name, lin in self.cells.items():
            if name not in self.shown:
                groups.setdefault(frozenset(find(k) for k in lin.terms), []).append(name)
        result = Result(self)
        for comps, names in groups.items():
            variables = sorted(k for k in range(n) if find(k) in comps)
            sub = [r for r in rows if find(next(iter(r[0]))) in comps]
            problem = self._problem(variables, sub, None)
            for name in names:
                lin = self.cells[name]
                result.ranges[name] = tuple(self._optimum(problem, lin, sign, time_limit) for sign in (1, -1))
        return result

    def feasible(self, fixed: dict[int, int]) -> bool:
        """Is there an integer solution with these unknowns fixed (the true counts, say)?"""
        problem = self._problem(list(range(len(self.names))), self._rows(), fixed)
        res = milp(np.zeros(len(self.names)), constraints=problem[1], integrality=problem[2], bounds=problem[3],
                   options={"time_limit": 30.0})
        return res.status == 0

    def _problem(self, variables, rows, fixed):
        from scipy.sparse import coo_matrix

        pos = {k: i for i, k in enumerate(variables)}
        lo = np.zeros(len(variables))
        hi = np.array([1.0 if k in self.binary else float(self.big) for k in variables])
        for k, v in (fixed or {}).items():
            if k in pos:
                lo[pos[k]] = hi[pos[k]] = v
        r_idx, c_idx, data = [], [], []
        lb, ub = np.full(len(rows), -np.inf), np.full(len(rows), np.inf)
        for i, (terms, rlo, rhi) in enumerate(rows):
            for k, v in terms.items():
                r_idx.append(i)
                c_idx.append(pos[k])
                data.append(v)
            if rlo is not None:
                lb[i] = rlo
            if rhi is not None:
                ub[i] = rhi
        a = coo_matrix((data, (r_idx, c_idx)), shape=(len(rows), len(variables))).tocsr()
        cons = [LinearConstraint(a, lb, ub)] if len(rows) else []
        return pos, cons, np.ones(len(variables)), Bounds(lo, hi)

    def _optimum(self, problem, lin: Lin, sign: int, time_limit: float) -> int:
        pos, cons, integrality, bounds = problem
        c = np.zeros(len(pos))
        for k, v in lin.terms.items():
            c[pos[k]] = sign * float(v)
        res = milp(c, constraints=cons, integrality=integrality, bounds=bounds,
                   options={"mip_rel_gap": 0, "time_limit": time_limit})
        if res.status != 0:
            raise AssertionError(f"the attacker's system has no solution or the solver failed: {res.message}")
        return round(sign * res.fun + float(lin.const))


@dataclass
class Result:
    system: System
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)

    def pinned(self) -> dict[str, int]:
        return {n: lo for n, (lo, hi) in self.ranges.items() if lo == hi}

    def stats(self) -> dict:
        widths = [hi - lo for lo, hi in self.ranges.values()]
        small = self.system.min_cell - 1
        return {
            "hidden": len(widths),
            "pinned": sum(w == 0 for w in widths),
            "width_1": sum(w == 1 for w in widths),
            "width_2": sum(w == 2 for w in widths),
            "width_3_or_more": sum(3 <= w < self.system.big // 2 for w in widths),
            "unbounded": sum(w >= self.system.big // 2 for w in widths),
            # the attacker learns "between 1 and min-1": a small, non-zero count (not its value)
            f"within_1_to_{small}": sum(1 <= lo and hi <= small and lo < hi for lo, hi in self.ranges.values()),
        }


# -- reading the draft ----------------------------------------------------------------------------

@dataclass
class Row:
    key: str  # "family|dim|area"
    w: Lin
    m: Lin
    dx: Lin | None


def cells(table: Table) -> list[list[str]]:
    """The table's texts, straight from the XML (python-docx's cell API is slow on long drafts)."""
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    return [["".join(t.text or "" for t in tc.iter(f"{w}t")) for tc in tr.iter(f"{w}tc")]
            for tr in table._tbl.iter(f"{w}tr")]


def achieved_hidden(min_cell: int, target: int, plain: bool = False) -> tuple[int, int]:
    """What the attacker knows of a hidden achieved count: the product's published rule. Plain: a
    lone count, hidden in 1..min-1. Since the fix: also target + 1 when the target is min-1, and 0
    when the target is 2 (so that "erreicht"/"nicht erreicht" never leaves a single value)."""
    lo, hi = 1, min_cell - 1
    if not plain:
        hi = target + 1 if target == hi else hi
        lo = 0 if target == 2 else lo
    return lo, hi


class Reader:
    """Walks the draft once and fills a System."""

    def __init__(self, document, plain_achieved: bool = False):
        self.doc = document
        self.plain_achieved = plain_achieved
        self.s = System()
        self.where: dict[str, tuple[str, str]] = {}  # where-phrase (lower case) -> (dim, area) of the stock
        self.tables: list[tuple[str, str, list[Row], bool]] = []  # (family, dim, rows, has_margin)
        self.movement_verdicts: dict[str, str] = {}  # kind -> verdict of the Dienststelle's row
        self.movement_named: dict[str, bool] = {}
        self.stock_sentence_verdict: str | None = None
        self.stock_overview = False
        self.lead_targets: list[tuple[str, int, str, str]] = []  # (id, target, erreicht-text, stand)
        self.judged = {"gesamt", "gremium"}
        self.single_rows: dict[str, Row] = {}

    # rows: the base unknowns of a Bereich, shared by every table and sentence that shows it
    def row(self, family: str, dim: str, area: str, with_dx: bool) -> Row:
        key = f"{family}|{dim}|{area}"
        dx = self.s.var(f"{key}|dx") if with_dx else None
        return Row(key, self.s.var(f"{key}|w"), self.s.var(f"{key}|m"), dx)

    def whole(self, r: Row) -> Lin:
        """Denominator of the shares: W + M, or everybody with basis "alle"."""
        return r.w + r.m + (r.dx if self.s.basis == "alle" and r.dx is not None else Lin())

    def read(self) -> System:
        text = "\n".join(p.text for p in self.doc.paragraphs)
        self._profile(text)
        h1 = h2 = prev = ""
        for block in blocks(self.doc):
            if isinstance(block, Paragraph):
                style = block.style.name
                if style == "Heading 1":
                    self._end_section(h1, h2)
                    h1, h2 = block.text, ""
                elif style == "Heading 2":
                    self._end_section(h1, h2)
                    h2 = block.text
                elif block.text.strip():
                    self._sentence(h1, h2, block.text)
                    prev = block.text
                continue
            self._table(h1, h2, prev, cells(block))
        self._end_section(h1, h2)
        if self.stock_overview and self.stock_sentence_verdict is None:
            g = self.row("stock", "gesamt", "gesamt", True)  # no sentence "in der Dienststelle insgesamt"
            self.s.verdict(g.w, g.m, self.whole(g), "", "Dienststelle: kein Satz zur Unterrepräsentanz")
        for key, g in self.single_rows.items():  # hidden in every place that shows the row
            if not any(f"{key}|{col}" in self.s.shown for col in ("w", "m", "total")):
                continue  # all hidden: below the minimum, or hidden whole because the verdict would tell
            for col, lin in (("w", g.w), ("m", g.m)):
                if f"{key}|{col}" in self.s.cells and f"{key}|{col}" not in self.s.shown:
                    self.s.small(lin, f"{key}|{col}: Einzelzeile verdeckt")
        self._links()
        self._attainment_rule(text)
        return self.s

    def _profile(self, text: str):
        s = self.s
        m = re.search(r"kleine Anzahlen \(1 bis (\d+)\)[^.]* sind nicht ausgewiesen", text)
        s.min_cell = int(m.group(1)) + 1 if m else 3
        m = re.search(r"Unterrepräsentiert (ist ein Geschlecht|sind Frauen) mit einem Anteil (unter|bis zu) "
                      r"([\d,]+)\u202f%(, wenn zugleich mindestens (\d+) Männer mehr beschäftigt sind)?", text)
        assert m, "threshold sentence not found"
        s.sexes = "both" if m.group(1).startswith("ist") else "women"
        s.comparison = "lt" if m.group(2) == "unter" else "le"
        s.threshold = number(m.group(3)) / 100
        s.gap = int(m.group(5) or 0)
        s.basis = "alle" if "beziehen sich auf alle Beschäftigten" in text else "w_m"
        assert "gezählt in Köpfen" in text, "only head counts are attacked (VZÄ are not integers)"

    # -- tables ----------------------------------------------------------------------------------
    def _table(self, h1: str, h2: str, prev: str, grid: list[list[str]]):
        header = [h.replace(SOFT, "") for h in grid[0]]
        if h1.startswith("2.") and h2 == "Beschäftigte insgesamt":
            return self._total_table(grid[1])
        if header[:3] == ["Bereich", "Frauen", "Männer"]:
            if h1.startswith("2."):
                m = re.fullmatch(r"davon (Teilzeit \(einschließlich Altersteilzeit\)|Beurlaubung) nach (.+)", prev)
                if h2 == "Teilzeit und Beurlaubung" and m:
                    family = "part" if m.group(1).startswith("Teilzeit") else "leave"
                    return self._count_table(family, DIM_CODE[m.group(2)], header, grid[1:])
                return self._count_table("stock", DIM_CODE[h2], header, grid[1:])
            if h1.startswith("4."):
                if h2 == "Gremien":
                    return self._count_table("gremium", "gremium", header, grid[1:])
                kind = KIND_CODE[h2]
                dim = DIM_CODE[prev.split(" nach ", 1)[1]]
                return self._count_table(f"mov:{kind}", dim, header, grid[1:])
            raise AssertionError(f"count table in an unexpected place: {h1} / {h2}")
        if header[:2] == ["Rechenhilfe", "Wert"]:
            return self._sizing(h2, grid[1:])
        if header[:5] == ["Nr.", "Bereich", "für", "Ziel", "Ist"]:
            return self._attainment(grid[1:])
        if header[:2] == ["Lesart", "Wert"]:
            self.i2 = grid[2][1]

    def _total_table(self, cells: list[str]):
        r = self.row("stock", "gesamt", "gesamt", True)
        s = self.s
        _, w, m, dx, all_, share = cells[:6]
        for col, text, lin in (("w", w, r.w), ("m", m, r.m)):
            s.figure(f"{r.key}|{col}", text, lin)
        if s.basis == "w_m":  # women and men here are the margin row, protected on its own (``_stock_margin``)
            self.single_rows[r.key] = r
        s.figure(f"{r.key}|dx", dx, r.dx)
        s.figure(f"{r.key}|total", all_, r.w + r.m + r.dx)
        p = percent(share)
        if p is not None:
            s.share(r.w, self.whole(r), p, "Frauenanteil der Dienststelle")
        elif share.strip() == "–":
            s.eq(self.whole(r), 0)

    def _count_table(self, family: str, dim: str, header: list[str], body: list[list[str]]):
        s = self.s
        col = {h: i for i, h in enumerate(header)}
        with_dx = "divers/ o. A." in col
        total_col = col.get("zusammen", col.get("gesamt"))
        rows = []
        has_margin = False
        for cells in body:
            label = cells[0]
            if label == "insgesamt":
                has_margin = True
                r = self.row("stock" if family == "stock" else family, "gesamt", "gesamt",
                             with_dx or family == "stock")
            else:
                area = label if family == "gremium" else area_code(dim, label)
                r = self.row(family, dim, area, with_dx)
                rows.append(r)
                if family == "stock":
                    self.where[say.where(dim, area)] = (dim, area)
            whole_cell = r.w + r.m + (r.dx if with_dx else Lin())
            s.figure(f"{r.key}|w", cells[col["Frauen"]], r.w)
            s.figure(f"{r.key}|m", cells[col["Männer"]], r.m)
            if with_dx:
                s.figure(f"{r.key}|dx", cells[col["divers/ o. A."]], r.dx)
            s.figure(f"{r.key}|total", cells[total_col], whole_cell)
            share_text = cells[col["Frauenanteil"]]
            p = percent(share_text)
            if p is not None:
                s.share(r.w, self.whole(r), p, f"{r.key} Frauenanteil")
            elif share_text.strip() == "–":
                s.eq(self.whole(r), 0, f"{r.key} leer")
            judged = dim in self.judged or label == "insgesamt"  # movements show "" for unjudged dims too
            if "unterrepräsentiert" in col and share_text.strip() != "–" and judged:
                s.verdict(r.w, r.m, self.whole(r), cells[col["unterrepräsentiert"]], f"{r.key} Urteil")
        if family == "stock" and "unterrepräsentiert" in col:
            self.judged.add(dim)  # the stock tables carry a verdict column for the Bereiche of the law only
        if not has_margin and family not in ("part", "leave") and self.s.basis == "w_m" and not with_dx:
            # protected without a margin (no "insgesamt" row; the "davon" tables do get one): no
            # column equations, so nothing is hidden by complementary suppression, and a row that
            # shows any cell hides only sexes below the minimum (the draft's note says so). Not with
            # a divers/ohne Angabe column (committees counted whole): a small one hides a partner.
            for r, cells in zip(rows, [c for c in body if c[0] != "insgesamt"]):
                shown = [cells[col[h]] != "." for h in ("Frauen", "Männer")] + [cells[total_col] != "."]
                if any(shown):
                    for sex, lin, visible in (("w", r.w, shown[0]), ("m", r.m, shown[1])):
                        if not visible:
                            s.small(lin, f"{r.key}|{sex}: ohne Randsumme verdeckt")
        self.tables.append((family, dim, rows, has_margin))

    # -- Zielvorgaben ------------------------------------------------------------------------------
    def _sizing(self, heading: str, body: list[list[str]]):
        s = self.s
        m = re.fullmatch(r"Zielvorgabe Z\d+: (Frauen|Männer) (.+)", heading)
        sex = SEX[m.group(1)]
        dim, area = self.where[m.group(2)]
        r = self.row("stock", dim, area, False)
        own = r.w if sex == "w" else r.m
        fc = f"fc|{dim}|{area}"
        v, d = s.var(f"{fc}|v"), s.var(f"{fc}|{sex}")
        s.add(v - d, lo=0, why="Abgänge <= frei werdende Stellen")
        s.add(own - d, lo=0, why="Abgänge des Geschlechts <= Bestand")
        size = r.w + r.m
        for label, value in body:
            if label.endswith("im Bereich am Stichtag") and not label.startswith("Frauen und"):
                s.figure(f"{r.key}|{sex}", value, own)
            elif label == "Frauen und Männer im Bereich am Stichtag":
                s.figure(f"{r.key}|total", value, size)
            elif label.startswith("voraussichtlich frei werdende Stellen"):
                if s.figure(f"{fc}|v", value, v):
                    s.add(v, lo=1, hi=s.min_cell - 1, why="verdeckte Einzelzahl: 1..min-1")
            elif label.startswith("davon bisher mit"):
                s.figure(f"{fc}|{sex}", value, d)
            elif label.startswith("mindestens die Hälfte"):
                if value.strip() != ".":
                    half = number(value)
                    s.add(v, lo=2 * half - 1, hi=2 * half, why="Hälfte der frei werdenden Stellen")
            elif label.startswith("Einstellungen oder Beförderungen"):
                hm = re.match(r"(\d[\d.]*)", value.strip())
                if hm:
                    hires = number(hm.group(1))
                    c = s.var(f"aux|ceil{len(s.names)}")  # ceil(p * N)
                    s.add(c - s.threshold * size, lo=0, why="ceil")
                    s.add(c - s.threshold * size, hi=1, strict_hi=True, why="ceil")
                    need = c - own + d
                    if hires > 0:
                        s.eq(need, hires, "Einstellungen für die Schwelle")
                    else:
                        s.add(need, hi=0, why="Einstellungen für die Schwelle: 0")
                    if "mehr als die" in value:
                        s.add(v, hi=hires - 1, why="so nicht erreichbar")
            elif label.startswith("Kaskadenmodell"):
                p = percent(value)
                lm = re.search(r"\(([^)]+)\)$", label)
                if p is not None and lm:
                    below = self.row("stock", "fuehrungsebene", area_code("fuehrungsebene", lm.group(1)), False)
                    s.share(below.w if sex == "w" else below.m, self.whole(below), p, "Kaskade")

    def _attainment(self, body: list[list[str]]):
        s = self.s
        for nr, _, _, goal, achieved, _, stand, lead in body:
            a = s.var(f"ach|{nr}")
            if achieved.strip() == "–":
                continue
            t = int(number(goal))
            if s.figure(f"ach|{nr}", achieved, a):
                lo, hi = achieved_hidden(s.min_cell, t, self.plain_achieved)
                s.add(a, lo=lo, hi=hi, why="verdeckte erreichte Zahl")
            if stand == "erreicht":
                s.add(a, lo=t, why=f"{nr} erreicht")
            elif stand == "nicht erreicht":
                s.add(a, hi=t - 1, why=f"{nr} nicht erreicht")
            if lead == "ja":
                self.lead_targets.append((nr, t, achieved, stand))

    def _attainment_rule(self, text: str):
        """I2 of § 4 Abs. 6: sum(min(achieved, target)) / sum(targets) over the leadership targets."""
        i2 = getattr(self, "i2", None)
        if not i2 or not self.lead_targets:
            return
        s = self.s
        assessed = [t for t in self.lead_targets if t[3] != "offen"] or []
        if not assessed:
            return
        all_t = sum(t for _, t, _, _ in self.lead_targets)
        volume = total(Lin(const=t) if stand == "erreicht" else s.var(f"ach|{nr}")
                       for nr, t, _, stand in self.lead_targets)
        limit = re.search(r"(unter|mindestens) ([\d,]+)\u202f% \(Wert verdeckt\)", i2)
        p = percent(i2)
        if limit:
            bound = number(limit.group(2)) / 100 * all_t
            if limit.group(1) == "unter":
                s.add(volume, hi=bound, strict_hi=True, why="I2 unter der Schwelle")
            else:
                s.add(volume, lo=bound, why="I2 mindestens die Schwelle")
        elif p is not None:
            s.share(volume, Lin(const=all_t), p, "I2")

    # -- sentences -------------------------------------------------------------------------------
    def _sentence(self, h1: str, h2: str, text: str):
        s = self.s
        if h1.startswith("1."):
            m = re.search(r"hat am Stichtag \S+ (mindestens |weniger als )?([\d.]+) Beschäftigte", text)
            if m:
                g = self.row("stock", "gesamt", "gesamt", True)
                heads = g.w + g.m + g.dx
                n = number(m.group(2))
                if m.group(1) == "mindestens ":
                    s.add(heads, lo=n, why="mindestens n Beschäftigte")
                elif m.group(1) == "weniger als ":
                    s.add(heads, hi=n - 1, why="weniger als n Beschäftigte")
                else:
                    s.eq(heads, n, "Beschäftigte (Abschnitt 1)")
        elif h1.startswith("3."):
            g = self.row("stock", "gesamt", "gesamt", True)
            if text.startswith("Am Stichtag "):
                self.stock_overview = True
                m = re.search(r"waren in der Dienststelle ([\d.]+) Personen", text)
                if m:
                    s.eq(g.w + g.m + g.dx, number(m.group(1)), "Personen insgesamt")
                for value, noun, pct in re.findall(r"([\d.]+) (Frauen|Männer)(?: \(([\d,]+)\u202f%\))?", text):
                    lin = g.w if noun == "Frauen" else g.m
                    s.eq(lin, number(value), f"{noun} insgesamt")
                    if pct:
                        s.share(lin, self.whole(g), number(pct) / 100, f"Anteil {noun} insgesamt")
                m = re.search(r"und ([\d.]+) mit dem Eintrag divers oder ohne Angabe", text) or \
                    re.search(r", ([\d.]+) mit dem Eintrag divers", text)
                if m:
                    s.eq(g.dx, number(m.group(1)), "divers/ohne Angabe")
                return
            m = re.fullmatch(r"(.+) sind (Frauen|Männer) (?:mit ([\d,]+)\u202f% unterrepräsentiert\.|"
                             r"unterrepräsentiert; der Anteil wird aus Datenschutzgründen nicht ausgewiesen\.)", text)
            if m:
                where = m.group(1)[:1].lower() + m.group(1)[1:]
                if where == "in der Dienststelle insgesamt":
                    r, self.stock_sentence_verdict = g, m.group(2)
                else:
                    r = self.row("stock", *self.where[where], False)
                s.verdict(r.w, r.m, self.whole(r), m.group(2), f"Satz: {text}")
                if m.group(3):
                    own = r.w if m.group(2) == "Frauen" else r.m
                    s.share(own, self.whole(r), number(m.group(3)) / 100, f"Satz: {text}")
                return
            m = re.fullmatch(r"(.+) beträgt der Frauenanteil ([\d,]+)\u202f% \(([\d.]+) Frauen, ([\d.]+) Männer\)\.", text)
            if m:
                where = m.group(1)[:1].lower() + m.group(1)[1:]
                r = self.row("stock", *self.where[where], False)
                s.eq(r.w, number(m.group(3)), text)
                s.eq(r.m, number(m.group(4)), text)
                s.share(r.w, self.whole(r), number(m.group(2)) / 100, text)
        elif h1.startswith("4.") and h2 in KIND_CODE:
            kind = KIND_CODE[h2]
            g = self.row(f"mov:{kind}", "gesamt", "gesamt", self.s.basis == "alle")
            key = f"mov:{kind}|gesamt|gesamt"
            # the sentence counts everybody: divers/ohne Angabe are in its total (issue 14)
            gd = self.row(f"mov:{kind}", "gesamt", "gesamt", True)
            both = g.w + g.m + gd.dx
            m = re.fullmatch(rf"Von den (?:([\d.]+) )?{h2} entfielen ([\d.]+) auf Frauen(?: \(([\d,]+)\u202f%\))?"
                             rf"(?: und|,) ([\d.]+) auf Männer(?: \(([\d,]+)\u202f%\))?(?: und ([\d.]+) auf Personen "
                             rf"mit dem Eintrag divers oder ohne Angabe)?(\.|; die Zahl der Fälle .*)", text)
            if m:
                if m.group(1):
                    s.eq(both, number(m.group(1)), text)
                s.eq(g.w, number(m.group(2)), text)
                s.eq(g.m, number(m.group(4)), text)
                if m.group(6):
                    s.eq(gd.dx, number(m.group(6)), text)
                elif m.group(7) != ".":  # divers/ohne Angabe hidden in a row protected on its own: 1..min-1
                    s.cells.setdefault(f"{key}|dx", gd.dx)
                    s.cells.setdefault(f"{key}|total", both)
                    s.add(gd.dx, lo=1, hi=s.min_cell - 1, why="verdeckte Zahl divers/ohne Angabe")
                for pct, lin in ((m.group(3), g.w), (m.group(5), g.m)):
                    if pct:
                        s.share(lin, self.whole(g), number(pct) / 100, text)
                self.movement_named.setdefault(kind, False)
            elif (m := re.fullmatch(rf"Im Berichtszeitraum gab es ([\d.]+) {h2}; die Verteilung .*", text)):
                s.eq(both, number(m.group(1)), text)
                s.cells.setdefault(f"{key}|w", g.w)
                s.cells.setdefault(f"{key}|m", g.m)
                self.single_hidden(g)
                self.movement_named.setdefault(kind, False)
            elif text == f"Im Berichtszeitraum gab es keine {h2}.":
                s.eq(both, 0, text)
            elif text == f"Die Zahl der {h2} wird aus Datenschutzgründen nicht ausgewiesen.":
                for col, lin in (("w", g.w), ("m", g.m), ("total", both)):
                    s.cells.setdefault(f"{key}|{col}", lin)
                self.single_hidden(g)
            elif text.startswith(("Unterrepräsentiert: ", "Nach den Bewegungen selbst unterrepräsentiert: ")):
                own = text.split(" Nach dem Bestand")[0]  # the stock's reading names stock verdicts, shown anyway
                for sex in ("Frauen", "Männer"):
                    if f"{sex} in der Dienststelle insgesamt" in own:
                        self.movement_verdicts[kind] = sex

    def single_hidden(self, g: Row):
        """The Dienststelle's row of a movement is protected on its own (``_Draft.single``): with
        basis "w_m" a hidden W or M there is below the minimum (the product's rule, stated in the
        draft's note) as long as some cell of the row is shown (a row whose verdict would fix a
        count is hidden whole, whatever its size). Applied at the end, to the sexes that neither
        the sentence nor the table's "insgesamt" row shows."""
        if self.s.basis != "w_m":
            return
        self.single_rows[g.key] = g

    def _end_section(self, h1: str, h2: str):
        """At the end of a movement's section: the Dienststelle's verdict follows from the list
        "Unterrepräsentiert: ..." (named there, or not named although its counts are shown)."""
        if h1.startswith("4.") and h2 in KIND_CODE:
            kind = KIND_CODE[h2]
            if kind in self.movement_named:  # the row's counts (or its total) are shown: it would be named
                g = self.row(f"mov:{kind}", "gesamt", "gesamt", self.s.basis == "alle")
                self.s.verdict(g.w, g.m, self.whole(g), self.movement_verdicts.get(kind, ""), f"{kind}: Liste")

    # -- links between tables ----------------------------------------------------------------------
    def _links(self):
        s = self.s
        margins = {}
        for family, dim, rows, has_margin in self.tables:
            if family in ("gremium",) or not rows:
                continue
            g = self.row(family if family != "stock" else "stock", "gesamt", "gesamt", False)
            if family == "stock":
                margins[dim] = has_margin
            for sex in ("w", "m"):
                parts = total(getattr(r, sex) for r in rows)
                if has_margin:
                    s.eq(parts - getattr(g, sex), 0, f"{family} {dim}: Spaltensumme {sex}")
                else:
                    s.add(getattr(g, sex) - parts, lo=0, why=f"{family} {dim}: Teilmenge {sex}")
            if has_margin and rows[0].dx is not None:
                gd = self.row(family, "gesamt", "gesamt", True).dx
                s.eq(total(r.dx for r in rows) - gd, 0, f"{family} {dim}: Spaltensumme d/x")
            if family in ("part", "leave"):
                for r in rows:
                    area = r.key.split("|")[2]
                    stock = self.row("stock", dim, area, False)
                    for sex in ("w", "m"):
                        s.add(getattr(stock, sex) - getattr(r, sex), lo=0, why=f"davon {family} <= Bestand")
        # all part-time = Teilzeit + Altersteilzeit; all on leave = familiär + sonstige (women, men)
        for family, dim, members in (("part", "arbeitszeit", ("teilzeit", "altersteilzeit")),
                                     ("leave", "beurlaubung", ("familie", "sonstige"))):
            if not any(f == family for f, *_ in self.tables) or not margins.get(dim):
                continue
            g = self.row(family, "gesamt", "gesamt", False)
            present = {r.key.split("|")[2] for f, d, rows, _ in self.tables if (f, d) == ("stock", dim) for r in rows}
            for sex in ("w", "m"):
                parts = total(getattr(self.row("stock", dim, a, False), sex) for a in members if a in present)
                s.eq(getattr(g, sex) - parts, 0, f"{family}: gesamt")
            for f, d, rows, _ in self.tables:
                if f == family and margins.get(d):  # the dimension covers everybody: its parts add up
                    for sex in ("w", "m"):
                        s.eq(total(getattr(r, sex) for r in rows) - getattr(g, sex), 0, f"{family} {d}: Summe")


def attack(document) -> Result:
    return Reader(document).read().solve()


def read_system(document, plain_achieved: bool = False) -> System:
    return Reader(document, plain_achieved).read()


# -- the truth, for the self-check -----------------------------------------------------------------

def truth(system: System, dataset) -> dict[int, int]:
    """The true value of every unknown the dataset knows (aux variables stay free)."""
    from xl_gleichplan.model import Counts

    out = {}
    sources = {"stock": dataset.stock, "part": dataset.part_time, "leave": dataset.on_leave}
    for name, k in system.index.items():
        family, *rest = name.split("|")
        if family == "aux":
            continue
        if family == "ach":
            t = next(t for t in dataset.targets if t.id == rest[0])
            if t.achieved is not None:
                out[k] = t.achieved
            continue
        dim, area, col = rest
        if family == "fc":
            c = dataset.forecast.get((dim, area), Counts())
            out[k] = int(c.total if col == "v" else c.get(col))
            continue
        if family == "gremium":
            c = dataset.committees.get(area, Counts())
        elif family.startswith("mov:"):
            c = dataset.movements.get((family[4:], dim, area), Counts())
        else:
            c = sources[family].get((dim, area), Counts())
        out[k] = int({"w": c.w, "m": c.m, "dx": c.d + c.x}[col])
    return out


def violated(system: System, values: dict[int, int]) -> list[str]:
    """The constraints the given values break (only those whose unknowns all have a value)."""
    out = []
    for c in system.constraints:
        if not all(k in values for k in c.lin.terms):
            continue
        v = sum(coef * values[k] for k, coef in c.lin.terms.items())
        bad = (c.lo is not None and (v < c.lo or (c.strict_lo and v == c.lo))) or \
              (c.hi is not None and (v > c.hi or (c.strict_hi and v == c.hi)))
        if bad:
            out.append(f"{c.why}: {' + '.join(f'{coef}*{system.names[k]}' for k, coef in c.lin.terms.items())} = {v}, "
                       f"bounds {c.lo}..{c.hi}")
    return out
