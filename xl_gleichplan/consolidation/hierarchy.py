"""Who reports to whom: parents from the workbooks' metadata or from a mapping list, as a tree.

Names are matched by ``vocabulary.key`` (case, umlauts, spaces and punctuation do not matter), so
"Thüringer Ministerium für Finanzen" in one workbook and "Thueringer Ministerium fuer Finanzen" in a
list are the same office. A parent that sent no workbook of its own is still a node of the tree
(it has its subordinate agencies' totals, just no own staff). The list wins over the metadata: it is
kept by the office that consolidates, while a parent typed into a workbook may be misspelt.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GleichplanError
from ..io import vocabulary as vocab

ALL = "Alle Dienststellen"  # the root above the top level: the whole consolidation
NAME_COLUMNS = ("name", "dienststelle")
PARENT_COLUMNS = ("uebergeordnet", "uebergeordnete_dienststelle", "parent")


@dataclass(frozen=True)
class MappingEntry:
    name: str
    parent: str | None
    row: int


def load_hierarchy(path: str | Path) -> dict[str, MappingEntry]:
    """A mapping list (CSV, xlsx, xlsb; the list ``xl-gleichplan template --list`` reads works too):
    a column ``name`` (or ``dienststelle``) and a column ``uebergeordnet``. An empty parent makes the
    office a top-level one (a ministry)."""
    from ..io.tabular import read_table

    table = read_table(path)
    name_col = next((c for c in NAME_COLUMNS if c in table.columns), None)
    parent_col = next((c for c in PARENT_COLUMNS if c in table.columns), None)
    if name_col is None or parent_col is None:
        raise GleichplanError(f"Die Zuordnungsliste „{path}“ braucht die Spalten „name“ und „uebergeordnet“ "
                              f"(gefunden: {', '.join(table.columns) or 'keine'}).")
    entries: dict[str, MappingEntry] = {}
    for i in range(table.rows):
        name = vocab.text(table.columns[name_col].iloc[i])
        parent = vocab.text(table.columns[parent_col].iloc[i]) or None
        row = table.first_row + i
        if not vocab.key(name):
            continue
        k = vocab.key(name)
        seen = entries.get(k)
        if seen and vocab.key(seen.parent) != vocab.key(parent):
            raise GleichplanError(f"Die Zuordnungsliste „{path}“ nennt „{name}“ zweimal mit verschiedenen übergeordneten "
                                  f"Stellen (Zeilen {seen.row} und {row}). Bitte eine der Zeilen korrigieren.")
        entries.setdefault(k, MappingEntry(name, parent, row))
    return entries


@dataclass
class Tree:
    """The offices of one Stichtag. Keys are ``vocab.key(name)``; ``notes`` are (agency key, message)."""

    display: dict[str, str] = field(default_factory=dict)
    parent: dict[str, str | None] = field(default_factory=dict)
    agencies: set[str] = field(default_factory=set)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def chain(self, key: str) -> list[str]:
        """The node, its parent, ..., the top-level office."""
        out = [key]
        while self.parent.get(out[-1]) is not None:
            out.append(self.parent[out[-1]])
        return out

    def root(self, key: str) -> str:
        return self.chain(key)[-1]

    def level(self, key: str) -> int:
        return len(self.chain(key))

    def sort_path(self, key: str) -> tuple:
        """Tree order: a parent before its children, siblings by name."""
        return tuple((vocab.key(self.display[k]), k) for k in reversed(self.chain(key)))

    def parent_name(self, key: str) -> str | None:
        p = self.parent.get(key)
        return None if p is None else self.display[p]


def build_tree(agencies: list[tuple[str, str | None]], mapping: dict[str, MappingEntry] | None) -> Tree:
    """``agencies``: (name, parent from the metadata) of every agency with a workbook."""
    mapping = mapping or {}
    tree = Tree()
    for name, _ in agencies:
        tree.display[vocab.key(name)] = name
        tree.agencies.add(vocab.key(name))
    todo: deque = deque()
    for name, meta_parent in sorted(agencies, key=lambda a: vocab.key(a[0])):
        k = vocab.key(name)
        parent = meta_parent
        if k in mapping:
            parent = mapping[k].parent
            if meta_parent and vocab.key(meta_parent) != vocab.key(parent):
                tree.notes.append((k, f"Laut Zuordnungsliste ist „{parent or '(keine, oberste Ebene)'}“ übergeordnet, "
                                      f"im Erhebungsbogen steht „{meta_parent}“. Verwendet wird die Zuordnungsliste."))
        todo.append((k, parent))
    while todo:
        k, parent = todo.popleft()
        pk = vocab.key(parent) if parent else ""
        if pk == k:
            tree.notes.append((k, "Die Dienststelle ist als ihre eigene übergeordnete Stelle eingetragen; sie wird als "
                                  "oberste Ebene behandelt. Bitte im Blatt „Metadaten“ korrigieren."))
            pk = ""
        tree.parent[k] = pk or None
        if pk and pk not in tree.display:  # a parent without a workbook of its own: its parent from the list
            tree.display[pk] = mapping[pk].name if pk in mapping else parent
            todo.append((pk, mapping[pk].parent if pk in mapping else None))
    for k in sorted(tree.parent):  # a cycle (A under B, B under A) is cut where it is found
        seen = [k]
        while tree.parent.get(seen[-1]) is not None:
            nxt = tree.parent[seen[-1]]
            if nxt in seen:
                cycle = " → ".join(tree.display[x] for x in seen[seen.index(nxt):] + [nxt])
                tree.notes.append((seen[-1], f"Die Zuordnung ist zirkulär ({cycle}); „{tree.display[seen[-1]]}“ wird als "
                                             f"oberste Ebene behandelt. Bitte die übergeordneten Stellen prüfen."))
                tree.parent[seen[-1]] = None
                break
            seen.append(nxt)
    return tree
