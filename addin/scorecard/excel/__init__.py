"""The Excel side, on xlwings' Book API: the ribbon's entry points and the worksheet functions.

The add-in's VBA names ``scorecard.excel.refresh()`` and friends, so they are importable here.
"""

from .book import read_grid
from .bookrules import find_rules
from .ribbon import check, clear, help, narrative, open_rules, refresh, report
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
