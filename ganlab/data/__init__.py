"""Real datasets as arrays in [-1, 1], and the ``tf.data`` pipeline every chapter reuses.

Introduced in book/02_dcgan_mnist. One module a kind of data: ``pipeline`` (the batches,
and ``TrainingImages``, the interface a run asks its images for, with ``ImageArray`` for
images in memory), ``digits`` (MNIST and the 5,000 digits that ship inside ganlab),
``folders`` (folders of image files), ``faces`` (the offline faces and CelebA) and
``training`` (the images a recipe trains on). Every name is also here, as
``data.load_mnist`` or ``data.make_dataset``.
"""

from ganlab.data.digits import (
    EMBEDDED_DIGITS,
    SOURCES,
    ImageData,
    embedded_digits_note,
    load_dataset,
    load_embedded_digits,
    load_mnist,
    offline_requested,
    ring_of_gaussians,
)
from ganlab.data.faces import (
    CELEBA_ATTRIBUTES_FILE,
    CELEBA_CROP,
    CELEBA_IMAGE_FOLDER,
    CELEBA_KAGGLE_HANDLE,
    CELEBA_MISSING,
    KAGGLE_INPUT,
    KAGGLE_SEARCH_DEPTH,
    LFW_FACES,
    CelebANotFound,
    download_celeba,
    find_celeba,
    load_celeba,
    load_lfw_faces,
    read_celeba_attributes,
)
from ganlab.data.folders import IMAGE_SUFFIXES, ImageFolder, UnreadableImagesWarning, decode_image_file, list_image_files, load_image_folder
from ganlab.data.pipeline import (
    ImageArray,
    TrainingImages,
    finish_batches,
    make_dataset,
    scale_to_unit_range,
    seeded_subset,
    steps_per_pass,
)
from ganlab.data.training import check_image_source, load_images, load_training_data

__all__ = [
    "CELEBA_ATTRIBUTES_FILE", "CELEBA_CROP", "CELEBA_IMAGE_FOLDER", "CELEBA_KAGGLE_HANDLE", "CELEBA_MISSING", "EMBEDDED_DIGITS",
    "IMAGE_SUFFIXES", "KAGGLE_INPUT", "KAGGLE_SEARCH_DEPTH", "LFW_FACES", "SOURCES", "CelebANotFound", "ImageArray", "ImageData",
    "ImageFolder", "TrainingImages", "UnreadableImagesWarning", "check_image_source", "decode_image_file", "download_celeba",
    "embedded_digits_note", "find_celeba", "finish_batches", "list_image_files", "load_celeba", "load_dataset", "load_embedded_digits",
    "load_image_folder", "load_images", "load_lfw_faces", "load_mnist", "make_dataset", "offline_requested", "read_celeba_attributes",
    "ring_of_gaussians", "scale_to_unit_range", "seeded_subset", "steps_per_pass", "load_training_data",
]
