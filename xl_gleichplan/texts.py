"""German labels and number/date formats shared by every output (CLI, workbook, plan draft).

Messages about a specific problem are written where the problem is found, next to the code that
knows the file, sheet and cell; the words every output repeats live here.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

from .rules.shares import percent

NARROW_NBSP = "\u202f"

SEVERITY = {"error": "Fehler", "warning": "Warnung", "info": "Hinweis"}
VERDICT = {"women": "Frauen unterrepräsentiert", "men": "Männer unterrepräsentiert", None: "–"}
VERDICT_SHORT = {"women": "Frauen", "men": "Männer", None: ""}
PROCEDURE = {
    "genehmigung": "zur Genehmigung vorzulegen",
    "benehmen": "im Benehmen aufzustellen",
    "kenntnisnahme": "zur Kenntnisnahme vorzulegen",
    "erlass": "zu erlassen",
}
READING = {"anzahl": "I1 – Anteil der vollständig erreichten Zielvorgaben",
           "volumen": "I2 – Anteil der erreichten Personenzahl an allen Zielvorgaben"}
DEADLINE = {
    "stichtag": "Stichtag",
    "flow_window_start": "Berichtszeitraum von",
    "flow_window_end": "Berichtszeitraum bis",
    "plan_due": "Plan fällig bis",
    "adjustment_stichtag": "Stichtag der Anpassung",
    "adjustment_due": "Anpassung fällig bis",
    "next_plan_stichtag": "Stichtag des nächsten Plans",
}


def fmt_int(value: int) -> str:
    """1234 -> '1.234'."""
    return f"{value:,}".replace(",", ".")


def fmt_number(value, decimals: int = 2) -> str:
    """Counts: ints with thousands dots, fractions (VZÄ) with a decimal comma."""
    if value is None:
        return "–"
    if isinstance(value, int) or (isinstance(value, Fraction) and value.denominator == 1):
        return fmt_int(int(value))
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "X").replace(".", ",").replace("X", ".")


def fmt_pct(value: Fraction | None, space: str = NARROW_NBSP) -> str:
    """2259/2998 -> '75,35 %' (half-up to two decimals; see rules.shares.percent)."""
    if value is None:
        return "–"
    number: Decimal = percent(value)
    whole, _, frac = f"{number:.2f}".partition(".")
    return f"{fmt_int(int(whole))},{frac}{space}%"


def fmt_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"
