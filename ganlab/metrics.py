"""Numbers that say whether a GAN is good: the math, kept apart from any network.

Introduced in book/02_dcgan_mnist (chapter on measuring GANs). Every function here takes
plain numpy arrays: *activations* (one row of features per image) or *class
probabilities* (one row per image). Which network produced them is the caller's business,
and a reported number must always say which one it was: a Frechet distance on random
features is not FID.

Both FID-style distances and the Inception Score depend on the number of images they are
computed from (FID is biased upwards for small samples), so compare numbers only at the
same sample size.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganlab import files


def _as_activations(activations, name: str) -> np.ndarray:
    activations = np.asarray(activations, dtype=np.float64)
    if activations.ndim != 2:
        raise ValueError(f"{name} must be 2-D (images, features), got shape {activations.shape}")
    if len(activations) < 2:
        raise ValueError(f"{name} needs at least 2 rows to estimate a covariance, got {len(activations)}")
    return activations


def frechet_distance(activations_a, activations_b) -> float:
    """Frechet distance between Gaussians fitted to two sets of activations (Heusel et al. 2017).

    ||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^(1/2)), with sample covariances
    (ddof=1). Computed as Tr((C_a^(1/2) C_b C_a^(1/2))^(1/2)) from symmetric eigen-
    decompositions, which stays real and needs no scipy. Called FID only when the
    activations come from Inception-v3's pool layer.
    """
    a = _as_activations(activations_a, "activations_a")
    b = _as_activations(activations_b, "activations_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} and {b.shape[1]}")
    mean_difference = a.mean(axis=0) - b.mean(axis=0)
    covariance_a = np.atleast_2d(np.cov(a, rowvar=False))
    covariance_b = np.atleast_2d(np.cov(b, rowvar=False))
    root_a = _symmetric_sqrt(covariance_a)
    middle = root_a @ covariance_b @ root_a
    trace_of_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    distance = mean_difference @ mean_difference + np.trace(covariance_a) + np.trace(covariance_b) - 2 * trace_of_root
    return float(max(distance, 0.0))  # rounding can leave -1e-12 for identical sets


def _symmetric_sqrt(matrix: np.ndarray) -> np.ndarray:
    eigenvalues, eigenvectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0, None))) @ eigenvectors.T


def polynomial_kernel(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """k(x, y) = (x . y / d + 1)^3, the kernel of the Kernel Inception Distance."""
    return (x @ y.T / x.shape[1] + 1.0) ** 3


def kernel_distance(activations_a, activations_b, subset_size: int = 1000, num_subsets: int = 100, seed: int = 0) -> tuple[float, float]:
    """Kernel distance (KID, Binkowski et al. 2018): unbiased squared MMD with a cubic
    polynomial kernel, averaged over random subsets; returns (mean, standard error).

    Unlike the Frechet distance, the estimate is unbiased, so small samples do not inflate
    it (they only widen its error). When both sets are no larger than ``subset_size``,
    each subset is the whole set and the standard error is 0.
    """
    a = _as_activations(activations_a, "activations_a")
    b = _as_activations(activations_b, "activations_b")
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"feature sizes differ: {a.shape[1]} and {b.shape[1]}")
    size = min(subset_size, len(a), len(b))
    if size >= len(a) and size >= len(b):
        num_subsets = 1
    rng = np.random.default_rng(seed)
    estimates = []
    for _ in range(num_subsets):
        x = a[rng.choice(len(a), size, replace=False)] if size < len(a) else a
        y = b[rng.choice(len(b), size, replace=False)] if size < len(b) else b
        within_x, within_y = polynomial_kernel(x, x), polynomial_kernel(y, y)
        between = polynomial_kernel(x, y)
        off_diagonal = size * (size - 1)
        estimates.append(
            (within_x.sum() - np.trace(within_x)) / off_diagonal
            + (within_y.sum() - np.trace(within_y)) / off_diagonal
            - 2 * between.mean()
        )
    estimates = np.asarray(estimates)
    error = estimates.std(ddof=1) / np.sqrt(len(estimates)) if len(estimates) > 1 else 0.0
    return float(estimates.mean()), float(error)


def inception_score(probabilities, splits: int = 1, epsilon: float = 1e-12) -> tuple[float, float]:
    """exp(E_x KL(p(y|x) || p(y))) (Salimans et al. 2016); returns (mean, std over splits).

    High when each image is classified confidently *and* the classes are varied: at most
    the number of classes, 1 when every image gets the same distribution.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2:
        raise ValueError(f"probabilities must be 2-D (images, classes), got shape {probabilities.shape}")
    if np.any(probabilities < 0) or not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4):
        raise ValueError("each row of probabilities must be a distribution (non-negative, summing to 1)")
    if not 1 <= splits <= len(probabilities):
        raise ValueError(f"splits must be between 1 and the number of images, got {splits}")
    scores = []
    for part in np.array_split(probabilities, splits):
        marginal = part.mean(axis=0, keepdims=True)
        divergence = (part * (np.log(part + epsilon) - np.log(marginal + epsilon))).sum(axis=1)
        scores.append(np.exp(divergence.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def class_histogram(probabilities, num_classes: int | None = None) -> np.ndarray:
    """How many images the classifier assigns to each class (argmax)."""
    probabilities = np.asarray(probabilities)
    num_classes = num_classes or probabilities.shape[1]
    return np.bincount(probabilities.argmax(axis=1), minlength=num_classes)


def mode_coverage(histogram, min_share: float = 1 / 3) -> int:
    """How many classes get at least ``min_share`` of their fair share of the images
    (a uniform split); a GAN that covers every mode scores the number of classes."""
    histogram = np.asarray(histogram)
    fair_share = histogram.sum() / len(histogram)
    return int((histogram >= min_share * fair_share).sum())


def jensen_shannon_divergence(p, q) -> float:
    """JS(P, Q) in nats between two histograms over the same bins (normalised here):
    (KL(P || M) + KL(Q || M)) / 2 with M = (P + Q) / 2. It is 0 for equal distributions and
    log 2 for distributions with no overlap at all, however far apart they are.

    Introduced in book/04_better_losses.
    """
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if p.shape != q.shape or p.ndim != 1 or p.sum() <= 0 or q.sum() <= 0 or (p < 0).any() or (q < 0).any():
        raise ValueError("p and q must be non-negative 1-D histograms of the same length with some mass")
    p, q = p / p.sum(), q / q.sum()
    middle = (p + q) / 2

    def kl(a, b):
        mask = a > 0
        return float(np.sum(a[mask] * np.log(a[mask] / b[mask])))

    return (kl(p, middle) + kl(q, middle)) / 2


def wasserstein_1d(samples_a, samples_b) -> float:
    """The Wasserstein-1 (earth mover's) distance between two equal-size 1-D samples:
    the mean gap between their sorted values. Grows with the distance between the
    distributions even when they do not overlap. Introduced in book/04_better_losses."""
    a, b = np.sort(np.asarray(samples_a, dtype=np.float64)), np.sort(np.asarray(samples_b, dtype=np.float64))
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError("samples must be 1-D and of the same, non-zero size")
    return float(np.mean(np.abs(a - b)))


def ring_coverage(points, modes: int = 8, radius: float = 0.8, tolerance: float = 0.12) -> dict:
    """How a 2-D generator covers the ring of Gaussians of ``ganlab.data.ring_of_gaussians``.

    Introduced in book/01_artist_and_critic. Each point counts for its nearest mode centre
    if it lies within ``tolerance`` of it (3 standard deviations of the default spread).
    Returns ``per_mode`` counts, ``near_a_mode`` (the fraction of points that are near any
    mode: the rest fall between modes) and ``modes_covered`` (by ``mode_coverage``).
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"points must have shape (N, 2) with N > 0, got {points.shape}")
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    near = distances[np.arange(len(points)), nearest] <= tolerance
    per_mode = np.bincount(nearest[near], minlength=modes)
    covered = mode_coverage(per_mode) if per_mode.sum() else 0
    return {"per_mode": per_mode, "near_a_mode": float(near.mean()), "modes_covered": covered}


# --- The MNIST judge: a small classifier whose features and probabilities feed the math ---

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


def train_judge(out_dir=None, epochs: int = 40, seed: int = 0, verbose: int = 2) -> dict:
    """Train the judge on the embedded digits (all but a seeded held-out 1,000), save its
    weights and a record of how it was made, and return that record.

    The embedded digits (not the full download) are used so that the shipped judge, and
    every score computed with it, is the same on every machine, online or not. No held-out
    digit is seen during training: the epochs and schedule are fixed in advance.
    """
    import json
    import time
    import keras
    import tensorflow as tf

    from ganlab import data

    out_dir = Path(out_dir) if out_dir else assets_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(seed)
    mnist = data.load_mnist(source="embedded", verbose=verbose > 0)
    train_index, held_out_index = judge_split(len(mnist.images))
    judge = build_judge()
    augment = keras.Sequential(
        [
            keras.layers.RandomRotation(0.04, fill_value=-1.0, seed=seed),
            keras.layers.RandomTranslation(0.1, 0.1, fill_value=-1.0, seed=seed),
            keras.layers.RandomZoom(0.1, fill_value=-1.0, seed=seed),
        ],
        name="augment",
    )
    trainer = keras.Sequential([augment, judge])
    trainer.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    trainer.fit(
        mnist.images[train_index],
        mnist.labels[train_index],
        epochs=epochs,
        batch_size=64,
        callbacks=[keras.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=3)],
        verbose=verbose,
    )
    judge.compile(metrics=["accuracy"], loss="sparse_categorical_crossentropy")
    _, accuracy = judge.evaluate(mnist.images[held_out_index], mnist.labels[held_out_index], verbose=0)
    judge.save_weights(out_dir / JUDGE_WEIGHTS)
    record = {
        "held_out_accuracy": round(float(accuracy), 4),
        "held_out_images": int(len(held_out_index)),
        "training_images": int(len(train_index)),
        "data_source": mnist.source,
        "split_seed": JUDGE_SPLIT_SEED,
        "seed": seed,
        "epochs": epochs,
        "training_seconds": round(time.perf_counter() - started, 1),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }
    files.write_text(out_dir / JUDGE_RECORD, json.dumps(record, indent=2) + "\n")
    return record


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
            raise ValueError(f"no judge weights at {path}; train them with 'python -m ganlab.metrics train-judge'")
        judge = build_judge()
        judge.load_weights(path)
        both = keras.Model(judge.input, [judge.get_layer(FEATURE_LAYER).output, judge.output])
        _JUDGE_CACHE[folder] = (judge, both)
    return _JUDGE_CACHE[folder]


def judge_record(weights_dir=None) -> dict:
    """How the judge in ``weights_dir`` (default: the shipped one) was trained, and its accuracy."""
    import json
    folder = Path(weights_dir) if weights_dir else assets_dir()
    return json.loads((folder / JUDGE_RECORD).read_text())


def judge_outputs(images, judge=None, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """The judge's ``features`` activations and class probabilities for MNIST-like images
    (N, 28, 28, 1) in [-1, 1]."""
    import keras

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(f"the MNIST judge takes images of shape (N, 28, 28, 1), got {images.shape}")
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
        raise ValueError(f"scores use {sample_size} images so that they compare; got {len(images)}")
    _, held_out, _ = reference_digits()
    rows = {"generated": images[:sample_size]}
    reference_features = _reference_features()
    if include_real:
        rows["real"] = held_out[:sample_size]
    return {name: _score_row(sample, reference_features, include_kid) for name, sample in rows.items()}


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
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    _, probabilities = judge_outputs(images)
    return float((probabilities.argmax(axis=1) == labels).mean())


def per_class_accuracy(images, labels, num_classes: int = 10) -> np.ndarray:
    """The judge's accuracy on the generated images of each requested class (NaN for a
    class that was not requested). Introduced in book/04_better_losses."""
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
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


# --- Other images (faces): a pluggable extractor, Inception-v3 only with real weights ---


def to_inception_input(images, size: int = 299) -> np.ndarray:
    """NHWC images in [-1, 1] as Inception-v3 wants them: 299x299, 3 channels, [-1, 1]
    (grey images are repeated across the channels)."""
    import tensorflow as tf

    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise ValueError(f"images must be NHWC with 1 or 3 channels, got shape {images.shape}")
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    return tf.image.resize(images, (size, size), method="bilinear").numpy().clip(-1.0, 1.0)


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
        return network.predict(to_inception_input(images), batch_size=batch_size, verbose=0)

    extract.name = "Inception-v3 (ImageNet) pool features"
    return extract


def frechet_distance_of_images(images_a, images_b, extractor) -> dict:
    """Frechet distance between two image sets on any extractor's features, with the
    extractor's name next to the number (``{"frechet_distance": ..., "extractor": ...}``)."""
    name = getattr(extractor, "name", getattr(extractor, "__name__", repr(extractor)))
    distance = frechet_distance(extractor(images_a), extractor(images_b))
    return {"frechet_distance": distance, "extractor": name}


def checkerboard_energy(images: np.ndarray) -> float:
    """Share of an image's varying power at the highest frequencies (period 2 rows or
    columns): where the checkerboard of stride-2 transposed convolutions lives.
    Introduced in book/03_faces.

    Averaged over images and channels, from the 2-D power spectrum without the mean.
    A pure checkerboard scores 1, smooth images near 0.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4 or images.shape[1] % 2 or images.shape[2] % 2:
        raise ValueError(f"need (N, H, W, C) images with even H and W, got shape {images.shape}")
    centred = images - images.mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(centred, axes=(1, 2))) ** 2
    half_height, half_width = images.shape[1] // 2, images.shape[2] // 2
    nyquist = power[:, half_height, :, :].sum(axis=1) + power[:, :, half_width, :].sum(axis=1) - power[:, half_height, half_width, :]
    total = power.sum(axis=(1, 2))
    shares = np.divide(nyquist, total, out=np.zeros_like(total), where=total > 0)
    return float(shares.mean())


def nearest_neighbours(images: np.ndarray, references: np.ndarray, exclude_self: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """For each image, the index of the closest reference image and the root-mean-square
    pixel distance to it. Introduced in book/03_faces to ask whether a GAN trained on few
    images copies them. ``exclude_self`` (images and references the same set) skips each
    image's own entry, giving how far apart the real images themselves are."""
    images = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    references = np.asarray(references, dtype=np.float64).reshape(len(references), -1)
    if images.shape[1] != references.shape[1]:
        raise ValueError(f"images and references differ in size: {images.shape[1]} vs {references.shape[1]} values")
    squared = (images**2).sum(1)[:, None] - 2 * images @ references.T + (references**2).sum(1)[None, :]
    if exclude_self:
        if len(images) != len(references):
            raise ValueError("exclude_self needs the images and references to be the same set")
        np.fill_diagonal(squared, np.inf)
    nearest = squared.argmin(axis=1)
    distances = np.sqrt(np.maximum(squared[np.arange(len(images)), nearest], 0.0) / images.shape[1])
    return nearest, distances


def mean_pairwise_distance(images: np.ndarray) -> float:
    """Mean root-mean-square pixel distance between all pairs of different images: low
    when a generator collapses onto few outputs. Introduced in book/03_faces."""
    images = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    if len(images) < 2:
        raise ValueError("need at least two images")
    squared = (images**2).sum(1)[:, None] - 2 * images @ images.T + (images**2).sum(1)[None, :]
    pairs = np.sqrt(np.maximum(squared, 0.0) / images.shape[1])[np.triu_indices(len(images), k=1)]
    return float(pairs.mean())


def sharpness(images: np.ndarray) -> float:
    """Mean over images (and channels) of the variance of the 4-neighbour Laplacian over
    interior pixels: high where edges are crisp, low where they are blurred. Introduced in
    book/05_vae_and_vaegan, where it puts a number on the VAE's blur; compare it with the
    real images' value, since noise scores high too."""
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4 or images.shape[1] < 3 or images.shape[2] < 3:
        raise ValueError(f"need (N, H, W, C) images at least 3x3, got shape {images.shape}")
    laplacian = (images[:, :-2, 1:-1] + images[:, 2:, 1:-1] + images[:, 1:-1, :-2] + images[:, 1:-1, 2:]
                 - 4 * images[:, 1:-1, 1:-1])
    return float(laplacian.var(axis=(1, 2)).mean())


def pixel_scores(images: np.ndarray, real: np.ndarray) -> dict:
    """What can be said about generated images without a trained judge, next to the same
    numbers for the real images: ``checkerboard``, ``diversity`` and ``nearest_real`` (mean
    RMS distance to the closest real image; for the real rows, to the closest other one).
    Introduced in book/03_faces. Pixel distances say nothing about realism: a sample far
    from every real image may be new or may be noise; one at distance ~0 is a copy."""
    real = np.asarray(real)
    rows = {}
    for name, group in (("real", real), ("generated", np.asarray(images))):
        _, distances = nearest_neighbours(group, real, exclude_self=name == "real")
        rows[name] = {
            "checkerboard": checkerboard_energy(group),
            "diversity": mean_pairwise_distance(group),
            "nearest_real": float(distances.mean()),
            "images": int(len(group)),
        }
    return rows



def format_pixel_scores(scores: dict) -> str:
    """A small text table of ``pixel_scores`` results."""
    lines = [f"{'images':<10} {'checkerboard':>12} {'diversity':>9} {'nearest real':>12}"]
    for name, row in scores.items():
        lines.append(f"{name:<10} {row['checkerboard']:>12.4f} {row['diversity']:>9.3f} {row['nearest_real']:>12.3f}")
    return "\n".join(lines)


def _main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m ganlab.metrics")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train-judge", help="train the MNIST judge and save it in the package")
    train.add_argument("--epochs", type=int, default=40)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", help="folder for the weights (default: the package's assets)")
    args = parser.parse_args(argv)
    record = train_judge(args.out, epochs=args.epochs, seed=args.seed)
    print(f"judge: {record['held_out_accuracy']:.4f} accuracy on {record['held_out_images']} held-out real digits")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())



def midpoint_scores(generator, num_pairs: int = SAMPLE_SIZE, seed: int = 0) -> list[dict]:
    """Judge scores of the images a generator draws halfway between ``num_pairs`` pairs of
    prior draws, by ``lerp`` and by ``slerp``, next to the prior draws themselves
    (book/06_latent_space): does the straight line's short middle hurt the images? Each
    row also gives the codes' mean length; a prior draw's is about sqrt(latent_dim). The
    three rows share one sample size (``num_pairs``), so they compare with each other, and
    with the book's other scores at the default 1,000."""
    from ganlab import gans, latent, models

    latent_dim = models.latent_size_of(generator)
    starts = gans.latent_vectors(num_pairs, latent_dim, seed)
    ends = gans.latent_vectors(num_pairs, latent_dim, seed + 1)
    codes = {
        "prior draws": starts,
        "lerp midpoints": np.stack([latent.lerp(start, end, positions=[0.5])[0] for start, end in zip(starts, ends)]),
        "slerp midpoints": np.stack([latent.slerp(start, end, positions=[0.5])[0] for start, end in zip(starts, ends)]),
    }
    rows = []
    for name, vectors in codes.items():
        scores = score_mnist(gans.decode_latents(generator, vectors), num_pairs, include_real=False, include_kid=False)["generated"]
        rows.append({"codes": name, "mean_length": float(np.linalg.norm(vectors, axis=1).mean()),
                     **{key: scores[key] for key in ("judge_fid", "judge_is", "coverage", "sharpness")}})
    return rows


def class_transition(generator, start_class: int, end_class: int, steps: int = 11, num_images: int = 200, seed: int = 0) -> dict:
    """What the judge sees as a conditional generator's class weights move from
    ``start_class`` to ``end_class`` (``latent.class_mixture``) with ``num_images`` noise
    vectors held fixed: per position, the mean probability of each end's class, the
    share of images it calls either, and its ``confidence`` (the mean of each image's top
    probability: near 1 when the images are clear digits, lower for ambiguous blends)
    (book/06_latent_space)."""
    from ganlab import gans, latent, models

    positions = np.linspace(0.0, 1.0, steps)
    noise = gans.latent_vectors(num_images, models.latent_size_of(generator), seed)
    result = {"positions": positions, "start_probability": [], "end_probability": [], "start_share": [], "end_share": [], "confidence": []}
    for position in positions:
        weights = latent.class_mixture(start_class, end_class, models.num_classes_of(generator), positions=[position])
        _, probabilities = judge_outputs(gans.decode_class_weights(generator, noise, weights))
        verdicts = probabilities.argmax(axis=1)
        result["start_probability"].append(float(probabilities[:, start_class].mean()))
        result["end_probability"].append(float(probabilities[:, end_class].mean()))
        result["start_share"].append(float((verdicts == start_class).mean()))
        result["end_share"].append(float((verdicts == end_class).mean()))
        result["confidence"].append(float(probabilities.max(axis=1).mean()))
    return {key: np.asarray(values) for key, values in result.items()}


def ink(images) -> np.ndarray:
    """How much ink each image uses: the mean brightness of its pixels, from 0 (black) to
    1 (white), for images in [-1, 1]. Bold digits use more (book/06_latent_space)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise ValueError(f"images must be NHWC, got shape {images.shape}")
    return ((np.clip(images, -1.0, 1.0) + 1.0) / 2.0).mean(axis=(1, 2, 3))
