"""The domain core: KPIs, rules, rating, direction of travel, the narrative and the write plan.

Plain Python on plain data. Nothing here imports an Excel or file-format library (openpyxl,
xlwings, lxml, zipfile): ``tests/test_layering.py`` checks every module of this package.
"""
