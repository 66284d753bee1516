"""The plan draft: a Word document with every section § 4 ThürGleichG asks for.

Every number that leaves here has passed small-cell protection (``rules.privacy.protect``); what
only a person can write is a highlighted placeholder, and the last section lists all of them.
"""
from __future__ import annotations

import io
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from ..analysis import Analysis, target_suggestions
from ..io.atomic import atomic_path
from ..model import Counts
from ..rules.privacy import ProtectedRow, protect
from ..rules.shares import shares
from ..schema import DIMENSIONS, MOVEMENT_KINDS, SEX_WORDS, area_label
from ..texts import DEADLINE, PROCEDURE, READING, fmt_date, fmt_number, fmt_pct
from .charts import share_chart

SUPPRESSED = "."
_NUMERIC = re.compile(r"[\d.,\u202f%–-]+")
KEY_DIMENSIONS = ("laufbahngruppe", "besoldungs_entgeltgruppe", "fuehrungsebene")
# dimensions whose Bereiche together cover every Beschäftigte: their tables share the total as margin
COMPLETE = ("statusgruppe", "arbeitszeit", "beurlaubung", "befristet", "laufbahngruppe", "besoldungs_entgeltgruppe")


@dataclass
class _Draft:
    analysis: Analysis
    min_cell: int
    doc: Document = field(default_factory=Document)
    placeholders: list[tuple[str, str]] = field(default_factory=list)
    section: str = ""
    suppressed_any: bool = False

    # -- building blocks -----------------------------------------------------------------
    def heading(self, text: str, level: int = 1) -> None:
        if level == 1:
            self.section = text
        self.doc.add_heading(text, level)

    def para(self, text: str = "", bold: bool = False):
        p = self.doc.add_paragraph()
        if text:
            p.add_run(text).bold = bold
        return p

    def placeholder(self, text: str, paragraph=None) -> None:
        """A marked place that only a person can fill; collected for the closing list."""
        p = paragraph or self.doc.add_paragraph()
        run = p.add_run(f"[PLATZHALTER: {text}]")
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        run.bold = True
        self.placeholders.append((self.section, text))

    def table(self, header: list[str], rows: list[list[str]], widths: list[float] | None = None) -> None:
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(t.rows[0].cells, header):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        _repeat_header(t.rows[0])
        for row in rows:
            cells = t.add_row().cells
            for cell, text in zip(cells, row):
                cell.text = text
                if _NUMERIC.fullmatch(text):
                    cell.paragraphs[0].alignment = 2  # numbers right-aligned, text left
        if widths:  # LibreOffice reads the grid, Word the cells: set both
            t.autofit = False
            for i, column in enumerate(t.columns):
                column.width = Cm(widths[i])
        for row in t.rows:
            for i, cell in enumerate(row.cells):
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(8.5)
                if widths:
                    cell.width = Cm(widths[i])
        self.doc.add_paragraph()

    def cell(self, value) -> str:
        if value is None:
            self.suppressed_any = True
            return SUPPRESSED
        return fmt_number(value)

    def protected_rows(self, rows: list[tuple[str, Counts]], margin: Counts | None) -> list[ProtectedRow]:
        return protect(rows, self.min_cell, margin)

    def count_table(self, dimension: str, items: list[tuple[str, Counts]], margin: Counts | None,
                    verdicts: dict[str, str | None]) -> None:
        """Women, men, both and the share of women per Bereich. Persons with the entry divers or
        ohne Angabe are few: per Bereich they would be single persons, so they are shown only in
        the total of the Dienststelle, and the tables here count women and men."""
        items = [(area, Counts(c.w, c.m)) for area, c in items]
        margin = Counts(margin.w, margin.m) if margin is not None else None
        rows = []
        for (area, counts), p in zip(items, self.protected_rows(items, margin)):
            share_w = shares(counts)[0]
            share = fmt_pct(share_w) if p.shares_shown else SUPPRESSED
            if not p.shares_shown and share_w is not None:
                self.suppressed_any = True
            elif share_w is None:
                share = "–"
            verdict = {"women": "Frauen", "men": "Männer", None: ""}[verdicts.get(area)]
            rows.append([area_label(dimension, area), self.cell(p.w), self.cell(p.m), self.cell(p.total), share, verdict])
        # soft hyphens: narrow header cells break between syllables, not anywhere
        self.table(["Bereich", "Frauen", "Männer", "zu\u00adsammen", "Frauen\u00adanteil", "unter\u00adrepräsentiert"],
                   rows, [5.6, 1.9, 1.9, 2.1, 2.4, 3.1])


def _repeat_header(row) -> None:
    """Mark a table row as header: Word and LibreOffice repeat it on every page."""
    props = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    props.append(el)


def _catalogue() -> list[dict]:
    text = resources.files("xl_gleichplan").joinpath("data/massnahmen.toml").read_text("utf-8")
    return tomllib.loads(text)["massnahme"]


def _where(dimension: str, area: str) -> str:
    """'in der Besoldungsgruppe A 13', 'auf der Führungsebene Abteilungsleitung', ..."""
    label = area_label(dimension, area)
    if dimension == "besoldungs_entgeltgruppe":
        return f"in der {'Entgeltgruppe' if area[:1] in 'ESP' else 'Besoldungsgruppe'} {label}"
    return {
        "gesamt": "in der Dienststelle insgesamt",
        "laufbahngruppe": f"in der Laufbahngruppe {label}",
        "fachrichtung": f"in der Fachrichtung {label}",
        "wertebene": f"in der Wertebene {label}",
        "fuehrungsebene": f"auf der Führungsebene {label}",
        "gremium": f"im Gremium „{label}“",
    }.get(dimension, f"im Bereich {DIMENSIONS.get(dimension, dimension)}: {label}")


def _sentence(dimension: str, area: str, verdict: str, share, shown: bool) -> str:
    where = _where(dimension, area)
    sex = "Frauen" if verdict == "women" else "Männer"
    text = f"{where[0].upper()}{where[1:]} sind {sex}"
    if shown and share is not None:
        return f"{text} mit {fmt_pct(share)} unterrepräsentiert."
    return f"{text} unterrepräsentiert (der Anteil wird aus Datenschutzgründen nicht ausgewiesen)."


def write_draft(analysis: Analysis, out: str | Path, *, min_cell: int | None = None) -> Path:
    """Write the plan draft (.docx) atomically and return its path."""
    d = _Draft(analysis, min_cell or analysis.profile.min_cell)
    style = d.doc.styles["Normal"]
    style.font.name, style.font.size = "Calibri", Pt(10.5)
    for section in d.doc.sections:
        section.left_margin = section.right_margin = Cm(2.0)
    _title(d)
    _procedure(d)
    _stock(d)
    _description(d)
    _movements(d)
    _targets(d)
    _attainment(d)
    _closing(d)
    with atomic_path(out) as tmp:
        d.doc.save(tmp)
    return Path(out)


def _title(d: _Draft) -> None:
    a, ds = d.analysis, d.analysis.dataset
    dl = a.deadlines
    end = dl.next_plan_stichtag
    p = d.doc.add_paragraph()
    p.add_run("ENTWURF").bold = True
    p.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    d.doc.add_heading(f"Gleichstellungsplan {dl.stichtag.year}–{end.year}", 0)
    d.para(ds.agency.name, bold=True)
    d.para(f"Rechtsgrundlage: {a.profile.legal_basis} ({a.profile.name})")
    d.para(f"Stichtag der Bestandsaufnahme: {fmt_date(dl.stichtag)}")
    d.para(f"Berichtszeitraum der Personalbewegungen: {fmt_date(dl.flow_window_start)} bis {fmt_date(dl.flow_window_end)}")
    p = d.para("Geltungsdauer: ")
    d.placeholders.append(("Titelseite", "Beginn der Geltungsdauer (vom Gesetz nicht festgelegt)"))
    run = p.add_run(f"[PLATZHALTER: Beginn der Geltungsdauer] bis {fmt_date(end)}")
    run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    d.para("Status: Entwurf – erstellt mit xl-gleichplan aus aggregierten Personaldaten; enthält keine "
           "personenbezogenen Daten.")
    d.doc.add_page_break()


def _procedure(d: _Draft) -> None:
    a, ds, p = d.analysis, d.analysis.dataset, d.analysis.profile
    d.heading("1. Geltungsbereich und Verfahren")
    duty = (f"Die Dienststelle hat am Stichtag {fmt_number(ds.heads)} Beschäftigte und damit mindestens {p.min_staff}: "
            f"sie ist zur Aufstellung eines Gleichstellungsplans für {p.plan_years} Jahre verpflichtet."
            if a.plan_required else
            f"Die Dienststelle hat am Stichtag {fmt_number(ds.heads)} Beschäftigte, weniger als {p.min_staff}: eine "
            f"Pflicht zur Aufstellung besteht nicht; der Plan wird freiwillig aufgestellt.")
    d.para(duty)
    d.placeholder("Beteiligung der Gleichstellungsbeauftragten (frühzeitig, § 4 Abs. 1): wann und wie")
    procedure = PROCEDURE.get(a.route.procedure, a.route.procedure)
    d.para(f"Art der Dienststelle: {a.route.label}. Der Plan ist {a.route.body} {procedure}."
           + (f" Hinweis: {a.route.note}" if a.route.note else ""))
    d.para("Der Plan wird nach seiner Aufstellung in der Dienststelle bekannt gemacht (§ 4 Abs. 4); er enthält "
           "keine personenbezogenen Daten.")
    d.table(["Frist", "Datum"], [[DEADLINE[k], fmt_date(getattr(a.deadlines, k))] for k in DEADLINE], [8, 4])


def _areas_by_dimension(d: _Draft):
    a = d.analysis
    by_dim: dict[str, list] = {}
    for r in a.areas:
        by_dim.setdefault(r.dimension, []).append(r)
    return by_dim


def _stock(d: _Draft) -> None:
    a = d.analysis
    d.heading("2. Bestandsaufnahme")
    d.para(f"Beschäftigte am {fmt_date(a.deadlines.stichtag)} nach Geschlecht, je Bereich (§ 3). Anteile beziehen sich "
           f"auf Frauen und Männer; Personen mit dem Eintrag divers oder ohne Angabe sind gezählt und ausgewiesen. "
           f"Unterrepräsentiert ist ein Geschlecht mit einem Anteil unter {fmt_pct(a.profile.threshold)}.")
    by_dim = _areas_by_dimension(d)
    total = next((r.counts for r in a.areas if r.dimension == "gesamt"), None)
    if total is not None:
        p = protect([("gesamt", total)], d.min_cell)[0]
        d.table(["", "Frauen", "Männer", "divers/ohne Angabe", "gesamt"],
                [["Beschäftigte insgesamt", d.cell(p.w), d.cell(p.m), d.cell(p.dx), d.cell(p.total)]],
                [5.6, 2.4, 2.4, 3.2, 2.4])
    for dim, results in by_dim.items():
        if dim == "gesamt":
            continue
        d.heading(DIMENSIONS.get(dim, dim), 2)
        items = [(r.area, r.counts) for r in results]
        complete = dim in COMPLETE and total is not None and \
            sum((Counts(c.w, c.m) for _, c in items), Counts()) == Counts(total.w, total.m)
        d.count_table(dim, items, total if complete else None, {r.area: r.underrepresented for r in results})
        if dim in KEY_DIMENSIONS:
            wm = [(area, Counts(c.w, c.m)) for area, c in items]
            protected = d.protected_rows(wm, Counts(total.w, total.m) if complete else None)
            points = [(area_label(dim, r.area), r.share_women) for r, p in zip(results, protected)
                      if p.shares_shown and r.share_women is not None]
            if points:
                d.doc.add_picture(io.BytesIO(share_chart(points, a.profile.threshold, DIMENSIONS[dim])), width=Cm(16))
    for label, table in (("Teilzeit (einschließlich Altersteilzeit)", a.dataset.part_time),
                         ("Beurlaubung", a.dataset.on_leave)):
        items = [(f"{DIMENSIONS.get(dim, dim)}: {area_label(dim, area)}", c) for (dim, area), c in table.items()
                 if dim in ("gesamt", "laufbahngruppe", "fuehrungsebene")]
        if items:
            d.heading(f"davon {label}", 2)
            protected = d.protected_rows(items, None)
            d.table(["Bereich", "Frauen", "Männer", "gesamt"],
                    [[name, d.cell(p.w), d.cell(p.m), d.cell(p.total)] for (name, _), p in zip(items, protected)],
                    [9, 2, 2, 2])
    if d.suppressed_any:
        d.para(f"„{SUPPRESSED}“: Wert aus Datenschutzgründen nicht ausgewiesen – weniger als {d.min_cell} Personen, "
               f"oder aus anderen Angaben der Tabelle zurückrechenbar.").runs[0].italic = True


def _description(d: _Draft) -> None:
    a = d.analysis
    d.heading("3. Beschreibende Auswertung")
    total = next((r for r in a.areas if r.dimension == "gesamt"), None)
    if total is not None:
        p = protect([("gesamt", total.counts)], d.min_cell)[0]
        if p.shares_shown and total.share_women is not None:
            d.para(f"Am Stichtag waren {fmt_number(total.counts.total)} Personen beschäftigt, davon "
                   f"{fmt_number(total.counts.w)} Frauen ({fmt_pct(total.share_women)}) und "
                   f"{fmt_number(total.counts.m)} Männer ({fmt_pct(total.share_men)}).")
    by_dim = _areas_by_dimension(d)
    sentences = []
    for dim, results in by_dim.items():
        protected = d.protected_rows([(r.area, Counts(r.counts.w, r.counts.m)) for r in results], None)
        for r, p in zip(results, protected):
            if r.underrepresented:
                share = r.share_women if r.underrepresented == "women" else r.share_men
                sentences.append(_sentence(dim, r.area, r.underrepresented, share, p.shares_shown))
    if sentences:
        for s in sentences:
            d.doc.add_paragraph(s, style="List Bullet")
    else:
        d.para("In keinem Bereich ist ein Geschlecht unterrepräsentiert.")
    d.placeholder("Einordnung der Zahlen und Entwicklung seit dem letzten Plan (beschreibende Analyse)")


def _movements(d: _Draft) -> None:
    a = d.analysis
    d.heading("4. Personalbewegungen und Gremien")
    d.para(f"Anteile von Frauen und Männern an Bewerbungen, Einstellungen, Beförderungen, Höhergruppierungen und "
           f"Fortbildungen im Berichtszeitraum {fmt_date(a.deadlines.flow_window_start)} bis "
           f"{fmt_date(a.deadlines.flow_window_end)}.")
    for kind, label in MOVEMENT_KINDS.items():
        results = [r for r in a.movements if r.kind == kind]
        if not results:
            continue
        d.heading(label, 2)
        margin = next((r.counts for r in results if r.dimension == "gesamt"), None)
        for dim in dict.fromkeys(r.dimension for r in results):
            rows = [r for r in results if r.dimension == dim]
            items = [(r.area, r.counts) for r in rows]
            complete = dim != "gesamt" and margin is not None and \
                sum((Counts(c.w, c.m) for _, c in items), Counts()) == Counts(margin.w, margin.m)
            if dim != "gesamt":
                d.para(DIMENSIONS.get(dim, dim), bold=True)
            d.count_table(dim, items, margin if complete else None, {r.area: r.underrepresented for r in rows})
            flagged = [f"{'Frauen' if r.underrepresented == 'women' else 'Männer'} {_where(dim, r.area)}"
                       for r in rows if r.underrepresented]
            if flagged:  # one justification per table, naming every Bereich it must cover
                d.placeholder(f"Begründung ({label}, {DIMENSIONS.get(dim, dim)}): unterrepräsentiert sind "
                              + "; ".join(flagged))
    if a.committees:
        d.heading("Gremien", 2)
        d.count_table("gremium", [(r.area, r.counts) for r in a.committees], None,
                      {r.area: r.underrepresented for r in a.committees})
        for r in a.committees:
            if r.underrepresented:
                d.placeholder(f"Begründung: Gremium „{r.area}“ – "
                              f"{'Frauen' if r.underrepresented == 'women' else 'Männer'} unterrepräsentiert")


def _targets(d: _Draft) -> None:
    a = d.analysis
    d.heading("5. Zielvorgaben und Maßnahmen")
    d.para("Für jeden Bereich, in dem ein Geschlecht unterrepräsentiert ist, eine Zielvorgabe. Die Zahlen sind "
           "Rechenhilfen: frei werdende Stellen aus der Prognose (Altersabgänge und bekannte Abgänge im Planzeitraum), "
           "„mindestens die Hälfte“ dieser Stellen, und die Einstellungen, die bis zum Planende für einen Anteil von "
           f"{fmt_pct(a.profile.threshold)} nötig wären.")
    catalogue = _catalogue()
    suggestions = target_suggestions(a)
    if not suggestions:
        d.para("Es ist kein Geschlecht unterrepräsentiert; Zielvorgaben sind nicht erforderlich.")
    for s in suggestions:
        sex = SEX_WORDS[s.sex]
        d.heading(f"{sex} {_where(s.dimension, s.area)}", 2)
        vacancies = s.vacancies if s.vacancies >= d.min_cell or s.vacancies == 0 else None
        lines = [
            ["voraussichtlich frei werdende Stellen", d.cell(vacancies)],
            ["davon mindestens die Hälfte", d.cell(s.half_of_vacancies) if vacancies is not None else SUPPRESSED],
            [f"Einstellungen/Beförderungen für {fmt_pct(a.profile.threshold)}", fmt_number(s.hires_for_threshold)
             + (" (mehr als frei werdende Stellen)" if s.infeasible else "")],
        ]
        if s.cascade_share is not None:
            lines.append(["Kaskadenmodell: Anteil der Ebene darunter", fmt_pct(s.cascade_share)])
        d.table(["Rechenhilfe", "Wert"], lines, [10, 5])
        p = d.para("Zielvorgabe: ")
        d.placeholder(f"Zielvorgabe für {sex} {_where(s.dimension, s.area)} – Anzahl und Frist", p)
        fits = {"fuehrung"} if s.dimension == "fuehrungsebene" else set()
        fits |= {"frauen" if s.sex == "w" else "maenner", "alle"}
        d.para("Vorgeschlagene Maßnahmen (aus dem Katalog, bitte auswählen und ergänzen):")
        for m in catalogue:
            if fits & set(m["for"]):
                d.doc.add_paragraph(f"{m['kind'].capitalize()}: {m['text']}", style="List Bullet")
    own = a.dataset.measures
    if own:
        d.heading("Maßnahmen aus dem Erhebungsbogen", 2)
        d.table(["zu Ziel", "Art", "Maßnahme", "zuständig", "bis"],
                [[m.target_id or "", m.kind, m.text, m.responsible, fmt_date(m.deadline)] for m in own],
                [1.6, 2.4, 8, 2.6, 2])


def _attainment(d: _Draft) -> None:
    a, lead = d.analysis, d.analysis.leadership
    d.heading("6. Bericht über die Zielerreichung")
    if a.targets:
        rows = [[t.id, f"{DIMENSIONS.get(t.dimension, t.dimension)}: {area_label(t.dimension, t.area)}",
                 SEX_WORDS[t.sex], fmt_number(t.target), "–" if t.achieved is None else fmt_number(t.achieved),
                 {True: "erreicht", False: "nicht erreicht", None: "offen"}[met], "ja" if t.leadership else "nein"]
                for t, met in a.targets]
        d.table(["Nr.", "Bereich", "für", "Ziel", "erreicht", "Stand", "Führung"], rows, [1.2, 6, 1.6, 1.4, 1.6, 2.2, 1.6])
        for t, met in a.targets:
            if met is False:
                d.placeholder(f"Gründe, warum die Zielvorgabe {t.id} nicht erreicht wurde (§ 4 Abs. 5)")
    else:
        d.para("Zielvorgaben des vorigen Plans liegen nicht vor.")
    d.heading("50-%-Regel für Führungspositionen (§ 4 Abs. 6)", 2)
    if lead.approval_required is None:
        d.para(f"Führungs-Zielvorgaben: {lead.targets}; noch keine Zielerreichung erfasst – die Regel ist noch nicht "
               f"bewertbar.")
    else:
        verdict = ("Weniger als die Hälfte der Zielvorgaben für Führungspositionen ist erreicht: jede weitere "
                   "Einstellung, Beförderung oder Höhergruppierung in eine Führungsposition bedarf bis zur Erreichung "
                   f"der Zielvorgaben der Zustimmung; zuständig ist {lead.approver}."
                   if lead.approval_required else
                   "Mindestens die Hälfte der Zielvorgaben für Führungspositionen ist erreicht: eine Zustimmung nach "
                   "§ 4 Abs. 6 ist nicht erforderlich.")
        d.table(["Lesart", "Wert"], [["I1 – Anzahl der vollständig erreichten Zielvorgaben", fmt_pct(lead.count_reading)],
                                     ["I2 – erreichter Umfang", fmt_pct(lead.volume_reading)],
                                     ["maßgeblich", READING[lead.reading]]], [9, 6])
        d.para(verdict)


def _closing(d: _Draft) -> None:
    d.heading("7. Offene Platzhalter")
    d.para(f"Diese {len(d.placeholders)} Stellen muss die Dienststelle vor der Beschlussfassung ausfüllen:")
    d.table(["Nr.", "Abschnitt", "Platzhalter"],
            [[str(i), section, text] for i, (section, text) in enumerate(d.placeholders, 1)], [1.2, 5, 10])

