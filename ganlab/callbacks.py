"""Keras callbacks for GAN runs: a monitor of fixed samples, a loss history that survives
restarts, a wall-clock budget, an always-current saved generator, and the guards of a
dependable run (a divergence guard, a checkpoint that refuses to train over damage).

Introduced in book/02_dcgan_mnist. Checkpointing is Keras' ``BackupAndRestore`` (in
``Checkpoint``); the callbacks here are written so that a resumed run, even one killed
mid-epoch, records every epoch exactly once.
"""

from __future__ import annotations

import csv
import math
import time
from pathlib import Path

import keras
import numpy as np

from ganlab import files, viz

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
            raise ValueError(f"{len(self.noise)} noise vectors but {len(self.labels)} labels")
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


class QualityMonitor(keras.callbacks.Callback):
    """Every ``every`` epochs, score ``sample_size`` images from the generator with the MNIST
    judge and add ``judge_fid``, ``judge_is`` and ``coverage`` to the epoch's logs.

    Place it before ``LossHistory`` so the scores land in the history next to the losses:
    then the training curves show quality, not only loss. The noise is seeded, so every
    scoring uses the same latent vectors.
    """

    def __init__(self, every: int = 5, sample_size: int = 1000, seed: int = 0):
        super().__init__()
        if every <= 0:
            raise ValueError(f"every must be positive, got {every}")
        self.every, self.sample_size, self.seed = every, sample_size, seed

    def on_epoch_end(self, epoch, logs=None):
        if logs is None or (epoch + 1) % self.every:
            return
        from ganlab import judge

        images = self.model.generate(self.sample_size, seed=self.seed)  # the trainer's one way to draw
        scores = judge.score_mnist(images, sample_size=self.sample_size, include_real=False, include_kid=False)["generated"]
        logs.update(judge_fid=scores["judge_fid"], judge_is=scores["judge_is"], coverage=float(scores["coverage"]))


class ImageStatistics(keras.callbacks.Callback):
    """After every epoch, add two pixel statistics of ``sample_size`` seeded samples to the
    logs: ``checkerboard`` (``metrics.checkerboard_energy``) and ``diversity``
    (``metrics.mean_pairwise_distance``). Introduced in book/03_faces, where no judge
    exists: they track the two classic failures, checkerboard artefacts and collapse.
    Place it before ``LossHistory``, like ``QualityMonitor``.
    """

    def __init__(self, sample_size: int = 64, seed: int = 0):
        super().__init__()
        if sample_size < 2:
            raise ValueError(f"sample_size must be at least 2, got {sample_size}")
        self.sample_size, self.seed = sample_size, seed

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        from ganlab import metrics

        images = self.model.generate(self.sample_size, seed=self.seed)
        logs.update(checkerboard=metrics.checkerboard_energy(images), diversity=metrics.mean_pairwise_distance(images))


class TimeLimit(keras.callbacks.Callback):
    """Stop training cleanly once ``minutes`` of training time have passed.

    The clock starts when the first call into the compiled step returns, so tracing and
    XLA compilation are not charged to the budget (trainers that compile slowly get the
    same minutes of training as the others). The check runs after every call into the
    compiled graph, so a long epoch is cut short rather than overrunning the budget; the
    epoch's end callbacks (history, grid, checkpoint) still run. It reads only the clock,
    so it declares itself safe for Keras' asynchronous dispatch (used on backends Keras
    marks thread-safe; its TensorFlow backend calls every hook on the training thread).
    """

    async_safe = True

    def __init__(self, minutes: float):
        super().__init__()
        if minutes <= 0:
            raise ValueError(f"minutes must be positive, got {minutes}")
        self.seconds = minutes * 60.0
        self.started = None
        self.stopped = False

    def on_train_begin(self, logs=None):
        self.started = None
        self.stopped = False

    def on_train_batch_end(self, batch, logs=None):
        if self.started is None:  # the first call, compilation included, has returned
            self.started = time.perf_counter()
            return
        if time.perf_counter() - self.started >= self.seconds:
            self.stopped = True
            self.model.stop_training = True


class ProgressBar(keras.callbacks.ProgbarLogger):
    """Keras' progress bar, declared safe for asynchronous dispatch: where Keras dispatches
    callbacks asynchronously (backends it marks thread-safe, not TensorFlow's), it updates
    the bar from its callback thread and the training loop does not wait for it. The bar
    that ``fit(verbose=1)`` adds is not declared so, and one per-step hook that is not
    turns asynchronous dispatch off for the whole run.
    ``verbose``: 1 for the bar, 2 for one line per epoch."""

    async_safe = True

    def __init__(self, verbose=1):
        super().__init__()
        self.level = 1 if verbose == "auto" else verbose

    def set_params(self, params):
        super().set_params({**params, "verbose": self.level})


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


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes}:{seconds:02d}"


class EpochProgress(keras.callbacks.Callback):
    """A one-line report every ``every`` epochs: losses, accuracies, time spent and left.

    Introduced in book/02_dcgan_mnist. Keras' own progress bar prints a block per epoch,
    which buries a 100-epoch run's results in a notebook; this prints about ten lines
    (``every=None`` picks the interval) and estimates the time left from this session's
    epochs.
    """

    REPORTED = (
        ("loss", "loss"), ("reconstruction_loss", "reconstruction"), ("d_loss", "d_loss"), ("g_loss", "g_loss"),
        ("feature_loss", "feature"), ("kl_loss", "KL"), ("real_accuracy", "acc real"), ("fake_accuracy", "acc fake"),
    )

    def __init__(self, every: int | None = None, lines: int = 10):
        super().__init__()
        if every is not None and every <= 0:
            raise ValueError(f"every must be positive, got {every}")
        self.every, self.lines = every, lines
        self.first_epoch = None
        self.started = None

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()
        self.first_epoch = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.first_epoch is None:
            self.first_epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        total = self.params.get("epochs", epoch + 1)
        every = self.every or max(1, (total - self.first_epoch) // self.lines)
        done_here = epoch + 1 - self.first_epoch
        if (epoch + 1) % every and epoch + 1 != total and done_here != 1:
            return
        elapsed = time.perf_counter() - self.started
        left = elapsed / done_here * (total - epoch - 1)
        values = [f"{label} {logs[key]:.3f}" for key, label in self.REPORTED if logs and key in logs]
        parts = [f"epoch {epoch + 1}/{total}", *values, f"{_clock(elapsed)} elapsed, ~{_clock(left)} left"]
        print(" · ".join(parts), flush=True)


class DecisionSurfaceSnapshots(keras.callbacks.Callback):
    """For a GAN on 2-D points: at chosen epochs, keep the generated points (from fixed
    noise) and the discriminator's probability of "real" over a grid of the plane.

    Introduced in book/01_artist_and_critic, where ``ganlab.viz.plot_decision_surfaces``
    draws them. Epoch 0 means before training. Each snapshot is a dict with ``epoch``,
    ``points`` (N, 2) and ``surface`` (resolution, resolution), rows running along y.
    """

    def __init__(self, epochs, noise: np.ndarray, limits: tuple[float, float] = (-1.25, 1.25), resolution: int = 80):
        super().__init__()
        self.epochs = sorted(set(int(epoch) for epoch in epochs))
        if not self.epochs or self.epochs[0] < 0:
            raise ValueError(f"epochs must be zero or more, got {epochs}")
        self.noise = np.asarray(noise, dtype="float32")
        self.limits, self.resolution = limits, resolution
        self.snapshots: list[dict] = []

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """The x (and y) coordinates of the grid, and its points as (resolution**2, 2)."""
        axis = np.linspace(*self.limits, self.resolution, dtype="float32")
        x_grid, y_grid = np.meshgrid(axis, axis)
        return axis, np.stack([x_grid.ravel(), y_grid.ravel()], axis=1)

    def take(self, epoch: int) -> dict:
        """Record and return the snapshot of the current networks, labelled ``epoch``."""
        _, grid_points = self.grid()
        from ganlab.models import apply_in_batches

        points = apply_in_batches(self.model.generator, self.noise, batch_size=4096)
        logits = apply_in_batches(self.model.discriminator, grid_points, batch_size=8192)
        surface = (1.0 / (1.0 + np.exp(-logits))).reshape(self.resolution, self.resolution)
        snapshot = {"epoch": epoch, "points": points, "surface": surface}
        self.snapshots.append(snapshot)
        return snapshot

    def on_train_begin(self, logs=None):
        if 0 in self.epochs and not any(snapshot["epoch"] == 0 for snapshot in self.snapshots):
            self.take(0)

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 in self.epochs:
            self.take(epoch + 1)


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite. ``epoch`` (0-based) is the epoch it happened in."""

    def __init__(self, epoch: int, name: str, value: float):
        self.epoch, self.name, self.value = epoch, name, value
        super().__init__(f"{name} became {value} in epoch {epoch + 1}")


class DivergenceGuard(keras.callbacks.Callback):
    """Stop at the end of an epoch whose logged losses or metrics are NaN or infinite.

    The epoch's logs are the means that the trainers track in the compiled step, and a
    single NaN or infinite step makes its epoch's mean NaN or infinite: the check needs
    no per-step callback, which would make Keras pull every step's logs to the host.
    Place it first. It raises ``TrainingDiverged`` rather than setting
    ``stop_training``: Keras would still run the epoch's end callbacks, which would record
    a NaN row in the history, draw a grid of NaN images and overwrite the last good
    checkpoint and generator with broken weights. Raising skips all of them, so everything
    on disk stays as it was at the end of the last good epoch."""

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            if not isinstance(value, (int, float, np.number)):
                continue
            number = float(value)
            if not math.isfinite(number):
                raise TrainingDiverged(epoch, name, number)


class ScaleLearningRates(keras.callbacks.Callback):
    """Set each optimizer's learning rate to its recipe value times ``scale`` when training
    begins, after the checkpoint is restored (so place it after ``Checkpoint``). A
    run that diverged and was restarted with a lower rate keeps that rate when resumed."""

    def __init__(self, rates: list[tuple[object, float]], scale: float):
        super().__init__()
        self.rates, self.scale = rates, scale

    def on_train_begin(self, logs=None):
        for optimizer, rate in self.rates:
            optimizer.learning_rate.assign(rate * self.scale)


class Checkpoint(keras.callbacks.BackupAndRestore):
    """Keras' ``BackupAndRestore`` (every epoch, two copies) with a clear error when
    neither copy can be read: a damaged checkpoint must stop the run with a message, not
    a traceback from deep inside h5py, and must never be trained over silently.

    ``written_by`` (the library versions that wrote the checkpoint, from the run's
    ``run_info.json``) and ``running`` (today's) tell a checkpoint from another ganlab,
    Keras or TensorFlow version apart from a damaged one; both messages keep the cause.
    """

    # It saves once per epoch, so Keras' per-step hook has nothing to do: declaring it
    # safe keeps it from turning Keras' asynchronous dispatch off where Keras offers it.
    async_safe = True

    def __init__(self, directory: str | Path, written_by: dict | None = None, running: dict | None = None):
        super().__init__(str(directory), delete_checkpoint=False, double_checkpoint=True)
        self.directory = Path(directory)
        self.written_by, self.running = written_by or {}, running or {}

    def on_train_begin(self, logs=None):
        try:
            super().on_train_begin(logs)
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(unreadable_checkpoint_message(self.directory, error, self.written_by, self.running)) from error


def unreadable_checkpoint_message(directory: Path, error: Exception, written_by: dict, running: dict) -> str:
    """Why a checkpoint could not be restored, in one line: another library version
    wrote it (naming both), or it is damaged; with the underlying error either way."""
    cause = f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0][:300]}"
    changed = [f"{name} {written_by[name]} -> {running[name]}" for name in sorted(written_by)
               if name in running and written_by[name] != running[name]]
    if changed:
        return (f"the checkpoint in {directory} was written by other library versions ({', '.join(changed)}) and "
                f"cannot be read by these ({cause}). Resume it with the versions that wrote it, or train into a new folder")
    return (f"the checkpoint in {directory} cannot be read ({cause}); both of its copies are damaged. "
            "Move the run folder away (or train into another one) to start the run again")
