import keras
import numpy as np
import pytest
import tensorflow as tf

from ganlab import data, losses, models, vae


def digits(count=64):
    # real digits: a VAE learns nothing useful from uniform noise
    return data.load_dataset("mnist", source="embedded", verbose=False).images[:count]


def small_vae(seed=0, latent_dim=4):
    keras.utils.set_random_seed(seed)
    encoder = models.conv_encoder(latent_dim=latent_dim, widths=(8, 16))
    decoder = models.dcgan_generator(latent_dim=latent_dim, widths=(16, 8, 4))
    autoencoder = vae.VAE(encoder, decoder, seed=seed)
    autoencoder.compile(keras.optimizers.Adam(2e-3))
    return autoencoder


def small_vaegan(seed=0, latent_dim=4, learning_rates=(2e-4, 2e-4, 2e-4)):
    keras.utils.set_random_seed(seed)
    encoder = models.conv_encoder(latent_dim=latent_dim, widths=(8, 16))
    generator = models.dcgan_generator(latent_dim=latent_dim, widths=(16, 8, 4))
    discriminator = models.dcgan_discriminator(widths=(4, 8), dropout=0.0, features=True)
    hybrid = vae.VAEGAN(encoder, generator, discriminator, seed=seed)
    d_rate, g_rate, e_rate = learning_rates
    hybrid.compile(keras.optimizers.Adam(d_rate), keras.optimizers.Adam(g_rate), keras.optimizers.Adam(e_rate))
    return hybrid


def batches(images, batch_size=16):
    return tf.data.Dataset.from_tensor_slices(images).batch(batch_size)


def test_sampling_layer_reparameterises_with_seeded_noise():
    mean = np.full((20_000, 1), 3.0, dtype="float32")
    log_variance = np.full((20_000, 1), np.log(4.0), dtype="float32")
    samples = keras.ops.convert_to_numpy(vae.GaussianSampling(seed=1)([mean, log_variance]))
    assert samples.mean() == pytest.approx(3.0, abs=0.05) and samples.std() == pytest.approx(2.0, abs=0.05)
    again = keras.ops.convert_to_numpy(vae.GaussianSampling(seed=1)([mean, log_variance]))
    np.testing.assert_array_equal(samples, again)
    # not training: the mean itself
    np.testing.assert_array_equal(vae.GaussianSampling(seed=1)([mean, log_variance], training=False), mean)


def test_gradients_flow_through_the_sample_to_mean_and_log_variance():
    mean, log_variance = tf.Variable([[0.5, -0.5]]), tf.Variable([[0.0, 1.0]])
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(vae.GaussianSampling(seed=0)([mean, log_variance]))
    mean_gradient, variance_gradient = tape.gradient(total, [mean, log_variance])
    np.testing.assert_allclose(mean_gradient, [[1.0, 1.0]])  # dz/dmean = 1
    assert np.all(np.abs(variance_gradient.numpy()) > 0)


def test_sampling_layer_loads_in_safe_mode(tmp_path):
    mean, log_variance = keras.Input((2,)), keras.Input((2,))
    model = keras.Model([mean, log_variance], vae.GaussianSampling(seed=3, name="sample")([mean, log_variance]))
    model.save(tmp_path / "sampler.keras")
    loaded = keras.models.load_model(tmp_path / "sampler.keras", safe_mode=True)
    assert isinstance(loaded.get_layer("sample"), vae.GaussianSampling) and loaded.get_layer("sample").seed == 3


@pytest.mark.slow
def test_vae_learns_to_reconstruct_real_digits():
    autoencoder = small_vae()
    images = digits(256)
    before = float(np.mean((autoencoder.reconstruct(images) - images) ** 2))
    history = autoencoder.fit(batches(images, 32), epochs=8, verbose=0, shuffle=False).history
    assert set(history) >= {"loss", "reconstruction_loss", "kl_loss", "pixel_error"}
    assert history["reconstruction_loss"][-1] < 0.8 * history["reconstruction_loss"][0]
    np.testing.assert_allclose(history["loss"], np.add(history["reconstruction_loss"], history["kl_loss"]), rtol=1e-4)
    after = float(np.mean((autoencoder.reconstruct(images) - images) ** 2))
    assert after < 0.6 * before
    assert vae.reconstruction_error(autoencoder.encoder, autoencoder.decoder, images) == pytest.approx(after, rel=1e-5)
    assert autoencoder.encode(images).shape == (256, 4)
    assert autoencoder.generate(5, seed=0).shape == (5, 28, 28, 1)
    assert autoencoder.generator is autoencoder.decoder


@pytest.mark.slow
def test_kl_weight_zero_is_a_plain_autoencoder_and_large_weights_pull_codes_to_the_prior():
    images = digits(128)
    codes = {}
    for weight in (0.0, 20.0):
        autoencoder = small_vae()
        autoencoder.compile(keras.optimizers.Adam(2e-3), kl_weight=weight)
        history = autoencoder.fit(batches(images), epochs=4, verbose=0, shuffle=False).history
        np.testing.assert_allclose(history["loss"], np.add(history["reconstruction_loss"], np.multiply(weight, history["kl_loss"])), rtol=1e-4)
        codes[weight] = autoencoder.encode(images)
    # the heavier the price for leaving the prior, the closer the codes stay to 0
    assert np.abs(codes[20.0]).mean() < np.abs(codes[0.0]).mean()


def test_vae_checks_its_networks_and_its_data():
    encoder = models.conv_encoder(latent_dim=4, widths=(8,))
    with pytest.raises(ValueError, match="decoder takes"):
        vae.VAE(encoder, models.dcgan_generator(latent_dim=5, widths=(8, 4)))
    with pytest.raises(ValueError, match="encoder reads"):
        vae.VAE(encoder, models.dcgan_generator(latent_dim=4, widths=(8, 4), image_shape=(32, 32, 1)))
    with pytest.raises(ValueError, match="mean, log_variance"):
        vae.VAE(models.dcgan_discriminator(widths=(4,)), models.dcgan_generator(latent_dim=1, widths=(8, 4)))
    autoencoder = small_vae()
    with pytest.raises(ValueError, match="floats in"):
        autoencoder.fit(np.zeros((16, 28, 28, 1), dtype="uint8"), epochs=1, verbose=0, shuffle=False)
    with pytest.raises(ValueError, match="kl_weight"):
        autoencoder.compile(keras.optimizers.Adam(), kl_weight=-1.0)


@pytest.mark.slow
def test_vaegan_tracks_every_term_and_updates_each_network_by_its_own_optimizer():
    images = digits(32)
    # a frozen discriminator (learning rate 0): encoder and decoder still move
    hybrid = small_vaegan(learning_rates=(0.0, 1e-3, 1e-3))
    weights = {name: [w.copy() for w in network.get_weights()] for name, network in
               (("encoder", hybrid.encoder), ("generator", hybrid.generator), ("discriminator", hybrid.discriminator))}
    history = hybrid.fit(batches(images), epochs=1, verbose=0, shuffle=False).history
    expected = {"d_loss", "g_loss", "e_loss", "kl_loss", "feature_loss", "gan_loss", "pixel_error", "real_accuracy", "fake_accuracy"}
    assert set(history) == expected and all(np.isfinite(values[-1]) for values in history.values())

    def moved(name, network):
        return any(not np.array_equal(before, after) for before, after in zip(weights[name], network.get_weights()))

    assert moved("encoder", hybrid.encoder) and moved("generator", hybrid.generator)
    assert not moved("discriminator", hybrid.discriminator)
    # the encoder's optimizer steps on the encoder only
    assert int(hybrid.e_optimizer.iterations) == 2 and len(hybrid.e_optimizer.variables) > 1


@pytest.mark.slow
def test_vaegan_losses_match_a_hand_written_step():
    hybrid = small_vaegan(learning_rates=(0.0, 0.0, 0.0))
    hybrid.compile(keras.optimizers.Adam(0.0), keras.optimizers.Adam(0.0), keras.optimizers.Adam(0.0), kl_weight=0.5, feature_weight=2.0)
    images = digits(16)
    logs = hybrid.train_step(tf.constant(images))
    e_loss, g_loss = float(logs["e_loss"]), float(logs["g_loss"])
    kl, feature, gan = float(logs["kl_loss"]), float(logs["feature_loss"]), float(logs["gan_loss"])
    assert e_loss == pytest.approx(0.5 * kl + feature, rel=1e-5)
    assert g_loss == pytest.approx(2.0 * feature + gan, rel=1e-5)
    # the KL of the encoder's codes, recomputed from its outputs
    mean, log_variance = hybrid.encoder(images, training=True)
    assert kl == pytest.approx(float(losses.gaussian_kl_divergence(mean, log_variance)), rel=1e-4)


def test_vaegan_needs_a_feature_discriminator_and_saves_its_rngs():
    encoder = models.conv_encoder(latent_dim=4, widths=(8,))
    generator = models.dcgan_generator(latent_dim=4, widths=(8, 4))
    with pytest.raises(ValueError, match="features=True"):
        vae.VAEGAN(encoder, generator, models.dcgan_discriminator(widths=(4,)))
    hybrid = small_vaegan()
    assert {"noise", "sampler.seed_generator"} <= set(hybrid.random_states())
    assert "sampler.seed_generator" in small_vae().random_states()


@pytest.mark.slow
def test_vaegan_weights_restore_optimizers_and_rngs(tmp_path):
    images = batches(digits(32))
    hybrid = small_vaegan()
    hybrid.fit(images, epochs=1, verbose=0, shuffle=False)
    hybrid.save_weights(tmp_path / "hybrid.weights.h5")
    hybrid.reset_metrics()  # the trackers average over an epoch; compare single steps
    next_step = hybrid.train_step(tf.constant(digits(16)))
    restored = small_vaegan(seed=5)
    restored.load_weights(tmp_path / "hybrid.weights.h5")
    assert int(restored.e_optimizer.iterations) == 2
    again = restored.train_step(tf.constant(digits(16)))
    for name in ("e_loss", "g_loss", "d_loss"):
        assert float(again[name]) == pytest.approx(float(next_step[name]), rel=1e-4)


def test_encode_and_decode_check_shapes():
    autoencoder = small_vae()
    with pytest.raises(ValueError, match="encoder reads"):
        vae.encode(autoencoder.encoder, np.zeros((2, 32, 32, 1)))
    with pytest.raises(ValueError, match="codes of shape"):
        vae.decode(autoencoder.decoder, np.zeros((2, 3)))
    decoded = vae.decode(autoencoder.decoder, np.zeros((2, 4)))
    assert decoded.dtype == np.float32 and decoded.shape == (2, 28, 28, 1)
    # the decoder in inference mode, as a float32 numpy array
    np.testing.assert_allclose(decoded, keras.ops.convert_to_numpy(autoencoder.decoder(np.zeros((2, 4), "float32"), training=False)), atol=1e-6)


def test_interpolate_walks_the_straight_line():
    path = vae.interpolate(np.array([0.0, 2.0]), np.array([4.0, -2.0]), steps=5)
    np.testing.assert_allclose(path, [[0, 2], [1, 1], [2, 0], [3, -1], [4, -2]])
    with pytest.raises(ValueError, match="at least 2"):
        vae.interpolate(np.zeros(2), np.ones(2), steps=1)
    with pytest.raises(ValueError, match="one size"):
        vae.interpolate(np.zeros(2), np.ones(3))


def test_latent_grid_covers_the_prior_by_quantiles():
    grid = vae.latent_grid(5, extent=0.9)
    assert grid.shape == (25, 2)
    # centre point is the prior's median; rows go top (high second coordinate) to bottom
    np.testing.assert_allclose(grid[12], [0.0, 0.0], atol=1e-6)
    assert grid[0, 1] == pytest.approx(1.2816, abs=1e-3) and grid[0, 0] == pytest.approx(-1.2816, abs=1e-3)
    assert grid[-1, 1] == pytest.approx(-1.2816, abs=1e-3)
    with pytest.raises(ValueError, match="extent"):
        vae.latent_grid(5, extent=1.0)
