"""Digits: MNIST, downloaded by Keras or the 5,000 real digits that ship inside ganlab,
and the ring of Gaussians of book/01_artist_and_critic.

Introduced in book/02_dcgan_mnist. Readers with internet get the full MNIST training set
through ``keras.datasets.mnist``. Offline (CI, tests, air-gapped laptops) ganlab falls back
to its 5,000 embedded digits (``ganlab/assets/mnist_5000.npz``, beside a note of their
source and licence), and says so in every run's output: no synthetic stand-ins.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ganlab.data.pipeline import scale_to_unit_range
from ganlab.errors import UsageError

EMBEDDED_DIGITS = Path(__file__).resolve().parents[1] / "assets" / "mnist_5000.npz"

SOURCES = ("auto", "keras", "embedded")


class ImageData(NamedTuple):
    """Images scaled to [-1, 1] in NHWC float32, integer labels, and where they came from."""

    images: np.ndarray
    labels: np.ndarray
    source: str


def offline_requested() -> bool:
    """True when ``GANLAB_OFFLINE`` asks for embedded data only (any value but '', '0')."""
    return os.environ.get("GANLAB_OFFLINE", "") not in ("", "0")


def _mnist_from_keras() -> tuple[np.ndarray, np.ndarray]:
    import keras

    (train_images, train_labels), _ = keras.datasets.mnist.load_data()
    return train_images, train_labels


@functools.lru_cache(maxsize=1)
def load_embedded_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 real MNIST digits that ship inside ganlab: uint8 pixels (5000, 28, 28)
    and their labels, 500 of each class (``embedded_digits_note`` says where they come
    from). Read once per process; the arrays are shared, so they are read-only."""
    with np.load(EMBEDDED_DIGITS) as saved:
        images, labels = saved["images"], saved["labels"].astype(np.int64)
    for array in (images, labels):
        array.flags.writeable = False
    return images, labels


def embedded_digits_note() -> dict:
    """Where the embedded digits come from and their licence (``mnist_5000.json``)."""
    return json.loads(EMBEDDED_DIGITS.with_suffix(".json").read_text())


def load_mnist(source: str = "auto", verbose: bool = True) -> ImageData:
    """MNIST training digits as (N, 28, 28, 1) float32 in [-1, 1], with labels.

    ``source``: ``"keras"`` (the full 60,000, downloaded once by Keras), ``"embedded"``
    (the 5,000 real digits that ship inside ganlab, 500 per class, no network:
    ``load_embedded_digits``) or ``"auto"`` (keras, falling back to embedded;
    ``GANLAB_OFFLINE=1`` makes it embedded). A one-line notice says which source was used;
    falling back to the embedded digits is announced even when ``verbose`` is False, so
    that nobody who asked for 60,000 digits trains on 5,000 without a word.
    """
    if source not in SOURCES:
        raise UsageError(f"unknown MNIST source {source!r}; choose from {list(SOURCES)}")
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
        pixels, labels = load_embedded_digits()
        notice = f"ganlab: MNIST from the {len(pixels):,} real digits embedded in ganlab, not the full 60,000"
        if fall_back and "reason" in locals():
            notice += f" ({reason})"
        elif offline_requested():
            notice += " (GANLAB_OFFLINE=1)"
    if verbose or (fall_back and source == "embedded"):  # a fallback is said even when quiet
        print(notice)
    images = scale_to_unit_range(pixels)[..., np.newaxis]
    return ImageData(images, np.asarray(labels, dtype=np.int64), source)


def load_dataset(name: str, source: str = "auto", verbose: bool = True) -> ImageData:
    """Load a labelled array dataset by the name a config uses (``"mnist"``); image
    folders go through ``load_images``."""
    loaders = {"mnist": load_mnist}
    if name not in loaders:
        raise UsageError(f"unknown dataset {name!r}; choose from {sorted(loaders)}")
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
        raise UsageError(f"num_points and modes must be positive, got {num_points} and {modes}")
    if spread < 0:
        raise UsageError(f"spread must be zero or more, got {spread}")
    random = np.random.default_rng(seed)
    mode_index = random.integers(0, modes, size=num_points)
    angles = 2 * np.pi * mode_index / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return (centres + spread * random.standard_normal((num_points, 2))).astype(np.float32)
