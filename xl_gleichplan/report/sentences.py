"""German sentences of the plan draft, generated from protected figures.

The caller passes only values that a protected table shows (``None`` = hidden, see
``rules.privacy.protect``); a sentence never names a hidden value and is phrased without it.
"""
from __future__ import annotations

from fractions import Fraction

from ..model import Number
from ..schema import area_label
from ..texts import count_word, fmt_number, fmt_pct

SEX_PLURAL = {"women": "Frauen", "men": "Männer", "w": "Frauen", "m": "Männer"}
HIDDEN_SHARE = "der Anteil wird aus Datenschutzgründen nicht ausgewiesen"

# Dative phrases ("in ... sind Frauen unterrepräsentiert"): a Laufbahngruppe reads "im höheren
# Dienst", a leadership level "auf der Ebene der Referatsleitungen".
_CAREER = {"einfacher": "im einfachen Dienst", "mittlerer": "im mittleren Dienst",
           "gehobener": "im gehobenen Dienst", "hoeherer": "im höheren Dienst"}
_LEADERSHIP = {"dienststellenleitung": "in der Dienststellenleitung",
               "abteilungsleitung": "auf der Ebene der Abteilungsleitungen",
               "referatsleitung": "auf der Ebene der Referatsleitungen",
               "sachgebietsleitung": "auf der Ebene der Sachgebietsleitungen",
               "vorsitz_richter": "bei den Vorsitzenden Richterinnen und Richtern"}
_STATUS = {"beamte": "bei den Beamtinnen und Beamten", "richter": "bei den Richterinnen und Richtern",
           "tarifbeschaeftigte": "bei den Tarifbeschäftigten",
           "auszubildende": "bei den Auszubildenden, Anwärterinnen und Anwärtern"}
_WORKING_TIME = {"vollzeit": "bei den Vollzeitbeschäftigten", "teilzeit": "bei den Teilzeitbeschäftigten",
                 "altersteilzeit": "bei den Beschäftigten in Altersteilzeit"}
_LEAVE = {"keine": "bei den nicht beurlaubten Beschäftigten",
          "familie": "bei den aus familiären Gründen Beurlaubten",
          "sonstige": "bei den aus sonstigen Gründen Beurlaubten"}
_FIXED_TERM = {"nein": "bei den unbefristet Beschäftigten", "ja": "bei den befristet Beschäftigten"}
# (singular, plural) of the judged dimensions; all are feminine, so "in keiner", "in einer" fit
DIMENSION_NOUNS = {"laufbahngruppe": ("Laufbahngruppe", "Laufbahngruppen"),
                   "besoldungs_entgeltgruppe": ("Besoldungs- oder Entgeltgruppe", "Besoldungs- und Entgeltgruppen"),
                   "fachrichtung": ("Fachrichtung", "Fachrichtungen"),
                   "wertebene": ("Wertebene", "Wertebenen"),
                   "fuehrungsebene": ("Führungsebene", "Führungsebenen")}


def pay_group_noun(area: str) -> str:
    """A 13, B 2, R 1, W 2 are Besoldungsgruppen; E 9b, S 8a, P 7 (and EG ...) Entgeltgruppen."""
    head = area.strip()[:1].upper()
    if head in "ABCRW" and area.strip()[1:2] in " 0123456789":
        return "Besoldungsgruppe"
    if head in "ESP":
        return "Entgeltgruppe"
    return "Besoldungs- oder Entgeltgruppe"


def where(dimension: str, area: str) -> str:
    """'in der Besoldungsgruppe A 13', 'im höheren Dienst', 'im Gremium „Personalrat“' (lower case)."""
    label = area_label(dimension, area)
    fixed = {"laufbahngruppe": _CAREER, "fuehrungsebene": _LEADERSHIP, "statusgruppe": _STATUS,
             "arbeitszeit": _WORKING_TIME, "beurlaubung": _LEAVE, "befristet": _FIXED_TERM}.get(dimension, {})
    if area in fixed:
        return fixed[area]
    return {
        "gesamt": "in der Dienststelle insgesamt",
        "besoldungs_entgeltgruppe": f"in der {pay_group_noun(area)} {label}",
        "laufbahngruppe": f"in der Laufbahngruppe {label}",
        "fuehrungsebene": f"auf der Führungsebene {label}",
        "fachrichtung": f"in der Fachrichtung {label}",
        "wertebene": f"in der Wertebene {label}",
        "gremium": f"im Gremium „{label}“",
    }.get(dimension, f"im Bereich „{label}“")


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def underrepresented(dimension: str, area: str, verdict: str, share: Fraction | None) -> str:
    """'In der Besoldungsgruppe A 13 sind Frauen mit 33,33 % unterrepräsentiert.'

    ``share`` is the underrepresented sex's share, or None when the table hides it."""
    head = f"{capital(where(dimension, area))} sind {SEX_PLURAL[verdict]}"
    if share is None:
        return f"{head} unterrepräsentiert; {HIDDEN_SHARE}."
    return f"{head} mit {fmt_pct(share)} unterrepräsentiert."


def dimension_summary(dimension: str, judged: int, women: int, men: int) -> str | None:
    """How many Bereiche of a dimension have an underrepresented sex (counts of Bereiche, not persons)."""
    if dimension not in DIMENSION_NOUNS or judged == 0:
        return None
    singular, plural = DIMENSION_NOUNS[dimension]
    if judged == 1:
        if women or men:
            return None  # the Bereich's own sentence says it
        return f"In der ausgewerteten {singular} ist kein Geschlecht unterrepräsentiert."
    if not women and not men:
        return f"In keiner der {count_word(judged)} {plural} ist ein Geschlecht unterrepräsentiert."

    def part(k: int, sex: str) -> str:
        return f"in allen {sex}" if k == judged else f"in {count_word(k, True)} {sex}"

    parts = [part(k, sex) for k, sex in ((women, "Frauen"), (men, "Männer")) if k]
    return f"Von den {count_word(judged)} {plural} sind {' und '.join(parts)} unterrepräsentiert."


def stock_overview(stichtag: str, w: Number | None, m: Number | None, share_w: Fraction | None,
                   share_m: Fraction | None, dx: Number | None, total: Number | None, vzae: bool) -> str:
    """The whole Dienststelle in one sentence, with only the shown figures."""
    prefix = "VZÄ " if vzae else ""
    parts = [f"{fmt_number(value)} {prefix}{noun}" + (f" ({fmt_pct(share)})" if share is not None else "")
             for value, share, noun in ((w, share_w, "Frauen"), (m, share_m, "Männer")) if value is not None]
    if dx:
        parts.append(f"{fmt_number(dx)} {prefix}mit dem Eintrag divers oder ohne Angabe")
    verb = "umfasste der Personalbestand" if vzae else "waren in der Dienststelle"
    tail = "" if vzae else " beschäftigt"
    if total is not None:
        unit = "Vollzeitäquivalente (VZÄ)" if vzae else "Personen"
        return (f"Am Stichtag {stichtag} {verb} {fmt_number(total)} {unit}{tail}"
                + (f", davon {_join(parts)}." if parts else "."))
    if parts:
        return (f"Am Stichtag {stichtag} {verb} {_join(parts)}{tail}; die Gesamtzahl wird aus Datenschutzgründen "
                f"nicht ausgewiesen.")
    return f"Die Zahl der Beschäftigten am Stichtag {stichtag} wird aus Datenschutzgründen nicht ausgewiesen."


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} und {parts[-1]}"


def movement_overview(noun: str, w: Number | None, m: Number | None, dx: Number | None, total: Number | None,
                      share_w: Fraction | None, share_m: Fraction | None) -> str:
    """'Von den 30 Bewerbungen entfielen 20 auf Frauen (66,67 %) und 10 auf Männer (33,33 %).'
    ``total`` counts everybody, divers/ohne Angabe too (``dx``, named when not 0)."""
    if total == 0:
        return f"Im Berichtszeitraum gab es keine {noun}."
    if w is not None and m is not None:
        parts = [f"{fmt_number(w)} auf Frauen" + (f" ({fmt_pct(share_w)})" if share_w is not None else ""),
                 f"{fmt_number(m)} auf Männer" + (f" ({fmt_pct(share_m)})" if share_m is not None else "")]
        if dx:
            parts.append(f"{fmt_number(dx)} auf Personen mit dem Eintrag divers oder ohne Angabe")
        if total is not None:
            return f"Von den {fmt_number(total)} {noun} entfielen {_join(parts)}."
        return (f"Von den {noun} entfielen {_join(parts)}; die Zahl der Fälle mit dem Eintrag divers oder ohne "
                f"Angabe und damit die Gesamtzahl werden aus Datenschutzgründen nicht ausgewiesen.")
    if total is not None:
        return (f"Im Berichtszeitraum gab es {fmt_number(total)} {noun}; die Verteilung auf Frauen und Männer wird "
                f"aus Datenschutzgründen nicht ausgewiesen.")
    return f"Die Zahl der {noun} wird aus Datenschutzgründen nicht ausgewiesen."


def share_of(group: str, share_w: Fraction | None, w: Number | None, m: Number | None) -> str | None:
    """'Bei den Teilzeitbeschäftigten beträgt der Frauenanteil 84,51 % (60 Frauen, 11 Männer).'"""
    if share_w is None or w is None or m is None:
        return None
    return (f"{capital(group)} beträgt der Frauenanteil {fmt_pct(share_w)} "
            f"({fmt_number(w)} Frauen, {fmt_number(m)} Männer).")
