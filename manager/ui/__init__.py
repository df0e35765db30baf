"""Qt Designer forms (.ui) and the modules pyside6-uic generates from them."""
