"""Many agencies' workbooks -> tidy tables: agencies, Bereiche, roll-ups at every level, findings, history.

Counts are summed exactly (int for heads, Fraction for VZÄ); every share of a sum is computed from
the summed counts by the rules (``rules.shares``), never averaged from the agencies' shares, and
every verdict of a sum comes from ``analyse()`` on the summed Dataset, the one place that turns
counts into verdicts.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import GleichplanError
from ..io import vocabulary as vocab
from ..model import Agency, Counts, Dataset
from ..profiles import Profile, load_profile
from ..rules.shares import shares
from ..schema import DIMENSIONS, LEADERSHIP_LEVELS, VALUES, VERDICT_LABELS, area_label
from .batch import (CELL, FAILED, MESSAGE, PROCESSED, ROW, SEVERITY, SHEET, SKIPPED, FileResult, discover, read_all,
                    sum_counts)
from .hierarchy import ALL, Tree, build_tree, load_hierarchy
from .history import HISTORY_COLUMNS

SEXES = ("w", "m", "d", "x")
LEADERSHIP = "fuehrungsebene"
ALL_LEVELS = "alle Ebenen"
STATUS_NO_DUTY, STATUS_OPEN, STATUS_OVERDUE = "no_duty", "open", "overdue"
STATUS_NOT_REQUIRED = "not_required"  # a plan is due, its law does not oblige an adjustment
_DIM_ORDER = {d: i for i, d in enumerate(DIMENSIONS)}


@dataclass
class Consolidation:
    """The result of ``consolidate()``: tidy DataFrames plus what is needed to write them out.

    - ``files``: one row per file found (path, status processed/skipped/failed, reason)
    - ``agencies``: one row per agency and Stichtag (deadlines, shares, verdict counts, findings)
    - ``areas``: one row per agency, Stichtag and Bereich (w, m, d, x, share, verdict)
    - ``totals``: one row per parent office (and "Alle Dienststellen"), Stichtag and Bereich
    - ``rollups``: one row per parent office (and "Alle Dienststellen") and Stichtag
    - ``findings``: every problem of every file (and of the consolidation itself)
    - ``history``: tidy, one row per agency, Stichtag, dimension, Bereich and sex (this run and
      the earlier Stichtage of the history file)
    - ``leadership_history``: share of women in leadership positions per Stichtag, overall and per
      ministry (top-level office), from the history
    - ``leadership_levels``: the same per leadership level, against ``leadership_target``
    - ``leadership_flows``: hirings, promotions and Höhergruppierungen into leadership positions by
      sex, per Stichtag, ministry and level (from the Bewegungen sheets of this run; the history file
      keeps the stock only)
    """

    today: date
    profile: Profile
    files: pd.DataFrame
    agencies: pd.DataFrame
    areas: pd.DataFrame
    totals: pd.DataFrame
    rollups: pd.DataFrame
    findings: pd.DataFrame
    history: pd.DataFrame
    leadership_history: pd.DataFrame
    leadership_levels: pd.DataFrame = field(default_factory=pd.DataFrame)
    leadership_flows: pd.DataFrame = field(default_factory=pd.DataFrame)
    leadership_target: Fraction | None = None  # the controlling's target share (default: the threshold)
    history_file: Path | None = None
    hierarchy_file: Path | None = None
    results: list[FileResult] = field(default_factory=list, repr=False)
    trees: dict[date, Tree] = field(default_factory=dict, repr=False)
    own_history: pd.DataFrame | None = field(default=None, repr=False)  # this run's rows of the history
    history_read: bytes | None = field(default=None, repr=False)  # history.fingerprint() of the file read

    @property
    def processed(self) -> int:
        return int((self.files["status"] == PROCESSED).sum())

    @property
    def skipped(self) -> int:
        return int((self.files["status"] == SKIPPED).sum())

    @property
    def failed(self) -> int:
        return int((self.files["status"] == FAILED).sum())

    @property
    def stichtage(self) -> list[date]:
        return sorted(self.trees)

    def stichtage_in_history(self) -> list[date]:
        return sorted(set(self.history["stichtag"]))

    def dataset_for(self, name: str, stichtag: date | None = None) -> Dataset:
        """A parent's own statistics built from its delegated units (§ 4 Abs. 1: the task can be
        delegated and the units' workbooks consolidated upward): the summed stock, movements,
        postings and forecast of the office's own workbook (if any) and of every unit below it.
        Committees, targets and measures belong to each unit's own plan and are not summed.
        ``analyse(ds, profile)`` and ``write_draft`` take it like any other Dataset."""
        if not self.trees:
            raise GleichplanError("Die Zusammenführung ist leer: kein Erhebungsbogen konnte gelesen werden (die Gründe "
                                  "stehen oben je Datei). Bitte die Dateien prüfen und erneut versuchen.")
        stichtag = stichtag or self.stichtage[-1]
        tree = self.trees.get(stichtag)
        if tree is None:
            known = ", ".join(f"{s:%d.%m.%Y}" for s in self.stichtage)
            raise GleichplanError(f"Zum Stichtag {stichtag:%d.%m.%Y} liegt kein Erhebungsbogen vor; vorhandene "
                                  f"Stichtage: {known}. Bitte --stichtag entsprechend angeben.")
        k = vocab.key(name)
        if k not in tree.display:
            names = sorted(tree.display.values(), key=str.casefold)
            shown = ", ".join(f"„{n}“" for n in names[:10]) + (f" und {len(names) - 10} weitere" if len(names) > 10
                                                                 else "")
            raise GleichplanError(f"„{name}“ kommt in der Zusammenführung zum Stichtag {stichtag:%d.%m.%Y} nicht vor. "
                                  f"Gefunden: {shown}. Bitte den Namen so angeben, wie er im Blatt „Metadaten“ "
                                  f"steht (als Dienststelle oder übergeordnete Stelle), oder die Zuordnung der "
                                  f"Dienststellen mit --hierarchy als Liste angeben.")
        units = [r for r in self._processed(stichtag) if k in tree.chain(vocab.key(r.name))]
        own = next((r for r in units if vocab.key(r.name) == k), None)
        agency = Agency(own.name, own.type, tree.parent_name(k)) if own else \
            Agency(tree.display[k], next(iter(self.profile.routing)), tree.parent_name(k))
        ds = Dataset(agency, stichtag, heads=sum(r.heads for r in units))
        for r in units:
            for d, a, *c in r.stock:
                ds.stock[(d, a)] = ds.stock.get((d, a), Counts()) + Counts(*c)
            for kind, d, a, *c in r.movements:
                ds.movements[(kind, d, a)] = ds.movements.get((kind, d, a), Counts()) + Counts(*c)
            for d, a, n in r.postings:
                ds.postings[(d, a)] = ds.postings.get((d, a), 0) + n
            for d, a, *c in r.forecast:
                ds.forecast[(d, a)] = ds.forecast.get((d, a), Counts()) + Counts(*c)
        ds.stock = dict(sorted(ds.stock.items(), key=lambda item: area_order(*item[0])))
        return ds

    def _processed(self, stichtag: date) -> list[FileResult]:
        return [r for r in self.results if r.status == PROCESSED and r.stichtag == stichtag]

    def to_dict(self) -> dict:
        """The summary for scripts (``--json``); dates as ISO text, shares as numbers (0..1)."""
        from .output import records

        problems = self.files[self.files["status"] != PROCESSED]
        return {
            "today": self.today.isoformat(),
            "profile": self.profile.id,
            "threshold": float(self.profile.threshold),
            "stichtage": [s.isoformat() for s in self.stichtage],
            "files": {"found": len(self.files), "processed": self.processed, "skipped": self.skipped,
                      "failed": self.failed},
            "problems": records(problems[["path", "status", "reason"]]),
            "agencies": records(self.agencies),
            "rollups": records(self.rollups),
            "totals": records(self.totals),
            "leadership_history": records(self.leadership_history),
            "leadership_target": None if self.leadership_target is None else float(self.leadership_target),
            "leadership_levels": records(self.leadership_levels),
            "leadership_flows": records(self.leadership_flows),
            "history_file": str(self.history_file) if self.history_file else None,
            "hierarchy_file": str(self.hierarchy_file) if self.hierarchy_file else None,
        }

    def write_workbook(self, path: str | Path) -> Path:
        from .output import write_workbook

        return write_workbook(self, Path(path))

    def write_json(self, path: str | Path) -> Path:
        from .output import write_json

        return write_json(self, Path(path))

    def write_history(self, path: str | Path | None = None) -> Path:
        from .history import history_path, write_history

        from ..io.atomic import locked
        from .history import fingerprint, merge_history, read_history

        target = history_path(path) if path else self.history_file
        if target is None:
            raise GleichplanError("Für den Verlauf fehlt der Dateiname (--history).")
        if self.own_history is None:
            return write_history(self.history, target)
        # another run may have written the file since it was read: merge into what is there now,
        # under a lock, so no run's agencies are lost (unchanged since read: ``history`` is that merge)
        with locked(target):
            if target != self.history_file or fingerprint(target) != self.history_read:
                self.history = merge_history(read_history(target), self.own_history)
            return write_history(self.history, target)


def consolidate(inputs, *, today: date | None = None, history: str | Path | None = None,
                hierarchy: str | Path | None = None, jobs: int | None = None, profile: str | Profile | None = None,
                progress: bool | None = None, check_formulas: bool = False, exclude=(),
                leadership_target: Fraction | None = None) -> Consolidation:
    """Read every workbook under ``inputs`` (folders are searched with their subfolders for .xlsx,
    .xlsm and .xlsb) and consolidate them.

    ``today``: reference day for the deadlines (default: today). ``history``: a folder or CSV file
    with the earlier Stichtage (read here if it exists; ``write_history()`` writes it back).
    ``hierarchy``: a mapping list name -> uebergeordnet. ``jobs``: reading processes (default:
    all cores). ``profile``: law profile for the sums (default: the one most workbooks name).
    ``exclude``: paths that are not inputs even when they lie in an input folder (the outputs).
    ``leadership_target``: the share of women in leadership the controlling measures against
    (default: the profile's threshold of underrepresentation)."""
    from .history import fingerprint, history_path, leadership_levels, leadership_series, merge_history, read_history

    today = today or date.today()
    files, skipped = discover(inputs, exclude)
    if not files and not skipped:
        shown = ", ".join(f"„{p}“" for p in inputs)
        raise GleichplanError(f"Unter {shown} liegen keine Arbeitsmappen (.xlsx, .xlsm, .xlsb).")
    prof_arg = profile.id if isinstance(profile, Profile) else profile
    mapping = load_hierarchy(hierarchy) if hierarchy else None
    history_file = history_path(history) if history else None
    seen = fingerprint(history_file) if history_file else None  # before reading: a later change shows
    earlier = read_history(history_file) if history_file else None  # a broken history file stops before the long part
    results = read_all(files, jobs=jobs, profile=prof_arg, check_formulas=check_formulas, progress=progress)
    results = [_shown(r) for r in sorted(_drop_duplicates(results) + skipped, key=lambda r: r.path)]
    prof = profile if isinstance(profile, Profile) else _consolidation_profile(profile, results)

    notes: list[tuple[str, str, str]] = []  # (path, severity, message) about the consolidation itself
    used = Counter(r.profile for r in results if r.status == PROCESSED)
    if len(used) > 1:
        notes.append(("", "warning", f"Die Arbeitsmappen nennen verschiedene Rechtsprofile ({', '.join(sorted(used))}); "
                                     f"Summen, Schwellen und der Zielwert folgen dem Profil „{prof.id}“."))
    by_stichtag: dict[date, list[FileResult]] = {}
    for r in results:
        if r.status == PROCESSED:
            by_stichtag.setdefault(r.stichtag, []).append(r)
    trees: dict[date, Tree] = {}
    agency_rows, area_rows, total_rows, rollup_rows = [], [], [], []
    for stichtag in sorted(by_stichtag):
        group = by_stichtag[stichtag]
        tree = trees[stichtag] = build_tree([(r.name, r.parent) for r in group], mapping)
        paths = {vocab.key(r.name): r.path for r in group}
        notes += [(paths.get(k, str(hierarchy or "")), "info", msg) for k, msg in tree.notes]
        if mapping:
            missing = sorted(e.name for k, e in mapping.items() if k not in tree.agencies)
            if missing:
                notes.append((str(hierarchy), "info", f"Stichtag {stichtag:%d.%m.%Y}: für {len(missing)} Stellen der "
                                                      f"Zuordnungsliste liegt keine Arbeitsmappe vor: "
                                                      f"{_shorten(missing)}."))
        _agency_tables(group, tree, today, prof, agency_rows, area_rows)
        _rollup_tables(group, tree, today, prof, stichtag, total_rows, rollup_rows)

    agencies = pd.DataFrame(agency_rows, columns=AGENCY_COLUMNS)
    areas = pd.DataFrame(area_rows, columns=AREA_COLUMNS)
    own = _history_rows(agencies, areas)
    merged = merge_history(earlier, own)
    target = prof.threshold if leadership_target is None else Fraction(leadership_target)
    return Consolidation(
        today=today, profile=prof,
        files=pd.DataFrame([(r.path, r.status, r.reason, r.name or None, r.stichtag) for r in results],
                           columns=["path", "status", "reason", "agency", "stichtag"]),
        agencies=agencies,
        areas=areas,
        totals=pd.DataFrame(total_rows, columns=TOTAL_COLUMNS),
        rollups=pd.DataFrame(rollup_rows, columns=ROLLUP_COLUMNS),
        findings=_findings(results, notes),
        history=merged,
        leadership_history=leadership_series(merged, prof),
        leadership_levels=leadership_levels(merged, prof, target),
        leadership_flows=_leadership_flows(by_stichtag, trees, prof),
        leadership_target=target,
        history_file=history_file, hierarchy_file=Path(hierarchy) if hierarchy else None,
        results=results, trees=trees, own_history=own, history_read=seen,
    )


# ------------------------------------------------------------------------------------------- tables

AGENCY_COLUMNS = ["stichtag", "agency", "type", "parent", "parent_metadata", "ministry", "level", "path", "profile",
                  "staff", "plan_required", "approval_body", "plan_due", "plan_status", "adjustment_due",
                  "adjustment_status", "underrepresented_count", "underrepresented", "leadership_w", "leadership_m",
                  "leadership_d", "leadership_x", "leadership_share_w", "leadership_targets", "leadership_assessed",
                  "leadership_i1", "leadership_i2", "leadership_reading", "approval_required", "errors", "warnings",
                  "infos"]
AREA_COLUMNS = ["stichtag", "agency", "parent", "ministry", "dimension", "area", "w", "m", "d", "x", "share_w",
                "underrepresented"]
TOTAL_COLUMNS = ["stichtag", "node", "level", "parent", "ministry", "agencies", "dimension", "area", "w", "m", "d",
                 "x", "share_w", "underrepresented"]
ROLLUP_COLUMNS = ["stichtag", "node", "level", "parent", "ministry", "own_workbook", "agencies", "staff",
                  "plan_required", "plan_overdue", "adjustment_overdue", "leadership_w", "leadership_m",
                  "leadership_d", "leadership_x", "leadership_share_w", "underrepresented_count", "underrepresented",
                  "approval_required", "errors", "warnings"]


def _profile_of(r: FileResult, prof):
    """The law of a workbook: the run's profile when the workbook names it (also an office's own
    profile given as --profile DATEI.toml, which load_profile cannot find by its id), else the shipped one."""
    return prof if not r.profile or r.profile == prof.id else load_profile(r.profile)


def _agency_tables(group, tree: Tree, today, prof, agency_rows, area_rows) -> None:
    order = sorted(group, key=lambda r: (tree.sort_path(vocab.key(r.name)), r.path))
    for r in order:
        k = vocab.key(r.name)
        own = _profile_of(r, prof)
        parent, ministry = tree.parent_name(k), tree.display[tree.root(k)]
        lead = _leadership_counts(r.stock)
        targets, assessed, i1, i2, reading, required = r.leadership
        severities = Counter(f[SEVERITY] for f in r.findings)
        agency_rows.append([
            r.stichtag, r.name, r.type, parent, r.parent, ministry, tree.level(k), r.path, r.profile, r.heads,
            r.plan_required, r.approval_body, r.plan_due, deadline_status(r.plan_required, r.plan_due, today),
            r.adjustment_due, adjustment_status(r, own, today),
            len(r.verdicts),
            verdict_text(r.verdicts), *(_plain(lead.get(s)) for s in SEXES), _share(shares(lead, own.share_basis)[0]),
            targets, assessed, _share(i1), _share(i2), reading, required,
            severities["error"], severities["warning"], severities["info"]])
        for (d, a, w, m, dd, x), (share_w, verdict) in zip(r.stock, r.shares):  # from analyse() in the worker
            area_rows.append((r.stichtag, r.name, parent, ministry, d, a, _plain(w), _plain(m), _plain(dd), _plain(x),
                              share_w, verdict))


def _history_rows(agencies: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """The tidy history of this run: the areas table, one row per sex."""
    if not len(areas):
        return pd.DataFrame([], columns=HISTORY_COLUMNS)
    extra = agencies.set_index(["agency", "stichtag"])[["type", "profile"]]
    frame = areas.join(extra, on=["agency", "stichtag"])
    long = frame.melt(id_vars=["stichtag", "agency", "type", "parent", "ministry", "profile", "dimension", "area"],
                      value_vars=list(SEXES), var_name="sex", value_name="count")
    # melt stacks sex by sex; put the four sexes of a Bereich together, Bereiche in the workbook's order
    long["_row"] = list(range(len(frame))) * len(SEXES)
    long = long.sort_values(["_row"], kind="stable").drop(columns="_row")
    return long[HISTORY_COLUMNS].reset_index(drop=True)


def _rollup_tables(group, tree: Tree, today, prof: Profile, stichtag, total_rows, rollup_rows) -> None:
    """Every office with subordinate agencies, and "Alle Dienststellen": its own workbook and all below."""
    from ..analysis import analyse

    members: dict[str | None, list[FileResult]] = {None: list(group)}  # None: all agencies
    for r in group:
        for node in tree.chain(vocab.key(r.name)):
            members.setdefault(node, []).append(r)
    parents = {p for p in tree.parent.values() if p is not None}
    nodes = [None] + sorted((k for k in members if k in parents), key=tree.sort_path)
    for node in nodes:
        units = members[node]
        sums: dict[tuple[str, str], list] = {}
        for r in units:
            for d, a, w, m, dd, x in r.stock:
                cell = sums.get((d, a))
                if cell is None:
                    sums[(d, a)] = [w, m, dd, x]
                else:
                    cell[0] += w
                    cell[1] += m
                    cell[2] += dd
                    cell[3] += x
        stock = {k: Counts(*sums[k]) for k in sorted(sums, key=lambda k: area_order(*k))}
        heads = sum(r.heads for r in units)
        name = ALL if node is None else tree.display[node]
        own = next((r for r in units if vocab.key(r.name) == node), None)
        agency_type = own.type if own else next(iter(prof.routing))
        analysis = analyse(Dataset(Agency(name, agency_type), stichtag, heads=heads, stock=stock), prof)
        level = 0 if node is None else tree.level(node)
        parent = None if node is None else tree.parent_name(node)
        ministry = None if node is None else tree.display[tree.root(node)]
        for a in analysis.areas:
            total_rows.append([stichtag, name, level, parent, ministry, len(units), a.dimension, a.area,
                               *(_plain(a.counts.get(s)) for s in SEXES), _share(a.share_women), a.underrepresented])
        judged = tuple((a.dimension, a.area, a.underrepresented) for a in analysis.areas if a.underrepresented)
        lead = sum_counts(c for (d, _), c in stock.items() if d == LEADERSHIP)
        severities = Counter(f[SEVERITY] for r in units for f in r.findings)
        rollup_rows.append([
            stichtag, name, level, parent, ministry, own is not None, len(units), heads,
            sum(r.plan_required for r in units),
            sum(deadline_status(r.plan_required, r.plan_due, today) == STATUS_OVERDUE for r in units),
            sum(adjustment_status(r, _profile_of(r, prof), today) == STATUS_OVERDUE for r in units),
            *(_plain(lead.get(s)) for s in SEXES), _share(shares(lead, prof.share_basis)[0]),
            len(judged), verdict_text(judged), sum(r.leadership[5] is True for r in units),
            severities["error"], severities["warning"]])


FLOW_COLUMNS = ["stichtag", "ministry", "kind", "level", "w", "m", "d", "x", "share_w"]
INTO_LEADERSHIP = ("einstellung", "befoerderung", "hoehergruppierung")


def _leadership_flows(by_stichtag: dict[date, list[FileResult]], trees: dict[date, Tree], prof: Profile) -> pd.DataFrame:
    """Flows into leadership (the Bewegungen rows of the dimension Führungsebene) by sex: per Stichtag,
    all agencies and per ministry, per kind and level, and summed over the levels ("alle Ebenen")."""
    sums: dict[tuple, Counts] = {}
    for stichtag, group in by_stichtag.items():
        tree = trees[stichtag]
        for r in group:
            ministry = tree.display[tree.root(vocab.key(r.name))]
            for kind, d, a, *c in r.movements:
                if d != LEADERSHIP or kind not in INTO_LEADERSHIP:
                    continue
                for key in ((stichtag, ALL, kind, a), (stichtag, ALL, kind, ALL_LEVELS),
                            (stichtag, ministry, kind, a), (stichtag, ministry, kind, ALL_LEVELS)):
                    sums[key] = sums.get(key, Counts()) + Counts(*c)
    order = {lvl: i for i, lvl in enumerate([ALL_LEVELS, *LEADERSHIP_LEVELS])}
    kinds = {k: i for i, k in enumerate(INTO_LEADERSHIP)}
    rows = [[*key, *(_plain(c.get(s)) for s in SEXES), _share(shares(c, prof.share_basis)[0])]
            for key, c in sorted(sums.items(), key=lambda kv: (kv[0][0], kv[0][1] != ALL, kv[0][1], kinds[kv[0][2]],
                                                                 order.get(kv[0][3], len(order)), kv[0][3]))]
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


def _findings(results: list[FileResult], notes) -> pd.DataFrame:
    rows = []
    for r in results:
        if r.status != PROCESSED:
            rows.append([r.path, r.name or None, r.stichtag, r.status, "error" if r.status == FAILED else "info",
                         None, None, None, r.reason])
            continue
        for f in r.findings:
            rows.append([r.path, r.name, r.stichtag, r.status, f[SEVERITY], f[SHEET], f[CELL], f[ROW], f[MESSAGE]])
    agency = {r.path: (r.name, r.stichtag) for r in results if r.status == PROCESSED}
    for path, severity, message in notes:
        name, stichtag = agency.get(path, (None, None))
        rows.append([path, name, stichtag, "note", severity, None, None, None, message])
    frame = pd.DataFrame(rows, columns=["path", "agency", "stichtag", "status", "severity", "sheet", "cell", "row",
                                        "message"])
    frame["row"] = frame["row"].astype("Int64")
    # by file; within a file in the order found (stable sort), notes about the consolidation last
    frame["_note"] = frame["status"] == "note"
    return frame.sort_values(["_note", "path"], kind="stable").drop(columns="_note").reset_index(drop=True)


def _drop_duplicates(results: list[FileResult]) -> list[FileResult]:
    """The same agency and Stichtag twice (a copy, an old and a corrected version) would be counted
    twice: the newer file counts, by the time the workbook itself records as its last save
    (docProps/core.xml, which copying and unzipping keep), then by the file's modification time,
    then the first by path. The others are skipped with a reason that names the file that counts."""
    from dataclasses import replace

    groups: dict[tuple, list[FileResult]] = {}
    for r in results:
        if r.status == PROCESSED:
            groups.setdefault((vocab.key(r.name), r.stichtag), []).append(r)
    dropped: dict[str, FileResult] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        stamps = {r.path: _saved_at(r.path) for r in group}
        order = sorted(group, key=lambda r: r.path)
        winner = max(order, key=lambda r: stamps[r.path])  # max keeps the first of equals
        for r in order:
            if r is not winner:
                dropped[r.path] = replace(r, status=SKIPPED, reason=(
                    f"„{r.path}“: Die Dienststelle „{r.name}“ mit dem Stichtag {r.stichtag:%d.%m.%Y} steht auch in "
                    f"„{winner.path}“ ({_stamp_text(stamps[winner.path])}); gezählt wird nur diese neuere Datei, "
                    f"diese ({_stamp_text(stamps[r.path])}) nicht. Bitte die überzählige Datei entfernen."))
    return [dropped.get(r.path, r) for r in results]


def shown(text: str) -> str:
    """A file name as text every output can hold: a name that is not valid in the system's encoding
    (unzipped from Windows: Python keeps its bytes as surrogates, which no XML, JSON or console
    writer takes) shows "\ufffd" for each such byte."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate no byte can have given (Windows: an unpaired UTF-16 half)
        return vocab.writable(text)


def _shown(r: FileResult) -> FileResult:
    """``r`` with its path, reason and findings printable (the files are read by now)."""
    from dataclasses import replace

    if shown(r.path) is r.path and shown(r.reason) is r.reason:
        return r
    findings = tuple(tuple(shown(v) if isinstance(v, str) else v for v in f) for f in r.findings)
    return replace(r, path=shown(r.path), reason=shown(r.reason), findings=findings)


def _saved_at(path: str) -> tuple:
    """(last save recorded in the workbook, file modification time), both as UTC timestamps; 0 if unknown."""
    import os
    import re
    import zipfile
    from datetime import datetime, timezone

    saved = 0.0
    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml")[:100_000].decode("utf-8", "replace")
        match = re.search(r"<dcterms:modified[^>]*>\s*([^<\s]+)\s*<", core)
        if match:
            stamp = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
            saved = (stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)).timestamp()
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, OverflowError):
        pass
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0
    return saved, mtime


def _stamp_text(stamp: tuple) -> str:
    from datetime import datetime

    saved, mtime = stamp
    parts = ([f"laut Arbeitsmappe gespeichert am {datetime.fromtimestamp(saved):%d.%m.%Y %H:%M:%S}"] if saved else []) \
        + ([f"Dateidatum {datetime.fromtimestamp(mtime):%d.%m.%Y %H:%M:%S}"] if mtime else [])
    return ", ".join(parts) or "ohne Zeitangabe"


def _consolidation_profile(name, results) -> Profile:
    if name:
        return load_profile(name)
    used = Counter(r.profile for r in results if r.status == PROCESSED)
    if not used:
        return load_profile(None)
    top = max(used.values())
    return load_profile(sorted(p for p, n in used.items() if n == top)[0])


# ------------------------------------------------------------------------------------------- helpers

def deadline_status(required: bool, due: date | None, today: date) -> str:
    """"overdue" when today is after the due day; a workbook does not say when its plan was adopted,
    so this is about the calendar, not about the plan."""
    if not required or due is None:
        return STATUS_NO_DUTY
    return STATUS_OVERDUE if today > due else STATUS_OPEN


def adjustment_status(r, own, today: date) -> str:
    """Only a plan that "ist" to be adjusted (Profile.adjustment_required) has an adjustment that can be
    overdue; under BGleiG ("kann") and FrFG LSA (none) the sheet says so instead of "keine Planpflicht"."""
    if r.plan_required and not own.adjustment_required:
        return STATUS_NOT_REQUIRED
    return deadline_status(r.plan_required, r.adjustment_due, today)


@lru_cache(maxsize=100_000)  # a thousand agencies sort the same few hundred Bereiche thousands of times
def area_order(dimension: str, area: str) -> tuple:
    """Bereiche as a reader expects them: dimensions in the schema's order, known values in their
    order, pay groups A, B, ..., E by number, others by name."""
    known = VALUES.get(dimension, {})
    if area in known:
        rank = (0, list(known).index(area), "")
    elif dimension == "besoldungs_entgeltgruppe":
        family, number, letter, suffix = vocab.pay_group_sort_key(area)
        rank = (1, family * 100 + number, f"{letter}{suffix}|{area}")
    else:
        rank = (2, 0, area)
    return (_DIM_ORDER.get(dimension, len(_DIM_ORDER)), dimension, rank)


def verdict_text(verdicts) -> str:
    """"Laufbahngruppe höherer Dienst: Frauen; Führungsebene Referatsleitung: Männer"."""
    parts = []
    for d, a, v in sorted(verdicts, key=lambda x: area_order(x[0], x[1])):
        where = DIMENSIONS.get(d, d) if d == "gesamt" else f"{DIMENSIONS.get(d, d)} {area_label(d, a)}"
        parts.append(f"{where}: {VERDICT_LABELS.get(v, v)}")
    return "; ".join(parts)


def _leadership_counts(stock) -> Counts:
    """Sum over the Bereiche of the dimension Führungsebene; ``stock`` as in FileResult."""
    return sum_counts(Counts(w, m, dd, x) for d, _, w, m, dd, x in stock if d == LEADERSHIP)


def _plain(value):
    """Counts into tables: ints stay ints, VZÄ fractions become floats (sums stay exact inside)."""
    return value if isinstance(value, int) else float(value)


def _share(value: Fraction | None):
    return None if value is None else float(value)


def _shorten(names: list[str], limit: int = 20) -> str:
    shown = ", ".join(f"„{n}“" for n in names[:limit])
    return shown + (f" und {len(names) - limit} weitere" if len(names) > limit else "")
