"""What real HR exports write, and the codes it means: sexes, Bereiche, pay groups, dates, numbers.

Each normaliser takes one raw cell value (str, float, datetime from calamine) and returns the code,
or ``None`` when the value cannot be understood. The importer calls them once per distinct value.
"""
from __future__ import annotations

import math
import re
import tomllib
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


def writable(value: str) -> str:
    """``value`` with each character no output could hold replaced by a visible "\ufffd"."""
    if not value.isprintable() and _UNWRITABLE.search(value):
        return _UNWRITABLE.sub("\ufffd", value)
    return value


def text(value: object) -> str:
    """A cell value as text; 13.0 from a spreadsheet becomes '13'. Every text from outside passes
    here: characters no output could hold (an ESC in a Bereich would stop the writers) become a
    visible "\ufffd", so the clerk sees that something was there."""
    if type(value) is str:
        return writable(value).strip()
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return text(str(value))


# Synonyms seen in exports (besides each code and its label) and the word parts of bundled values
# ("Sonderurlaub aus familiären Gründen"): data, in data/exportvokabular.toml.
EXPORT_VOCABULARY = "exportvokabular.toml"


@lru_cache(maxsize=1)
def export_vocabulary() -> dict:
    from importlib import resources

    return tomllib.loads(resources.files("xl_gleichplan.data").joinpath(EXPORT_VOCABULARY).read_text("utf-8"))


def _value_tables() -> tuple[dict[str, dict[str, str]], dict[str, tuple[list, list]]]:
    data = export_vocabulary()
    tables = {}
    for dim, codes in {"geschlecht": SEXES, **VALUES, "vorgang": {**MOVEMENT_KINDS, POSTING_KIND: POSTING_KIND}}.items():
        synonyms = data.get("werte", {}).get(dim, {})
        tables[dim] = {key(word): c for c, label in codes.items() for word in (c, label, *synonyms.get(c, []))}
    rules = data.get("werte_enthalten", {})
    parts = {dim: ([(key(a), b) for a, b in rule.get("regeln", [])], [key(w) for w in rule.get("ausser", [])])
             for dim, rule in rules.items() if isinstance(rule, dict)}
    return tables, parts, [key(w) for w in rules.get("verneinung", [])]


_VOCAB, _PARTS, _NEGATIONS = _value_tables()
# a negation is a word of the value: "keine Teilzeit", "Nicht-Beamte", "ohne Beurlaubung"; not a part of
# one ("nichttechnischer Dienst"); "Sonderurlaub ohne Bezüge" has a rule of its own
_NEGATED = re.compile(r"(?<![a-zäöüß])(" + "|".join(map(re.escape, _NEGATIONS)) + r")(?![a-zäöüß])", re.IGNORECASE)


def code(dimension: str, value: object) -> str | None:
    """The code of a value in a dimension with a known vocabulary, or None if unknown. A value that is
    no known spelling is matched by its word parts ("Beamter auf Widerruf" -> auszubildende)."""
    word = key(value)
    found = _VOCAB[dimension].get(word)
    if found is not None or not word or dimension not in _PARTS:
        return found
    rules, unless = _PARTS[dimension]
    if any(u in word for u in unless) or (_NEGATIONS and _NEGATED.search(text(value)) and
                                          not any(part in word for part, _ in rules if "ohne" in part)):
        return None
    return next((c for part, c in rules if part in word), None)


@lru_cache(maxsize=1)
def _surnames() -> re.Pattern:
    names = sorted(set(export_vocabulary()["namen"]["nachnamen"]), key=len, reverse=True)
    return re.compile(r"(?<![\w])(" + "|".join(map(re.escape, names)) + r")(?![\w])")


def personal_reason(value: object) -> str | None:
    """Why a value that should name a Bereich looks like personal data (a date, a personnel number,
    a name), or None."""
    from ..schema import PERSONAL_TEXT_PATTERNS

    raw = text(value)
    for pattern, what in PERSONAL_TEXT_PATTERNS:
        if pattern.search(raw):
            return what
    return "ein Nachname" if _surnames().search(raw) else None


def has_vocabulary(dimension: str) -> bool:
    return dimension in _VOCAB


_PAY = re.compile(r"^(EG|E|A|B|C|R|W|S|SUE|P|KR)\s*[-.]?\s*(\d{1,2})\s*([A-C]?)$", re.IGNORECASE)
_PAY_ORDER = {"A": 0, "B": 1, "C": 2, "R": 3, "W": 4, "E": 5, "S": 6, "SUE": 7, "P": 8, "KR": 9, "AT": 10}
# What exports put around a pay group: the agreement or a label before it ("TV-L E 13", "BesGr A 13"),
# an Amtszulage after it ("A 13 Z", "A13+Z", "A 13 mit Amtszulage"), the Überleitungs-Entgeltgruppe
# of TV-L/TVöD ("E 15 Ü", "EG 15Ue").
_PAY_PREFIX = re.compile(r"^(TV-?[LH]|TV-?[ÖO]E?D|TV-?V|BES\.?\s*GR\.?|BESOLDUNGSGRUPPE|ENTG\.?\s*GR\.?|"
                         r"ENTGELTGRUPPE|VERG\.?\s*GR\.?|VERGÜTUNGSGRUPPE)\s*[:.]?\s*", re.IGNORECASE)
_PAY_ALLOWANCE = re.compile(r"\s*(\+\s*Z|MIT\s+Z|MIT\s+AMTSZULAGE|M\.?\s*Z\.?|Z)$", re.IGNORECASE)
_PAY_TRANSITION = re.compile(r"\s*(Ü|UE)$", re.IGNORECASE)
_PAY_OUTSIDE = {"at", "aussertariflich", "atbeschaeftigte", "atangestellte", "aussertariflichbeschaeftigte"}


def _pay_parts(raw: str):
    """(family, number, letter, suffix) of a pay group, or None."""
    rest = _PAY_PREFIX.sub("", raw.strip())
    suffix = ""
    for pattern, word in ((_PAY_TRANSITION, " Ü"), (_PAY_ALLOWANCE, " Z")):
        stripped = pattern.sub("", rest)
        if stripped != rest and re.search(r"\d[A-Ca-c]?$", stripped.strip()):
            rest, suffix = stripped.strip(), word
            break
    match = _PAY.match(rest.replace(" ", "")) or _PAY.match(rest)
    if not match:
        return None
    family = match.group(1).upper()
    return ("E" if family == "EG" else family), int(match.group(2)), match.group(3).lower(), suffix


def pay_group(value: object) -> str:
    """'A13', 'a 13', 'A-13' -> 'A 13'; 'E9b', 'EG 9b' -> 'E 9b'; 'A13 Z', 'A 13Z' -> 'A 13 Z';
    'E 15Ü', 'EG 15 Ue' -> 'E 15 Ü'; 'außertariflich' -> 'AT'. Other values are kept as written."""
    raw = text(value)
    if key(raw) in _PAY_OUTSIDE:
        return "AT"
    parts = _pay_parts(raw)
    if parts is None:
        return re.sub(r"\s+", " ", raw)
    family, number, letter, suffix = parts
    return f"{family} {number}{letter}{suffix}"


def is_pay_group(value: object) -> bool:
    """Whether a value is written like a pay group (A 13, E 9b, W 2, AT ...)."""
    raw = text(value)
    return key(raw) in _PAY_OUTSIDE or _pay_parts(raw) is not None


def pay_group_sort_key(area: str):
    if area == "AT":
        return (_PAY_ORDER["AT"], 0, "", "")
    parts = _pay_parts(area)
    if parts is None:
        return (99, 0, area, "")
    family, number, letter, suffix = parts
    return (_PAY_ORDER.get(family, 50), number, letter, suffix)


_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%Y%m%d")
_EXCEL_EPOCH = date(1899, 12, 30)
_ANY_DIGIT = re.compile(r"\d")  # as strptime's %d, %m, %Y: any Unicode decimal digit
_DOTTED_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")  # what "%d.%m.%Y" reads, in ASCII digits


def to_date(value: object) -> date | None:
    """Dates as exports write them: 30.06.2025, 2025-06-30, 30.06.25, Excel serial numbers, datetime."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _EXCEL_EPOCH + timedelta(days=int(value)) if 1 <= value < 2958466 else None
    raw = text(value)
    if not _ANY_DIGIT.search(raw):
        return None  # every form below needs a digit (the header search asks this of every word)
    dotted = _DOTTED_DATE.fullmatch(raw)
    if dotted:  # the German form, most dates of an export: a fifth of strptime's time
        try:
            return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        except ValueError:
            pass  # 31.02.2025: strptime refuses it as well, the other forms decide
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
