"""The tidy data of one Dienststelle on one Stichtag, and the findings about it.

Counts are exact: ``int`` for heads, ``Fraction`` for full-time equivalents (VZÄ). Everything here is
aggregated; no person appears in the model.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from fractions import Fraction
from typing import Union

Number = Union[int, Fraction]

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Counts:
    """Persons (or VZÄ) by sex: w(eiblich), m(ännlich), d(ivers), x (ohne Angabe)."""

    w: Number = 0
    m: Number = 0
    d: Number = 0
    x: Number = 0

    @property
    def total(self) -> Number:
        return self.w + self.m + self.d + self.x

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.w + other.w, self.m + other.m, self.d + other.d, self.x + other.x)

    def get(self, sex: str) -> Number:
        return getattr(self, sex)


@dataclass(frozen=True)
class Finding:
    """A problem in the data: collected, never raised. ``message`` says in German what to do."""

    severity: str  # "error" | "warning" | "info"  (Fehler / Warnung / Hinweis)
    message: str
    file: str | None = None
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    # "columns": what the import made of an export's columns (read, personal, unused, unknown, missing)
    topic: str | None = None

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "topic" or self.topic}


@dataclass(frozen=True)
class Agency:
    name: str
    type: str
    parent: str | None = None


@dataclass(frozen=True)
class Target:
    """A Zielvorgabe: ``target`` more persons of ``sex`` in a Bereich by ``deadline``."""

    id: str
    dimension: str
    area: str
    sex: str  # "w" | "m"
    target: int
    achieved: int | None = None  # None: not assessed yet
    leadership: bool = False
    deadline: date | None = None
    cell: str | None = field(default=None, compare=False)  # where a workbook holds it (its "für" cell), for findings
    # the export a Zielvorgabe was imported from (file name, sheet; None for the workbook's own sheet)
    file: str | None = field(default=None, compare=False)
    sheet: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Measure:
    """A measure (Maßnahme) of the plan, optionally tied to a Zielvorgabe."""

    target_id: str | None
    kind: str  # "organisatorisch" | "personell" | "fortbildung"
    text: str
    responsible: str = ""
    deadline: date | None = None


@dataclass
class Dataset:
    """Everything the rules need about one Dienststelle on one Stichtag.

    Keys are tuples of codes; values are Counts. ``heads`` is the number of Bedienstete (persons),
    whatever the counting basis of the shares.
    """

    agency: Agency
    stichtag: date
    heads: int = 0
    stock: dict[tuple[str, str], Counts] = field(default_factory=dict)  # (dimension, area)
    movements: dict[tuple[str, str, str], Counts] = field(default_factory=dict)  # (kind, dim, area)
    postings: dict[tuple[str, str], int] = field(default_factory=dict)  # (dimension, area): Ausschreibungen
    committees: dict[str, Counts] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    forecast: dict[tuple[str, str], Counts] = field(default_factory=dict)  # departures in plan period
    part_time: dict[tuple[str, str], Counts] = field(default_factory=dict)  # of stock: Teilzeit incl. ATZ
    on_leave: dict[tuple[str, str], Counts] = field(default_factory=dict)  # of stock: beurlaubt
    measures: list[Measure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # where the data were read (no part of the data), for findings: the file and the Stichtag's metadata cell
    file: str | None = field(default=None, compare=False)
    stichtag_cell: str | None = field(default=None, compare=False)
