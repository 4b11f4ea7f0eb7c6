import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from ganlab import book
from ganlab.book import runner

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("value", "expected"), [("", False), ("0", False), ("1", True), ("yes", True)])
def test_quick_mode_reads_the_variable(monkeypatch, value, expected):
    monkeypatch.setenv("GANLAB_QUICK", value)
    assert book.quick_mode() is expected


def test_settings_pick_and_budget():
    full = book.Settings(quick=False, scale=2.5, platform="local", gpus=())
    quick = book.Settings(quick=True, scale=2.5, platform="local", gpus=())
    assert full.pick(1000, 200) == 1000 and quick.pick(1000, 200) == 200
    assert full.budget(20, quick=2) == 50 and isinstance(full.budget(20, 2), int)
    assert full.budget(3.0, quick=0.1) == 7.5
    assert quick.budget(20, quick=2) == 2
    assert book.Settings(quick=False, scale=0.01, platform="local", gpus=()).budget(20, 2) == 1  # never 0 epochs


def test_epochs_for_a_budget_in_images_seen():
    full = book.Settings(quick=False, scale=1.0, platform="local", gpus=())
    # the offline 5,000 digits and all 60,000: the same number of images seen
    assert full.epochs_for(images=500_000, dataset_size=5_000, quick=2) == 100
    assert full.epochs_for(images=500_000, dataset_size=60_000, quick=2) == 8
    assert book.Settings(quick=False, scale=2.0, platform="local", gpus=()).epochs_for(500_000, 60_000, quick=2) == 17
    assert book.Settings(quick=True, scale=2.0, platform="local", gpus=()).epochs_for(500_000, 60_000, quick=2) == 2
    assert full.epochs_for(images=10, dataset_size=60_000, quick=2) == 1
    with pytest.raises(ValueError, match="^dataset_size must be positive, got 0$"):
        full.epochs_for(images=10, dataset_size=0, quick=2)


def test_setup_chooses_the_scale_and_keeps_runs_where_asked(monkeypatch, capsys, tmp_path):
    from ganlab import devices
    from ganlab.book import stderr_filter

    monkeypatch.setattr(stderr_filter, "install", lambda: None)
    monkeypatch.setenv("GANLAB_QUICK", "0")
    # set, then removed: monkeypatch then restores the variable's absence after the test,
    # although setup() below sets it
    monkeypatch.setenv("GANLAB_RUNS_DIR", "unused")
    monkeypatch.delenv("GANLAB_RUNS_DIR")
    monkeypatch.setattr(devices, "allow_memory_growth", lambda: ())
    assert book.setup(cpu_minutes=15).scale == 1.0
    assert "this chapter takes about 15 minutes at scale 1" in capsys.readouterr().out
    monkeypatch.setattr(devices, "allow_memory_growth", lambda: ("GPU:0",))
    drive = tmp_path / "drive" / "ganlab-runs"
    settings = book.setup(cpu_minutes=15, runs_dir=drive)
    printed = capsys.readouterr().out
    assert settings.scale == book.GPU_SCALE == 2.0 and settings.gpus == ("GPU:0",)
    assert "GPU: GPU:0" in printed and "at most about 30 minutes at scale 2" in printed
    assert f"runs are kept in {drive}" in printed and drive.is_dir()
    assert book.run_dir("02-dcgan-mnist") == drive / "02-dcgan-mnist"
    # an explicit scale wins
    assert book.setup(scale=1, verbose=False).scale == 1.0


def test_platform_is_detected(monkeypatch):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delenv("KAGGLE_KERNEL_RUN_TYPE", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.delenv("GANLAB_HOSTED", raising=False)
    assert book.platform_name() == "local"
    monkeypatch.setenv("GANLAB_HOSTED", "1")
    assert book.platform_name() == "hosted (GANLAB_HOSTED=1)"
    monkeypatch.setenv("KAGGLE_KERNEL_RUN_TYPE", "Interactive")
    assert book.platform_name() == "Kaggle"
    monkeypatch.setenv("COLAB_RELEASE_TAG", "release-colab_20261101")
    assert book.platform_name() == "Colab"


def test_setup_reports_device_and_mode(monkeypatch, capsys):
    from ganlab.book import stderr_filter

    installed = []
    # the real filter would rewire this test process's stderr; tests/test_stderr_filter.py tests it
    monkeypatch.setattr(stderr_filter, "install", lambda: installed.append(True))
    monkeypatch.setenv("GANLAB_QUICK", "1")
    settings = book.setup(scale=3)
    assert installed == [True]
    line = capsys.readouterr().out
    assert settings.quick and settings.scale == 3.0
    assert "no GPU: training on the CPU" in line and "quick mode" in line and "TensorFlow 2." in line
    with pytest.raises(ValueError, match="scale"):
        book.setup(scale=0)


def test_run_dir_is_fresh_in_quick_mode_and_stable_otherwise(monkeypatch):
    monkeypatch.delenv("GANLAB_RUNS_DIR", raising=False)
    monkeypatch.setenv("GANLAB_QUICK", "0")
    assert book.run_dir("a") == Path("runs") / "a"
    monkeypatch.setenv("GANLAB_QUICK", "1")
    quick_folder = book.run_dir("a")
    assert quick_folder.parent.name.startswith("ganlab-quick-runs-") and quick_folder == book.run_dir("a")
    # a quick kernel removes its runs when it exits
    program = "from ganlab import book; folder = book.run_dir('a'); folder.mkdir(parents=True); print(folder)"
    finished = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True,
                              env=dict(os.environ, GANLAB_QUICK="1"))
    assert not Path(finished.stdout.strip()).exists()
    monkeypatch.setenv("GANLAB_RUNS_DIR", "/somewhere")
    assert book.run_dir("a") == Path("/somewhere/a")
    with pytest.raises(ValueError, match="plain folder name"):
        book.run_dir("../escape")


def test_image_html_embeds_the_file(tmp_path):
    path = tmp_path / "tiny.gif"
    path.write_bytes(b"GIF89a-not-really")
    markup = book._image_html(path, alt='progress "gif"', width=300)
    encoded = markup.split("base64,")[1].split('"')[0]
    assert base64.b64decode(encoded) == b"GIF89a-not-really"
    assert 'alt="progress &quot;gif&quot;"' in markup and 'width="300"' in markup
    assert markup.startswith('<img src="data:image/gif;base64,')
    with pytest.raises(ValueError, match="not a GIF"):
        book._image_html(tmp_path / "x.bmp", alt="x", width=None)


def test_markdown_table_formats_numbers():
    table = book.markdown_table(
        [{"name": "a|b", "fid": 1234.5, "score": 0.123456, "count": 5000}],
        {"name": "recipe", "fid": "FID", "score": "IS", "count": "steps"},
    )
    assert table.splitlines() == ["| recipe | FID | IS | steps |", "|---|---|---|---|", "| a\\|b | 1,234 | 0.123 | 5,000 |"]
    with pytest.raises(ValueError, match="^no rows to show$"):
        book.markdown_table([])


def _write_notebook(path: Path, *sources: str):
    """A Python 3 notebook with one code cell per source."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(notebook, path)


def _tiny_notebook(path: Path):
    _write_notebook(
        path,
        "import os\nprint(os.environ['GANLAB_QUICK'], os.path.basename(os.getcwd()))",
        "from ganlab import book\nprint(book.run_dir('x').parent == __import__('pathlib').Path(os.environ['GANLAB_RUNS_DIR']))",
        "book.run_dir('x').mkdir(parents=True)\nprint(os.environ['GANLAB_RUNS_DIR'])",
    )


@pytest.mark.notebook
def test_runner_executes_in_the_notebook_folder_and_stamps_metadata(tmp_path):
    chapter_folder = tmp_path / "chapters"
    chapter_folder.mkdir()
    path = chapter_folder / "tiny.ipynb"
    _tiny_notebook(path)
    started = time.perf_counter()
    assert runner.main(["run", "--full", str(path)]) == 0
    elapsed = time.perf_counter() - started
    executed = nbformat.read(path, as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "0 chapters\n"
    assert executed.cells[1].outputs[0]["text"] == "True\n"
    stamp = executed.metadata["ganlab"]
    assert stamp["mode"] == "full" and stamp["ganlab_version"] == __import__("ganlab").__version__
    # the kernel's time, to 0.1 s: part of the runner's (a kernel takes well over 0.05 s to start)
    assert 0 < stamp["run_seconds"] <= elapsed + 0.05 and len(stamp["executed_on"]) == 10
    assert "GANLAB_RUNS_DIR" not in os.environ  # the runner leaves this process as it was
    assert not Path(executed.cells[2].outputs[0]["text"].strip()).exists()  # nor its scratch runs in /tmp


@pytest.mark.notebook
def test_runner_quick_mode_writes_a_copy_only_when_asked(tmp_path):
    path = tmp_path / "tiny.ipynb"
    _tiny_notebook(path)
    before = path.read_text()
    assert runner.main(["run", "--quick", str(path), "--output", str(tmp_path / "out")]) == 0
    assert path.read_text() == before
    copy = nbformat.read(tmp_path / "out" / "tiny.ipynb", as_version=4)
    assert copy.cells[0].outputs[0]["text"].startswith("1 ") and copy.metadata["ganlab"]["mode"] == "quick"


def test_runner_rejects_what_is_not_a_notebook(tmp_path, capsys):
    with pytest.raises(SystemExit, match="^2$") as stopped:
        runner.main(["run", "--full", str(tmp_path / "missing.ipynb")])
    assert stopped.value.code == 2 and "is not a notebook file" in capsys.readouterr().err


@pytest.mark.notebook
def test_runner_reports_a_failing_cell_and_keeps_the_notebook(tmp_path, capsys):
    path = tmp_path / "broken.ipynb"
    _write_notebook(path, "raise ValueError('no digits here')")
    before = path.read_text()
    assert runner.main(["run", "--full", str(path)]) == 1
    error = capsys.readouterr().err
    assert "broken.ipynb failed; it was not saved" in error and "no digits here" in error
    assert path.read_text() == before


def test_show_progress_embeds_a_thinned_small_gif(tmp_path, monkeypatch):
    import imageio.v3 as iio
    import numpy as np

    from ganlab import viz

    for epoch in range(12):
        viz.save_grid(np.full((4, 8, 8, 1), epoch / 12 - 0.5), tmp_path / f"epoch_{epoch + 1:04d}.png", scale=2)
    shown = []
    monkeypatch.setattr(book, "show_image", lambda path, alt, width: shown.append(iio.imread(path, index=None)))
    book.show_progress(tmp_path, alt="progress", max_frames=4, max_width=20)
    (frames,) = shown
    assert len(frames) == 4 and frames.shape[2] <= 20
    with pytest.raises(ValueError, match="no monitor grids"):
        book.show_progress(tmp_path / "empty", alt="x")


@pytest.mark.notebook
def test_runner_refuses_a_full_run_that_wrote_to_stderr(tmp_path, capsys):
    path = tmp_path / "noisy.ipynb"
    _write_notebook(path, "print('fine')", "import sys\nprint('findfont: Font family not found', file=sys.stderr)")
    before = path.read_text()
    assert runner.main(["run", "--full", str(path)]) == 1
    error = capsys.readouterr().err
    assert "noisy.ipynb wrote to stderr, so it was not saved in place" in error
    assert "code cell 2: findfont: Font family not found" in error
    assert path.read_text() == before
    # the executed copy is kept for inspection, outputs and all
    rejected = Path(error.split("the executed copy is ")[1].split(")")[0])
    assert runner.stderr_outputs(nbformat.read(rejected, as_version=4)) == ["code cell 2: findfont: Font family not found"]


def test_show_source_renders_the_package_code_highlighted():
    listing = book.show_source("ganlab.gans.GAN.train_step")
    assert listing.code.startswith("def train_step(self, data):")
    assert "tf.GradientTape() as g_tape" in listing.code
    assert listing.caption.startswith("ganlab/gans/gan.py, lines ") and listing.caption.endswith("ganlab.gans.GAN.train_step")
    markup = listing._repr_html_()
    assert "<span style=" in markup and "train_step" in markup  # highlighted with inline styles
    assert repr(listing).startswith("# ganlab/gans/gan.py")
    assert book.show_source("ganlab.losses").code.startswith('"""')  # a whole module works too
    both = book.show_source("ganlab.losses.minimax_discriminator_loss", "ganlab.losses.nonsaturating_generator_loss")
    assert both._repr_html_().count("ganlab-source") == 2 and "def nonsaturating_generator_loss" in repr(both)


@pytest.mark.parametrize("target", ["ganlab.gans.NoSuchTrainer", "ganlab.nowhere.thing", "numpy.pi"])
def test_show_source_says_what_it_cannot_find(target):
    from ganlab.book import source

    with pytest.raises(LookupError, match=target.split(".")[0]):
        source.SourceListing(target)
