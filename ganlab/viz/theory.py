"""Figures that explain the game rather than show a run: decision surfaces in the plane,
the generator's loss curves, divergences between distributions, loss shapes.
Introduced in book/01_artist_and_critic and book/04_better_losses."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ganlab.errors import UsageError


def plot_decision_surfaces(real_points: np.ndarray, snapshots: Sequence[dict], limits: tuple[float, float] = (-1.25, 1.25), columns: int | None = None):
    """One panel per snapshot of a 2-D GAN: the discriminator's P(real) as a colour map,
    the real points in grey and the generated ones in orange.

    Introduced in book/01_artist_and_critic; ``snapshots`` come from
    ``ganlab.callbacks.DecisionSurfaceSnapshots``. Returns the figure.
    """
    from matplotlib import pyplot as plt

    if not snapshots:
        raise UsageError("no snapshots to plot")
    real_points = np.asarray(real_points)
    # at most four per row, rows as even as possible (six panels: two rows of three)
    columns = columns or math.ceil(len(snapshots) / math.ceil(len(snapshots) / 4))
    rows = math.ceil(len(snapshots) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 3.2 * rows), squeeze=False)
    for axis in axes.ravel()[len(snapshots):]:
        axis.axis("off")
    shown = real_points[:1000]
    for axis, snapshot in zip(axes.ravel(), snapshots):
        image = axis.imshow(
            snapshot["surface"], extent=(*limits, *limits), origin="lower", cmap="RdBu", vmin=0, vmax=1, alpha=0.75
        )
        axis.scatter(shown[:, 0], shown[:, 1], s=2, color="0.35", label="real")
        points = snapshot["points"]
        axis.scatter(points[:, 0], points[:, 1], s=2, color="tab:orange", label="generated")
        axis.set_xlim(*limits)
        axis.set_ylim(*limits)
        axis.set_aspect("equal")
        axis.set_xticks([])
        axis.set_yticks([])
        axis.set_title("before training" if snapshot["epoch"] == 0 else f"after epoch {snapshot['epoch']}")
    axes.ravel()[0].legend(loc="lower left", fontsize=8, markerscale=3)
    figure.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="discriminator: P(real)")
    return figure

def _loss_curve(loss, values) -> list[float]:
    """A generator loss evaluated at each discriminator output in ``values``, one at a time."""
    return [float(loss(np.array([value], dtype="float32"))) for value in values]

def plot_generator_losses():
    """The two generator losses as functions of D(G(z)): the minimax log(1 - D) is flat
    where the generator is worst (D near 0), the non-saturating -log D is steep there.

    Introduced in book/01_artist_and_critic. The curves are computed by
    ``ganlab.losses`` from logits, so the plot shows the code the book trains with.
    """
    from matplotlib import pyplot as plt

    from ganlab import losses

    probabilities = np.linspace(0.005, 0.995, 199)
    logits = np.log(probabilities / (1 - probabilities))
    curves = {
        "minimax: log(1 - D(G(z)))": _loss_curve(losses.minimax_generator_loss, logits),
        "non-saturating: -log D(G(z))": _loss_curve(losses.nonsaturating_generator_loss, logits),
    }
    figure, axes = plt.subplots(figsize=(6, 3.6))
    for label, values in curves.items():
        axes.plot(probabilities, values, label=label)
    axes.axvspan(0, 0.1, color="0.9")
    axes.text(0.012, 0.05, "early training:\nD spots every fake", transform=axes.transAxes, fontsize=8, va="bottom")
    axes.set_xlabel("D(G(z)): the discriminator's belief that a fake is real")
    axes.set_ylabel("generator loss")
    axes.legend()
    figure.tight_layout()
    return figure

def plot_divergences(shifts: Sequence[float] | None = None, spread: float = 0.05, samples: int = 20_000, seed: int = 0):
    """Jensen-Shannon divergence and Wasserstein-1 distance between a narrow Gaussian at 0
    and the same Gaussian shifted by each of ``shifts``, measured on samples by
    ``ganlab.metrics``. Once the two stop overlapping, JS is stuck at log 2 (no gradient
    says "come closer"), while the Wasserstein distance keeps growing with the gap.

    Introduced in book/04_better_losses. Returns the figure.
    """
    from matplotlib import pyplot as plt

    from ganlab import metrics

    shifts = np.linspace(0, 1, 41) if shifts is None else np.asarray(shifts, dtype=float)
    random = np.random.default_rng(seed)
    real = random.normal(0.0, spread, samples)
    bins = np.linspace(-0.5, 1.5, 401)
    real_histogram = np.histogram(real, bins)[0]
    js, wasserstein = [], []
    for shift in shifts:
        generated = random.normal(shift, spread, samples)
        js.append(metrics.jensen_shannon_divergence(real_histogram, np.histogram(generated, bins)[0]))
        wasserstein.append(metrics.wasserstein_1d(real, generated))
    figure, axes = plt.subplots(figsize=(6.5, 3.5))
    axes.plot(shifts, js, label="Jensen-Shannon divergence")
    axes.plot(shifts, wasserstein, label="Wasserstein-1 distance")
    axes.axhline(np.log(2), color="grey", linestyle="--", linewidth=1)
    axes.text(shifts[-1], np.log(2) + 0.02, "log 2", ha="right", va="bottom", fontsize=8)
    axes.set_xlabel("distance between the generated and the real distribution")
    axes.set_ylabel("value")
    axes.legend()
    figure.tight_layout()
    return figure

def plot_loss_shapes():
    """What each generator loss asks of the discriminator's output. Left: the cross-entropy
    losses against D = sigmoid(logit). Right: the least-squares loss (s - 1)^2 / 2 and the
    Wasserstein loss -s against a raw score s. Computed by ``ganlab.losses``.

    Introduced in book/04_better_losses. Returns the figure.
    """
    from matplotlib import pyplot as plt

    from ganlab import losses

    curve = _loss_curve
    probabilities = np.linspace(0.005, 0.995, 199)
    logits = np.log(probabilities / (1 - probabilities))
    scores = np.linspace(-2.0, 2.0, 161)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.4))
    left.plot(probabilities, curve(losses.minimax_generator_loss, logits), label="minimax log(1 - D)")
    left.plot(probabilities, curve(losses.nonsaturating_generator_loss, logits), label="non-saturating -log D")
    left.set_xlabel("D(G(z))")
    left.set_title("cross-entropy GAN")
    right.plot(scores, curve(losses.least_squares_generator_loss, scores), label="least squares (s - 1)^2 / 2")
    right.plot(scores, curve(losses.wasserstein_generator_loss, scores), label="Wasserstein -s")
    right.set_xlabel("critic score s of a generated image")
    right.set_title("LSGAN and WGAN")
    for axes in (left, right):
        axes.set_ylabel("generator loss")
        axes.legend(fontsize=8)
    figure.tight_layout()
    return figure
