"""Errors that stop a job. Their message is German and meant for the clerk, shown as it is."""


class GleichplanError(Exception):
    """The job cannot go on. ``str(error)`` is the complete German message."""


class ProfileError(GleichplanError):
    """Unknown or malformed law profile."""


class InputFileError(GleichplanError):
    """An input file cannot be read at all (missing, locked, not a table, wrong encoding)."""


class WorkbookError(GleichplanError):
    """A workbook is not one of ours (no metadata, unknown template version, missing sheets)."""


class OutputError(GleichplanError):
    """An output cannot be written (permission, disk full); the old output is left intact.
    ``reason``: the German reason alone, for a caller that words its own message."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


def is_panic(exc: BaseException) -> bool:
    """A Rust panic inside a native reader (``pyo3_runtime.PanicException``): a BaseException like
    Ctrl+C, but it means a broken file, not a request to stop."""
    return type(exc).__name__ == "PanicException"


class LimitError(InputFileError):
    """An input file exceeds a size or time budget (``io/budget.py``): refused before it can
    exhaust memory or time. The message names the limit and how to change it."""
