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

import numpy as np

from ganlab.errors import UsageError


def _as_activations(activations, name: str) -> np.ndarray:
    activations = np.asarray(activations, dtype=np.float64)
    if activations.ndim != 2:
        raise UsageError(f"{name} must be 2-D (images, features), got shape {activations.shape}")
    if len(activations) < 2:
        raise UsageError(f"{name} needs at least 2 rows to estimate a covariance, got {len(activations)}")
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
        raise UsageError(f"feature sizes differ: {a.shape[1]} and {b.shape[1]}")
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
        raise UsageError(f"feature sizes differ: {a.shape[1]} and {b.shape[1]}")
    size = min(subset_size, len(a), len(b))
    if size >= len(a) and size >= len(b):
        num_subsets = 1
    rng = np.random.default_rng(seed)
    off_diagonal = size * (size - 1)
    kernel_sums = _kernel_sums(a, b)
    estimates = []
    for _ in range(num_subsets):
        x = rng.choice(len(a), size, replace=False) if size < len(a) else np.arange(len(a))
        y = rng.choice(len(b), size, replace=False) if size < len(b) else np.arange(len(b))
        sum_x, trace_x, sum_y, trace_y, sum_between = kernel_sums(x, y)
        estimates.append((sum_x - trace_x) / off_diagonal + (sum_y - trace_y) / off_diagonal - 2 * sum_between / size**2)
    estimates = np.asarray(estimates)
    error = estimates.std(ddof=1) / np.sqrt(len(estimates)) if len(estimates) > 1 else 0.0
    return float(estimates.mean()), float(error)


# Sets up to this many rows get their whole kernel matrices computed once (5,000 rows: 200
# MB); larger ones are computed per subset.
WHOLE_KERNEL_ROWS = 5000


def _kernel_sums(a: np.ndarray, b: np.ndarray):
    """A function of two subsets' indices that returns the sums and traces KID needs:
    (sum k(x, x), trace, sum k(y, y), trace, sum k(x, y)). With small sets, every kernel
    matrix is computed once and each subset's sums come from 0/1 weight vectors: the same
    numbers as kernels of the subsets, without 100 subsets' worth of matrix products."""
    if max(len(a), len(b)) > WHOLE_KERNEL_ROWS:
        def per_subset(x, y):
            within_x, within_y = polynomial_kernel(a[x], a[x]), polynomial_kernel(b[y], b[y])
            return within_x.sum(), np.trace(within_x), within_y.sum(), np.trace(within_y), polynomial_kernel(a[x], b[y]).sum()

        return per_subset
    within_a, within_b, between = polynomial_kernel(a, a), polynomial_kernel(b, b), polynomial_kernel(a, b)

    def from_whole(x, y):
        in_x, in_y = np.zeros(len(a)), np.zeros(len(b))
        in_x[x], in_y[y] = 1.0, 1.0
        return (in_x @ within_a @ in_x, within_a.diagonal()[x].sum(), in_y @ within_b @ in_y, within_b.diagonal()[y].sum(),
                in_x @ between @ in_y)

    return from_whole


def inception_score(probabilities, splits: int = 1, epsilon: float = 1e-12) -> tuple[float, float]:
    """exp(E_x KL(p(y|x) || p(y))) (Salimans et al. 2016); returns (mean, std over splits).

    High when each image is classified confidently *and* the classes are varied: at most
    the number of classes, 1 when every image gets the same distribution.
    """
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2:
        raise UsageError(f"probabilities must be 2-D (images, classes), got shape {probabilities.shape}")
    if np.any(probabilities < 0) or not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-4):
        raise UsageError("each row of probabilities must be a distribution (non-negative, summing to 1)")
    if not 1 <= splits <= len(probabilities):
        raise UsageError(f"splits must be between 1 and the number of images, got {splits}")
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
        raise UsageError("p and q must be non-negative 1-D histograms of the same length with some mass")
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
        raise UsageError("samples must be 1-D and of the same, non-zero size")
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
        raise UsageError(f"points must have shape (N, 2) with N > 0, got {points.shape}")
    angles = 2 * np.pi * np.arange(modes) / modes
    centres = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    distances = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
    nearest = distances.argmin(axis=1)
    near = distances[np.arange(len(points)), nearest] <= tolerance
    per_mode = np.bincount(nearest[near], minlength=modes)
    covered = mode_coverage(per_mode) if per_mode.sum() else 0
    return {"per_mode": per_mode, "near_a_mode": float(near.mean()), "modes_covered": covered}


def checkerboard_energy(images: np.ndarray) -> float:
    """Share of an image's varying power at the highest frequencies (period 2 rows or
    columns): where the checkerboard of stride-2 transposed convolutions lives.
    Introduced in book/03_faces.

    Averaged over images and channels, from the 2-D power spectrum without the mean.
    A pure checkerboard scores 1, smooth images near 0.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4 or images.shape[1] % 2 or images.shape[2] % 2:
        raise UsageError(f"need (N, H, W, C) images with even H and W, got shape {images.shape}")
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
        raise UsageError(f"images and references differ in size: {images.shape[1]} vs {references.shape[1]} values")
    squared = (images**2).sum(1)[:, None] - 2 * images @ references.T + (references**2).sum(1)[None, :]
    if exclude_self:
        if len(images) != len(references):
            raise UsageError("exclude_self needs the images and references to be the same set")
        np.fill_diagonal(squared, np.inf)
    nearest = squared.argmin(axis=1)
    distances = np.sqrt(np.maximum(squared[np.arange(len(images)), nearest], 0.0) / images.shape[1])
    return nearest, distances


def mean_pairwise_distance(images: np.ndarray) -> float:
    """Mean root-mean-square pixel distance between all pairs of different images: low
    when a generator collapses onto few outputs. Introduced in book/03_faces."""
    images = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    if len(images) < 2:
        raise UsageError("need at least two images")
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
        raise UsageError(f"need (N, H, W, C) images at least 3x3, got shape {images.shape}")
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


def ink(images) -> np.ndarray:
    """How much ink each image uses: the mean brightness of its pixels, from 0 (black) to
    1 (white), for images in [-1, 1]. Bold digits use more (book/06_latent_space)."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4:
        raise UsageError(f"images must be NHWC, got shape {images.shape}")
    return ((np.clip(images, -1.0, 1.0) + 1.0) / 2.0).mean(axis=(1, 2, 3))
