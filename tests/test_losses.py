import math

import numpy as np
import pytest

from ganlab import losses


def softplus(x):
    return math.log1p(math.exp(x))


def test_minimax_discriminator_loss_matches_hand_computation():
    # -log sigmoid(2) - log(1 - sigmoid(1)) = log(1 + e^-2) + log(1 + e^1)
    value = losses.minimax_discriminator_loss([2.0], [1.0])
    assert float(value) == pytest.approx(1.4402, abs=1e-4)


def test_discriminator_loss_averages_each_half_then_adds():
    real, fake = [2.0, -1.0], [0.5, -3.0]
    expected = (softplus(-2.0) + softplus(1.0)) / 2 + (softplus(0.5) + softplus(-3.0)) / 2
    assert float(losses.minimax_discriminator_loss(real, fake)) == pytest.approx(expected, rel=1e-6)


def test_one_sided_label_smoothing_only_changes_the_real_target():
    # target 0.9 on real: softplus(l) - 0.9 l ; fake keeps target 0: softplus(l)
    real, fake = [2.0], [1.0]
    expected = (softplus(2.0) - 0.9 * 2.0) + softplus(1.0)
    value = losses.minimax_discriminator_loss(real, fake, label_smoothing=0.1)
    assert float(value) == pytest.approx(expected, rel=1e-6)
    assert float(value) == pytest.approx(1.6402, abs=1e-4)  # 2.1269 - 1.8 + 1.3133


def test_nonsaturating_discriminator_loss_is_the_minimax_one():
    real, fake = [0.3, 1.2], [-0.4, 2.0]
    assert float(losses.nonsaturating_discriminator_loss(real, fake, 0.1)) == pytest.approx(
        float(losses.minimax_discriminator_loss(real, fake, 0.1))
    )


def test_minimax_generator_loss_is_log_one_minus_d():
    # log(1 - sigmoid(0)) = log(0.5)
    assert float(losses.minimax_generator_loss([0.0])) == pytest.approx(math.log(0.5), abs=1e-6)
    # log(1 - sigmoid(2)) = -log(1 + e^2)
    assert float(losses.minimax_generator_loss([2.0])) == pytest.approx(-2.1269, abs=1e-4)


def test_nonsaturating_generator_loss_is_minus_log_d():
    # -log sigmoid(-1) = log(1 + e^1)
    assert float(losses.nonsaturating_generator_loss([-1.0])) == pytest.approx(1.3133, abs=1e-4)


def test_losses_accept_column_logits_like_a_discriminator_returns():
    column = np.array([[2.0], [-1.0]], dtype="float32")
    flat = column.ravel()
    assert float(losses.nonsaturating_generator_loss(column)) == pytest.approx(
        float(losses.nonsaturating_generator_loss(flat))
    )
    assert float(losses.minimax_discriminator_loss(column, column)) == pytest.approx(
        float(losses.minimax_discriminator_loss(flat, flat))
    )


def test_losses_stay_finite_for_huge_logits():
    assert np.isfinite(float(losses.minimax_discriminator_loss([1e4], [-1e4])))
    assert float(losses.nonsaturating_generator_loss([-1e4])) == pytest.approx(1e4, rel=1e-6)


def test_nonsaturating_gradient_is_strong_where_minimax_vanishes():
    import tensorflow as tf

    bad_generator_logit = tf.Variable([-8.0])  # the discriminator is sure it is fake
    with tf.GradientTape(persistent=True) as tape:
        minimax = losses.minimax_generator_loss(bad_generator_logit)
        nonsaturating = losses.nonsaturating_generator_loss(bad_generator_logit)
    minimax_gradient = float(tape.gradient(minimax, bad_generator_logit)[0])
    nonsaturating_gradient = float(tape.gradient(nonsaturating, bad_generator_logit)[0])
    # d/dl of -softplus(l) is -sigmoid(l) ~ -3.4e-4; of softplus(-l) is -sigmoid(-l) ~ -1
    assert abs(minimax_gradient) < 1e-3
    assert abs(nonsaturating_gradient) > 0.99


def test_bad_label_smoothing_and_unknown_names_raise():
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.minimax_discriminator_loss([1.0], [1.0], label_smoothing=1.0)
    with pytest.raises(ValueError, match="choose from"):
        losses.get_generator_loss("hinge")
    with pytest.raises(ValueError, match="choose from"):
        losses.get_discriminator_loss("hinge")
    assert losses.get_generator_loss("minimax") is losses.minimax_generator_loss


def test_wasserstein_losses_match_hand_computation():
    real, fake = [3.0, 1.0], [0.5, -1.5]
    # critic: mean(fake) - mean(real) = -0.5 - 2.0
    assert float(losses.wasserstein_discriminator_loss(real, fake)) == pytest.approx(-2.5)
    assert float(losses.wasserstein_generator_loss(fake)) == pytest.approx(0.5)
    assert float(losses.wasserstein_discriminator_loss(np.array([[1.0], [1.0]]), np.array([[1.0], [1.0]]))) == 0.0


def test_least_squares_losses_match_hand_computation():
    real, fake = [1.5, 0.0], [0.5, 2.0]
    # ((0.5^2 + 1^2) / 2) / 2 + ((0.25 + 4) / 2) / 2 = 0.3125 + 1.0625
    assert float(losses.least_squares_discriminator_loss(real, fake)) == pytest.approx(1.375)
    # ((0.5 - 1)^2 + (2 - 1)^2) / 2 / 2 = 0.3125
    assert float(losses.least_squares_generator_loss(fake)) == pytest.approx(0.3125)
    # real target 0.9: ((0.6^2 + 0.9^2) / 2) / 2 = 0.2925
    assert float(losses.least_squares_discriminator_loss(real, [0.0, 0.0], label_smoothing=0.1)) == pytest.approx(0.2925)
    with pytest.raises(ValueError, match=r"^label_smoothing must be in \[0, 1\), got 1\.0$"):
        losses.least_squares_discriminator_loss(real, fake, label_smoothing=1.0)


def test_class_cross_entropy_matches_hand_computation():
    # logits (0, ln 3): softmax = (1/4, 3/4); label 1 -> -ln(3/4), label 0 -> -ln(1/4)
    logits = [[0.0, math.log(3.0)], [0.0, math.log(3.0)]]
    expected = (-math.log(0.75) - math.log(0.25)) / 2
    assert float(losses.class_cross_entropy(logits, [1, 0])) == pytest.approx(expected, rel=1e-6)


def test_acgan_losses_add_the_class_terms():
    real, fake = [2.0], [-1.0]
    real_classes, fake_classes = [[0.0, math.log(3.0)]], [[math.log(3.0), 0.0]]
    adversarial = softplus(-2.0) + softplus(-1.0)  # 0.1269 + 0.3133
    # real asked label 1 (p = 3/4), fake asked label 1 (p = 1/4)
    expected = adversarial - math.log(0.75) - math.log(0.25)
    value = losses.acgan_discriminator_loss(real, fake, real_classes, fake_classes, [1], [1])
    assert float(value) == pytest.approx(expected, rel=1e-6)
    generator_value = losses.acgan_generator_loss(fake, fake_classes, [0])
    assert float(generator_value) == pytest.approx(softplus(1.0) - math.log(0.75), rel=1e-6)


def _linear_critic(weights):
    import keras

    inputs = keras.Input(shape=weights.shape)
    flat = keras.layers.Flatten()(inputs)
    layer = keras.layers.Dense(1, use_bias=False)
    critic = keras.Model(inputs, layer(flat))
    layer.set_weights([weights.reshape(-1, 1)])
    return critic


def test_gradient_penalty_of_a_linear_critic_is_known_in_closed_form():
    # C(x) = sum(w * x) has gradient w everywhere, so the penalty is (||w|| - 1)^2 for any
    # interpolation weights: here ||w|| = sqrt(9 + 16) = 5, penalty 16.
    weights = np.array([[3.0], [4.0]], dtype="float32")  # images of shape (2, 1)
    critic = _linear_critic(weights)
    real = np.random.default_rng(0).standard_normal((8, 2, 1)).astype("float32")
    fake = np.zeros((8, 2, 1), dtype="float32")
    assert float(losses.wasserstein_gradient_penalty(critic, real, fake, seed=1)) == pytest.approx(16.0, rel=1e-5)
    unit = _linear_critic(np.array([[0.6], [0.8]], dtype="float32"))
    assert float(losses.wasserstein_gradient_penalty(unit, real, fake, seed=1)) == pytest.approx(0.0, abs=1e-6)


def test_gradient_penalty_is_finite_when_the_gradient_vanishes():
    import tensorflow as tf

    critic = _linear_critic(np.zeros((3, 3, 1), dtype="float32"))
    real = tf.Variable(np.ones((4, 3, 3, 1), dtype="float32"))
    with tf.GradientTape() as tape:
        penalty = losses.wasserstein_gradient_penalty(critic, real, tf.zeros_like(real), seed=0)
    assert float(penalty) == pytest.approx(1.0, abs=1e-5)  # (sqrt(eps) - 1)^2
    gradient = tape.gradient(penalty, critic.trainable_variables)
    assert all(np.all(np.isfinite(g.numpy())) for g in gradient)


def test_gradient_penalty_interpolates_per_image():
    # A critic that is |x|^2 / 2 per image has gradient x_hat: with real = fake = v the
    # point is v whatever the weight, so the norm is ||v|| exactly.
    import keras

    inputs = keras.Input(shape=(2,))
    critic = keras.Model(inputs, keras.ops.sum(keras.ops.square(inputs), axis=1, keepdims=True) / 2)
    images = np.array([[3.0, 4.0], [0.0, 2.0]], dtype="float32")
    expected = ((5.0 - 1.0) ** 2 + (2.0 - 1.0) ** 2) / 2
    assert float(losses.wasserstein_gradient_penalty(critic, images, images, seed=3)) == pytest.approx(expected, rel=1e-5)


def test_loss_registry_knows_every_family():
    for name in ("minimax", "nonsaturating", "least_squares", "wasserstein"):
        assert losses.get_generator_loss(name) is losses.GENERATOR_LOSSES[name]
        assert losses.get_discriminator_loss(name) is losses.DISCRIMINATOR_LOSSES[name]


# The VAE and VAE-GAN terms (book/05_vae_and_vaegan): summed per example, averaged over the batch.

def test_gaussian_kl_matches_hand_computation():
    # dimension 1: e^0 + 1^2 - 1 - 0 = 1; dimension 2: 2 + 0 - 1 - ln 2; half their sum
    mean, log_variance = [[1.0, 0.0]], [[0.0, math.log(2.0)]]
    expected = 0.5 * (1.0 + 1.0 - math.log(2.0))
    assert float(losses.gaussian_kl_divergence(mean, log_variance)) == pytest.approx(expected, rel=1e-6)
    # a second example that is exactly the prior costs nothing, so the batch mean halves
    batch = losses.gaussian_kl_divergence([[1.0, 0.0], [0.0, 0.0]], [[0.0, math.log(2.0)], [0.0, 0.0]])
    assert float(batch) == pytest.approx(expected / 2, rel=1e-6)


def test_kl_is_zero_only_at_the_prior_and_positive_elsewhere():
    assert float(losses.gaussian_kl_divergence(np.zeros((3, 4)), np.zeros((3, 4)))) == 0.0
    rng = np.random.default_rng(0)
    mean, log_variance = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    # 0.5 sum(exp(log var) + mean^2 - 1 - log var) per example, averaged over the batch
    expected = 0.5 * (np.exp(log_variance) + mean**2 - 1 - log_variance).sum(axis=1).mean()
    kl = float(losses.gaussian_kl_divergence(mean, log_variance))
    assert kl == pytest.approx(expected, rel=1e-5) and kl > 0.0


def test_bernoulli_reconstruction_matches_hand_computation():
    # pixels -1, 1, 0 are targets 0, 1, 0.5; a reconstruction of 0 is probability 0.5: ln 2 each
    value = losses.bernoulli_reconstruction_loss([[-1.0, 1.0, 0.0]], [[0.0, 0.0, 0.0]])
    assert float(value) == pytest.approx(3 * math.log(2.0), rel=1e-6)
    # target 1 reconstructed as 0.5 (probability 0.75): -ln 0.75
    assert float(losses.bernoulli_reconstruction_loss([[1.0]], [[0.5]])) == pytest.approx(-math.log(0.75), rel=1e-5)


def test_bernoulli_reconstruction_is_finite_for_saturated_pixels_and_smallest_at_the_target():
    saturated = losses.bernoulli_reconstruction_loss([[1.0, -1.0]], [[-1.0, 1.0]])
    assert np.isfinite(float(saturated)) and float(saturated) > 20
    # a gray target: the loss is lowest where the reconstruction equals it
    candidates = np.linspace(-0.9, 0.9, 19)
    values = [float(losses.bernoulli_reconstruction_loss([[0.3]], [[c]])) for c in candidates]
    assert candidates[int(np.argmin(values))] == pytest.approx(0.3)


def test_squared_error_and_feature_reconstruction_match_hand_computation():
    # 0.5 * (1 + 1) for the first image, 0 for the second: mean 0.5
    images, reconstructions = [[1.0, -1.0], [0.5, 0.5]], [[0.0, 0.0], [0.5, 0.5]]
    assert float(losses.squared_error_reconstruction_loss(images, reconstructions)) == pytest.approx(0.5)
    # images of any shape are flattened per example
    four_d = np.ones((2, 2, 2, 1), dtype="float32")
    assert float(losses.squared_error_reconstruction_loss(four_d, 0 * four_d)) == pytest.approx(2.0)
    assert float(losses.feature_reconstruction_loss([[3.0, 0.0]], [[1.0, 0.0]])) == pytest.approx(2.0)


def test_vaegan_losses_match_hand_computation():
    # real logit 2 (target 1), reconstruction logit 0 and prior logit -1 (target 0)
    expected = softplus(2.0) - 2.0 + softplus(0.0) + softplus(-1.0)
    assert float(losses.vaegan_discriminator_loss([2.0], [0.0], [-1.0])) == pytest.approx(expected, rel=1e-6)
    smoothed = softplus(2.0) - 0.9 * 2.0 + softplus(0.0) + softplus(-1.0)
    assert float(losses.vaegan_discriminator_loss([2.0], [0.0], [-1.0], label_smoothing=0.1)) == pytest.approx(smoothed, rel=1e-6)
    # the decoder wants both kinds of image called real: -log sigmoid(0) - log sigmoid(1)
    generator = softplus(0.0) + softplus(1.0) - 1.0
    assert float(losses.vaegan_generator_loss([0.0], [1.0])) == pytest.approx(generator, rel=1e-6)


def test_reconstruction_losses_by_name():
    assert losses.get_reconstruction_loss("bernoulli") is losses.bernoulli_reconstruction_loss
    with pytest.raises(ValueError, match="choose from"):
        losses.get_reconstruction_loss("l1")
