"""Callbacks that measure the generator during a run, adding scores to each epoch's logs
(placed before the records, so that the history keeps them)."""

from __future__ import annotations

import keras
import numpy as np

from ganlab.errors import UsageError


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
            raise UsageError(f"every must be positive, got {every}")
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
            raise UsageError(f"sample_size must be at least 2, got {sample_size}")
        self.sample_size, self.seed = sample_size, seed

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        from ganlab import metrics

        images = self.model.generate(self.sample_size, seed=self.seed)
        logs.update(checkerboard=metrics.checkerboard_energy(images), diversity=metrics.mean_pairwise_distance(images))


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
            raise UsageError(f"epochs must be zero or more, got {epochs}")
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
