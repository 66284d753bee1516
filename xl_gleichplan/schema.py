"""The one declaration of codes and their German labels.

Every reader, writer and document takes its codes and labels from here: the dimensions of the
statistics (§ 5 ThürGleichG), the sexes, the kinds of personnel movements and the input columns
of an HR export.
"""
from __future__ import annotations

import re


def column_letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'. Here, with no import, so that the add-in's first click need not load
    pandas with io.tabular for it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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
# The "davon" counts: who is part-time and who is on leave (dimension, its areas that count).
PART_TIME = ("arbeitszeit", ("teilzeit", "altersteilzeit"))
ON_LEAVE = ("beurlaubung", ("familie", "sonstige"))
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
# Texts that look like personal data where only names of Bereiche, committees or measures belong
PERSONAL_TEXT_PATTERNS = [
    (re.compile(r"\b\d{1,2}\.\d{1,2}\.((19|20)\d{2}|\d{2})\b|\b(19|20)\d{2}-\d{1,2}-\d{1,2}\b"),
     "ein Datum (Geburtsdatum?)"),
    (re.compile(r"\b[A-Z]{0,3}\d{5,}\b"), "eine Personalnummer"),
    (re.compile(r"\b(Frau|Herr|Fr\.|Hr\.)\s+[A-ZÄÖÜ]"), "ein Name (Frau/Herr …)"),
]
STAFF_COLUMNS = ("geschlecht", *AREA_DIMENSIONS, "beschaeftigungsumfang", *PERSONAL_COLUMNS)
MOVEMENT_COLUMNS = ("vorgang", "datum", *STAFF_COLUMNS)
COMMITTEE_COLUMNS = ("gremium", "w", "m", "d", "x")
TARGET_COLUMNS = ("id", "dimension", "bereich", "geschlecht", "ziel", "erreicht", "fuehrung", "frist")


def area_label(dimension: str, area: str) -> str:
    """German label of a Bereich code, e.g. ('laufbahngruppe', 'hoeherer') -> 'höherer Dienst'."""
    return VALUES.get(dimension, {}).get(area, area)


# ---------------------------------------------------------------------------------------------
# The sheets of the Erhebungsbogen. The template builder, the reader's header checks, the
# findings and the result writer all work from these declarations.
# ---------------------------------------------------------------------------------------------
from dataclasses import dataclass  # noqa: E402

TEMPLATE_VERSION = 1
DOCUMENT_TYPE = "xl_gleichplan Erhebungsbogen"


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    kind: str  # dimension | area | kind | text | count | date | sex | yesno | measure_kind | formula
    width: int = 12
    hint: str = ""
    formula: str | None = None  # with {code} for the cell of another column in the same row


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    hint: str
    columns: tuple[Column, ...]
    free_rows: int  # empty input rows below the prefilled ones
    former: tuple[str, ...] = ()  # names of the sheet in older templates, still read

    def letter(self, code: str) -> str:
        return column_letter([c.code for c in self.columns].index(code))

    @property
    def inputs(self) -> list[Column]:
        return [c for c in self.columns if c.kind != "formula"]


HEADER_ROW = 4  # rows 1-3: title, hint, blank; data from row 5
FIRST_DATA_ROW = HEADER_ROW + 1

_N = "N({%s})"
TOTAL = "=IF(COUNT({w},{m},{d},{x})=0,\"\",N({w})+N({m})+N({d})+N({x}))"
# share and verdict formulas: {den} and {op} are filled in from the law profile by the builder
SHARE_W = "=IF({den}=0,\"\",N({w})/({den}))"
SHARE_M = "=IF({den}=0,\"\",N({m})/({den}))"
VERDICT = ("=IF({share_w}=\"\",\"\",IF(AND({share_w}{op}GP_SCHWELLE,N({m})-N({w})>=GP_MIN_ABSTAND),\"Frauen\","
           "IF(AND(GP_NUR_FRAUEN=0,{share_m}{op}GP_SCHWELLE,N({w})-N({m})>=GP_MIN_ABSTAND),\"Männer\",\"\")))")
# on sheets with a dimension column, only Bereiche of the law (named list GP_BEREICHE) get a verdict
VERDICT_BEREICH = "=IF(ISNA(MATCH({dimension},GP_BEREICHE,0)),\"\"," + VERDICT[1:] + ")"
VERDICT_LABELS = {"women": "Frauen", "men": "Männer"}


def _counts(prefix: str = "") -> tuple[Column, ...]:
    return (
        Column("w", f"{prefix}Frauen", "count", 9),
        Column("m", f"{prefix}Männer", "count", 9),
        Column("d", f"{prefix}divers", "count", 8),
        Column("x", f"{prefix}ohne Angabe", "count", 9),
        Column("total", "gesamt", "formula", 9, formula=TOTAL),
    )


_VERDICT_COLUMNS = (
    Column("share_w", "Frauenanteil", "formula", 11, formula=SHARE_W),
    Column("share_m", "Männeranteil", "formula", 11, formula=SHARE_M),
    Column("verdict", "unterrepräsentiert", "formula", 16, formula=VERDICT),
)

SHEETS = {
    "stock": Sheet(
        "Bestand", "Personalbestand am Stichtag nach Bereichen",
        "Je Bereich die Zahl der Beschäftigten (Köpfe) nach Geschlecht; Teilzeit und Beurlaubung als „davon“. "
        "Graue Spalten rechnet Excel selbst.",
        (Column("dimension", "Dimension", "dimension", 24), Column("area", "Bereich", "area", 24), *_counts(),
         *_VERDICT_COLUMNS,
         Column("part_time_w", "davon Teilzeit Frauen", "count", 11), Column("part_time_m", "davon Teilzeit Männer", "count", 11),
         Column("on_leave_w", "davon beurlaubt Frauen", "count", 11), Column("on_leave_m", "davon beurlaubt Männer", "count", 11)),
        free_rows=80),
    "movements": Sheet(
        "Bewegungen", "Personalbewegungen im Berichtszeitraum",
        "Bewerbungen, Einstellungen, Beförderungen, Höhergruppierungen und Fortbildungen je Bereich und Geschlecht.",
        (Column("kind", "Vorgang", "kind", 20), Column("dimension", "Dimension", "dimension", 24),
         Column("area", "Bereich", "area", 22), *_counts(), *_VERDICT_COLUMNS),
        free_rows=150),
    "postings": Sheet(
        "Ausschreibungen", "Stellenausschreibungen im Berichtszeitraum",
        "Zahl der Ausschreibungen je Bereich (ohne Geschlecht).",
        (Column("dimension", "Dimension", "dimension", 24), Column("area", "Bereich", "area", 24),
         Column("count", "Ausschreibungen", "count", 14)),
        free_rows=40),
    "committees": Sheet(
        "Gremien", "Gremien am Stichtag",
        "Je Gremium die Mitglieder nach Geschlecht. Nur Anzahlen, keine Namen.",
        (Column("name", "Gremium", "text", 36), *_counts(), *_VERDICT_COLUMNS),
        free_rows=40),
    "forecast": Sheet(
        "Prognose", "Voraussichtlich frei werdende Stellen im Planzeitraum",
        "Je Bereich die erwarteten Abgänge (Ruhestand, bekannte Wechsel) nach Geschlecht.",
        (Column("dimension", "Dimension", "dimension", 24), Column("area", "Bereich", "area", 24), *_counts()),
        free_rows=60),
    "targets": Sheet(
        "Zielvorgaben", "Zielvorgaben und ihre Erreichung",
        "Je unterrepräsentiertem Bereich: wie viele Personen des unterrepräsentierten Geschlechts bis wann. "
        "„erreicht“ erst bei Anpassung oder Planende eintragen.",
        (Column("id", "Nr.", "text", 6), Column("dimension", "Dimension", "dimension", 24),
         Column("area", "Bereich", "area", 22), Column("sex", "für", "sex", 9), Column("target", "Ziel (Personen)", "count", 10),
         Column("achieved", "erreicht", "count", 9), Column("leadership", "Führungsposition", "yesno", 11),
         Column("deadline", "bis", "date", 12),
         Column("met", "erfüllt", "formula", 9,
                formula="=IF(OR({target}=\"\",{achieved}=\"\"),\"\",IF(N({achieved})>=N({target}),\"ja\",\"nein\"))"),
         Column("capped", "erreicht (begrenzt)", "formula", 11,
                formula="=IF(OR({target}=\"\",{achieved}=\"\"),\"\",MIN(N({achieved}),N({target})))")),
        free_rows=40),
    "measures": Sheet(
        "Maßnahmen", "Maßnahmen",
        "Organisatorische, personelle und Fortbildungsmaßnahmen, möglichst mit Bezug auf eine Zielvorgabe.",
        (Column("target_id", "zu Ziel Nr.", "text", 9), Column("kind", "Art", "measure_kind", 16),
         Column("text", "Maßnahme", "text", 60), Column("responsible", "zuständig", "text", 20),
         Column("deadline", "bis", "date", 12)),
        free_rows=40, former=("Massnahmen",)),  # ASCII name up to template version of issue 14
}

MEASURE_KINDS = {"organisatorisch": "organisatorisch", "personell": "personell", "fortbildung": "Fortbildung"}
METADATA_SHEET = "Metadaten"
OVERVIEW_SHEET = "Übersicht"
INSTRUCTIONS_SHEET = "Anleitung"
RESULTS_SHEET = "Ergebnis"
FINDINGS_SHEET = "Feststellungen"


# The law profile's parameters as named cells of the metadata sheet (the formulas read them):
# (metadata key, German label, defined name)
PARAMETERS = [
    ("schwelle", "Schwelle der Unterrepräsentanz", "GP_SCHWELLE"),
    ("nur_frauen", "nur Frauen können unterrepräsentiert sein (1 = ja)", "GP_NUR_FRAUEN"),
    ("min_abstand", "Mindestabstand M − W in Köpfen", "GP_MIN_ABSTAND"),
    ("min_personal", "Planpflicht ab Beschäftigten", "GP_MIN_PERSONAL"),
    ("frist_monate", "Frist nach dem Stichtag in Monaten", "GP_FRIST_MONATE"),
    ("frist_art", "Fristberechnung (bgb oder monatsende)", "GP_FRIST_ART"),
    ("plan_jahre", "Laufzeit des Plans in Jahren", "GP_PLAN_JAHRE"),
    ("anpassung_jahre", "Anpassung nach Jahren", "GP_ANPASSUNG_JAHRE"),
    ("fenster_jahre", "Berichtszeitraum in Jahren", "GP_FENSTER_JAHRE"),
    ("fuehrung_lesart", "Lesart der 50-%-Regel (anzahl oder volumen)", "GP_LESART"),
    ("fuehrung_schwelle", "Schwelle der 50-%-Regel", "GP_FUEHRUNG_SCHWELLE"),
    ("min_zelle", "kleinste veröffentlichte Zahl (Datenschutz)", "GP_MIN_ZELLE"),
]


def parameter_values(profile) -> dict:
    """The values the template writes for a Profile; the reader compares a workbook's cells with them."""
    return {
        "schwelle": float(profile.threshold), "nur_frauen": int(profile.sexes == "women"),
        "min_abstand": profile.min_gap, "min_personal": profile.min_staff, "frist_monate": profile.due_months,
        "frist_art": profile.due_counting, "plan_jahre": profile.plan_years,
        "anpassung_jahre": profile.adjustment_years, "fenster_jahre": profile.flow_window_years,
        "fuehrung_lesart": profile.leadership_reading, "fuehrung_schwelle": float(profile.leadership_threshold),
        "min_zelle": profile.min_cell,
    }


