"""scorecard in xlwings Lite: paste this file into the Lite editor as main.py (see README, "xlwings Lite").

The workbook must carry its rules: on a computer with Python, run
    scorecard rules embed scorecard.xlsx --rules rules.yaml
which stores them in a hidden sheet, ScorecardRules (Lite cannot read files on your disk).

Scripts (task pane > Run, or F5): scorecard_refresh, scorecard_check, scorecard_narrative, scorecard_clear.
Functions, with the rules passed as the embedded sheet's lines (any range from A1 down past the last line):
    =SCORECARD.RAG(value, kpi_id, ScorecardRules!A1:A200)
    =SCORECARD.DIRECTION(current, previous, kpi_id, ScorecardRules!A1:A200)
    =SCORECARD.COUNT(rag_range, "Amber")
    =SCORECARD.NARRATIVE(table_range, ScorecardRules!A1:A200)
    =SCORECARD.TABLE(table_range, ScorecardRules!A1:A200)
    =SCORECARD.SPC(history_range, "higher", 85)
They give what the desktop functions SCORECARD_RAG, SCORECARD_DIRECTION, SCORECARD_COUNT,
SCORECARD_NARRATIVE, SCORECARD_TABLE and SCORECARD_SPC give for the same values and rules (Lite reads
no number formats: give percentages in the history as the target is given).
"""

import xlwings as xw
from xlwings import func, script

from scorecard.excel import functions, lite


@script
def scorecard_refresh(book: xw.Book):
    """Rate every KPI, write the RAG and direction columns and the Narrative sheet."""
    print(lite.refresh(book))


@script
def scorecard_check(book: xw.Book):
    """List the KPIs found, the periods and every problem; writes nothing."""
    print(lite.check(book))


@script
def scorecard_narrative(book: xw.Book):
    """Rewrite only the Narrative sheet."""
    print(lite.narrative(book))


@script
def scorecard_clear(book: xw.Book):
    """Remove what scorecard_refresh wrote."""
    print(lite.clear(book))


@func(namespace="scorecard")
def rag(value, kpi_id, rules):
    """RAG status of a value for a KPI of the embedded rules: Green, Amber, Red, Not rated or No data."""
    return functions.SCORECARD_RAG(value, kpi_id, rules)


@func(namespace="scorecard")
def direction(current, previous, kpi_id, rules):
    """Direction of travel for a KPI of the embedded rules: improved, declined, same (or increased, decreased)."""
    return functions.SCORECARD_DIRECTION(current, previous, kpi_id, rules)


@func(namespace="scorecard")
def count(rag_range, status):
    """How many cells of the range hold the status (Green, Amber, Red, No data, Not rated)."""
    return functions.SCORECARD_COUNT(rag_range, status)


@func(namespace="scorecard")
def narrative(table_range, rules):
    """The narrative paragraphs for a KPI table (its header row included), one per row."""
    return functions.SCORECARD_NARRATIVE(table_range, rules)


@func(namespace="scorecard")
def table(table_range, rules):
    """The evaluated KPI table (its header row included): a header row, then one row per KPI with its figures, RAG and direction."""  # noqa: E501 - Excel shows this docstring as the function's description
    return functions.SCORECARD_TABLE(table_range, rules)


@func(namespace="scorecard")
def spc(history, polarity, target=None):
    """Making Data Count's variation for a run of figures, oldest first: improvement, concern, common cause or neither."""  # noqa: E501 - Excel shows this docstring as the function's description
    return functions.SCORECARD_SPC(history, polarity, target)
