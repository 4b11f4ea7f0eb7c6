"""Faces: the 100 offline faces of scikit-image, and CelebA (found on Kaggle, in a folder,
or downloaded with kagglehub). Introduced in book/03_faces."""

from __future__ import annotations

import os

import numpy as np

from ganlab.data.digits import offline_requested
from ganlab.data.folders import ImageFolder, list_image_files
from ganlab.data.pipeline import ImageArray, seeded_subset
from ganlab.errors import UsageError

# The aligned CelebA images are 178x218; this (left, top, right, bottom) box is the
# 128x128 face region that is cropped before resizing to 64x64 (as common DCGAN face pipelines do).
CELEBA_CROP = (25, 65, 153, 193)
CELEBA_IMAGE_FOLDER = "img_align_celeba"
CELEBA_ATTRIBUTES_FILE = "list_attr_celeba.csv"
CELEBA_KAGGLE_HANDLE = "jessicali9530/celeba-dataset"
KAGGLE_INPUT = "/kaggle/input"
LFW_FACES = 100  # skimage.data.lfw_subset(): the first 100 of its 200 images are faces


def load_lfw_faces(image_size: int = 32, channels: int = 1, flip: bool = False, verbose: bool = True) -> ImageArray:
    """The 100 real faces of ``skimage.data.lfw_subset()`` (Labeled Faces in the Wild,
    grayscale, 25x25, shipped inside scikit-image: no download), upsampled to
    ``image_size``; ``channels=3`` repeats the gray level. ganlab's offline faces."""
    import tensorflow as tf
    from skimage.data import lfw_subset

    faces = lfw_subset()[:LFW_FACES, :, :, np.newaxis]  # float in [0, 1]
    resized = tf.image.resize(faces * 255.0, [image_size, image_size], method="bilinear").numpy()
    pixels = np.clip(np.round(resized), 0, 255).astype(np.uint8)
    if channels == 3:
        pixels = np.repeat(pixels, 3, axis=-1)
    elif channels != 1:
        raise UsageError(f"channels must be 1 or 3, got {channels}")
    source = "lfw-subset"
    if verbose:
        print(
            f"ganlab: faces from the {LFW_FACES} real 25x25 grayscale faces of skimage.data.lfw_subset() "
            f"(Labeled Faces in the Wild), upsampled to {image_size}x{image_size}"
        )
    return ImageArray(pixels, source=source, flip=flip)


CELEBA_MISSING = (
    "no copy of CelebA was found. Get it with --download (kagglehub, with your Kaggle credentials), "
    "or on Kaggle with 'Add data' > 'CelebFaces Attributes (CelebA)', or point --data-dir at the folder "
    "that holds img_align_celeba/; --data-source embedded trains on the 100 offline faces instead"
)
# how deep below /kaggle/input a dataset's files may sit (e.g. /kaggle/input/datasets/OWNER/NAME/)
KAGGLE_SEARCH_DEPTH = 4


class CelebANotFound(UsageError):
    """A run asked for CelebA and no copy of it is here (the message says how to get one)."""


def find_celeba(path: str | os.PathLike | None = None) -> tuple[str, str | None] | None:
    """(image folder, attribute CSV or None) of a CelebA copy, or None if there is none.

    Looks in ``path`` (or ``GANLAB_CELEBA_DIR``), then under Kaggle's ``/kaggle/input``,
    wherever Kaggle mounted the dataset: for ``list_attr_celeba.csv`` up to
    ``KAGGLE_SEARCH_DEPTH`` levels down, with the images beside it. A copy is CelebA's
    layout, ``img_align_celeba/`` (Kaggle nests it twice) holding the JPEGs, given as the
    folder that holds it or as the image folder itself; any other folder of JPEGs is not
    taken for CelebA (train it as ``dataset="folder"``).
    """
    from pathlib import Path

    roots = [Path(path)] if path is not None else []
    if path is None and os.environ.get("GANLAB_CELEBA_DIR"):
        roots.append(Path(os.environ["GANLAB_CELEBA_DIR"]))
    if path is None:
        roots.extend(attributes.parent for attributes in _files_named(Path(KAGGLE_INPUT), CELEBA_ATTRIBUTES_FILE, KAGGLE_SEARCH_DEPTH))
    for root in roots:
        found = _celeba_at(root)
        if found:
            return found
    return None


def _celeba_at(root) -> tuple[str, str | None] | None:
    name = CELEBA_IMAGE_FOLDER
    for images in (root / name / name, root / name, root if root.name == name else None):
        if images is not None and images.is_dir() and any(images.glob("*.jpg")):
            beside = (folder / CELEBA_ATTRIBUTES_FILE for folder in (root, images, images.parent))
            attributes = next((path for path in beside if path.is_file()), None)
            return str(images), None if attributes is None else str(attributes)
    return None


def _files_named(root, name: str, depth: int) -> list:
    """Files called ``name`` under ``root``, at most ``depth`` folders down, sorted; none
    when ``root`` does not exist. Image folders are not listed (200,000 files)."""
    found, level = [], [root] if root.is_dir() else []
    for _ in range(depth + 1):
        found.extend(folder / name for folder in level if (folder / name).is_file())
        level = [child for folder in level if folder.name != CELEBA_IMAGE_FOLDER for child in sorted(folder.iterdir()) if child.is_dir()]
    return sorted(found)


def read_celeba_attributes(csv_path: str | os.PathLike, file_names: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """The attribute rows (+1/-1, int8) of ``list_attr_celeba.csv`` in the order of
    ``file_names``, and the attribute names. A listed image missing from the CSV is an error."""
    import csv

    with open(csv_path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header or header[0] != "image_id":
            raise UsageError(f"{csv_path} is not a CelebA attribute file (first column must be image_id)")
        rows = {row[0]: row[1:] for row in reader if row}
    missing = [name for name in file_names if name not in rows]
    if missing:
        raise UsageError(f"{len(missing)} images have no row in {csv_path} (first: {missing[0]})")
    values = np.array([[int(value) for value in rows[name]] for name in file_names], dtype=np.int8)
    return values, tuple(header[1:])


def load_celeba(
    path: str | os.PathLike | None = None,
    image_size: int = 64,
    channels: int = 3,
    crop: tuple[int, int, int, int] | None = CELEBA_CROP,
    flip: bool = False,
    cache: str | os.PathLike | None = "memory",
    download: bool = False,
    max_images: int | None = None,
    seed: int = 0,
    verbose: bool = True,
    fallback: bool = True,
) -> ImageFolder:
    """CelebA's aligned faces as an ``ImageFolder``: the 128x128 face crop
    (``CELEBA_CROP``) resized to ``image_size``, with the 40 attributes when
    ``list_attr_celeba.csv`` is there.

    Finds the data with ``find_celeba`` (a given ``path``, ``GANLAB_CELEBA_DIR``, Kaggle's
    inputs); ``download=True`` fetches Kaggle's copy with ``kagglehub`` (needs Kaggle
    credentials). With no copy, or with ``GANLAB_OFFLINE=1``, the 100 offline faces of
    ``load_lfw_faces`` stand in, and a notice says so; with ``fallback=False`` no copy is a
    ``CelebANotFound`` error that says how to get one (what a training run wants), and a
    ``path`` that holds no CelebA is always an error.
    """
    from pathlib import Path

    found = None if offline_requested() and path is None else find_celeba(path)
    if found is None and path is not None:
        raise UsageError(f"no CelebA images under {path} (expected {CELEBA_IMAGE_FOLDER}/ with .jpg files)")
    if found is None and download and not offline_requested():
        found = find_celeba(download_celeba())
    if found is None and not fallback and not offline_requested():
        raise CelebANotFound(CELEBA_MISSING)
    if found is None:
        if verbose:
            reason = "GANLAB_OFFLINE=1" if offline_requested() else "no CelebA copy found; see ganlab.data.load_celeba"
            print(f"ganlab: CelebA unavailable ({reason}); using the offline faces instead")
        return load_lfw_faces(image_size, channels, flip=flip, verbose=verbose)
    image_folder, attribute_file = found
    files = list_image_files(image_folder)
    if max_images is not None:
        files = [files[index] for index in seeded_subset(len(files), max_images, seed)]
    attributes, names = (None, ())
    if attribute_file:
        attributes, names = read_celeba_attributes(attribute_file, [Path(file).name for file in files])
    faces = ImageFolder(
        files, image_size, channels, crop=crop, flip=flip, cache=cache, source="celeba",
        attributes=attributes, attribute_names=names,
    )
    if verbose:
        print(f"ganlab: CelebA from {image_folder} ({len(files):,} files{', with attributes' if attributes is not None else ''})")
    return faces


def download_celeba() -> str:
    """Download Kaggle's copy of CelebA with ``kagglehub`` (once; later calls find it in
    kagglehub's cache) and return its folder."""
    try:
        import kagglehub
    except ImportError as error:
        raise UsageError("download=True needs kagglehub (pip install kagglehub) and Kaggle credentials") from error
    try:
        return kagglehub.dataset_download(CELEBA_KAGGLE_HANDLE)
    except Exception as error:  # network, credentials, quota: say which, do not dump a trace
        raise UsageError(f"could not download CelebA with kagglehub: {error}") from error
