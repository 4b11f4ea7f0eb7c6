"""What the book's notebooks share: the setup cell, quick mode, run folders and showing
results. The chapter runner (``ganlab.book.runner``), the stderr filter and the
chapter-only experiments live beside it in this subpackage, out of the runtime core.

Introduced in book/01_artist_and_critic.

Every chapter starts with ``settings = book.setup()``. It silences TensorFlow's start-up
noise (see ``ganlab.book.stderr_filter``), reports where the notebook runs and whether a GPU is
there, and reads two knobs:

- ``GANLAB_QUICK=1`` (CI) shrinks epochs and sample sizes so a chapter runs in a minute or
  two. It never changes which code runs: ``settings.pick(full, quick)`` only picks numbers.
- ``scale`` (an argument of ``setup``, one variable at the top of each chapter) multiplies
  the training budgets of a full run, for readers with a GPU or more patience.

Run a chapter and keep its outputs for the book with::

    python -m ganlab.book run --full book/02_dcgan_mnist.ipynb

which executes it in a fresh kernel (nbclient), without storing widget state (the
explorers of ``ganlab.widgets`` carry a static version for the book), and stamps the
notebook's metadata with the ganlab version, the date and the run time.
"""

from __future__ import annotations

import atexit
import base64
import dataclasses
import html
import os
import shutil
import sys
import tempfile
from pathlib import Path

import ganlab
from ganlab.errors import UsageError

QUICK_VARIABLE = "GANLAB_QUICK"
RUNS_VARIABLE = "GANLAB_RUNS_DIR"
# the setup cell's install branch, as on Colab and Kaggle (make test-hosted sets it)
HOSTED_VARIABLE = "GANLAB_HOSTED"


def quick_mode() -> bool:
    """True when ``GANLAB_QUICK`` asks for the shrunken CI run (any value but '', '0')."""
    return os.environ.get(QUICK_VARIABLE, "") not in ("", "0")


def platform_name() -> str:
    """'Colab', 'Kaggle' or 'local': where this Python process runs (detected, not assumed)."""
    if "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ:
        return "Colab"
    if "KAGGLE_KERNEL_RUN_TYPE" in os.environ:
        return "Kaggle"
    if os.environ.get(HOSTED_VARIABLE) == "1":
        return "hosted (GANLAB_HOSTED=1)"
    return "local"


# A GPU runs a chapter's minute budgets no faster, but does far more in them; the
# automatic scale doubles every budget there (an upper bound on the minutes, since the
# budgets counted in images finish sooner on a GPU).
GPU_SCALE = 2.0


@dataclasses.dataclass(frozen=True)
class Settings:
    """What a chapter needs to know about this run of it."""

    quick: bool
    scale: float
    platform: str
    gpus: tuple[str, ...]
    cpu_minutes: float | None = None
    runs_dir: Path | None = None

    def pick(self, full, quick):
        """``quick`` in quick mode, else ``full``: for sample sizes and counts that a bigger
        machine should not change."""
        return quick if self.quick else full

    def budget(self, full, quick):
        """Like ``pick``, but a full run's value is multiplied by ``scale`` (epochs, minutes).
        Integers stay integers."""
        if self.quick:
            return quick
        scaled = full * self.scale
        return max(1, round(scaled)) if isinstance(full, int) else scaled

    def epochs_for(self, images: int, dataset_size: int, quick: int) -> int:
        """Epochs that show the network about ``images`` images (times ``scale``) of a
        dataset of ``dataset_size``: a budget in images seen, so that the 60,000 digits
        of an online run take as long as the 5,000 offline ones, not twelve times longer."""
        if dataset_size <= 0:
            raise UsageError(f"dataset_size must be positive, got {dataset_size}")
        return quick if self.quick else max(1, round(images * self.scale / dataset_size))

    def describe(self) -> str:
        """One line: versions, platform, device and mode; a second with the expected
        minutes and where the runs are kept, when known."""
        import tensorflow as tf

        device = f"GPU: {', '.join(self.gpus)}" if self.gpus else f"no GPU: training on the CPU ({os.cpu_count()} cores)"
        mode = "quick mode (GANLAB_QUICK=1): shrunken run for testing" if self.quick else f"full run, scale {self.scale:g}"
        lines = [f"ganlab {ganlab.__version__} · TensorFlow {tf.__version__} · {self.platform} · {device} · {mode}"]
        if self.cpu_minutes and not self.quick:
            bound = "at most " if self.gpus else ""
            lines.append(f"this chapter takes {bound}about {self.cpu_minutes * self.scale:.0f} minutes at scale {self.scale:g}")
        if self.runs_dir is not None:
            lines.append(f"runs are kept in {self.runs_dir}")
        return "\n".join(lines)


def setup(scale: float | None = None, verbose: bool = True, runs_dir: str | Path | None = None, cpu_minutes: float | None = None) -> Settings:
    """The first call of every chapter: quiet TensorFlow, find GPUs, read quick mode.

    ``scale`` multiplies the chapter's training budgets in a full run (2 trains twice as
    long); ``None`` chooses it: 1 on a CPU, ``GPU_SCALE`` on a GPU. ``cpu_minutes`` is
    how long the chapter takes on 2 CPU cores at scale 1, for the line that says how
    long this run will take. ``runs_dir`` keeps the chapter's runs in that folder (for
    example a mounted Google Drive folder, which outlives a recycled Colab VM) instead
    of ``runs/`` next to the notebook; running the chapter again there resumes them.
    Also lets TensorFlow take GPU memory as needed (``ganlab.devices``), so a command
    started from the notebook can share the GPU. Prints what was found, and returns the
    ``Settings``.
    """
    if scale is not None and scale <= 0:
        raise UsageError(f"scale must be positive, got {scale}")
    from ganlab import devices
    from ganlab.book import stderr_filter

    stderr_filter.install()  # before TensorFlow's first import, which prints the noise
    stderr_filter.quiet_retracing_warnings()
    gpus = devices.allow_memory_growth()
    if scale is None:
        scale = GPU_SCALE if gpus else 1.0
    if runs_dir is not None:
        runs_dir = Path(runs_dir).expanduser()
        runs_dir.mkdir(parents=True, exist_ok=True)
        os.environ[RUNS_VARIABLE] = str(runs_dir)
    settings = Settings(quick=quick_mode(), scale=float(scale), platform=platform_name(), gpus=gpus,
                        cpu_minutes=cpu_minutes, runs_dir=runs_dir)
    if verbose:
        print(settings.describe())
    return settings


_quick_runs_root: Path | None = None


def run_dir(name: str) -> Path:
    """The folder for one of a chapter's training runs.

    ``$GANLAB_RUNS_DIR/name`` when set (the book runner sets a fresh one), else
    ``runs/name`` next to the notebook, so that running a chapter again resumes its runs.
    In quick mode without the variable, a fresh temporary folder: a test run must neither
    resume an earlier one nor leave files behind in the project.
    """
    global _quick_runs_root
    if not name or Path(name).name != name:
        raise UsageError(f"run name must be a plain folder name, got {name!r}")
    root = os.environ.get(RUNS_VARIABLE)
    if root:
        return Path(root) / name
    if quick_mode():
        if _quick_runs_root is None:
            _quick_runs_root = Path(tempfile.mkdtemp(prefix="ganlab-quick-runs-"))
            # removed when the kernel exits: a test run leaves nothing behind in /tmp either
            atexit.register(shutil.rmtree, _quick_runs_root, ignore_errors=True)
        return _quick_runs_root / name
    return Path("runs") / name


def _image_html(path: str | Path, alt: str, width: int | None) -> str:
    path = Path(path)
    mime = {".gif": "image/gif", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}.get(path.suffix.lower())
    if mime is None:
        raise UsageError(f"cannot show {path.name}: not a GIF, PNG or JPEG")
    encoded = base64.b64encode(path.read_bytes()).decode("ascii")
    size = f' width="{int(width)}"' if width else ""
    return f'<img src="data:{mime};base64,{encoded}" alt="{html.escape(alt)}"{size} style="image-rendering: pixelated">'


def show_image(path: str | Path, alt: str, width: int | None = None):
    """Display an image file (an animated GIF too) inside the notebook's output.

    The picture is embedded in the output itself, so the rendered book shows it without
    the file, and a GIF keeps its animation (a plain PNG output would not).
    """
    from IPython.display import HTML, display

    display(HTML(_image_html(path, alt, width)))


def show_progress(grid_folder: str | Path, alt: str, max_frames: int = 30, max_width: int = 320, width: int | None = 360):
    """Show a run's monitor grids as an animated GIF in the page: at most ``max_frames``
    evenly spaced epochs (first and last kept) at most ``max_width`` pixels wide.

    A run's own ``progress.gif`` has every epoch at full size (megabytes after 100
    epochs); this one is small enough to live inside a committed notebook.
    """
    from ganlab import viz

    frames = sorted(Path(grid_folder).glob("epoch_*.png"))
    if not frames:
        raise UsageError(f"no monitor grids in {grid_folder}")
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "progress.gif"
        viz.save_gif(viz.thin_frames(frames, max_frames), path, seconds_per_frame=0.4, max_width=max_width)
        show_image(path, alt=alt, width=width)


def markdown_table(rows: list[dict], columns: dict[str, str] | None = None) -> str:
    """A Markdown table from a list of dicts; ``columns`` maps keys to headers (and orders
    them). Floats get 3 significant digits, or thousands separators when large."""
    if not rows:
        raise UsageError("no rows to show")
    columns = columns or {key: key for key in rows[0]}
    lines = ["| " + " | ".join(columns.values()) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(table_cell(row.get(key, "")) for key in columns) + " |")
    return "\n".join(lines)


def table_cell(value) -> str:
    """One value as ``markdown_table`` shows it: floats with 3 significant digits (thousands
    separators when large), integers with thousands separators, anything else as text."""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def show_table(rows: list[dict], columns: dict[str, str] | None = None):
    """Display ``markdown_table(rows, columns)`` as a rendered table."""
    from IPython.display import Markdown, display

    display(Markdown(markdown_table(rows, columns)))


def show_source(*targets: str):
    """The source of each function or class ``targets`` name, e.g.
    ``"ganlab.gans.GAN.train_step"``, as the cell's output (see ``ganlab.book.source``)."""
    from ganlab.book import source

    return source.show_source(*targets)
