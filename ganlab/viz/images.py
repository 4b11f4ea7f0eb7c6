"""Pictures of images: grids, PNG and GIF files, and the figures that show images
(samples, a pipeline's steps, nearest neighbours, rows of examples). Introduced in
book/02_dcgan_mnist."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ganlab.errors import UsageError


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
        raise UsageError(f"images must be NHWC, got shape {images.shape}")
    count, height, width, channels = images.shape
    if count == 0:
        raise UsageError("no images to tile")
    if channels not in (1, 3):
        raise UsageError(f"images need 1 or 3 channels, got {channels}")
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
        raise UsageError(f"most must be at least 2, got {most}")
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
        raise UsageError("no frames for the GIF")
    if max_width and frames[0].shape[1] > max_width:
        step = math.ceil(frames[0].shape[1] / max_width)
        frames = [frame[::step, ::step] for frame in frames]
    durations = [int(seconds_per_frame * 1000)] * len(frames)
    durations[-1] *= hold_last
    # Pillow wants one number, not a list, for a single frame
    duration = durations if len(frames) > 1 else durations[0]
    iio.imwrite(Path(path), np.stack(frames), duration=duration, loop=0)
    return len(frames)

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
        raise UsageError("no grids to show")
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
        raise UsageError("no rows to show")
    lengths = {len(images) for images in rows.values()}
    if len(lengths) != 1:
        raise UsageError(f"rows hold different numbers of images: { {label: len(images) for label, images in rows.items()} }")
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
