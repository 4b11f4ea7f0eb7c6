"""Pictures: image grids, training curves and progress GIFs.

Introduced in book/02_dcgan_mnist. Grids are built as uint8 arrays (pixel-exact, fast
enough to save every epoch); curves use matplotlib.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

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
    """Write a uint8 picture (from ``image_grid``) as PNG."""
    import imageio.v3 as iio

    iio.imwrite(Path(path), picture)


def save_grid(images: np.ndarray, path: str | Path, columns: int | None = None, scale: int = 2) -> np.ndarray:
    """Tile images and write them as one PNG; returns the picture."""
    picture = image_grid(images, columns=columns, scale=scale)
    save_image(picture, path)
    return picture


def save_gif(frame_paths: Sequence[str | Path], path: str | Path, seconds_per_frame: float = 0.3, hold_last: int = 5) -> int:
    """Assemble PNG frames (all the same size) into a looping GIF; returns the frame count.

    The last frame is held ``hold_last`` times longer so a viewer sees where training ended.
    """
    import imageio.v3 as iio

    frames = [iio.imread(Path(frame)) for frame in frame_paths]
    if not frames:
        raise ValueError("no frames for the GIF")
    durations = [int(seconds_per_frame * 1000)] * len(frames)
    durations[-1] *= hold_last
    # Pillow wants one number, not a list, for a single frame
    duration = durations if len(frames) > 1 else durations[0]
    iio.imwrite(Path(path), np.stack(frames), duration=duration, loop=0)
    return len(frames)


def plot_losses(history: dict[str, Sequence[float]], title: str | None = None):
    """Loss curves (left) and the discriminator's accuracy on real and fake (right).

    ``history`` maps column names (``epoch``, ``d_loss``, ``g_loss``, ``real_accuracy``,
    ``fake_accuracy``) to per-epoch values, as ``ganlab.callbacks.read_history`` returns.
    Returns the matplotlib figure.
    """
    from matplotlib import pyplot as plt

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
    for name, label in (("real_accuracy", "on real images"), ("fake_accuracy", "on generated images")):
        if name in history:
            accuracy_axes.plot(epochs, history[name], marker=marker, markersize=3, label=label)
    accuracy_axes.set_ylim(-0.02, 1.02)
    accuracy_axes.axhline(0.5, color="grey", linewidth=0.8, linestyle="--")
    accuracy_axes.set_xlabel("epoch")
    accuracy_axes.set_ylabel("accuracy")
    accuracy_axes.set_title("discriminator accuracy")
    accuracy_axes.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure
