import math

import numpy as np
import pytest

from ganlab import judge, metrics
from ganlab.book import experiments


def test_frechet_distance_of_one_feature_matches_hand_computation():
    # a: mean 1, variance 2; b: mean 3, variance 8 (ddof=1)
    # (1 - 3)^2 + 2 + 8 - 2 sqrt(2 * 8) = 4 + 10 - 8 = 6
    assert metrics.frechet_distance([[0.0], [2.0]], [[1.0], [5.0]]) == pytest.approx(6.0)


def test_frechet_distance_with_diagonal_covariances():
    # independent features: |dmu|^2 + sum (sqrt(var_a) - sqrt(var_b))^2
    rng = np.random.default_rng(0)
    a = rng.standard_normal((20000, 2)) * [1.0, 2.0]
    b = rng.standard_normal((20000, 2)) * [3.0, 2.0] + [1.0, -1.0]
    expected = (1 + 1) + (1 - 3) ** 2 + (2 - 2) ** 2
    assert metrics.frechet_distance(a, b) == pytest.approx(expected, rel=0.03)


def test_frechet_distance_matches_scipy_sqrtm_on_full_covariances():
    """Golden test: the textbook formula with scipy's matrix square root, on correlated features."""
    from scipy import linalg

    rng = np.random.default_rng(7)
    # mixing independent features makes every covariance entry non-zero
    a = rng.standard_normal((200, 16)) @ rng.standard_normal((16, 16))
    b = rng.standard_normal((200, 16)) @ rng.standard_normal((16, 16)) + rng.standard_normal(16)
    covariance_a, covariance_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    assert np.abs(covariance_a).min() > 1e-3 and np.abs(covariance_b).min() > 1e-3  # full, not diagonal
    mean_difference = a.mean(axis=0) - b.mean(axis=0)
    root = linalg.sqrtm(covariance_a @ covariance_b).real
    expected = mean_difference @ mean_difference + np.trace(covariance_a + covariance_b - 2 * root)
    assert metrics.frechet_distance(a, b) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_is_zero_for_identical_sets_and_grows_with_a_shift():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((500, 8))
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)
    # a shift by s in every one of 8 features adds 8 s^2 exactly
    assert metrics.frechet_distance(a, a + 0.5) == pytest.approx(8 * 0.25, rel=1e-6)
    assert metrics.frechet_distance(a, a + 1.0) > metrics.frechet_distance(a, a + 0.5)


def test_kernel_distance_matches_hand_computation():
    # k(x, y) = (x y + 1)^3 for d = 1
    # within x: k(0, 1) = 1; within y: k(1, 2) = 27; between: (1 + 1 + 8 + 27) / 4 = 9.25
    mean, error = metrics.kernel_distance([[0.0], [1.0]], [[1.0], [2.0]])
    assert mean == pytest.approx(1 + 27 - 2 * 9.25)
    assert error == 0.0


def test_kernel_distance_is_near_zero_for_same_distribution_and_positive_for_shift():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((400, 4)), rng.standard_normal((400, 4))
    same, same_error = metrics.kernel_distance(a, b, subset_size=200, num_subsets=20)
    shifted, _ = metrics.kernel_distance(a, b + 1.0, subset_size=200, num_subsets=20)
    assert abs(same) < 3 * same_error + 1e-3
    assert shifted > 10 * max(same_error, 1e-3)


def test_inception_score_hand_cases():
    assert metrics.inception_score([[0.5, 0.5], [0.5, 0.5]])[0] == pytest.approx(1.0)
    # confident and varied: KL of each row to the uniform marginal is log 2
    assert metrics.inception_score([[1.0, 0.0], [0.0, 1.0]])[0] == pytest.approx(2.0)
    # confident but collapsed onto one class
    assert metrics.inception_score([[1.0, 0.0], [1.0, 0.0]])[0] == pytest.approx(1.0)
    # rows (0.9, 0.1) and (0.1, 0.9): KL to (0.5, 0.5) = 0.9 ln 1.8 + 0.1 ln 0.2
    expected = math.exp(0.9 * math.log(1.8) + 0.1 * math.log(0.2))
    assert metrics.inception_score([[0.9, 0.1], [0.1, 0.9]])[0] == pytest.approx(expected)


def test_inception_score_splits_report_spread():
    probabilities = [[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]
    mean, spread = metrics.inception_score(probabilities, splits=2)
    assert mean == pytest.approx((2.0 + 1.0) / 2) and spread == pytest.approx(0.5)


def test_histogram_and_mode_coverage():
    probabilities = np.eye(3)[[0, 0, 0, 0, 1, 1, 1, 2, 0]]
    histogram = metrics.class_histogram(probabilities)
    assert histogram.tolist() == [5, 3, 1]
    # fair share is 3; a third of it is 1, so all three classes count
    assert metrics.mode_coverage(histogram) == 3
    assert metrics.mode_coverage([10, 0, 0, 2]) == 2  # fair share 3: needs 1 or more


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: metrics.frechet_distance(np.zeros(5), np.zeros(5)), "2-D"),
        (lambda: metrics.frechet_distance(np.zeros((1, 2)), np.zeros((3, 2))), "at least 2"),
        (lambda: metrics.frechet_distance(np.zeros((3, 2)), np.zeros((3, 4))), "feature sizes"),
        (lambda: metrics.kernel_distance(np.zeros((3, 2)), np.zeros((3, 4))), "feature sizes"),
        (lambda: metrics.inception_score([[0.7, 0.7]]), "distribution"),
        (lambda: metrics.inception_score([[0.5, 0.5]], splits=2), "splits"),
    ],
)
def test_bad_input_is_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_frechet_distance_of_images_names_its_extractor():
    def mean_brightness(images):
        images = np.asarray(images)
        return np.stack([images.mean(axis=(1, 2, 3)), images.std(axis=(1, 2, 3))], axis=1)

    rng = np.random.default_rng(0)
    dark, bright = rng.uniform(-1, 0, (50, 4, 4, 1)), rng.uniform(0, 1, (50, 4, 4, 1))
    result = judge.frechet_distance_of_images(dark, bright, mean_brightness)
    assert result["extractor"] == "mean_brightness"
    # the Frechet distance of the extractor's features; the means differ by about 1
    expected = metrics.frechet_distance(mean_brightness(dark), mean_brightness(bright))
    assert result["frechet_distance"] == pytest.approx(expected, rel=1e-9) and expected > 0.2
    assert judge.frechet_distance_of_images(dark, dark, mean_brightness)["frechet_distance"] == pytest.approx(0, abs=1e-9)


def test_inception_input_is_299_pixels_three_channels_in_range():
    grey = np.linspace(-1, 1, 2 * 28 * 28).reshape(2, 28, 28, 1)
    prepared = judge.to_inception_input(grey)
    assert prepared.shape == (2, 299, 299, 3)
    # Inception's range [-1, 1], with the input's black and white ends kept
    assert prepared.min() == pytest.approx(-1.0, abs=1e-6) and prepared.max() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_array_equal(prepared[..., 0], prepared[..., 2])
    with pytest.raises(ValueError, match="NHWC"):
        judge.to_inception_input(np.zeros((2, 28, 28, 2)))


def test_inception_extractor_refuses_without_real_weights(monkeypatch):
    import keras

    def no_weights(**kwargs):
        raise OSError("weights not cached and no network")

    monkeypatch.setattr(keras.applications, "InceptionV3", no_weights)
    with pytest.raises(RuntimeError, match="no FID can be computed"):
        judge.inception_v3_extractor()


def test_ring_coverage_counts_points_near_each_mode():
    # modes at angles 0, 90, 180, 270 degrees on a circle of radius 1
    points = np.array([[1.0, 0.0], [1.05, 0.0], [0.0, 1.0], [-1.0, 0.1], [0.0, 0.0], [0.7, 0.7]])
    coverage = metrics.ring_coverage(points, modes=4, radius=1.0, tolerance=0.12)
    assert coverage["per_mode"].tolist() == [2, 1, 1, 0]  # (0, 0) and (0.7, 0.7) are between modes
    assert coverage["near_a_mode"] == pytest.approx(4 / 6)
    assert coverage["modes_covered"] == 3
    assert metrics.ring_coverage(np.zeros((3, 2)), modes=4)["modes_covered"] == 0
    with pytest.raises(ValueError, match="shape"):
        metrics.ring_coverage(np.zeros((3, 3)))


def test_jensen_shannon_hand_cases():
    assert metrics.jensen_shannon_divergence([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0)
    # no overlap: log 2, however the mass is spread
    assert metrics.jensen_shannon_divergence([1, 1, 0, 0], [0, 0, 3, 1]) == pytest.approx(math.log(2))
    # P = (1, 0), Q = (1/2, 1/2): M = (3/4, 1/4); KL(P||M) = log(4/3); KL(Q||M) = (log(2/3) + log 2) / 2
    expected = (math.log(4 / 3) + (math.log(2 / 3) + math.log(2)) / 2) / 2
    assert metrics.jensen_shannon_divergence([1, 0], [1, 1]) == pytest.approx(expected)
    with pytest.raises(ValueError, match="^p and q must be non-negative 1-D histograms of the same length with some mass$"):
        metrics.jensen_shannon_divergence([1, 0], [0, 0])


def test_wasserstein_1d_is_the_shift_between_copies():
    samples = np.random.default_rng(0).standard_normal(500)
    assert metrics.wasserstein_1d(samples, samples + 2.5) == pytest.approx(2.5)
    assert metrics.wasserstein_1d([0, 1], [1, 3]) == pytest.approx(1.5)  # |0-1| and |1-3|, averaged
    with pytest.raises(ValueError, match="^samples must be 1-D and of the same, non-zero size$"):
        metrics.wasserstein_1d([1, 2], [1])


@pytest.mark.slow
def test_per_class_accuracy_on_real_digits():
    _, held_out, held_out_labels = judge.reference_digits()
    accuracy = judge.per_class_accuracy(held_out[:300], held_out_labels[:300])
    assert accuracy.shape == (10,) and np.nanmin(accuracy) > 0.8
    wrong = judge.per_class_accuracy(held_out[:50], (held_out_labels[:50] + 1) % 10)
    assert np.nanmax(wrong) < 0.2


def test_checkerboard_energy_of_known_patterns():
    rows, columns = np.indices((8, 8))
    checkerboard = ((rows + columns) % 2 * 2.0 - 1)[None, :, :, None]
    assert metrics.checkerboard_energy(checkerboard) == pytest.approx(1.0)
    stripes = (columns % 2 * 2.0 - 1)[None, :, :, None]  # period-2 columns: all at Nyquist
    assert metrics.checkerboard_energy(stripes) == pytest.approx(1.0)
    smooth = np.cos(2 * np.pi * columns / 8)[None, :, :, None]  # one period across: none
    assert metrics.checkerboard_energy(smooth) == pytest.approx(0.0, abs=1e-12)
    # cos(pi x) alternates +-1 (mean square 1), cos(2 pi x / 8) has mean square 1/2:
    # the Nyquist share is 1 / (1 + 1/2)
    mixed = (np.cos(np.pi * columns) + np.cos(2 * np.pi * columns / 8))[None, :, :, None]
    assert metrics.checkerboard_energy(mixed) == pytest.approx(2 / 3)
    assert metrics.checkerboard_energy(np.zeros((1, 4, 4, 1))) == 0.0
    with pytest.raises(ValueError, match="even"):
        metrics.checkerboard_energy(np.zeros((1, 5, 5, 1)))


def test_nearest_neighbours_and_pairwise_distances_by_hand():
    references = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0]]).reshape(3, 1, 2, 1)
    images = np.array([[0.9, 1.1], [3.0, 3.0]]).reshape(2, 1, 2, 1)
    nearest, distances = metrics.nearest_neighbours(images, references)
    assert nearest.tolist() == [1, 2]
    np.testing.assert_allclose(distances, [0.1, 0.0], atol=1e-7)  # RMS over the 2 values
    nearest, distances = metrics.nearest_neighbours(references, references, exclude_self=True)
    assert nearest.tolist() == [1, 0, 1]
    np.testing.assert_allclose(distances, [1.0, 1.0, 2.0])
    # pairs: (0,1) 1, (0,2) 3, (1,2) 2 -> mean 2
    assert metrics.mean_pairwise_distance(references) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="differ in size"):
        metrics.nearest_neighbours(images, np.zeros((1, 3)))
    with pytest.raises(ValueError, match="two images"):
        metrics.mean_pairwise_distance(references[:1])


def test_pixel_scores_compare_generated_with_real():
    random = np.random.default_rng(0)
    real = random.uniform(-1, 1, (20, 4, 4, 1))
    copies = real[:10]
    scores = metrics.pixel_scores(copies, real)
    assert scores["generated"]["nearest_real"] == pytest.approx(0.0, abs=1e-6)  # copies
    assert scores["real"]["nearest_real"] > 0.3 and scores["real"]["images"] == 20
    collapsed = np.repeat(real[:1], 10, axis=0)
    assert metrics.pixel_scores(collapsed, real)["generated"]["diversity"] == pytest.approx(0.0, abs=1e-6)
    assert "checkerboard" in metrics.format_pixel_scores(scores)


def test_sharpness_matches_hand_computation_and_falls_with_blur():
    # one bright pixel in a 5x5 image: interior Laplacian -4 once, 1 four times, 0 four times
    image = np.zeros((1, 5, 5, 1))
    image[0, 2, 2, 0] = 1.0
    assert metrics.sharpness(image) == pytest.approx(20 / 9)
    assert metrics.sharpness(np.full((2, 6, 6, 1), 0.3)) == 0.0
    rng = np.random.default_rng(0)
    crisp = np.sign(rng.normal(size=(4, 16, 16, 1)))
    blurred = (crisp + np.roll(crisp, 1, axis=1) + np.roll(crisp, 1, axis=2) + np.roll(crisp, (1, 1), axis=(1, 2))) / 4
    assert metrics.sharpness(blurred) < metrics.sharpness(crisp) / 2
    with pytest.raises(ValueError, match="at least 3x3"):
        metrics.sharpness(np.zeros((1, 2, 2, 1)))


def _tiny_generator(conditional=False):
    import keras

    from ganlab import models

    keras.utils.set_random_seed(0)
    if conditional:
        return models.conditional_generator(latent_dim=8, widths=(8, 4), conditioning="embedding")
    return models.dcgan_generator(latent_dim=8, widths=(8, 4))


@pytest.mark.slow
def test_midpoint_scores_compare_prior_draws_with_both_midpoints():
    from ganlab import gans

    generator = _tiny_generator()
    rows = experiments.midpoint_scores(generator, num_pairs=300)
    assert [row["codes"] for row in rows] == ["prior draws", "lerp midpoints", "slerp midpoints"]
    prior, lerp, slerp = (row["mean_length"] for row in rows)
    # in 8 dimensions a draw is about sqrt(8) long; the straight line's middle about 1/sqrt(2) of that
    assert prior == pytest.approx(math.sqrt(8), rel=0.05)
    assert lerp == pytest.approx(prior / math.sqrt(2), rel=0.08)
    assert slerp == pytest.approx(prior, rel=0.05)
    # the prior draws' row is the judge-feature Frechet distance of the generator's seed-0 images
    features, _ = judge.judge_outputs(gans.generate_images(generator, 300, seed=0))
    reference, _ = judge.judge_outputs(judge.reference_digits()[0])
    assert rows[0]["judge_fid"] == pytest.approx(metrics.frechet_distance(features, reference), rel=1e-6)


def test_class_transition_starts_and_ends_on_the_generators_own_classes():
    from ganlab import gans

    generator = _tiny_generator(conditional=True)
    transition = experiments.class_transition(generator, 3, 8, steps=3, num_images=20)
    np.testing.assert_allclose(transition["positions"], [0, 0.5, 1])
    # at the ends the images are exactly the generator's for one class
    _, start_probabilities = judge.judge_outputs(gans.generate_images(generator, 20, seed=0, labels=3))
    assert transition["start_probability"][0] == pytest.approx(start_probabilities[:, 3].mean(), abs=1e-5)
    _, end_probabilities = judge.judge_outputs(gans.generate_images(generator, 20, seed=0, labels=8))
    assert transition["end_share"][-1] == pytest.approx((end_probabilities.argmax(axis=1) == 8).mean())
    assert transition["confidence"][0] == pytest.approx(start_probabilities.max(axis=1).mean(), abs=1e-5)
    assert all(len(values) == 3 for values in transition.values())


def test_ink_is_the_mean_brightness_by_hand():
    images = np.full((2, 2, 2, 1), -1.0)
    images[1, 0, :, 0] = 1.0  # half of the second image white
    np.testing.assert_allclose(metrics.ink(images), [0.0, 0.5])
    with pytest.raises(ValueError, match="NHWC"):
        metrics.ink(np.zeros((2, 2)))


def test_kernel_distance_from_whole_kernels_equals_kernels_per_subset(monkeypatch):
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(300, 8)), rng.normal(0.2, 1.1, size=(500, 8))
    whole = metrics.kernel_distance(a, b, subset_size=100, num_subsets=30)
    monkeypatch.setattr(metrics, "WHOLE_KERNEL_ROWS", 0)  # force the per-subset path
    per_subset = metrics.kernel_distance(a, b, subset_size=100, num_subsets=30)
    assert whole == pytest.approx(per_subset, rel=1e-10)
    assert whole[0] > 10 * whole[1]  # the shift is measured, well beyond its error


@pytest.mark.slow
def test_update_orders_are_compared_on_the_same_steps_and_summarised_per_way():
    from ganlab import data

    rows = experiments.compare_update_orders(data.ring_of_gaussians(512, seed=0), epochs=1, seeds=(0,), batch_size=128)
    assert [row["updates"] for row in rows] == list(experiments.UPDATE_ORDERS)
    assert all(0.0 <= row["near_a_mode"] <= 1.0 and 0 <= row["modes_covered"] <= 8 and row["seconds"] > 0 for row in rows)
    summary = experiments.summarise_by(rows + [dict(rows[0], seed=1, seconds=rows[0]["seconds"] + 2.0)], "updates", ("seconds",),
                                       each=("seconds",))
    assert [row["runs"] for row in summary] == [2, 1, 1]
    assert summary[0]["seconds"] == pytest.approx(rows[0]["seconds"] + 1.0)
    assert summary[0]["seconds_each"] == f"{rows[0]['seconds']:.3g}, {rows[0]['seconds'] + 2.0:.3g}"
    modes = experiments.summarise_by([dict(rows[0], modes_covered=8), dict(rows[0], modes_covered=0)], "updates", (),
                                     each=("modes_covered",))
    assert modes == [{"updates": rows[0]["updates"], "runs": 2, "modes_covered_each": "8, 0"}]


@pytest.mark.slow
def test_noise_distributions_and_update_schedules_are_compared_on_the_same_data():
    from ganlab import data

    points = data.ring_of_gaussians(512, seed=0)
    noise_rows = experiments.compare_noise_distributions(points, epochs=1, seeds=(0,), batch_size=128)
    assert [row["noise"] for row in noise_rows] == ["normal", "uniform"]
    schedule_rows = experiments.compare_update_schedules(points, epochs=2, seeds=(0,), schedules=((1, 1), (2, 1), (1, 2)), batch_size=128)
    # 512 points: 4 critic batches a pass; two critic updates per step halve the generator's
    assert [row["generator_updates"] for row in schedule_rows] == [8, 4, 16]
    for row in noise_rows + schedule_rows:
        assert 0.0 <= row["near_a_mode"] <= 1.0 and 0 <= row["modes_covered"] <= 8
