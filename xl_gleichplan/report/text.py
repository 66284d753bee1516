"""The terminal summary of an Analysis (``compute --format table``)."""
from __future__ import annotations

import re

from ..analysis import Analysis
from ..io.findings import message_text
from ..schema import DIMENSIONS, MOVEMENT_KINDS, area_label
from ..texts import (APPROVAL, LEADERSHIP_PROCEDURE, PROCEDURE, READING, SEVERITY, VERDICT_SHORT, deadline_labels,
                     fmt_date, fmt_number, fmt_pct)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda r: "  ".join(str(x).rjust(w) if i else str(x).ljust(w) for i, (x, w) in enumerate(zip(r, widths)))  # noqa: E731
    return "\n".join([line(header), "  ".join("-" * w for w in widths), *map(line, rows)])


def _area_rows(results, kinds: bool = False) -> list[list[str]]:
    rows = []
    for r in results:
        c = r.counts
        label = f"{DIMENSIONS.get(r.dimension, r.dimension)}: {area_label(r.dimension, r.area)}"
        if kinds:
            label = f"{MOVEMENT_KINDS.get(r.kind, r.kind)} – {label}"
        rows.append([label, fmt_number(c.w), fmt_number(c.m), fmt_number(c.d + c.x), fmt_number(c.total),
                     fmt_pct(r.share_women, " "), VERDICT_SHORT[r.underrepresented]])
    return rows


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Names come from input files: an escape sequence in one must not drive the clerk's terminal."""
    return _CONTROL.sub("\ufffd", text)


def render(a: Analysis) -> str:
    ds, p, lead = a.dataset, a.profile, a.leadership
    header = ["Bereich", "Frauen", "Männer", "d/x", "gesamt", "Frauenanteil", "unterrepräsentiert"]
    out = [
        f"Dienststelle: {ds.agency.name} ({a.route.label})",
        f"Rechtsgrundlage: {p.cite('basis') or p.legal_basis} – Profil „{p.id}“, Schwelle {fmt_pct(p.threshold, ' ')} "
        f"({'strikt darunter' if p.comparison == 'lt' else 'darunter oder gleich'}), Zählbasis {p.count_basis}",
        f"Beschäftigte: {ds.heads} – "
        + (f"Planpflicht ab {p.min_staff}: {'ja' if a.plan_required else 'nein, keine Pflicht zur Aufstellung'}"
           if p.min_staff else "Planpflicht: ja (jede Dienststelle)"),
        f"Plan: {PROCEDURE.get(a.route.procedure, a.route.procedure)}; zuständige Stelle: {a.route.body}"
        + (f" (Hinweis: {a.route.note})" if a.route.note else ""),
        "",
        "Fristen:",
        *[f"  {label}: {fmt_date(getattr(a.deadlines, k))}" for k, label in deadline_labels(p)],
        "",
        "Bestand nach Bereichen:",
        _table(header, _area_rows(a.areas)),
    ]
    if a.movements:
        out += ["", "Personalbewegungen im Berichtszeitraum:", _table(header, _area_rows(a.movements, kinds=True))]
    if a.committees:
        out += ["", "Gremien:", _table(header, _area_rows(a.committees))]
    if a.targets:
        rows = [[t.id, f"{DIMENSIONS.get(t.dimension, t.dimension)}: {area_label(t.dimension, t.area)}",
                 "Frauen" if t.sex == "w" else "Männer", str(t.target),
                 "–" if t.achieved is None else str(t.achieved),
                 {True: "erreicht", False: "nicht erreicht", None: "offen"}[met], "ja" if t.leadership else "nein"]
                for t, met in a.targets]
        out += ["", "Zielvorgaben:", _table(["Nr.", "Bereich", "für", "Ziel", "erreicht", "Stand", "Führung"], rows)]
    if p.has("leadership_rule"):
        verdict = {True: f"die Regel {APPROVAL[True]}: bis zur Erreichung der Zielvorgaben "
                         + LEADERSHIP_PROCEDURE[a.route.leadership_procedure].format(who=lead.approver),
                   False: f"die Regel {APPROVAL[False]}",
                   None: f"{APPROVAL[None]} (keine Zielerreichung erfasst)"}[lead.approval_required]
        out += ["", f"50-%-Regel für Führungspositionen ({p.cite('leadership_rule')}):",
                f"  Führungs-Zielvorgaben: {lead.targets}, davon bewertet: {lead.assessed}",
                f"  I1 (Anzahl): {fmt_pct(lead.count_reading, ' ')}   I2 (Umfang): {fmt_pct(lead.volume_reading, ' ')}",
                f"  maßgeblich: {READING[lead.reading]}",
                f"  Ergebnis: {verdict}"]
    if a.findings:
        out += ["", f"Prüfhinweise zu den Daten ({len(a.findings)}):", *("  " + finding_line(f) for f in a.findings)]
    return _printable("\n".join(out))


def listed_findings(findings) -> str:
    """The first findings as lines, then how many more (as the importers list bad rows)."""
    from ..io.findings import MAX_ROWS_LISTED

    lines = ["  " + finding_line(f) for f in findings[:MAX_ROWS_LISTED]]
    rest = len(findings) - MAX_ROWS_LISTED
    return "\n".join(lines + ([f"  … und {rest} weitere"] if rest > 0 else []))


def finding_line(f) -> str:
    """[Fehler] datei.xlsx, Bestand, Zelle C7: what to do."""
    where = ", ".join(x for x in (f.file, f.sheet, f.cell and f"Zelle {f.cell}") if x)
    return _printable(f"[{SEVERITY[f.severity]}] {where + ': ' if where else ''}{message_text(f)}")
