"""Callbacks that record a run: the history, the fixed-noise grids, the saved networks."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import keras
import numpy as np

from ganlab import files, viz
from ganlab.errors import UsageError

HISTORY_COLUMNS = ("epoch", "steps", "seconds", "d_loss", "g_loss", "real_accuracy", "fake_accuracy")


def grid_path(directory: str | Path, epoch: int) -> Path:
    """Where the monitor's grid for a 0-based ``epoch`` lives (numbered from 1 on disk)."""
    return Path(directory) / f"epoch_{epoch + 1:04d}.png"


def write_atomically(path: str | Path, text: str) -> None:
    """Write text to a temporary name, then rename: a reader never sees half a file."""
    files.write_text(path, text)


def read_history(path: str | Path) -> dict[str, list[float]]:
    """Columns of a history CSV written by ``LossHistory`` (empty dict if there is none)."""
    path = Path(path)
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return {}
    columns: dict[str, list[float]] = {name: [] for name in rows[0]}
    for row in rows:
        for name, value in row.items():
            if name in ("epoch", "steps"):
                columns[name].append(int(value))
            else:  # a score measured only every few epochs is blank in between
                columns[name].append(float(value) if value != "" else float("nan"))
    return columns


class LossHistory(keras.callbacks.Callback):
    """Append each epoch's logs to a CSV, keeping one row per epoch across restarts.

    When training resumes at epoch k, rows for epochs >= k (written by a run that was
    killed before its checkpoint) are dropped before the new ones are added. Besides the
    losses, any number in the logs is kept (for example the judge scores that
    ``QualityMonitor``, placed before this callback, adds every few epochs).

    ``steps`` counts the generator's optimizer steps in the epoch (read once at each
    epoch's start and end, never per step, so that it adds no per-step hook); for a model
    without such an optimizer, the epoch's planned steps.
    """

    def __init__(self, path: str | Path):
        super().__init__()
        self.path = Path(path)
        self.rows: list[dict] = []
        self._loaded = False
        self._epoch_started = 0.0
        self._steps_before = None

    def on_epoch_begin(self, epoch, logs=None):
        if not self._loaded:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            previous = read_history(self.path)
            count = len(previous.get("epoch", []))
            self.rows = [
                {name: previous[name][index] for name in previous}
                for index in range(count)
                if previous["epoch"][index] < epoch
            ]
            self._loaded = True
        self._epoch_started = time.perf_counter()
        self._steps_before = steps_taken(self.model)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        now = steps_taken(self.model)
        steps = now - self._steps_before if now is not None else (self.params or {}).get("steps", 0)
        row = {"epoch": epoch, "steps": steps, "seconds": round(time.perf_counter() - self._epoch_started, 3)}
        for name, value in logs.items():
            if isinstance(value, (int, float, np.number)):
                row[name] = float(value)
        self.rows.append(row)
        present = {name for existing in self.rows for name in existing}
        columns = [name for name in HISTORY_COLUMNS if name in present]
        columns += sorted(present - set(HISTORY_COLUMNS))
        lines = [",".join(columns)]
        for existing in self.rows:
            lines.append(",".join(_format_cell(existing.get(name, "")) for name in columns))
        write_atomically(self.path, "\n".join(lines) + "\n")


def steps_taken(model) -> int | None:
    """Training steps a ganlab trainer has taken: its generator optimizer's iterations
    (the VAE's single optimizer's); None for a model with neither."""
    optimizer = getattr(model, "g_optimizer", None) or getattr(model, "optimizer", None)
    if optimizer is None or not hasattr(optimizer, "iterations"):
        return None
    return int(keras.ops.convert_to_numpy(optimizer.iterations))


def sampling_generator(model) -> keras.Model:
    """The generator a trainer draws with: its averaged copy when it keeps one
    (``gans.GAN(generator_average_decay=...)``), else its generator."""
    return model.sampling_generator() if hasattr(model, "sampling_generator") else model.generator


def network_to_save(model, network: str) -> keras.Model:
    """A trainer's network by attribute name; ``"generator"`` is the one it draws with."""
    return sampling_generator(model) if network == "generator" else getattr(model, network)


def _format_cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class GANMonitor(keras.callbacks.Callback):
    """Save a grid of images from the same fixed noise after every epoch.

    Because the noise never changes, the grids show one set of "individuals" improving;
    ``write_gif`` (called at the end of training) strings the grids into a GIF. For a
    conditional generator pass ``labels`` too (one per noise vector).
    """

    def __init__(
        self,
        noise: np.ndarray,
        directory: str | Path,
        columns: int | None = None,
        gif_path: str | Path | None = None,
        labels: np.ndarray | None = None,
    ):
        super().__init__()
        self.noise = np.asarray(noise, dtype="float32")
        self.labels = None if labels is None else np.asarray(labels, dtype="int32")
        if self.labels is not None and len(self.labels) != len(self.noise):
            raise UsageError(f"{len(self.noise)} noise vectors but {len(self.labels)} labels")
        self.directory = Path(directory)
        self.columns = columns
        self.gif_path = Path(gif_path) if gif_path else None

    def on_epoch_end(self, epoch, logs=None):
        self.directory.mkdir(parents=True, exist_ok=True)
        inputs = self.noise if self.labels is None else [self.noise, self.labels]
        images = sampling_generator(self.model)(inputs, training=False)
        # viz.save_image writes under a temporary name and renames
        viz.save_grid(keras.ops.convert_to_numpy(images), grid_path(self.directory, epoch), columns=self.columns)

    def on_train_end(self, logs=None):
        if self.gif_path is not None:
            self.write_gif(self.gif_path)

    def write_gif(self, path: str | Path) -> int:
        """Write every epoch's grid, in order, to a GIF; returns the number of frames."""
        frames = sorted(self.directory.glob("epoch_*.png"))
        if not frames:
            return 0
        with files.atomic_path(path) as partial:
            return viz.save_gif(frames, partial)


class SaveGenerator(keras.callbacks.Callback):
    """Keep ``generator.keras`` current after every epoch, written atomically, so sampling
    works even if the run is killed later. ``network="encoder"`` keeps an autoencoder's
    encoder the same way (book/05_vae_and_vaegan)."""

    def __init__(self, path: str | Path, network: str = "generator"):
        super().__init__()
        self.path = Path(path)
        self.network = network

    def on_epoch_end(self, epoch, logs=None):
        save_model_atomically(network_to_save(self.model, self.network), self.path)


def save_model_atomically(model: keras.Model, path: str | Path) -> None:
    """``model.save`` to a temporary ``.keras`` file, then rename over ``path``."""
    with files.atomic_path(path) as partial:
        model.save(partial)
