"""The Excel layer: the add-in file, the ribbon actions and custom functions (the only place that imports xlwings)."""
