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


UPDATE_ORDERS = ("simultaneous (two tapes, fit)", "sequential (one train_step, fit)", "classic (combined model, Python loop)")


RING_LATENT_DIM = 8


def _ring_players(seed: int, learning_rate: float):
    """The ring GAN's two MLPs and two Adam optimizers, seeded (book/01_artist_and_critic)."""
    import keras

    from ganlab import models

    keras.utils.set_random_seed(seed)
    generator = models.mlp_generator(latent_dim=RING_LATENT_DIM, output_shape=(2,), widths=(128, 128, 128), output_activation=None)
    critic = models.mlp_discriminator(input_shape=(2,), widths=(128, 128, 128), dropout=0.0)
    return generator, critic, [keras.optimizers.Adam(learning_rate, beta_1=0.5) for _ in range(2)]


def _ring_scores(generator, distribution: str = "normal") -> dict:
    """Share of 1,000 fixed noise vectors' points near a mode, and modes covered (of 8)."""
    from ganlab import gans, metrics, models

    noise = gans.latent_vectors(1000, latent_dim=RING_LATENT_DIM, seed=1, distribution=distribution)
    coverage = metrics.ring_coverage(models.apply_in_batches(generator, noise, 256), modes=8)
    return {"near_a_mode": coverage["near_a_mode"], "modes_covered": coverage["modes_covered"]}



def compare_update_orders(real_points: np.ndarray, epochs: int, seeds=(0, 1, 2), batch_size: int = 256, learning_rate: float = 1e-3) -> list[dict]:
    """The ring GAN of book/01_artist_and_critic trained three ways for the same number of
    steps, once per seed: ``gans.GAN`` (simultaneous updates), ``gans.SequentialGAN``
    (discriminator first, then the generator against it) and the classic combined-model
    loop (``ganlab.classic``: sequential, and the critic takes separate steps on real and
    on generated points). Rows: seed, way, seconds, share of points near a mode, modes
    covered (of 8), scored on 1,000 fixed noise vectors."""
    import time

    from ganlab import classic, data, gans

    steps_per_epoch = data.steps_per_pass(len(real_points), batch_size)
    rows = []
    for seed in seeds:
        for way in UPDATE_ORDERS:
            generator, critic, optimizers = _ring_players(seed, learning_rate)
            started = time.perf_counter()
            if way.startswith("classic"):
                combined = classic.build_combined_model(generator, critic, *optimizers)
                classic.train_classic(generator, critic, combined, real_points, steps=epochs * steps_per_epoch, batch_size=batch_size, seed=seed)
            else:
                trainer = (gans.GAN if way.startswith("simultaneous") else gans.SequentialGAN)(generator, critic, seed=seed)
                trainer.compile(d_optimizer=optimizers[0], g_optimizer=optimizers[1])
                trainer.fit(data.make_dataset(real_points, batch_size=batch_size, seed=seed), epochs=epochs, shuffle=False, verbose=0)
            rows.append({"seed": seed, "updates": way, "seconds": time.perf_counter() - started, **_ring_scores(generator)})
    return rows


def compare_noise_distributions(real_points: np.ndarray, epochs: int, seeds=(0, 1, 2), batch_size: int = 256, learning_rate: float = 1e-3) -> list[dict]:
    """The ring GAN trained on standard normal noise and on uniform noise in [-1, 1] (the
    DCGAN paper's), the same steps for each, once per seed; each scored on 1,000 fixed
    vectors of the noise it was trained on. Rows: seed, noise, share of points near a
    mode, modes covered (of 8)."""
    from ganlab import data, gans

    rows = []
    for seed in seeds:
        for distribution in gans.NOISE_DISTRIBUTIONS:
            generator, critic, optimizers = _ring_players(seed, learning_rate)
            trainer = gans.GAN(generator, critic, seed=seed, noise_distribution=distribution)
            trainer.compile(d_optimizer=optimizers[0], g_optimizer=optimizers[1])
            trainer.fit(data.make_dataset(real_points, batch_size=batch_size, seed=seed), epochs=epochs, shuffle=False, verbose=0)
            rows.append({"seed": seed, "noise": distribution, **_ring_scores(generator, distribution)})
    return rows


UPDATE_SCHEDULES = ((1, 1), (2, 1), (5, 1), (1, 2))


def compare_update_schedules(real_points: np.ndarray, epochs: int, seeds=(0, 1, 2), schedules=UPDATE_SCHEDULES, batch_size: int = 256,
                             learning_rate: float = 1e-3) -> list[dict]:
    """The ring GAN with sequential updates and unequal schedules: (critic updates,
    generator updates) per step, ``gans.SequentialGAN``. Every schedule sees the same real
    points (``epochs`` passes, each critic update its own batch), so a schedule with more
    critic updates makes fewer generator updates. Rows: seed, schedule, generator
    updates, seconds, share near a mode, modes covered (of 8)."""
    import time

    from ganlab import data, gans

    rows = []
    for seed in seeds:
        for critic_steps, generator_steps in schedules:
            generator, critic, optimizers = _ring_players(seed, learning_rate)
            trainer = gans.SequentialGAN(generator, critic, seed=seed, discriminator_steps=critic_steps, generator_steps=generator_steps)
            trainer.compile(d_optimizer=optimizers[0], g_optimizer=optimizers[1])
            started = time.perf_counter()
            trainer.fit(data.make_dataset(real_points, batch_size=batch_size * critic_steps, seed=seed), epochs=epochs, shuffle=False, verbose=0)
            rows.append({"seed": seed, "schedule": f"{critic_steps} critic : {generator_steps} generator",
                         "generator_updates": int(trainer.g_optimizer.iterations), "seconds": time.perf_counter() - started,
                         **_ring_scores(generator)})
    return rows


def summarise_by(rows: list[dict], key: str, numbers: tuple[str, ...], each: tuple[str, ...] = ()) -> list[dict]:
    """One row per value of ``key`` (in first-seen order) with the mean of each of
    ``numbers`` over the rows that share it, how many rows were averaged, and for each name
    in ``each`` its values one per row, as text for a table (``name + "_each"``, e.g.
    ``"8, 0, 7"``): with three seeds a mean alone hides how far the runs disagree."""
    from ganlab.book import table_cell

    groups: dict = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return [{key: value, "runs": len(group), **{name: float(np.mean([row[name] for row in group])) for name in numbers},
             **{f"{name}_each": ", ".join(table_cell(row[name]) for row in group) for name in each}}
            for value, group in groups.items()]
