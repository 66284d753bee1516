"""The Excel layer: the add-in file, the ribbon actions and custom functions (the only place that imports xlwings).

``addin`` builds and installs ``gleichplan.xlam``; ``actions`` holds one function per ribbon button
(``run_button(tag)`` is what the ribbon calls); ``udfs`` the worksheet functions GP_*; ``book`` the
adapter that lets the workbook reader and writer work on a live xlwings Book. Importing this package
imports none of them, so the command line never loads xlwings.
"""

import sys

# xlwings imports these at its own import when they are installed, for its DataFrame converters and
# for pictures of matplotlib figures: the add-in uses neither (it writes str, numbers, dates, None),
# and they were 0.45 s of the first click on a ribbon button.
_XLWINGS_EXTRAS = ("pandas", "matplotlib")


def import_xlwings():
    """``import xlwings`` without the extras above, which stay importable for our own code later
    (only names not imported yet are hidden, and only while xlwings is imported)."""
    hidden = [name for name in _XLWINGS_EXTRAS if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # makes "import name" raise ImportError, which xlwings expects
    try:
        import xlwings
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]
    return xlwings
