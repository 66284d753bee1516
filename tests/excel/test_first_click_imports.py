"""The first click on a ribbon button imports the action module: without pandas and matplotlib,
which xlwings would load for features the add-in does not use (issue 16; the time itself is
measured by benchmarks/run_all.py, row "click")."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import sys
import xl_gleichplan.excel.actions
print(sorted(n for n in ("pandas", "matplotlib", "openpyxl") if n in sys.modules))
import xlwings
# xlwings was imported with pandas hidden; the placeholder must be gone, so that the actions that need
# pandas can still import it
print(sys.modules.get("pandas", 0) is not None and sys.modules.get("matplotlib", 0) is not None, xlwings.__name__)
import pandas, matplotlib
"""


def test_the_action_module_loads_without_pandas_matplotlib_and_openpyxl():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["[]", "True xlwings"]
