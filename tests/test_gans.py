import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlab import gans, losses, models


def small_gan(seed=0, latent_dim=8):
    keras.utils.set_random_seed(seed)
    generator = models.dcgan_generator(latent_dim=latent_dim, widths=(16, 8, 4))
    discriminator = models.dcgan_discriminator(widths=(4, 8))
    gan = gans.GAN(generator, discriminator, seed=seed)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5),
        label_smoothing=0.1,
    )
    return gan


def real_digits(count=64, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, size=(count, 28, 28, 1)).astype("float32")


def fit_losses(seed, epochs=2):
    gan = small_gan(seed)
    dataset = tf.data.Dataset.from_tensor_slices(real_digits()).batch(16)
    history = gan.fit(dataset, epochs=epochs, verbose=0, shuffle=False)
    return gan, history.history


def test_fit_reports_finite_losses_and_accuracies():
    gan, history = fit_losses(seed=0, epochs=1)
    assert set(history) == {"d_loss", "g_loss", "real_accuracy", "fake_accuracy"}
    assert all(np.isfinite(values[0]) for values in history.values())
    assert 0.0 <= history["real_accuracy"][0] <= 1.0
    # 4 batches: each player takes one step per batch
    assert int(gan.g_optimizer.iterations) == 4 and int(gan.d_optimizer.iterations) == 4


def test_train_step_moves_both_players():
    gan = small_gan()
    generator_before = [w.copy() for w in gan.generator.get_weights()]
    discriminator_before = [w.copy() for w in gan.discriminator.get_weights()]
    gan.fit(real_digits(16), batch_size=16, epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(generator_before, gan.generator.get_weights(), strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(discriminator_before, gan.discriminator.get_weights(), strict=True))


def test_same_seed_same_losses_and_other_seed_differs():
    _, first = fit_losses(seed=5)
    _, second = fit_losses(seed=5)
    _, other = fit_losses(seed=6)
    for name in first:
        np.testing.assert_allclose(first[name], second[name], rtol=1e-5)
    assert first["g_loss"] != other["g_loss"]


def test_losses_match_a_hand_written_step():
    """The first step's reported losses are the loss functions applied to the networks."""
    gan = small_gan(seed=1)
    images = real_digits(16)
    state = gan.seed_generator.state.numpy().copy()
    noise = keras.random.normal((16, gan.latent_dim), seed=keras.random.SeedGenerator(1))
    gan.seed_generator.state.assign(state)
    fake_logits = gan.discriminator(gan.generator(noise, training=True), training=True)
    logs = gan.train_on_batch(images, return_dict=True)
    # dropout makes the discriminator stochastic; the generator loss must still be near
    expected = float(losses.nonsaturating_generator_loss(fake_logits))
    assert logs["g_loss"] == pytest.approx(expected, abs=0.05)


def test_wrong_image_shape_or_dtype_is_a_clear_error():
    gan = small_gan()
    with pytest.raises(ValueError, match=r"shape \(32, 32, 1\)"):
        gan.fit(np.zeros((8, 32, 32, 1), "float32"), batch_size=8, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="floats"):
        gan.fit(np.zeros((8, 28, 28, 1), "uint8"), batch_size=8, epochs=1, verbose=0)


def test_mismatched_players_are_rejected():
    generator = models.dcgan_generator(latent_dim=8, widths=(16, 8, 4))
    discriminator = models.dcgan_discriminator(image_shape=(32, 32, 1), widths=(4,))
    with pytest.raises(ValueError, match="expects"):
        gans.GAN(generator, discriminator)


def test_generate_is_seeded_shaped_and_in_range():
    gan = small_gan()
    images = gan.generate(5, seed=3)
    assert images.shape == (5, 28, 28, 1) and images.dtype == np.float32
    assert images.min() >= -1 and images.max() <= 1
    np.testing.assert_array_equal(images, gan.generate(5, seed=3))
    assert not np.array_equal(images, gan.generate(5, seed=4))
    assert gan.generate(0).shape == (0, 28, 28, 1)


def test_saved_weights_restore_optimizers_and_noise_rng(tmp_path):
    gan, _ = fit_losses(seed=2, epochs=1)
    gan.save_weights(tmp_path / "state.weights.h5")
    restored = small_gan(seed=9)
    restored.load_weights(tmp_path / "state.weights.h5")
    assert int(restored.g_optimizer.iterations) == int(gan.g_optimizer.iterations) == 4
    np.testing.assert_array_equal(restored.seed_generator.state.numpy(), gan.seed_generator.state.numpy())
    for left, right in zip(restored.get_weights(), gan.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)
