"""GAN losses as pure functions of discriminator logits (TF-GAN naming), and the VAE's.

Introduced in book/01_artist_and_critic and book/02_dcgan_mnist; the Wasserstein,
least-squares and auxiliary-classifier families in book/04_better_losses; the KL and
reconstruction terms of the VAE and the VAE-GAN in book/05_vae_and_vaegan. The GAN losses
take logits of any shape (1-D, or (batch, 1) as a discriminator returns them) and returns a
scalar mean. Cross-entropy on logits is written as ``softplus(l) - t * l``, which equals
``-t log sigmoid(l) - (1 - t) log(1 - sigmoid(l))`` and never takes the log of 0.
"""

from __future__ import annotations

from keras import ops

from ganlab.errors import UsageError


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
        raise UsageError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
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


def wasserstein_discriminator_loss(real_scores, fake_scores):
    """mean(C(G(z))) - mean(C(x)): the critic's loss (Arjovsky et al. 2017).

    The critic outputs unbounded scores, not logits. Minimising this maximises the gap
    between its mean score on real and on generated images, which estimates the
    Wasserstein-1 distance when the critic is 1-Lipschitz (weight clipping or a gradient
    penalty keeps it so).
    """
    return ops.mean(_flat(fake_scores)) - ops.mean(_flat(real_scores))


def wasserstein_generator_loss(fake_scores):
    """-mean(C(G(z))): the generator raises the critic's score of its images."""
    return -ops.mean(_flat(fake_scores))


def least_squares_discriminator_loss(real_scores, fake_scores, label_smoothing: float = 0.0):
    """(D(x) - 1)^2 / 2 + D(G(z))^2 / 2, each averaged (Mao et al. 2017, LSGAN).

    ``D`` is a linear output. Unlike cross-entropy, the squared error keeps pulling
    generated images that are already on the "real" side but far from the real data.
    ``label_smoothing`` lowers the real target to ``1 - label_smoothing``.
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise UsageError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
    real_target = 1.0 - label_smoothing
    return 0.5 * ops.mean(ops.square(_flat(real_scores) - real_target)) + 0.5 * ops.mean(ops.square(_flat(fake_scores)))


def least_squares_generator_loss(fake_scores):
    """(D(G(z)) - 1)^2 / 2, averaged: the generator pulls its images' scores to 1."""
    return 0.5 * ops.mean(ops.square(_flat(fake_scores) - 1.0))


def class_cross_entropy(class_logits, labels):
    """Mean softmax cross-entropy of (batch, classes) logits against integer labels."""
    class_logits = ops.convert_to_tensor(class_logits, dtype="float32")
    labels = ops.cast(ops.reshape(ops.convert_to_tensor(labels), (-1,)), "int32")
    return ops.mean(ops.sparse_categorical_crossentropy(labels, class_logits, from_logits=True))


def acgan_discriminator_loss(
    real_logits,
    fake_logits,
    real_class_logits,
    fake_class_logits,
    real_labels,
    fake_labels,
    label_smoothing: float = 0.0,
    fake_class_weight: float = 1.0,
):
    """The auxiliary-classifier GAN's discriminator loss (Odena et al. 2017):
    the real/fake cross-entropy of ``minimax_discriminator_loss`` plus the class
    cross-entropy on real images (their true labels) and, times ``fake_class_weight``, on
    generated ones (the labels they were asked for). With weight 0 the class head learns
    from real digits only, so it cannot learn to read the generator's own mistakes as the
    class that was asked for."""
    adversarial = minimax_discriminator_loss(real_logits, fake_logits, label_smoothing)
    real_class = class_cross_entropy(real_class_logits, real_labels)
    if not fake_class_weight:
        return adversarial + real_class
    return adversarial + real_class + fake_class_weight * class_cross_entropy(fake_class_logits, fake_labels)


def acgan_generator_loss(fake_logits, fake_class_logits, fake_labels):
    """-log D(G(z, c)) plus the class cross-entropy of the generated images against the
    requested labels ``c``: the generator must fool the critic *and* draw the class asked."""
    return nonsaturating_generator_loss(fake_logits) + class_cross_entropy(fake_class_logits, fake_labels)


def wasserstein_gradient_penalty(critic, real_images, fake_images, seed=None, epsilon: float = 1e-12, weights=None):
    """mean((||grad_x C(x_hat)|| - 1)^2) at random points between real and generated images
    (Gulrajani et al. 2017, WGAN-GP).

    ``x_hat = u * real + (1 - u) * fake`` with ``u`` uniform in [0, 1], one per image. The
    gradient norm is taken per image over all its axes; ``epsilon`` inside the square root
    keeps the norm (and its own gradient) finite when the gradient is exactly zero.
    ``critic`` is called on ``x_hat`` in training mode; ``seed`` is an int or a
    ``keras.random.SeedGenerator``, or ``weights`` (one ``u`` per image, broadcastable
    over its pixels) gives the ``u`` directly. Needs TensorFlow (it uses a gradient tape).
    """
    import keras
    import tensorflow as tf

    real_images = tf.convert_to_tensor(real_images, dtype="float32")
    fake_images = tf.convert_to_tensor(fake_images, dtype="float32")
    batch_size = tf.shape(real_images)[0]
    if weights is None:
        weight_shape = tf.concat([[batch_size], tf.ones([tf.rank(real_images) - 1], dtype=tf.int32)], axis=0)
        weights = keras.random.uniform(weight_shape, seed=seed)
    between = weights * real_images + (1.0 - weights) * fake_images
    with tf.GradientTape() as tape:
        tape.watch(between)
        scores = critic(between, training=True)
    gradients = tape.gradient(scores, between)
    gradients = tf.reshape(gradients, (batch_size, -1))
    norms = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=1) + epsilon)
    return tf.reduce_mean(tf.square(norms - 1.0))


# Variational autoencoders and the VAE-GAN (book/05_vae_and_vaegan). Images are in
# [-1, 1] as everywhere in ganlab; every loss is summed over an example's values (pixels,
# latent dimensions, features) and averaged over the batch, as the ELBO is written.


def _per_example(values):
    values = ops.convert_to_tensor(values, dtype="float32")
    return ops.reshape(values, (ops.shape(values)[0], -1))


def gaussian_kl_divergence(mean, log_variance):
    """KL(N(mean, exp(log_variance)) || N(0, I)) per example, averaged over the batch:
    ``0.5 * sum(exp(log_variance) + mean**2 - 1 - log_variance)`` over latent dimensions.

    The encoder's price for using its latent space: 0 exactly when it outputs the prior
    (mean 0, log-variance 0) whatever the image, which is why it fights reconstruction.
    """
    mean, log_variance = _per_example(mean), _per_example(log_variance)
    terms = ops.exp(log_variance) + ops.square(mean) - 1.0 - log_variance
    return ops.mean(0.5 * ops.sum(terms, axis=1))


def bernoulli_reconstruction_loss(images, reconstructions, epsilon: float = 1e-6):
    """-log p(x | z) for pixels read as Bernoulli probabilities: the binary cross-entropy
    between ``(images + 1) / 2`` and ``(reconstructions + 1) / 2``, summed over pixels and
    averaged over the batch. Gray levels between 0 and 1 are fine as targets: the loss is
    smallest when each reconstructed pixel equals its target. ``epsilon`` keeps the logs
    finite where a tanh output saturates at -1 or 1."""
    targets = (_per_example(images) + 1.0) / 2.0
    probabilities = ops.clip((_per_example(reconstructions) + 1.0) / 2.0, epsilon, 1.0 - epsilon)
    cross_entropy = -(targets * ops.log(probabilities) + (1.0 - targets) * ops.log(1.0 - probabilities))
    return ops.mean(ops.sum(cross_entropy, axis=1))


def squared_error_reconstruction_loss(images, reconstructions):
    """``0.5 * sum((images - reconstructions)**2)`` over pixels, averaged over the batch:
    -log p(x | z) of a Gaussian decoder with unit variance, up to a constant. A Gaussian
    with variance s**2 is the same loss with the KL term weighted by s**2
    (``kl_weight``), which is how a recipe sets it."""
    differences = _per_example(images) - _per_example(reconstructions)
    return ops.mean(0.5 * ops.sum(ops.square(differences), axis=1))


def feature_reconstruction_loss(real_features, reconstructed_features):
    """The VAE-GAN's learned similarity (Larsen et al. 2016): the squared-error loss of
    ``squared_error_reconstruction_loss`` measured between the discriminator's features
    of an image and of its reconstruction, instead of between their pixels."""
    return squared_error_reconstruction_loss(real_features, reconstructed_features)


def vaegan_discriminator_loss(real_logits, reconstructed_logits, prior_logits, label_smoothing: float = 0.0):
    """The VAE-GAN discriminator's loss: real images are real, and both kinds of
    generated image, reconstructions and decoded prior samples, are fake (the sum of
    three cross-entropies, as in Larsen et al. 2016). ``label_smoothing`` as in
    ``minimax_discriminator_loss``."""
    return (minimax_discriminator_loss(real_logits, reconstructed_logits, label_smoothing)
            + sigmoid_cross_entropy(prior_logits, 0.0))


def vaegan_generator_loss(reconstructed_logits, prior_logits):
    """The decoder's adversarial loss in the VAE-GAN: the non-saturating loss on its
    reconstructions plus the same on its samples from the prior."""
    return nonsaturating_generator_loss(reconstructed_logits) + nonsaturating_generator_loss(prior_logits)


RECONSTRUCTION_LOSSES = {
    "bernoulli": bernoulli_reconstruction_loss,
    "squared_error": squared_error_reconstruction_loss,
}


def _lookup(table: dict, name: str, kind: str):
    if name not in table:
        raise UsageError(f"unknown {kind} {name!r}; choose from {sorted(table)}")
    return table[name]


def get_reconstruction_loss(name: str):
    """Look up a VAE reconstruction loss by the name a config uses."""
    return _lookup(RECONSTRUCTION_LOSSES, name, "reconstruction loss")


GENERATOR_LOSSES = {
    "minimax": minimax_generator_loss,
    "nonsaturating": nonsaturating_generator_loss,
    "least_squares": least_squares_generator_loss,
    "wasserstein": wasserstein_generator_loss,
}
DISCRIMINATOR_LOSSES = {
    "minimax": minimax_discriminator_loss,
    "nonsaturating": nonsaturating_discriminator_loss,
    "least_squares": least_squares_discriminator_loss,
    "wasserstein": wasserstein_discriminator_loss,
}


def get_generator_loss(name: str):
    """Look up a generator loss by the name a config uses."""
    return _lookup(GENERATOR_LOSSES, name, "generator loss")


def get_discriminator_loss(name: str):
    """Look up a discriminator loss by the name a config uses."""
    return _lookup(DISCRIMINATOR_LOSSES, name, "discriminator loss")
