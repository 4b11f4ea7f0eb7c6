"""GAN losses as pure functions of discriminator logits (TF-GAN naming).

Introduced in book/01_artist_and_critic and book/02_dcgan_mnist. Every function takes
logits of any shape (1-D, or (batch, 1) as a discriminator returns them) and returns a
scalar mean. Cross-entropy on logits is written as ``softplus(l) - t * l``, which equals
``-t log sigmoid(l) - (1 - t) log(1 - sigmoid(l))`` and never takes the log of 0.
"""

from __future__ import annotations

from keras import ops


def _flat(logits):
    return ops.reshape(ops.convert_to_tensor(logits, dtype="float32"), (-1,))


def sigmoid_cross_entropy(logits, target: float):
    """Mean binary cross-entropy of ``sigmoid(logits)`` against a constant target in [0, 1]."""
    logits = _flat(logits)
    return ops.mean(ops.softplus(logits) - target * logits)


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing: float = 0.0):
    """-log D(x) - log(1 - D(G(z))), each term averaged (Goodfellow et al. 2014).

    ``label_smoothing`` is one-sided (Salimans et al. 2016): real images get the target
    ``1 - label_smoothing`` (0.9 for 0.1), generated images keep 0, which stops the
    discriminator from becoming over-confident on real data.
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    real_loss = sigmoid_cross_entropy(real_logits, 1.0 - label_smoothing)
    fake_loss = sigmoid_cross_entropy(fake_logits, 0.0)
    return real_loss + fake_loss


def nonsaturating_discriminator_loss(real_logits, fake_logits, label_smoothing: float = 0.0):
    """The discriminator's loss in the non-saturating game: the same as the minimax one.

    The two games differ only in what the generator minimises; kept as its own name so a
    recipe can spell out both halves of the game it plays.
    """
    return minimax_discriminator_loss(real_logits, fake_logits, label_smoothing)


def minimax_generator_loss(fake_logits):
    """log(1 - D(G(z))), averaged: the generator plays the original zero-sum game.

    Its gradient vanishes exactly when the generator is bad (D(G(z)) near 0), which is why
    it is rarely used in practice; the book shows this.
    """
    return -sigmoid_cross_entropy(fake_logits, 0.0)


def nonsaturating_generator_loss(fake_logits):
    """-log D(G(z)), averaged: the 'non-saturating' heuristic of Goodfellow et al. 2014.

    Same fixed point as the minimax loss, but strong gradients when the generator is bad.
    """
    return sigmoid_cross_entropy(fake_logits, 1.0)


GENERATOR_LOSSES = {
    "minimax": minimax_generator_loss,
    "nonsaturating": nonsaturating_generator_loss,
}
DISCRIMINATOR_LOSSES = {
    "minimax": minimax_discriminator_loss,
    "nonsaturating": nonsaturating_discriminator_loss,
}


def get_generator_loss(name: str):
    """Look up a generator loss by the name a config uses."""
    if name not in GENERATOR_LOSSES:
        raise ValueError(f"unknown generator loss {name!r}; choose from {sorted(GENERATOR_LOSSES)}")
    return GENERATOR_LOSSES[name]


def get_discriminator_loss(name: str):
    """Look up a discriminator loss by the name a config uses."""
    if name not in DISCRIMINATOR_LOSSES:
        raise ValueError(
            f"unknown discriminator loss {name!r}; choose from {sorted(DISCRIMINATOR_LOSSES)}"
        )
    return DISCRIMINATOR_LOSSES[name]
