"""The shipped MNIST judge and the scores built on it (ganlab/metrics.py, second part)."""

import numpy as np
import pytest

from ganlab import judge


@pytest.fixture(scope="module")
def held_out():
    _, images, labels = judge.reference_digits()
    return images, labels


@pytest.mark.slow
def test_shipped_judge_reaches_its_stated_accuracy(held_out):
    record = judge.judge_record()
    assert record["held_out_accuracy"] >= 0.98
    images, labels = held_out
    assert len(images) == record["held_out_images"] == 1000
    assert judge.conditional_accuracy(images, labels) == pytest.approx(record["held_out_accuracy"], abs=5e-4)


def test_shipped_judge_is_small():
    assert (judge.assets_dir() / judge.JUDGE_WEIGHTS).stat().st_size <= 2_000_000


def test_judge_split_is_seeded_and_disjoint():
    train, held_out = judge.judge_split(5000)
    assert len(train) == 4000 and len(held_out) == 1000
    assert not set(train) & set(held_out)
    np.testing.assert_array_equal(held_out, judge.judge_split(5000)[1])


@pytest.mark.slow
def test_real_digits_score_well_and_noise_scores_badly(held_out):
    images, _ = held_out
    noise = np.random.default_rng(0).uniform(-1, 1, images.shape).astype("float32")
    real = judge.score_mnist(images)["generated"]
    bad = judge.score_mnist(noise, include_real=False)["generated"]
    assert real["coverage"] == 10 and not real["mode_collapse"]
    assert sum(real["histogram"]) == 1000
    assert real["judge_is"] > 8.0  # confident and varied: close to the 10 classes
    assert bad["judge_fid"] > 20 * max(real["judge_fid"], 0.01)
    assert bad["kid"] > real["kid"]
    assert bad["sharpness"] > real["sharpness"] > 0  # sharpness is pixels only: noise is "sharp"


@pytest.mark.slow
def test_one_digit_over_and_over_is_flagged_as_collapse(held_out):
    images, labels = held_out
    ones = images[labels == 1]
    collapsed = np.concatenate([ones] * (1000 // len(ones) + 1))[:1000]
    scores = judge.score_mnist(collapsed, include_real=False)["generated"]
    assert scores["coverage"] == 1 and scores["mode_collapse"]
    assert scores["judge_is"] < 1.5


@pytest.mark.slow
def test_scores_include_a_real_data_row_and_demand_the_fixed_sample_size(held_out):
    images, _ = held_out
    scores = judge.score_mnist(images)
    assert set(scores) == {"generated", "real"}
    assert scores["real"]["images"] == judge.SAMPLE_SIZE
    with pytest.raises(ValueError, match="1000 images"):
        judge.score_mnist(images[:10])
    assert "judge-FID" in judge.format_scores(scores)


@pytest.mark.slow
def test_the_real_row_is_computed_once_and_equals_scoring_the_held_out_digits(held_out):
    images, _ = held_out
    first = judge.score_mnist(images)
    # the held-out digits scored as "generated" (computed now) give the remembered real row
    assert first["real"] == first["generated"]
    first["real"]["histogram"][0] = -1  # a caller changing its copy changes nothing remembered
    assert judge.score_mnist(images)["real"] == first["generated"]


def test_conditional_accuracy_checks_labels(held_out):
    images, labels = held_out
    shuffled = np.random.default_rng(0).permutation(labels)
    assert judge.conditional_accuracy(images, shuffled) < 0.2
    with pytest.raises(ValueError, match="labels"):
        judge.conditional_accuracy(images, labels[:5])
    with pytest.raises(ValueError, match="28, 28, 1"):
        judge.judge_outputs(np.zeros((2, 32, 32, 3)))


def test_inception_features_resize_one_batch_at_a_time(monkeypatch):
    # before, the extractor resized all images to 299x299 at once (1,000 are about 1.1 GB)
    images = np.random.default_rng(0).uniform(-1, 1, (10, 8, 8, 1)).astype("float32")
    resized_counts = []
    original = judge.to_inception_input

    def spy(batch, size=299):
        resized_counts.append(len(batch))
        return original(batch, size)

    def network(batch, training=False):  # stands in for Inception-v3: a mean per channel
        return np.asarray(batch).mean(axis=(1, 2))

    monkeypatch.setattr(judge, "to_inception_input", spy)
    features = judge.features_in_batches(network, images, batch_size=4, size=16)
    assert resized_counts == [4, 4, 2]
    np.testing.assert_allclose(features, network(original(images, 16)), rtol=1e-6)
    with pytest.raises(ValueError, match="no images"):
        judge.features_in_batches(network, images[:0], batch_size=4, size=16)
