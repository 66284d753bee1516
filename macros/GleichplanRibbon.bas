Attribute VB_Name = "GleichplanRibbon"
Option Explicit
' Not a worksheet function, not listed in the macro dialog.
Option Private Module

' Ribbon callback of the Gleichstellungsplan add-in. Every button passes its
' Tag on to Python; the Python side decides what the button does, so this
' module never has to change when buttons are added.
Sub OnButton(control As IRibbonControl)
    RunPython "import xl_gleichplan.excel.actions as a; a.run_button('" & control.Tag & "')"
End Sub
