"""The anchors of the draft and template rows of run_all.py: the same output made the plainest way,
without the product's logic (issue 16).

* ``bare_draft``: a Word document with the same paragraphs, tables and charts as the plan draft of
  an agency, made with python-docx's public API and matplotlib defaults: plain paragraphs (no
  styles), ``add_table`` with each cell's text set row by row, one ``barh`` per chart with the
  same bars and tick labels at the draft's figure size and resolution (no value labels,
  thresholds, legend or margins), ``add_picture``, ``save``. No protection, sentences or analysis:
  what they decide is read from a draft written once beforehand (``draft_spec``, not timed).
* ``zip_copy``: every member of the checked-in template read and written into a new zip package
  (deflated), i.e. copying the template at the zip level with nothing changed.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path


def draft_spec(analysis, folder: Path) -> dict:
    """Paragraph texts, table cells and chart bars of the draft of ``analysis``."""
    from docx import Document

    from xl_gleichplan.report import draft

    charts, real = [], draft.share_chart

    def record(bars, *args):
        charts.append([(b.label, float(b.share or 0) * 100) for b in bars])
        return real(bars, *args)

    draft.share_chart = record
    try:
        path = draft.write_draft(analysis, folder / "vorlage_fuer_anker.docx")
    finally:
        draft.share_chart = real
    doc = Document(path)
    return {"paragraphs": [p.text for p in doc.paragraphs],
            "tables": [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables],
            "charts": charts}


def bare_draft(spec: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from docx import Document
    from docx.shared import Cm

    from xl_gleichplan.report.charts import DPI, figure_size

    doc = Document()
    for text in spec["paragraphs"]:
        doc.add_paragraph(text)
    for rows in spec["tables"]:
        table = doc.add_table(rows=len(rows), cols=len(rows[0]))
        for row, values in zip(table.rows, rows):
            for cell, text in zip(row.cells, values):
                cell.text = text
    for bars in spec["charts"]:
        fig, ax = plt.subplots(figsize=figure_size(len(bars)), dpi=DPI)
        ax.barh(range(len(bars)), [v for _, v in bars], tick_label=[label for label, _ in bars])
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        doc.add_picture(buf, width=Cm(16))
    doc.save(path)


def zip_copy(src: Path, dst: Path) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))


def prepare_drafts(folder: Path, agencies: int = 8) -> Path:
    """Analyses of ``agencies`` demo agencies (60 to about 1,000 staff) and the spec of each one's
    draft, pickled for the draft row of run_all.py (written anew on each run: the code may have changed)."""
    import pickle
    from datetime import date

    from xl_gleichplan.analysis import analyse
    from xl_gleichplan.demo import write_exports
    from xl_gleichplan.io.hr_import import import_exports
    from xl_gleichplan.model import Agency
    from xl_gleichplan.profiles import load_profile

    profile, items = load_profile(), []
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(agencies):
        files = write_exports(folder / f"exporte_{i}", n_staff=60 + i * 130, seed=i)
        analysis = analyse(import_exports(**files, profile=profile, stichtag=date(2025, 6, 30),
                                          agency=Agency(f"Amt {i}", "landesverwaltung")), profile)
        items.append((analysis, draft_spec(analysis, folder)))
    out = folder / "entwuerfe.pkl"
    out.write_bytes(pickle.dumps(items))
    return out
