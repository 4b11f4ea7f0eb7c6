"""Figures of a run's history: losses, quality scores, the critic's signal, pixel
statistics, class histograms. Introduced in book/02_dcgan_mnist."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ganlab.errors import UsageError


def plot_losses(history: dict[str, Sequence[float]], title: str | None = None):
    """Loss curves (left) and the discriminator's accuracy on real and fake (right); for a
    WGAN, whose critic has no accuracy, its Wasserstein estimate (right).

    ``history`` maps column names (``epoch``, ``d_loss``, ``g_loss``, ``real_accuracy``,
    ``fake_accuracy``) to per-epoch values, as ``ganlab.callbacks.read_history`` returns.
    Returns the matplotlib figure. A VAE's or VAE-GAN's history (it has ``kl_loss``) goes
    to ``plot_autoencoder_losses``.
    """
    from matplotlib import pyplot as plt

    if "kl_loss" in history:
        return plot_autoencoder_losses(history, title)
    epochs = np.asarray(history.get("epoch", []), dtype=int) + 1
    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(10, 3.5))
    marker = "o" if len(epochs) <= 30 else None  # dots help short runs, clutter long ones
    for name, label in (("d_loss", "discriminator"), ("g_loss", "generator")):
        if name in history:
            loss_axes.plot(epochs, history[name], marker=marker, markersize=3, label=label)
    loss_axes.set_xlabel("epoch")
    loss_axes.set_ylabel("loss")
    loss_axes.set_title("losses")
    loss_axes.legend()
    if "real_accuracy" in history or "fake_accuracy" in history:
        for name, label in (("real_accuracy", "on real images"), ("fake_accuracy", "on generated images")):
            if name in history:
                accuracy_axes.plot(epochs, history[name], marker=marker, markersize=3, label=label)
        accuracy_axes.set_ylim(-0.02, 1.02)
        accuracy_axes.axhline(0.5, color="grey", linewidth=0.8, linestyle="--")
        accuracy_axes.set_ylabel("accuracy")
        accuracy_axes.set_title("discriminator accuracy")
    else:
        # a Wasserstein critic has no accuracy; its distance estimate is the signal to watch
        accuracy_axes.plot(epochs, history.get("wasserstein", []), marker=marker, markersize=3, label="critic's estimate")
        accuracy_axes.set_ylabel("mean real score - mean fake score")
        accuracy_axes.set_title("Wasserstein distance estimate")
    accuracy_axes.set_xlabel("epoch")
    accuracy_axes.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure

AUTOENCODER_PANELS = (
    ("the networks' losses", {"loss": "negative ELBO", "d_loss": "discriminator", "g_loss": "decoder", "e_loss": "encoder"}),
    ("loss terms", {"reconstruction_loss": "reconstruction", "kl_loss": "KL to the prior", "feature_loss": "feature reconstruction",
                    "gan_loss": "decoder's GAN loss"}),
    ("pixel error of reconstructions", {"pixel_error": "mean squared error"}),
)

def plot_autoencoder_losses(history: dict[str, Sequence[float]], title: str | None = None):
    """Per-epoch curves of a VAE's or VAE-GAN's tracked terms, one panel per group: the
    losses each network minimises, the terms they are made of, and the pixel error of
    the reconstructions (which a VAE-GAN does not minimise). Introduced in
    book/05_vae_and_vaegan. Returns the figure."""
    from matplotlib import pyplot as plt

    epochs = np.asarray(history.get("epoch", []), dtype=int) + 1
    panels = [(name, {key: label for key, label in curves.items() if key in history}) for name, curves in AUTOENCODER_PANELS]
    panels = [(name, curves) for name, curves in panels if curves]
    if not panels:
        raise UsageError(f"no autoencoder terms in this history: {sorted(history)}")
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.4), squeeze=False)
    marker = "o" if len(epochs) <= 30 else None
    for axis, (name, curves) in zip(axes[0], panels):
        for key, label in curves.items():
            axis.plot(epochs, history[key], marker=marker, markersize=3, label=label)
        axis.set_title(name)
        axis.set_xlabel("epoch")
        axis.legend(fontsize="small")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure

def plot_quality(history: dict[str, Sequence[float]], real: dict | None = None, title: str | None = None):
    """Judge scores over training from a run's history: FID (log scale), Inception Score,
    and how many of the ten digits are drawn. ``real`` (a ``score_mnist`` row for real
    digits) adds the level real data reaches as a dashed line. Returns the figure.
    """
    from matplotlib import pyplot as plt

    if "judge_fid" not in history:
        raise UsageError("the history has no judge scores: train with quality_every set")
    epochs = np.asarray(history["epoch"], dtype=int) + 1
    fid = np.asarray(history["judge_fid"], dtype=float)
    scored = ~np.isnan(fid)
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.3))
    panels = (("judge_fid", "judge FID (lower is better)"), ("judge_is", "judge IS (higher is better)"), ("coverage", "digits drawn (of 10)"))
    _history_panels(axes, epochs, history, panels, real, "real digits", rows=scored, markersize=3)
    axes[0].set_yscale("log")
    axes[2].set_ylim(0, 10.5)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure

def _history_panels(axes, epochs, history, panels, real, real_label, rows=None, markersize=3):
    """One history column per axis (``panels`` pairs a key with a title), over the epochs
    picked by ``rows`` (all by default), with the real data's value as a dashed line."""
    rows = slice(None) if rows is None else rows
    for axis, (key, label) in zip(axes, panels):
        axis.plot(epochs[rows], np.asarray(history[key], dtype=float)[rows], marker="o", markersize=markersize)
        if real and key in real:
            axis.axhline(real[key], color="grey", linestyle="--", linewidth=1, label=real_label)
            axis.legend(fontsize=8)
        axis.set_xlabel("epoch")
        axis.set_title(label)

def plot_class_histogram(histogram: Sequence[int], title: str | None = None):
    """How many generated digits the judge puts in each class, as bars. A flat profile
    means every digit is drawn about equally often; missing bars are collapsed modes.

    Introduced in book/02_dcgan_mnist. Returns the figure.
    """
    from matplotlib import pyplot as plt

    histogram = np.asarray(histogram)
    figure, axes = plt.subplots(figsize=(6, 2.8))
    axes.bar(np.arange(len(histogram)), histogram, color="tab:blue")
    axes.axhline(histogram.sum() / len(histogram), color="grey", linestyle="--", linewidth=1, label="equal share")
    axes.set_xticks(np.arange(len(histogram)))
    axes.set_xlabel("digit the judge sees")
    axes.set_ylabel("generated images")
    axes.legend(fontsize=8)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return figure

def plot_critic_signal(history: dict[str, Sequence[float]], title: str | None = None):
    """A WGAN critic's distance estimate per epoch (left axis) against the judge-FID at the
    scored epochs (right axis, log scale): if the estimate is a quality signal, the two
    fall together. Introduced in book/04_better_losses. Returns the figure."""
    from matplotlib import pyplot as plt

    if "wasserstein" not in history or "judge_fid" not in history:
        raise UsageError("needs a WGAN history with judge scores (train with quality_every)")
    epochs = np.asarray(history["epoch"], dtype=int) + 1
    fid = np.asarray(history["judge_fid"], dtype=float)
    scored = ~np.isnan(fid)
    figure, estimate_axes = plt.subplots(figsize=(6.5, 3.5))
    estimate_axes.plot(epochs, history["wasserstein"], color="tab:blue")
    estimate_axes.set_xlabel("epoch")
    estimate_axes.set_ylabel("critic's Wasserstein estimate", color="tab:blue")
    fid_axes = estimate_axes.twinx()
    fid_axes.plot(epochs[scored], fid[scored], color="tab:orange", marker="o", markersize=3)
    fid_axes.set_yscale("log")
    fid_axes.set_ylabel("judge-FID", color="tab:orange")
    if title:
        estimate_axes.set_title(title)
    figure.tight_layout()
    return figure

def plot_image_statistics(history: dict[str, Sequence[float]], real: dict | None = None, title: str | None = None):
    """The ``checkerboard`` and ``diversity`` columns of a run's history (from
    ``callbacks.ImageStatistics``) over the epochs, with the real images' values as
    dashed lines when ``real`` (a ``metrics.pixel_scores`` row) is given. Introduced in
    book/03_faces. Returns the figure."""
    from matplotlib import pyplot as plt

    if "checkerboard" not in history:
        raise UsageError("the history has no image statistics (runs on MNIST record judge scores instead)")
    epochs = np.asarray(history["epoch"], dtype=int) + 1
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.3))
    panels = (("checkerboard", "power at period 2 (checkerboard)"), ("diversity", "mean distance between samples"))
    _history_panels(axes, epochs, history, panels, real, "real images", markersize=2)
    axes[0].set_yscale("log")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
