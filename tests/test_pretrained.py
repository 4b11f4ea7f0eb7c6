"""The shipped generators: small, loadable without training, and their cards tell the
truth (the judge's scores are recomputed here from the shipped weights)."""

import json

import keras
import numpy as np
import pytest

from ganlab import gans, judge, models, pretrained, runs, vae

MEGABYTES = 1024 * 1024


@pytest.mark.parametrize("name", pretrained.names())
@pytest.mark.slow
def test_shipped_generator_is_small_and_its_card_scores_are_its_own(name):
    card = pretrained.describe(name)
    folder = pretrained.FOLDER / name
    assert card["name"] == name and pretrained.config(name).name == name
    assert card["data_source"] and card["epochs"] >= 1 and card["trained_by"].startswith(f"python -m ganlab train {name}")
    for path in folder.iterdir():
        assert path.stat().st_size <= 3 * MEGABYTES, path
    generator = pretrained.load(name)
    images = gans.generate_images(generator, judge.SAMPLE_SIZE, seed=pretrained.SCORE_SEED)
    scores = judge.score_mnist(images, include_real=False, include_kid=False)["generated"]
    shipped = card["scores"]["generated"]
    assert scores["judge_fid"] == pytest.approx(shipped["judge_fid"], rel=1e-3)
    assert scores["histogram"] == shipped["histogram"]
    # trained, not random: every digit drawn, and far closer to real digits than noise is
    assert scores["coverage"] == 10 and scores["judge_fid"] < 200
    row = pretrained.summary(name)
    assert row["judge_fid"] == shipped["judge_fid"] and row["epochs"] == card["epochs"] and 0 < row["MB"] <= 3


def test_shipped_acgan_draws_the_digit_it_is_asked_for():
    generator = pretrained.load("acgan-mnist")
    labels = gans.class_labels(judge.SAMPLE_SIZE, 10)
    images = gans.generate_images(generator, judge.SAMPLE_SIZE, seed=pretrained.SCORE_SEED)
    accuracy = judge.conditional_accuracy(images, labels)
    assert accuracy == pytest.approx(pretrained.describe("acgan-mnist")["scores"]["generated"]["conditional_accuracy"], abs=1e-6)
    assert accuracy > 0.8


@pytest.mark.slow
def test_shipped_vae_encodes_and_reconstructs_held_out_digits():
    autoencoder = pretrained.load_autoencoder("vae-mnist")
    held_out = judge.reference_digits()[1][: judge.SAMPLE_SIZE]
    error = vae.reconstruction_error(autoencoder.encoder, autoencoder.decoder, held_out)
    assert error == pytest.approx(pretrained.describe("vae-mnist")["scores"]["generated"]["reconstruction_error"], rel=1e-4)
    # far better than the mean image
    assert error < 0.5 * float(np.mean((held_out - held_out.mean(axis=0)) ** 2))


def test_unknown_names_and_missing_encoders_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="no pretrained generator 'stylegan'"):
        pretrained.load("stylegan")
    with pytest.raises(ValueError, match="it has no encoder"):
        pretrained.load_encoder("dcgan-mnist")
    with pytest.raises(ValueError, match="is missing from"):
        pretrained.load("dcgan-mnist", folder=tmp_path)


@pytest.mark.slow
def test_export_round_trip_keeps_the_generator_up_to_float16_rounding(tmp_path, tiny_config, load_tool):
    run_dir = tmp_path / "run"
    runs.train(tiny_config.replace(epochs=1), run_dir, verbose=0)
    card = load_tool("export_pretrained").export(run_dir, folder=tmp_path / "shipped")
    assert card["epochs"] == 1 and card["data_source"] == "embedded"
    assert json.loads((tmp_path / "shipped" / "dcgan-mnist" / "card.json").read_text()) == card
    original, shipped = runs.load_generator(run_dir), pretrained.load("dcgan-mnist", folder=tmp_path / "shipped")
    for before, after in zip(original.weights, shipped.weights):
        np.testing.assert_allclose(after.numpy(), before.numpy(), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(gans.generate_images(shipped, 8, seed=1), gans.generate_images(original, 8, seed=1), atol=0.02)
    images = gans.generate_images(shipped, judge.SAMPLE_SIZE, seed=pretrained.SCORE_SEED)
    assert judge.score_mnist(images, include_real=False, include_kid=False)["generated"]["judge_fid"] == pytest.approx(
        card["scores"]["generated"]["judge_fid"], rel=1e-6)


def test_weights_file_refuses_another_architecture(tmp_path):
    path = tmp_path / "weights.npz"
    pretrained.save_weights_to_file(models.dcgan_generator(latent_dim=4, widths=(8, 4)), path)
    with pytest.raises(ValueError, match="should be"):
        pretrained.set_weights_from_file(models.dcgan_generator(latent_dim=5, widths=(8, 4)), path)
    with pytest.raises(ValueError, match="holds"):
        pretrained.set_weights_from_file(models.dcgan_generator(latent_dim=4, widths=(8, 4, 2)), path)
    with np.load(path, allow_pickle=False) as saved:
        assert all(saved[key].dtype == np.float16 for key in saved.files)
    keras.backend.clear_session()
