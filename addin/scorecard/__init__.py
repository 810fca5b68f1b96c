"""scorecard: RAG ratings, direction of travel and a narrative for KPI scorecard workbooks.

The domain core (``model``, ``rules``, ``engine``, ``table``, ``narrative``, ``plan``) is plain
Python. The adapters (``xlsx`` for files, ``excel`` for the xlwings Book API, ``cli``) read a
workbook into a table of KPIs, hand it to the core, and write back what the core planned.
"""

__version__ = "0.1.0"
