"""What real HR exports write, and the codes it means: sexes, Bereiche, pay groups, dates, numbers.

Each normaliser takes one raw cell value (str, float, datetime from calamine) and returns the code,
or ``None`` when the value cannot be understood. The importer calls them once per distinct value.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import lru_cache

from ..schema import POSTING_KIND, SEXES, VALUES, MOVEMENT_KINDS

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


_NOT_KEY = re.compile(r"[^a-z0-9]")


def key(value: object) -> str:
    """Comparison key: lower case, umlauts spelled out, only letters and digits."""
    if type(value) is str:
        return _str_key(value)
    return _NOT_KEY.sub("", text(value).lower().translate(_UMLAUTS))


@lru_cache(maxsize=4096)
def _str_key(value: str) -> str:  # workbooks repeat the same few hundred labels in every file
    return _NOT_KEY.sub("", value.strip().lower().translate(_UMLAUTS))


# Characters no workbook or document can hold (XML 1.0 forbids them; openpyxl and python-docx raise):
# control characters such as vertical tab, ESC and NUL, and the lone surrogates of undecodable bytes.
_UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def text(value: object) -> str:
    """A cell value as text; 13.0 from a spreadsheet becomes '13'. Every text from outside passes
    here: characters no output could hold (an ESC in a Bereich would stop the writers) become a
    visible "\ufffd", so the clerk sees that something was there."""
    if type(value) is str:
        if not value.isprintable() and _UNWRITABLE.search(value):
            value = _UNWRITABLE.sub("\ufffd", value)
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return text(str(value))


# Synonyms seen in exports (besides each code and its label).
_SYNONYMS = {
    "geschlecht": {
        "w": ["f", "weibl", "female", "frau", "frauen"],
        "m": ["maennl", "male", "mann", "maenner"],
        "d": ["diverse", "div"],
        "x": ["oa", "ohneangabe", "keineangabe", "ka", "unbekannt", "offen"],
    },
    "statusgruppe": {
        "beamte": ["beamter", "beamtin", "beamtinnen", "beamtinnenundbeamte", "beamt", "b"],
        "richter": ["richterin", "richterinnen", "richterinnenundrichter", "r"],
        "tarifbeschaeftigte": ["tarifbeschaeftigter", "tarif", "tb", "angestellte", "arbeitnehmer",
                               "arbeitnehmerin", "beschaeftigte", "t"],
        "auszubildende": ["azubi", "azubis", "auszubildender", "anwaerter", "anwaerterin", "anwaerterinnen", "a"],
    },
    "laufbahngruppe": {
        "einfacher": ["ed", "einfacherdienst", "einf"],
        "mittlerer": ["md", "mittlererdienst", "mittl", "lg1", "laufbahngruppe1"],
        "gehobener": ["gd", "gehobenerdienst", "geh", "lg21", "lg2ea1"],
        "hoeherer": ["hd", "hoehererdienst", "hoeh", "lg22", "lg2ea2"],
    },
    "fuehrungsebene": {
        "dienststellenleitung": ["dl", "behoerdenleitung", "leitung", "amtsleitung", "praesident", "praesidentin"],
        "abteilungsleitung": ["al", "abteilungsleiter", "abteilungsleiterin"],
        "referatsleitung": ["rl", "referatsleiter", "referatsleiterin"],
        "sachgebietsleitung": ["sgl", "sachgebietsleiter", "sachgebietsleiterin"],
        "vorsitz_richter": ["vorsitzenderichter", "vorsitzenderrichter", "vorsitzenderichterin", "vorsitz"],
    },
    "arbeitszeit": {
        "vollzeit": ["vz", "voll"],
        "teilzeit": ["tz", "teil"],
        "altersteilzeit": ["atz", "alterstz"],
    },
    "beurlaubung": {
        "keine": ["nein", "n", "0", "false", "nichtbeurlaubt", "aktiv"],
        "familie": ["familiaer", "familiaeregruende", "elternzeit", "pflege", "familienpflege", "betreuung"],
        "sonstige": ["sonstig", "sonstigegruende", "ja", "j", "1", "true", "beurlaubt"],
    },
    "befristet": {
        "ja": ["j", "1", "true", "wahr", "x", "befr", "befristet"],
        "nein": ["n", "0", "false", "falsch", "unbefristet", "unbefr"],
    },
    "vorgang": {
        "bewerbung": ["bewerbungen", "bewerber", "bewerberin"],
        "einstellung": ["einstellungen", "neueinstellung", "einst"],
        "befoerderung": ["befoerderungen", "befoerd"],
        "hoehergruppierung": ["hoehergruppierungen", "hoehergr"],
        "fortbildung": ["fortbildungen", "fortb", "weiterbildung", "qualifizierung"],
        "ausschreibung": ["ausschreibungen", "stellenausschreibung", "stellenausschreibungen"],
    },
}

_VOCAB: dict[str, dict[str, str]] = {}
for _dim, _codes in {"geschlecht": SEXES, **VALUES,
                     "vorgang": {**MOVEMENT_KINDS, POSTING_KIND: POSTING_KIND}}.items():
    table = {}
    for _code, _label in _codes.items():
        for word in (_code, _label, *_SYNONYMS.get(_dim, {}).get(_code, [])):
            table[key(word)] = _code
    _VOCAB[_dim] = table


def code(dimension: str, value: object) -> str | None:
    """The code of a value in a dimension with a known vocabulary, or None if unknown."""
    return _VOCAB[dimension].get(key(value))


def has_vocabulary(dimension: str) -> bool:
    return dimension in _VOCAB


_PAY = re.compile(r"^(EG|E|A|B|C|R|W|S|SUE|P|KR)\s*[-.]?\s*(\d{1,2})\s*([A-C]?)$", re.IGNORECASE)
_PAY_ORDER = {"A": 0, "B": 1, "C": 2, "R": 3, "W": 4, "E": 5, "S": 6, "SUE": 7, "P": 8, "KR": 9}


def pay_group(value: object) -> str:
    """'A13', 'a 13', 'A-13' -> 'A 13'; 'E9b', 'EG 9b' -> 'E 9b'. Other values are kept as written."""
    raw = text(value)
    match = _PAY.match(raw.replace(" ", "")) or _PAY.match(raw)
    if not match:
        return re.sub(r"\s+", " ", raw)
    family = match.group(1).upper()
    family = "E" if family == "EG" else family
    return f"{family} {int(match.group(2))}{match.group(3).lower()}"


def pay_group_sort_key(area: str):
    match = _PAY.match(area.replace(" ", ""))
    if not match:
        return (99, 0, area)
    family = match.group(1).upper()
    return (_PAY_ORDER.get("E" if family == "EG" else family, 50), int(match.group(2)), match.group(3).lower())


_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%Y%m%d")
_EXCEL_EPOCH = date(1899, 12, 30)


def to_date(value: object) -> date | None:
    """Dates as exports write them: 30.06.2025, 2025-06-30, 30.06.25, Excel serial numbers, datetime."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _EXCEL_EPOCH + timedelta(days=int(value)) if 1 <= value < 2958466 else None
    raw = text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    if re.fullmatch(r"[0-9]{5}(\.0+)?", raw):  # a serial number that arrived as text
        return _EXCEL_EPOCH + timedelta(days=int(float(raw)))
    return None


# A typed number cell carries binary noise: 1/3 arrives as 0.3333333333333333, 0.1+0.2 as
# 0.30000000000000004. Working-time shares are ratios of weekly hours or minutes (20/39, 39/82,
# 1170/2460), so their denominators stay far below 10**6. Two different fractions with denominators
# up to 10**6 are at least 10**-12 apart, while a float up to 100 (a percent) is off by less than
# 10**-13, so the nearest such fraction is the intended share and the noise is gone.
_SHARE_DENOMINATOR = 10**6


def _number_fraction(value: int | float) -> Fraction | None:
    """A typed int/float cell as a share; None for nan, inf, negatives and anything above 100 %."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not 0 <= value <= 100:  # compared before any Fraction is built: a 5,000-digit int costs nothing
        return None
    return Fraction(value).limit_denominator(_SHARE_DENOMINATOR)


def to_fraction(value: object) -> Fraction | None:
    """'0,75', '75 %', '75', 0.75 -> 3/4. Values above 1 are read as percent. Negative: None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = _number_fraction(value)
        if number is None:
            return None
        if number > 1:
            number = number / 100
        return number if number <= 1 else None
    # text: the pattern below keeps hostile spellings ("1e999999999", 5,000 digits) away from Fraction
    raw = text(value).replace("%", "").replace("\u00a0", "").strip()
    if not raw:
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", raw):  # 1.000,5 is not a working-time share
        return None
    # plain decimals only: Fraction("1e999999999") would compute 10**999999999 (minutes, gigabytes)
    if not re.fullmatch(r"\d{1,6}([.,]\d{1,12})?|[.,]\d{1,12}|\d{1,6}/\d{1,6}", raw):
        return None
    try:
        number = Fraction(raw.replace(",", "."))
    except (ValueError, ZeroDivisionError):
        return None
    if number < 0:
        return None
    if number > 1:
        number = number / 100
    return number if number <= 1 else None


def to_count(value: object) -> int | None:
    """A non-negative whole number (13, '13', 13.0); None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    raw = text(value)
    # "³".isdigit() is True, int("³") fails; more than 4300 digits is a ValueError in Python
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def to_bool(value: object) -> bool | None:
    word = key(value)
    if word in {"ja", "j", "1", "true", "wahr", "x", "y", "yes"}:
        return True
    if word in {"nein", "n", "0", "false", "falsch", "no", ""}:
        return False
    return None
