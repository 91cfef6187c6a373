"""``python -m gui``: the same as ``sora-studio``."""

import sys

from gui.app import main

if __name__ == "__main__":
    sys.exit(main())
