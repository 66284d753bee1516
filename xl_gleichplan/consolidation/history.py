"""The history: consolidations of several Stichtage as one tidy CSV file.

One row per agency, Stichtag, dimension, Bereich and sex (``HISTORY_COLUMNS``), semicolon-separated
UTF-8 with BOM as the other CSV files of xl-gleichplan, dates as ISO text (2025-06-30). A run
replaces the rows of the (agency, Stichtag) pairs it has read and keeps every other row, so
re-running a Stichtag never duplicates it, and two offices can add their parts to one file.

CSV rather than Parquet: Parquet would need pyarrow (about 100 MB, not a dependency); a few years of a
whole state's agencies are a few hundred thousand rows, which pandas and DuckDB read from CSV in a
second, and a clerk can open the file in Excel.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from ..errors import GleichplanError
from ..model import Counts
from ..profiles import Profile
from ..schema import LEADERSHIP_LEVELS
from ..rules.shares import shares
from .hierarchy import ALL

HISTORY_FILE = "gleichplan_verlauf.csv"
HISTORY_COLUMNS = ["stichtag", "agency", "type", "parent", "ministry", "profile", "dimension", "area", "sex", "count"]
TEXT_COLUMNS = ["agency", "type", "parent", "ministry", "profile", "dimension", "area", "sex"]
# A text starting with one of these is a formula to Excel and LibreOffice when the CSV is opened there
# (OWASP "CSV injection"): it is written with a leading apostrophe, which the reader takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


def csv_value(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def history_path(path: str | Path) -> Path:
    """A folder (or a name without suffix) means the file ``gleichplan_verlauf.csv`` in it."""
    path = Path(path)
    if path.is_dir() or not path.suffix:
        return path / HISTORY_FILE
    if path.suffix.lower() != ".csv":
        raise GleichplanError(f"Der Verlauf wird als CSV-Datei geführt; „{path}“ ist keine .csv-Datei. Bitte einen "
                              f"Ordner oder einen Dateinamen auf .csv angeben.")
    return path


def fingerprint(path: Path | None) -> bytes | None:
    """The digest of the history file's bytes (None: no file): taken before it is read, it tells a
    later writer whether another run has written the file since."""
    import hashlib

    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").digest()
    except FileNotFoundError:
        return None
    except OSError:
        return b""  # unknown: matches no digest, so the writer reads the file again


def read_history(path: Path) -> pd.DataFrame | None:
    if not path.exists():
        return None
    try:
        frame = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False, na_filter=False)
    except (UnicodeDecodeError, pd.errors.ParserError, OSError) as exc:
        raise GleichplanError(f"Die Verlaufsdatei „{path}“ kann nicht gelesen werden ({type(exc).__name__}). Bitte "
                              f"die Datei prüfen oder einen anderen Ort für den Verlauf angeben.") from None
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if missing:
        raise GleichplanError(f"„{path}“ ist keine Verlaufsdatei von xl-gleichplan (es fehlen die Spalten "
                              f"{', '.join(missing)}). Bitte einen anderen Ort für den Verlauf angeben.")
    frame = frame[HISTORY_COLUMNS].copy()
    for column in TEXT_COLUMNS:  # each distinct text once: a state's history has millions of cells
        frame[column] = frame[column].map({v: csv_value(v) for v in frame[column].unique()})
    days = {s: _iso_date(s, path) for s in frame["stichtag"].unique()}
    frame["stichtag"] = frame["stichtag"].map(days)
    numbers = pd.to_numeric(frame["count"], errors="coerce")
    if numbers.isna().any():
        raise GleichplanError(f"In der Verlaufsdatei „{path}“ steht in der Spalte „count“ keine Zahl (Zeile "
                              f"{int(numbers.isna().to_numpy().argmax()) + 2}). Bitte die Datei prüfen.")
    frame["count"] = numbers.astype("int64") if (numbers == numbers.round()).all() else numbers
    frame["parent"] = frame["parent"].where(frame["parent"] != "", None)
    return frame


def _iso_date(text: str, path: Path) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise GleichplanError(f"In der Verlaufsdatei „{path}“ ist „{text}“ kein Stichtag (JJJJ-MM-TT).") from None


def merge_history(earlier: pd.DataFrame | None, now: pd.DataFrame) -> pd.DataFrame:
    """The earlier rows without the (agency, Stichtag) pairs of this run, then this run's rows;
    sorted by Stichtag and agency (stable: within an agency in the order of its workbook)."""
    if earlier is not None and len(earlier):
        replaced = pd.MultiIndex.from_frame(now[["agency", "stichtag"]].drop_duplicates())
        keep = ~pd.MultiIndex.from_frame(earlier[["agency", "stichtag"]]).isin(replaced)
        frame = pd.concat([earlier[keep], now], ignore_index=True) if len(now) else earlier[keep]
    else:
        frame = now
    return frame.sort_values(["stichtag", "agency"], kind="stable").reset_index(drop=True)


def write_history(frame: pd.DataFrame, path: Path) -> Path:
    from ..io.atomic import atomic_path

    out = frame.copy()
    out["stichtag"] = out["stichtag"].map({d: d.isoformat() for d in out["stichtag"].unique()})
    for column in TEXT_COLUMNS:
        values = out[column].dropna().unique()
        escaped = {v: csv_text(v) for v in values if csv_text(v) is not v}
        if escaped:
            out[column] = out[column].replace(escaped)
    with atomic_path(path) as tmp:
        _write_csv(out, tmp)
    return path


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    """pandas' CSV (";", UTF-8 with BOM, "\n") through pyarrow's writer, about fifteen times faster,
    when no text needs quotes and the counts are whole numbers: then the bytes are the same. Otherwise
    (a ";", '"' or line break in a name; VZÄ) pandas writes it, as before."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if pd.api.types.is_integer_dtype(frame["count"]):
        try:
            table = pa.Table.from_pandas(frame, preserve_index=False)
            with open(path, "wb") as fh:
                fh.write(("\ufeff" + ";".join(frame.columns) + "\n").encode("utf-8"))  # pyarrow would quote the names
                pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, delimiter=";", quoting_style="none"))
            return
        except pa.ArrowInvalid:  # a value that needs quotes
            pass
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig", lineterminator="\n")


def leadership_series(history: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """Share of women in leadership positions per Stichtag: all agencies, and per ministry (the
    top-level office recorded for that Stichtag). Sums over every Bereich of the dimension
    Führungsebene; the share comes from the summed counts."""
    columns = ["stichtag", "ministry", "agencies", "w", "m", "d", "x", "share_w"]
    lead = history[history["dimension"] == "fuehrungsebene"]
    if not len(lead):
        return pd.DataFrame([], columns=columns)
    rows = []
    sums = lead.pivot_table(index=["stichtag", "ministry"], columns="sex", values="count", aggfunc="sum",
                            fill_value=0).reset_index()
    agencies = history.groupby(["stichtag", "ministry"])["agency"].nunique()  # all, with leaders or not
    overall = lead.pivot_table(index="stichtag", columns="sex", values="count", aggfunc="sum", fill_value=0)
    overall_agencies = history.groupby("stichtag")["agency"].nunique()
    for stichtag, row in overall.iterrows():
        rows.append(_series_row(stichtag, ALL, int(overall_agencies[stichtag]), row, profile))
    for _, row in sums.iterrows():
        rows.append(_series_row(row["stichtag"], row["ministry"], int(agencies[(row["stichtag"], row["ministry"])]),
                                row, profile))
    frame = pd.DataFrame(rows, columns=columns)
    frame["_all"] = frame["ministry"] != ALL
    return frame.sort_values(["stichtag", "_all", "ministry"]).drop(columns="_all").reset_index(drop=True)


def _series_row(stichtag, ministry, agencies, row, profile: Profile) -> list:
    counts = Counts(*(_exact(row.get(s, 0)) for s in "wmdx"))
    share = shares(counts, profile.share_basis)[0]
    return [stichtag, ministry, agencies, *(_exact(counts.get(s)) for s in "wmdx"),
            None if share is None else float(share)]


def _exact(value):
    """numpy numbers back to Python: whole numbers as int, VZÄ as float."""
    value = value.item() if hasattr(value, "item") else value
    return int(value) if float(value).is_integer() else value


def leadership_levels(history: pd.DataFrame, profile: Profile, target) -> pd.DataFrame:
    """Share of women per leadership level (Dienststellenleitung, Abteilungsleitung, ...) per Stichtag,
    all agencies and per ministry, against the controlling's target value ``target`` (a share, e.g.
    1/2; default the profile's threshold). ``below_target``: the summed share is under the target."""
    columns = ["stichtag", "ministry", "level", "w", "m", "d", "x", "share_w", "target", "below_target"]
    lead = history[history["dimension"] == "fuehrungsebene"]
    if not len(lead):
        return pd.DataFrame([], columns=columns)
    sums: dict[tuple, dict] = {}  # (stichtag, ministry or ALL, level) -> {sex: count}, in one pass each
    for (s, a, sex), n in lead.groupby(["stichtag", "area", "sex"], sort=False)["count"].sum().items():
        sums.setdefault((s, ALL, a), {})[sex] = n
    for (s, m, a, sex), n in lead.groupby(["stichtag", "ministry", "area", "sex"], sort=False)["count"].sum().items():
        sums.setdefault((s, m, a), {})[sex] = n
    rows = [_level_row(keys, by_sex, profile, target) for keys, by_sex in sums.items()]
    frame = pd.DataFrame(rows, columns=columns)
    order = {lvl: i for i, lvl in enumerate(LEADERSHIP_LEVELS)}
    frame["_all"] = frame["ministry"] != ALL
    frame["_level"] = frame["level"].map(lambda v: order.get(v, len(order)))
    return (frame.sort_values(["stichtag", "_all", "ministry", "_level", "level"])
            .drop(columns=["_all", "_level"]).reset_index(drop=True))


def _level_row(keys, sums: dict, profile: Profile, target) -> list:
    counts = Counts(*(_exact(sums.get(s, 0)) for s in "wmdx"))
    share = shares(counts, profile.share_basis)[0]
    return [*keys, *(_exact(counts.get(s)) for s in "wmdx"), None if share is None else float(share),
            float(target), None if share is None else bool(share < target)]
