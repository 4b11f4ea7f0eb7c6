import json
import shutil
import time

import keras
import numpy as np
import pytest

from ganlab import callbacks, data, gans, runs
from ganlab.runs import session as session_module

ARTIFACTS = ["config.json", "run_info.json", "progress.gif", "losses.csv", "losses.png", "generator.keras"]


def judge_verdict(images):
    """``judge_fid``, ``judge_is``, ``coverage`` and the class probabilities of ``images``,
    computed from the judge's outputs rather than through ``judge.score_mnist``."""
    from ganlab import judge, metrics

    features, probabilities = judge.judge_outputs(images)
    reference, _ = judge.judge_outputs(judge.reference_digits()[0])
    return {
        "judge_fid": metrics.frechet_distance(features, reference),
        "judge_is": metrics.inception_score(probabilities)[0],
        "coverage": metrics.mode_coverage(metrics.class_histogram(probabilities, 10)),
        "probabilities": probabilities,
    }


def requested_class_accuracy(run_dir):
    """The judge's accuracy on 1000 seed-0 images of a conditional run asked for 0, 1, ..., 9, 0, ..."""
    requested = np.arange(1000) % 10
    images = gans.generate_images(runs.load_generator(run_dir), 1000, seed=0, labels=requested)
    return float((judge_verdict(images)["probabilities"].argmax(axis=1) == requested).mean())


@pytest.mark.slow
def test_train_writes_every_artifact(tmp_path, tiny_config):
    result = runs.train(tiny_config, tmp_path, verbose=0)
    for name in ARTIFACTS:
        assert (tmp_path / name).is_file(), name
    assert sorted(path.name for path in (tmp_path / "grids").iterdir()) == ["epoch_0001.png", "epoch_0002.png"]
    assert (tmp_path / "checkpoint" / "latest.weights.h5").is_file()
    assert result.epochs_done == 2 and not result.stopped_by_time_limit
    assert result.history["epoch"] == [0, 1]
    assert result.history["steps"] == [4, 4]  # 128 images, batch 32
    info = json.loads((tmp_path / "run_info.json").read_text())
    assert info["data_source"] == "embedded" and info["status"] == "finished"
    assert info["versions"]["keras"] == keras.__version__
    generator = runs.load_generator(tmp_path)
    assert generator.output_shape == (None, 28, 28, 1)


@pytest.mark.slow
def test_resumed_run_continues_where_it_stopped_and_matches_an_uninterrupted_one(tmp_path, tiny_config):
    uninterrupted = runs.train(tiny_config.replace(epochs=3), tmp_path / "straight", verbose=0)

    runs.train(tiny_config.replace(epochs=1), tmp_path / "first-machine" / "resumed", verbose=0)
    # the folder moves (a Drive folder mounted elsewhere on a new Colab VM): nothing in it
    # names the old path, so the run resumes from the new one
    shutil.move(tmp_path / "first-machine" / "resumed", tmp_path / "resumed")
    config = runs.prepare_config("dcgan-mnist", tmp_path / "resumed", epochs=3)
    assert config == tiny_config.replace(epochs=3)  # the saved recipe, extended
    resumed = runs.train(config, tmp_path / "resumed", verbose=0)

    assert resumed.first_epoch == 1 and resumed.epochs_done == 3
    assert resumed.history["epoch"] == [0, 1, 2]
    # optimizer, noise and dropout RNG state are all restored, so the runs agree
    for name in ("d_loss", "g_loss", "real_accuracy", "fake_accuracy"):
        np.testing.assert_allclose(resumed.history[name], uninterrupted.history[name], rtol=1e-4, atol=1e-5)
    straight = runs.build_gan(tiny_config)
    straight.load_weights(tmp_path / "straight" / "checkpoint" / "latest.weights.h5")
    again = runs.build_gan(tiny_config)
    again.load_weights(tmp_path / "resumed" / "checkpoint" / "latest.weights.h5")
    assert int(again.g_optimizer.iterations) == int(straight.g_optimizer.iterations) == 12
    for left, right in zip(again.generator.get_weights(), straight.generator.get_weights(), strict=True):
        np.testing.assert_allclose(left, right, rtol=1e-4, atol=1e-5)


def test_a_run_trains_on_images_already_loaded_without_loading_them_again(tmp_path, tiny_config, monkeypatch):
    images = data.load_training_data(tiny_config, verbose=False)

    def load_again(*args, **kwargs):
        raise AssertionError("the images were loaded a second time")

    monkeypatch.setattr(data, "load_training_data", load_again)
    result = runs.train(tiny_config.replace(epochs=1), tmp_path, verbose=0, images=images)
    assert result.epochs_done == 1 and json.loads((tmp_path / "run_info.json").read_text())["num_images"] == 128


@pytest.mark.slow
def test_rerunning_a_finished_run_trains_nothing(tmp_path, tiny_config):
    runs.train(tiny_config, tmp_path, verbose=0)
    before = (tmp_path / "losses.csv").read_text()
    result = runs.train(tiny_config, tmp_path, verbose=0)
    assert result.first_epoch == result.epochs_done == 2
    assert (tmp_path / "losses.csv").read_text() == before


@pytest.mark.slow
def test_time_limit_stops_cleanly_and_still_writes_everything(tmp_path, tiny_config):
    result = runs.train(tiny_config.replace(epochs=1000), tmp_path, minutes=3 / 60, verbose=0)
    assert result.stopped_by_time_limit
    assert 1 <= result.epochs_done < 1000
    for name in ARTIFACTS:
        assert (tmp_path / name).is_file(), name
    assert json.loads((tmp_path / "run_info.json").read_text())["status"] == "stopped by time limit"


def test_prepare_config_refuses_to_change_a_started_recipe(tmp_path, tiny_config):
    tiny_config.save(tmp_path / "config.json")
    with pytest.raises(ValueError, match="batch_size=32"):
        runs.prepare_config("dcgan-mnist", tmp_path, batch_size=64)
    with pytest.raises(ValueError, match="not 'dcgan-mnist-tutorial'"):
        runs.prepare_config("dcgan-mnist-tutorial", tmp_path)
    assert runs.prepare_config("dcgan-mnist", tmp_path, epochs=7).epochs == 7


@pytest.mark.slow
def test_sample_from_a_run(tmp_path, tiny_config):
    runs.train(tiny_config.replace(epochs=1), tmp_path, verbose=0)
    images = runs.sample(tmp_path, 6, seed=1)
    assert images.shape == (6, 28, 28, 1) and images.dtype == np.float32
    # the run's generator in inference mode on seed 1's standard normal noise
    generator = runs.load_generator(tmp_path)
    expected = generator(gans.latent_vectors(6, generator.input_shape[-1], seed=1), training=False)
    np.testing.assert_allclose(images, np.asarray(expected), atol=1e-6)
    np.testing.assert_array_equal(images, runs.sample(tmp_path, 6, seed=1))
    runs.save_samples(images, tmp_path / "s.npz")
    with np.load(tmp_path / "s.npz") as saved:
        np.testing.assert_array_equal(saved["images"], images)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda path: runs.sample(path / "missing", 3), "no run folder"),
        (lambda path: runs.sample(path, 3), "no generator.keras"),
        (lambda path: runs.sample(path, 0), "positive"),
        (lambda path: runs.save_samples(np.zeros((1, 2, 2, 1)), path / "x.png"), ".npz"),
        (lambda path: runs.save_samples(np.zeros((1, 2, 2, 1)), path / "no" / "x.npz"), "does not exist"),
    ],
)
def test_sampling_errors_are_clear(tmp_path, call, message):
    with pytest.raises(ValueError, match=message):
        call(tmp_path)


@pytest.mark.slow
def test_history_csv_matches_keras_logs(tmp_path, tiny_config):
    result = runs.train(tiny_config.replace(epochs=1), tmp_path, verbose=0)
    history = callbacks.read_history(tmp_path / "losses.csv")
    assert history == result.history
    assert all(np.isfinite(history[name][0]) for name in ("d_loss", "g_loss"))


@pytest.mark.parametrize("steps, most, expected", [(78, 4, 3), (78, 8, 6), (40, 4, 4), (7, 4, 1), (2, 8, 2), (1, 4, 1)])
def test_steps_per_call_divides_the_epoch(steps, most, expected):
    assert runs.steps_per_call(steps, most) == expected


@pytest.mark.parametrize(
    "preset, num_images, expected",
    [
        ("dcgan-mnist", 5000, 156),  # 4 steps per call divide 156 batches of 32: every batch is used
        ("dcgan-mnist", 60000, 1875),  # 1,875 = 3 x 625: 3-step calls use every batch
        ("dcgan-mnist-tutorial", 60000, 234),  # 234 = 2 x 117: 3-step calls (234 = 3 x 78)
        ("wgan-gp-mnist", 60000, 184),  # 187 = 11 x 17 batches of 320 images
        ("dcgan-lfw", 100, 6),  # 20 passes of 6 batches make 120 steps, 4 per call
    ],
)
def test_batches_per_pass_keeps_every_epoch_a_whole_number_of_calls(preset, num_images, expected):
    from ganlab import config

    recipe = config.get_preset(preset)
    used = runs.batches_per_pass(num_images, recipe)
    assert used == expected
    steps_per_epoch = used * recipe.passes_per_epoch
    assert steps_per_epoch % runs.steps_per_call(steps_per_epoch, recipe.steps_per_execution) == 0
    assert runs.steps_per_call(steps_per_epoch, recipe.steps_per_execution) >= recipe.steps_per_execution / 2


@pytest.mark.slow
def test_a_run_on_a_prime_number_of_batches_calls_several_steps_at_once_and_resumes_exactly(tmp_path, tiny_config):
    # 7 batches of 16 per pass: 7 is prime, so 4 of them are used, in one 4-step call
    recipe = tiny_config.replace(batch_size=16, max_images=112, epochs=2)
    straight = runs.train(recipe, tmp_path / "straight", verbose=0)
    assert json.loads((tmp_path / "straight" / "run_info.json").read_text())["steps_per_epoch"] == 4
    assert straight.history["steps"] == [4, 4]
    runs.train(recipe.replace(epochs=1), tmp_path / "resumed", verbose=0)
    resumed = runs.train(recipe, tmp_path / "resumed", verbose=0)
    for name in ("d_loss", "g_loss"):
        np.testing.assert_allclose(resumed.history[name], straight.history[name], rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_a_default_runs_callbacks_allow_keras_asynchronous_dispatch(tmp_path, tiny_config, monkeypatch):
    # Keras dispatches per-step callbacks asynchronously only if every callback with a
    # per-step hook declares itself async-safe; otherwise every call waits for its logs.
    # TensorFlow's backend never dispatches asynchronously (keras IS_THREAD_SAFE is
    # False there), so ask Keras what it would decide on a backend that does.
    import keras.src.backend
    from keras.src.callbacks import callback_list

    monkeypatch.setattr(keras.src.backend, "IS_THREAD_SAFE", True)
    options = runs.TrainingOptions(minutes=5)  # the default run: progress bar, time limit, checkpoint
    session = session_module._Session(tiny_config.replace(epochs=1), tmp_path, options)
    assert {type(callback).__name__ for callback in session.callbacks} >= {"ProgressBar", "TimeLimit", "Checkpoint", "DivergenceGuard"}
    assert callback_list.CallbackList(session.callbacks, model=session.gan)._async_train is True


@pytest.mark.slow
def test_the_progress_bar_shows_every_step(tmp_path, tiny_config, capsys):
    runs.train(tiny_config.replace(epochs=1), tmp_path, minutes=5)
    assert "4/4" in capsys.readouterr().out


@pytest.mark.slow
def test_grouped_steps_keep_epochs_whole(tmp_path, tiny_config):
    # 128 images at batch 16 is 8 steps; groups of up to 3 give 2, so 4 calls per epoch
    result = runs.train(tiny_config.replace(batch_size=16, steps_per_execution=3, epochs=1), tmp_path, verbose=0)
    assert result.history["steps"] == [8]
    gan = runs.build_gan(tiny_config)
    gan.load_weights(tmp_path / "checkpoint" / "latest.weights.h5")
    assert int(gan.g_optimizer.iterations) == 8


@pytest.mark.slow
def test_resuming_on_other_data_is_refused(tmp_path, tiny_config, monkeypatch):
    from ganlab import data

    runs.train(tiny_config.replace(epochs=1), tmp_path, verbose=0)
    embedded = data.load_mnist(verbose=False)
    # the same recipe, but now the full download is available instead of the embedded digits
    monkeypatch.setattr(data.training, "load_mnist", lambda *args, **kwargs: embedded._replace(source="keras"))
    with pytest.raises(ValueError, match="trained on 128 images from 'embedded'"):
        runs.train(tiny_config.replace(epochs=2), tmp_path, verbose=0)


class InterruptAfter(keras.callbacks.Callback):
    """Raise KeyboardInterrupt partway through an epoch, as Ctrl-C would."""

    def __init__(self, epoch, batch):
        super().__init__()
        self.epoch, self.batch, self.current = epoch, batch, 0

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch >= self.batch:
            raise KeyboardInterrupt(f"Ctrl-C in epoch {self.current}, batch {batch}")


@pytest.mark.slow
def test_interrupted_run_keeps_completed_epochs_and_resumes(tmp_path, tiny_config):
    recipe = tiny_config.replace(epochs=3, steps_per_execution=1)
    # Ctrl-C in the middle of the second epoch: train re-raises the very interrupt
    with pytest.raises(KeyboardInterrupt, match="^Ctrl-C in epoch 1, batch 1$"):
        runs.train(recipe, tmp_path, verbose=0, extra_callbacks=[InterruptAfter(epoch=1, batch=1)])
    info = json.loads((tmp_path / "run_info.json").read_text())
    assert info["status"] == "interrupted" and info["epochs_done"] == 1
    assert (tmp_path / "progress.gif").is_file() and (tmp_path / "losses.png").is_file()
    assert callbacks.read_history(tmp_path / "losses.csv")["epoch"] == [0]
    resumed = runs.train(recipe, tmp_path, verbose=0)
    assert resumed.first_epoch == 1
    assert resumed.history["epoch"] == [0, 1, 2]


@pytest.mark.slow
def test_train_refuses_to_resume_a_folder_with_another_recipe(tmp_path, tiny_config):
    runs.train(tiny_config.replace(epochs=1), tmp_path, verbose=0)
    with pytest.raises(ValueError, match="generator_widths"):
        runs.train(tiny_config.replace(generator_widths=(16, 8, 4)), tmp_path, verbose=0)
    assert runs.Recipe.load(tmp_path / "config.json") == tiny_config.replace(epochs=1)  # untouched


@pytest.mark.slow
def test_quality_scores_and_progress_lines_during_a_run(tmp_path, tiny_config, capsys):
    result = runs.train(tiny_config.replace(epochs=2), tmp_path, quality_every=2, progress_every=1)
    fid = result.history["judge_fid"]
    assert np.isnan(fid[0])  # scored at epoch 2 only, on the final generator's 1000 seeded images
    expected = judge_verdict(gans.generate_images(runs.load_generator(tmp_path), 1000, seed=tiny_config.seed))
    assert fid[1] == pytest.approx(expected["judge_fid"], rel=2e-5)  # losses.csv keeps 6 digits
    assert result.history["judge_is"][1] == pytest.approx(expected["judge_is"], rel=2e-5)
    assert result.history["coverage"][1] == expected["coverage"]
    printed = capsys.readouterr().out
    assert "epoch 1/2 · d_loss" in printed and "epoch 2/2 · d_loss" in printed
    assert "━" not in printed  # no Keras progress bar


def test_quality_scores_need_mnist(tmp_path, tiny_config):
    with pytest.raises(ValueError, match="MNIST judge"):
        runs.train(tiny_config.replace(dataset="lfw"), tmp_path, quality_every=1)


# WGAN-GP and ACGAN: test_new_trainers_resume_exactly runs, resumes and samples them
@pytest.mark.parametrize("preset", ["lsgan-mnist", "cgan-mnist"])
@pytest.mark.slow
def test_every_trainer_runs_resumes_and_samples(tmp_path, tiny_config, preset):
    recipe = config_for(preset, tiny_config)
    result = runs.train(recipe.replace(epochs=1), tmp_path, verbose=0)
    assert result.epochs_done == 1
    # a WGAN step eats n_critic batches
    assert result.history["steps"] == [128 // recipe.images_per_step]
    resumed = runs.train(recipe.replace(epochs=2), tmp_path, verbose=0)
    assert resumed.first_epoch == 1 and len(resumed.history["epoch"]) == 2
    images = runs.sample(tmp_path, 4, seed=0, label=7 if recipe.conditional else None)
    assert images.shape == (4, 28, 28, 1)


def config_for(preset, tiny_config):
    from ganlab import config

    recipe = config.get_preset(preset)
    smaller = dict(generator_widths=tiny_config.generator_widths, discriminator_widths=tiny_config.discriminator_widths,
                   batch_size=16, max_images=128, monitor_images=20)
    # a VAE has no discriminator: each recipe takes the fields its trainer has
    return recipe.replace(**{field: value for field, value in smaller.items() if recipe.has(field)})


@pytest.mark.slow
def test_conditional_run_scores_the_requested_classes(tmp_path, tiny_config):
    runs.train(config_for("acgan-mnist", tiny_config).replace(epochs=1), tmp_path, verbose=0)
    scores, written = runs.score(tmp_path)
    assert scores["generated"]["conditional_accuracy"] == pytest.approx(requested_class_accuracy(tmp_path))
    assert json.loads(written.read_text())["scores"]["generated"]["conditional_accuracy"] == scores["generated"]["conditional_accuracy"]
    with pytest.raises(ValueError, match="0..9"):
        runs.sample(tmp_path, 2, label=10)
    assert runs.monitor_labels(20, 10).reshape(2, 10).tolist() == [[0] * 10, [1] * 10]


@pytest.mark.slow
def test_summary_describes_a_finished_run(tmp_path, tiny_config):
    started = time.perf_counter()
    runs.train(config_for("cgan-mnist", tiny_config).replace(epochs=1), tmp_path, verbose=0)
    elapsed = time.perf_counter() - started
    row = runs.summary(tmp_path)
    assert row["recipe"] == "cgan-mnist" and row["model"] == "cgan" and row["epochs"] == 1
    assert row["steps"] == 8 and row["conditional_accuracy"] == pytest.approx(requested_class_accuracy(tmp_path))
    # the epochs' time in minutes: part of the time train took, not seconds and not nothing
    assert 0 < row["minutes"] * 60 <= elapsed
    assert (tmp_path / "metrics.json").exists()
    with pytest.raises(ValueError, match="no run folder"):
        runs.summary(tmp_path / "nothing")


@pytest.mark.parametrize("preset", ["wgan-gp-mnist", "acgan-mnist"])
@pytest.mark.slow
def test_new_trainers_resume_exactly(tmp_path, tiny_config, preset):
    # the penalty's interpolation RNG and the generated labels' RNG are checkpointed too
    recipe = config_for(preset, tiny_config)
    straight = runs.train(recipe.replace(epochs=2), tmp_path / "straight", verbose=0)
    runs.train(recipe.replace(epochs=1), tmp_path / "resumed", verbose=0)
    resumed = runs.train(recipe.replace(epochs=2), tmp_path / "resumed", verbose=0)
    assert resumed.first_epoch == 1
    # a WGAN step eats n_critic batches
    assert straight.history["steps"] == [128 // recipe.images_per_step] * 2
    for name in ("d_loss", "g_loss"):
        np.testing.assert_allclose(resumed.history[name], straight.history[name], rtol=1e-4, atol=1e-5)
    images = runs.sample(tmp_path / "resumed", 4, seed=0, label=7 if recipe.conditional else None)
    np.testing.assert_array_equal(images, runs.sample(tmp_path / "straight", 4, seed=0, label=7 if recipe.conditional else None))


def tiny_faces(**changes):
    from ganlab import config

    tiny = dict(generator_widths=(16, 8, 4), discriminator_widths=(4, 8, 16), epochs=2, passes_per_epoch=2, monitor_images=8)
    return config.get_preset("dcgan-lfw").replace(**(tiny | changes))


@pytest.mark.slow
def test_face_run_trains_resumes_exactly_samples_and_scores(tmp_path):
    straight = runs.train(tiny_faces(), tmp_path / "straight", verbose=0)
    assert straight.history["steps"] == [12, 12]  # 100 faces, batch 16: 6 batches a pass, 2 passes
    # no judge for faces: the pixel statistics of the generator's 64 seeded samples are in the history instead
    from ganlab import data, metrics

    samples = gans.generate_images(runs.load_generator(tmp_path / "straight"), 64, seed=tiny_faces().seed)
    assert straight.history["checkerboard"][-1] == pytest.approx(metrics.checkerboard_energy(samples), rel=2e-5)
    assert straight.history["diversity"][-1] == pytest.approx(metrics.mean_pairwise_distance(samples), rel=2e-5)
    runs.train(tiny_faces(epochs=1), tmp_path / "resumed", verbose=0)
    resumed = runs.train(tiny_faces(), tmp_path / "resumed", verbose=0)
    # the flips and the shuffles of the resumed epoch are the uninterrupted run's
    for name in ("d_loss", "g_loss", "checkerboard"):
        np.testing.assert_allclose(resumed.history[name], straight.history[name], rtol=1e-4, atol=1e-5)
    info = json.loads((tmp_path / "straight" / "run_info.json").read_text())
    assert info["data_source"] == "lfw-subset" and info["num_images"] == 100
    assert runs.sample(tmp_path / "straight", 3).shape == (3, 32, 32, 1)
    scores, written = runs.score(tmp_path / "straight")
    assert set(scores) == {"real", "generated"} and scores["real"]["images"] == 100 and scores["generated"]["images"] == 1000
    # the real faces' mean RMS distance to their nearest other face, by brute force
    faces = data.load_lfw_faces(32, 1, verbose=False).images().reshape(100, -1).astype(np.float64)
    distances = np.sqrt(((faces[:, None] - faces[None]) ** 2).mean(axis=2))
    np.fill_diagonal(distances, np.inf)
    assert scores["real"]["nearest_real"] == pytest.approx(distances.min(axis=1).mean(), rel=1e-6)
    row = runs.summary(tmp_path / "straight")
    assert row["recipe"] == "dcgan-lfw" and "checkerboard" in row and "conditional_accuracy" not in row


@pytest.mark.slow
def test_folder_run_reads_the_folder_and_may_move(tmp_path):
    from PIL import Image
    from skimage.data import astronaut

    folder = tmp_path / "images"
    folder.mkdir()
    for index in range(20):
        Image.fromarray(astronaut()[index * 10 : index * 10 + 64, 200:264]).save(folder / f"{index}.png")
    recipe = tiny_faces(dataset="folder", data_dir=str(folder), batch_size=8, passes_per_epoch=1, epochs=1)
    result = runs.train(recipe, tmp_path / "run", verbose=0)
    assert result.history["steps"] == [2]
    moved = tmp_path / "moved"
    folder.rename(moved)
    resumed = runs.prepare_config("dcgan-lfw", tmp_path / "run", epochs=2, data_dir=str(moved))
    assert runs.train(resumed, tmp_path / "run", verbose=0).epochs_done == 2


@pytest.mark.slow
def test_celeba_preset_runs_on_the_offline_faces(tmp_path, capsys):
    from ganlab import config

    recipe = config.get_preset("dcgan-celeba").replace(
        generator_widths=(16, 8, 8, 4), discriminator_widths=(4, 8, 8, 16), batch_size=50, epochs=1, monitor_images=4
    )
    result = runs.train(recipe, tmp_path, data_source="embedded", verbose=0)
    assert result.history["steps"] == [2]
    assert json.loads((tmp_path / "run_info.json").read_text())["data_source"] == "lfw-subset"
    assert runs.sample(tmp_path, 2).shape == (2, 64, 64, 3)


@pytest.mark.parametrize("preset", ["vae-mnist", "vaegan-mnist"])
@pytest.mark.slow
def test_autoencoder_runs_resume_exactly_and_keep_their_encoder(tmp_path, tiny_config, preset):
    recipe = config_for(preset, tiny_config).replace(encoder_widths=(8, 16))
    straight = runs.train(recipe.replace(epochs=2), tmp_path / "straight", verbose=0)
    runs.train(recipe.replace(epochs=1), tmp_path / "resumed", verbose=0)
    resumed = runs.train(recipe.replace(epochs=2), tmp_path / "resumed", verbose=0)
    # the sampling layer's RNG is checkpointed with the weights and optimizers
    terms = ("loss", "kl_loss") if preset == "vae-mnist" else ("e_loss", "g_loss", "d_loss", "kl_loss", "feature_loss")
    for name in terms:
        np.testing.assert_allclose(resumed.history[name], straight.history[name], rtol=1e-4, atol=1e-5)
    assert (tmp_path / "straight" / "losses.png").is_file()
    from ganlab import data, vae

    encoder, decoder = runs.load_encoder(tmp_path / "straight"), runs.load_generator(tmp_path / "straight")
    digits = data.load_dataset("mnist", source="embedded", verbose=False).images[:5]
    codes = vae.encode(encoder, digits)
    assert codes.shape == (5, 16) and vae.decode(decoder, codes).shape == (5, 28, 28, 1)
    loaded = runs.load_autoencoder(tmp_path / "straight")
    np.testing.assert_allclose(loaded.reconstruct(digits), vae.decode(decoder, codes), atol=1e-6)
    assert runs.sample(tmp_path / "straight", 3).shape == (3, 28, 28, 1)
    row = runs.summary(tmp_path / "straight")
    assert row["model"] == recipe.model
    # the scores of the decoder's 1000 seed-0 samples, and the squared error of the judge's held-out digits
    from ganlab import judge, metrics

    samples = gans.generate_images(decoder, 1000, seed=0)
    assert row["judge_fid"] == pytest.approx(judge_verdict(samples)["judge_fid"], rel=1e-6)
    assert row["sharpness"] == pytest.approx(metrics.sharpness(samples), rel=1e-6)
    held_out = judge.reference_digits()[1][:1000]
    assert row["reconstruction_error"] == pytest.approx(float(np.mean((loaded.reconstruct(held_out) - held_out) ** 2)), rel=1e-5)


@pytest.mark.slow
def test_a_gan_run_has_no_encoder(tmp_path, tiny_config):
    runs.train(tiny_config.replace(epochs=1), tmp_path, verbose=0)
    with pytest.raises(ValueError, match="has no encoder"):
        runs.load_encoder(tmp_path)


@pytest.mark.slow
def test_face_autoencoder_preset_runs_on_the_offline_faces(tmp_path):
    from ganlab import config

    recipe = config.get_preset("vaegan-celeba").replace(
        generator_widths=(16, 8, 8, 4), encoder_widths=(4, 8, 8, 16), discriminator_widths=(4, 8, 8, 16), batch_size=50,
        epochs=1, monitor_images=4, latent_dim=8,
    )
    result = runs.train(recipe, tmp_path, data_source="embedded", verbose=0)
    assert result.history["steps"] == [2] and "diversity" in result.history
    assert runs.load_encoder(tmp_path).output_shape == [(None, 8), (None, 8)]


class PoisonGenerator(keras.callbacks.Callback):
    """Puts NaN into the generator's last layer when ``epoch`` begins (``times`` times), as
    a run blowing up would: every loss after that is NaN."""

    def __init__(self, epoch: int, times: int = 1):
        super().__init__()
        self.epoch, self.remaining = epoch, times

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.epoch and self.remaining:
            self.remaining -= 1
            kernel = self.model.generator.get_layer("to_image").kernel
            kernel.assign(kernel * np.nan)


def _finite(weights) -> bool:
    return all(np.isfinite(weight).all() for weight in weights)


@pytest.mark.slow
def test_a_nan_loss_stops_the_run_and_keeps_the_last_good_epoch_intact(tmp_path, tiny_config):
    recipe = tiny_config.replace(epochs=4)
    with pytest.raises(runs.RunDiverged, match=r"in epoch 3\. The last good checkpoint \(epoch 2\) is kept in") as raised:
        runs.train(recipe, tmp_path, verbose=0, extra_callbacks=[PoisonGenerator(epoch=2)])
    assert "--on-divergence restore" in str(raised.value)
    history = callbacks.read_history(tmp_path / "losses.csv")
    assert history["epoch"] == [0, 1] and all(np.isfinite(history["g_loss"]))
    assert sorted(path.name for path in (tmp_path / "grids").glob("*.png")) == ["epoch_0001.png", "epoch_0002.png"]
    info = json.loads((tmp_path / "run_info.json").read_text())
    assert info["status"] == "diverged" and info["epochs_done"] == 2
    assert info["divergences"] == [{"epoch": 3, "loss": info["divergences"][0]["loss"], "value": "nan", "learning_rate_scale": 1.0}]
    # the checkpoint and the saved generator are those of epoch 2: finite, and the same
    saved = runs.load_generator(tmp_path)
    restored = runs.build_gan(recipe)
    restored.load_weights(tmp_path / "checkpoint" / "latest.weights.h5")
    assert _finite(saved.get_weights()) and _finite(restored.get_weights())
    # (the saved generator is the one the run draws with: the averaged weights)
    for left, right in zip(restored.sampling_generator().get_weights(), saved.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
    # the same call again, without the poison, resumes from epoch 2
    again = runs.train(recipe, tmp_path, verbose=0)
    assert again.first_epoch == 2 and again.history["epoch"] == [0, 1, 2, 3]


@pytest.mark.slow
def test_divergence_guard_can_restore_and_halve_the_learning_rates(tmp_path, tiny_config):
    recipe = tiny_config.replace(epochs=3)
    result = runs.train(recipe, tmp_path, verbose=0, on_divergence="restore", extra_callbacks=[PoisonGenerator(epoch=1)])
    assert result.epochs_done == 3 and result.history["epoch"] == [0, 1, 2] and all(np.isfinite(result.history["d_loss"]))
    info = json.loads((tmp_path / "run_info.json").read_text())
    assert info["status"] == "finished" and info["learning_rate_scale"] == 0.5 and len(info["divergences"]) == 1
    restored = runs.build_gan(recipe)
    restored.load_weights(tmp_path / "checkpoint" / "latest.weights.h5")
    assert float(restored.g_optimizer.learning_rate) == pytest.approx(0.5 * recipe.generator_learning_rate)
    assert float(restored.d_optimizer.learning_rate) == pytest.approx(0.5 * recipe.discriminator_learning_rate)
    # a later resume keeps the lowered rate (the scale lives in run_info.json)
    longer = runs.train(recipe.replace(epochs=4), tmp_path, verbose=0)
    assert longer.first_epoch == 3
    restored.load_weights(tmp_path / "checkpoint" / "latest.weights.h5")
    assert float(restored.g_optimizer.learning_rate) == pytest.approx(0.5 * recipe.generator_learning_rate)
    # a run that keeps diverging gives up after MAX_RESTORES halvings
    with pytest.raises(runs.RunDiverged, match="diverged again after lowering the learning rate 3 times"):
        runs.train(recipe.replace(epochs=6), tmp_path, verbose=0, on_divergence="restore", extra_callbacks=[PoisonGenerator(epoch=4, times=10)])


@pytest.mark.parametrize("preset", ["dcgan-mnist", "wgan-gp-mnist", "cgan-mnist", "acgan-mnist", "vae-mnist", "vaegan-mnist", "dcgan-lfw"])
@pytest.mark.slow
def test_every_network_saves_without_code_and_loads_in_safe_mode(tmp_path, tiny_config, preset):
    """``.keras`` files hold configs and weights only: no Lambda layer (pickled Python
    code), so ``safe_mode=True`` loads them and loading runs nothing from the file."""
    import zipfile

    from ganlab import config

    recipe = config.get_preset(preset)
    smaller = dict(generator_widths=(16, 8, 4), discriminator_widths=(4, 8))
    trainer = runs.build_gan(recipe.replace(**{field: value for field, value in smaller.items() if recipe.has(field)}))
    networks = [trainer.generator, *(network for network in (getattr(trainer, "discriminator", None), getattr(trainer, "encoder", None)) if network)]
    for network in networks:
        path = tmp_path / f"{network.name}.keras"
        network.save(path)
        with zipfile.ZipFile(path) as archive:
            described = archive.read("config.json").decode()
        assert '"Lambda"' not in described and "__lambda__" not in described
        loaded = keras.models.load_model(path, compile=False, safe_mode=True)
        for left, right in zip(loaded.get_weights(), network.get_weights(), strict=True):
            np.testing.assert_array_equal(left, right)


def test_the_package_never_pickles():
    from pathlib import Path

    package = Path(runs.__file__).parents[1]
    sources = {str(path.relative_to(package)): path.read_text() for path in package.rglob("*.py")}
    for name, text in sources.items():
        assert "import pickle" not in text and "allow_pickle=True" not in text and "layers.Lambda" not in text, name


@pytest.mark.slow
def test_a_run_that_diverges_in_its_first_epoch_says_there_is_no_checkpoint(tmp_path, tiny_config):
    with pytest.raises(runs.RunDiverged, match="in epoch 1. No epoch was completed, so there is no checkpoint"):
        runs.train(tiny_config.replace(epochs=2), tmp_path, verbose=0, extra_callbacks=[PoisonGenerator(epoch=0)])
    assert not (tmp_path / "losses.csv").exists() or callbacks.read_history(tmp_path / "losses.csv") == {}
    assert json.loads((tmp_path / "run_info.json").read_text())["status"] == "diverged"


@pytest.mark.slow
def test_restoring_a_run_that_diverges_in_its_first_epoch_gives_up_after_the_documented_restarts(tmp_path, tiny_config):
    # Before: the next session read the run record only after a completed epoch, so it
    # forgot the divergence and the halved rates and restarted at full rate forever.
    poison = PoisonGenerator(epoch=0, times=100)
    with pytest.raises(runs.RunDiverged, match="in epoch 1. No epoch was completed.*diverged again after lowering the learning rate 3 times"):
        runs.train(tiny_config.replace(epochs=2), tmp_path, verbose=0, on_divergence="restore", extra_callbacks=[poison])
    info = json.loads((tmp_path / "run_info.json").read_text())
    assert len(info["divergences"]) == runs.MAX_RESTORES + 1 and 100 - poison.remaining == runs.MAX_RESTORES + 1
    assert [entry["learning_rate_scale"] for entry in info["divergences"]] == [1.0, 0.5, 0.25, 0.125]


def test_a_sessions_callbacks_run_guard_measure_record_persist(tmp_path, tiny_config):
    options = runs.TrainingOptions(minutes=5, quality_every=1, quality_sample_size=10, verbose=0)
    session = session_module._Session(tiny_config.replace(epochs=1), tmp_path, options)
    roles = session.callbacks_by_role()
    assert list(roles) == list(session_module.CALLBACK_ROLES) == ["guard", "measure", "record", "persist"]
    order = [type(callback).__name__ for callback in session.callbacks]
    assert order == [type(callback).__name__ for role in roles.values() for callback in role]
    # a NaN is caught before anything records it; the scores land in the history; the
    # checkpoint is written after the epoch's records; the rate scale after the restore
    assert order[0] == "DivergenceGuard"
    assert order.index("QualityMonitor") < order.index("LossHistory") < order.index("Checkpoint") < order.index("ScaleLearningRates")
    assert order[-2:] == ["Checkpoint", "ScaleLearningRates"]


@pytest.mark.filterwarnings("ignore:mixed_float16 without a GPU")
@pytest.mark.parametrize("precision", ["mixed_float16", "mixed_bfloat16"])
@pytest.mark.slow
def test_mixed_precision_runs_resume_exactly_and_sample_float32(tmp_path, tiny_config, precision):
    recipe = tiny_config.replace(precision=precision, max_images=64, monitor_images=4)
    straight = runs.train(recipe, tmp_path / "straight", verbose=0)
    runs.train(recipe.replace(epochs=1), tmp_path / "resumed", verbose=0)
    resumed = runs.train(recipe, tmp_path / "resumed", verbose=0)
    # the loss scale is optimizer state, checkpointed like the rest
    for name in ("d_loss", "g_loss"):
        np.testing.assert_allclose(resumed.history[name], straight.history[name], rtol=1e-4, atol=1e-5)
    gan = runs.build_gan(recipe)
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer) == (precision == "mixed_float16")
    generator = runs.load_generator(tmp_path / "resumed")  # safe mode, policy and all
    assert generator.get_layer("up1").compute_dtype == precision.removeprefix("mixed_")
    images = runs.sample(tmp_path / "resumed", 4, seed=0)
    assert images.dtype == np.float32 and images.shape == (4, 28, 28, 1)
    with pytest.raises(ValueError, match=f"precision='{precision}'"):
        runs.prepare_config("dcgan-mnist", tmp_path / "resumed", precision="float32")


@pytest.mark.slow
def test_mixed_float16_without_a_gpu_warns_that_it_is_slow(tmp_path, tiny_config):
    # the test machine has no GPU (conftest hides any)
    with pytest.warns(RuntimeWarning, match="mixed_float16 without a GPU.*100x slower") as warned:
        runs.train(tiny_config.replace(precision="mixed_float16", epochs=0), tmp_path, verbose=0)
    assert sum("mixed_float16 without a GPU" in str(warning.message) for warning in warned) == 1


@pytest.mark.slow
def test_summary_scores_again_after_the_run_is_resumed(tmp_path, tiny_config):
    runs.train(tiny_config.replace(epochs=1), tmp_path, verbose=0)
    first = runs.summary(tmp_path)
    assert json.loads((tmp_path / "metrics.json").read_text())["epochs_done"] == 1
    runs.train(tiny_config.replace(epochs=2), tmp_path, verbose=0)
    second = runs.summary(tmp_path)
    # the epoch-2 row carries the epoch-2 generator's scores, not epoch 1's
    assert second["epochs"] == 2 and json.loads((tmp_path / "metrics.json").read_text())["epochs_done"] == 2
    assert second["judge_fid"] == pytest.approx(runs.score(tmp_path)[0]["generated"]["judge_fid"], rel=1e-9)
    assert second["judge_fid"] != first["judge_fid"]


@pytest.mark.slow
def test_score_asks_each_of_the_recipes_classes_in_turn(tmp_path):
    from ganlab import callbacks, config, gans, judge

    # a conditional generator of 4 classes, saved as a run folder (scoring needs no training)
    recipe = config.get_preset("cgan-mnist").replace(num_classes=4, generator_widths=(16, 8, 4))
    recipe.save(tmp_path / runs.CONFIG_FILE)
    generator = runs.build_generator(recipe)
    callbacks.save_model_atomically(generator, tmp_path / runs.GENERATOR_FILE)
    scores, _ = runs.score(tmp_path)
    images = gans.generate_images(generator, judge.SAMPLE_SIZE, seed=0)
    expected = judge.conditional_accuracy(images, gans.class_labels(judge.SAMPLE_SIZE, 4))
    assert scores["generated"]["conditional_accuracy"] == pytest.approx(expected, abs=1e-9)


@pytest.mark.slow
def test_conditional_training_refuses_labels_beyond_its_classes(tmp_path, tiny_config):
    recipe = config_for("cgan-mnist", tiny_config).replace(num_classes=4)
    with pytest.raises(ValueError, match="num_classes=4 but the digits' labels go up to 9"):
        runs.train(recipe, tmp_path, verbose=0)


@pytest.mark.slow
def test_score_reads_uint8_grayscale_and_folders_of_image_files(tmp_path):
    from PIL import Image

    from ganlab import judge

    _, held_out, _ = judge.reference_digits()
    pixels = np.round(held_out[:, :, :, 0] * 127.5 + 127.5).astype(np.uint8)  # (N, 28, 28), 0..255
    np.savez(tmp_path / "float.npz", images=held_out)
    np.savez(tmp_path / "uint8.npz", images=pixels)
    folder = tmp_path / "pngs"
    folder.mkdir()
    for index, digit in enumerate(pixels):
        Image.fromarray(digit).save(folder / f"{index:04d}.png")
    expected = runs.score(tmp_path / "float.npz")[0]["generated"]["judge_fid"]
    assert expected < 20  # real digits against real digits
    for target in (tmp_path / "uint8.npz", folder):
        assert runs.score(target)[0]["generated"]["judge_fid"] == pytest.approx(expected, rel=1e-5)
    assert (folder / "metrics.json").is_file()


def test_read_samples_refuses_what_it_cannot_read_without_guessing(tmp_path):
    np.savez(tmp_path / "scaled.npz", images=np.full((4, 28, 28, 1), 255.0, np.float32))
    with pytest.raises(ValueError, match=r"float images must lie in \[-1, 1\], these span \[255, 255\]"):
        runs.read_samples(tmp_path / "scaled.npz")
    np.savez(tmp_path / "ints.npz", images=np.zeros((4, 28, 28), np.int64))
    with pytest.raises(ValueError, match="got dtype int64"):
        runs.read_samples(tmp_path / "ints.npz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="neither a run folder .* nor a folder of PNG/JPEG samples"):
        runs.read_samples(tmp_path / "empty")
    np.testing.assert_array_equal(runs.read_samples(_saved(tmp_path / "gray.npz", np.zeros((2, 28, 28), np.uint8))),
                                  -np.ones((2, 28, 28, 1), np.float32))


def _saved(path, images):
    np.savez(path, images=images)
    return path


@pytest.mark.slow
def test_a_run_saves_its_averaged_generator_and_resumes_the_average_exactly(tmp_path, tiny_config):
    recipe = tiny_config.replace(generator_average_decay=0.9)
    runs.train(recipe, tmp_path / "straight", verbose=0)
    runs.train(recipe.replace(epochs=1), tmp_path / "resumed", verbose=0)
    runs.train(recipe, tmp_path / "resumed", verbose=0)
    straight, resumed = runs.load_generator(tmp_path / "straight"), runs.load_generator(tmp_path / "resumed")
    for one, other in zip(straight.weights, resumed.weights, strict=True):
        np.testing.assert_allclose(one.numpy(), other.numpy(), rtol=1e-4, atol=1e-6)
    # the saved generator holds the averages from the checkpoint, not the trained weights
    trainer = runs.build_gan(recipe)
    trainer.load_weights(tmp_path / "straight" / "checkpoint" / "latest.weights.h5")
    for saved, average in zip(straight.weights, trainer.average_weights, strict=True):
        np.testing.assert_allclose(saved.numpy(), average.numpy(), rtol=1e-6, atol=1e-7)
    assert any(np.abs(saved.numpy() - trained.numpy()).max() > 1e-5 for saved, trained in zip(straight.weights, trainer.generator.weights))


def test_the_run_record_is_typed_and_keeps_what_another_release_wrote(tmp_path):
    assert runs.RunInfo.read(tmp_path) == runs.RunInfo() and runs.RunInfo().status == "new"
    written = {"data_source": "embedded", "num_images": 128, "status": "finished", "epochs_done": 2, "learning_rate_scale": 0.5,
               "divergences": [{"epoch": 1, "loss": "g_loss", "value": "nan", "learning_rate_scale": 1.0}], "from_a_later_release": [1]}
    (tmp_path / "run_info.json").write_text(json.dumps(written))
    info = runs.RunInfo.read(tmp_path)
    assert (info.num_images, info.learning_rate_scale, len(info.divergences)) == (128, 0.5, 1)
    info.write(tmp_path)
    assert json.loads((tmp_path / "run_info.json").read_text()) == written | {"versions": {}, "started_at": None, "steps_per_epoch": None}
    # the restart policy's fields appear only once a divergence set them
    assert set(runs.RunInfo(status="training").to_dict()) == {"data_source", "num_images", "steps_per_epoch", "versions", "status",
                                                               "epochs_done", "started_at"}
