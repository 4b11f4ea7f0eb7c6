import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

from ganlab import diagrams, models  # noqa: E402


def texts_of(figure) -> str:
    return "\n".join(text.get_text() for axes in figure.axes for text in axes.texts + [axes.title])


@pytest.mark.parametrize("flow", [diagrams.GAN_LOOP, diagrams.VAE_FLOW, diagrams.VAEGAN_FLOW])
def test_every_box_of_a_flow_is_drawn(flow):
    figure = diagrams.plot_flow(flow)
    drawn = texts_of(figure)
    assert all(name in drawn for name in flow.boxes)
    plt.close(figure)


def test_the_gan_loop_reaches_both_losses_and_feeds_them_back():
    loop = diagrams.GAN_LOOP
    assert loop.reaches("noise z", "G loss:\nfake -> 1") and loop.reaches("real images", "D loss:\nreal -> 1, fake -> 0")
    # real images never reach the generator's loss except through the discriminator's update
    assert not diagrams.Flow("t", {"a": (0, 0, "data"), "b": (1, 0, "loss")}, ()).reaches("a", "b")
    assert ("G loss:\nfake -> 1", "generator G", "updates G (through D)") in loop.arrows


def test_vae_flows_sample_through_the_reparameterisation():
    assert diagrams.VAE_FLOW.reaches("noise eps", "reconstruction loss")
    assert diagrams.VAE_FLOW.reaches("image x", "KL loss")
    assert diagrams.VAEGAN_FLOW.reaches("noise z_p", "GAN losses (decoder, D)")
    assert diagrams.VAEGAN_FLOW.reaches("image x", "feature loss: D's features\nof x vs reconstruction")


def test_a_flow_refuses_arrows_to_missing_boxes_and_unknown_roles():
    with pytest.raises(ValueError, match="do not exist"):
        diagrams.Flow("broken", {"a": (0, 0, "data")}, (("a", "nowhere", ""),))
    with pytest.raises(ValueError, match="unknown roles"):
        diagrams.Flow("broken", {"a": (0, 0, "paint")}, ())


def test_network_shapes_follow_the_model():
    generator = models.dcgan_generator(100, (28, 28, 1), (32, 16, 8), 5)
    blocks = diagrams.network_shapes(generator)
    shapes = [block["shape"] for block in blocks]
    assert shapes == [(100,), (7 * 7 * 32,), (7, 7, 32), (7, 7, 16), (14, 14, 8), (28, 28, 1)]
    assert blocks[0]["layers"] == ["Input"] and blocks[1]["layers"] == ["Dense", "BatchNormalization", "LeakyReLU"]
    assert blocks[-1]["layers"] == ["Conv2DTranspose"]
    discriminator = models.dcgan_discriminator((28, 28, 1), (8, 16), 5, 0.3)
    assert [block["shape"] for block in diagrams.network_shapes(discriminator)][-1] == (1,)
    figure = diagrams.plot_network_shapes({"generator": generator, "discriminator": discriminator})
    drawn = texts_of(figure)
    assert "7 x 7 x 32" in drawn and "28 x 28 x 1" in drawn and "ConvT" in drawn
    plt.close(figure)


@pytest.mark.parametrize(("input_size", "kernel", "stride", "padding", "expected"), [
    (7, 5, 2, "same", 14), (7, 5, 1, "same", 7), (4, 4, 2, "valid", 10), (4, 3, 2, "valid", 9), (3, 1, 2, "valid", 6)])
def test_transposed_output_size_matches_keras(input_size, kernel, stride, padding, expected):
    import keras

    assert diagrams.transposed_output_size(input_size, kernel, stride, padding) == expected
    layer = keras.layers.Conv2DTranspose(1, kernel, strides=stride, padding=padding)
    assert layer.compute_output_shape((None, input_size, input_size, 1))[1] == expected


def test_overlap_counts_by_hand():
    # each input paints `kernel` outputs, `stride` apart
    np.testing.assert_array_equal(diagrams.overlap_counts(3, 3, 2), [1, 1, 2, 1, 2, 1, 1])
    np.testing.assert_array_equal(diagrams.overlap_counts(3, 4, 2), [1, 1, 2, 2, 2, 2, 1, 1])
    np.testing.assert_array_equal(diagrams.overlap_counts(2, 2, 2), [1, 1, 1, 1])
    with pytest.raises(ValueError, match="must be positive"):
        diagrams.overlap_counts(0, 3, 2)


def test_overlap_is_even_inside_only_when_the_kernel_is_a_multiple_of_the_stride():
    for kernel in (2, 3, 4, 5, 6):
        inside = diagrams.overlap_counts(8, kernel, 2)[kernel:-kernel]
        assert (len(set(inside.tolist())) == 1) == (kernel % 2 == 0), kernel
    figure = diagrams.plot_transposed_overlap((3, 4), stride=2, input_size=3)
    assert "uneven overlap" in texts_of(figure) and "even overlap" in texts_of(figure)
    plt.close(figure)


def test_activation_plot_shows_the_gradient_relu_loses():
    figure = diagrams.plot_activations(0.2)
    gradient_axes = figure.axes[1]
    relu, leaky = (line.get_ydata() for line in gradient_axes.lines[:2])
    inputs = gradient_axes.lines[0].get_xdata()
    assert np.all(relu[inputs < -0.1] == 0) and np.allclose(leaky[inputs < -0.1], 0.2, atol=1e-4)
    assert np.allclose(relu[inputs > 0.1], 1, atol=1e-4) and np.allclose(leaky[inputs > 0.1], 1, atol=1e-4)
    plt.close(figure)
