"""Paths through a generator's latent space, as pure numpy functions.

The building blocks of the latent space explorer: straight-line and spherical
interpolation between two codes, walks along one direction, the principal directions of
a set of codes, and arithmetic on the codes of encoded images. Every function takes and
returns plain arrays of latent vectors, one per row; decoding them is the generator's job.
"""

from __future__ import annotations

import numpy as np


def _pair(start, end) -> tuple[np.ndarray, np.ndarray]:
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    if start.ndim != 1 or start.shape != end.shape:
        raise ValueError(f"start and end must be two latent vectors of one size, got {start.shape} and {end.shape}")
    return start, end


def _positions(steps: int) -> np.ndarray:
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}")
    return np.linspace(0.0, 1.0, steps)


def lerp(start, end, steps: int = 8) -> np.ndarray:
    """``steps`` vectors on the straight line from ``start`` to ``end``, both included.

    Between two draws from N(0, I) in many dimensions the middle of the line is shorter
    than a typical draw (about 0.71 of its length), so a generator sees codes it rarely
    met in training there; ``slerp`` avoids that."""
    start, end = _pair(start, end)
    weights = _positions(steps)[:, None]
    return ((1.0 - weights) * start + weights * end).astype(np.float32)


def slerp(start, end, steps: int = 8) -> np.ndarray:
    """``steps`` vectors on the great-circle arc from ``start`` to ``end`` (spherical
    interpolation, Shoemake 1985; recommended for GAN codes by White 2016), both included.

    The angle is spread evenly and the length moves linearly from ``|start|`` to
    ``|end|``, so two codes of equal length give a path of that length throughout. For
    (anti)parallel vectors, where the arc is undefined, it falls back to ``lerp``."""
    start, end = _pair(start, end)
    positions = _positions(steps)
    start_norm, end_norm = np.linalg.norm(start), np.linalg.norm(end)
    if start_norm == 0 or end_norm == 0:
        return lerp(start, end, steps)
    unit_start, unit_end = start / start_norm, end / end_norm
    angle = np.arccos(np.clip(unit_start @ unit_end, -1.0, 1.0))
    if np.sin(angle) < 1e-6:
        return lerp(start, end, steps)
    directions = (np.sin((1.0 - positions) * angle)[:, None] * unit_start
                  + np.sin(positions * angle)[:, None] * unit_end) / np.sin(angle)
    lengths = (1.0 - positions) * start_norm + positions * end_norm
    return (directions * lengths[:, None]).astype(np.float32)


def interpolate(start, end, steps: int = 8, method: str = "slerp") -> np.ndarray:
    """``lerp`` or ``slerp`` by name: the explorer's toggle."""
    methods = {"lerp": lerp, "slerp": slerp}
    if method not in methods:
        raise ValueError(f"method must be one of {sorted(methods)}, got {method!r}")
    return methods[method](start, end, steps)


def walk(origin, direction, distances) -> np.ndarray:
    """``origin + d * direction / |direction|`` for each distance ``d``: a walk along one
    direction of latent space, in units of the prior's standard deviation."""
    origin, direction = _pair(origin, direction)
    norm = np.linalg.norm(direction)
    if norm == 0:
        raise ValueError("the direction is the zero vector")
    distances = np.atleast_1d(np.asarray(distances, dtype=np.float64))
    return (origin + distances[:, None] * (direction / norm)).astype(np.float32)


def principal_directions(codes, count: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` directions along which ``codes`` (N, latent_dim) vary most, as unit
    rows, with the standard deviation of the codes along each. For a VAE, the codes of
    real images; for a GAN, whose prior is the same in every direction, codes are only
    informative once mapped through something the generator learned."""
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or len(codes) < 2:
        raise ValueError(f"need at least 2 codes of shape (N, latent_dim), got {codes.shape}")
    if not 1 <= count <= codes.shape[1]:
        raise ValueError(f"count must be between 1 and {codes.shape[1]}, got {count}")
    centred = codes - codes.mean(axis=0)
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
        raise ValueError(f"need two sets of codes of one size, got {codes_with.shape} and {codes_without.shape}")
    if not len(codes_with) or not len(codes_without):
        raise ValueError("each set needs at least one code")
    return (codes_with.mean(axis=0) - codes_without.mean(axis=0)).astype(np.float32)
