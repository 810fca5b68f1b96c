"""scorecard: RAG ratings, direction of travel and a narrative for KPI scorecard workbooks.

The domain core (``scorecard.core``) is plain Python. The adapters (``workbook`` for files,
``excel`` for the xlwings Book API, ``word`` for the cover report, ``cli``) read a workbook into a
table of KPIs, hand it to the core, and write back what the core planned.

``scorecard.read_scorecard(path, rules=...)`` gives the evaluated scorecard as a pandas DataFrame.
"""

from typing import Any

from .version import __version__ as __version__  # the package names its version, as pip and users look for it


def __getattr__(name: str) -> Any:
    if name == "read_scorecard":  # imported on first use: pandas stays out of the command's start-up
        from .frame import read_scorecard

        return read_scorecard
    raise AttributeError(f"module 'scorecard' has no attribute {name!r}")
