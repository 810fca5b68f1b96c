Option Explicit
' Ribbon callbacks of the Scorecard add-in. Each runs its own Python entry point
' (scorecard.excel) through xlwings' RunPython, on the active workbook.
' Your own VBA can call the same entry points the same way.

Private Const ADDIN_BUILD As String = "dev" ' set when the add-in is built: scorecard's version and a hash of the add-in's sources

Private Function HasWorkbook() As Boolean
    ' The buttons work on the active workbook; with none open, RunPython would stop on VBA error 91.
    If ActiveWorkbook Is Nothing Then
        MsgBox "Open the scorecard workbook first: the Scorecard buttons work on the active workbook.", vbInformation, "Scorecard"
    Else
        HasWorkbook = True
    End If
End Function

Private Function OpenStandIn() As Workbook
    ' RunPython reads the active workbook's name and folder. Help and Self-test need no workbook of
    ' yours, so with none open a blank one stands in while Python runs; CloseStandIn closes it unsaved.
    If ActiveWorkbook Is Nothing Then Set OpenStandIn = Workbooks.Add
End Function

Private Sub CloseStandIn(StandIn As Workbook)
    If Not StandIn Is Nothing Then StandIn.Close SaveChanges:=False
End Sub

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
    Dim StandIn As Workbook
    Set StandIn = OpenStandIn()
    RunPython "import scorecard.excel; scorecard.excel.help()"
    CloseStandIn StandIn
End Sub

Sub OnSelfTest(control As IRibbonControl)
    RunSelfTest
End Sub

Public Sub RunSelfTest(Optional ReportFile As String = "")
    ' The Self-test button, and `scorecard addin selftest` (which runs this macro in Excel): Python is
    ' started as every button starts it, and compares this add-in's build with the scorecard it finds.
    ' With ReportFile the report is written there and not shown. Your workbooks are not touched.
    Dim StandIn As Workbook
    Set StandIn = OpenStandIn()
    RunPython "import scorecard.excel; scorecard.excel.selftest(addin='" & ADDIN_BUILD & "', report=r'" & ReportFile & "')"
    CloseStandIn StandIn
End Sub
