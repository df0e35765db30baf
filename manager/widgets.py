"""Widgets promoted in the Designer forms (``<header>manager.widgets</header>``)."""
from pyqtgraph import GraphicsLayoutWidget

__all__ = ["GraphicsLayoutWidget"]
