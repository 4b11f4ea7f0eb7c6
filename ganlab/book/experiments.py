"""Experiments that only the chapters run: measurements that take a generator and ask the
judge about it. They live here, beside the chapter tooling, rather than in the runtime
package: nothing in ``ganlab`` depends on them."""

from __future__ import annotations

import numpy as np

from ganlab.judge import SAMPLE_SIZE, judge_outputs, score_mnist


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
