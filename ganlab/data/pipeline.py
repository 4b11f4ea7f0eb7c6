"""The ``tf.data`` pipeline every run uses, and the small interface every dataset offers.

Introduced in book/02_dcgan_mnist. A run, a chapter or a benchmark asks its training
images (``TrainingImages``) for ``len``, ``source``, ``image_shape``, ``labels``,
``images(count)``, ``dataset(...)`` and ``describe()``. Two kinds implement it: images
already in memory (``ImageArray``: the digits, the offline faces) and decoded folders of
image files (``folders.ImageFolder``: CelebA, any folder). Both end their batches in
``finish_batches``, the one place that repeats, skips, scales and flips, so a resumed run
sees exactly the batches of an uninterrupted one whatever the data.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from ganlab.errors import UsageError


@runtime_checkable
class TrainingImages(Protocol):
    """What a run needs of its training images, whatever they are."""

    source: str
    labels: np.ndarray | None

    @property
    def image_shape(self) -> tuple[int, int, int]: ...

    def __len__(self) -> int: ...

    def images(self, count: int | None = None) -> np.ndarray: ...

    def dataset(self, batch_size: int, seed: int = 0, shuffle: bool = True, repeat: bool = False, skip_epochs: int = 0,
                drop_remainder: bool = True, batches_per_pass: int | None = None): ...

    def describe(self) -> str: ...


def scale_to_unit_range(pixels: np.ndarray) -> np.ndarray:
    """Map 0..255 pixel values to float32 in [-1, 1] (the range of a tanh generator)."""
    return (np.asarray(pixels, dtype=np.float32) - 127.5) / 127.5


def seeded_subset(count: int, max_images: int, seed: int) -> np.ndarray:
    """Indices of a seeded random subset of ``max_images`` of ``count`` items, in their
    original order (all of them when there are no more)."""
    if max_images <= 0:
        raise UsageError(f"max_images must be positive, got {max_images}")
    if max_images >= count:
        return np.arange(count)
    return np.sort(np.random.default_rng(seed).permutation(count)[:max_images])


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
    per_pass = batches_in_pass(len(images), batch_size, drop_remainder, batches_per_pass)
    return finish_batches(batches, per_pass, seed, repeat, skip_epochs, flip)


def batches_in_pass(count: int, batch_size: int, drop_remainder: bool, most: int | None) -> int:
    """Batches a pass keeps: all it has, or ``most`` of them (checked)."""
    available = steps_per_pass(count, batch_size, drop_remainder)
    if most is not None and not 0 < most <= available:
        raise UsageError(f"batches_per_pass must be in 1..{available}, got {most}")
    return available if most is None else most


def finish_batches(batches, per_pass, seed, repeat, skip_epochs, flip):
    """The end of every pipeline, in-memory or decoded from files: keep ``per_pass`` batches of each pass, repeat, skip whole passes, scale uint8 to
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


class ImageArray:
    """Images already in memory as ``TrainingImages``: the MNIST digits and the offline
    faces use it, so a run or a chapter treats every dataset alike.

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
        self.source, self.flip = source, flip
        self.labels = None if labels is None else np.asarray(labels)
        self._table = images

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of every image."""
        return tuple(int(size) for size in self._table.shape[1:])

    def __len__(self) -> int:
        return len(self._table)

    def images(self, count: int | None = None) -> np.ndarray:
        """The first ``count`` images (all by default), float32 in [-1, 1], NHWC, without
        augmentation."""
        if count is not None and count <= 0:
            raise UsageError(f"count must be positive, got {count}")
        table = self._table[:count]
        return scale_to_unit_range(table) if table.dtype == np.uint8 else table

    def dataset(self, batch_size: int, seed: int = 0, shuffle: bool = True, repeat: bool = False, skip_epochs: int = 0,
                drop_remainder: bool = True, batches_per_pass: int | None = None):
        """Batches of float32 images in [-1, 1] (with labels when it has them): ``make_dataset``."""
        return make_dataset(self._table, batch_size, seed=seed, shuffle=shuffle, repeat=repeat, skip_epochs=skip_epochs,
                            drop_remainder=drop_remainder, labels=self.labels, flip=self.flip, batches_per_pass=batches_per_pass)

    def describe(self) -> str:
        """One line: how many images, their shape, where from."""
        height, width, channels = self.image_shape
        return f"{len(self):,} images of {height}x{width}x{channels} from {self.source}"
