"""Small pieces of the readers' budget and of the German OS reasons."""
import errno

import pytest

from xl_gleichplan.errors import InputFileError
from xl_gleichplan.io.atomic import reason
from xl_gleichplan.io.budget import DEFAULTS, limit
from xl_gleichplan.io.tabular import read_table


@pytest.mark.parametrize("raw,expected", [("inf", 10**18), ("1_000", 1000), ("2.5", 2), ("-1", None), ("nan", None),
                                          ("viel", None)])
def test_limit_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("XL_GLEICHPLAN_MAX_ROWS", raw)
    assert limit("MAX_ROWS") == (expected if expected is not None else int(DEFAULTS["MAX_ROWS"][0]))


def test_a_refused_read_is_not_called_missing_write_rights():
    denied = PermissionError(errno.EACCES, "Permission denied")
    assert reason(denied) == "keine Schreibrechte"
    assert reason(denied, reading=True) == "keine Leserechte"
    assert "Permission" not in reason(denied, reading=True)


def test_unreadable_export_names_the_reason_in_german(tmp_path, monkeypatch):
    path = tmp_path / "personal.csv"
    path.write_text("geschlecht\nw\n", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr("builtins.open", refuse)
    with pytest.raises(InputFileError) as caught:
        read_table(path)
    assert "keine Leserechte" in str(caught.value) and "Permission" not in str(caught.value)
