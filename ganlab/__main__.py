"""Entry point for ``python -m ganlab``."""

import sys

from ganlab.cli import main

if __name__ == "__main__":
    sys.exit(main())
