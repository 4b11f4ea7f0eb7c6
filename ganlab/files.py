"""Writing files so that nothing is ever half-written.

A run can be killed at any moment (a Colab session that disconnects, a SIGKILL), so every
output is written under a temporary name next to its final one and renamed when complete:
on one file system a rename is atomic, and a reader sees the old file or the new one,
never a piece of either.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path):
    """Yield a temporary path beside ``path`` (same suffix, so writers that pick a format
    from it still work); when the block finishes, rename it over ``path``. If the block
    fails, the temporary file is removed and ``path`` is left as it was."""
    path = Path(path)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as partial:
        partial.write_text(text)
