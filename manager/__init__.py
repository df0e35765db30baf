"""Gilgamesh Manager: the PySide6 desktop application.

``manager.cli`` is Qt-free (argument parsing and the subcommands); Qt is only
imported when the GUI starts.
"""
