"""Runs every rule on a Dataset: the one place that turns counts into verdicts.

The CLI, the workbook writer, the plan draft, the add-in and the consolidation all read an
``Analysis``; ``Analysis.to_dict()`` is the JSON that scripts get.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from .model import Counts, Dataset, Finding, Number, Target
from .profiles import Profile, Route
from .rules.deadlines import Deadlines, deadlines
from .rules.leadership import LeadershipResult, leadership_rule
from .rules.routing import approval, plan_required
from .rules.shares import shares, underrepresented
from .rules.targets import target_met


@dataclass(frozen=True)
class AreaResult:
    dimension: str
    area: str
    counts: Counts
    share_women: Fraction | None
    share_men: Fraction | None
    underrepresented: str | None  # "women" | "men" | None
    kind: str | None = None  # movement kind, or None for stock and committees

    def to_dict(self) -> dict:
        c = self.counts
        row = {"kind": self.kind} if self.kind else {}
        row.update(dimension=self.dimension, area=self.area, women=_num(c.w), men=_num(c.m),
                   diverse=_num(c.d), unknown=_num(c.x), share_women=_num(self.share_women),
                   share_men=_num(self.share_men), underrepresented=self.underrepresented)
        return row


@dataclass(frozen=True)
class SuccessRate:
    dimension: str
    area: str
    women: Fraction | None  # hirings / applications of women
    men: Fraction | None


@dataclass
class Analysis:
    profile: Profile
    dataset: Dataset
    route: Route
    plan_required: bool
    deadlines: Deadlines
    areas: list[AreaResult]
    movements: list[AreaResult]
    committees: list[AreaResult]
    success_rates: list[SuccessRate]
    targets: list[tuple[Target, bool | None]]
    leadership: LeadershipResult
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        ds, lead, dl = self.dataset, self.leadership, self.deadlines
        return {
            "profile": self.profile.id,
            "agency": {"name": ds.agency.name, "type": self.route.type, "parent": ds.agency.parent,
                       "staff": ds.heads, "plan_required": self.plan_required},
            "areas": [a.to_dict() for a in self.areas],
            "movements": [a.to_dict() for a in self.movements],
            "postings": [{"dimension": d, "area": a, "count": n} for (d, a), n in ds.postings.items()],
            "success_rates": [{"dimension": s.dimension, "area": s.area, "women": _num(s.women),
                               "men": _num(s.men)} for s in self.success_rates],
            "committees": [a.to_dict() for a in self.committees],
            "targets": [{"id": t.id, "dimension": t.dimension, "area": t.area, "sex": t.sex,
                         "target": t.target, "achieved": t.achieved, "met": met,
                         "leadership": t.leadership, "deadline": _date(t.deadline)}
                        for t, met in self.targets],
            "forecast": [{"dimension": d, "area": a, "women": _num(c.w), "men": _num(c.m),
                          "diverse": _num(c.d), "unknown": _num(c.x)} for (d, a), c in ds.forecast.items()],
            "leadership_rule": {"targets": lead.targets, "assessed": lead.assessed,
                                "count_reading": _num(lead.count_reading),
                                "volume_reading": _num(lead.volume_reading), "reading": lead.reading,
                                "approval_required": lead.approval_required, "approver": lead.approver},
            "approval": {"body": self.route.body, "procedure": self.route.procedure, "note": self.route.note},
            "deadlines": {k: _date(getattr(dl, k)) for k in dl.__dataclass_fields__},
            "findings": [f.to_dict() for f in self.findings],
        }


def _num(value):
    """JSON number: ints stay ints, fractions become floats (exact values stay inside the model)."""
    if value is None or isinstance(value, int):
        return value
    return float(value)


def _date(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _stichtag_findings(dataset: Dataset, profile: Profile) -> list[Finding]:
    """A Stichtag other than the law's day (ThürGleichG § 5 Abs. 1: 30 June) is named, not taken silently."""
    month, day = profile.stichtag_month_day
    if (dataset.stichtag.month, dataset.stichtag.day) == (month, day):
        return []
    from .schema import METADATA_SHEET

    source = f" ({profile.cite('stichtag')})" if profile.cite("stichtag") else ""
    return [Finding("warning", f"Der Stichtag {dataset.stichtag:%d.%m.%Y} ist nicht der {day:02d}.{month:02d}., den "
                               f"das Rechtsprofil „{profile.id}“ vorsieht{source}. Bitte den Stichtag prüfen; die "
                               f"Fristen werden ab dem angegebenen Tag berechnet.",
                    dataset.file, METADATA_SHEET if dataset.stichtag_cell else None, dataset.stichtag_cell)]


def _verdicts(rows, profile: Profile, kind: str | None = None) -> list[AreaResult]:
    """Shares for every row; the underrepresentation verdict only where the row is a Bereich of the
    law (profile.bereich_dimensions) or a committee."""
    out = []
    for (dimension, area), counts in rows:
        sw, sm = shares(counts, profile.share_basis)
        verdict = underrepresented(counts, profile, (sw, sm)) if profile.judges(dimension) else None
        out.append(AreaResult(dimension, area, counts, sw, sm, verdict, kind))
    return out


def unfitting_targets(targets: list[Target], areas: list[AreaResult]) -> list[Target]:
    """The Zielvorgaben set for a sex that is not underrepresented in their Bereich at the Stichtag
    (one is required where it is, § 4 Abs. 3); a Bereich not among ``areas`` is not judged."""
    from .schema import VERDICT_SEX

    verdicts = {(a.dimension, a.area): a.underrepresented for a in areas}
    return [t for t in targets if (t.dimension, t.area) in verdicts
            and VERDICT_SEX.get(verdicts[(t.dimension, t.area)] or "") != t.sex]


def _target_warnings(dataset: Dataset, areas: list[AreaResult]) -> list[Finding]:
    """Each unfitting Zielvorgabe is flagged, so the office checks or explains it."""
    from .schema import DIMENSIONS, SEX_WORDS, SHEETS, area_label

    return [Finding("warning",
                    f"Zielvorgabe {t.id} gilt für {SEX_WORDS.get(t.sex, t.sex)} in {DIMENSIONS.get(t.dimension, t.dimension)} "
                    f"{area_label(t.dimension, t.area)}; dort sind {SEX_WORDS.get(t.sex, t.sex)} am Stichtag nicht "
                    f"unterrepräsentiert. Bitte prüfen, ob die Zielvorgabe noch nötig ist, und sie sonst im Plan "
                    f"begründen.", *((t.file, t.sheet) if t.file else (dataset.file, SHEETS["targets"].name)), t.cell)
            for t in unfitting_targets(dataset.targets, areas)]


def analyse(dataset: Dataset, profile: Profile) -> Analysis:
    route = approval(dataset.agency.type, profile)
    movements = [r for (kind, dim, area), counts in dataset.movements.items()
                 for r in _verdicts([((dim, area), counts)], profile, kind)]
    rates = []
    for (kind, dim, area), applied in dataset.movements.items():
        if kind == "bewerbung":
            hired = dataset.movements.get(("einstellung", dim, area), Counts())
            rates.append(SuccessRate(dim, area, _rate(hired.w, applied.w), _rate(hired.m, applied.m)))
    areas = _verdicts(dataset.stock.items(), profile)
    return Analysis(
        profile=profile,
        dataset=dataset,
        route=route,
        plan_required=plan_required(dataset.heads, profile),
        deadlines=deadlines(dataset.stichtag, profile),
        areas=areas,
        movements=movements,
        committees=_verdicts([(("gremium", name), c) for name, c in dataset.committees.items()], profile),
        success_rates=rates,
        targets=[(t, target_met(t)) for t in dataset.targets],
        leadership=leadership_rule(dataset.targets, profile, dataset.agency.type, dataset.stichtag),
        findings=list(dataset.findings) + _stichtag_findings(dataset, profile) + _target_warnings(dataset, areas),
    )


@dataclass(frozen=True)
class Suggestion:
    """Sizing of a Zielvorgabe for one underrepresented Bereich (§ 4 Abs. 3), from the forecast."""

    dimension: str
    area: str
    sex: str  # "w" | "m": the underrepresented sex
    size: Number  # W + M in the Bereich
    current: Number  # persons of that sex now
    vacancies: Number  # expected departures in the plan period (all sexes)
    departures: Number  # of which of that sex
    vacancy_target: int  # the profile's share of the vacancies (at least half, or more than half)
    hires_for_threshold: int  # hires needed to reach the threshold share by the plan end
    infeasible: bool  # more hires needed than posts become vacant
    cascade_share: Fraction | None  # leadership levels: the share at the level below


def target_suggestions(analysis: "Analysis") -> list[Suggestion]:
    """One suggestion per underrepresented stock Bereich; the plan draft and the add-in show them."""
    from .rules.targets import cascade, hires_needed, vacancy_target
    from .schema import LEADERSHIP_LEVELS, VERDICT_SEX

    ds, profile = analysis.dataset, analysis.profile
    levels = {a.area: a for a in analysis.areas if a.dimension == "fuehrungsebene"}
    present = [lvl for lvl in LEADERSHIP_LEVELS if lvl in levels]
    out = []
    for a in analysis.areas:
        if a.underrepresented is None or a.dimension == "gesamt":
            continue
        sex = VERDICT_SEX[a.underrepresented]
        forecast = ds.forecast.get((a.dimension, a.area), Counts())
        vacancies = forecast.total
        size, current = a.counts.w + a.counts.m, a.counts.get(sex)
        needed = hires_needed(profile.threshold, _ceil_int(size), _ceil_int(current), _ceil_int(forecast.get(sex)),
                              _ceil_int(vacancies))
        cascade_share = None
        if a.dimension == "fuehrungsebene" and a.area in present:
            own = [(levels[lvl].share_women if sex == "w" else levels[lvl].share_men) for lvl in present]
            cascade_share = cascade(own)[present.index(a.area)]
        out.append(Suggestion(a.dimension, a.area, sex, size, current, vacancies, forecast.get(sex),
                              vacancy_target(_ceil_int(vacancies), profile.sizing), needed.hires, needed.infeasible, cascade_share))
    return out


def _ceil_int(value) -> int:
    """Heads are ints already; VZÄ fractions are rounded up to whole posts for the sizing helpers."""
    return -(-Fraction(value).numerator // Fraction(value).denominator)


def _rate(hired, applied) -> Fraction | None:
    return None if not applied else Fraction(hired) / Fraction(applied)
