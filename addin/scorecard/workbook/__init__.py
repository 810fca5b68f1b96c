"""The file side: an .xlsx/.xlsm package read into a grid and edited in place part by part.

``book`` opens a workbook for a job (``WorkbookFile``, the twin of ``excel.book.ExcelBook``): ``package``
opens the package safely and saves it atomically, ``reader`` turns the scorecard sheet into a
``core.reading.Grid``, and ``writer`` applies a ``core.plan.WritePlan`` (the cells spliced by ``sheetxml``,
with ``conditional`` formats and ``sparklines``). ``bookrules`` finds the rules a job uses.
"""
