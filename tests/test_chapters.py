"""The chapters themselves: the template every chapter follows, the set-up cell that
installs ganlab only on Colab/Kaggle, and committed outputs from a full, clean run."""

import re
import sys
import types
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
SECTIONS = ("Overview", "Prerequisites", "Setup", "Summary", "Exercises", "References")
LONGEST_CODE_CELL = 15  # lines; longer logic belongs in the package


def _read(path):
    return nbformat.read(path, as_version=4)


def _headings(notebook):
    return [line.lstrip("#").strip() for cell in notebook.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if line.startswith("## ")]


@pytest.fixture(params=CHAPTERS, ids=lambda path: path.stem)
def chapter(request):
    return request.param, _read(request.param)


def test_there_are_chapters_numbered_in_order():
    # chapters land as their issues do, so a number may be missing for a while
    numbers = [int(path.stem[:2]) for path in CHAPTERS]
    assert numbers and numbers[0] == 1 and numbers == sorted(set(numbers))


def test_chapter_follows_the_template(chapter):
    path, notebook = chapter
    headings = _headings(notebook)
    positions = [headings.index(section) for section in SECTIONS]  # ValueError names a missing one
    assert positions == sorted(positions), f"sections out of order: {headings}"
    title = notebook.cells[0].source.splitlines()[0]
    assert re.fullmatch(rf"# {int(path.stem[:2])}\. .+", title)


def test_chapter_has_colab_and_kaggle_badges_for_itself(chapter):
    path, notebook = chapter
    first = notebook.cells[0].source
    assert f"colab.research.google.com/github/ganlab/ganlab/blob/main/book/{path.name}" in first
    assert f"kaggle.com/kernels/welcome?src=https://github.com/ganlab/ganlab/blob/main/book/{path.name}" in first
    for badge in ("images/open-in-colab.svg", "images/open-in-kaggle.svg"):
        assert badge in first and (path.parent / badge).is_file()


def _first_code_cell(notebook):
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


def _run_install_part(source, hosted_environment, ganlab_installed):
    """Execute the set-up cell up to ``from ganlab import book`` with pip replaced by a recorder."""
    install_part = source.split("from ganlab import book")[0]
    calls = []
    fake_subprocess = types.SimpleNamespace(run=lambda command, check: calls.append(command))
    fake_util = types.SimpleNamespace(find_spec=lambda name: object() if ganlab_installed else None)
    modules = dict(sys.modules, subprocess=fake_subprocess)
    modules.pop("google.colab", None)
    if hosted_environment == "colab":
        modules["google.colab"] = types.ModuleType("google.colab")
    fake_sys = types.SimpleNamespace(modules=modules, executable=sys.executable)
    fake_os = types.SimpleNamespace(environ={"KAGGLE_KERNEL_RUN_TYPE": "Interactive"} if hosted_environment == "kaggle" else {})
    # The cell's own imports would bring back the real modules; bind the fakes instead.
    code = install_part.replace("import importlib.util, os, subprocess, sys", "")
    namespace = {"importlib": types.SimpleNamespace(util=fake_util), "os": fake_os, "subprocess": fake_subprocess, "sys": fake_sys}
    exec(compile(code, "setup-cell", "exec"), namespace)
    return calls


@pytest.mark.parametrize(
    ("where", "installed", "expect_install"),
    [("local", False, False), ("local", True, False), ("colab", False, True), ("kaggle", False, True), ("kaggle", True, False)],
)
def test_setup_cell_installs_only_on_hosted_notebooks_without_ganlab(chapter, where, installed, expect_install):
    _, notebook = chapter
    source = _first_code_cell(notebook).source
    assert "import importlib.util, os, subprocess, sys" in source
    calls = _run_install_part(source, where, installed)
    if expect_install:
        assert len(calls) == 1 and calls[0][:4] == [sys.executable, "-m", "pip", "install"]
        assert calls[0][-1].startswith("ganlab @ git+https://github.com/ganlab/ganlab")
    else:
        assert calls == []


def test_setup_cell_reports_the_device(chapter):
    _, notebook = chapter
    cell = _first_code_cell(notebook)
    assert "settings = book.setup(scale=SCALE)" in cell.source and re.search(r"^SCALE = ", cell.source, re.M)
    printed = "".join(output.get("text", "") for output in cell.outputs)
    assert re.search(r"ganlab \S+ · TensorFlow \S+ · \w+ · (GPU: .+|no GPU: training on the CPU \(\d+ cores\)) · full run", printed)


def test_code_cells_are_short(chapter):
    _, notebook = chapter
    long_cells = [cell.source.splitlines()[0] for cell in notebook.cells
                  if cell.cell_type == "code" and len(cell.source.splitlines()) > LONGEST_CODE_CELL]
    assert long_cells == []


def test_committed_outputs_come_from_a_full_clean_run(chapter):
    path, notebook = chapter
    stamp = notebook.metadata.get("ganlab", {})
    assert stamp.get("mode") == "full", f"run `python -m ganlab.book run --full {path.relative_to(ROOT)}`"
    assert stamp["run_seconds"] <= 20 * 60, "a chapter's full run must fit in 20 minutes on 2 CPU cores"
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    counts = [cell.execution_count for cell in code_cells]
    assert counts == list(range(1, len(code_cells) + 1)), "cells were not run once, top to bottom"
    for cell in code_cells:
        for output in cell.outputs:
            assert output.output_type != "error", cell.source.splitlines()[0]
            # TensorFlow's start-up noise is filtered; anything else on stderr is a problem
            assert not (output.output_type == "stream" and output.name == "stderr"), output.text[:200]
    images = [output for cell in code_cells for output in cell.outputs if "image/png" in output.get("data", {})]
    assert images, "a chapter shows figures"


def test_chapter_checks_some_outputs_with_nbval(chapter):
    _, notebook = chapter
    checked = [cell for cell in notebook.cells if cell.cell_type == "code" and "# NBVAL_CHECK_OUTPUT" in cell.source]
    assert checked and all(cell.outputs for cell in checked)


def test_chapter_imports_ganlab_rather_than_defining_functions(chapter):
    _, notebook = chapter
    definitions = [cell.source.splitlines()[0] for cell in notebook.cells
                   if cell.cell_type == "code" and re.search(r"^\s*(def|class) ", cell.source, re.M)]
    assert definitions == []


def test_chapter_states_its_key_idea_as_a_formula(chapter):
    # the browser test checks that MathJax renders it; this catches a chapter with none in seconds
    _, notebook = chapter
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert re.search(r"\$\$.+?\$\$|\$[^$\n]+\$", markdown, re.S), "a chapter writes its key idea as math"
