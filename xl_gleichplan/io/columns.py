"""What the columns of an HR export mean: our codes, personal data, known but unused, or unknown.

The names come from data/exportvokabular.toml and the office's mapping file; they are compared by
``vocabulary.key`` (case, umlauts, spaces, dots, '%', line breaks do not matter). The same knowledge
finds the header row below a title block and suggests the closest known name for an unknown column.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..schema import PERSONAL_COLUMNS  # the personal kinds whose code a caller may ask to keep (birth dates)
from . import vocabulary as vocab

COLUMNS = "columns"  # the topic of the findings that say what became of an export's columns
IGNORE = "ignorieren"  # a mapping file's target for a column that is to be left out


@dataclass(frozen=True)
class Flag:
    """A yes/no column that stands for one value of a dimension ("Teilzeit: ja" = teilzeit)."""
    code: str
    yes: str
    no: str


@dataclass(frozen=True)
class Column:
    """One header cell: what it is (used, flag, personal, unused, unknown, empty) and the code it gets."""
    position: int
    header: str
    status: str
    code: str | None = None
    flag: Flag | None = None
    suggestion: str | None = None  # for an unknown column: the closest known name


@dataclass
class Vocabulary:
    names: dict[str, str] = field(default_factory=dict)  # key -> code
    flags: dict[str, Flag] = field(default_factory=dict)  # key -> flag
    personal: dict[str, str] = field(default_factory=dict)  # key -> personal kind
    unused: set[str] = field(default_factory=set)
    spelling: dict[str, str] = field(default_factory=dict)  # key -> a spelling to show in a suggestion


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = vocab.export_vocabulary()
    v = Vocabulary()
    for code, names in data["spalten"].items():
        for name in (code, *names):
            v.names[vocab.key(name)] = code
            v.spelling.setdefault(vocab.key(name), name)
    for code, flag in data.get("kennzeichen", {}).items():
        for name in flag["spalten"]:
            v.flags[vocab.key(name)] = Flag(code, flag["ja"], flag["nein"])
            v.spelling.setdefault(vocab.key(name), name)
    for kind, names in data["personenbezogen"].items():
        for name in (kind if kind in PERSONAL_COLUMNS else "", *names):
            if name:
                v.personal[vocab.key(name)] = kind
    v.unused = {vocab.key(n) for n in data["nicht_ausgewertet"]["spalten"]}
    return v


def personal_kind(name: str) -> str | None:
    """'name', 'personalnummer', 'geburtsdatum' or 'sonstige' for a personal column name, else None."""
    return vocabulary().personal.get(vocab.key(name))


class Resolver:
    """Names the columns of one export: the mapping file first, then the vocabulary.

    ``known`` are the codes the importer reads (others of the vocabulary count as unused here: a
    committee list's "Geschlecht" is not read); ``keep`` the personal codes it may read."""

    def __init__(self, mapping_columns: dict[str, str], known: frozenset[str], keep: frozenset[str] = frozenset()):
        self.mapping = {vocab.key(k): v for k, v in mapping_columns.items()}
        self.known, self.keep, self.v = known, keep, vocabulary()
        self.own = {vocab.key(code): code for code in known}  # our own names always mean themselves

    def column(self, position: int, header: object, suggest: bool = True) -> Column:
        text = vocab.text(header)
        k = vocab.key(text)
        if not k:
            return Column(position, text, "empty")
        target = self.mapping.get(k)
        if target is not None:
            if target == IGNORE:
                return Column(position, text, "unused")
            flag = self.v.flags.get(k)
            if flag is not None and flag.code == target:  # a yes/no column stays one when a mapping names it
                return Column(position, text, "flag", target, flag)
            return Column(position, text, "used", target)
        bare = vocab.key(_HINT.sub("", text))  # "Geschlecht (m/w/d)", "Teilzeit (j/n)": the hint says nothing
        if bare and bare != k:
            found = self.column(position, _HINT.sub("", text))
            if found.status not in ("unknown", "empty"):
                return Column(position, text, found.status, found.code, found.flag)
        if k in self.own:
            return Column(position, text, "used", self.own[k])
        personal = self.v.personal.get(k)
        if personal is not None:
            code = personal if personal in self.keep else None
            return Column(position, text, "personal", code)
        if k in self.v.names and self.v.names[k] in self.known:
            return Column(position, text, "used", self.v.names[k])
        if k in self.v.flags and self.v.flags[k].code in self.known:
            flag = self.v.flags[k]
            return Column(position, text, "flag", flag.code, flag)
        # a one-letter name of another import ("w" of the committee list) is no column name here:
        # it is a value, and a first row of data must not pass for a header because of it
        if k in self.v.unused or ((k in self.v.names or k in self.v.flags) and len(k) > 1):
            return Column(position, text, "unused")
        return Column(position, text, "unknown", suggestion=self.suggest(k) if suggest else None)

    def columns(self, headers: list, suggest: bool = True) -> list[Column]:
        return [self.column(i, h, suggest) for i, h in enumerate(headers)]

    def score(self, headers: list) -> int:
        """How well a row names the columns of this export: the columns read count twice, personal and
        known unused ones once, a row naming none that is read not at all; less the cells that are values
        (a sex, a pay group, a number, a date): a first row of data whose values happen to be column names
        ("Teilzeit", "befristet") must not beat the header above it. Without suggestions: the header
        search scores every row of the head, values mostly, and a fuzzy match per value took more time
        than reading 500,000 rows."""
        columns = self.columns(headers, suggest=False)
        used = sum(c.status in ("used", "flag") for c in columns)
        if not used:  # a title line of known words ("Stichtag, Dienststelle, Referat") is no header
            return 0
        names = 2 * used + sum(c.status in ("personal", "unused") for c in columns)
        return names - 2 * sum(is_value(v) for v in headers)

    def suggest(self, k: str) -> str | None:
        """The closest column name this importer reads, for an unknown column."""
        candidates = {name: code for name, code in self.v.names.items() if code in self.known}
        candidates.update(self.own)
        candidates.update({name: f.code for name, f in self.v.flags.items() if f.code in self.known})
        close = difflib.get_close_matches(k, list(candidates), n=1, cutoff=0.75)
        if not close:  # an abbreviation: "besgrp" in "besoldungsgruppe", "fuehrung" in "fuehrungsebene"
            close = [n for n in candidates if len(k) >= 4 and (n.startswith(k[:4]) and k[:6] in n)][:1]
        return candidates[close[0]] if close else None


_HINT = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")


def is_value(cell) -> bool:
    """A cell that is a value rather than a column name."""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return True
    text = vocab.text(cell)
    return bool(text) and (vocab.code("geschlecht", text) is not None and len(text) <= 2 or vocab.is_pay_group(text)
                           or vocab.to_date(text) is not None or text.replace(",", "").replace(".", "").isdigit())


# A header is looked for in the first rows: exports put a title block above it (report name,
# agency, date of the export), rarely more than a dozen lines.
HEADER_SEARCH_ROWS = 30


def find_header(rows: list[list], resolver: Resolver | None) -> tuple[int, int, list[str]] | None:
    """(index of the first header row, number of header rows, header cells) in ``rows``.

    Without a resolver, or when no row holds two known column names, the header is the first row
    with any content (the old rule; an export without a header row is then found by the importer).
    Two header rows ("Besoldungs-/" above "Entgeltgruppe") are joined cell by cell when that names
    more columns than either row alone."""
    filled = [i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS * 2]) if any(vocab.text(v) for v in row)]
    if not filled:
        return None
    first = filled[0]
    if resolver is None:
        return first, 1, [vocab.text(v) for v in rows[first]]
    best = None
    for i in filled[:HEADER_SEARCH_ROWS]:
        row = [vocab.text(v) for v in rows[i]]
        score = resolver.score(row)
        if best is None or score > best[0]:
            best = (score, i, 1, row)
        if i + 1 < len(rows):
            below = [vocab.text(v) for v in rows[i + 1]]
            width = max(len(row), len(below))
            joined = [(row[j] if j < len(row) else "") + (below[j] if j < len(below) else "") for j in range(width)]
            joined_score = resolver.score(joined)
            if joined_score > max(score, resolver.score(below)) and joined_score > best[0]:
                best = (joined_score, i, 2, joined)
    if best[0] < 2:
        return first, 1, [vocab.text(v) for v in rows[first]]
    return best[1], best[2], best[3]
