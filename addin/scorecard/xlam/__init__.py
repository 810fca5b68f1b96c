"""The desktop add-in, scorecard.xlam: its build (VBA project and compound file writers), its
sources (ribbon XML and VBA modules beside this file) and its installation."""
