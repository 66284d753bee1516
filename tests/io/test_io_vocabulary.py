"""What real exports write, and the codes it means (io/vocabulary.py)."""
from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction as F

import pytest

from xl_gleichplan.io import vocabulary as vocab


@pytest.mark.parametrize("raw, code", [
    ("weiblich", "w"), ("Weiblich", "w"), ("WEIBLICH", "w"), ("w", "w"), ("W", "w"), (" w ", "w"),
    ("männlich", "m"), ("Männlich", "m"), ("MÄNNLICH", "m"), ("maennlich", "m"), ("m", "m"), ("M", "m"),
    ("divers", "d"), ("Divers", "d"), ("d", "d"), ("D", "d"),
    ("ohne Angabe", "x"), ("Ohne Angabe", "x"), ("OHNE ANGABE", "x"), ("x", "x"), ("X", "x"),
])
def test_sex_codes_in_any_case(raw, code):
    assert vocab.code("geschlecht", raw) == code


@pytest.mark.parametrize("raw", ["q", "2", "weiblic", "mw", "unknown-sex"])
def test_unknown_sex_codes(raw):
    assert vocab.code("geschlecht", raw) is None


@pytest.mark.parametrize("raw, area", [
    ("A13", "A 13"), ("A 13", "A 13"), ("a13", "A 13"), ("A-13", "A 13"), ("A  13", "A 13"),
    ("E9b", "E 9b"), ("EG 9b", "E 9b"), ("EG9b", "E 9b"), ("e 9 B", "E 9b"), ("E 9b", "E 9b"),
    ("EG 13", "E 13"), ("E13", "E 13"), ("B2", "B 2"), ("R 1", "R 1"), ("W3", "W 3"), ("EG 09", "E 9"),
    (13.0, "13"),  # a bare number from a spreadsheet is kept as written
])
def test_pay_groups_are_normalised(raw, area):
    assert vocab.pay_group(raw) == area


def test_pay_group_order():
    areas = ["E 13", "A 9", "A 13", "B 2", "E 9b", "E 9a"]
    assert sorted(areas, key=vocab.pay_group_sort_key) == ["A 9", "A 13", "B 2", "E 9a", "E 9b", "E 13"]


@pytest.mark.parametrize("raw, day", [
    ("30.06.2025", date(2025, 6, 30)), ("2025-06-30", date(2025, 6, 30)), ("30.06.25", date(2025, 6, 30)),
    ("1.7.2022", date(2022, 7, 1)), (datetime(2024, 2, 29, 0, 0), date(2024, 2, 29)),
    # Excel serial: 45292 = 01.01.2024; + 366 (leap year) = 45658 = 01.01.2025; 30 June is day 181
    # of 2025 (31 + 28 + 31 + 30 + 31 + 30), so 45658 + 180 = 45838 = 30.06.2025
    (45838, date(2025, 6, 30)), ("45838", date(2025, 6, 30)), (45292, date(2024, 1, 1)),
])
def test_dates(raw, day):
    assert vocab.to_date(raw) == day


@pytest.mark.parametrize("raw", ["31.02.2025", "2025/01/01", "30-06-2025", "gestern", "", "2025-13-01", "1.1.1960X",
                                 "٤٥٨٣٨"])
def test_bad_dates(raw):
    assert vocab.to_date(raw) is None


@pytest.mark.parametrize("raw, number", [("3", 3), (3, 3), (3.0, 3), (" 3 ", 3), ("0", 0)])
def test_counts(raw, number):
    assert vocab.to_count(raw) == number


@pytest.mark.parametrize("raw", ["-1", -1, "drei", 1.5, "1,5", True, "", "3 Personen", "³", "١٢"])
def test_bad_counts(raw):
    assert vocab.to_count(raw) is None


@pytest.mark.parametrize("raw, value", [("0,75", F(3, 4)), ("75 %", F(3, 4)), ("75", F(3, 4)), (0.5, F(1, 2)),
                                        ("1", F(1)), ("100", F(1))])
def test_working_time_shares(raw, value):
    assert vocab.to_fraction(raw) == value


@pytest.mark.parametrize("raw", ["-0,5", "1.000,5", "150", "halb", ""])
def test_bad_working_time_shares(raw):
    assert vocab.to_fraction(raw) is None


def test_leadership_levels_and_career_groups():
    assert vocab.code("fuehrungsebene", "Referatsleitung") == "referatsleitung"
    assert vocab.code("fuehrungsebene", "SGL") == "sachgebietsleitung"
    assert vocab.code("laufbahngruppe", "höherer Dienst") == "hoeherer"
    assert vocab.code("laufbahngruppe", "gD") == "gehobener"
    assert vocab.code("vorgang", "Einstellung") == "einstellung"
    assert vocab.code("vorgang", "Beförderung") == "befoerderung"


# --------------------------------------------------------------- issue 11: spellings of real exports

@pytest.mark.parametrize("raw, area", [
    ("A13 Z", "A 13 Z"), ("A 13Z", "A 13 Z"), ("A 13 Z", "A 13 Z"), ("A13+Z", "A 13 Z"), ("A 13 mit Amtszulage", "A 13 Z"),
    ("E 15Ü", "E 15 Ü"), ("EG 15 Ü", "E 15 Ü"), ("E15Ue", "E 15 Ü"), ("W 2", "W 2"), ("B 3", "B 3"), ("AT", "AT"),
    ("außertariflich", "AT"), ("TV-L E 13", "E 13"), ("TVöD EG 9b", "E 9b"), ("BesGr A 13", "A 13"), ("A09", "A 9"),
    ("E 9 A", "E 9a"), ("KR 7a", "KR 7a"), ("S 8b", "S 8b"),
])
def test_pay_group_spellings_of_real_exports(raw, area):
    assert vocab.pay_group(raw) == area and vocab.is_pay_group(raw)


@pytest.mark.parametrize("raw", ["Z", "A Z", "QW640123", "Beamter", "13", "A 13/A 14"])
def test_what_is_no_pay_group(raw):
    assert not vocab.is_pay_group(raw)


def test_pay_groups_with_allowance_and_transition_sort_after_their_group():
    areas = ["AT", "E 15 Ü", "A 13 Z", "E 15", "A 13", "B 3", "W 2"]
    assert sorted(areas, key=vocab.pay_group_sort_key) == ["A 13", "A 13 Z", "B 3", "W 2", "E 15", "E 15 Ü", "AT"]


@pytest.mark.parametrize("dimension, raw, code", [
    ("statusgruppe", "Beamter auf Widerruf", "auszubildende"), ("statusgruppe", "Beamtin auf Lebenszeit", "beamte"),
    ("statusgruppe", "Tarifbeschäftigte (TV-L)", "tarifbeschaeftigte"), ("statusgruppe", "Richterin auf Probe", "richter"),
    ("beurlaubung", "Elternzeit", "familie"), ("beurlaubung", "Sonderurlaub ohne Bezüge", "sonstige"),
    ("beurlaubung", "Sonderurlaub (familienpolitisch)", "familie"), ("beurlaubung", "Pflegezeit nach PflegeZG", "familie"),
    ("laufbahngruppe", "mittlerer nichttechnischer Dienst", "mittlerer"), ("laufbahngruppe", "LG 2.1", "gehobener"),
    ("fuehrungsebene", "Referatsleiter/in", "referatsleitung"), ("fuehrungsebene", "Behördenleiterin", "dienststellenleitung"),
    ("vorgang", "Teilnahme Fortbildung", "fortbildung"), ("vorgang", "Bewerbung eingegangen", "bewerbung"),
    ("geschlecht", "Herr", "m"), ("geschlecht", "Frau", "w"),
])
def test_bundled_values_by_their_word_parts(dimension, raw, code):
    assert vocab.code(dimension, raw) == code


@pytest.mark.parametrize("raw", ["stellv. Referatsleiterin", "kommissarische Abteilungsleitung"])
def test_deputies_are_no_leadership_level_of_their_own(raw):
    assert vocab.code("fuehrungsebene", raw) is None


@pytest.mark.parametrize("raw, personal", [
    ("Referat Müller", True), ("QW640123", True), ("17.03.1961", True), ("Frau Schulz", True),
    ("Referat Haushalt", False), ("Allgemeine Verwaltung", False), ("A 13", False), ("Frauenförderung", False),
])
def test_bereiche_that_look_like_personal_data(raw, personal):
    assert bool(vocab.personal_reason(raw)) is personal
