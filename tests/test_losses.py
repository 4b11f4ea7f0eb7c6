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
