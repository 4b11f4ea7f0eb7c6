import time

import keras
import numpy as np
import pytest

from ganlab import callbacks


class FakeModel:
    """Just what the callbacks touch: a generator and the stop flag."""

    def __init__(self):
        self.stop_training = False
        self.generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Reshape((4, 4, 1))])

    def generate(self, num_images, seed=None):
        from ganlab import gans

        return gans.generate_images(self.generator, num_images, seed=seed)


def run_epochs(callback, epochs, logs=None, batches=3):
    callback.set_params({"steps": batches, "epochs": max(epochs) + 1})
    for epoch in epochs:
        callback.on_epoch_begin(epoch)
        for batch in range(batches):
            callback.on_train_batch_end(batch)
        callback.on_epoch_end(epoch, logs or {"d_loss": 1.0 + epoch, "g_loss": 0.5})


def test_loss_history_keeps_one_row_per_epoch_across_restarts(tmp_path):
    path = tmp_path / "losses.csv"
    run_epochs(callbacks.LossHistory(path), [0, 1, 2])
    # a run killed after writing epoch 2's row but before its checkpoint resumes at 2
    run_epochs(callbacks.LossHistory(path), [2, 3], logs={"d_loss": 9.0, "g_loss": 0.25})
    history = callbacks.read_history(path)
    assert history["epoch"] == [0, 1, 2, 3]
    assert history["d_loss"] == [1.0, 2.0, 9.0, 9.0]
    assert history["steps"] == [3, 3, 3, 3]


def test_read_history_of_missing_file_is_empty(tmp_path):
    assert callbacks.read_history(tmp_path / "none.csv") == {}


def test_time_limit_stops_after_the_budget():
    limit = callbacks.TimeLimit(minutes=0.5 / 60)
    limit.set_model(FakeModel())
    limit.on_train_begin()
    time.sleep(0.6)  # the first call into the compiled step: compilation is not charged
    limit.on_train_batch_end(0)
    limit.on_train_batch_end(1)
    assert not limit.model.stop_training
    time.sleep(0.6)
    limit.on_train_batch_end(2)
    assert limit.model.stop_training and limit.stopped
    with pytest.raises(ValueError, match="^minutes must be positive, got 0$"):
        callbacks.TimeLimit(0)


def test_monitor_writes_a_grid_per_epoch_and_a_gif(tmp_path):
    monitor = callbacks.GANMonitor(np.zeros((4, 2)), tmp_path / "grids", gif_path=tmp_path / "progress.gif")
    monitor.set_model(FakeModel())
    for epoch in range(3):
        monitor.on_epoch_end(epoch)
    monitor.on_epoch_end(1)  # a repeated epoch overwrites its grid
    monitor.on_train_end()
    assert sorted(path.name for path in (tmp_path / "grids").iterdir()) == [
        "epoch_0001.png",
        "epoch_0002.png",
        "epoch_0003.png",
    ]
    assert (tmp_path / "progress.gif").exists()
    assert monitor.write_gif(tmp_path / "again.gif") == 3


def test_write_atomically_leaves_no_partial_file(tmp_path):
    callbacks.write_atomically(tmp_path / "a.txt", "hello")
    assert (tmp_path / "a.txt").read_text() == "hello"
    assert [path.name for path in tmp_path.iterdir()] == ["a.txt"]


def test_loss_history_keeps_extra_numbers_and_blanks_where_missing(tmp_path):
    path = tmp_path / "losses.csv"
    history = callbacks.LossHistory(path)
    run_epochs(history, [0], logs={"d_loss": 1.0, "g_loss": 0.5})
    run_epochs(history, [1], logs={"d_loss": 1.1, "g_loss": 0.6, "judge_fid": 12.5, "note": "text is skipped"})
    read = callbacks.read_history(path)
    assert read["judge_fid"][1] == 12.5 and np.isnan(read["judge_fid"][0])
    assert "note" not in read
    assert list(read)[:5] == ["epoch", "steps", "seconds", "d_loss", "g_loss"]


@pytest.mark.slow
def test_quality_monitor_adds_judge_scores_every_n_epochs(tmp_path):
    from ganlab import models

    model = FakeModel()
    model.generator = models.dcgan_generator(latent_dim=4, widths=(8, 4, 2))
    monitor = callbacks.QualityMonitor(every=2, sample_size=1000)
    monitor.set_model(model)
    first, second = {"d_loss": 1.0}, {"d_loss": 1.0}
    monitor.on_epoch_end(0, first)
    monitor.on_epoch_end(1, second)
    assert set(first) == {"d_loss"}
    assert {"judge_fid", "judge_is", "coverage"} <= set(second)
    # the judge's verdict on 1000 images of the generator from seed-0 noise, recomputed from its parts
    from ganlab import gans, judge, metrics

    features, probabilities = judge.judge_outputs(gans.generate_images(model.generator, 1000, seed=0))
    reference, _ = judge.judge_outputs(judge.reference_digits()[0])
    assert second["judge_fid"] == pytest.approx(metrics.frechet_distance(features, reference), rel=1e-6)
    assert second["judge_is"] == pytest.approx(metrics.inception_score(probabilities)[0], rel=1e-6)
    assert second["coverage"] == metrics.mode_coverage(metrics.class_histogram(probabilities, 10))
    with pytest.raises(ValueError, match="^every must be positive, got 0$"):
        callbacks.QualityMonitor(every=0)


def test_epoch_progress_prints_about_ten_lines_with_time_left(capsys):
    progress = callbacks.EpochProgress()
    progress.set_params({"epochs": 40})
    progress.on_train_begin()
    for epoch in range(40):
        progress.on_epoch_begin(epoch)
        progress.on_epoch_end(epoch, {"d_loss": 1.25, "g_loss": 0.75, "real_accuracy": 0.5, "fake_accuracy": 0.625})
    lines = capsys.readouterr().out.splitlines()
    # the first epoch (to show it started), every 4th, and the last
    assert [line.split(" · ")[0] for line in lines] == ["epoch 1/40"] + [f"epoch {n}/40" for n in range(4, 41, 4)]
    assert lines[0].split(" · ")[1:5] == ["d_loss 1.250", "g_loss 0.750", "acc real 0.500", "acc fake 0.625"]
    assert lines[-1].endswith("~0:00 left")


def test_epoch_progress_counts_from_a_resumed_epoch(capsys):
    progress = callbacks.EpochProgress(every=5)
    progress.set_params({"epochs": 20})
    progress.on_train_begin()
    for epoch in range(10, 20):
        progress.on_epoch_begin(epoch)
        progress.on_epoch_end(epoch, {"d_loss": 1.0})
    assert [line.split(" · ")[0] for line in capsys.readouterr().out.splitlines()] == ["epoch 11/20", "epoch 15/20", "epoch 20/20"]
    with pytest.raises(ValueError, match="^every must be positive, got 0$"):
        callbacks.EpochProgress(every=0)


def test_decision_surface_snapshots_record_points_and_probabilities():
    from ganlab import gans, models

    generator = models.mlp_generator(latent_dim=3, output_shape=(2,), widths=(8,), output_activation=None)
    critic = models.mlp_discriminator(input_shape=(2,), widths=(8,), dropout=0.0)
    gan = gans.GAN(generator, critic, seed=0)
    snapshots = callbacks.DecisionSurfaceSnapshots(epochs=[2, 0], noise=np.zeros((5, 3)), resolution=7)
    snapshots.set_model(gan)
    snapshots.on_train_begin()
    snapshots.on_epoch_end(0)
    snapshots.on_epoch_end(1)
    assert [snapshot["epoch"] for snapshot in snapshots.snapshots] == [0, 2]
    first = snapshots.snapshots[0]
    assert first["points"].shape == (5, 2) and first["surface"].shape == (7, 7)
    axis, grid = snapshots.grid()
    # the surface is the critic's sigmoid at each grid point, rows along y
    expected = 1 / (1 + np.exp(-keras.ops.convert_to_numpy(critic(grid))))
    np.testing.assert_allclose(snapshots.snapshots[-1]["surface"].ravel(), expected.ravel(), rtol=1e-5)
    assert grid[7].tolist() == [axis[0], axis[1]]  # second row: y moved one step, x back at the start
    with pytest.raises(ValueError, match=r"^epochs must be zero or more, got \[\]$"):
        callbacks.DecisionSurfaceSnapshots(epochs=[], noise=np.zeros((1, 3)))


def test_image_statistics_add_checkerboard_and_diversity_every_epoch():
    from ganlab import metrics

    model = FakeModel()
    statistics = callbacks.ImageStatistics(sample_size=8, seed=1)
    statistics.set_model(model)
    logs = {"d_loss": 1.0}
    statistics.on_epoch_end(0, logs)
    from ganlab import gans

    expected = gans.generate_images(model.generator, 8, seed=1)
    assert logs["checkerboard"] == pytest.approx(metrics.checkerboard_energy(expected))
    assert logs["diversity"] == pytest.approx(metrics.mean_pairwise_distance(expected))
    with pytest.raises(ValueError, match="at least 2"):
        callbacks.ImageStatistics(sample_size=1)


def test_divergence_guard_checks_the_epoch_means_and_needs_no_per_step_hook():
    guard = callbacks.DivergenceGuard()
    guard.on_epoch_end(0, {"d_loss": 0.7, "g_loss": 1.2})
    with pytest.raises(callbacks.TrainingDiverged, match="^g_loss became inf in epoch 3$"):
        guard.on_epoch_end(2, {"d_loss": 0.7, "g_loss": float("inf")})
    assert keras.callbacks.Callback.on_train_batch_end is callbacks.DivergenceGuard.on_train_batch_end
    assert keras.callbacks.Callback.on_train_batch_end is callbacks.LossHistory.on_train_batch_end
    # the two per-step hooks ganlab keeps only read the clock or do nothing per step
    assert callbacks.TimeLimit.async_safe and callbacks.Checkpoint.async_safe and callbacks.ProgressBar.async_safe
