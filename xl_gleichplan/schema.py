"""The one declaration of codes and their German labels.

Every reader, writer and document takes its codes and labels from here: the dimensions of the
statistics (§ 5 ThürGleichG), the sexes, the kinds of personnel movements and the input columns
of an HR export.
"""
from __future__ import annotations

# Sexes as stored in the model, with the labels a reader sees.
SEXES = {"w": "weiblich", "m": "männlich", "d": "divers", "x": "ohne Angabe"}
SEX_WORDS = {"w": "Frauen", "m": "Männer"}
VERDICT_SEX = {"women": "w", "men": "m"}

# Dimensions of the stock (each evaluated on its own, § 3): code = HR export column name.
DIMENSIONS = {
    "gesamt": "Beschäftigte insgesamt",
    "statusgruppe": "Statusgruppe",
    "laufbahngruppe": "Laufbahngruppe",
    "besoldungs_entgeltgruppe": "Besoldungs-/Entgeltgruppe",
    "fachrichtung": "Fachrichtung",
    "wertebene": "Wertebene",
    "fuehrungsebene": "Führungsebene",
    "arbeitszeit": "Arbeitszeit",
    "beurlaubung": "Beurlaubung",
    "befristet": "Befristung",
}
AREA_DIMENSIONS = [d for d in DIMENSIONS if d != "gesamt"]

# Dimensions in which an empty value means "not part of any Bereich" rather than "missing".
OPTIONAL_DIMENSIONS = {"fuehrungsebene", "fachrichtung", "wertebene", "beurlaubung", "befristet"}

# Known values per dimension (codes -> labels). Values outside these lists are accepted for
# pay groups and Fachrichtungen (they come from the user's data) and flagged for the others.
VALUES = {
    "statusgruppe": {
        "beamte": "Beamtinnen und Beamte",
        "richter": "Richterinnen und Richter",
        "tarifbeschaeftigte": "Tarifbeschäftigte",
        "auszubildende": "Auszubildende und Anwärter/innen",
    },
    "laufbahngruppe": {
        "einfacher": "einfacher Dienst",
        "mittlerer": "mittlerer Dienst",
        "gehobener": "gehobener Dienst",
        "hoeherer": "höherer Dienst",
    },
    "fuehrungsebene": {
        "dienststellenleitung": "Dienststellenleitung",
        "abteilungsleitung": "Abteilungsleitung",
        "referatsleitung": "Referatsleitung",
        "sachgebietsleitung": "Sachgebietsleitung",
        "vorsitz_richter": "Vorsitzende Richterinnen und Richter",
    },
    "arbeitszeit": {
        "vollzeit": "Vollzeit",
        "teilzeit": "Teilzeit",
        "altersteilzeit": "Altersteilzeit",
    },
    "beurlaubung": {
        "keine": "nicht beurlaubt",
        "familie": "beurlaubt aus familiären Gründen",
        "sonstige": "beurlaubt aus sonstigen Gründen",
    },
    "befristet": {"nein": "unbefristet", "ja": "befristet"},
}
# Leadership levels from the top down (order matters for the cascade model).
LEADERSHIP_LEVELS = list(VALUES["fuehrungsebene"])

# Personnel movements in the flow window (§ 5 Abs. 1 Nr. 3).
MOVEMENT_KINDS = {
    "bewerbung": "Bewerbungen",
    "einstellung": "Einstellungen",
    "befoerderung": "Beförderungen",
    "hoehergruppierung": "Höhergruppierungen",
    "fortbildung": "Fortbildungen",
}
POSTING_KIND = "ausschreibung"  # job postings: counted, not by sex

# Columns of the HR exports. Personal columns are read only where a rule needs them.
PERSONAL_COLUMNS = ("name", "personalnummer", "geburtsdatum")
STAFF_COLUMNS = ("geschlecht", *AREA_DIMENSIONS, "beschaeftigungsumfang", *PERSONAL_COLUMNS)
MOVEMENT_COLUMNS = ("vorgang", "datum", *STAFF_COLUMNS)
COMMITTEE_COLUMNS = ("gremium", "w", "m", "d", "x")
TARGET_COLUMNS = ("id", "dimension", "bereich", "geschlecht", "ziel", "erreicht", "fuehrung", "frist")


def area_label(dimension: str, area: str) -> str:
    """German label of a Bereich code, e.g. ('laufbahngruppe', 'hoeherer') -> 'höherer Dienst'."""
    return VALUES.get(dimension, {}).get(area, area)
