Option Explicit
' Ribbon callbacks of the Scorecard add-in. Each runs its own Python entry point
' (scorecard.excel) through xlwings' RunPython, on the active workbook.
' Your own VBA can call the same entry points the same way.

Sub OnRefresh(control As IRibbonControl)
    RunPython "import scorecard.excel; scorecard.excel.refresh()"
End Sub

Sub OnNarrative(control As IRibbonControl)
    RunPython "import scorecard.excel; scorecard.excel.narrative()"
End Sub

Sub OnCheck(control As IRibbonControl)
    RunPython "import scorecard.excel; scorecard.excel.check()"
End Sub

Sub OnClear(control As IRibbonControl)
    RunPython "import scorecard.excel; scorecard.excel.clear()"
End Sub

Sub OnOpenRules(control As IRibbonControl)
    RunPython "import scorecard.excel; scorecard.excel.open_rules()"
End Sub

Sub OnHelp(control As IRibbonControl)
    RunPython "import scorecard.excel; scorecard.excel.help()"
End Sub
