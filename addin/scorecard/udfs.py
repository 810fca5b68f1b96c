"""The worksheet functions at the path the add-in's VBA wrappers name (``scorecard.udfs``).

They live in ``scorecard.excel.udfs``; xlwings' UDF bridge imports this module by name.
"""

from .excel.udfs import *  # noqa: F403
from .excel.udfs import __all__  # noqa: F401
