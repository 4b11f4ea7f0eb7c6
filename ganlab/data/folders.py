"""Folders of image files as training images (book/03_faces): listing, decoding,
cropping and resizing in parallel, a cache, and batches.

``ImageFolder`` is one of the two kinds of ``pipeline.TrainingImages``; its batches end in
``pipeline.finish_batches``, like those of images in memory.
"""

from __future__ import annotations

import json
import os

import numpy as np

from ganlab.data.pipeline import batches_in_pass, finish_batches, make_dataset, scale_to_unit_range, seeded_subset
from ganlab.errors import UsageError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


class UnreadableImagesWarning(UserWarning):
    """Some image files could not be decoded and were left out."""


def list_image_files(folder: str | os.PathLike) -> list[str]:
    """Every image file (``IMAGE_SUFFIXES``, any case) under ``folder``, sorted by path.

    A missing folder, a file instead of a folder, or a folder without images is a
    ``ValueError`` that says which.
    """
    from pathlib import Path

    folder = Path(folder)
    if not folder.exists():
        raise UsageError(f"no image folder at {folder}")
    if not folder.is_dir():
        raise UsageError(f"{folder} is a file; give the folder that holds the images")
    files = sorted(
        str(path) for path in folder.rglob("*") if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()
    )
    if not files:
        raise UsageError(f"no images ({', '.join(IMAGE_SUFFIXES)}) in {folder}")
    return files


def _crop_window(height, width, crop):
    """(top, left, size_h, size_w) of ``crop`` clipped to the image, or the centred square."""
    import tensorflow as tf

    if crop is None:
        side = tf.minimum(height, width)
        return (height - side) // 2, (width - side) // 2, side, side
    left, top, right, bottom = crop
    top, left = tf.minimum(top, height - 1), tf.minimum(left, width - 1)
    return top, left, tf.minimum(bottom, height) - top, tf.minimum(right, width) - left


def decode_image_file(path, image_size: int, channels: int = 3, crop=None):
    """Read one image file into a ``(image_size, image_size, channels)`` uint8 tensor.

    Usable inside ``tf.data``. ``crop`` is a (left, top, right, bottom) box (clipped to
    the image); without it the centred square is used. JPEGs are decoded only inside the
    crop. Shrinking averages the covered pixels (area resize: no aliasing, and several
    times faster in TensorFlow than an antialiased bilinear); enlarging is bilinear.
    Grayscale, RGBA, palette PNGs, BMPs and the first frame of a GIF all become RGB
    first; ``channels=1`` then converts to luminance.
    """
    import tensorflow as tf

    contents = tf.io.read_file(path)

    def decode_jpeg():
        shape = tf.io.extract_jpeg_shape(contents)
        window = tf.stack(_crop_window(shape[0], shape[1], crop))
        return tf.io.decode_and_crop_jpeg(contents, window, channels=3)

    def decode_other():
        image = tf.io.decode_image(contents, channels=3, expand_animations=False)
        shape = tf.shape(image)
        top, left, crop_height, crop_width = _crop_window(shape[0], shape[1], crop)
        return image[top : top + crop_height, left : left + crop_width]

    image = tf.cond(tf.io.is_jpeg(contents), decode_jpeg, decode_other)
    size = [image_size, image_size]
    image = tf.cond(
        tf.shape(image)[0] >= image_size,
        lambda: tf.image.resize(image, size, method="area"),
        lambda: tf.image.resize(image, size, method="bilinear"),
    )
    if channels == 1:
        image = tf.image.rgb_to_grayscale(image)
    image.set_shape([image_size, image_size, channels])
    return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)


def decoded_files(files: list[str], image_size: int, channels: int, crop, cache):
    """A ``tf.data`` pipeline of (file index, uint8 image) for every readable file of
    ``files``, decoded in parallel, in file order; files that cannot be decoded are left
    out. Behind ``tf.data``'s file cache when ``cache`` is a folder (``cache_prefix``)."""
    import tensorflow as tf

    paths = tf.data.Dataset.from_tensor_slices(files).enumerate()
    decoded = paths.map(
        lambda index, path: (index, decode_image_file(path, image_size, channels, crop)),
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    ).ignore_errors()
    if cache not in (None, "memory"):
        decoded = decoded.cache(cache_prefix(cache, [files, image_size, channels, crop]))
    return decoded


def cache_prefix(folder: str | os.PathLike, settings: list) -> str:
    """Where ``tf.data`` caches the decoded files for these ``settings`` in ``folder``: one
    name per set of files and decoding settings, so that later runs reuse it. A cache
    whose first pass was interrupted (no index yet) is removed first: its lock and partial
    shards would make ``tf.data`` refuse to write ("another process is writing to the
    cache")."""
    import hashlib
    from pathlib import Path

    key = json.dumps(settings).encode()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    prefix = folder / f"ganlab-{hashlib.sha256(key).hexdigest()[:16]}"
    if not Path(f"{prefix}.index").exists():
        for partial in folder.glob(f"{prefix.name}*"):
            partial.unlink()
    return str(prefix)


class ImageFolder:
    """Image files as ``TrainingImages``: decoded once (``decoded_files``), scanned for the
    files that cannot be read, then shuffled and batched. Introduced in book/03_faces.

    Files that cannot be decoded (truncated, not an image) are skipped: the first pass
    over the files, run by ``len()`` or anything that needs the count, decodes every file
    in parallel, fills the cache and notes which files failed; one
    ``UnreadableImagesWarning`` gives their number and the first few names.

    ``cache``: ``"memory"`` (the decoded uint8 images are held as one array and batches
    are gathered from it, as ``make_dataset`` does; 64x64 RGB CelebA takes 2.5 GB), a
    folder (``tf.data``'s file cache, written once and reused by later runs over the same
    files and settings) or ``None`` (decode every epoch). ``flip`` mirrors a random half
    of every batch left-right, seeded, differently each epoch.
    """

    def __init__(
        self,
        files,
        image_size: int,
        channels: int = 3,
        crop: tuple[int, int, int, int] | None = None,
        flip: bool = False,
        cache: str | os.PathLike | None = "memory",
        source: str = "folder",
        attributes: np.ndarray | None = None,
        attribute_names: tuple[str, ...] = (),
        shuffle_buffer: int = 10_000,
    ):
        if image_size <= 0:
            raise UsageError(f"image_size must be positive, got {image_size}")
        if channels not in (1, 3):
            raise UsageError(f"channels must be 1 (grayscale) or 3 (RGB), got {channels}")
        if crop is not None and not (len(crop) == 4 and crop[0] < crop[2] and crop[1] < crop[3]):
            raise UsageError(f"crop must be (left, top, right, bottom) with left < right and top < bottom, got {crop}")
        self.files = [str(path) for path in files]
        if not self.files:
            raise UsageError("no image files given")
        if attributes is not None and len(attributes) != len(self.files):
            raise UsageError(f"{len(self.files)} files but {len(attributes)} rows of attributes")
        self.image_size, self.channels, self.crop, self.flip = image_size, channels, crop, flip
        self.cache, self.source, self.shuffle_buffer = cache, source, shuffle_buffer
        self.attribute_names = tuple(attribute_names)
        self._all_attributes = attributes
        self._decoded = None  # the element pipeline (file or no cache)
        self._table = None  # the decoded images (memory cache)
        self._valid = None
        self.labels = None  # files carry no class labels

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of every image the pipeline yields."""
        return (self.image_size, self.image_size, self.channels)

    def _decoded_images(self):
        """(file index, uint8 image) for every readable file (``decoded_files``), made once."""
        if self._decoded is None:
            self._decoded = decoded_files(self.files, self.image_size, self.channels, self.crop, self.cache)
        return self._decoded

    def _nothing_readable(self) -> UsageError:
        return UsageError(f"none of the {len(self.files)} image files could be read (first: {self.files[0]})")

    def scan(self) -> ImageFolder:
        """Decode every file once (filling the cache) and note which could not be read."""
        if self._valid is not None:
            return self
        readable = np.zeros(len(self.files), dtype=bool)
        keep = self.cache == "memory"
        # memory cache: one batch of every readable image, which tf.data writes straight
        # into a single tensor (CelebA's 2.5 GB exist once; a numpy table handed to
        # TensorFlow afterwards would briefly exist three times)
        for indices, images in self._decoded_images().batch(len(self.files) if keep else 1024):
            readable[indices.numpy()] = True
            if keep:
                self._table = images
        self._valid = np.flatnonzero(readable)
        skipped = [self.files[index] for index in np.flatnonzero(~readable)]
        if not len(self._valid):
            raise self._nothing_readable()
        if skipped:
            import warnings
            from pathlib import Path

            names = ", ".join(Path(path).name for path in skipped[:5]) + (", ..." if len(skipped) > 5 else "")
            warnings.warn(
                f"skipped {len(skipped)} of {len(self.files)} image files that could not be read: {names}",
                UnreadableImagesWarning,
                stacklevel=2,
            )
        return self

    def __len__(self) -> int:
        return len(self.scan()._valid)

    @property
    def skipped_files(self) -> list[str]:
        """The files the scan could not decode."""
        readable = set(self.scan()._valid.tolist())
        return [path for index, path in enumerate(self.files) if index not in readable]

    @property
    def attributes(self) -> np.ndarray | None:
        """Per-image attribute rows (CelebA: +1/-1) for the readable images, or None."""
        if self._all_attributes is None:
            return None
        return self._all_attributes[self.scan()._valid]

    def images(self, count: int | None = None) -> np.ndarray:
        """The first ``count`` readable images (all by default), float32 in [-1, 1], NHWC,
        without augmentation: for looking at the data and for small datasets."""
        if count is not None and count <= 0:
            raise UsageError(f"count must be positive, got {count}")
        if count is None or self._valid is not None:
            count = len(self) if count is None else min(count, len(self))
        if self._table is not None:
            table = np.asarray(self._table[:count])
            return scale_to_unit_range(table) if table.dtype == np.uint8 else table
        # a few images of a folder not yet scanned: decode only those (the first readable
        # ones), not all 202,599 of CelebA
        images = list(self._decoded_images().map(lambda index, image: image).take(count).batch(count).as_numpy_iterator())
        if not images:
            raise self._nothing_readable()
        return scale_to_unit_range(images[0])

    def dataset(
        self,
        batch_size: int,
        seed: int = 0,
        shuffle: bool = True,
        repeat: bool = False,
        skip_epochs: int = 0,
        drop_remainder: bool = True,
        batches_per_pass: int | None = None,
    ):
        """Batches of float32 images in [-1, 1], NHWC, like ``make_dataset``.

        Each pass is a fresh seeded shuffle batched on its own, so ``skip_epochs`` (with
        ``repeat=True``) starts exactly where an uninterrupted run would be.
        """
        count = len(self)
        options = dict(seed=seed, shuffle=shuffle, repeat=repeat, skip_epochs=skip_epochs, drop_remainder=drop_remainder, flip=self.flip,
                       batches_per_pass=batches_per_pass)
        if self._table is not None:
            return make_dataset(self._table, batch_size, **options)
        if count < batch_size and drop_remainder:
            raise UsageError(f"only {count} readable images for a batch size of {batch_size}: no full batch")
        if skip_epochs and not repeat:
            raise UsageError("skip_epochs needs repeat=True")
        images = self._decoded_images().map(lambda index, image: image)
        if shuffle:
            images = images.shuffle(min(count, self.shuffle_buffer), seed=seed, reshuffle_each_iteration=True)
        batches = images.batch(batch_size, drop_remainder=drop_remainder)
        per_pass = batches_in_pass(count, batch_size, drop_remainder, batches_per_pass)
        return finish_batches(batches, per_pass, seed, repeat, skip_epochs, self.flip)

    def describe(self) -> str:
        """One line: how many images, their shape, where from."""
        return f"{len(self):,} images of {self.image_size}x{self.image_size}x{self.channels} from {self.source}"


def load_image_folder(
    path: str | os.PathLike,
    image_size: int = 64,
    channels: int = 3,
    crop: tuple[int, int, int, int] | None = None,
    flip: bool = False,
    cache: str | os.PathLike | None = "memory",
    max_images: int | None = None,
    seed: int = 0,
) -> ImageFolder:
    """Any folder of images (searched recursively) as an ``ImageFolder`` pipeline:
    centred square crop (or ``crop``), resize to ``image_size``, optional left-right flips.

    For example the eyes dataset at 128x128 with flips, or a folder of anime faces.
    ``max_images`` keeps a seeded random subset of the files.
    """
    files = list_image_files(path)
    if max_images is not None:
        files = [files[index] for index in seeded_subset(len(files), max_images, seed)]
    return ImageFolder(files, image_size, channels, crop=crop, flip=flip, cache=cache, source="folder")
