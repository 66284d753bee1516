"""Law profiles: the parameters of the rules, kept as TOML data (one file per law).

``load_profile("thueringen")`` reads the packaged profile; a path to a ``.toml`` file reads an
office's own. Every value is checked here, so the rules can trust what they get.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from importlib import resources
from pathlib import Path

from ..errors import ProfileError

DEFAULT_PROFILE = "thueringen"


@dataclass(frozen=True)
class Route:
    type: str
    label: str
    body: str
    procedure: str  # genehmigung | benehmen | kenntnisnahme | erlass | keine
    leadership_approver: str
    note: str | None = None
    # how the leadership rule's approver acts: genehmigung (approves), benehmen (the office decides
    # in agreement with), entscheidung (the head or representative body decides itself)
    leadership_procedure: str = "genehmigung"
    source: str | None = None  # where the route comes from (statute, or the product's reading)


ADJUSTMENT = ("ist", "kann", "keine")  # the plan "ist" (must be) / "kann" (may be) adjusted, or no adjustment
DUE_BINDING = ("soll", "ist", "vorschlag")  # "soll" (should; the default), binds, or is the product's suggestion
PLAN_START = ("frei", "nach_frist")  # set by the office, or the day after the plan is due (BGleiG: 1 January)
SIZING = ("haelfte", "mehrheit")  # ceil(V/2) "at least half", or floor(V/2)+1 "more than half"
SECTIONS = ("leadership_rule", "leadership_level_targets")


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    legal_basis: str
    threshold: Fraction
    comparison: str  # "lt" | "le"
    sexes: str  # "both" | "women"
    min_gap: int
    share_basis: str  # "w_m" | "alle"
    count_basis: str  # "koepfe" | "vzae"
    plan_years: int
    adjustment_years: int
    flow_window_years: int
    stichtag_month_day: tuple[int, int]
    due_months: int
    due_counting: str  # "bgb" | "monatsende"
    min_staff: int
    retirement_age: int
    min_cell: int
    leadership_reading: str  # "anzahl" | "volumen"
    leadership_threshold: Fraction
    routing: dict[str, Route]
    aliases: dict[str, str]
    citations: dict[str, str] = field(default_factory=dict)
    adjustment: str = "ist"
    due_binding: str = "soll"
    plan_start: str = "frei"
    sizing: str = "haelfte"
    sections: frozenset[str] = frozenset(SECTIONS)
    publication: str = ""
    readings: tuple[str, ...] = ()  # open readings of the statute, shown in the draft as they are
    career_groups: tuple[str, ...] = ("einfacher", "mittlerer", "gehobener", "hoeherer")
    # dimensions whose areas are Bereiche in the sense of the law (verdicts only there; committees always)
    bereich_dimensions: tuple[str, ...] = ("gesamt", "laufbahngruppe", "besoldungs_entgeltgruppe", "fachrichtung",
                                           "wertebene", "fuehrungsebene")

    def judges(self, dimension: str) -> bool:
        """Whether the areas of ``dimension`` get an underrepresentation verdict: the Bereiche of
        the law, and committees."""
        return dimension == "gremium" or dimension in self.bereich_dimensions

    def cite(self, key: str) -> str:
        """The profile's citation for ``key`` (e.g. "no_personal_data"), or "" when it has none."""
        return self.citations.get(key, "")

    def has(self, section: str) -> bool:
        """Whether a part of the draft and the workbook applies under this law (e.g. "leadership_rule")."""
        return section in self.sections

    @property
    def adjustment_required(self) -> bool:
        """Only a plan that "ist" to be adjusted has an adjustment that can be overdue."""
        return self.adjustment == "ist"

    def route(self, agency_type: str) -> Route:
        """The approval route for a body type (aliases such as ``landtag`` resolved)."""
        code = (agency_type or "").strip().lower()
        code = self.aliases.get(code, code)
        if code not in self.routing:
            # the German labels of the template's drop-down, in its order; the code for --agency-type
            known = ", ".join(f"„{route.label}“ ({code})" for code, route in self.routing.items())
            raise ProfileError(
                f"Die Art der Dienststelle „{agency_type}“ ist im Profil „{self.id}“ nicht vorgesehen. "
                f"Bitte eine dieser Arten angeben: {known}."
            )
        return self.routing[code]


def available_profiles() -> list[str]:
    return list(_shipped())


@lru_cache(maxsize=None)
def _shipped() -> tuple[str, ...]:
    """The profiles shipped in the package (listed once: every workbook read asks)."""
    return tuple(sorted(p.name[:-5] for p in resources.files(__package__).iterdir() if p.name.endswith(".toml")))


def load_profile(name_or_path: str | Path | None = None) -> Profile:
    """The profile by name (packaged) or path (an office's own .toml); packaged ones are cached."""
    name = str(name_or_path or DEFAULT_PROFILE)
    if not name.endswith(".toml"):
        return _packaged(name)
    return _load(name)


@lru_cache(maxsize=None)
def _packaged(name: str) -> Profile:
    return _load(name)


def _load(name: str) -> Profile:
    if name.endswith(".toml"):
        path = Path(name)
        if not path.is_file():
            raise ProfileError(f"Die Profildatei „{path}“ wurde nicht gefunden.")
        try:
            text, origin = path.read_text(encoding="utf-8-sig"), str(path)
        except UnicodeDecodeError:
            raise ProfileError(f"Die Profildatei „{path}“ ist nicht in UTF-8 gespeichert. Bitte als UTF-8 speichern.") from None
    else:
        if name not in available_profiles():
            raise ProfileError(
                f"Das Rechtsprofil „{name}“ ist unbekannt. Verfügbare Profile: "
                f"{', '.join(available_profiles())} (oder der Pfad zu einer eigenen .toml-Datei)."
            )
        text, origin = resources.files(__package__).joinpath(f"{name}.toml").read_text("utf-8"), name
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"Das Rechtsprofil „{origin}“ ist keine gültige TOML-Datei: {exc}.") from None
    return _parse(data, origin)


def _parse(data: dict, origin: str) -> Profile:
    def get(section: str, key: str, kind, allowed=None):
        try:
            value = data[section][key] if section else data[key]
        except (KeyError, TypeError):
            where = f"[{section}] {key}" if section else key
            raise ProfileError(f"Im Rechtsprofil „{origin}“ fehlt der Eintrag {where}.") from None
        if kind is Fraction:
            try:
                value = Fraction(str(value))
            except (ValueError, ZeroDivisionError):
                raise ProfileError(
                    f"Im Rechtsprofil „{origin}“ ist [{section}] {key} = {value!r} keine Zahl "
                    f"(erlaubt z. B. \"2/5\" oder \"0.4\")."
                ) from None
        elif not isinstance(value, kind) or isinstance(value, bool) and kind is int:
            raise ProfileError(f"Im Rechtsprofil „{origin}“ hat [{section}] {key} den falschen Typ: {value!r}.")
        if allowed is not None and value not in allowed:
            raise ProfileError(
                f"Im Rechtsprofil „{origin}“ ist [{section}] {key} = {value!r} nicht erlaubt; "
                f"erlaubt: {', '.join(map(str, allowed))}."
            )
        return value

    threshold = get("underrepresentation", "threshold", Fraction)
    comparison = get("underrepresentation", "comparison", str, ("lt", "le"))
    sexes = get("underrepresentation", "sexes", str, ("both", "women"))
    if not 0 < threshold <= Fraction(1, 2) or (sexes == "both" and comparison == "le" and threshold == Fraction(1, 2)):
        # with both sexes, a threshold above one half (or "at most one half") would flag both at once
        raise ProfileError(
            f"Im Rechtsprofil „{origin}“ muss die Schwelle [underrepresentation] threshold zwischen 0 und 1/2 liegen."
        )
    month_day = get("periods", "stichtag", str)
    try:
        month, day = (int(p) for p in month_day.split("-"))
        date(2000, month, day)
    except ValueError:
        raise ProfileError(f"Im Rechtsprofil „{origin}“ ist [periods] stichtag = {month_day!r} kein Datum MM-TT.") from None

    def section(key: str) -> dict:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            raise ProfileError(f"Im Rechtsprofil „{origin}“ muss [{key}] eine Tabelle sein, nicht {value!r}.")
        return value

    def words(table: dict, where: str, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = table.get(key, default)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ProfileError(f"Im Rechtsprofil „{origin}“ muss [{where}] {key} eine Liste von Texten sein.")
        return tuple(value)

    def at_least(section_: str, key: str, low: int) -> int:
        value = get(section_, key, int)
        if value < low:
            raise ProfileError(f"Im Rechtsprofil „{origin}“ muss [{section_}] {key} mindestens {low} sein, nicht {value}.")
        return value

    leadership_threshold = get("leadership", "threshold", Fraction)
    if not 0 < leadership_threshold <= 1:
        raise ProfileError(
            f"Im Rechtsprofil „{origin}“ muss die Schwelle [leadership] threshold zwischen 0 und 1 liegen."
        )
    min_cell = get("privacy", "min_cell", int)
    if not 1 <= min_cell <= 10:
        raise ProfileError(f"Im Rechtsprofil „{origin}“ muss [privacy] min_cell zwischen 1 und 10 liegen.")
    routing = {}
    for code, entry in section("routing").items():
        if not isinstance(entry, dict) or not {"label", "body", "procedure", "leadership_approver"} <= entry.keys():
            raise ProfileError(
                f"Im Rechtsprofil „{origin}“ ist [routing.{code}] unvollständig "
                f"(nötig: label, body, procedure, leadership_approver)."
            )
        if not all(isinstance(v, str) for k, v in entry.items() if k in Route.__dataclass_fields__):
            raise ProfileError(f"Im Rechtsprofil „{origin}“ müssen die Einträge von [routing.{code}] Texte sein.")
        lead_procedure = entry.get("leadership_procedure", "genehmigung")
        if lead_procedure not in ("genehmigung", "benehmen", "entscheidung"):
            raise ProfileError(f"Im Rechtsprofil „{origin}“ ist [routing.{code}] leadership_procedure = "
                               f"{lead_procedure!r} nicht erlaubt; erlaubt: genehmigung, benehmen, entscheidung.")
        routing[code] = Route(code, entry["label"], entry["body"], entry["procedure"],
                              entry["leadership_approver"], entry.get("note"), lead_procedure, entry.get("source"))
    if not routing:
        raise ProfileError(f"Im Rechtsprofil „{origin}“ fehlt die Zuständigkeitstabelle [routing.*].")
    aliases = {str(k): str(v) for k, v in section("aliases").items()}
    for alias, target in aliases.items():
        if target not in routing:
            raise ProfileError(f"Im Rechtsprofil „{origin}“ verweist [aliases] {alias} auf die unbekannte Art „{target}“.")
    citations = {str(k): v for k, v in section("citations").items()}
    if not all(isinstance(v, str) for v in citations.values()):
        raise ProfileError(f"Im Rechtsprofil „{origin}“ müssen die Einträge von [citations] Texte sein.")
    plan = section("plan")
    sections = words(plan, "plan", "sections", SECTIONS)
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise ProfileError(f"Im Rechtsprofil „{origin}“ nennt [plan] sections unbekannte Teile: {', '.join(unknown)}; "
                           f"erlaubt: {', '.join(SECTIONS)}.")

    def choice(table: dict, where: str, key: str, allowed: tuple[str, ...]) -> str:
        value = table.get(key, allowed[0])
        if value not in allowed:
            raise ProfileError(f"Im Rechtsprofil „{origin}“ ist [{where}] {key} = {value!r} nicht erlaubt; "
                               f"erlaubt: {', '.join(allowed)}.")
        return value

    periods = section("periods")
    publication = plan.get("publication", "")
    if not isinstance(publication, str):
        raise ProfileError(f"Im Rechtsprofil „{origin}“ muss [plan] publication ein Text sein.")
    return Profile(
        id=get("", "id", str),
        name=get("", "name", str),
        legal_basis=get("", "legal_basis", str),
        threshold=threshold,
        comparison=comparison,
        sexes=sexes,
        min_gap=at_least("underrepresentation", "min_gap", 0),
        share_basis=get("counting", "share_basis", str, ("w_m", "alle")),
        count_basis=get("counting", "count_basis", str, ("koepfe", "vzae")),
        plan_years=at_least("periods", "plan_years", 1),
        adjustment_years=at_least("periods", "adjustment_years", 1),
        flow_window_years=at_least("periods", "flow_window_years", 1),
        stichtag_month_day=(month, day),
        due_months=at_least("periods", "due_months", 1),
        due_counting=get("periods", "due_counting", str, ("bgb", "monatsende")),
        min_staff=at_least("plan", "min_staff", 0),
        retirement_age=at_least("plan", "retirement_age", 1),
        min_cell=min_cell,
        leadership_reading=get("leadership", "reading", str, ("anzahl", "volumen")),
        leadership_threshold=leadership_threshold,
        routing=routing,
        aliases=aliases,
        citations=citations,
        adjustment=choice(periods, "periods", "adjustment", ADJUSTMENT),
        due_binding=choice(periods, "periods", "due_binding", DUE_BINDING),
        plan_start=choice(periods, "periods", "plan_start", PLAN_START),
        sizing=choice(plan, "plan", "sizing", SIZING),
        sections=frozenset(sections),
        publication=publication,
        readings=words(plan, "plan", "readings", ()),
        career_groups=words(section("values"), "values", "laufbahngruppe", Profile.career_groups),
        bereich_dimensions=words(data["underrepresentation"], "underrepresentation", "dimensions",
                                 Profile.bereich_dimensions),
    )
