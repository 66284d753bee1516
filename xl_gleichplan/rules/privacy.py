"""Small-cell protection for everything that leaves as a plan draft (no personal data, § 4 Abs. 4).

A table is a list of Bereiche with the columns women, men, divers/ohne Angabe and total, and
optionally a published margin (the sum row). Primary suppression, per Bereich:
  total < min_cell:                suppress the whole row
  women and men both < min_cell:   show only the total
  one sex < min_cell:              suppress that sex and the total
  divers/ohne Angabe in 1..min-1:  suppress it (zero is the usual case and discloses nobody)
Secondary (complementary) suppression then hides further cells until no suppressed cell can be
recomputed from the published ones: every row sums to its total and every column to the margin,
and a cell counts as recomputable when these linear equations fix its value exactly (checked with
exact rational elimination, not a rule of thumb). Of the bounds from non-negativity, the one that
pins cells exactly is handled: hidden cells that must all be 0 count as known. Other bounds (a
hidden cell between 0 and 2, say) are not considered.

Within a row, what a reader knows besides the equations is checked too (``_row_pinned``): the rule
itself (a sex hidden by the primary rule is below min_cell, so "only the total 4 shown" means 2 and
2 with min_cell 3) and the row's verdict, which the draft shows even where the share is hidden
("not underrepresented" with 8 in total means 4 and 4). A row that these fix is hidden whole.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from ..model import Counts, Number

COLUMNS = ("w", "m", "dx", "total")
SUPPRESSED = "."


@dataclass(frozen=True)
class ProtectedRow:
    area: str
    w: Number | None  # None: suppressed
    m: Number | None
    dx: Number | None
    total: Number | None

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


def _determined(cells: list[tuple[int, str]], equations: list[list[tuple[int, str]]]) -> list[tuple[int, str]]:
    """Suppressed cells whose value the published equations fix (they lie in the row space)."""
    index = {c: i for i, c in enumerate(cells)}
    matrix = []
    for eq, sign_total in equations:
        row = [Fraction(0)] * len(cells)
        for cell in eq:
            if cell in index:
                row[index[cell]] = Fraction(-1 if cell[1] == sign_total else 1)
        if any(row):
            matrix.append(row)
    # reduced row echelon form
    pivots, r = [], 0
    for col in range(len(cells)):
        pivot = next((i for i in range(r, len(matrix)) if matrix[i][col] != 0), None)
        if pivot is None:
            continue
        matrix[r], matrix[pivot] = matrix[pivot], matrix[r]
        lead = matrix[r][col]
        matrix[r] = [x / lead for x in matrix[r]]
        for i in range(len(matrix)):
            if i != r and matrix[i][col] != 0:
                factor = matrix[i][col]
                matrix[i] = [a - factor * b for a, b in zip(matrix[i], matrix[r])]
        pivots.append(col)
        r += 1
    # a pivot variable is fixed when its row has no free variable in it
    return [cells[col] for i, col in enumerate(pivots)
            if all(x == 0 for j, x in enumerate(matrix[i]) if j != col)]


def _pinned_zeros(hidden: set, equations, values) -> set:
    """Hidden cells of an equation in which all hidden cells have the same sign and sum to 0."""
    out = set()
    for eq, sign_total in equations:
        cells = [cell for cell in eq if cell in hidden]
        if cells and not any(c == sign_total for _, c in cells) and sum(values[j][c] for j, c in cells) == 0:
            out |= set(cells)
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
            verdict: Callable[[Counts], str | None] | None = None, hide=()) -> list[ProtectedRow]:
    """Apply primary and complementary suppression to one table.

    ``margin`` is the published sum row of the table (e.g. all Beschäftigte for a dimension whose
    Bereiche cover everybody); give it when the reader can see it, so columns are protected too.
    ``verdict`` gives the verdict a row shows (Counts -> "women", "men" or None) when the table
    shows one; ``hide`` names (row, column) cells to suppress from the start."""
    values = [_values(c) for _, c in rows]
    hidden = {(i, col) for i, v in enumerate(values) for col in _primary(v, min_cell)}
    primary = set(hidden)
    hidden |= set(hide)
    # equations: within a row w + m + dx - total = 0; within a column (given a margin) sum = margin
    equations = [([(i, c) for c in COLUMNS], "total") for i in range(len(rows))]
    if margin is not None:
        equations += [([(i, c) for i in range(len(rows))], None) for c in COLUMNS]
    while True:
        fixed = _determined(sorted(hidden), equations)
        if not fixed:
            # hidden cells pinned to 0 by non-negativity (their equation's hidden cells sum to 0)
            # are known to an attacker: treat them as published and ask what else follows
            zeros = _pinned_zeros(hidden, equations, values)
            fixed = _determined(sorted(hidden - zeros), equations) if zeros else []
        if not fixed:
            # the rule and the verdict within a row: a row they fix is hidden whole, then the
            # equations are asked again (its cells may now be recomputable from the columns)
            exposed = [i for i, v in enumerate(values)
                       if _row_pinned(v, {c for j, c in hidden if j == i}, {c for j, c in primary if j == i},
                                      min_cell, verdict)
                       and any((i, c) not in hidden for c in COLUMNS)]
            if not exposed:
                break
            hidden |= {(i, c) for i in exposed for c in COLUMNS}
            continue
        # hide the smallest published cell that shares an equation with an exposed one. Not every
        # exposed cell has such a neighbour (a hidden row whose column partners are hidden too is
        # fixed through them), so take the first exposed cell that has one.
        candidates = []
        for i, col in fixed:
            candidates = [(values[j][c] == 0, values[j][c], c == "total", j, c) for eq, _ in equations if (i, col) in eq
                          for j, c in eq if (j, c) not in hidden]
            if candidates:
                break
        if not candidates:
            # no exposed cell touches a published one: hide the smallest published cell anywhere;
            # with nothing left to hide only the margin itself still tells (a table of one Bereich)
            candidates = [(values[j][c] == 0, values[j][c], c == "total", j, c) for j in range(len(rows)) for c in COLUMNS
                          if (j, c) not in hidden]
            if not candidates:
                break
        *_, j, c = min(candidates)  # zeros last: a hidden zero beside hidden zeros hides nothing
        hidden.add((j, c))
    return [ProtectedRow(area, *(None if (i, c) in hidden else values[i][c] for c in COLUMNS))
            for i, (area, _) in enumerate(rows)]
