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
"""
from __future__ import annotations

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


def protect(rows: list[tuple[str, Counts]], min_cell: int, margin: Counts | None = None) -> list[ProtectedRow]:
    """Apply primary and complementary suppression to one table.

    ``margin`` is the published sum row of the table (e.g. all Beschäftigte for a dimension whose
    Bereiche cover everybody); give it when the reader can see it, so columns are protected too."""
    values = [_values(c) for _, c in rows]
    hidden = {(i, col) for i, v in enumerate(values) for col in _primary(v, min_cell)}
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
            break
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
