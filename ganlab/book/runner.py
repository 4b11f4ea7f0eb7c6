"""The chapter runner: execute a chapter in a fresh kernel and keep its outputs.

    python -m ganlab.book run --full book/02_dcgan_mnist.ipynb

executes it (nbclient), without storing widget state (the explorers of
``ganlab.widgets`` carry a static version for the book), refuses to save a run that
wrote to stderr, and stamps the notebook's metadata with the ganlab version, the date
and the run time.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

import ganlab
from ganlab.book import QUICK_VARIABLE, RUNS_VARIABLE


def execute(notebook_path: str | Path, quick: bool, runs_root: str | Path | None = None, timeout: int = 1800):
    """Execute a notebook in a fresh kernel from its own folder; return (notebook, seconds).

    ``quick`` sets ``GANLAB_QUICK`` for the kernel; runs go to ``runs_root`` (a fresh
    temporary folder when None) so a committed run never resumes an old one.
    """
    import nbformat
    from nbclient import NotebookClient

    notebook_path = Path(notebook_path)
    notebook = nbformat.read(notebook_path, as_version=4)
    scratch = None if runs_root else tempfile.TemporaryDirectory(prefix="ganlab-book-runs-")
    runs_root = Path(runs_root) if runs_root else Path(scratch.name)  # a scratch folder goes once the outputs are in
    environment = {QUICK_VARIABLE: "1" if quick else "0", RUNS_VARIABLE: str(runs_root)}
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)  # the kernel inherits this process's environment
    try:
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(notebook_path.parent.resolve())}},
            # widget state in the notebook would make Jupyter Book load the widget
            # manager from a CDN; the explorers carry a static version instead
            store_widget_state=False,
        )
        started = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - started
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if scratch is not None:
            scratch.cleanup()
    return notebook, seconds


def stderr_outputs(notebook) -> list[str]:
    """What the executed ``notebook`` wrote to stderr, one entry per output: the cell's
    number and the output's first line. The chapters filter TensorFlow's known start-up
    lines (``ganlab.book.stderr_filter``), so anything left is a warning a reader would see
    (a font fallback, a deprecation) and the committed chapters must have none."""
    found = []
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code_cells, start=1):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                first_line = (output.get("text", "").strip().splitlines() or [""])[0]
                found.append(f"code cell {number}: {first_line[:160]}")
    return found


def stamp(notebook, quick: bool, seconds: float) -> None:
    """Record in the notebook's metadata what produced its outputs."""
    import platform

    import keras
    import tensorflow as tf

    notebook.metadata["ganlab"] = {
        "ganlab_version": ganlab.__version__,
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
        "executed_on": datetime.date.today().isoformat(),
        "run_seconds": round(seconds, 1),
        "mode": "quick" if quick else "full",
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m ganlab.book run --full|--quick NOTEBOOK...``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m ganlab.book",
        description="Execute book chapters and keep their outputs (the book never re-executes them).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute notebooks in a fresh kernel")
    mode = run.add_mutually_exclusive_group(required=True)
    mode.add_argument("--full", action="store_true", help="full run; outputs are written back into the notebook")
    mode.add_argument("--quick", action="store_true", help="GANLAB_QUICK=1 run, for checking")
    run.add_argument("--output", help="folder for the executed copies (default: in place for --full, none for --quick)")
    run.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell (default 1800)")
    run.add_argument("notebooks", nargs="+", help="chapter notebooks")
    args = parser.parse_args(argv)

    import nbformat
    from nbclient.exceptions import CellExecutionError

    from ganlab.book import stderr_filter

    stderr_filter.install()  # stamp() imports TensorFlow
    for path in map(Path, args.notebooks):
        if not path.is_file() or path.suffix != ".ipynb":
            parser.error(f"{path} is not a notebook file")
    for path in map(Path, args.notebooks):
        print(f"ganlab.book: running {path} ({'full' if args.full else 'quick'})", flush=True)
        try:
            notebook, seconds = execute(path, quick=args.quick, timeout=args.timeout)
        except CellExecutionError as error:
            # the cell and its error, without nbclient's own traceback; nothing is written
            print(f"ganlab.book: {path} failed; it was not saved.\n{error}", file=sys.stderr)
            return 1
        stamp(notebook, quick=args.quick, seconds=seconds)
        target = Path(args.output) / path.name if args.output else (path if args.full else None)
        noise = stderr_outputs(notebook)
        if noise and args.full:
            # keep the run for inspection, but never in place of the chapter: the book's
            # tests refuse a committed chapter with stderr outputs
            rejected = Path(tempfile.mkdtemp(prefix="ganlab-book-rejected-")) / path.name
            nbformat.write(notebook, rejected)
            listing = "\n  ".join(noise)
            print(f"ganlab.book: {path} wrote to stderr, so it was not saved in place "
                  f"(the executed copy is {rejected}):\n  {listing}", file=sys.stderr)
            return 1
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.partial")
            nbformat.write(notebook, partial)
            os.replace(partial, target)
        print(f"ganlab.book: {path} ran in {seconds / 60:.1f} min" + (f"; saved to {target}" if target else ""), flush=True)
    return 0
