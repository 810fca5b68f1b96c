Option Explicit
#Const App = "Microsoft Excel" ' as in xlwings' own UDF module: #Const is private to its module
' Worksheet functions of the Scorecard add-in. The wrappers below the helpers are generated
' from scorecard.udfs when the add-in is built (make addin); each calls Python through
' xlwings' COM server (XLPy.CallUDF), as xlwings' own "Import Functions" would write them.

Private Function ScorecardFormat(v As Variant) As Variant
    ' The number format of a cell argument, so that Python reads a percent-formatted
    ' cell in percent points, as Refresh reads it. A literal has no format.
    If TypeName(v) = "Range" Then
        ScorecardFormat = v.Cells(1, 1).NumberFormat
    Else
        ScorecardFormat = ""
    End If
End Function

Private Function ScorecardFormats(v As Variant) As Variant
    ' The number formats of every cell of a range argument, as a 2D array.
    Dim result() As Variant, r As Long, c As Long
    If TypeName(v) <> "Range" Then
        ScorecardFormats = ""
        Exit Function
    End If
    ReDim result(1 To v.Rows.Count, 1 To v.Columns.Count)
    For r = 1 To v.Rows.Count
        For c = 1 To v.Columns.Count
            result(r, c) = v.Cells(r, c).NumberFormat
        Next c
    Next r
    ScorecardFormats = result
End Function
