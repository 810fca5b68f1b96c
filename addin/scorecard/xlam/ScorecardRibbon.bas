Option Explicit
' Ribbon callbacks of the Scorecard add-in. Each runs its own Python entry point
' (scorecard.excel) through xlwings' RunPython, on the active workbook.
' Your own VBA can call the same entry points the same way.

Private Const ADDIN_BUILD As String = "dev" ' set when the add-in is built: the scorecard and xlwings versions

Private Function HasWorkbook() As Boolean
    ' The buttons work on the active workbook; with none open, RunPython would stop on VBA error 91.
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the scorecard workbook first: the Scorecard buttons work on the active workbook.", vbInformation, "Scorecard"
    Else
        HasWorkbook = True
    End If
End Function

Sub OnRefresh(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import scorecard.excel; scorecard.excel.refresh()"
End Sub

Sub OnNarrative(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import scorecard.excel; scorecard.excel.narrative()"
End Sub

Sub OnCheck(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import scorecard.excel; scorecard.excel.check()"
End Sub

Sub OnClear(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import scorecard.excel; scorecard.excel.clear()"
End Sub

Sub OnReport(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import scorecard.excel; scorecard.excel.report()"
End Sub

Sub OnOpenRules(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import scorecard.excel; scorecard.excel.open_rules()"
End Sub

Sub OnHelp(control As IRibbonControl)
    If HasWorkbook() Then RunPython "import scorecard.excel; scorecard.excel.help()"
End Sub

Sub OnSelfTest(control As IRibbonControl)
    ' Works on a copy of the bundled sample, not on the user's workbook; RunPython needs an active
    ' workbook all the same, so a blank one is opened when there is none.
    If ActiveWorkbook Is Nothing Then Workbooks.Add
    RunPython "import scorecard.excel; scorecard.excel.selftest(addin='" & ADDIN_BUILD & "')"
End Sub
