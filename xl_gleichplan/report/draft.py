"""The plan draft: a Word document with every section the profile's law asks for (ThürGleichG § 4,
BGleiG §§ 11–14, FrFG LSA § 20). Citations, the plan period, the publication rule and which parts
apply (e.g. the 50 % rule of ThürGleichG § 4 Abs. 6) come from the profile, never from its name.

Every number that leaves here has passed small-cell protection (``rules.privacy.protect``): tables,
sentences and charts take their figures from the same protected rows, so a value hidden in a table
is hidden everywhere. What only a person can write is a highlighted placeholder; the last section
lists all of them.

Per-Bereich tables count women and men only: persons recorded as divers or ohne Angabe would be
single persons there, so they are shown once, in the total of the Dienststelle (share basis "w_m";
with basis "alle" the tables carry their own column).
"""
from __future__ import annotations

import io
import re
import tomllib
from xml.sax.saxutils import escape
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

from ..analysis import Analysis, AreaResult, target_suggestions, unfitting_targets
from ..errors import GleichplanError
from ..io.atomic import atomic_path
from ..model import Counts
from ..rules.privacy import ProtectedRow, protect
from ..rules.shares import shares
from ..schema import (DIMENSIONS, LEADERSHIP_LEVELS, MEASURE_KINDS, METADATA_SHEET, MOVEMENT_KINDS, ON_LEAVE, PART_TIME,
                      SEX_WORDS, SHEETS, VERDICT_SEX, area_label)
from ..texts import (APPROVAL, LEADERSHIP_PROCEDURE, PROCEDURE, READING, SIZING_SHARE, VERDICT_SHORT, deadline_labels,
                     fmt_date, fmt_number, fmt_pct)
from . import sentences as say
from .sentences import capital
from .charts import Bar, share_chart

SUPPRESSED = "."
_SHOWN = ProtectedRow("", 0, 0, 0, 0)  # a row that is not hidden (for Bereiche without a stock row)
PLACEHOLDER = "[PLATZHALTER: {}]"
TEXT_WIDTH = 16.0  # cm: A4 (21 cm) minus 2 x 2,5 cm margins; every table's widths add up to this
COUNT_WIDTHS = [5.0, 1.9, 1.9, 2.0, 2.2, 3.0]  # Bereich, Frauen, Männer, zusammen, Frauenanteil, unterrepr.
_NUMERIC = re.compile(r"[\d.,\u202f%–-]+")
SEX_DATIVE = {"w": "Frauen", "m": "Männern"}
PROCEDURE_NOUN = {"genehmigung": "Genehmigung", "benehmen": "Aufstellung im Benehmen",
                  "kenntnisnahme": "Vorlage zur Kenntnisnahme", "erlass": "Erlass",
                  "keine": "keine Vorlage (vom Gesetz nicht vorgesehen)"}
PART_DIMENSIONS = ("laufbahngruppe", "fuehrungsebene")  # part-time and leave broken down by these
TABLE_STYLE = "Tabellentext"
KEEP_TOGETHER = 15  # tables up to this many rows are not split across pages
FOR_LABEL = {"alle": "alle", "fuehrung": "Führung", "frauen": "Frauen", "maenner": "Männer"}
# the sections whose tables an error on a sheet of the Erhebungsbogen touches (an error elsewhere, in
# an export, touches them all)
_SHEET_SECTIONS = {"stock": ("2", "3"), "forecast": ("5",), "movements": ("4",), "postings": ("4",),
                   "committees": ("4",), "targets": ("5", "6"), "measures": ("5",)}
ERROR_SECTIONS = {name: sections for key, sections in _SHEET_SECTIONS.items()
                  for name in (SHEETS[key].name, *SHEETS[key].former)} | {METADATA_SHEET: ("1", "2", "3", "4", "5", "6")}


@dataclass
class _Draft:
    analysis: Analysis
    min_cell: int
    doc: Document = field(default_factory=Document)
    placeholders: list[tuple[str, str]] = field(default_factory=list)  # (section, text)
    section: str = "Titelseite"
    subsection: str = ""
    stock_rows: dict[tuple[str, str], ProtectedRow] = field(default_factory=dict)
    figures: int = 0
    hidden: dict[str, int] = field(default_factory=lambda: {"all": 0, "rule": 0, "secondary": 0})
    privacy_note: object = None  # the title page's paragraph on hidden cells
    style_ids: dict[str, str] = field(default_factory=dict)  # paragraph style name -> id (see styled)

    # -- protection ------------------------------------------------------------------------
    @property
    def w_m(self) -> bool:
        return self.analysis.profile.share_basis == "w_m"

    def counts(self, c: Counts) -> Counts:
        """What a per-Bereich table shows: women and men (divers/ohne Angabe only in the total)."""
        return Counts(c.w, c.m) if self.w_m else c

    def protect(self, items: list[tuple[str, Counts]], margin: Counts | None = None, judged: bool = False,
                hide=(), quiet: bool = False) -> list[ProtectedRow]:
        """``judged``: the rows show their verdict, which the protection then takes into account
        (``quiet``: not where a row's counts are all hidden)."""
        return protect(items, self.min_cell, margin, self.analysis.profile if judged else None, hide, quiet)

    def lone(self, value):
        """A single published count (vacancies, achieved): hidden in 1..min_cell-1, by the same rule."""
        return self.protect([("", Counts(w=value))])[0].w

    def share_shown(self, p: ProtectedRow) -> bool:
        # with basis "alle" the share's denominator includes divers/ohne Angabe: it must be shown too
        return p.shares_shown and (self.w_m or (p.dx is not None and p.total is not None))

    # -- building blocks -------------------------------------------------------------------
    def heading(self, text: str, level: int = 1) -> None:
        if level == 1:
            self.section, self.subsection = text, ""
        elif level == 2:
            self.subsection = text
        self.styled(self.doc.add_paragraph(text), f"Heading {level}")
        if level == 1:
            self._mark_errors(text)

    def styled(self, paragraph, style: str | None):
        """Give a paragraph a style by name, its id looked up once per draft: python-docx searches
        every style for the name, and for the default style, on each use (a tenth of the time)."""
        if style:
            if style not in self.style_ids:
                self.style_ids[style] = self.doc.styles[style].style_id
            paragraph._p.style = self.style_ids[style]
        return paragraph

    def _mark_errors(self, heading: str) -> None:
        """A draft made despite errors in the data (plan --trotz-fehlern) says so where the tables stand
        that the errors touch, as a placeholder that stays open until the data are corrected."""
        errors = [f for f in self.analysis.findings if f.severity == "error"]
        number = heading.split(".")[0]
        touched = [f for f in errors if number in ERROR_SECTIONS.get(f.sheet, ("2", "3", "4", "5", "6"))]
        if touched:
            places = "; ".join(f"{f.file or ''}{f' Blatt {f.sheet}' if f.sheet else ''}"
                               f"{f' Zelle {f.cell}' if f.cell else ''}".strip() for f in touched[:5])
            self.placeholder(f"ACHTUNG: Die Zahlen dieses Abschnitts beruhen auf Daten mit {len(touched)} Fehler(n) "
                             f"({places}{' …' if len(touched) > 5 else ''}). Vor der Abstimmung die Daten berichtigen "
                             f"und den Entwurf neu erstellen.")

    def para(self, text: str = "", bold: bool = False, italic: bool = False, size: float | None = None,
             style: str | None = None, keep: bool = False):
        p = self.styled(self.doc.add_paragraph(), style)
        if text:
            run = p.add_run(text)
            run.bold, run.italic = bold, italic
            if size:
                run.font.size = Pt(size)
        if keep:
            p.paragraph_format.keep_with_next = True
        return p

    def placeholder(self, text: str, paragraph=None, where: str | None = None) -> None:
        """A marked place that only a person can fill; collected for the closing list."""
        p = paragraph if paragraph is not None else self.doc.add_paragraph()
        run = p.add_run(PLACEHOLDER.format(text))
        run.bold = True
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        section = where or (f"{self.section} – {self.subsection}" if self.subsection else self.section)
        self.placeholders.append((section, text))

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], size: float = 9) -> None:
        """A table that fits the text width: fixed column widths, header row repeated on every page,
        rows never split across pages; numbers right-aligned. A note follows if a cell is hidden."""
        noted = any(SUPPRESSED in row[1:] for row in rows)
        self.hidden["all"] += sum(row[1:].count(SUPPRESSED) for row in rows)
        keep = len(rows) <= KEEP_TOGETHER
        self.doc.element.body._insert_tbl(_table_xml(header, rows, widths, size, keep, noted))
        if noted:
            self.para(f"„{SUPPRESSED}“ = aus Datenschutzgründen nicht ausgewiesen: weniger als {self.min_cell} "
                      f"Personen, oder aus anderen Zahlen der Tabelle zurückrechenbar.", italic=True, size=8)
        else:
            self.para(size=4)  # a little space before what follows

    def cell(self, value) -> str:
        return SUPPRESSED if value is None else fmt_number(value)

    def share_cell(self, p: ProtectedRow, share) -> str:
        if share is None:
            return "–"  # empty Bereich: no share, nothing hidden
        return fmt_pct(share) if self.share_shown(p) else SUPPRESSED

    def count_table(self, dimension: str, results: list[AreaResult], margin: AreaResult | None = None,
                    margin_row: ProtectedRow | None = None, verdicts: bool = True,
                    quiet: bool = False, hide=(), everybody: bool = False) -> dict[str, ProtectedRow]:
        """Women, men, both, the share of women (and the verdict) per Bereich, protected as one table.

        ``margin`` (the Dienststelle's row) is used when the Bereiche add up to it: protection then
        also covers the columns; ``margin_row``, if given, is shown as the line "insgesamt".
        ``quiet``: a row with nothing shown shows no verdict either (see ``_nothing_shown``).
        ``everybody``: the rows count divers/ohne Angabe in their own column and in the total, as
        with share basis "alle" (committees: their members are counted whole, issue 14)."""
        with_dx = not self.w_m or (everybody and any(r.counts.d + r.counts.x for r in results))
        items = [(r.area, r.counts if with_dx else self.counts(r.counts)) for r in results]
        margin_counts = self.counts(margin.counts) if margin is not None else None
        if margin_counts is not None and sum((c for _, c in items), Counts()) != margin_counts:
            margin_counts = margin_row = None  # the Bereiche do not cover everybody: no column sums
        if margin_counts is not None and margin_row is not None and len(items) == 1:
            # one Bereich that is everybody: it is the "insgesamt" row, shown exactly as that row
            protected = [ProtectedRow(items[0][0], margin_row.w, margin_row.m, margin_row.dx, margin_row.total)]
        else:
            protected = self.protect(items, margin_counts, verdicts and self.analysis.profile.judges(dimension), hide,
                                     quiet)
        lines = [(area_label(dimension, r.area), p, r) for r, p in zip(results, protected)]
        if margin_row is not None and margin is not None:
            lines.append(("insgesamt", margin_row, margin))
        header = ["Bereich", "Frauen", "Männer"] + (["divers/ o. A."] if with_dx else []) + \
                 ["gesamt" if with_dx else "zu\u00adsammen", "Frauen\u00adanteil"]
        widths = [5.0, 1.6, 1.6, 1.6, 1.8, 2.2, 2.2] if with_dx else list(COUNT_WIDTHS)
        if verdicts:
            header.append("unter\u00adrepräsentiert")
        else:
            widths = [widths[0] + widths[-1], *widths[1:-1]]
        rows = []
        for label, p, r in lines:
            for col in ("w", "m", "total") + (("dx",) if with_dx else ()):
                if getattr(p, col) is None:
                    self.hidden["secondary" if col in p.secondary else "rule"] += 1
            row = [label, self.cell(p.w), self.cell(p.m)] + ([self.cell(p.dx)] if with_dx else []) + \
                  [self.cell(p.total), self.share_cell(p, r.share_women)]
            verdict = SUPPRESSED if quiet and _nothing_shown(p) else VERDICT_SHORT[r.underrepresented]
            rows.append(row + ([verdict] if verdicts else []))
        self.table(header, rows, widths)
        return {r.area: p for r, p in zip(results, protected)}

    def single(self, counts: Counts) -> ProtectedRow:
        """The Dienststelle's row (stock or a movement); its verdict is shown, so it is judged."""
        return self.protect([("insgesamt", self.counts(counts))], judged=True)[0]


def _nothing_shown(p: ProtectedRow) -> bool:
    """A row whose counts are all hidden: there its verdict would tell how the few cases split
    (one promotion, verdict "Frauen": a man was promoted; a one-person Dienststellenleitung,
    verdict "Frauen": the head is a man). Such a row shows no verdict, in the stock too; the
    Zielvorgaben section then asks the office to decide on those Bereiche without naming them."""
    return p.w is None and p.m is None and p.total is None


def _table_xml(header: list[str], rows: list[list[str]], widths: list[float], size: float, keep: bool,
               noted: bool):
    """The table as WordprocessingML in one piece (python-docx's cell API is most of the drafting
    time). Fixed column widths with 1 mm cell margins; rows never split across pages; the header
    row shaded and repeated on every page; numbers right-aligned; a short table kept on one page
    (every row "keep with next"), and the last row kept with the note under it."""
    twips = [round(w * 567) for w in widths]
    size_xml = "" if size == 9 else f'<w:sz w:val="{round(size * 2)}"/>'
    out = [f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
           '<w:jc w:val="center"/><w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="57" w:type="dxa"/>'
           '<w:right w:w="57" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="04A0"/></w:tblPr><w:tblGrid>',
           *(f'<w:gridCol w:w="{w}"/>' for w in twips), "</w:tblGrid>"]
    for r, values in enumerate([header, *rows]):
        out.append("<w:tr><w:trPr><w:cantSplit/>" + ('<w:tblHeader/>' if r == 0 else "") + "</w:trPr>")
        keep_next = (keep and r < len(rows)) or (r == len(rows) and noted)
        for i, (w, text) in enumerate(zip(twips, values)):
            shade = '<w:shd w:val="clear" w:color="auto" w:fill="D9E2F3"/>' if r == 0 else ""
            right = r > 0 and i > 0 and _NUMERIC.fullmatch(text)
            ppr = (f'<w:pPr><w:pStyle w:val="{TABLE_STYLE}"/>' + ("<w:keepNext/>" if keep_next else "")
                   + ('<w:jc w:val="right"/>' if right else "") + "</w:pPr>")
            rpr = ("<w:b/>" if r == 0 else "") + size_xml
            run = (f'<w:r>{f"<w:rPr>{rpr}</w:rPr>" if rpr else ""}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'
                   if text else "")
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>{shade}</w:tcPr><w:p>{ppr}{run}</w:p></w:tc>')
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return parse_xml("".join(out))


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): the page numbers are filled in by Word or LibreOffice."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        run._r.append(el)


def catalogue() -> list[dict]:
    """The measures catalogue the package ships (data/massnahmen.toml)."""
    text = resources.files("xl_gleichplan").joinpath("data/massnahmen.toml").read_text("utf-8")
    return tomllib.loads(text)["massnahme"]


def choose_measures(measures: list[dict], sex: str, leadership: bool, per_kind: int = 2) -> list[dict]:
    """Measures for one Zielvorgabe: per kind the best-fitting specific ones (most matching tags
    first), or the first general one when a kind has none for this case."""
    tags = {"frauen" if sex == "w" else "maenner"} | ({"fuehrung"} if leadership else set())
    out = []
    for kind in MEASURE_KINDS:
        of_kind = [m for m in measures if m["kind"] == kind]
        specific = sorted((m for m in of_kind if tags & set(m["for"])), key=lambda m: -len(tags & set(m["for"])))
        out += specific[:per_kind] or [m for m in of_kind if "alle" in m["for"]][:1]
    return out


def _dimensions(results: list[AreaResult]) -> dict[str, list[AreaResult]]:
    """Results by dimension, in the order of schema.DIMENSIONS (unknown dimensions last)."""
    by_dim: dict[str, list[AreaResult]] = {}
    for r in results:
        by_dim.setdefault(r.dimension, []).append(r)
    order = [d for d in DIMENSIONS if d in by_dim] + [d for d in by_dim if d not in DIMENSIONS]
    return {d: by_dim[d] for d in order}


def write_draft(analysis: Analysis, out: str | Path, min_cell: int | None = None) -> Path:
    """Write the plan draft (.docx) atomically and return its path.

    ``min_cell`` raises the profile's smallest shown count (never lowers it: the profile's value is
    the minimum protection)."""
    floor = analysis.profile.min_cell
    if min_cell is not None and min_cell < floor:
        raise GleichplanError(f"Die kleinste gezeigte Zahl (--min-cell {min_cell}) darf nicht unter dem Wert des "
                              f"Rechtsprofils liegen ({floor}). Bitte {floor} oder mehr angeben.")
    d = _Draft(analysis, floor if min_cell is None else min_cell)
    _page_setup(d)
    _title(d)
    _procedure(d)
    _stock(d)
    _description(d)
    _movements(d)
    _targets(d)
    _attainment(d)
    _closing(d)
    _hidden_note(d)
    with atomic_path(out) as tmp:
        d.doc.save(tmp)
    return Path(out)


def _page_setup(d: _Draft) -> None:
    """A4 portrait (python-docx's template is US Letter), header with the status, page numbers."""
    styles = d.doc.styles
    styles["Normal"].font.name, styles["Normal"].font.size = "Calibri", Pt(10.5)
    table_text = styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = styles["Normal"]
    table_text.font.size = Pt(9)
    table_text.paragraph_format.space_before = table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0
    for name in ("Heading 1", "Heading 2"):
        styles[name].paragraph_format.keep_with_next = True
    section = d.doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    header = section.header.paragraphs[0]
    run = header.add_run(f"ENTWURF – Gleichstellungsplan {d.analysis.dataset.agency.name}")
    run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x80, 0x80, 0x80)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Seite ")
    _field(footer, "PAGE")
    footer.add_run(" von ")
    _field(footer, "NUMPAGES")


def _title(d: _Draft) -> None:
    ds, dl, p = d.analysis.dataset, d.analysis.deadlines, d.analysis.profile
    status = d.para("ENTWURF", bold=True, size=14)
    status.runs[0].font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    d.doc.add_heading("Gleichstellungsplan", 0)
    d.para(ds.agency.name, bold=True, size=14)
    if ds.agency.parent:
        d.para(f"im Geschäftsbereich: {ds.agency.parent}")
    d.para()
    d.para(f"Rechtsgrundlage: {p.cite('basis') or p.legal_basis}")
    d.para(f"Stichtag der Bestandsaufnahme: {fmt_date(dl.stichtag)}")
    d.para(f"Berichtszeitraum der Personalbewegungen: {fmt_date(dl.flow_window_start)} bis "
           f"{fmt_date(dl.flow_window_end)}")
    if dl.plan_start:
        period = d.para(f"Planzeitraum: {fmt_date(dl.plan_start)} bis {fmt_date(dl.plan_end)} "
                        f"({say.count_word(p.plan_years)} Jahre)")
    else:
        period = d.para(f"Planzeitraum: {say.count_word(p.plan_years)} Jahre ab ")
        d.placeholder("Beginn der Geltungsdauer (Datum; vom Gesetz nicht festgelegt)", period)
    adjustment = {"ist": "Anpassung zum Stichtag", "kann": "Anpassung (möglich) zum Stichtag"}.get(p.adjustment)
    period.add_run((f"; {adjustment} {fmt_date(dl.adjustment_stichtag)}" if adjustment else "")
                   + f"; nächster Plan zum Stichtag {fmt_date(dl.next_plan_stichtag)}")
    d.para("Status: Entwurf – noch nicht aufgestellt", bold=True)  # the laws know no "Beschluss" of the plan
    d.para(f"Erstellt am {fmt_date(date.today())} mit xl-gleichplan aus zusammengefassten Personaldaten. Der Entwurf "
           f"enthält keine personenbezogenen Daten; kleine Anzahlen (1 bis {d.min_cell - 1}) und was sich aus ihnen "
           f"zurückrechnen ließe, sind nicht ausgewiesen; Null wird gezeigt.",
           italic=True, size=9)
    d.privacy_note = d.para(italic=True, size=9)  # filled in by _hidden_note when every table is written
    d.doc.add_page_break()


def _hidden_note(d: _Draft) -> None:
    """How many table cells are hidden, and why: below the minimum (the rule), hidden so that no
    hidden count can be recomputed (the fewest such cells, an integer program finds them), and
    shares, verdicts and derived figures that would give a hidden count away."""
    h = d.hidden
    if not h["all"]:
        text = "In den Tabellen dieses Entwurfs ist keine Zahl verdeckt."
    else:
        derived = h["all"] - h["rule"] - h["secondary"]
        text = (f"In den Tabellen dieses Entwurfs sind {fmt_number(h['all'])} Angaben durch „{SUPPRESSED}“ ersetzt: "
                f"{fmt_number(h['rule'])} Zahlen, die weniger als {d.min_cell} Personen betreffen (oder eine solche "
                f"Zahl mit ihrer Summe verraten würden), {fmt_number(h['secondary'])} weitere Zahlen, damit keine "
                f"verdeckte Zahl aus Summen oder anderen Tabellen zurückgerechnet werden kann (so wenige wie "
                f"möglich), und {fmt_number(derived)} Anteile, Urteile und abgeleitete Werte, die aus verdeckten "
                f"Zahlen berechnet wären.")
    run = d.privacy_note.add_run(text)
    run.italic, run.font.size = True, Pt(9)


def _procedure(d: _Draft) -> None:
    a, ds, p, route = d.analysis, d.analysis.dataset, d.analysis.profile, d.analysis.route
    d.heading("1. Geltungsbereich und Verfahren")
    # the head count is the Dienststelle's total: hidden when divers/ohne Angabe would follow from it
    heads = ds.heads if _heads_shown(d) else None
    staff = (f"{fmt_number(heads)} Beschäftigte" if heads is not None else
             f"{'mindestens' if a.plan_required else 'weniger als'} {p.min_staff} Beschäftigte")
    duty = p.cite("duty") or p.legal_basis
    years = f"einen Gleichstellungsplan für {say.count_word(p.plan_years)} Jahre"
    if not p.min_staff:  # every Dienststelle (BGleiG § 12 Abs. 1): no size to mention
        d.para(f"Die Dienststelle hatte am Stichtag {fmt_date(ds.stichtag)} {staff}. Nach {duty} stellt jede "
               f"Dienststelle {years} auf.")
    elif a.plan_required:
        d.para(f"Die Dienststelle hatte am Stichtag {fmt_date(ds.stichtag)} {staff}. Ab {p.min_staff} Beschäftigten "
               f"stellt sie nach {duty} {years} auf.")
    else:
        d.para(f"Die Dienststelle hatte am Stichtag {fmt_date(ds.stichtag)} {staff}, weniger als {p.min_staff}: eine "
               f"Pflicht zur Aufstellung eines Gleichstellungsplans besteht nach {duty} nicht. Der Plan wird "
               f"freiwillig aufgestellt.")
    d.heading("Beteiligung", 2)
    d.para("Die Gleichstellungsbeauftragte ist frühzeitig an der Aufstellung zu beteiligen.")
    d.placeholder("Beteiligung der Gleichstellungsbeauftragten: wann, in welcher Form, Ergebnis")
    d.heading("Aufstellung und Vorlage", 2)
    d.para(f"Der Plan ist {PROCEDURE.get(route.procedure, route.procedure)}"
           + (f"; zuständige Stelle: {route.body}." if route.procedure != "keine" else "."))
    rows = [["Art der Dienststelle", route.label], ["zuständige Stelle", route.body],
            ["Verfahren", PROCEDURE_NOUN.get(route.procedure, route.procedure)]]
    if p.has("leadership_rule"):
        rows.append([f"Führungspositionen, solange die Regel nach {p.cite('leadership_rule')} greift",
                     capital(LEADERSHIP_PROCEDURE[route.leadership_procedure].format(who=route.leadership_approver))])
    if route.source:
        rows.append(["Grundlage", route.source])
    if route.note:
        rows.append(["Hinweis", route.note])
    d.table(["", "nach dem Rechtsprofil"], rows, [6.0, 10.0], size=9.5)
    d.heading("Bekanntmachung", 2)
    privacy = p.cite("no_personal_data")
    if p.publication:
        d.para(p.publication)
    d.para("Der Plan enthält keine personenbezogenen Daten" + (f" ({privacy})." if privacy else "."))
    d.placeholder("Art und Datum der Bekanntmachung (z. B. Intranet, Aushang, Rundschreiben)")
    d.heading("Fristen", 2)
    d.table(["Frist", "Datum"], [[label, fmt_date(getattr(a.deadlines, k))] for k, label in deadline_labels(p)],
            [10.0, 6.0], size=9.5)
    if p.readings:
        d.heading("Offene Auslegungsfragen", 2)
        d.para("Wo der Gesetzestext mehrere Lesarten zulässt, rechnet der Entwurf mit der hier genannten; bitte prüfen:",
               keep=True)
        for reading in p.readings:
            d.para(reading, style="List Bullet")


def _stock_margin(d: _Draft) -> tuple[AreaResult | None, ProtectedRow | None]:
    total = next((r for r in d.analysis.areas if r.dimension == "gesamt"), None)
    return total, (d.single(total.counts) if total is not None else None)


def _stock_total(d: _Draft) -> dict:
    """The Dienststelle's row as published: women and men as in every table's margin; divers/ohne
    Angabe by the rule; the overall total only when divers/ohne Angabe is shown, since women and men
    are public through the tables' column sums and the total would give the hidden rest."""
    total, margin = _stock_margin(d)
    return _whole_row(d, total, margin) if total is not None else {}


def _whole_row(d: _Draft, total: AreaResult, margin: ProtectedRow) -> dict:
    """The Dienststelle's row of the stock or of a movement, everybody counted (divers/ohne Angabe
    too); ``margin`` is its women-and-men row as the tables show it."""
    full = d.protect([("gesamt", total.counts)], judged=True)[0]  # its verdict is shown (section 3)
    if not d.w_m:
        return {"w": full.w, "m": full.m, "dx": full.dx, "total": full.total, "shown": d.share_shown(full),
                "result": total}
    # women and men (or, both below the minimum, their sum) are public through the tables' sum rows:
    # the total of everybody is shown only beside a shown divers/ohne Angabe
    shown_total = total.counts.total if None not in (full.dx, margin.total) else None
    return {"w": margin.w, "m": margin.m, "dx": full.dx, "total": shown_total, "shown": margin.shares_shown,
            "result": total}


def _threshold_text(p) -> str:
    """The profile's rule of underrepresentation in words (§ 3: strictly below 40 % in Thuringia)."""
    limit = ("unter " if p.comparison == "lt" else "bis zu ") + fmt_pct(p.threshold)
    who = "Unterrepräsentiert ist ein Geschlecht" if p.sexes == "both" else "Unterrepräsentiert sind Frauen"
    gap = f", wenn zugleich mindestens {p.min_gap} Männer mehr beschäftigt sind" if p.min_gap else ""
    source = f" ({p.cite('underrepresentation')})" if p.cite("underrepresentation") else ""
    return f"{who} mit einem Anteil {limit}{gap}{source}."


def _heads_shown(d: _Draft) -> bool:
    """The head count equals the stock total when counting heads: shown only when that total is."""
    if d.analysis.profile.count_basis != "koepfe":
        return True
    t = _stock_total(d)
    return bool(t) and t["total"] is not None


def _stock(d: _Draft) -> None:
    a, p = d.analysis, d.analysis.profile
    d.heading("2. Bestandsaufnahme")
    basis = "Köpfen" if p.count_basis == "koepfe" else "Vollzeitäquivalenten (Teilzeit anteilig)"
    d.para(f"Beschäftigte am {fmt_date(a.deadlines.stichtag)} nach Geschlecht, gezählt in {basis}, je Bereich. "
           + ("Frauen- und Männeranteile beziehen sich auf Frauen und Männer; Personen mit dem Eintrag divers oder "
              "ohne Angabe sind gezählt und in der Gesamtzahl ausgewiesen. " if d.w_m else
              "Frauen- und Männeranteile beziehen sich auf alle Beschäftigten des Bereichs. ")
           + _threshold_text(p))
    t = _stock_total(d)
    total, margin = _stock_margin(d)
    if t:
        d.heading("Beschäftigte insgesamt", 2)
        d.table(["", "Frauen", "Männer", "divers/ohne Angabe", "gesamt", "Frauen\u00adanteil"],
                [["Dienststelle", d.cell(t["w"]), d.cell(t["m"]), d.cell(t["dx"]), d.cell(t["total"]),
                  fmt_pct(total.share_women) if t["shown"] and total.share_women is not None else
                  ("–" if total.share_women is None else SUPPRESSED)]],
                [4.4, 2.0, 2.0, 3.2, 2.0, 2.4])
    for dim, results in _dimensions(a.areas).items():
        if dim == "gesamt":
            continue
        d.heading(DIMENSIONS.get(dim, dim), 2)
        rows = d.count_table(dim, results, total, margin, verdicts=p.judges(dim), quiet=True)
        d.stock_rows.update({(dim, area): row for area, row in rows.items()})
        if p.judges(dim) and len(results) > 1:
            _chart(d, dim, results, rows)
    _part_time_and_leave(d, total)


def _chart(d: _Draft, dim: str, results: list[AreaResult], rows: dict[str, ProtectedRow]) -> None:
    p = d.analysis.profile
    bars = [Bar(area_label(dim, r.area), r.share_women if d.share_shown(rows[r.area]) else None,
                None if _nothing_shown(rows[r.area]) else r.underrepresented,
                "keine Beschäftigten" if r.share_women is None else "nicht ausgewiesen (Datenschutz)")
            for r in results]
    if all(b.share is None for b in bars):
        return
    png = share_chart(bars, p.threshold, 1 - p.threshold if p.sexes == "both" else None)
    d.figures += 1
    d.para(f"Abbildung {d.figures}: Frauenanteil nach {DIMENSIONS.get(dim, dim)}", bold=True, size=9, keep=True)
    d.doc.add_picture(io.BytesIO(png), width=Cm(TEXT_WIDTH))
    d.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _part_time_and_leave(d: _Draft, total: AreaResult | None) -> None:
    """Part-time and leave per Laufbahngruppe and Führungsebene. Their Dienststelle totals are not
    printed (the Arbeitszeit and Beurlaubung tables already give them) but are handed to the
    protection as a margin, so a reader who adds the rows learns nothing hidden."""
    ds, basis = d.analysis.dataset, d.analysis.profile.share_basis
    blocks = [(label, source, dim) for label, source in (("Teilzeit (einschließlich Altersteilzeit)", ds.part_time),
                                                         ("Beurlaubung", ds.on_leave))
              for dim in PART_DIMENSIONS if any(k[0] == dim for k in source)]
    if not blocks:
        return
    d.heading("Teilzeit und Beurlaubung", 2)
    for label, source, dim in blocks:
        results = [_unjudged(dim, area, c, basis) for (k, area), c in source.items() if k == dim]
        whole = source.get(("gesamt", "gesamt"))
        d.para(f"davon {label} nach {DIMENSIONS[dim]}", bold=True, keep=True)
        margin = _unjudged("gesamt", "gesamt", whole, basis) if whole is not None else None
        hide = _hide_davon_sums(d, source is ds.part_time, results, whole)
        d.count_table(dim, results, margin, None, verdicts=False, hide=hide)


def _hide_davon_sums(d: _Draft, part_time: bool, results: list[AreaResult], whole: Counts | None) -> set:
    """A "davon" table whose Bereiche cover everybody adds up to all part-time (or on leave) staff:
    a column shown in full publishes that sum. The Arbeitszeit (Beurlaubung) table gives the same
    sum as Teilzeit + Altersteilzeit (familiär + sonstige): if it hides those, the published sum
    would give its hidden cells back. Then a cell of the column is hidden too (the smallest)."""
    dim, members = PART_TIME if part_time else ON_LEAVE
    stock = [d.stock_rows[(dim, a)] for a in members if (dim, a) in d.stock_rows]
    items = [(r.area, d.counts(r.counts)) for r in results]
    if whole is None or not stock or sum((c for _, c in items), Counts()) != d.counts(whole):
        return set()
    hide: set = set()
    while True:
        protected = d.protect(items, d.counts(whole), hide=hide)
        more = set()
        for col in ("w", "m", "total"):
            public = all(getattr(p, col) is not None for p in stock)
            cells = [(getattr(p, col), i) for i, p in enumerate(protected)]
            if not public and all(v is not None for v, _ in cells) and any(v for v, _ in cells):
                more.add((min((v, i) for v, i in cells if v)[1], col))
        if not more:
            return hide
        hide |= more


def _unjudged(dim: str, area: str, counts: Counts, basis: str) -> AreaResult:
    """A row of a "davon" table: shares, no verdict (part-time and leave are not Bereiche)."""
    return AreaResult(dim, area, counts, *shares(counts, basis), None)


def _description(d: _Draft) -> None:
    a, p = d.analysis, d.analysis.profile
    d.heading("3. Beschreibende Auswertung")
    t = _stock_total(d)
    if t:
        r = t["result"]
        d.para(say.stock_overview(fmt_date(a.deadlines.stichtag), t["w"], t["m"],
                                  r.share_women if t["shown"] else None, r.share_men if t["shown"] else None,
                                  t["dx"], t["total"], p.count_basis == "vzae"))
        if r.underrepresented:
            d.para(say.underrepresented("gesamt", "gesamt", r.underrepresented,
                                        _own_share(r) if t["shown"] else None))
    for dim, results in _dimensions(a.areas).items():
        if dim == "gesamt" or not p.judges(dim):
            continue
        # Bereiche with nothing shown are left out: their verdict would tell the few persons' sex
        judged = [r for r in results if r.share_women is not None and not _nothing_shown(d.stock_rows[(dim, r.area)])]
        women = sum(r.underrepresented == "women" for r in judged)
        men = sum(r.underrepresented == "men" for r in judged)
        summary = say.dimension_summary(dim, len(judged), women, men)
        if summary or women or men:
            d.heading(DIMENSIONS.get(dim, dim), 2)
        if summary:
            d.para(summary)
        for r in judged:
            if r.underrepresented:
                shown = d.share_shown(d.stock_rows[(dim, r.area)])
                d.para(say.underrepresented(dim, r.area, r.underrepresented, _own_share(r) if shown else None),
                       style="List Bullet")
    lines = []
    for dim, area in (("arbeitszeit", "teilzeit"), ("beurlaubung", "familie")):
        r = next((x for x in a.areas if (x.dimension, x.area) == (dim, area)), None)
        if r is not None and d.share_shown(d.stock_rows[(dim, area)]):
            row = d.stock_rows[(dim, area)]
            lines.append(say.share_of(say.where(dim, area), r.share_women, row.w, row.m))
    if lines:
        d.heading("Teilzeit und Beurlaubung", 2)
        for line in lines:
            d.para(line)
    d.heading("Einordnung", 2)
    d.placeholder("Einordnung der Zahlen: Entwicklung seit dem letzten Plan, Ursachen der Unterrepräsentanz")


def _own_share(r: AreaResult):
    return r.share_women if r.underrepresented == "women" else r.share_men


def _justification(d: _Draft, topic: str, results: list[tuple[AreaResult, ProtectedRow]],
                   stock: dict[tuple[str, str], AreaResult] | None = None) -> None:
    """Where a sex is underrepresented: name the Bereiche and leave the Begründung to the office.
    Bereiche whose counts are all hidden are not named (their verdict would tell the split).

    ``stock`` (movements only): "im Falle von Unterrepräsentanz" (ThürGleichG § 4 Abs. 2 Satz 3) can
    be judged on the movements themselves or on the stock of the Bereich; both readings are shown
    and either one asks for a Begründung."""
    named = [f"{SEX_WORDS[VERDICT_SEX[r.underrepresented]]} {say.where(r.dimension, r.area)}"
             for r, p in results if r.underrepresented and not _nothing_shown(p)]
    unnamed = any(r.underrepresented and _nothing_shown(p) for r, p in results)
    in_stock = []
    if stock is not None:
        seen = set()
        for r, _ in results:
            s = stock.get((r.dimension, r.area))
            if s is not None and s.underrepresented and (r.dimension, r.area) not in seen \
                    and not _nothing_shown(d.stock_rows.get((r.dimension, r.area), _SHOWN)):
                seen.add((r.dimension, r.area))
                in_stock.append(f"{SEX_WORDS[VERDICT_SEX[s.underrepresented]]} {say.where(r.dimension, r.area)}")
    if not named and not unnamed and not in_stock:
        return
    lead = "Nach den Bewegungen selbst unterrepräsentiert: " if stock is not None else "Unterrepräsentiert: "
    text = (lead + "; ".join(named) + "." if named else "") + \
           (f" Bereiche mit weniger als {d.min_cell} Fällen werden aus Datenschutzgründen nicht einzeln genannt."
            if unnamed else "")
    if stock is not None:
        text += (" Nach dem Bestand des Bereichs unterrepräsentiert: " + "; ".join(in_stock) + "." if in_stock else
                 " Nach dem Bestand ist in diesen Bereichen kein Geschlecht unterrepräsentiert.")
        text += " Welche Lesart gilt, lässt das Gesetz offen; eine Begründung ist unter jeder der beiden nötig."
    d.para(text.strip(), keep=True)
    d.placeholder(f"Begründung {topic}")


def _movements(d: _Draft) -> None:
    a = d.analysis
    d.heading("4. Personalbewegungen und Gremien")
    d.para(f"Anteile von Frauen und Männern an Bewerbungen, Einstellungen, Beförderungen, Höhergruppierungen und "
           f"Fortbildungen im Berichtszeitraum {fmt_date(a.deadlines.flow_window_start)} bis "
           f"{fmt_date(a.deadlines.flow_window_end)}, je Bereich. Wo ein Geschlecht unterrepräsentiert ist, ist das "
           f"zu begründen.")
    stock = {(r.dimension, r.area): r for r in a.areas}
    for kind, label in MOVEMENT_KINDS.items():
        results = [r for r in a.movements if r.kind == kind]
        if not results:
            continue
        d.heading(label, 2)
        total = next((r for r in results if r.dimension == "gesamt"), None)
        margin = d.single(total.counts) if total is not None else None
        judged = []
        if total is not None:
            t = _whole_row(d, total, margin)
            d.para(say.movement_overview(label, t["w"], t["m"], t["dx"], t["total"],
                                         total.share_women if t["shown"] else None,
                                         total.share_men if t["shown"] else None))
            judged.append((total, margin))
        for dim, rows in _dimensions([r for r in results if r.dimension != "gesamt"]).items():
            d.para(f"{label} nach {DIMENSIONS.get(dim, dim)}", bold=True, keep=True)
            protected = d.count_table(dim, rows, total, margin, quiet=True)
            judged += [(r, protected[r.area]) for r in rows]
        _justification(d, f"zu den {label}", judged, stock)
    if a.committees:
        d.heading("Gremien", 2)
        d.para(f"Besetzung der Gremien am Stichtag {fmt_date(a.deadlines.stichtag)}.")
        protected = d.count_table("gremium", a.committees, quiet=True, everybody=True)
        _justification(d, "zur Besetzung der Gremien", [(r, protected[r.area]) for r in a.committees])


def _targets(d: _Draft) -> None:
    a, p, dl = d.analysis, d.analysis.profile, d.analysis.deadlines
    d.heading("5. Zielvorgaben und Maßnahmen")
    who = "ein Geschlecht" if p.sexes == "both" else "Frauen"
    d.para(f"Für jeden Bereich, in dem {who} unterrepräsentiert {'ist' if p.sexes == 'both' else 'sind'}, eine "
           f"Zielvorgabe{f' ({cite})' if (cite := p.cite('targets')) else ''}. Die Rechenhilfen nutzen die Prognose "
           f"der bis zum Stichtag des nächsten Plans ({fmt_date(dl.next_plan_stichtag)}) frei werdenden Stellen "
           f"(Altersabgänge und bekannte Abgänge): {_sizing_words(p)}, und die Einstellungen oder Beförderungen, "
           f"die für einen Anteil von {fmt_pct(p.threshold)} bis dahin nötig wären. Bei Führungsebenen zeigt das "
           f"Kaskadenmodell den Anteil der Ebene darunter als Ziel.")
    if p.has("leadership_level_targets"):
        d.para(f"Für jede einzelne Führungsebene sind Zielvorgaben zum Frauen- und Männeranteil festzulegen "
               f"({p.cite('leadership_level_targets')}), auch wo Frauen dort nicht unterrepräsentiert sind.")
        d.placeholder(f"Zielvorgaben zum Frauen- und Männeranteil für jede Führungsebene "
                      f"({p.cite('leadership_level_targets')})")
    measures = catalogue()
    d.heading("Maßnahmenkatalog zur Auswahl", 2)
    d.para("Ein Angebot, noch kein Beschluss: organisatorische, personelle und Fortbildungsmaßnahmen zur "
           "Gleichstellung, zur Vereinbarkeit von Beruf und Familie einschließlich Pflege und zur Erhöhung des "
           "Anteils des unterrepräsentierten Geschlechts. Maßnahmen „für alle“ gelten übergreifend; die übrigen "
           "schlagen die Zielvorgaben für Führungsebenen und für das jeweils unterrepräsentierte Geschlecht vor. "
           "Gewählte Maßnahmen ankreuzen, nicht gewählte aus dem Plan streichen.", keep=True)
    d.table(["gewählt", "Nr.", "Art", "Maßnahme", "für"],
            [["\u2610", m["id"], MEASURE_KINDS[m["kind"]], f"{m['topic']}: {m['text']}",
              ", ".join(FOR_LABEL[f] for f in m["for"])] for m in measures], [1.4, 1.0, 2.6, 9.2, 1.8])
    d.placeholder("Maßnahmen aus dem Katalog auswählen, eigene ergänzen und den Katalog auf die gewählten kürzen")
    # a Bereich whose counts are all hidden is not named (its verdict would tell the few persons' sex)
    hidden = [s for s in target_suggestions(a) if _nothing_shown(d.stock_rows[(s.dimension, s.area)])]
    suggestions = [s for s in target_suggestions(a) if s not in hidden]
    if hidden:
        d.para(f"In Bereichen mit weniger als {d.min_cell} Personen wird aus Datenschutzgründen nicht ausgewiesen, ob "
               f"ein Geschlecht unterrepräsentiert ist.")
        d.placeholder("Zielvorgaben für die kleinen Bereiche, in denen die Dienststelle nach ihren eigenen Zahlen eine "
                      "Unterrepräsentanz feststellt (ohne Angaben, die auf einzelne Personen schließen lassen)")
    if not suggestions and not hidden:
        d.para("In keinem Bereich ist ein Geschlecht unterrepräsentiert; Zielvorgaben sind nicht erforderlich.")
    for i, s in enumerate(suggestions, 1):
        title = f"{SEX_WORDS[s.sex]} {say.where(s.dimension, s.area)}"
        d.heading(f"Zielvorgabe Z{i}: {title}", 2)
        d.table(["Rechenhilfe", "Wert"], _sizing_rows(d, s), [12.0, 4.0])
        chosen = choose_measures(measures, s.sex, s.dimension == "fuehrungsebene")
        by_kind = [f"{MEASURE_KINDS[k]} " + ", ".join(f"{m['id']} ({m['topic']})" for m in chosen if m["kind"] == k)
                   for k in MEASURE_KINDS if any(m["kind"] == k for m in chosen)]
        d.para("Vorgeschlagene Maßnahmen aus dem Katalog: " + "; ".join(by_kind) + ".")
        d.placeholder(f"Zielvorgabe Z{i} ({title}): Anzahl und Frist festlegen, Maßnahmen auswählen und Zuständigkeit "
                      f"bestimmen, Qualifikationspotenzial bewerten"
                      + (f" ({p.cite('targets')})" if p.cite("targets") else ""),
                      where=f"{d.section} – Zielvorgabe Z{i}")
    own = a.dataset.measures
    if own:
        d.heading("Maßnahmen aus dem Erhebungsbogen", 2)
        d.table(["zu Ziel", "Art", "Maßnahme", "zuständig", "bis"],
                [[m.target_id or "", MEASURE_KINDS.get(m.kind, m.kind), m.text, m.responsible, fmt_date(m.deadline)]
                 for m in own], [1.6, 2.4, 7.4, 2.6, 2.0])


def _sizing_rows(d: _Draft, s) -> list[list[str]]:
    """The sizing helpers of one Zielvorgabe. A derived figure is shown only when every count it is
    computed from is shown, so it cannot give a hidden count away."""
    dl, p = d.analysis.deadlines, d.analysis.profile
    sex, dat = SEX_WORDS[s.sex], SEX_DATIVE[s.sex]
    stock = d.stock_rows[(s.dimension, s.area)]
    current = stock.w if s.sex == "w" else stock.m
    forecast = d.analysis.dataset.forecast.get((s.dimension, s.area), Counts())
    split = d.protect([(s.area, forecast)])[0]
    vacancies = forecast.total if split.total is not None else d.lone(forecast.total)
    departures = (split.w if s.sex == "w" else split.m) if split.total is not None else None
    half = s.vacancy_target if vacancies is not None else None
    hires = s.hires_for_threshold if None not in (current, stock.total, departures) else None
    hires_text = d.cell(hires)
    if hires is not None and s.infeasible and vacancies is not None:
        hires_text += f" – mehr als die {fmt_number(vacancies)} frei werdenden Stellen: so nicht erreichbar"
    rows = [[f"{sex} im Bereich am Stichtag", d.cell(current)],
            ["Frauen und Männer im Bereich am Stichtag", d.cell(stock.total)],
            [f"voraussichtlich frei werdende Stellen bis {fmt_date(dl.next_plan_stichtag)}", d.cell(vacancies)],
            [f"davon bisher mit {dat} besetzt", d.cell(departures)],
            [f"{capital(_sizing_words(p, sex))}", d.cell(half)],
            [f"Einstellungen oder Beförderungen von {dat} für einen Anteil von {fmt_pct(p.threshold)} bis zum "
             f"Planende", hires_text]]
    below = _level_below(d, s.area) if s.dimension == "fuehrungsebene" else None
    if below is not None and s.cascade_share is not None:
        shown = d.share_shown(d.stock_rows[("fuehrungsebene", below)])
        rows.append([f"Kaskadenmodell: Anteil der {sex} auf der Ebene darunter "
                     f"({area_label('fuehrungsebene', below)})", fmt_pct(s.cascade_share) if shown else SUPPRESSED])
    # the next Stichtag is not the plan's end (ThürGleichG: the office sets the start, so the end too)
    rows.append(["Frist (Vorschlag): Ende des Planzeitraums", fmt_date(dl.plan_end)] if dl.plan_end else
                ["Frist (Vorschlag): Stichtag des nächsten Plans", fmt_date(dl.next_plan_stichtag)])
    if p.adjustment != "keine":
        rows.append(["Zwischenstand zum Stichtag der Anpassung", fmt_date(dl.adjustment_stichtag)])
    return rows


def _sizing_words(p, sex: str = "das unterrepräsentierte Geschlecht") -> str:
    """The profile's share of the vacancies, and whether the law sets it or it is only a helper."""
    share = SIZING_SHARE[p.sizing]
    source = f"nach {p.cite('sizing')}" if p.cite("sizing") else "Rechenhilfe, vom Gesetz nicht vorgegeben"
    return f"{share} der frei werdenden Stellen für {sex} ({source})"


def _level_below(d: _Draft, level: str) -> str | None:
    """The next leadership level below ``level`` that the Dienststelle has (as analysis' cascade)."""
    present = [lvl for lvl in LEADERSHIP_LEVELS if ("fuehrungsebene", lvl) in d.stock_rows]
    if level not in present:
        return None
    i = present.index(level)
    return present[i + 1] if i + 1 < len(present) else None


def _attainment(d: _Draft) -> None:
    a, lead, p, dl = d.analysis, d.analysis.leadership, d.analysis.profile, d.analysis.deadlines
    d.heading("6. Bericht über die Zielerreichung")
    when = (f"Bei der Anpassung (Stichtag {fmt_date(dl.adjustment_stichtag)}) und zum Ende des Plans"
            if p.adjustment != "keine" else "Zum Ende des Plans")
    source = f" ({p.cite('attainment')})" if p.cite("attainment") else ""
    d.para(f"{when} ist für jede Zielvorgabe festzustellen, ob sie erreicht wurde; für jede nicht erreichte Zielvorgabe "
           f"sind die Gründe anzugeben{source}.", keep=True)
    hidden_achieved = set()
    if a.targets:
        rows = []
        for t, met in a.targets:
            achieved = _achieved(d, t.achieved, t.target) if t.achieved is not None else None
            if t.achieved is not None and achieved is None:
                hidden_achieved.add(t.id)
            rows.append([t.id, f"{DIMENSIONS.get(t.dimension, t.dimension)}: {area_label(t.dimension, t.area)}",
                         SEX_WORDS.get(t.sex, t.sex), fmt_number(t.target),
                         "–" if t.achieved is None else d.cell(achieved), fmt_date(t.deadline),
                         {True: "erreicht", False: "nicht erreicht", None: "offen"}[met],
                         "ja" if t.leadership else "nein"])
        d.table(["Nr.", "Bereich", "für", "Ziel", "Ist", "Frist", "Stand", "Führung"], rows,
                [0.9, 4.0, 1.5, 1.0, 1.8, 2.1, 2.4, 2.3], size=8.5)
        d.para("Nr. = Nummer der Zielvorgabe im vorigen Plan; die Zielvorgaben dieses Plans (Abschnitt 5) werden bei "
               "der Anpassung unter ihren Nummern Z1, Z2, … berichtet.", italic=True, size=8)
        # say where a target no longer fits, from the verdicts section 2 shows (not where a Bereich's
        # counts are all hidden: there the verdict is not shown either)
        shown = [r for r in a.areas if not _nothing_shown(d.stock_rows.get((r.dimension, r.area), _SHOWN))]
        odd = [t.id for t in unfitting_targets([t for t, _ in a.targets], shown)]
        if odd:
            names = odd[0] if len(odd) == 1 else f"{', '.join(odd[:-1])} und {odd[-1]}"
            d.para(f"Hinweis: Bei {names} ist das Geschlecht, für das die Zielvorgabe gilt, im Bereich am "
                   f"Stichtag nicht unterrepräsentiert. Bitte prüfen, ob die Zielvorgabe fortgeführt werden soll.")
        for t, met in a.targets:
            if met is False:
                d.placeholder(f"Gründe, warum die Zielvorgabe {t.id} nicht erreicht wurde{source}")
    else:
        d.para("Zielvorgaben eines vorigen Plans liegen nicht vor; der Bericht folgt bei der Anpassung.")
    if p.has("leadership_rule"):
        d.heading(f"50-%-Regel für Führungspositionen ({p.cite('leadership_rule')})", 2)
        _leadership(d, lead, p, any(t.leadership and t.id in hidden_achieved for t, _ in a.targets))


def achieved_hidden(min_cell: int, target: int) -> tuple[int, int]:
    """The achieved counts hidden for a target (lo..hi). Like every lone count 1..min_cell-1, but
    the target and its Stand (erreicht: achieved >= target) are public, so neither part may be a
    single value: with target = min_cell-1 "erreicht" would mean exactly the target (target + 1 is
    hidden too), with target 2 "nicht erreicht" would mean exactly 1 (0 is hidden too)."""
    lo, hi = 1, min_cell - 1
    if target == hi:
        hi = target + 1
    if target == 2:
        lo = 0
    return lo, hi


def _achieved(d: _Draft, achieved: int, target: int) -> int | None:
    lo, hi = achieved_hidden(d.min_cell, target)
    return None if lo <= achieved <= hi else achieved


def _leadership(d: _Draft, lead, p, volume_hidden: bool) -> None:
    limit, route = fmt_pct(p.leadership_threshold), d.analysis.route
    # the law's own procedure (Genehmigung, Benehmen, or the body's own decision), never one word for all
    consequence = LEADERSHIP_PROCEDURE[route.leadership_procedure].format(who=lead.approver)
    if lead.approval_required is None:
        d.para(f"Zielvorgaben für Führungspositionen mit Frist bis zum Stichtag: {lead.targets}; eine Zielerreichung "
               f"ist dafür nicht erfasst, die Regel ist {APPROVAL[None]}. Zielvorgaben mit einer späteren Frist "
               f"zählen erst, wenn sie fällig sind.")
        return
    # I2 adds up achieved counts: with one of them hidden, its exact value could give that count away
    volume = lead.volume_reading
    if volume is None:
        volume_text = "–"
    elif volume_hidden:
        volume_text = ("unter " if volume < p.leadership_threshold else "mindestens ") + limit + " (Wert verdeckt)"
    else:
        volume_text = fmt_pct(volume)

    def verdict(value) -> str:
        if value is None:
            return "–"
        return f"Regel {APPROVAL[value < p.leadership_threshold]}"

    d.table(["Lesart", "Wert", "Ergebnis"],
            [["I1 – Anteil der vollständig erreichten Zielvorgaben", fmt_pct(lead.count_reading),
              verdict(lead.count_reading)],
             ["I2 – Anteil der erreichten Personenzahl an allen Zielvorgaben", volume_text, verdict(volume)]],
            [8.0, 3.6, 4.4])
    d.para(f"Maßgeblich nach dem Rechtsprofil: {READING[lead.reading]}.")
    if lead.approval_required:
        d.para(f"Weniger als {limit} der Zielvorgaben für Führungspositionen sind erreicht: Bis zur Erreichung der "
               f"Zielvorgaben {consequence}.", bold=True)
    else:
        d.para(f"Mindestens {limit} der Zielvorgaben für Führungspositionen sind erreicht: Die Regel nach "
               f"{p.cite('leadership_rule')} {APPROVAL[False]}. Zuständig, falls sie greift: {lead.approver}.")


def _closing(d: _Draft) -> None:
    d.heading("7. Offene Platzhalter")
    d.para(f"Diese {len(d.placeholders)} Stellen füllt die Dienststelle aus:", keep=True)
    d.table(["Nr.", "Abschnitt", "Platzhalter"],
            [[str(i), section, text] for i, (section, text) in enumerate(d.placeholders, 1)], [1.2, 5.3, 9.5])
