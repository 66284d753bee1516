"""Law profiles as data (SPEC: parameters of the rules): both packaged ones, and broken ones."""
from __future__ import annotations

from fractions import Fraction as F
from importlib import resources
from pathlib import Path

import pytest

from xl_gleichplan.errors import ProfileError
from xl_gleichplan.profiles import available_profiles, load_profile

PACKAGED = resources.files("xl_gleichplan.profiles").joinpath("thueringen.toml").read_text("utf-8")


def test_both_profiles_are_packaged():
    assert {"thueringen", "bund"} <= set(available_profiles())


def test_thueringen_profile_values():
    p = load_profile("thueringen")
    assert load_profile(None).id == "thueringen"  # the default
    assert (p.id, p.threshold, p.comparison, p.sexes, p.min_gap) == ("thueringen", F(2, 5), "lt", "both", 0)
    assert (p.share_basis, p.count_basis) == ("w_m", "koepfe")
    assert (p.plan_years, p.adjustment_years, p.flow_window_years) == (6, 3, 3)
    assert (p.stichtag_month_day, p.due_months, p.due_counting) == ((6, 30), 9, "bgb")
    assert (p.min_staff, p.min_cell) == (50, 3)
    assert (p.leadership_reading, p.leadership_threshold) == ("anzahl", F(1, 2))
    assert p.career_groups == ("mittlerer", "gehobener", "hoeherer")  # no einfacher Dienst
    assert {"landesverwaltung", "ministerium", "gemeinde", "landkreis", "verwaltungsgemeinschaft",
            "koerperschaft", "landesmedienanstalt", "oberste_landesbehoerde"} <= set(p.routing)


def test_bund_profile_values():
    p = load_profile("bund")
    # BGleiG: women only, below 50 %, M - W >= 2, four-year plan, adjustment after two years
    assert (p.threshold, p.comparison, p.sexes, p.min_gap) == (F(1, 2), "lt", "women", 2)
    assert (p.plan_years, p.adjustment_years, p.stichtag_month_day) == (4, 2, (6, 30))
    assert "einfacher" in p.career_groups


def test_profile_from_a_path(tmp_path):
    path = tmp_path / "eigenes.toml"
    path.write_text(PACKAGED.replace('due_counting = "bgb"', 'due_counting = "monatsende"'), encoding="utf-8")
    assert load_profile(str(path)).due_counting == "monatsende"
    # written with a BOM by Windows Notepad: still read
    path.write_bytes(b"\xef\xbb\xbf" + PACKAGED.encode("utf-8"))
    assert load_profile(str(path)).threshold == F(2, 5)


def test_unknown_profile_name_is_a_german_error():
    with pytest.raises(ProfileError) as info:
        load_profile("sachsen")
    message = str(info.value)
    assert "Rechtsprofil „sachsen“ ist unbekannt" in message
    assert "thueringen" in message and "bund" in message  # says what is available


def test_missing_profile_file(tmp_path):
    with pytest.raises(ProfileError, match="wurde nicht gefunden"):
        load_profile(str(tmp_path / "fehlt.toml"))


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_malformed_toml(tmp_path):
    with pytest.raises(ProfileError, match="keine gültige TOML-Datei"):
        load_profile(write(tmp_path, PACKAGED.replace("[periods]", "[periods")))


def test_profile_not_in_utf8(tmp_path):
    path = tmp_path / "p.toml"
    path.write_bytes(PACKAGED.encode("cp1252"))  # "Thüringer" as one byte 0xFC
    with pytest.raises(ProfileError, match="UTF-8"):
        load_profile(str(path))


@pytest.mark.parametrize("line, where", [
    ('threshold = "2/5"\n', "[underrepresentation] threshold"),
    ('min_cell = 3 ', "[privacy] min_cell"),
    ('plan_years = 6\n', "[periods] plan_years"),
    ('reading = "anzahl" ', "[leadership] reading"),
    ('id = "thueringen"\n', "id"),
])
def test_missing_key_is_named(tmp_path, line, where):
    assert line in PACKAGED
    with pytest.raises(ProfileError) as info:
        load_profile(write(tmp_path, PACKAGED.replace(line, "", 1)))
    assert f"fehlt der Eintrag {where}" in str(info.value)


@pytest.mark.parametrize("old, new, words", [
    # the threshold must lie in (0, 1/2] for a symmetric rule, else both sexes could be flagged
    ('threshold = "2/5"', 'threshold = "3/5"', "zwischen 0 und 1/2"),
    ('threshold = "2/5"', 'threshold = "0"', "zwischen 0 und 1/2"),
    ('threshold = "2/5"', 'threshold = "-1/5"', "zwischen 0 und 1/2"),
    ('threshold = "2/5"', 'threshold = "vierzig"', "keine Zahl"),
    ('threshold = "2/5"', 'threshold = "1/0"', "keine Zahl"),
    # "at most one half" with both sexes flags 50/50 twice
    ('threshold = "2/5"\ncomparison = "lt"', 'threshold = "1/2"\ncomparison = "le"', "zwischen 0 und 1/2"),
    ('comparison = "lt"', 'comparison = "lte"', "nicht erlaubt"),
    ('sexes = "both"', 'sexes = "alle"', "nicht erlaubt"),
    ('min_cell = 3 ', 'min_cell = 0 ', "zwischen 1 und 10"),
    ('min_cell = 3 ', 'min_cell = 11 ', "zwischen 1 und 10"),
    ('min_cell = 3 ', 'min_cell = "drei" ', "falschen Typ"),
    ('min_cell = 3 ', 'min_cell = true ', "falschen Typ"),
    ('stichtag = "06-30"', 'stichtag = "06-31"', "kein Datum"),
    ('due_counting = "bgb"', 'due_counting = "kalender"', "nicht erlaubt"),
    ('threshold = "1/2"          # fewer', 'threshold = "2"          # fewer', "zwischen 0 und 1"),
    ('plan_years = 6', 'plan_years = 0', "mindestens 1"),
    ('min_staff = 50', 'min_staff = -1', "mindestens 0"),
    ('min_gap = 0', 'min_gap = -2', "mindestens 0"),
    ('landtag = "oberste_landesbehoerde"', 'landtag = "parlament"', "unbekannte Art"),
    ('procedure = "genehmigung"', 'procedure = 3', "Texte"),
    ('laufbahngruppe = ["mittlerer", "gehobener", "hoeherer"]', 'laufbahngruppe = 3', "Liste"),
])
def test_bad_values_are_german_profile_errors(tmp_path, old, new, words):
    assert old in PACKAGED, old
    with pytest.raises(ProfileError) as info:
        load_profile(write(tmp_path, PACKAGED.replace(old, new, 1)))
    assert words in str(info.value)
    assert "Rechtsprofil" in str(info.value)


def test_routing_table_required(tmp_path):
    text = PACKAGED[:PACKAGED.index("# § 4 Abs. 1 Satz 6")]  # everything before the routing table
    with pytest.raises(ProfileError, match="Zuständigkeitstabelle"):
        load_profile(write(tmp_path, text))


def test_incomplete_route(tmp_path):
    text = PACKAGED.replace('body = "Gemeinderat"\n', "", 1)
    with pytest.raises(ProfileError, match=r"\[routing.gemeinde\] unvollständig"):
        load_profile(write(tmp_path, text))


def test_a_section_that_is_not_a_table(tmp_path):
    # top-level "aliases = 3" instead of an [aliases] table
    text = "aliases = 3\n" + PACKAGED[:PACKAGED.index("[aliases]")]
    with pytest.raises(ProfileError, match=r"\[aliases\] eine Tabelle"):
        load_profile(write(tmp_path, text))


def test_sachsen_anhalt_profile_values():
    """FrFG LSA § 20 (text found: Abs. 1 to 3): women only, targets for two years each, Benehmen with
    the Gleichstellungsbeauftragte (Abs. 2 Satz 2), no leadership rule, no minimum size."""
    p = load_profile("sachsen-anhalt")
    assert "sachsen-anhalt" in available_profiles()
    assert (p.threshold, p.sexes, p.min_staff, p.plan_years, p.adjustment) == (F(1, 2), "women", 0, 2, "keine")
    assert p.route("ministerium").procedure == "benehmen" and "Gleichstellungsbeauftragte" in p.route("ministerium").body
    assert not p.has("leadership_rule")
    assert all("FrFG" in c for c in p.citations.values() if c)


def test_federal_profile_is_built_on_bgleig():
    """Issue 13: the federal profile cites BGleiG only (§ 3 Nr. 9, §§ 12-14), has no 50 % rule, its
    own plan period, publication rule and the adjustment that "kann" be made."""
    p = load_profile("bund")
    assert p.cite("underrepresentation") == "§ 3 Nr. 9 BGleiG"  # not Nr. 10 (the numbering before 2021)
    assert all("BGleiG" in c for c in p.citations.values() if c)
    assert (p.adjustment, p.due_binding, p.plan_start, p.flow_window_years) == ("kann", "ist", "nach_frist", 4)
    assert "Intranet" in p.publication and "Textform" in p.publication
    assert p.has("leadership_level_targets") and not p.has("leadership_rule")


def test_unknown_section_is_a_german_error(tmp_path):
    path = tmp_path / "eigenes.toml"
    path.write_text(PACKAGED.replace('sections = ["leadership_rule"]', 'sections = ["fuenfzig"]'), encoding="utf-8")
    with pytest.raises(ProfileError, match="unbekannte Teile: fuenfzig"):
        load_profile(str(path))


def test_only_a_plan_that_must_be_adjusted_has_an_adjustment_that_can_be_overdue():
    """ThürGleichG § 4 Abs. 1: "ist nach drei Jahren anzupassen"; BGleiG: "kann"; Sachsen-Anhalt: none.
    The consolidation counts overdue adjustments only for the first (Profile.adjustment_required)."""
    from xl_gleichplan.profiles import load_profile

    assert [load_profile(p).adjustment_required for p in ("thueringen", "bund", "sachsen-anhalt")] == [True, False, False]


def test_every_sizing_rule_has_its_words():
    """One definition of "mehr als / mindestens die Hälfte" (texts.SIZING_SHARE) for the draft and the
    add-in: a sizing rule a profile may name has its words there."""
    from xl_gleichplan.profiles import SIZING
    from xl_gleichplan.texts import SIZING_SHARE

    assert SIZING_SHARE == {"haelfte": "mindestens die Hälfte", "mehrheit": "mehr als die Hälfte"}
    assert set(SIZING_SHARE) == set(SIZING)
