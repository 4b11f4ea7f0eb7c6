"""The networks that turn images into activations for ``ganlab.metrics``.

Introduced in book/02_dcgan_mnist. ``ganlab.metrics`` holds the math on activations and
probabilities; this module holds the networks that make them: the MNIST *judge* (a small
classifier shipped with the package, trained by ``tools/train_judge.py`` on the embedded
digits) with ``score_mnist``, which every MNIST number in the book comes from, and
Keras' ImageNet Inception-v3 for the published FID where its weights can be had.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

from ganlab.errors import UsageError
from ganlab.metrics import class_histogram, frechet_distance, inception_score, kernel_distance, mode_coverage, sharpness

JUDGE_WEIGHTS = "judge.weights.h5"
JUDGE_RECORD = "judge.json"
JUDGE_SPLIT_SEED = 0
JUDGE_HELD_OUT = 1000
FEATURE_LAYER = "features"


def assets_dir():
    """The folder inside the package where shipped weights live."""
    return Path(__file__).resolve().parent / "assets"


def build_judge(feature_size: int = 128):
    """The judge's network: two convolution blocks, a ``features`` layer, 10 softmax outputs.

    Data augmentation is not part of it (it is applied only while training), so the
    shipped judge is a plain, deterministic classifier.
    """
    import keras
    from keras import layers

    image = keras.Input((28, 28, 1), name="image")
    x = image
    for block, width in enumerate((32, 64), start=1):
        for conv in (1, 2):
            x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{block}_conv{conv}")(x)
            x = layers.BatchNormalization(name=f"block{block}_bn{conv}")(x)
            x = layers.ReLU(name=f"block{block}_relu{conv}")(x)
        x = layers.MaxPooling2D(name=f"block{block}_pool")(x)
        x = layers.Dropout(0.25, name=f"block{block}_dropout")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(feature_size, activation="relu", name=FEATURE_LAYER)(x)
    x = layers.Dropout(0.4, name="features_dropout")(x)
    probabilities = layers.Dense(10, activation="softmax", name="probabilities")(x)
    return keras.Model(image, probabilities, name="judge")


def judge_split(num_images: int, held_out: int = JUDGE_HELD_OUT, seed: int = JUDGE_SPLIT_SEED):
    """Seeded (train, held-out) index arrays over the embedded digits."""
    order = np.random.default_rng(seed).permutation(num_images)
    return np.sort(order[held_out:]), np.sort(order[:held_out])


_JUDGE_CACHE: dict = {}


def load_judge(weights_dir=None):
    """The shipped judge, built from code and loaded from its weights (no unsafe loading).

    Cached per folder: scoring in a loop does not rebuild it.
    """
    return _judge_models(weights_dir)[0]


def _judge_models(weights_dir=None):
    """(judge, the same network with its ``features`` layer as a second output), cached."""
    import keras

    folder = Path(weights_dir) if weights_dir else assets_dir()
    if folder not in _JUDGE_CACHE:
        path = folder / JUDGE_WEIGHTS
        if not path.exists():
            raise UsageError(f"no judge weights at {path}; train them with 'python tools/train_judge.py'")
        judge = build_judge()
        judge.load_weights(path)
        both = keras.Model(judge.input, [judge.get_layer(FEATURE_LAYER).output, judge.output])
        _JUDGE_CACHE[folder] = (judge, both)
    return _JUDGE_CACHE[folder]


def judge_record(weights_dir=None) -> dict:
    """How the judge in ``weights_dir`` (default: the shipped one) was trained, and its accuracy."""
    folder = Path(weights_dir) if weights_dir else assets_dir()
    return json.loads((folder / JUDGE_RECORD).read_text())


def judge_outputs(images, judge=None, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """The judge's ``features`` activations and class probabilities for MNIST-like images
    (N, 28, 28, 1) in [-1, 1]."""
    import keras

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise UsageError(f"the MNIST judge takes images of shape (N, 28, 28, 1), got {images.shape}")
    if judge is None:
        both = _judge_models()[1]
    else:
        both = keras.Model(judge.input, [judge.get_layer(FEATURE_LAYER).output, judge.output])
    from ganlab.models import apply_in_batches

    features, probabilities = apply_in_batches(both, images, batch_size)
    return np.asarray(features, dtype=np.float64), np.asarray(probabilities, dtype=np.float64)


SAMPLE_SIZE = 1000


def reference_digits():
    """The real digits every MNIST score is measured against: the judge's training split
    of the embedded digits (4,000), and its held-out split (1,000) for the "real data" row."""
    from ganlab import data

    mnist = data.load_mnist(source="embedded", verbose=False)
    train_index, held_out_index = judge_split(len(mnist.images))
    return mnist.images[train_index], mnist.images[held_out_index], mnist.labels[held_out_index]


def score_mnist(images, sample_size: int = SAMPLE_SIZE, include_real: bool = True, include_kid: bool = True) -> dict:
    """Judge-based quality of MNIST-like samples, computed the same way for real digits.

    Uses the first ``sample_size`` images (1,000 everywhere in the book: the distances
    depend on it). Returns ``{"generated": {...}, "real": {...}}`` (``real`` only with
    ``include_real``): ``judge_fid`` (Frechet distance on the judge's features, against
    the judge's 4,000 training digits), ``kid`` and ``kid_error``, ``judge_is`` (Inception
    Score from the judge's probabilities), ``histogram``, ``coverage`` (digits drawn at
    least a third of their fair share), ``mode_collapse`` (coverage below 10) and
    ``sharpness`` (pixels, not the judge: see ``sharpness``). ``include_kid=False`` leaves out the KID, the slow part (100 kernel subsets), for
    scoring during training.
    """
    images = np.asarray(images, dtype=np.float32)
    if len(images) < sample_size:
        raise UsageError(f"scores use {sample_size} images so that they compare; got {len(images)}")
    reference_features = _reference_features()
    scores = {"generated": _score_row(images[:sample_size], reference_features, include_kid)}
    if include_real:
        scores["real"] = copy.deepcopy(_real_row(sample_size, include_kid))
    return scores


def _real_row(sample_size: int, include_kid: bool) -> dict:
    # the held-out digits score the same every time: once per process, not once per call
    key = ("real_row", sample_size, include_kid)
    if key not in _JUDGE_CACHE:
        _, held_out, _ = reference_digits()
        _JUDGE_CACHE[key] = _score_row(held_out[:sample_size], _reference_features(), include_kid)
    return _JUDGE_CACHE[key]


def _reference_features() -> np.ndarray:
    # the same 4,000 digits for every score: compute their features once per process
    if "reference_features" not in _JUDGE_CACHE:
        reference, _, _ = reference_digits()
        _JUDGE_CACHE["reference_features"] = judge_outputs(reference)[0]
    return _JUDGE_CACHE["reference_features"]


def _score_row(sample, reference_features, include_kid: bool = True) -> dict:
    features, probabilities = judge_outputs(sample)
    histogram = class_histogram(probabilities, 10)
    coverage = mode_coverage(histogram)
    kid, kid_error = kernel_distance(features, reference_features) if include_kid else (None, None)
    return {
        "judge_fid": frechet_distance(features, reference_features),
        **({"kid": kid, "kid_error": kid_error} if include_kid else {}),
        "judge_is": inception_score(probabilities)[0],
        "histogram": histogram.tolist(),
        "coverage": coverage,
        "mode_collapse": coverage < 10,
        "sharpness": sharpness(sample),
        "images": int(len(sample)),
    }


def conditional_accuracy(images, labels) -> float:
    """The judge's accuracy on images that were asked to show ``labels`` (conditional GANs)."""
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise UsageError(f"{len(images)} images but {len(labels)} labels")
    _, probabilities = judge_outputs(images)
    return float((probabilities.argmax(axis=1) == labels).mean())


def per_class_accuracy(images, labels, num_classes: int = 10) -> np.ndarray:
    """The judge's accuracy on the generated images of each requested class (NaN for a
    class that was not requested). Introduced in book/04_better_losses."""
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise UsageError(f"{len(images)} images but {len(labels)} labels")
    _, probabilities = judge_outputs(images)
    correct = probabilities.argmax(axis=1) == labels
    return np.array([correct[labels == label].mean() if (labels == label).any() else np.nan for label in range(num_classes)])


def format_scores(scores: dict) -> str:
    """A small text table of ``score_mnist`` results, one row per set of images."""
    lines = [f"{'images':<10} {'judge-FID':>9} {'KID':>16} {'judge-IS':>8} {'coverage':>8}  per digit 0-9"]
    for name, row in scores.items():
        kid = f"{row['kid']:.4f}+-{row['kid_error']:.4f}"
        lines.append(
            f"{name:<10} {row['judge_fid']:>9.3f} {kid:>16} {row['judge_is']:>8.2f} {row['coverage']:>5}/10  "
            + " ".join(str(count) for count in row["histogram"])
        )
    return "\n".join(lines)


# --- Other images (faces): Inception-v3, only with its real weights ---


def to_inception_input(images, size: int = 299) -> np.ndarray:
    """NHWC images in [-1, 1] as Inception-v3 wants them: 299x299, 3 channels, [-1, 1]
    (grey images are repeated across the channels)."""
    import tensorflow as tf

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise UsageError(f"images must be NHWC with 1 or 3 channels, got shape {images.shape}")
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    return tf.image.resize(images, (size, size), method="bilinear").numpy().clip(-1.0, 1.0)


def features_in_batches(network, images, batch_size: int = 64, size: int = 299) -> np.ndarray:
    """``network``'s outputs on ``images`` made ready for it (``to_inception_input``) one
    batch at a time: 1,000 images at 299x299x3 in float32 are about 1.1 GB at once, a batch
    of 64 about 69 MB."""
    images = np.asarray(images, dtype=np.float32)
    if len(images) == 0:
        raise UsageError("no images to extract features from")
    outputs = [np.asarray(network(to_inception_input(images[start : start + batch_size], size), training=False))
               for start in range(0, len(images), batch_size)]
    return np.concatenate(outputs)


def inception_v3_extractor(batch_size: int = 64):
    """A feature extractor (images -> 2048 pool activations) from Keras' ImageNet
    Inception-v3, the network of the published FID.

    Its weights are downloaded by Keras (Colab and Kaggle can). Without them this raises
    ``RuntimeError``: a Frechet distance on random-weight features is meaningless, so
    ganlab never falls back to one.
    """
    import keras

    try:
        network = keras.applications.InceptionV3(include_top=False, pooling="avg", weights="imagenet")
    except Exception as error:  # no network, no cache: say so plainly
        raise RuntimeError(
            "Inception-v3 ImageNet weights could not be loaded, so no FID can be computed here "
            f"({type(error).__name__}); run on a machine with internet (Colab, Kaggle) once to cache them"
        ) from error

    def extract(images):
        return features_in_batches(network, images, batch_size=batch_size)

    extract.name = "Inception-v3 (ImageNet) pool features"
    return extract


def frechet_distance_of_images(images_a, images_b, extractor) -> dict:
    """Frechet distance between two image sets on any extractor's features, with the
    extractor's name next to the number (``{"frechet_distance": ..., "extractor": ...}``)."""
    name = getattr(extractor, "name", getattr(extractor, "__name__", repr(extractor)))
    distance = frechet_distance(extractor(images_a), extractor(images_b))
    return {"frechet_distance": distance, "extractor": name}
