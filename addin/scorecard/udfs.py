"""The worksheet functions at the path the add-in's VBA wrappers name: ``scorecard.udfs``.

xlwings' UDF bridge imports the module the wrappers name (``XLPy.CallUDF("scorecard.udfs", ...)``, and the
workbook's "UDF Modules" setting), so this path stays as the add-in was built with it. The functions
themselves are ``scorecard.excel.functions``.
"""

from .excel.functions import *  # noqa: F403
from .excel.functions import __all__  # noqa: F401
