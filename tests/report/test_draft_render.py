"""The demo agency's draft: no personal data, and it opens in LibreOffice, converts to PDF and
renders to PNG pages (kept in the test's tmp folder for a look by eye: title, tables, charts)."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import docx
import pytest

from draft_helpers import all_text

from xl_gleichplan.analysis import analyse
from xl_gleichplan.demo import DEMO_AGENCY, DEMO_STICHTAG, write_exports
from xl_gleichplan.io.hr_import import import_exports
from xl_gleichplan.model import Agency
from xl_gleichplan.profiles import load_profile
from xl_gleichplan.report.draft import write_draft


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{tool} fehlt: in CI muss der Planentwurf gerendert werden")
    pytest.skip(f"{tool} not installed")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """As cmd_demo does it: exports -> import -> analyse -> draft."""
    folder = tmp_path_factory.mktemp("demo")
    files = write_exports(folder / "exporte")
    profile = load_profile("thueringen")
    dataset = import_exports(**files, profile=profile, stichtag=DEMO_STICHTAG, agency=Agency(**DEMO_AGENCY))
    path = write_draft(analyse(dataset, profile), folder / "gleichstellungsplan_entwurf.docx")
    return folder, files, path


def test_demo_draft_has_no_personal_data(demo):
    _, files, path = demo
    text = all_text(docx.Document(str(path)))
    with open(files["staff"], encoding="utf-8-sig") as fh:
        staff = list(csv.DictReader(fh, delimiter=";"))
    assert staff
    for person in staff:
        for column in ("name", "personalnummer", "geburtsdatum"):
            assert person[column] not in text, column


def test_demo_draft_converts_to_pdf_and_renders(demo):
    soffice, pdftoppm = _require("soffice"), _require("pdftoppm")
    folder, _, path = demo
    out = folder / "pdf"
    profile_dir = Path(f"/tmp/lo_draft_{uuid.uuid4().hex}")  # own LibreOffice profile: parallel runs
    try:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile_dir}", "--convert-to", "pdf",
                        "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=240)
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)
    pdf = out / "gleichstellungsplan_entwurf.pdf"
    assert pdf.exists() and pdf.stat().st_size > 50_000
    pages = folder / "pages"
    pages.mkdir()
    subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf), str(pages / "seite")], check=True, timeout=240)
    pngs = sorted(pages.glob("seite-*.png"))
    assert len(pngs) >= 10
    from PIL import Image

    for png in pngs:
        with Image.open(png) as image:  # A4 portrait at 60 dpi: 496 x 702 px
            assert abs(image.width - 496) <= 2 and abs(image.height - 702) <= 2, png.name
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        for heading in ("1. Geltungsbereich und Verfahren", "2. Bestandsaufnahme", "3. Beschreibende Auswertung",
                        "4. Personalbewegungen und Gremien", "5. Zielvorgaben und Maßnahmen",
                        "6. Bericht über die Zielerreichung", "7. Offene Platzhalter", "Abbildung 1"):
            assert heading in text
        assert "Seite 1 von" in text
