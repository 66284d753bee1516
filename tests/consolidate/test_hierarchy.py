"""Who reports to whom: metadata, the mapping list, spelling, parents without a workbook, cycles."""
from __future__ import annotations

import pytest

from xl_gleichplan.consolidation.hierarchy import MappingEntry, build_tree, load_hierarchy
from xl_gleichplan.errors import GleichplanError
from xl_gleichplan.io.vocabulary import key


def entry(name, parent):
    return MappingEntry(name, parent, 2)


def test_parents_from_the_metadata_matched_regardless_of_spelling():
    tree = build_tree([("Ministerium für Füße", None), ("Amt A", "MINISTERIUM FUER FUESSE"), ("Stelle 1", "amt a")], None)
    assert tree.chain(key("Stelle 1")) == [key("Stelle 1"), key("Amt A"), key("Ministerium für Füße")]
    assert tree.level(key("Stelle 1")) == 3
    assert tree.display[tree.root(key("Stelle 1"))] == "Ministerium für Füße"  # the office's own spelling
    assert tree.parent_name(key("Amt A")) == "Ministerium für Füße"
    assert not tree.notes


def test_the_list_wins_and_the_difference_is_noted():
    mapping = {key("Amt A"): entry("Amt A", "Ministerium B")}
    tree = build_tree([("Amt A", "Ministerium A"), ("Ministerium A", None), ("Ministerium B", None)], mapping)
    assert tree.parent_name(key("Amt A")) == "Ministerium B"
    assert len(tree.notes) == 1 and "Zuordnungsliste" in tree.notes[0][1]


def test_a_parent_without_workbook_is_a_node_and_gets_its_parent_from_the_list():
    mapping = {key("Landesamt X"): entry("Landesamt X", "Ministerium M")}
    tree = build_tree([("Außenstelle 1", "Landesamt X"), ("Außenstelle 2", "Landesamt X")], mapping)
    assert tree.chain(key("Außenstelle 2")) == [key("Außenstelle 2"), key("Landesamt X"), key("Ministerium M")]
    assert tree.agencies == {key("Außenstelle 1"), key("Außenstelle 2")}
    assert tree.display[key("Ministerium M")] == "Ministerium M"


def test_cycles_and_self_parents_are_cut_with_a_note():
    tree = build_tree([("A", "B"), ("B", "A"), ("C", "C")], None)
    for k in (key("A"), key("B"), key("C")):
        assert len(tree.chain(k)) <= 2  # terminates
    assert tree.parent[key("C")] is None
    assert any("zirkulär" in msg for _, msg in tree.notes)
    assert any("eigene übergeordnete" in msg for _, msg in tree.notes)


def test_mapping_list_columns_and_conflicts(tmp_path):
    good = tmp_path / "liste.csv"
    good.write_text("name;art;uebergeordnet;stichtag\nAmt A;landesverwaltung;Ministerium;30.06.2025\n"
                    "Ministerium;ministerium;;30.06.2025\n", encoding="utf-8")
    entries = load_hierarchy(good)
    assert entries[key("Amt A")].parent == "Ministerium" and entries[key("Ministerium")].parent is None
    bad = tmp_path / "doppelt.csv"
    bad.write_text("name;uebergeordnet\nAmt A;M1\nAmt A;M2\n", encoding="utf-8")
    with pytest.raises(GleichplanError, match="zweimal"):
        load_hierarchy(bad)
