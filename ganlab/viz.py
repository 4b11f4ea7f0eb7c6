"""Pictures: image grids, training curves and progress GIFs.

Introduced in book/02_dcgan_mnist. Grids are built as uint8 arrays (pixel-exact, fast
enough to save every epoch); curves use matplotlib.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Map images in [-1, 1] to uint8 0..255 (values outside are clipped)."""
    images = np.asarray(images, dtype=np.float32)
    return np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def image_grid(images: np.ndarray, columns: int | None = None, padding: int = 2, scale: int = 1) -> np.ndarray:
    """Tile NHWC images in [-1, 1] into one uint8 picture (H, W) or (H, W, 3).

    ``columns`` defaults to a square-ish layout; ``scale`` repeats pixels so small digits
    stay crisp when a browser shows them large. Padding is black.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must be NHWC, got shape {images.shape}")
    count, height, width, channels = images.shape
    if count == 0:
        raise ValueError("no images to tile")
    if channels not in (1, 3):
        raise ValueError(f"images need 1 or 3 channels, got {channels}")
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    pixels = to_uint8(images)
    grid = np.zeros(
        (rows * (height + padding) + padding, columns * (width + padding) + padding, channels),
        dtype=np.uint8,
    )
    for index in range(count):
        row, column = divmod(index, columns)
        top = padding + row * (height + padding)
        left = padding + column * (width + padding)
        grid[top : top + height, left : left + width] = pixels[index]
    if scale > 1:
        grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    return grid[..., 0] if channels == 1 else grid


def save_image(picture: np.ndarray, path: str | Path) -> None:
    """Write a uint8 picture (from ``image_grid``) as PNG, atomically."""
    import imageio.v3 as iio

    from ganlab import files

    with files.atomic_path(path) as partial:
        iio.imwrite(partial, picture)


def save_grid(images: np.ndarray, path: str | Path, columns: int | None = None, scale: int = 2) -> np.ndarray:
    """Tile images and write them as one PNG; returns the picture."""
    picture = image_grid(images, columns=columns, scale=scale)
    save_image(picture, path)
    return picture


def thin_frames(frames: Sequence, most: int) -> list:
    """At most ``most`` of ``frames``, evenly spaced, always keeping the first and the last."""
    frames = list(frames)
    if most < 2:
        raise ValueError(f"most must be at least 2, got {most}")
    if len(frames) <= most:
        return frames
    positions = np.linspace(0, len(frames) - 1, most).round().astype(int)
    return [frames[position] for position in sorted(set(positions))]


def save_gif(
    frame_paths: Sequence[str | Path],
    path: str | Path,
    seconds_per_frame: float = 0.3,
    hold_last: int = 5,
    max_width: int | None = None,
) -> int:
    """Assemble PNG frames (all the same size) into a looping GIF; returns the frame count.

    The last frame is held ``hold_last`` times longer so a viewer sees where training ended.
    ``max_width`` keeps every n-th pixel so the frames are at most that wide (grids are
    saved with pixels repeated, so halving them loses nothing): a smaller file for a page.
    """
    import imageio.v3 as iio

    frames = [iio.imread(Path(frame)) for frame in frame_paths]
    if not frames:
        raise ValueError("no frames for the GIF")
    if max_width and frames[0].shape[1] > max_width:
        step = math.ceil(frames[0].shape[1] / max_width)
        frames = [frame[::step, ::step] for frame in frames]
    durations = [int(seconds_per_frame * 1000)] * len(frames)
    durations[-1] *= hold_last
    # Pillow wants one number, not a list, for a single frame
    duration = durations if len(frames) > 1 else durations[0]
    iio.imwrite(Path(path), np.stack(frames), duration=duration, loop=0)
    return len(frames)


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
        raise ValueError(f"no autoencoder terms in this history: {sorted(history)}")
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


def plot_images(images: np.ndarray, title: str | None = None, columns: int | None = None, size: float = 4.0):
    """Show a grid of NHWC images in [-1, 1] as one matplotlib figure; returns it."""
    from matplotlib import pyplot as plt

    picture = image_grid(images, columns=columns)
    figure, axes = plt.subplots(figsize=(size, size * picture.shape[0] / picture.shape[1]))
    axes.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
    axes.axis("off")
    if title:
        axes.set_title(title)
    figure.tight_layout()
    return figure


def plot_grids(grid_paths: dict[str, str | Path], columns: int | None = None, size: float = 2.6):
    """Saved monitor grids side by side, each titled by its key (e.g. ``"epoch 10"``).

    Introduced in book/01_artist_and_critic: the same fixed noise at several epochs is
    the clearest picture of what training did. Returns the figure.
    """
    import imageio.v3 as iio
    from matplotlib import pyplot as plt

    if not grid_paths:
        raise ValueError("no grids to show")
    columns = columns or len(grid_paths)
    rows = math.ceil(len(grid_paths) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(size * columns, size * rows), squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    for axis, (title, path) in zip(axes.ravel(), grid_paths.items()):
        picture = iio.imread(Path(path))
        axis.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
        axis.set_title(title)
    figure.tight_layout()
    return figure


def plot_decision_surfaces(real_points: np.ndarray, snapshots: Sequence[dict], limits: tuple[float, float] = (-1.25, 1.25), columns: int | None = None):
    """One panel per snapshot of a 2-D GAN: the discriminator's P(real) as a colour map,
    the real points in grey and the generated ones in orange.

    Introduced in book/01_artist_and_critic; ``snapshots`` come from
    ``ganlab.callbacks.DecisionSurfaceSnapshots``. Returns the figure.
    """
    from matplotlib import pyplot as plt

    if not snapshots:
        raise ValueError("no snapshots to plot")
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


def plot_quality(history: dict[str, Sequence[float]], real: dict | None = None, title: str | None = None):
    """Judge scores over training from a run's history: FID (log scale), Inception Score,
    and how many of the ten digits are drawn. ``real`` (a ``score_mnist`` row for real
    digits) adds the level real data reaches as a dashed line. Returns the figure.
    """
    from matplotlib import pyplot as plt

    if "judge_fid" not in history:
        raise ValueError("the history has no judge scores: train with quality_every set")
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


def plot_critic_signal(history: dict[str, Sequence[float]], title: str | None = None):
    """A WGAN critic's distance estimate per epoch (left axis) against the judge-FID at the
    scored epochs (right axis, log scale): if the estimate is a quality signal, the two
    fall together. Introduced in book/04_better_losses. Returns the figure."""
    from matplotlib import pyplot as plt

    if "wasserstein" not in history or "judge_fid" not in history:
        raise ValueError("needs a WGAN history with judge scores (train with quality_every)")
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


def plot_pipeline_steps(path: str | Path, image_size: int = 64, crop: tuple[int, int, int, int] | None = None, channels: int = 3):
    """What ``data.ImageFolder`` does to one file, as four panels: the file, the crop box
    on it, the resized crop, and its mirror image (the flip augmentation). Introduced in
    book/03_faces. Returns the figure."""
    import imageio.v3 as iio
    from matplotlib import patches
    from matplotlib import pyplot as plt

    from ganlab import data

    original = iio.imread(Path(path))
    height, width = original.shape[:2]
    if crop is None:
        side = min(height, width)
        crop = ((width - side) // 2, (height - side) // 2, (width - side) // 2 + side, (height - side) // 2 + side)
    processed = data.decode_image_file(str(path), image_size, channels, crop).numpy()
    panels = [
        (original, f"file, {width}x{height}"),
        (original, "crop box"),
        (processed, f"cropped, resized to {image_size}x{image_size}"),
        (processed[:, ::-1], "mirrored (flip=True)"),
    ]
    figure, axes = plt.subplots(1, 4, figsize=(12, 3.4))
    for axis, (picture, title) in zip(axes, panels):
        gray = picture.ndim == 2 or picture.shape[-1] == 1
        axis.imshow(picture[..., 0] if gray and picture.ndim == 3 else picture, cmap="gray" if gray else None, vmin=0, vmax=255)
        axis.set_title(title, fontsize=10)
        axis.axis("off")
    left, top, right, bottom = crop
    axes[1].add_patch(patches.Rectangle((left, top), right - left, bottom - top, fill=False, edgecolor="yellow", linewidth=2))
    figure.tight_layout()
    return figure


def plot_image_statistics(history: dict[str, Sequence[float]], real: dict | None = None, title: str | None = None):
    """The ``checkerboard`` and ``diversity`` columns of a run's history (from
    ``callbacks.ImageStatistics``) over the epochs, with the real images' values as
    dashed lines when ``real`` (a ``metrics.pixel_scores`` row) is given. Introduced in
    book/03_faces. Returns the figure."""
    from matplotlib import pyplot as plt

    if "checkerboard" not in history:
        raise ValueError("the history has no image statistics (runs on MNIST record judge scores instead)")
    epochs = np.asarray(history["epoch"], dtype=int) + 1
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.3))
    panels = (("checkerboard", "power at period 2 (checkerboard)"), ("diversity", "mean distance between samples"))
    _history_panels(axes, epochs, history, panels, real, "real images", markersize=2)
    axes[0].set_yscale("log")
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def plot_nearest_neighbours(images: np.ndarray, references: np.ndarray, count: int = 8, size: float = 1.4):
    """Each of the first ``count`` images above its nearest reference image (by pixel
    distance, ``metrics.nearest_neighbours``), with the distance: the plain test of
    whether a generator copies its training set. Introduced in book/03_faces."""
    from matplotlib import pyplot as plt

    from ganlab import metrics

    images = np.asarray(images)[:count]
    nearest, distances = metrics.nearest_neighbours(images, references)
    figure, axes = plt.subplots(2, len(images), figsize=(size * len(images), size * 2.3), squeeze=False)
    for column, (image, index, distance) in enumerate(zip(images, nearest, distances)):
        for row, picture in enumerate((image, np.asarray(references)[index])):
            pixels = to_uint8(picture)
            axes[row, column].imshow(pixels[..., 0] if pixels.shape[-1] == 1 else pixels, cmap="gray", vmin=0, vmax=255)
            axes[row, column].axis("off")
        axes[0, column].set_title(f"{distance:.2f}", fontsize=9)
    axes[0, 0].text(-0.15, 0.5, "sample", transform=axes[0, 0].transAxes, rotation=90, va="center", ha="right")
    axes[1, 0].text(-0.15, 0.5, "nearest real", transform=axes[1, 0].transAxes, rotation=90, va="center", ha="right")
    figure.tight_layout()
    return figure


def plot_image_rows(rows: dict[str, np.ndarray], size: float = 0.9):
    """One labelled row of images per entry, in order: reconstructions under their
    originals, or one interpolation per model. Every row holds the same number of images
    (NHWC in [-1, 1]). Introduced in book/05_vae_and_vaegan. Returns the figure."""
    from matplotlib import pyplot as plt

    if not rows:
        raise ValueError("no rows to show")
    lengths = {len(images) for images in rows.values()}
    if len(lengths) != 1:
        raise ValueError(f"rows hold different numbers of images: { {label: len(images) for label, images in rows.items()} }")
    columns = lengths.pop()
    label_width = 1.6
    figure, axes = plt.subplots(
        len(rows), 1, figsize=(label_width + size * columns, size * len(rows) * 1.05), squeeze=False
    )
    for axis, (label, images) in zip(axes[:, 0], rows.items()):
        picture = image_grid(np.asarray(images), columns=columns, padding=1)
        axis.imshow(picture, cmap="gray" if picture.ndim == 2 else None, vmin=0, vmax=255, interpolation="nearest")
        axis.set_xticks([])
        axis.set_yticks([])
        for spine in axis.spines.values():
            spine.set_visible(False)
        axis.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
    figure.tight_layout()
    return figure


def plot_latent_scatter(codes: np.ndarray, labels: np.ndarray, title: str | None = None):
    """Codes in a 2-D latent space as dots coloured by class (a digit's label): where the
    encoder puts each kind of image. Introduced in book/05_vae_and_vaegan."""
    from matplotlib import pyplot as plt

    codes, labels = np.asarray(codes), np.asarray(labels)
    if codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(f"need 2-D codes of shape (N, 2), got {codes.shape}")
    if len(labels) != len(codes):
        raise ValueError(f"{len(codes)} codes but {len(labels)} labels")
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
        raise ValueError(f"need one image per point of a square 2-D grid, got {len(images)} images and grid {grid.shape}")
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
