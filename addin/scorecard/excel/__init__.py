"""The Excel side, on xlwings' Book API: the ribbon's entry points and the worksheet functions.

The add-in's VBA names ``scorecard.excel.refresh()`` and friends, so they are importable here.
"""

from .ribbon import check, clear, find_rules, help, narrative, open_rules, read_grid, refresh, report
from .selftest import selftest

__all__ = [
    "check",
    "clear",
    "find_rules",
    "help",
    "narrative",
    "open_rules",
    "read_grid",
    "refresh",
    "report",
    "selftest",
]
