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
