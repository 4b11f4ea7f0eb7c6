"""Entry point for ``python -m ganlab.book`` (the chapter runner)."""

import sys

from ganlab.book.runner import main

if __name__ == "__main__":
    sys.exit(main())
