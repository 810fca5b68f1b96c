Option Explicit
#Const App = "Microsoft Excel" ' as in xlwings' own UDF module: #Const is private to its module
' Worksheet functions of the Scorecard add-in, generated from scorecard.udfs when the add-in is
' built (make addin). Each calls Python through xlwings' COM server (XLPy.CallUDF), exactly as
' xlwings' own "Import Functions" writes them: a cell argument is passed twice, once for its value
' and once (a hidden argument) for its cells, whose number format Python reads.
