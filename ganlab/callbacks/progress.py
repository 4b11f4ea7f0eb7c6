"""How a run shows its progress: Keras' bar, or a line every few epochs."""

from __future__ import annotations

import time

import keras

from ganlab.errors import UsageError


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
            raise UsageError(f"every must be positive, got {every}")
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
