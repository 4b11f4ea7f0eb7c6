import keras
import numpy as np
import pytest

from ganlab import models


def test_default_generator_is_the_tutorial_network_for_digits():
    generator = models.dcgan_generator()
    assert generator.name == "generator"
    assert generator.input_shape == (None, 100)
    assert generator.output_shape == (None, 28, 28, 1)
    # TensorFlow DCGAN tutorial: 7x7x256 projection, then 128 (stride 1), 64, 1 (stride 2)
    assert generator.get_layer("to_feature_map").output.shape[1:] == (7, 7, 256)
    assert generator.get_layer("up1").strides == (1, 1)
    assert generator.get_layer("up2").strides == (2, 2)
    assert generator.count_params() == 2_330_944


def test_default_discriminator_is_the_tutorial_network():
    discriminator = models.dcgan_discriminator()
    assert discriminator.name == "discriminator"
    assert discriminator.output_shape == (None, 1)
    assert [layer.name for layer in discriminator.layers if "down" in layer.name and layer.name[-1].isdigit()] == ["down1", "down2"]
    assert discriminator.count_params() == 212_865


@pytest.mark.parametrize(
    "image_shape, widths, start",
    [((32, 32, 3), (256, 128, 64), 4), ((64, 64, 3), (512, 256, 128, 64), 4), ((32, 32, 1), (128, 64), 8)],
)
def test_builders_scale_to_other_sizes_and_colour(image_shape, widths, start):
    generator = models.dcgan_generator(latent_dim=16, image_shape=image_shape, widths=widths)
    assert generator.output_shape == (None, *image_shape)
    assert generator.get_layer("to_feature_map").output.shape[1] == start
    discriminator = models.dcgan_discriminator(image_shape=image_shape, widths=(16, 32, 64))
    images = generator.predict(np.zeros((2, 16), "float32"), verbose=0)
    assert discriminator.predict(images, verbose=0).shape == (2, 1)


def test_generator_output_is_in_tanh_range():
    keras.utils.set_random_seed(0)
    generator = models.dcgan_generator(latent_dim=8, widths=(16, 8, 4))
    images = generator.predict(np.random.default_rng(0).normal(size=(4, 8)) * 50, verbose=0)
    # huge noise saturates the tanh: pixels reach both ends of [-1, 1] and never pass them
    assert -1.0 <= images.min() < -0.99 and 0.99 < images.max() <= 1.0


def test_count_upsamplings():
    assert models.count_upsamplings(28, 3) == 2
    assert models.count_upsamplings(64, 4) == 4
    assert models.count_upsamplings(64, 2) == 2
    assert models.count_upsamplings(7, 3) == 0


def test_builders_reject_bad_shapes():
    with pytest.raises(ValueError, match="square"):
        models.dcgan_generator(image_shape=(28, 32, 1))
    with pytest.raises(ValueError, match="widths"):
        models.dcgan_discriminator(widths=())


def test_mlp_generator_matches_the_seed_network():
    generator = models.mlp_generator()
    assert generator.output_shape == (None, 28, 28, 1)
    # dense 100->256->512->1024->784, each with a bias
    assert generator.count_params() == (100 * 256 + 256) + (256 * 512 + 512) + (512 * 1024 + 1024) + (1024 * 784 + 784)
    assert generator.get_layer("to_output").activation.__name__ == "tanh"


def test_mlp_discriminator_for_images_and_points():
    critic = models.mlp_discriminator()
    assert critic.output_shape == (None, 1)
    assert critic.count_params() == (784 * 1024 + 1024) + (1024 * 512 + 512) + (512 * 256 + 256) + (256 + 1)
    point_critic = models.mlp_discriminator(input_shape=(2,), widths=(4,), dropout=0.0)
    assert point_critic.count_params() == (2 * 4 + 4) + (4 + 1)
    assert not any(layer.name.endswith("dropout") for layer in point_critic.layers)
    point_generator = models.mlp_generator(latent_dim=3, output_shape=(2,), widths=(4,), output_activation=None)
    assert point_generator.output_shape == (None, 2)
    with pytest.raises(ValueError, match="^widths needs at least one entry$"):
        models.mlp_generator(widths=())


def test_apply_in_batches_matches_one_call():
    import keras

    network = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    inputs = np.random.default_rng(0).standard_normal((10, 3)).astype("float32")
    np.testing.assert_allclose(models.apply_in_batches(network, inputs, batch_size=4), network(inputs).numpy(), rtol=1e-6)
    source = keras.Input((3,))
    two_outputs = keras.Model(source, [keras.layers.Dense(2)(source), keras.layers.Dense(1)(source)])
    first, second = models.apply_in_batches(two_outputs, inputs, batch_size=3)
    assert first.shape == (10, 2) and second.shape == (10, 1)
    with pytest.raises(ValueError, match="^no inputs$"):
        models.apply_in_batches(network, inputs[:0])


@pytest.mark.parametrize("conditioning", ["one_hot", "embedding"])
def test_conditional_generator_draws_the_class_it_is_given(conditioning):
    generator = models.conditional_generator(latent_dim=6, num_classes=4, widths=(8, 4, 2), conditioning=conditioning)
    assert generator.output_shape == (None, 28, 28, 1) and models.num_classes_of(generator) == 4
    noise = np.random.default_rng(0).standard_normal((2, 6)).astype("float32")
    if conditioning == "embedding":  # a fresh embedding is random: make the classes differ for sure
        generator.get_layer("label_embedding").set_weights([np.arange(24, dtype="float32").reshape(4, 6) / 10])
    first = generator([noise, np.array([0, 0])], training=False).numpy()
    other = generator([noise, np.array([3, 3])], training=False).numpy()
    assert not np.allclose(first, other)
    with pytest.raises(ValueError, match="conditioning"):
        models.conditional_generator(conditioning="concat")


@pytest.mark.parametrize("conditioning", ["one_hot", "embedding"])
def test_soft_label_generator_shares_the_layers_and_mixes_classes(conditioning):
    generator = models.conditional_generator(latent_dim=6, num_classes=4, widths=(8, 4, 2), conditioning=conditioning)
    soft = models.soft_label_generator(generator)
    noise = np.random.default_rng(0).standard_normal((3, 6)).astype("float32")
    labels = np.array([0, 3, 1])
    one_hot = np.eye(4, dtype="float32")[labels]
    np.testing.assert_allclose(soft([noise, one_hot]).numpy(), generator([noise, labels]).numpy(), atol=1e-6)
    # the embedding mixes linearly: half of class 0 and half of class 3 is their mean vector
    if conditioning == "embedding":
        table = generator.get_layer("label_embedding").embeddings.numpy()
        averaged = keras.models.clone_model(generator)
        averaged.set_weights(generator.get_weights())
        averaged.get_layer("label_embedding").embeddings.assign(np.repeat((table[:1] + table[3:]) / 2, 4, axis=0))
        half = np.array([[0.5, 0, 0, 0.5]], "float32")
        np.testing.assert_allclose(soft([noise[:1], half]).numpy(), averaged([noise[:1], np.array([0])]).numpy(), atol=1e-6)
    # shared weights: training the generator changes the soft-label one too
    generator.get_layer("to_image").kernel.assign(generator.get_layer("to_image").kernel * 2)
    np.testing.assert_allclose(soft([noise, one_hot]).numpy(), generator([noise, labels]).numpy(), atol=1e-6)
    assert models.soft_label_generator(soft) is soft
    with pytest.raises(ValueError, match="unconditional"):
        models.soft_label_generator(models.dcgan_generator(latent_dim=6, widths=(8, 4)))


def test_conditional_discriminator_reads_the_label_as_image_planes():
    critic = models.conditional_discriminator(num_classes=3, widths=(4, 8))
    assert critic.get_layer("image_and_label").output.shape[1:] == (28, 28, 4)  # 1 pixel channel + 3 label planes
    image = np.zeros((1, 28, 28, 1), dtype="float32")
    assert critic([image, np.array([0])]).numpy() != pytest.approx(critic([image, np.array([2])]).numpy())


def test_auxiliary_head_and_unconditional_have_no_classes():
    critic = models.dcgan_discriminator(widths=(4, 8), num_classes=10)
    assert [tuple(output.shape) for output in critic.outputs] == [(None, 1), (None, 10)]
    assert models.num_classes_of(models.dcgan_generator(widths=(8, 4, 2))) is None


def test_apply_in_batches_with_two_inputs():
    generator = models.conditional_generator(latent_dim=4, widths=(8, 4, 2))
    noise, labels = np.zeros((5, 4), dtype="float32"), np.arange(5)
    np.testing.assert_allclose(
        models.apply_in_batches(generator, [noise, labels], batch_size=2), generator([noise, labels]).numpy(), atol=1e-6
    )
    with pytest.raises(ValueError, match="different lengths"):
        models.apply_in_batches(generator, [noise, labels[:3]])


def test_resize_upsampling_builds_the_same_shapes_without_transposed_convolutions():
    generator = models.dcgan_generator(16, (32, 32, 1), (32, 16, 8), kernel_size=4, upsampling="resize")
    assert generator.output_shape == (None, 32, 32, 1)
    kinds = {type(layer).__name__ for layer in generator.layers}
    assert "Conv2DTranspose" not in kinds and "UpSampling2D" in kinds
    assert generator.get_layer("to_image_resize").output.shape[1:] == (32, 32, 8)
    with pytest.raises(ValueError, match="upsampling"):
        models.dcgan_generator(16, (32, 32, 1), (8, 4), upsampling="pixelshuffle")


def test_untrained_transposed_convolutions_draw_checkerboards_and_resizing_does_not():
    # Odena et al. 2016, measured: the share of power at period 2
    import keras

    from ganlab import gans, metrics

    energies = {}
    for upsampling in ("transpose", "resize"):
        keras.utils.set_random_seed(0)
        generator = models.dcgan_generator(16, (16, 16, 1), (16, 8), kernel_size=3, upsampling=upsampling)
        energies[upsampling] = metrics.checkerboard_energy(gans.generate_images(generator, 16, seed=0))
    assert energies["transpose"] > 10 * energies["resize"]


def test_conv_encoder_returns_mean_and_log_variance_heads():
    encoder = models.conv_encoder((28, 28, 1), latent_dim=2, widths=(8, 16))
    assert [tuple(output.shape) for output in encoder.outputs] == [(None, 2), (None, 2)]
    assert [layer.name for layer in encoder.layers][-2:] == ["mean", "log_variance"]
    assert not any("dropout" in layer.name for layer in encoder.layers)
    mean, log_variance = encoder(np.zeros((3, 28, 28, 1), dtype="float32"))
    assert mean.shape == log_variance.shape == (3, 2)
    with pytest.raises(ValueError, match="latent_dim"):
        models.conv_encoder(latent_dim=0)


def test_discriminator_features_are_the_last_block_before_dropout():
    discriminator = models.dcgan_discriminator(widths=(4, 8), features=True)
    logit, features = discriminator(np.zeros((2, 28, 28, 1), dtype="float32"), training=True)
    assert logit.shape == (2, 1) and features.shape == (2, 7 * 7 * 8)
    # the last block's dropout does not touch the features: two training-mode calls agree
    one_block = models.dcgan_discriminator(widths=(8,), dropout=0.5, features=True)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 28, 28, 1)).astype("float32")
    first, second = (one_block(images, training=True)[1] for _ in range(2))
    np.testing.assert_allclose(first, second)
    with pytest.raises(ValueError, match="not both"):
        models.dcgan_discriminator(num_classes=10, features=True)


@pytest.mark.parametrize("policy, compute", [("mixed_float16", "float16"), ("mixed_bfloat16", "bfloat16")])
def test_networks_built_under_a_mixed_policy_compute_in_16_bits_with_float32_outputs(policy, compute):
    with models.precision(policy):
        generator = models.dcgan_generator(latent_dim=8, widths=(16, 8, 4))
        critic = models.dcgan_discriminator(widths=(4, 8), num_classes=3)
        encoder = models.conv_encoder(latent_dim=4, widths=(4, 8))
        point_generator = models.mlp_generator(latent_dim=2, output_shape=(28, 28, 1), widths=(8,))
    assert keras.config.dtype_policy().name == "float32"  # restored after the block
    assert generator.get_layer("up1").compute_dtype == compute and critic.get_layer("down1").compute_dtype == compute
    # weights stay float32 (the optimizer updates them in full precision)
    assert all(weight.dtype == "float32" for weight in generator.weights)
    images = generator(np.zeros((2, 8), "float32"))
    logits, class_logits = critic(images)
    mean, log_variance = encoder(images)
    for output in (images, logits, class_logits, mean, log_variance, point_generator(np.zeros((2, 2), "float32"))):
        assert output.dtype == "float32"


def test_precision_names_a_bad_policy_and_keeps_the_old_one():
    with pytest.raises(ValueError, match="unknown precision 'float17'"):
        with models.precision("float17"):
            pass
    assert keras.config.dtype_policy().name == "float32"
