"""An office's mapping file (TOML): its column names and values onto ours, and the draft of one
that ``--write-mapping`` writes for the clerk to check."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from ..schema import COMMITTEE_COLUMNS, DIMENSIONS, MOVEMENT_COLUMNS, STAFF_COLUMNS, TARGET_COLUMNS
from . import vocabulary as vocab
from .columns import IGNORE, personal_kind
from .tabular import normalise_name

# what a mapping may name as target: every column an import reads, or "ignorieren"
TARGETS = frozenset((*STAFF_COLUMNS, *MOVEMENT_COLUMNS, *COMMITTEE_COLUMNS, *TARGET_COLUMNS, IGNORE))
_LAYOUT = 'Aufbau: [spalten] "Name im Export" = "geschlecht"; [werte.geschlecht] "1" = "m".'


class Mapping:
    """Other column names and values onto ours.

        [spalten]
        "Geschl." = "geschlecht"
        [werte.geschlecht]
        "1" = "m"
        "2" = "w"
    """

    def __init__(self, columns: dict[str, str] | None = None, values: dict[str, dict[str, str]] | None = None,
                 source: str = "Zuordnung"):
        self.columns = {normalise_name(k): normalise_name(v) for k, v in (columns or {}).items()}
        self.values = {normalise_name(k): {str(a).strip(): str(b) for a, b in v.items()}
                       for k, v in (values or {}).items()}
        for name, target in (columns or {}).items():
            target = normalise_name(target)
            if target not in TARGETS:
                raise InputFileError(f"In der Zuordnungsdatei „{source}“ ist „{target}“ (für die Spalte „{name}“) keine "
                                     f"bekannte Spalte. Möglich sind: {', '.join(sorted(TARGETS - {IGNORE}))} oder "
                                     f"„{IGNORE}“. {_LAYOUT}")
            # a name, a personnel number or a birth date must never become a Bereich of the plan, nor a
            # sex or any other value that messages and drafts repeat
            kind = personal_kind(str(name))
            if kind and target not in (kind, IGNORE):
                raise InputFileError(
                    f"In der Zuordnungsdatei „{source}“ soll die Spalte „{name}“ als „{DIMENSIONS.get(target, target)}“ "
                    f"gelesen werden. „{name}“ enthält personenbezogene Daten, die nie in einen Bereich des Plans oder "
                    f"eine Meldung gelangen dürfen. Bitte die Zeile aus der Zuordnungsdatei löschen.")

    @classmethod
    def load(cls, path: str | Path | None) -> "Mapping":
        if path is None:
            return cls()
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise InputFileError(f"Die Zuordnungsdatei „{path}“ wurde nicht gefunden.") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise InputFileError(f"Die Zuordnungsdatei „{path}“ ist keine gültige TOML-Datei ({exc}). {_LAYOUT}") from None
        columns, values = data.get("spalten", {}), data.get("werte", {})
        if not isinstance(columns, dict) or not isinstance(values, dict) or \
                not all(isinstance(v, str) for v in columns.values()) or \
                not all(isinstance(v, dict) for v in values.values()):
            raise InputFileError(
                f"Die Zuordnungsdatei „{path}“ hat nicht den erwarteten Aufbau: "
                f"[spalten] für Spaltennamen, [werte.SPALTE] für Werte."
            )
        return cls(columns, values, source=str(path))

    def apply(self, column: str, series: pd.Series) -> pd.Series:
        table = self.values.get(column)
        if not table:
            return series
        return series.map(lambda v: table.get(vocab.text(v), v))


@dataclass
class MappingDraft:
    """What ``--write-mapping`` writes: every column of the exports read with what it was taken for,
    unknown columns with the closest known name commented out, unknown values with a suggestion."""

    # header -> (target, comment, in force); a suggestion is written commented out
    columns: dict[str, tuple[str, str, bool]] = field(default_factory=dict)
    values: dict[str, dict[str, tuple[str, str, bool]]] = field(default_factory=dict)  # code -> value -> ...

    def column(self, header: str, target: str, comment: str = "", active: bool = True) -> None:
        self.columns.setdefault(header, (target, comment, active and bool(target)))

    def value(self, code: str, value: str, target: str = "", comment: str = "") -> None:
        self.values.setdefault(code, {}).setdefault(value, (target, comment, False))

    def text(self) -> str:
        lines = ["# Entwurf einer Zuordnungsdatei, geschrieben von xl-gleichplan --write-mapping.",
                 "# Bitte jede Zeile prüfen: Zeilen mit # davor gelten nicht. Zum Übernehmen das # entfernen und",
                 "# rechts den passenden Namen eintragen; danach den Befehl mit --mapping DIESE_DATEI wiederholen.",
                 f"# Mögliche Spalten: {', '.join(sorted(TARGETS - {IGNORE}))}, oder \"{IGNORE}\".", "", "[spalten]"]
        for header, (target, comment, active) in self.columns.items():
            note = f"  # {comment}" if comment else ""
            lines.append(f"{'' if active else '# '}{_quoted(header)} = {_quoted(target or '?')}{note}")
        for code, table in self.values.items():
            lines += ["", f"[werte.{code}]"]
            for value, (target, comment, active) in table.items():
                note = f"  # {comment}" if comment else ""
                lines.append(f"{'' if active else '# '}{_quoted(value)} = {_quoted(target or '?')}{note}")
        return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "") + '"'
