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
    """An output cannot be written (permission, disk full); the old output is left intact."""


class LimitError(InputFileError):
    """An input file exceeds a size or time budget (``io/budget.py``): refused before it can
    exhaust memory or time. The message names the limit and how to change it."""
