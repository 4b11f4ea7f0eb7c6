"""Figures of a latent space: codes, decoded manifolds, path lengths, class transitions.
Introduced in book/05_vae_and_vaegan and book/06_latent_space."""

from __future__ import annotations

import math

import numpy as np

from ganlab.errors import UsageError
from ganlab.viz.images import image_grid


def plot_latent_scatter(codes: np.ndarray, labels: np.ndarray, title: str | None = None):
    """Codes in a 2-D latent space as dots coloured by class (a digit's label): where the
    encoder puts each kind of image. Introduced in book/05_vae_and_vaegan."""
    from matplotlib import pyplot as plt

    codes, labels = np.asarray(codes), np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise UsageError(f"need 2-D codes of shape (N, 2), got {codes.shape}")
    if len(labels) != len(codes):
        raise UsageError(f"{len(codes)} codes but {len(labels)} labels")
    figure, axes = plt.subplots(figsize=(5.2, 4.6))
    colours = plt.get_cmap("tab10")
    for label in np.unique(labels):
        chosen = labels == label
        axes.scatter(codes[chosen, 0], codes[chosen, 1], s=5, alpha=0.6, color=colours(int(label) % 10), label=str(label))
    axes.set_xlabel("$z_1$")
    axes.set_ylabel("$z_2$")
    axes.legend(markerscale=3, fontsize="small", loc="center left", bbox_to_anchor=(1.0, 0.5), title="digit")
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return figure

def plot_latent_manifold(images: np.ndarray, grid: np.ndarray, size: float = 5.0):
    """Images decoded from a square grid of 2-D latent points (``vae.latent_grid``), laid
    out where their points lie, with the latent coordinates on the axes. Introduced in
    book/05_vae_and_vaegan."""
    from matplotlib import pyplot as plt

    images, grid = np.asarray(images), np.asarray(grid)
    side = math.isqrt(len(grid))
    if side * side != len(grid) or len(images) != len(grid) or grid.shape[1:] != (2,):
        raise UsageError(f"need one image per point of a square 2-D grid, got {len(images)} images and grid {grid.shape}")
    picture = image_grid(images, columns=side, padding=0)
    figure, axes = plt.subplots(figsize=(size, size))
    axes.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
    cell = picture.shape[1] / side
    ticks = np.arange(side) * cell + cell / 2
    step = max(1, side // 5)
    axes.set_xticks(ticks[::step], [f"{value:.1f}" for value in grid[:side, 0][::step]])
    axes.set_yticks(ticks[::step], [f"{value:.1f}" for value in grid[::side, 1][::step]])
    axes.set_xlabel("$z_1$")
    axes.set_ylabel("$z_2$")
    figure.tight_layout()
    return figure

def plot_path_lengths(latent_dim: int = 100, num_pairs: int = 200, steps: int = 21, seed: int = 0):
    """The length of the codes along ``lerp`` and ``slerp`` paths between ``num_pairs``
    pairs of N(0, I) draws (mean and 5-95% band), with the band where 90% of prior draws'
    lengths lie (``latent.path_lengths``): the straight line dips far below it in the
    middle, the arc stays inside. Introduced in book/06_latent_space. Returns the figure."""
    from matplotlib import pyplot as plt

    from ganlab import latent

    lengths = latent.path_lengths(latent_dim, num_pairs, steps, seed)
    figure, axis = plt.subplots(figsize=(6.4, 3.6))
    axis.axhspan(*lengths["prior_band"], color="0.85", label="90% of prior draws")
    for method, colour in (("lerp", "tab:red"), ("slerp", "tab:blue")):
        axis.plot(lengths["positions"], lengths[method]["mean"], color=colour, label=method)
        axis.fill_between(lengths["positions"], *lengths[method]["band"], color=colour, alpha=0.2)
    axis.set_xlabel("position on the path")
    axis.set_ylabel("length of the code |z|")
    axis.set_title(f"{num_pairs} paths between draws from N(0, I) in {latent_dim} dimensions")
    axis.legend(loc="lower left")
    figure.tight_layout()
    return figure

def plot_class_transition(transition: dict, start_class: int, end_class: int, title: str | None = None):
    """The judge's view of a class interpolation (``experiments.class_transition``): the mean
    probability of each end's class, the share of images called each and the judge's
    confidence, against the position of the class weights. Introduced in book/06_latent_space. Returns the figure."""
    from matplotlib import pyplot as plt

    positions = np.asarray(transition["positions"])
    figure, axis = plt.subplots(figsize=(6.4, 3.6))
    for which, digit, colour in (("start", start_class, "tab:blue"), ("end", end_class, "tab:orange")):
        axis.plot(positions, transition[f"{which}_probability"], color=colour, marker="o", markersize=3, label=f"mean probability of {digit}")
        axis.plot(positions, transition[f"{which}_share"], color=colour, linestyle="--", label=f"share called {digit}")
    if "confidence" in transition:
        axis.plot(positions, transition["confidence"], color="0.4", linestyle=":", label="confidence (mean top probability)")
    axis.set_xlabel(f"weight of class {end_class} (the rest on {start_class})")
    axis.set_ylim(-0.02, 1.02)
    axis.set_title(title or f"The judge's verdicts from {start_class} to {end_class}")
    axis.legend(fontsize=8, loc="center left")
    figure.tight_layout()
    return figure
