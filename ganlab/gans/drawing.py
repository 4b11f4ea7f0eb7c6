"""Drawing from a generator: seeded noise, class labels, and images in [-1, 1].

Introduced in book/02_dcgan_mnist; ``decode_latents`` and ``decode_class_weights`` in
book/06_latent_space."""

from __future__ import annotations

import keras
import numpy as np

from ganlab import models, sections
from ganlab.errors import UsageError

NOISE_DISTRIBUTIONS = sections.NOISE_DISTRIBUTIONS


def latent_vectors(num_vectors: int, latent_dim: int, seed: int | None = None, distribution: str = "normal") -> np.ndarray:
    """Noise vectors, reproducible from ``seed`` (numpy, not graph RNG): standard normal,
    or uniform on [-1, 1] (the DCGAN paper's noise) for a generator trained on it."""
    if distribution not in NOISE_DISTRIBUTIONS:
        raise UsageError(f"distribution must be one of {', '.join(NOISE_DISTRIBUTIONS)}, got {distribution!r}")
    rng = np.random.default_rng(seed)
    if distribution == "uniform":
        return rng.uniform(-1.0, 1.0, (num_vectors, latent_dim)).astype("float32")
    return rng.standard_normal((num_vectors, latent_dim)).astype("float32")


def class_labels(num_images: int, num_classes: int, labels=None) -> np.ndarray:
    """Labels for a conditional generator: ``labels`` as one int for all or one per image
    (checked against ``num_classes``), else 0, 1, ..., num_classes - 1, 0, 1, ..."""
    if labels is None:
        return (np.arange(num_images) % num_classes).astype("int32")
    labels = np.broadcast_to(np.asarray(labels), (num_images,)).astype("int64")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise UsageError(f"labels must be in 0..{num_classes - 1}, got {sorted(set(labels.tolist()))[:10]}")
    return labels.astype("int32")


def generate_images(generator: keras.Model, num_images: int, seed: int | None = None, batch_size: int = 256, labels=None,
                    distribution: str = "normal") -> np.ndarray:
    """Run a generator in inference mode on seeded noise from ``distribution`` (the one it
    was trained on); float32 images in [-1, 1]. Every way ganlab draws from a generator
    (a trainer's ``generate``, ``runs.sample``, the callbacks) comes through here.

    A conditional generator (inputs ``[noise, label]``) gets ``labels`` (one int, or one
    per image) or, without them, every class in turn; an unconditional one refuses labels.
    """
    if num_images < 0:
        raise UsageError(f"num_images must be zero or more, got {num_images}")
    latent_dim = models.latent_size_of(generator)
    return decode_latents(generator, latent_vectors(num_images, latent_dim, seed, distribution), batch_size, labels)


def decode_latents(generator: keras.Model, latents: np.ndarray, batch_size: int = 256, labels=None) -> np.ndarray:
    """Run a generator in inference mode on given latent vectors (one per row), e.g. the
    points of a path from ``ganlab.latent``; float32 images in [-1, 1]. Labels as in
    ``generate_images``."""
    latents = np.asarray(latents, dtype="float32")
    latent_dim = models.latent_size_of(generator)
    if latents.ndim != 2 or latents.shape[1] != latent_dim:
        raise UsageError(f"latents must have shape (N, {latent_dim}), got {latents.shape}")
    num_classes = models.num_classes_of(generator)
    if labels is not None and num_classes is None:
        raise UsageError("this generator is unconditional: it takes no labels")
    if len(latents) == 0:
        return np.zeros((0, *generator.output_shape[1:]), dtype="float32")
    inputs = [latents, class_labels(len(latents), num_classes, labels)] if num_classes else latents
    images = models.apply_in_batches(generator, inputs, batch_size)
    return np.clip(images.astype("float32"), -1.0, 1.0)


def decode_class_weights(generator: keras.Model, latents: np.ndarray, class_weights: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Run a conditional generator on latent vectors and *class weights* (one row of
    ``num_classes`` weights per image, or one row for all) through
    ``models.soft_label_generator`` (made once by a caller that draws often, such as
    ``widgets.ClassExplorer``): one-hot rows draw the classes, mixed rows blend them.
    Float32 images in [-1, 1]. Introduced in book/06_latent_space."""
    latents = np.asarray(latents, dtype="float32")
    class_weights = np.asarray(class_weights, dtype="float32")
    if class_weights.ndim == 1:
        class_weights = class_weights[None]
    if len(class_weights) == 1:
        class_weights = np.repeat(class_weights, len(latents), axis=0)
    if len(class_weights) != len(latents):
        raise UsageError(f"{len(latents)} latent vectors but {len(class_weights)} rows of class weights")
    soft = models.soft_label_generator(generator)
    return np.clip(models.apply_in_batches(soft, [latents, class_weights], batch_size), -1.0, 1.0).astype("float32")
