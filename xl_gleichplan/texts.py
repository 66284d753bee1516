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
    "keine": "ohne Vorlage und ohne Benehmen aufzustellen",
}
# How the body of the leadership rule acts (ThürGleichG § 4 Abs. 6 distinguishes them); a sentence tail
LEADERSHIP_PROCEDURE = {
    "genehmigung": "bedarf jede weitere Einstellung, Beförderung oder Höhergruppierung in eine Führungsposition der "
                   "Genehmigung durch {who}",
    "benehmen": "ist über jede weitere Einstellung, Beförderung oder Höhergruppierung in eine Führungsposition im "
                "Benehmen mit der zuständigen Stelle zu entscheiden: {who}",
    "entscheidung": "entscheidet über jede weitere Einstellung, Beförderung oder Höhergruppierung in eine "
                    "Führungsposition {who}",
}
# the result of the leadership rule (ThürGleichG § 4 Abs. 6); the template's formula writes the same words
APPROVAL = {True: "greift", False: "greift nicht", None: "noch nicht bewertbar"}
# the profile's share of the vacancies (Profile.sizing): ceil(V/2) or, FrFG LSA § 20 Abs. 3, floor(V/2)+1
SIZING_SHARE = {"haelfte": "mindestens die Hälfte", "mehrheit": "mehr als die Hälfte"}
READING = {"anzahl": "I1 – Anteil der vollständig erreichten Zielvorgaben",
           "volumen": "I2 – Anteil der erreichten Personenzahl an allen Zielvorgaben"}
# the labels of the deadlines every profile has; the others are worded per profile (deadline_labels)
DEADLINE = {
    "stichtag": "Stichtag",
    "flow_window_start": "Berichtszeitraum von",
    "flow_window_end": "Berichtszeitraum bis",
    "next_plan_stichtag": "Stichtag des nächsten Plans",
}
# "soll ... nicht überschreiten" is no hard deadline (ThürGleichG § 4 Abs. 1 Satz 4); BGleiG § 12 Abs. 2 is
DUE_WORDS = {"soll": "soll vorliegen bis", "ist": "ist zu erstellen bis",
             "vorschlag": "vorlegen bis (Vorschlag; gesetzlich nicht festgelegt)"}


def deadline_labels(profile) -> list[tuple[str, str]]:
    """(Deadlines field, German label) for a profile: its own words for the due date, no
    adjustment where the law has none, the plan period where the law fixes it."""
    due = DUE_WORDS[profile.due_binding]
    out = [(k, DEADLINE[k]) for k in ("stichtag", "flow_window_start", "flow_window_end")]
    out.append(("plan_due", f"Plan {due}"))
    if profile.plan_start != "frei":
        out += [("plan_start", "Geltungsdauer ab"), ("plan_end", "Geltungsdauer bis")]
    if profile.adjustment != "keine":
        may = " (kann angepasst werden)" if profile.adjustment == "kann" else ""
        out += [("adjustment_stichtag", f"Stichtag der Anpassung{may}"), ("adjustment_due", f"Anpassung {due}")]
    out.append(("next_plan_stichtag", DEADLINE["next_plan_stichtag"]))
    return out


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


_WORDS = {2: "zwei", 3: "drei", 4: "vier", 5: "fünf", 6: "sechs", 7: "sieben", 8: "acht", 9: "neun",
          10: "zehn", 11: "elf", 12: "zwölf"}


def count_word(n: int, feminine_dative: bool = False) -> str:
    """Small numbers as words, as German prose writes them ("in einer von drei")."""
    if n == 1:
        return "einer" if feminine_dative else "eins"
    return _WORDS.get(n, fmt_number(n))


def fmt_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"
