"""``python main.py`` is ``gilgamesh``: starts the GUI (or runs a subcommand)."""
import sys

from manager.cli import main

if __name__ == "__main__":
    sys.exit(main())
