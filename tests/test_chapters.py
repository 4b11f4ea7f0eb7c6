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


def test_chapter_has_colab_and_kaggle_badges_for_itself(chapter, load_tool):
    path, notebook = chapter
    sync = load_tool("sync_notebooks")
    repo = sync.repository()
    first = notebook.cells[0].source
    assert sync.badge_line(repo, path.name) in first
    assert f"https://colab.research.google.com/github/{repo['slug']}/blob/{repo['branch']}/book/{path.name}" in first
    for badge in ("open-in-colab.svg", "open-in-kaggle.svg"):
        assert (ROOT / "book" / "images" / badge).is_file()


def test_notebooks_agree_with_the_repository_settings(load_tool):
    """Badges, image addresses, included tables and the install line are what
    ``tools/sync_notebooks.py`` writes from _config.yml, the benchmark results and the
    version stamped on the outputs."""
    sync = load_tool("sync_notebooks")
    assert sync.stale_notebooks(CHAPTERS) == [], "run python tools/sync_notebooks.py"


def test_sync_rewrites_a_fork_and_a_stale_table(tmp_path, load_tool):
    sync = load_tool("sync_notebooks")
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://github.com/someone/fork\n  branch: book\n")
    fork = sync.repository(config)
    notebook = _read(CHAPTERS[1])
    notebook.cells[-1].source += "\n<!-- include benchmarks/results/time_to_quality.md -->\nold table\n<!-- end include -->"
    synced = sync.synced(notebook, fork, CHAPTERS[1].name)
    text = "\n".join(cell.source for cell in synced.cells if cell.cell_type == "markdown")
    assert "https://colab.research.google.com/github/someone/fork/blob/book/book/02_dcgan_mnist.ipynb" in text
    assert "https://raw.githubusercontent.com/someone/fork/book/book/images/open-in-colab.svg" in text
    assert "github.com/ganlab/ganlab" not in text and "raw.githubusercontent.com/ganlab/" not in text
    assert "old table" not in text and (ROOT / "benchmarks/results/time_to_quality.md").read_text().strip() in text
    config.write_text("repository:\n  url: https://gitlab.com/someone/fork\n")
    with pytest.raises(ValueError, match=r"^repository\.url in _config\.yml must be https://github\.com/OWNER/NAME"):
        sync.repository(config)


MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


def test_notebook_markdown_renders_outside_the_book(chapter, load_tool):
    """Colab, Kaggle, JupyterLab and GitHub show a notebook alone: no MyST directive or
    role, no image or link that only resolves next to the repository's other files."""
    path, notebook = chapter
    sync = load_tool("sync_notebooks")
    raw = sync.raw_address(sync.repository(), "")
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        assert not re.search(r"^(```|:::)\{", cell.source, re.MULTILINE), cell.source[:80]
        assert not re.search(r"\{(ref|doc|numref|eq|cite)\}`", cell.source), cell.source[:80]
        for address in MARKDOWN_IMAGE.findall(cell.source):
            assert address.startswith(raw), f"{path.name}: image {address} is not on {raw}"
            assert (ROOT / address.removeprefix(raw)).is_file(), address
        for link in re.findall(r"\]\(([^)\s]+)\)", cell.source):
            assert link.startswith(("https://", "http://", "#")) or re.fullmatch(r"\d\d_\w+\.ipynb(#.*)?", link), (
                f"{path.name}: link {link} leaves book/"
            )
        assert "<img" not in cell.source


def _first_code_cell(notebook):
    return next(cell for cell in notebook.cells if cell.cell_type == "code")


# what pip 25 prints when the release is not on PyPI, and when there is no network (its
# retries name the connection), each ending with the same two lines
PIP_NOT_ON_PYPI = ("ERROR: Could not find a version that satisfies the requirement ganlab==0.3.0 (from versions: none)\n"
                   "ERROR: No matching distribution found for ganlab==0.3.0\n")
PIP_OFFLINE = ("WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by "
               "'NewConnectionError(\"<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f>: Failed to establish a new "
               "connection: [Errno -3] Temporary failure in name resolution\")': /simple/ganlab/\n" + PIP_NOT_ON_PYPI)


def _run_install_part(source, hosted_environment, ganlab_installed, pip_fails=False, environ=None, pip_says=PIP_OFFLINE):
    """Execute the set-up cell up to ``from ganlab import book`` with pip replaced by a
    recorder that fails (``pip_fails``) with what ``pip_says`` on stderr."""
    install_part = source.split("from ganlab import book")[0]
    calls = []

    def run(command, **options):
        calls.append(command)
        return types.SimpleNamespace(returncode=1 if pip_fails else 0, stdout="", stderr=pip_says if pip_fails else "")

    fake_subprocess = types.SimpleNamespace(run=run)
    fake_util = types.SimpleNamespace(find_spec=lambda name: object() if ganlab_installed else None)
    modules = dict(sys.modules, subprocess=fake_subprocess)
    modules.pop("google.colab", None)
    if hosted_environment == "colab":
        modules["google.colab"] = types.ModuleType("google.colab")
    fake_sys = types.SimpleNamespace(modules=modules, executable=sys.executable)
    environ = dict(environ or {})
    if hosted_environment == "kaggle":
        environ["KAGGLE_KERNEL_RUN_TYPE"] = "Interactive"
    # The cell's own imports would bring back the real modules; bind the fakes instead.
    code = install_part.replace("import importlib.util, os, subprocess, sys", "")
    namespace = {"importlib": types.SimpleNamespace(util=fake_util), "os": types.SimpleNamespace(environ=environ),
                 "subprocess": fake_subprocess, "sys": fake_sys}
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
        stamped = notebook.metadata["ganlab"]["ganlab_version"]
        assert calls == [[sys.executable, "-m", "pip", "install", "-q", f"ganlab=={stamped}"]]
    else:
        assert calls == []


def test_setup_cell_installs_what_ganlab_install_names_when_ganlab_hosted_is_set(chapter):
    _, notebook = chapter
    source = _first_code_cell(notebook).source
    calls = _run_install_part(source, "local", False, environ={"GANLAB_HOSTED": "1", "GANLAB_INSTALL": "/tmp/ganlab-9.9-py3-none-any.whl"})
    assert calls == [[sys.executable, "-m", "pip", "install", "-q", "/tmp/ganlab-9.9-py3-none-any.whl"]]


def test_setup_cell_says_how_to_switch_kaggles_internet_on_when_pip_fails(chapter):
    _, notebook = chapter
    source = _first_code_cell(notebook).source
    with pytest.raises(SystemExit, match=r"^Could not install ganlab\. On Kaggle, switch Internet on \(Settings > Internet") as stop:
        _run_install_part(source, "kaggle", False, pip_fails=True)
    # one line, no traceback: IPython shows a SystemExit as its message alone
    assert "\n" not in str(stop.value)


def test_setup_cell_says_when_the_release_is_not_on_pypi_and_how_to_install_from_the_repository(chapter, load_tool):
    _, notebook = chapter
    source = _first_code_cell(notebook).source
    stamped = notebook.metadata["ganlab"]["ganlab_version"]
    sync = load_tool("sync_notebooks")
    from_repository = sync.repository_install(sync.repository(), stamped)
    with pytest.raises(SystemExit, match="is not on PyPI") as stop:
        _run_install_part(source, "colab", False, pip_fails=True, pip_says=PIP_NOT_ON_PYPI)
    assert str(stop.value) == (f"ganlab=={stamped} is not on PyPI: set os.environ['GANLAB_INSTALL'] = '{from_repository}' "
                               "and run this cell again.")
    assert from_repository.startswith("git+https://github.com/") and "\n" not in str(stop.value)


def test_the_repository_install_names_the_release_tag_where_releases_are_tagged(load_tool):
    sync = load_tool("sync_notebooks")
    repo = {"slug": "someone/ganlab", "branch": "main"}
    assert sync.repository_install(repo, "0.4.0", tags=["v0.3.0", "v0.4.0"]) == "git+https://github.com/someone/ganlab@v0.4.0"
    assert sync.repository_install(repo, "0.4.0", tags=[]) == "git+https://github.com/someone/ganlab@main"


def test_setup_cell_reports_the_device(chapter):
    _, notebook = chapter
    cell = _first_code_cell(notebook)
    assert re.search(r"^settings = book\.setup\(scale=SCALE, runs_dir=RUNS_DIR, cpu_minutes=\d+\)$", cell.source, re.M)
    assert re.search(r"^SCALE, RUNS_DIR = None, None$", cell.source, re.M)
    printed = "".join(output.get("text", "") for output in cell.outputs)
    assert re.search(r"ganlab \S+ · TensorFlow \S+ · \w+ · (GPU: .+|no GPU: training on the CPU \(\d+ cores\)) · full run", printed)


def test_code_cells_are_short(chapter):
    _, notebook = chapter
    long_cells = [cell.source.splitlines()[0] for cell in notebook.cells
                  if cell.cell_type == "code" and len(cell.source.splitlines()) > LONGEST_CODE_CELL]
    assert long_cells == []


def test_setup_line_says_how_long_the_committed_run_took(chapter):
    # the first cell tells the reader how long the chapter takes on 2 CPU cores: the
    # committed run is the measurement, so the estimate must be near it
    path, notebook = chapter
    estimate = float(re.search(r"cpu_minutes=(\d+(?:\.\d+)?)\)", _first_code_cell(notebook).source).group(1))
    took = notebook.metadata.get("ganlab", {}).get("run_seconds", 0) / 60
    assert 0.5 * estimate <= took <= max(1.25 * estimate, estimate + 1), (
        f"{path.name} took {took:.1f} min; its setup line says about {estimate:g}")
    # and the comment above it says the same
    comment = " ".join(line.lstrip("# ") for line in _first_code_cell(notebook).source.splitlines() if line.startswith("#"))
    assert ("a minute" if estimate == 1 else f"{estimate:g} minutes") in comment


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
    # a cell tag, not a "# NBVAL_CHECK_OUTPUT" comment: readers never see it
    checked = [cell for cell in notebook.cells if "nbval-check-output" in cell.metadata.get("tags", [])]
    assert checked and all(cell.cell_type == "code" and cell.outputs for cell in checked)
    assert not [cell.source.splitlines()[0] for cell in notebook.cells if "NBVAL_" in cell.source]


def test_hosted_check_runs_the_checked_cells_without_comparing_their_outputs(chapter, load_tool):
    path, notebook = chapter
    copy = nbformat.reads(load_tool("hosted_check").without_output_checks(path.read_text()), as_version=4)
    assert [cell.source for cell in copy.cells] == [cell.source for cell in notebook.cells]
    assert not [cell for cell in copy.cells if "nbval-check-output" in cell.metadata.get("tags", [])]


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


def test_every_listing_a_chapter_shows_still_exists(chapter):
    # book.show_source("ganlab....") renders the package's code; a renamed function would
    # otherwise only fail when the chapter is next run in full
    from ganlab.book import source

    _, notebook = chapter
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for call in re.findall(r"show_source\(([^)]*)\)", code):
        for target in re.findall(r"[\"']([\w.]+)[\"']", call):
            source.SourceListing(target)
    for target in re.findall(r"diagrams\.(\w+)\(", code):
        from ganlab import diagrams

        assert hasattr(diagrams, target), target


def test_prose_quotes_only_numbers_the_page_shows(chapter):
    # ganlab.book.prose: a number in the Markdown must be printed or written in a cell, or
    # its sentence must cite where it comes from; a re-run that changes a result flags it
    from ganlab.book import prose

    _, notebook = chapter
    assert prose.unsupported_numbers(notebook) == []
