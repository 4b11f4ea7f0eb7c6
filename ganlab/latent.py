"""Paths through a generator's latent space, as pure numpy functions.

The building blocks of the latent space explorer: straight-line and spherical
interpolation between two codes, walks along one direction, the principal directions of
a set of codes, and arithmetic on the codes of encoded images. Every function takes and
returns plain arrays of latent vectors, one per row; decoding them is the generator's job.
"""

from __future__ import annotations

import numpy as np

from ganlab.errors import UsageError


def _pair(start, end) -> tuple[np.ndarray, np.ndarray]:
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    if start.ndim != 1 or start.shape != end.shape:
        raise UsageError(f"start and end must be two latent vectors of one size, got {start.shape} and {end.shape}")
    return start, end


def _positions(steps: int, positions=None) -> np.ndarray:
    """``steps`` evenly spaced positions in [0, 1], or the given ``positions``."""
    if positions is not None:
        positions = np.atleast_1d(np.asarray(positions, dtype=np.float64))
        if positions.ndim != 1 or not len(positions) or positions.min() < 0 or positions.max() > 1:
            raise UsageError(f"positions must be numbers in [0, 1], got {positions}")
        return positions
    if steps < 2:
        raise UsageError(f"steps must be at least 2, got {steps}")
    return np.linspace(0.0, 1.0, steps)


def lerp(start, end, steps: int = 8, positions=None) -> np.ndarray:
    """``steps`` vectors on the straight line from ``start`` to ``end``, both included
    (or one vector per given position in [0, 1], 0 being ``start``).

    Between two draws from N(0, I) in many dimensions the middle of the line is shorter
    than a typical draw (about 0.71 of its length), so a generator sees codes it rarely
    met in training there; ``slerp`` avoids that."""
    start, end = _pair(start, end)
    weights = _positions(steps, positions)[:, None]
    return ((1.0 - weights) * start + weights * end).astype(np.float32)


def slerp(start, end, steps: int = 8, positions=None) -> np.ndarray:
    """``steps`` vectors on the great-circle arc from ``start`` to ``end`` (spherical
    interpolation, Shoemake 1985; recommended for GAN codes by White 2016), both included
    (or one per given position in [0, 1]).

    The angle is spread evenly and the length moves linearly from ``|start|`` to
    ``|end|``, so two codes of equal length give a path of that length throughout. For
    (anti)parallel vectors, where the arc is undefined, it falls back to ``lerp``."""
    start, end = _pair(start, end)
    positions = _positions(steps, positions)
    start_norm, end_norm = np.linalg.norm(start), np.linalg.norm(end)
    if start_norm == 0 or end_norm == 0:
        return lerp(start, end, positions=positions)
    unit_start, unit_end = start / start_norm, end / end_norm
    angle = np.arccos(np.clip(unit_start @ unit_end, -1.0, 1.0))
    if np.sin(angle) < 1e-6:
        return lerp(start, end, positions=positions)
    directions = (np.sin((1.0 - positions) * angle)[:, None] * unit_start
                  + np.sin(positions * angle)[:, None] * unit_end) / np.sin(angle)
    lengths = (1.0 - positions) * start_norm + positions * end_norm
    return (directions * lengths[:, None]).astype(np.float32)


METHODS = ("lerp", "slerp")


def interpolate(start, end, steps: int = 8, method: str = "slerp", positions=None) -> np.ndarray:
    """``lerp`` or ``slerp`` by name: the explorer's toggle."""
    methods = {"lerp": lerp, "slerp": slerp}
    if method not in methods:
        raise UsageError(f"method must be one of {sorted(methods)}, got {method!r}")
    return methods[method](start, end, steps, positions)


def path_lengths(latent_dim: int = 100, num_pairs: int = 200, steps: int = 21, seed: int = 0) -> dict:
    """How long the codes are along ``lerp`` and ``slerp`` paths between ``num_pairs``
    pairs of N(0, I) draws (standard normal, as ``gans.latent_vectors`` draws them).

    Returns ``positions``; per method the ``mean`` length at each position and its 5-95%
    ``band``; ``prior_band``, the 5-95% range of 10,000 prior draws' lengths; and
    ``typical``, their median. Introduced in book/06_latent_space."""
    rng = np.random.default_rng(seed)
    starts, ends = rng.standard_normal((2, num_pairs, latent_dim))
    prior = np.linalg.norm(np.random.default_rng(seed + 1).standard_normal((10_000, latent_dim)), axis=1)
    result = {"positions": np.linspace(0.0, 1.0, steps), "prior_band": tuple(np.percentile(prior, [5, 95])),
              "typical": float(np.median(prior))}
    for method in METHODS:
        lengths = np.array([np.linalg.norm(interpolate(start, end, steps, method), axis=1) for start, end in zip(starts, ends)])
        result[method] = {"mean": lengths.mean(axis=0), "band": np.percentile(lengths, [5, 95], axis=0)}
    return result


def walk(origin, direction, distances) -> np.ndarray:
    """``origin + d * direction / |direction|`` for each distance ``d``: a walk along one
    direction of latent space, in units of the prior's standard deviation."""
    origin, direction = _pair(origin, direction)
    norm = np.linalg.norm(direction)
    if norm == 0:
        raise UsageError("the direction is the zero vector")
    distances = np.atleast_1d(np.asarray(distances, dtype=np.float64))
    return (origin + distances[:, None] * (direction / norm)).astype(np.float32)


# Above this many rows and columns, a full SVD takes minutes on a CPU (2,000 samples of a
# generator's 6,272 features: the latent explorer of book/06_latent_space), and only a few
# directions are wanted: those come from a randomized range finder instead.
EXACT_SVD_SIZE = 500


def _leading_singular_vectors(matrix: np.ndarray, count: int, oversampling: int = 30, power_iterations: int = 24):
    """The ``count`` largest singular values of ``matrix`` and their right singular vectors,
    by a seeded randomized range finder with power iterations (Halko, Martinsson and Tropp
    2011): a few thin matrix products instead of a full SVD, accurate where the spectrum
    falls off, as it does for learned features."""
    width = min(count + oversampling, *matrix.shape)
    basis = matrix @ np.random.default_rng(0).standard_normal((matrix.shape[1], width))
    for _ in range(power_iterations):
        basis, _ = np.linalg.qr(basis)
        basis, _ = np.linalg.qr(matrix.T @ basis)
        basis = matrix @ basis
    basis, _ = np.linalg.qr(basis)
    _, singular_values, rows = np.linalg.svd(basis.T @ matrix, full_matrices=False)
    return singular_values[:count], rows[:count]


def principal_directions(codes, count: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` directions along which ``codes`` (N, latent_dim) vary most, as unit
    rows, with the standard deviation of the codes along each. For a VAE, the codes of
    real images; for a GAN, whose prior is the same in every direction, codes are only
    informative once mapped through something the generator learned."""
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) < 2:
        raise UsageError(f"need at least 2 codes of shape (N, latent_dim), got {codes.shape}")
    if not 1 <= count <= codes.shape[1]:
        raise UsageError(f"count must be between 1 and {codes.shape[1]}, got {count}")
    centred = codes - codes.mean(axis=0)
    if min(centred.shape) > EXACT_SVD_SIZE:
        singular_values, rows = _leading_singular_vectors(centred, count)
    else:
        _, singular_values, rows = np.linalg.svd(centred, full_matrices=False)
    # fix each direction's sign (largest component positive) so results are reproducible
    signs = np.sign(rows[np.arange(len(rows)), np.abs(rows).argmax(axis=1)])
    rows = rows * signs[:, None]
    spreads = singular_values / np.sqrt(len(codes) - 1)
    return rows[:count].astype(np.float32), spreads[:count].astype(np.float32)


def attribute_vector(codes_with, codes_without) -> np.ndarray:
    """Mean code of images that have an attribute minus the mean code of images that do
    not (e.g. thick strokes minus thin ones): added to another image's code, it adds the
    attribute. Vector arithmetic on encoded images (White 2016; Larsen et al. 2016)."""
    codes_with, codes_without = np.asarray(codes_with, dtype=np.float64), np.asarray(codes_without, dtype=np.float64)
    if codes_with.ndim != 2 or codes_without.ndim != 2 or codes_with.shape[1] != codes_without.shape[1]:
        raise UsageError(f"need two sets of codes of one size, got {codes_with.shape} and {codes_without.shape}")
    if not len(codes_with) or not len(codes_without):
        raise UsageError("each set needs at least one code")
    return (codes_with.mean(axis=0) - codes_without.mean(axis=0)).astype(np.float32)


def class_mixture(start_class: int, end_class: int, num_classes: int, steps: int = 10, positions=None) -> np.ndarray:
    """``steps`` class-weight rows (or one per given position) going linearly from the
    one-hot vector of ``start_class`` to that of ``end_class``: the path of class interpolation for a
    conditional generator that reads soft labels (``models.soft_label_generator``)."""
    for name, value in (("start_class", start_class), ("end_class", end_class)):
        if not 0 <= value < num_classes:
            raise UsageError(f"{name} must be in 0..{num_classes - 1}, got {value}")
    identity = np.eye(num_classes)
    return lerp(identity[start_class], identity[end_class], steps, positions)


def class_path(classes, num_classes: int, steps_between: int = 4) -> np.ndarray:
    """Class-weight rows that visit ``classes`` in order (e.g. 0, 1, ..., 9), with
    ``steps_between`` rows from each class to the next, the first of which is the class
    itself; ends on the last class's one-hot row."""
    classes = [int(value) for value in classes]
    if len(classes) < 2:
        raise UsageError(f"need at least two classes to visit, got {classes}")
    legs = [class_mixture(start, end, num_classes, steps_between + 1)[:-1] for start, end in zip(classes, classes[1:])]
    return np.concatenate(legs + [class_mixture(classes[-1], classes[-1], num_classes, 2)[:1]])


def feature_directions(codes, features, count: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Latent directions that move a generator's internal ``features`` along their
    principal directions (GANSpace, Haerkoenen et al. 2020), with each one's spread.

    A GAN's prior is the same in every direction, so the principal directions of its codes
    mean nothing. The features of an early layer are not: their principal directions are
    what the network learned to vary most. A least-squares fit of the codes on the
    features' principal coordinates carries each direction back to latent space, where the
    spread is the standard deviation of the codes along it."""
    codes, features = np.asarray(codes, dtype=np.float64), np.asarray(features, dtype=np.float64)
    if codes.ndim != 2 or features.ndim != 2 or len(codes) != len(features):
        raise UsageError(f"need one feature row per code, got {codes.shape} and {features.shape}")
    if len(codes) <= codes.shape[1]:
        raise UsageError(f"need more codes than latent dimensions ({codes.shape[1]}), got {len(codes)}")
    feature_rows, _ = principal_directions(features, count)
    coordinates = (features - features.mean(axis=0)) @ feature_rows.T.astype(np.float64)
    coordinates /= coordinates.std(axis=0)
    solution, *_ = np.linalg.lstsq(coordinates, codes - codes.mean(axis=0), rcond=None)
    norms = np.linalg.norm(solution, axis=1)
    directions = solution / norms[:, None]
    spreads = (codes - codes.mean(axis=0)) @ directions.T
    return directions.astype(np.float32), spreads.std(axis=0).astype(np.float32)


def balanced_attribute_vector(codes, scores, groups, share: float = 0.2) -> np.ndarray:
    """An attribute vector measured within groups: for each group (e.g. each digit), the
    mean code of its ``share`` of highest ``scores`` minus that of its lowest, averaged
    over the groups. Without it, an attribute that differs between groups (a 0 uses more
    ink than a 1) drags the vector towards one group: "bold" would partly mean "a 0"."""
    codes, scores, groups = np.asarray(codes, dtype=np.float64), np.asarray(scores, dtype=np.float64), np.asarray(groups)
    if codes.ndim != 2 or not len(codes) == len(scores) == len(groups):
        raise UsageError(f"need one score and one group per code, got {codes.shape}, {scores.shape}, {groups.shape}")
    if not 0 < share <= 0.5:
        raise UsageError(f"share must be in (0, 0.5], got {share}")
    differences = []
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        count = int(len(members) * share)
        if count < 1:
            raise UsageError(f"group {group!r} has too few codes ({len(members)}) for a share of {share}")
        ranked = members[np.argsort(scores[members], kind="stable")]
        differences.append(codes[ranked[-count:]].mean(axis=0) - codes[ranked[:count]].mean(axis=0))
    return np.mean(differences, axis=0).astype(np.float32)
