"""The file side: an .xlsx/.xlsm package read into a grid and edited in place part by part.

``package`` opens a package safely and saves it atomically; ``reader`` turns the scorecard
sheet into a ``core.table.Grid``; ``sheetxml`` and ``writer`` apply a ``core.plan.WritePlan``.
"""
