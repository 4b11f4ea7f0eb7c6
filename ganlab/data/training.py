"""The images a recipe trains on, whatever its dataset: digits in memory, the offline
faces, CelebA or any folder, each as ``pipeline.TrainingImages``. Introduced in
book/02_dcgan_mnist (digits) and book/03_faces (folders)."""

from __future__ import annotations

import numpy as np

from ganlab.data.digits import load_mnist
from ganlab.data.faces import CELEBA_IMAGE_FOLDER, LFW_FACES, find_celeba, load_celeba, load_lfw_faces
from ganlab.data.folders import list_image_files, load_image_folder
from ganlab.data.pipeline import ImageArray, TrainingImages, seeded_subset
from ganlab.errors import UsageError


def check_image_source(config) -> None:
    """Fail fast, before TensorFlow starts, when a config's image folder cannot be used:
    a ``data_dir`` that holds no CelebA (``celeba``) or no images (``folder``)."""
    if config.dataset == "celeba" and config.data_dir and find_celeba(config.data_dir) is None:
        raise UsageError(f"no CelebA images under {config.data_dir} (expected {CELEBA_IMAGE_FOLDER}/ with .jpg files)")
    if config.dataset == "folder":
        list_image_files(config.data_dir)


def load_images(config, source: str = "auto", verbose: bool = True) -> TrainingImages:
    """The image pipeline a config's ``dataset`` names (``celeba``, ``lfw`` or ``folder``),
    at its image size, channels, flips and ``max_images``. ``source="embedded"`` asks
    CelebA for the offline faces; otherwise a missing CelebA is ``CelebANotFound``."""
    size, _, channels = config.image_shape
    if config.dataset == "lfw" or (config.dataset == "celeba" and source == "embedded"):
        if config.max_images is not None and config.max_images < LFW_FACES:
            raise UsageError(f"the offline faces are only {LFW_FACES}; max_images is for CelebA and folders")
        images = load_lfw_faces(size, channels, flip=config.flip, verbose=verbose)
    elif config.dataset == "celeba":
        # a training run never silently swaps CelebA for the 100 offline faces: it asks
        # for them with source="embedded" (or GANLAB_OFFLINE=1)
        images = load_celeba(
            config.data_dir, size, channels, flip=config.flip, max_images=config.max_images, seed=config.seed,
            verbose=verbose, fallback=False,
        )
    elif config.dataset == "folder":
        images = load_image_folder(
            config.data_dir, size, channels, flip=config.flip, max_images=config.max_images, seed=config.seed
        )
    else:
        raise UsageError(f"{config.dataset!r} is not an image-folder dataset")
    if verbose and images.source != "lfw-subset":
        print(f"ganlab: {images.describe()}")
    return images


def load_training_data(config, source: str = "auto", verbose: bool = True) -> TrainingImages:
    """The images a recipe trains on, as ``TrainingImages`` whatever the dataset: MNIST as
    an ``ImageArray`` (with labels for a conditional recipe, a seeded subset for
    ``max_images``), image folders through ``load_images``."""
    if config.dataset != "mnist":
        return load_images(config, source=source, verbose=verbose)
    digits = load_mnist(source=source, verbose=verbose)
    chosen = np.arange(len(digits.images)) if config.max_images is None else seeded_subset(len(digits.images), config.max_images, config.seed)
    labels = digits.labels[chosen] if config.conditional else None
    if labels is not None and labels.max() >= config.num_classes:
        raise UsageError(f"the recipe has num_classes={config.num_classes} but the digits' labels go up to {labels.max()}")
    return ImageArray(digits.images[chosen], digits.source, flip=config.flip, labels=labels)
