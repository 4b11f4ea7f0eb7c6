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


@pytest.mark.slow
def test_fit_reports_finite_losses_and_accuracies():
    gan, history = fit_losses(seed=0, epochs=1)
    assert set(history) == {"d_loss", "g_loss", "real_accuracy", "fake_accuracy"}
    assert all(np.isfinite(values[0]) for values in history.values())
    # an accuracy is the share of 4 x 16 verdicts counted right: a whole number of 64ths
    for name in ("real_accuracy", "fake_accuracy"):
        assert history[name][0] * 64 == pytest.approx(round(history[name][0] * 64), abs=1e-3), name
    # 4 batches: each player takes one step per batch
    assert int(gan.g_optimizer.iterations) == 4 and int(gan.d_optimizer.iterations) == 4


@pytest.mark.slow
def test_train_step_moves_both_players():
    gan = small_gan()
    generator_before = [w.copy() for w in gan.generator.get_weights()]
    discriminator_before = [w.copy() for w in gan.discriminator.get_weights()]
    gan.fit(real_digits(16), batch_size=16, epochs=1, verbose=0)
    assert any(not np.array_equal(a, b) for a, b in zip(generator_before, gan.generator.get_weights(), strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(discriminator_before, gan.discriminator.get_weights(), strict=True))


@pytest.mark.slow
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


@pytest.mark.slow
def test_one_train_step_equals_a_plain_tensorflow_step():
    """Golden test: one GAN step is one step of the TensorFlow DCGAN tutorial's loop (the
    reference of benchmarks/throughput.py) on the same networks, noise and batch."""
    keras.utils.set_random_seed(4)
    generator = models.dcgan_generator(latent_dim=8, widths=(16, 8, 4))
    discriminator = models.dcgan_discriminator(widths=(4, 8), dropout=0.0)  # nothing random inside
    plain_generator, plain_discriminator = keras.models.clone_model(generator), keras.models.clone_model(discriminator)
    plain_generator.set_weights(generator.get_weights())
    plain_discriminator.set_weights(discriminator.get_weights())
    before = [w.copy() for w in generator.get_weights() + discriminator.get_weights()]
    gan = gans.GAN(generator, discriminator, seed=4)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5), label_smoothing=0.1)
    images = real_digits(16, seed=4)
    # the GAN draws its noise from keras.random.normal with a SeedGenerator(seed): draw the same
    noise = keras.random.normal((16, 8), seed=keras.random.SeedGenerator(4))
    logs = gan.train_on_batch(images, return_dict=True)

    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
    g_optimizer, d_optimizer = keras.optimizers.Adam(2e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5)

    @tf.function
    def plain_step(images, noise):
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake_logits = plain_discriminator(plain_generator(noise, training=True), training=True)
            real_logits = plain_discriminator(images, training=True)
            g_loss = cross_entropy(tf.ones_like(fake_logits), fake_logits)  # non-saturating: -log D(G(z))
            # minimax, one-sided label smoothing: real target 0.9, fake target 0
            d_loss = cross_entropy(tf.fill(tf.shape(real_logits), 0.9), real_logits) + cross_entropy(tf.zeros_like(fake_logits), fake_logits)
        g_gradients = g_tape.gradient(g_loss, plain_generator.trainable_variables)
        d_gradients = d_tape.gradient(d_loss, plain_discriminator.trainable_variables)
        g_optimizer.apply_gradients(zip(g_gradients, plain_generator.trainable_variables))
        d_optimizer.apply_gradients(zip(d_gradients, plain_discriminator.trainable_variables))
        return g_loss, d_loss, real_logits, fake_logits

    g_loss, d_loss, real_logits, fake_logits = (t.numpy() for t in plain_step(tf.constant(images), noise))
    after = generator.get_weights() + discriminator.get_weights()
    plain = plain_generator.get_weights() + plain_discriminator.get_weights()
    for index, (left, right) in enumerate(zip(after, plain, strict=True)):
        np.testing.assert_allclose(left, right, rtol=0, atol=1e-6, err_msg=f"weight {index}")
    # the step moved every trainable weight, so the comparison above could fail
    trainable = {id(variable) for variable in generator.trainable_variables + discriminator.trainable_variables}
    for variable, old, new in zip(generator.weights + discriminator.weights, before, after, strict=True):
        if id(variable) in trainable:
            assert not np.allclose(old, new, rtol=0, atol=1e-5), variable.path
    assert logs["g_loss"] == pytest.approx(float(g_loss), abs=1e-6) and logs["d_loss"] == pytest.approx(float(d_loss), abs=1e-6)
    assert logs["real_accuracy"] == pytest.approx(np.mean(real_logits > 0)) and logs["fake_accuracy"] == pytest.approx(np.mean(fake_logits <= 0))


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
    # the generator in inference mode on seeded standard normal noise
    expected = keras.ops.convert_to_numpy(gan.generator(gans.latent_vectors(5, 8, seed=3), training=False))
    np.testing.assert_allclose(images, expected, atol=1e-6)
    np.testing.assert_array_equal(images, gan.generate(5, seed=3))
    assert not np.array_equal(images, gan.generate(5, seed=4))
    assert gan.generate(0).shape == (0, 28, 28, 1)


def test_decode_latents_is_generate_images_on_the_same_noise():
    generator = small_gan().generator
    noise = gans.latent_vectors(6, 8, seed=5)
    np.testing.assert_array_equal(gans.decode_latents(generator, noise), gans.generate_images(generator, 6, seed=5))
    with pytest.raises(ValueError, match=r"shape \(N, 8\)"):
        gans.decode_latents(generator, noise[:, :4])
    with pytest.raises(ValueError, match="unconditional"):
        gans.decode_latents(generator, noise, labels=1)
    conditional = models.conditional_generator(latent_dim=8, widths=(8, 4))
    first = gans.decode_latents(conditional, noise[:2], labels=[0, 1])
    np.testing.assert_array_equal(first, gans.generate_images(conditional, 2, seed=5, labels=[0, 1]))


def test_decode_class_weights_draws_one_hot_classes_exactly_and_blends_mixtures():
    conditional = models.conditional_generator(latent_dim=8, widths=(8, 4), conditioning="embedding")
    noise = gans.latent_vectors(3, 8, seed=2)
    one_hot = np.eye(10, dtype="float32")[[1, 4, 9]]
    np.testing.assert_allclose(gans.decode_class_weights(conditional, noise, one_hot),
                               gans.generate_images(conditional, 3, seed=2, labels=[1, 4, 9]), atol=1e-6)
    mixed = gans.decode_class_weights(conditional, noise, 0.5 * (one_hot[0] + one_hot[1]))
    assert mixed.shape == (3, 28, 28, 1) and not np.allclose(mixed, gans.generate_images(conditional, 3, seed=2, labels=1))
    with pytest.raises(ValueError, match="rows of class weights"):
        gans.decode_class_weights(conditional, noise, one_hot[:2])


@pytest.mark.slow
def test_saved_weights_restore_optimizers_and_noise_rng(tmp_path):
    gan, _ = fit_losses(seed=2, epochs=1)
    gan.save_weights(tmp_path / "state.weights.h5")
    restored = small_gan(seed=9)
    restored.load_weights(tmp_path / "state.weights.h5")
    assert int(restored.g_optimizer.iterations) == int(gan.g_optimizer.iterations) == 4
    np.testing.assert_array_equal(restored.seed_generator.state.numpy(), gan.seed_generator.state.numpy())
    for left, right in zip(restored.get_weights(), gan.get_weights(), strict=True):
        np.testing.assert_array_equal(left, right)


def small_wgan(clip_value=None, gradient_penalty_weight=None, n_critic=3, seed=0):
    keras.utils.set_random_seed(seed)
    generator = models.dcgan_generator(latent_dim=8, widths=(16, 8, 4))
    critic = models.dcgan_discriminator(widths=(4, 8), dropout=0.0)
    wgan = gans.WGAN(generator, critic, n_critic=n_critic, clip_value=clip_value,
                     gradient_penalty_weight=gradient_penalty_weight, seed=seed)
    wgan.compile(keras.optimizers.RMSprop(5e-3), keras.optimizers.RMSprop(5e-3))
    return wgan


@pytest.mark.slow
def test_wgan_with_clipping_keeps_every_critic_weight_in_the_box():
    wgan = small_wgan(clip_value=0.01)
    batches = tf.data.Dataset.from_tensor_slices(real_digits(48)).batch(24)  # 2 steps of 3 x 8 images
    history = wgan.fit(batches, epochs=1, verbose=0, shuffle=False).history
    assert set(history) == {"d_loss", "g_loss", "wasserstein", "gradient_penalty"}
    assert history["gradient_penalty"][0] == 0.0
    for variable in wgan.discriminator.trainable_variables:
        assert np.abs(variable.numpy()).max() <= 0.01 + 1e-7
    # n_critic critic updates per generator update
    assert int(wgan.d_optimizer.iterations) == 6 and int(wgan.g_optimizer.iterations) == 2


@pytest.mark.slow
def test_wgan_gp_adds_the_penalty_and_estimates_the_distance():
    wgan = small_wgan(gradient_penalty_weight=10.0, n_critic=2)
    batches = tf.data.Dataset.from_tensor_slices(real_digits(32)).batch(16)
    history = wgan.fit(batches, epochs=1, verbose=0, shuffle=False).history
    assert history["gradient_penalty"][0] > 0  # computed, unlike the clipped WGAN's 0
    # the tracked critic loss includes lambda * penalty: d_loss = -wasserstein + 10 * penalty, per step
    expected = -history["wasserstein"][0] + 10 * history["gradient_penalty"][0]
    assert history["d_loss"][0] == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert "penalty_seed" in wgan.random_states()


@pytest.mark.parametrize(("options", "message"), [
    ({}, r"^give exactly one of clip_value \(WGAN\) and gradient_penalty_weight \(WGAN-GP\)$"),
    ({"clip_value": 0.01, "gradient_penalty_weight": 10.0}, r"^give exactly one of clip_value \(WGAN\) and gradient_penalty_weight \(WGAN-GP\)$"),
    ({"clip_value": 0.01, "n_critic": 0}, "^n_critic must be at least 1, got 0$"),
])
def test_wgan_needs_one_lipschitz_method_and_a_critic_count(options, message):
    with pytest.raises(ValueError, match=message):
        small_wgan(**options)


def small_conditional(kind="acgan", seed=0):
    keras.utils.set_random_seed(seed)
    generator = models.conditional_generator(latent_dim=8, num_classes=10, widths=(16, 8, 4))
    if kind == "acgan":
        critic = models.dcgan_discriminator(widths=(4, 8), num_classes=10)
        gan = gans.ACGAN(generator, critic, num_classes=10, seed=seed)
    else:
        critic = models.conditional_discriminator(num_classes=10, widths=(4, 8))
        gan = gans.ConditionalGAN(generator, critic, num_classes=10, seed=seed)
    gan.compile(keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5))
    return gan


def labelled_batches(count=32, batch=16):
    labels = np.arange(count) % 10
    return tf.data.Dataset.from_tensor_slices((real_digits(count), labels)).batch(batch)


@pytest.mark.slow
def test_acgan_tracks_class_accuracies_and_conditional_gan_does_not():
    acgan = small_conditional("acgan")
    history = acgan.fit(labelled_batches(), epochs=1, verbose=0, shuffle=False).history
    assert {"real_class_accuracy", "fake_class_accuracy", "d_loss", "g_loss"} <= set(history)
    cgan = small_conditional("cgan")
    history = cgan.fit(labelled_batches(), epochs=1, verbose=0, shuffle=False).history
    assert set(history) == {"d_loss", "g_loss", "real_accuracy", "fake_accuracy"}
    assert {"noise", "label_seed"} <= set(cgan.random_states())


def test_conditional_gans_need_labels_and_the_right_players():
    gan = small_conditional("cgan")
    with pytest.raises(ValueError, match="labels"):
        gan.fit(tf.data.Dataset.from_tensor_slices(real_digits(16)).batch(16), epochs=1, verbose=0, shuffle=False)
    generator = models.conditional_generator(latent_dim=8, widths=(16, 8, 4))
    with pytest.raises(ValueError, match="class_logits"):
        gans.ACGAN(generator, models.dcgan_discriminator(widths=(4, 8)))
    with pytest.raises(ValueError, match="noise, label"):
        gans.ConditionalGAN(models.dcgan_generator(latent_dim=8, widths=(16, 8, 4)), models.conditional_discriminator(widths=(4, 8)))
    labels = np.arange(16) % 10
    labels[3] = 12
    with pytest.raises(ValueError, match=r"labels must be in 0..9, got \[0, 1, 2"):
        gan.fit(real_digits(16), labels, batch_size=8, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="labels must be in 0..9"):
        gan.fit((real_digits(16), -labels), batch_size=8, epochs=1, verbose=0)


def test_conditional_generate_follows_the_labels():
    gan = small_conditional("acgan")
    cycled = gan.generate(12, seed=1)
    asked = gan.generate(12, seed=1, labels=np.arange(12) % 10)
    np.testing.assert_allclose(cycled, asked, atol=1e-6)  # default labels cycle 0..9
    all_threes = gan.generate(4, seed=1, labels=3)
    assert not np.allclose(all_threes, cycled[:4])
    assert gans.class_labels(5, 3).tolist() == [0, 1, 2, 0, 1]
    with pytest.raises(ValueError, match="0..9"):
        gan.generate(2, labels=10)
    with pytest.raises(ValueError, match="unconditional"):
        gans.generate_images(small_gan().generator, 2, labels=1)


def test_least_squares_accuracy_uses_the_half_way_threshold():
    gan = small_gan()
    gan.compile(keras.optimizers.Adam(2e-4), keras.optimizers.Adam(2e-4), generator_loss=losses.least_squares_generator_loss,
                discriminator_loss=losses.least_squares_discriminator_loss, decision_threshold=0.5)
    gan._track_verdicts(tf.constant([[0.6], [0.4]]), tf.constant([[0.3], [0.7]]))
    assert float(gan.real_accuracy_tracker.result()) == 0.5 and float(gan.fake_accuracy_tracker.result()) == 0.5


DISTRIBUTED_SCRIPT = r"""
import json, os, sys
import tensorflow as tf

# two logical CPU devices: what MirroredStrategy would spread over two GPUs
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from ganlab import callbacks, config, runs

out = sys.argv[1]
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
assert strategy.num_replicas_in_sync == 2
results = {}
for preset in ("dcgan-mnist", "wgan-gp-mnist", "acgan-mnist", "vae-mnist", "vaegan-mnist"):
    # dropout masks are drawn by each replica from its own copy of the layer's random
    # state, so only a critic without dropout can match number for number
    recipe = config.get_preset(preset)
    smaller = dict(generator_widths=(16, 8, 4), discriminator_widths=(4, 8), encoder_widths=(4, 8), dropout=0.0, batch_size=16,
                   max_images=96, epochs=2, monitor_images=10)
    recipe = recipe.replace(**{field: value for field, value in smaller.items() if recipe.has(field)})
    histories = []
    for name, chosen in (("single", None), ("mirrored", strategy)):
        result = runs.train(recipe, os.path.join(out, preset, name), verbose=0, strategy=chosen)
        histories.append(result.history)
    results[preset] = histories
print(json.dumps(results))
"""


@pytest.mark.slow
def test_every_trainer_under_mirrored_strategy_matches_single_device_training(tmp_path):
    """Two replicas on two logical CPUs, each seeing half of every batch, must take the same
    steps as one device on the whole batch: gradients averaged (not summed) over replicas,
    each replica its own slice of the noise, batch norm over the whole batch. A fresh
    process, because logical devices must be set before TensorFlow starts."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    environment = dict(os.environ, GANLAB_OFFLINE="1", PYTHONPATH=str(root))
    finished = subprocess.run([sys.executable, "-c", DISTRIBUTED_SCRIPT, str(tmp_path)], capture_output=True, text=True,
                              env=environment, timeout=600)
    assert finished.returncode == 0, finished.stderr[-3000:]
    results = json.loads(finished.stdout.strip().splitlines()[-1])
    assert set(results) == {"dcgan-mnist", "wgan-gp-mnist", "acgan-mnist", "vae-mnist", "vaegan-mnist"}
    for preset, (single, mirrored) in results.items():
        numbers = [name for name in single if name not in ("epoch", "steps", "seconds")]
        assert numbers and single["epoch"] == mirrored["epoch"] == [0, 1], preset
        for name in numbers:
            np.testing.assert_allclose(mirrored[name], single[name], rtol=1e-4, atol=1e-5, err_msg=f"{preset} {name}")


@pytest.mark.slow
def test_loss_scaling_takes_the_same_step_as_plain_training():
    """Under mixed float16 the optimizers are LossScaleOptimizers: the gradients are those
    of the loss times 2^15, divided back before the update. In float32 that must give
    the step plain training takes (the scale only matters where float16 would round)."""
    steps = {}
    for scaled in (False, True):
        gan = small_gan(seed=3)

        def sgd(scaled=scaled):
            optimizer = keras.optimizers.SGD(0.1)
            return keras.optimizers.LossScaleOptimizer(optimizer) if scaled else optimizer

        gan.compile(d_optimizer=sgd(), g_optimizer=sgd(), label_smoothing=0.1)
        gan.train_on_batch(real_digits(16), return_dict=True)
        steps[scaled] = (gan.generator.get_weights(), gan.discriminator.get_weights(), gan.d_optimizer)
    for plain, scaled in zip(steps[False][0] + steps[False][1], steps[True][0] + steps[True][1], strict=True):
        np.testing.assert_allclose(scaled, plain, rtol=1e-5, atol=1e-7)
    assert float(steps[True][2].dynamic_scale) == 2.0**15  # finite gradients keep the scale


@pytest.mark.slow
def test_keras_still_calls_the_one_private_hook_ganlab_overrides(monkeypatch):
    # SeededTrainer._maybe_symbolic_build keeps a distributed run from losing a batch; if
    # a Keras upgrade renames the hook, the override would silently do nothing
    calls = []
    original = gans.SeededTrainer._maybe_symbolic_build

    def counted(self, iterator=None, data_batch=None):
        calls.append(iterator is not None or data_batch is not None)
        return original(self, iterator=iterator, data_batch=data_batch)

    monkeypatch.setattr(gans.SeededTrainer, "_maybe_symbolic_build", counted)
    gan = small_gan(seed=0)
    gan.fit(tf.data.Dataset.from_tensor_slices(real_digits(16)).batch(16), epochs=1, verbose=0)
    assert calls == [True], f"Keras {keras.__version__} no longer calls Model._maybe_symbolic_build during fit"


def test_the_generator_average_ramps_its_decay_up_to_the_recipes():
    keras.utils.set_random_seed(0)
    generator = models.dcgan_generator(latent_dim=8, widths=(16, 8, 4))
    gan = gans.GAN(generator, models.dcgan_discriminator(widths=(4, 8)), seed=0, generator_average_decay=0.9)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    expected = [weight.numpy().copy() for weight in generator.weights]
    # after the n-th generator step the decay is min(0.9, (1 + n) / (10 + n)): 2/11, 3/12, ...
    for step in (1, 2):
        gan.train_on_batch(real_digits(16))
        decay = (1 + step) / (10 + step)
        expected = [decay * average + (1 - decay) * weight.numpy() for average, weight in zip(expected, generator.weights)]
    for average, wanted in zip(gan.average_weights, expected, strict=True):
        np.testing.assert_allclose(average.numpy(), wanted, rtol=1e-5, atol=1e-6)
    # far into training the recipe's decay holds
    gan.g_optimizer.iterations.assign(10_000)
    gan.train_on_batch(real_digits(16))
    expected = [0.9 * average + 0.1 * weight.numpy() for average, weight in zip(expected, generator.weights)]
    for average, wanted in zip(gan.average_weights, expected, strict=True):
        np.testing.assert_allclose(average.numpy(), wanted, rtol=1e-5, atol=1e-6)
    assert any(np.abs(average.numpy() - weight.numpy()).max() > 1e-5 for average, weight in zip(gan.average_weights, generator.weights))
    # what the trainer draws with is a separate network holding the averages
    drawn = gan.sampling_generator()
    assert drawn is not generator
    for weight, average in zip(drawn.weights, gan.average_weights, strict=True):
        np.testing.assert_array_equal(weight.numpy(), average.numpy())
    plain = small_gan()
    assert plain.sampling_generator() is plain.generator and plain.average_weights == []
    with pytest.raises(ValueError, match=r"^generator_average_decay must be in \[0, 1\), got 1\.0$"):
        gans.GAN(generator, models.dcgan_discriminator(widths=(4, 8)), generator_average_decay=1.0)


class KernelRecorder(keras.layers.Layer):
    """Passes its input through and notes the watched layer's kernel at every call (eager)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seen = []
        self.kernel_of = None  # a function, set once the watched layer exists (not tracked state)

    def call(self, inputs):
        if self.kernel_of is not None:
            self.seen.append(keras.ops.convert_to_numpy(self.kernel_of()).copy())
        return inputs


@pytest.mark.parametrize(("trainer", "generator_sees_the_update"), [(gans.GAN, False), (gans.SequentialGAN, True)])
def test_sequential_updates_score_the_fakes_with_the_updated_critic(trainer, generator_sees_the_update):
    keras.utils.set_random_seed(0)
    generator = models.mlp_generator(latent_dim=4, output_shape=(2,), widths=(8,), output_activation=None)
    points = keras.Input((2,))
    recorder = KernelRecorder()
    dense = keras.layers.Dense(1)
    critic = keras.Model(points, dense(recorder(points)))
    recorder.kernel_of = lambda: dense.kernel
    gan = trainer(generator, critic, seed=0)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.5), g_optimizer=keras.optimizers.SGD(0.5), run_eagerly=True)
    gan.train_on_batch(np.random.default_rng(0).normal(size=(8, 2)).astype("float32"))
    first, *rest = recorder.seen
    # simultaneous: real and fake verdicts (two calls) from the same critic; sequential:
    # a third call, on fresh fakes for the generator's loss, after the critic's step
    assert len(recorder.seen) == (3 if generator_sees_the_update else 2)
    assert all(np.array_equal(first, kernel) for kernel in rest[:1])
    if generator_sees_the_update:
        assert not np.array_equal(first, rest[-1])


def test_uniform_noise_lies_in_the_unit_box_and_normal_noise_does_not():
    uniform = gans.latent_vectors(2000, 8, seed=0, distribution="uniform")
    normal = gans.latent_vectors(2000, 8, seed=0)
    assert uniform.min() >= -1.0 and uniform.max() <= 1.0 and abs(uniform.std() - 1 / np.sqrt(3)) < 0.01
    assert np.abs(normal).max() > 2.5 and abs(normal.std() - 1.0) < 0.02
    with pytest.raises(ValueError, match="distribution must be one of normal, uniform"):
        gans.latent_vectors(2, 8, distribution="cauchy")


def _noise_recorder(latent_dim=4):
    """A generator that keeps every noise batch it is called on (eager), and a critic."""
    seen = []

    class Recorder(keras.layers.Layer):
        def call(self, inputs):
            seen.append(keras.ops.convert_to_numpy(inputs).copy())
            return inputs

        def compute_output_shape(self, input_shape):  # so that building the model calls nothing
            return input_shape

    noise = keras.Input((latent_dim,))
    generator = keras.Model(noise, keras.layers.Dense(2)(Recorder()(noise)))
    points = keras.Input((2,))
    critic = keras.Model(points, keras.layers.Dense(1)(points))
    return generator, critic, seen


def test_a_gan_trained_on_uniform_noise_draws_it_from_the_box():
    generator, critic, seen = _noise_recorder()
    gan = gans.GAN(generator, critic, seed=0, noise_distribution="uniform")
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1), run_eagerly=True)
    gan.train_on_batch(np.zeros((64, 2), "float32"))
    drawn = np.concatenate(seen)
    assert drawn.min() >= -1.0 and drawn.max() <= 1.0 and drawn.std() == pytest.approx(1 / np.sqrt(3), rel=0.15)
    with pytest.raises(ValueError, match="noise_distribution"):
        gans.GAN(generator, critic, noise_distribution="cauchy")


@pytest.mark.parametrize(("discriminator_steps", "generator_steps"), [(1, 1), (3, 1), (1, 2)])
def test_unequal_schedules_take_that_many_updates_of_each_player(discriminator_steps, generator_steps):
    generator, critic, seen = _noise_recorder()
    gan = gans.SequentialGAN(generator, critic, seed=0, discriminator_steps=discriminator_steps, generator_steps=generator_steps)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1), run_eagerly=True)
    real = np.arange(8 * discriminator_steps * 2, dtype="float32").reshape(-1, 2)  # 8 points per critic update
    gan.train_on_batch(real)
    assert int(gan.d_optimizer.iterations) == discriminator_steps and int(gan.g_optimizer.iterations) == generator_steps
    # fresh noise of one critic batch (8) for every update of either player
    assert [len(batch) for batch in seen] == [8] * (discriminator_steps + generator_steps)
    assert len({batch.tobytes() for batch in seen}) == len(seen)
    with pytest.raises(ValueError, match="at least one update"):
        gans.SequentialGAN(generator, critic, discriminator_steps=0)


def test_generate_draws_what_the_run_saves_the_average_on_the_trainers_noise():
    # Before, GAN.generate drew from the raw generator while runs and callbacks drew from
    # the average: two ways to draw, two answers.
    keras.utils.set_random_seed(0)
    generator = models.dcgan_generator(latent_dim=8, widths=(16, 8, 4))
    gan = gans.GAN(generator, models.dcgan_discriminator(widths=(4, 8)), seed=0, generator_average_decay=0.5,
                   noise_distribution="uniform")
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-2), g_optimizer=keras.optimizers.Adam(1e-2))
    for _ in range(3):
        gan.train_on_batch(real_digits(16))
    drawn = gan.generate(6, seed=3)
    averaged = gans.generate_images(gan.sampling_generator(), 6, seed=3, distribution="uniform")
    np.testing.assert_array_equal(drawn, averaged)
    assert np.abs(drawn - gans.generate_images(generator, 6, seed=3, distribution="uniform")).max() > 1e-3
    assert np.abs(drawn - gans.generate_images(gan.sampling_generator(), 6, seed=3)).max() > 1e-3


def test_a_trainer_builds_and_compiles_itself_from_its_recipe():
    from ganlab import config

    for name in ("dcgan-mnist", "wgan-gp-mnist", "cgan-mnist", "acgan-mnist", "vae-mnist", "vaegan-mnist"):
        recipe = config.get_preset(name).replace(generator_widths=(8, 4, 2), latent_dim=4)
        trainer = gans.build_trainer(recipe)
        assert type(trainer) is gans.trainer_class(recipe.model)
        rates = trainer.optimizers_with_rates(recipe)
        assert all(float(optimizer.learning_rate) == pytest.approx(rate) for optimizer, rate in rates)
        assert len(rates) == {"vae": 1, "vaegan": 3}.get(recipe.model, 2)
        assert [file for file, _ in trainer.saved_networks] == ["generator.keras", *(["encoder.keras"] if recipe.autoencoder else [])]
    wgan = gans.build_trainer(config.get_preset("wgan-clip-mnist").replace(generator_widths=(8, 4, 2)))
    assert (wgan.n_critic, wgan.clip_value, wgan.gradient_penalty_weight) == (5, 0.01, None)


def test_the_conditional_generator_takes_the_recipes_upsampling():
    from ganlab import config, runs

    # before, upsampling never reached the conditional generator: a resize recipe drew checkerboards
    recipe = config.get_preset("cgan-mnist").replace(upsampling="resize", generator_widths=(8, 4, 2))
    layers = {type(layer).__name__ for layer in runs.build_generator(recipe).layers}
    assert "UpSampling2D" in layers and "Conv2DTranspose" not in {type(layer).__name__ for layer in runs.build_generator(recipe).layers[-1:]}
