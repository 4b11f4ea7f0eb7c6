"""Callbacks that guard a run: its time budget, divergence, the checkpoint that refuses to
train over damage, and the learning-rate scale of a restored run."""

from __future__ import annotations

import math
import time
from pathlib import Path

import keras
import numpy as np

from ganlab.errors import UsageError


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
            raise UsageError(f"minutes must be positive, got {minutes}")
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
            raise UsageError(unreadable_checkpoint_message(self.directory, error, self.written_by, self.running)) from error


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
