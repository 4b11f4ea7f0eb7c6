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
    generator = models.dcgan_generator(latent_dim=8, widths=(16, 8, 4))
    images = generator.predict(np.random.default_rng(0).normal(size=(4, 8)) * 50, verbose=0)
    assert images.min() >= -1.0 and images.max() <= 1.0


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
