import keras
import numpy as np

from ganlab import classic, data, models


def small_players():
    keras.utils.set_random_seed(1)
    generator = models.dcgan_generator(16, (28, 28, 1), (16, 8), 3)
    discriminator = models.dcgan_discriminator((28, 28, 1), (4, 8), 3, 0.0)
    return generator, discriminator


def weights(model):
    return [np.array(weight) for weight in model.get_weights()]


def changed(before, after):
    return any(not np.array_equal(first, second) for first, second in zip(before, after, strict=True))


def test_a_classic_step_updates_the_discriminator_then_only_the_generator_through_the_combined_model(monkeypatch):
    generator, discriminator = small_players()
    combined = classic.build_combined_model(generator, discriminator, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    real = data.load_mnist(verbose=False).images[:8]
    seen = {}
    original = combined.train_on_batch

    def spy(noise, target):
        # the combined update starts from the discriminator its own update just changed
        seen["discriminator"] = weights(discriminator)
        seen["generator"] = weights(generator)
        return original(noise, target)

    monkeypatch.setattr(combined, "train_on_batch", spy)
    d_start, g_start = weights(discriminator), weights(generator)
    result = classic.classic_step(generator, discriminator, combined, real, np.random.default_rng(0), label_smoothing=0.1)
    assert set(result) == {"d_loss_real", "d_loss_fake", "g_loss"} and all(np.isfinite(list(result.values())))
    assert changed(d_start, seen["discriminator"])  # the discriminator learned first
    assert not changed(g_start, seen["generator"])
    assert not changed(seen["discriminator"], weights(discriminator))  # frozen inside the combined model
    assert changed(seen["generator"], weights(generator))


def test_freezing_before_the_first_discriminator_step_leaves_it_nothing_to_train():
    # the Keras 3 trap the module docstring describes: trainable is read when a model's
    # training function is traced, so a discriminator frozen before its first step never learns
    generator, discriminator = small_players()
    classic.build_combined_model(generator, discriminator, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    before = weights(discriminator)
    real = data.load_mnist(verbose=False).images[:8]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        discriminator.train_on_batch(real, np.ones((8, 1), "float32"))
    assert not changed(before, weights(discriminator))


def test_train_classic_takes_the_steps_asked_and_draws_whole_batches():
    generator, discriminator = small_players()
    combined = classic.build_combined_model(generator, discriminator, keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    images = data.load_mnist(verbose=False).images[:20]
    result = classic.train_classic(generator, discriminator, combined, images, steps=3, batch_size=8, seed=0)
    assert result["steps"] == 3 and result["seconds"] > 0
    assert all(len(values) == 3 and np.all(np.isfinite(values)) for values in result["history"].values())
