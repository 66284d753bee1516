"""The Excel layer: the add-in file, the ribbon actions and custom functions (the only place that imports xlwings).

``addin`` builds and installs ``gleichplan.xlam``; ``actions`` holds one function per ribbon button
(``run_button(tag)`` is what the ribbon calls); ``udfs`` the worksheet functions GP_*; ``book`` the
adapter that lets the workbook reader and writer work on a live xlwings Book. Importing this package
imports none of them, so the command line never loads xlwings.
"""
