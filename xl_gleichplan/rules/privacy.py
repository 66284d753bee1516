"""Small-cell protection for everything that leaves as a plan draft (no personal data, § 4 Abs. 4).

A table is a list of Bereiche with the columns women, men, divers/ohne Angabe and total, and
optionally a published margin (the sum row). Primary suppression, per Bereich:
  total < min_cell:                suppress the whole row
  women and men both < min_cell:   show only the total
  one sex < min_cell:              suppress that sex and the total
  divers/ohne Angabe in 1..min-1:  suppress it (zero is the usual case and discloses nobody)
Secondary (complementary) suppression then hides the fewest further cells so that no suppressed
cell can be recomputed from the published ones: optimal cell suppression as in tau-ARGUS or
sdcTable, an integer program over the table (one binary per cell: hidden or not), solved by HiGHS
(scipy's ``milp``). It minimises the number of hidden cells; among equally many it prefers to keep
totals, rows whose every cell is at least min_cell, and large values shown.

What the attacker knows, and how the program is kept to it (constraints added as the audit finds
them, the cutting-plane method of Fischetti and Salazar):
* the equations: every row sums to its total and, given a margin, every column to the margin. A
  suppressed cell is recomputable when they fix its value (checked by exact rational elimination).
  For each such cell the combination of equations that fixes it is known, and one of the published
  cells it uses must be hidden too: a cut.
* non-negativity where it pins cells exactly: hidden cells of an equation whose hidden cells all
  have the same sign and sum to 0 are known (0). Where the equation has a published count above
  0, one of them is hidden too; otherwise (a column whose margin is 0) the zeros are known anyway,
  and the elimination is asked again with them known.
* bounds, in a table with a margin (``_bounds_audit``): each hidden count is minimised and
  maximised over the integers given the sums, non-negativity and the verdicts.
* within a row (``_row_pinned``): the rule itself (a sex hidden by the primary rule is below
  min_cell, so "only the total 4 shown" means 2 and 2 with min_cell 3) and the row's verdict, which
  the draft shows even where the share is hidden ("not underrepresented" with 8 in total means 4 and
  4). A row that these fix is hidden whole (a cut: that pattern implies the whole row).
Other bounds (a hidden cell between 0 and 2, say) are not considered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from ..model import Counts, Number
from ..profiles import Profile
from .shares import underrepresented

COLUMNS = ("w", "m", "dx", "total")
SUPPRESSED = "."
MAX_ROUNDS = 500  # audit rounds of one table; beyond it the table is hidden whole (never reached in tests)


@dataclass(frozen=True)
class ProtectedRow:
    area: str
    w: Number | None  # None: suppressed
    m: Number | None
    dx: Number | None
    total: Number | None
    secondary: frozenset[str] = field(default=frozenset(), compare=False)  # hidden only to protect others

    @property
    def shares_shown(self) -> bool:
        return self.w is not None and self.m is not None


def _values(counts: Counts) -> dict[str, Number]:
    return {"w": counts.w, "m": counts.m, "dx": counts.d + counts.x, "total": counts.total}


def _primary(v: dict[str, Number], min_cell: int) -> set[str]:
    if v["total"] == 0:
        return set()  # an empty Bereich discloses nobody
    if v["total"] < min_cell:
        return set(COLUMNS)
    hidden = set()
    small_w, small_m = v["w"] < min_cell, v["m"] < min_cell
    if small_w and small_m:
        hidden |= {"w", "m", "dx"}  # only the total is shown
    elif small_w or small_m:
        hidden |= {"w" if small_w else "m", "total"}
    if 0 < v["dx"] < min_cell:
        hidden.add("dx")
    return hidden


def _coefficient(cell, sign_total) -> int:
    return -1 if cell[1] == sign_total else 1


def _determined(cells: list, equations: list) -> dict:
    """Suppressed cells whose value the published equations fix (they lie in the row space), each
    with the combination of equations (a multiple of their factors, by index) that fixes it.
    Exact: fraction-free elimination over the integers, each row kept divided by its gcd."""
    index = {c: i for i, c in enumerate(cells)}
    n = len(cells)
    matrix = []
    for k, (eq, sign_total) in enumerate(equations):
        row = [0] * n
        for cell in eq:
            if cell in index:
                row[index[cell]] = _coefficient(cell, sign_total)
        if any(row):
            matrix.append(row + [0] * k + [1] + [0] * (len(equations) - k - 1))
    # reduced row echelon form (up to a factor per row); the tail of each row records which
    # equations it combines
    pivots, r = [], 0
    for col in range(n):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][col]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                factor = matrix[i][col]
                row = [lead * a - factor * b for a, b in zip(matrix[i], matrix[r])]
                g = gcd(*row)
                matrix[i] = [x // g for x in row] if g > 1 else row
        pivots.append(col)
        r += 1
    # a pivot variable is fixed when its row has no free variable in it
    return {cells[col]: matrix[i][n:] for i, col in enumerate(pivots)
            if all(x == 0 for j, x in enumerate(matrix[i][:n]) if j != col)}


def _pinned_zeros(hidden: set, equations, values) -> dict:
    """Hidden cells of an equation in which all hidden cells have the same sign and sum to 0, each
    with the equation that pins it."""
    out = {}
    for k, (eq, sign_total) in enumerate(equations):
        cells = [cell for cell in eq if cell in hidden]
        if cells and not any(c == sign_total for _, c in cells) and sum(values[j][c] for j, c in cells) == 0:
            out.update({cell: k for cell in cells})
    return out


def _row_pinned(v: dict[str, Number], hidden: set[str], primary: set[str], min_cell: int,
                verdict: Callable[[Counts], str | None] | None) -> bool:
    """Would the row's shown cells, the primary rule and the row's verdict fix one of its hidden
    cells? Candidates for a hidden sex: 0..min_cell-1 when the primary rule hid it, else 0..total
    (an unbounded sex, total hidden: a verdict bounds a ratio only, nothing is fixed)."""
    if not hidden or not isinstance(v["total"], int):
        return False  # VZÄ: no integer enumeration
    total_shown = "total" not in hidden

    def span(c):
        if c not in hidden or (c == "dx" and v[c] == 0):
            return [v[c]]  # shown; a zero divers/ohne Angabe is not even a column in w_m tables
        if c in primary and v[c] < min_cell:
            return range(min_cell)
        return range(v["total"] + 1) if total_shown else None

    spans = {c: span(c) for c in ("w", "m", "dx")}
    if any(x is None for x in spans.values()):
        return False
    judge = verdict or (lambda c: None)
    own = judge(Counts(v["w"], v["m"], v["dx"]))
    seen: dict[str, set] = {c: set() for c in hidden if not (c == "dx" and v[c] == 0)}  # a known 0 tells nothing
    for w in spans["w"]:
        for dx in spans["dx"]:
            ms = [v["total"] - w - dx] if total_shown else spans["m"]
            for m in ms:
                if m < 0 or (total_shown and m not in spans["m"]) or judge(Counts(w, m, dx)) != own:
                    continue
                for c, x in (("w", w), ("m", m), ("dx", dx), ("total", w + m + dx)):
                    if c in seen:
                        seen[c].add(x)
    return any(len(x) == 1 for x in seen.values())


def protect(rows: list[tuple[str, Counts]], min_cell: int, margin: Counts | None = None,
            judge: Profile | None = None, hide=(), quiet: bool = False) -> list[ProtectedRow]:
    """Apply primary and (optimal) complementary suppression to one table.

    ``margin`` is the published sum row of the table (e.g. all Beschäftigte for a dimension whose
    Bereiche cover everybody); give it when the reader can see it, so columns are protected too.
    ``judge``: the profile whose underrepresentation verdict each row shows, when the table shows
    one (``quiet``: not in a row whose counts are all hidden); ``hide`` names (row, column) cells to
    suppress from the start."""
    values = [_values(c) for _, c in rows]
    primary = {(i, col) for i, v in enumerate(values) for col in _primary(v, min_cell)}
    forced = primary | set(hide)
    # equations: within a row w + m + dx - total = 0; within a column (given a margin) sum = margin
    equations = [([(i, c) for c in COLUMNS], "total") for i in range(len(rows))]
    if margin is not None:
        equations += [([(i, c) for i in range(len(rows))], None) for c in COLUMNS]
    program = _Program(values, forced, equations, min_cell, judge, quiet, _values(margin) if margin else None)
    hidden = program.solve(primary) if forced else set()
    return [ProtectedRow(area, *(None if (i, c) in hidden else values[i][c] for c in COLUMNS),
                         secondary=frozenset(c for c in COLUMNS if (i, c) in hidden - primary))
            for i, (area, _) in enumerate(rows)]


def _moved(res, a, lo, hi, top, truth: list) -> list[int]:
    """Indexes of the hidden counts that differ from their true value in the solver's solution
    ``res`` of the bounds program, if that solution, rounded to integers, satisfies every
    constraint exactly (integer arithmetic); else none. Such a solution is a table the attacker
    cannot rule out, so those counts are not pinned: no solver call needs to ask again."""
    if res.x is None:
        return []
    x = np.rint(res.x)
    if np.any(x < 0) or np.any(x > top):
        return []
    if a.size:
        coef = a.astype(np.int64)
        if np.any(coef != a):
            return []
        value = coef @ x.astype(np.int64)
        if np.any(value < lo) or np.any(value > hi):
            return []
    return [k for k, true in enumerate(truth) if int(x[k]) != true]


class _Program:
    """The integer program of one table: x_cell = 1 if hidden; forced cells fixed to 1."""

    def __init__(self, values, forced: set, equations, min_cell: int, judge: Profile | None, quiet: bool,
                 margin: dict | None):
        self.values, self.forced, self.equations, self.min_cell = values, forced, equations, min_cell
        self.judge, self.quiet, self.margin = judge, quiet, margin
        self.verdict = (lambda c: underrepresented(c, judge)) if judge is not None else None
        self.cells = [(i, c) for i in range(len(values)) for c in COLUMNS]
        self.pos = {cell: k for k, cell in enumerate(self.cells)}
        self.cuts: list[tuple[dict, int]] = []  # (coefficients by cell, lower bound)
        # an equation with one hidden cell gives it away: each hidden cell needs a partner in each
        # of its equations (the classic necessary condition, added from the start)
        for eq, _ in equations:
            for cell in eq:
                self.cuts.append(({cell: -1, **{o: 1 for o in eq if o != cell}}, 0))
        # weights: one per hidden cell; ties are broken (the sum of all tie-breakers stays below 1)
        # towards showing totals, rows with every cell >= min_cell, and large values
        big = max([v for row in values for v in row.values()] + [1])
        large = {i for i, row in enumerate(values) if all(row[c] >= min_cell for c in ("w", "m"))}
        self.weights = np.array([1 + (0.5 * (c == "total") + 0.3 * (i in large) + 0.2 * float(values[i][c]) / float(big))
                                 / (len(self.cells) + 1) for i, c in self.cells])

    def _solve_ip(self) -> set | None:
        n = len(self.cells)
        a = np.zeros((len(self.cuts), n))
        for r, (coef, _) in enumerate(self.cuts):
            for cell, x in coef.items():
                a[r, self.pos[cell]] += x
        lb = np.array([lo for _, lo in self.cuts], dtype=float)
        lower = np.array([1.0 if cell in self.forced else 0.0 for cell in self.cells])
        res = milp(self.weights, constraints=[LinearConstraint(a, lb, np.inf)], integrality=np.ones(n),
                   bounds=Bounds(lower, np.ones(n)), options={"mip_rel_gap": 0})
        if res.status != 0:
            return None
        return {cell for cell, x in zip(self.cells, res.x) if x > 0.5}

    def solve(self, primary: set) -> set:
        everything = set(self.cells)
        if not self._exposed(self.forced, primary):
            return set(self.forced)  # the forced cells protect each other: nothing to add (no solver call)
        for _ in range(MAX_ROUNDS):
            hidden = self._solve_ip()
            if hidden is None:
                return everything  # nothing protects it (a table of one Bereich equal to its margin)
            if not self._exposed(hidden, primary):
                return hidden
        return everything

    def _exposed(self, hidden: set, primary: set) -> bool:
        """Does the attacker recompute a cell from ``hidden``? (The audits add their cuts.)"""
        return self._audit(hidden, primary) or self._bounds_audit(hidden)

    def _audit(self, hidden: set, primary: set) -> bool:
        """Add cuts for what the attacker recomputes from ``hidden``; False if nothing."""
        fixed = _determined(sorted(hidden), self.equations)
        zeros: dict = {}
        if not fixed:
            # hidden cells pinned to 0 by non-negativity are known to an attacker: treat them as
            # published and ask what else follows
            zeros = _pinned_zeros(hidden, self.equations, self.values)
            fixed = _determined(sorted(hidden - set(zeros)), self.equations) if zeros else {}
        for cell, combination in fixed.items():
            # the published cells the combination uses (and what would unpin a known zero in it):
            # one of them must be hidden as well
            used: dict = {}
            for k, factor in enumerate(combination):
                if factor:
                    eq, sign = self.equations[k]
                    for other in eq:
                        used[other] = used.get(other, 0) + factor * _coefficient(other, sign)
            partners = {o for o, x in used.items() if x and o != cell and o not in hidden}
            for z in {o for o, x in used.items() if x and o in zeros}:
                eq, sign = self.equations[zeros[z]]
                partners |= {o for o in eq if o not in hidden and (o[1] == sign or self.values[o[0]][o[1]] > 0)}
            self.cuts.append(({**{o: 1 for o in partners}, cell: -1}, 0) if cell not in self.forced
                             else ({o: 1 for o in partners}, 1))
        if fixed:
            return True
        exposed = False
        for k in set(zeros.values()):
            # a hidden zero pinned by non-negativity tells "nobody here": avoidable when the
            # equation has a published count above 0 (or its total) that can be hidden as well
            eq, sign = self.equations[k]
            partners = {o for o in eq if o not in hidden and (o[1] == sign or self.values[o[0]][o[1]] > 0)}
            if partners:
                for z in (cell for cell, j in zeros.items() if j == k):
                    self.cuts.append(({**{o: 1 for o in partners}, z: -1}, 0) if z not in self.forced
                                     else ({o: 1 for o in partners}, 1))
                exposed = True
        if exposed:
            return True
        for i, v in enumerate(self.values):
            own = {c for j, c in hidden if j == i}
            if len(own) < len(COLUMNS) and _row_pinned(v, own, {c for j, c in primary if j == i},
                                                       self.min_cell, self.verdict):
                # this pattern of the row is hidden whole: x_c >= sum(x_s for s in own) - |own| + 1
                for c in set(COLUMNS) - own:
                    self.cuts.append(({(i, c): 1, **{(i, s): -1 for s in own}}, 1 - len(own)))
                exposed = True
        return exposed

    def _bounds_audit(self, hidden: set) -> bool:
        """With a margin: can the attacker pin a hidden count by bounds the equations alone miss?
        Over the integers: non-negativity and the verdict each row shows, together with every row
        and column sum. Each hidden count above 0
        is minimised (and, if need be, maximised); a pinned one needs another published cell of
        its row or column hidden (a cut). Adds cuts and returns True if it found one."""
        if self.margin is None or not hidden or not all(isinstance(x, int) for x in self.margin.values()):
            return False  # no column sums (rows are checked one by one), or VZÄ (not integers)
        unknown = sorted(hidden)
        pos = {cell: k for k, cell in enumerate(unknown)}
        rows, lo, hi, binary = [], [], [], []

        def term(cell, factor, coef, const):
            if cell in pos:
                coef[pos[cell]] = coef.get(pos[cell], 0) + factor
                return const
            return const + factor * self.values[cell[0]][cell[1]]

        def add(coef: dict, lower, upper):
            rows.append(coef)
            lo.append(lower)
            hi.append(upper)

        for k, (eq, sign) in enumerate(self.equations):
            coef, const = {}, 0
            for cell in eq:
                const = term(cell, _coefficient(cell, sign), coef, const)
            target = 0 if sign == "total" else self.margin[eq[0][1]]
            if coef:
                add(coef, target - const, target - const)
        # no bound from the rule here: a reader cannot tell a cell hidden by the rule (below
        # min_cell) from one hidden to protect it (any size); within a row ``_row_pinned`` can
        upper = [float(self.margin["total"])] * len(unknown)
        if self.judge is not None:
            for i, v in enumerate(self.values):
                own = [(i, c) for c in COLUMNS if (i, c) in hidden]
                if not own or v["w"] + v["m"] == 0 or (self.quiet and all((i, c) in hidden for c in ("w", "m", "total"))):
                    continue
                self._verdict_rows(i, v, term, add, binary, len(unknown))
        n = len(unknown) + len(binary)
        a = np.zeros((len(rows), n))
        for r, coef in enumerate(rows):
            for k, x in coef.items():
                a[r, k] = x
        top = np.array(upper + [1.0] * len(binary))
        bounds = Bounds(np.zeros(n), top)
        lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
        cons = [LinearConstraint(a, lo, hi)] if rows else []
        truth = [self.values[i][c] for i, c in unknown]
        movable: set = set()  # cells that a solution checked exactly shows away from their true value
        found = False
        for cell in unknown:
            true = self.values[cell[0]][cell[1]]
            if true == 0 or not isinstance(true, int) or cell in movable:
                continue
            pinned = True
            for sign in (1, -1):
                c = np.zeros(n)
                c[pos[cell]] = sign
                res = milp(c, constraints=cons, integrality=np.ones(n), bounds=bounds, options={"mip_rel_gap": 0})
                movable |= {unknown[k] for k in _moved(res, a, lo, hi, top, truth)}
                if res.status != 0 or round(sign * res.fun) != true:
                    pinned = False
                    break
            if pinned:
                i, col = cell
                partners = {o for eq, _ in self.equations if cell in eq for o in eq if o not in hidden}
                self.cuts.append(({**{o: 1 for o in partners}, cell: -1}, 0) if cell not in self.forced
                                 else ({o: 1 for o in partners}, 1))
                found = True
        return found

    def _verdict_rows(self, i: int, v: dict, term, add, binary: list, base: int) -> None:
        """The verdict row i shows, as linear constraints (the share basis of the profile; a
        disjunction through one binary each)."""
        p = self.judge
        t = Fraction(p.threshold)
        a_, b_ = t.numerator, t.denominator
        shown = underrepresented(Counts(v["w"], v["m"], v["dx"]), p)
        whole = ["w", "m"] + (["dx"] if p.share_basis == "alle" else [])

        def below(sex):  # b*own - a*whole as (coef, const)
            coef, const = {}, 0
            const = term((i, sex), b_, coef, const)
            for c in whole:
                const = term((i, c), -a_, coef, const)
            return coef, const

        def gap(sex):  # other - own
            coef, const = {}, 0
            const = term((i, "m" if sex == "w" else "w"), 1, coef, const)
            const = term((i, sex), -1, coef, const)
            return coef, const

        strict = p.comparison == "lt"
        coef, const = {}, 0
        for c in ("w", "m"):
            const = term((i, c), 1, coef, const)
        if coef:
            add(coef, 1 - const, np.inf)  # a verdict is given for non-empty rows only
        for sex, name in (("w", "women"), ("m", "men"))[:1 if p.sexes == "women" else 2]:
            (bc, bk), (gc, gk) = below(sex), gap(sex)
            if shown == name:
                if bc:
                    add(bc, -np.inf, (-1 if strict else 0) - bk)
                if gc and p.min_gap:
                    add(gc, p.min_gap - gk, np.inf)
            elif not p.min_gap:
                if bc:
                    add(bc, (0 if strict else 1) - bk, np.inf)
            else:  # not below, or the gap not reached: z = 0 / z = 1
                z = base + len(binary)
                binary.append(z)
                big = 10 ** 6
                add({**bc, z: big}, (0 if strict else 1) - bk, np.inf)
                add({**gc, z: -big}, -np.inf, p.min_gap - 1 - gk)
