"""Variational autoencoders and the VAE-GAN hybrid, trained by ``fit`` like the GANs.

Introduced in book/05_vae_and_vaegan. A VAE learns two networks at once: an encoder that
maps an image to a Gaussian over latent vectors, and a decoder that maps a latent vector
back to an image. Training maximises the evidence lower bound (ELBO)::

    log p(x) >= E_q(z|x)[log p(x | z)] - KL(q(z | x) || N(0, I))

by minimising its negative: a reconstruction loss plus the KL divergence to the prior
(``ganlab.losses``). The decoder then doubles as a generator: decode noise from the prior.

The VAE-GAN (Larsen et al. 2016) adds a discriminator and measures reconstructions in
one of its feature layers instead of in pixels, which is what makes its images sharp.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

from ganlab import gans, losses, models
from ganlab.errors import UsageError


@keras.saving.register_keras_serializable(package="ganlab")
class GaussianSampling(layers.Layer):
    """The reparameterisation trick as a layer: ``[mean, log_variance] -> z`` with
    ``z = mean + exp(log_variance / 2) * epsilon`` and ``epsilon ~ N(0, I)``.

    The randomness sits in ``epsilon``, outside the path from the encoder's outputs to
    ``z``, so gradients flow through ``mean`` and ``log_variance``. The noise comes from a
    ``SeedGenerator`` (saved with a run's checkpoints), not from a ``Lambda`` layer, which
    Keras refuses to load in safe mode. Called with ``training=False`` it returns the mean.
    """

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="sampling_seed")

    def call(self, inputs, training=True):
        mean, log_variance = inputs
        if not training:
            return mean
        # one draw for the global batch, sliced per replica under tf.distribute
        epsilon = gans.per_replica(lambda count: keras.random.normal((count, ops.shape(mean)[1]), seed=self.seed_generator), ops.shape(mean)[0])
        return mean + ops.exp(0.5 * log_variance) * epsilon

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}


def _built_sampler(seed: int | None, latent_dim: int) -> GaussianSampling:
    """A trainer's sampling layer, built at once. Under a ``tf.distribute`` strategy Keras
    traces any trainer that still has an unbuilt layer by calling it on a batch of images,
    which a VAE-GAN (whose ``call`` takes noise) cannot take."""
    sampler = GaussianSampling(seed=None if seed is None else seed + 3, name="sampling")
    sampler.build([(None, latent_dim), (None, latent_dim)])
    return sampler


def _check_pair(encoder: keras.Model, decoder: keras.Model) -> tuple[int, tuple]:
    """The latent size and the image shape that an encoder and a decoder agree on."""
    if len(encoder.outputs) != 2:
        raise UsageError("the encoder must return [mean, log_variance]; see models.conv_encoder")
    latent_dim = int(encoder.outputs[0].shape[-1])
    if models.latent_size_of(decoder) != latent_dim:
        raise UsageError(f"the encoder makes {latent_dim}-dimensional codes but the decoder takes {models.latent_size_of(decoder)}")
    image_shape = tuple(int(size) for size in decoder.output_shape[1:])
    if tuple(encoder.inputs[0].shape[1:]) != image_shape:
        raise UsageError(f"the decoder makes images of shape {image_shape} but the encoder reads {tuple(encoder.inputs[0].shape[1:])}")
    return latent_dim, image_shape


class Codes:
    """What a trained autoencoder offers, for any class with ``encoder`` and ``decoder``
    networks (a mixin of ``VAE`` and ``VAEGAN``)."""

    def encode(self, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """The means of the codes of ``images`` (float32 in [-1, 1], NHWC), as numpy."""
        return encode(self.encoder, images, batch_size)

    def decode(self, latents: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Images for latent vectors, float32 in [-1, 1]."""
        return decode(self.decoder, latents, batch_size)

    def reconstruct(self, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Decode the mean code of each image: the model's best guess at it."""
        return self.decode(self.encode(images, batch_size), batch_size)


class VAE(gans.SeededTrainer, Codes, keras.Model):
    """A variational autoencoder (Kingma and Welling 2014): ``encoder`` (image ->
    ``[mean, log_variance]``, e.g. ``models.conv_encoder``) and ``decoder`` (latent vector
    -> image in [-1, 1], e.g. ``models.dcgan_generator``), one optimizer.

    Each step encodes a batch, samples one latent vector per image with
    ``GaussianSampling``, decodes it and minimises ``reconstruction + kl_weight * KL``.
    Trackers: ``loss`` (the negative ELBO for ``kl_weight=1``), ``reconstruction_loss``,
    ``kl_loss`` and ``pixel_error`` (mean squared pixel error of the reconstructions,
    comparable across models and losses; not trained on). ``generator`` is the decoder,
    so the GAN callbacks and ``generate`` work unchanged.
    """

    def __init__(self, encoder: keras.Model, decoder: keras.Model, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.latent_dim, self.image_shape = _check_pair(encoder, decoder)
        self.encoder = encoder
        self.decoder = decoder
        self.sampler = _built_sampler(seed, self.latent_dim)
        self.reconstruction_loss = losses.bernoulli_reconstruction_loss
        self.kl_weight = 1.0
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.reconstruction_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.pixel_error_tracker = keras.metrics.Mean(name="pixel_error")
        self.built = True

    @property
    def generator(self) -> keras.Model:
        """The decoder: it turns latent vectors drawn from the prior into images."""
        return self.decoder

    def networks(self) -> tuple:
        return (self.encoder, self.decoder)

    def compile(self, optimizer, reconstruction_loss=losses.bernoulli_reconstruction_loss, kl_weight: float = 1.0, **kwargs):
        """Set the optimizer, the reconstruction loss (a function of images and their
        reconstructions, e.g. ``losses.squared_error_reconstruction_loss``) and the KL
        weight (beta in a beta-VAE: above 1 trades reconstructions for a smoother latent
        space)."""
        if kl_weight < 0:
            raise UsageError(f"kl_weight must be zero or more, got {kl_weight}")
        super().compile(optimizer=optimizer, **kwargs)
        self.reconstruction_loss = reconstruction_loss
        self.kl_weight = float(kl_weight)
        # slots built now so that BackupAndRestore can restore into them before step one
        self.optimizer.build(self.trainable_variables)

    @property
    def metrics(self):
        return [self.loss_tracker, self.reconstruction_tracker, self.kl_tracker, self.pixel_error_tracker]

    def call(self, images, training=False):
        """Reconstructions: decode the sampled code (the mean when not training)."""
        mean, log_variance = self.encoder(images, training=training)
        return self.decoder(self.sampler([mean, log_variance], training=training), training=training)

    def train_step(self, data):
        images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self._check_images(images)
        variables = self.trainable_variables
        with tf.GradientTape() as tape:
            mean, log_variance = self.encoder(images, training=True)
            reconstructions = self.decoder(self.sampler([mean, log_variance]), training=True)
            reconstruction = self.reconstruction_loss(images, reconstructions)
            kl = losses.gaussian_kl_divergence(mean, log_variance)
            loss = reconstruction + self.kl_weight * kl
        self._apply_gradients(tape, loss, variables, self.optimizer)
        self.loss_tracker.update_state(loss)
        self.reconstruction_tracker.update_state(reconstruction)
        self.kl_tracker.update_state(kl)
        self.pixel_error_tracker.update_state(ops.mean(ops.square(images - reconstructions)))
        return {metric.name: metric.result() for metric in self.metrics}

    # generate (SeededTrainer's) decodes vectors from the prior N(0, I)
    saved_networks = (("generator.keras", "generator"), ("encoder.keras", "encoder"))

    @classmethod
    def networks_from_recipe(cls, recipe) -> dict:
        return dict(encoder=encoder_from_recipe(recipe), decoder=gans.recipe_generator(recipe))

    def compile_from_recipe(self, recipe, **keras_options) -> None:
        self.compile(optimizer=gans.recipe_optimizer(recipe, recipe.generator_learning_rate), kl_weight=recipe.kl_weight,
                     reconstruction_loss=losses.get_reconstruction_loss(recipe.reconstruction), **keras_options)

    def optimizers_with_rates(self, recipe) -> list:
        return [(self.optimizer, recipe.generator_learning_rate)]


class VAEGAN(Codes, gans.GAN):
    """The VAE-GAN of Larsen et al. 2016 ("Autoencoding beyond pixels using a learned
    similarity metric"): an encoder, a decoder that is also the generator, and a
    discriminator that returns ``[logit, features]``
    (``models.dcgan_discriminator(features=True)``).

    Each step, from a batch ``x``: ``z ~ q(z | x)`` and ``x_rec = decoder(z)``; ``z_p ~
    N(0, I)`` and ``x_p = decoder(z_p)``. The losses:

    - ``kl_loss``: the prior KL of the codes; ``feature_loss``: the squared error between
      the discriminator's features of ``x`` and of ``x_rec`` (the learned similarity that
      replaces the pixel reconstruction);
    - ``d_loss``: ``x`` is real, ``x_rec`` and ``x_p`` are fake;
    - ``e_loss = kl_weight * kl_loss + feature_loss`` updates the encoder;
    - ``g_loss = feature_weight * feature_loss + gan_loss`` updates the decoder, where
      ``gan_loss`` is the non-saturating loss on ``x_rec`` and ``x_p``.

    Each network has its own optimizer and is updated only by its own loss (the
    discriminator is not trained to make features easy to match). Every term is tracked,
    with ``pixel_error`` (not trained on) and the discriminator's accuracy on real images
    and on prior samples.
    """

    def __init__(self, encoder: keras.Model, generator: keras.Model, discriminator: keras.Model, seed: int | None = None, **kwargs):
        if len(discriminator.outputs) != 2:
            raise UsageError("a VAE-GAN discriminator returns [logit, features]; use dcgan_discriminator(features=True)")
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        _check_pair(encoder, generator)
        self.encoder = encoder
        self.sampler = _built_sampler(seed, self.latent_dim)
        self.kl_weight = 1.0
        self.feature_weight = 1.0
        self.label_smoothing = 0.0
        self.e_loss_tracker = keras.metrics.Mean(name="e_loss")
        self.kl_tracker = keras.metrics.Mean(name="kl_loss")
        self.feature_tracker = keras.metrics.Mean(name="feature_loss")
        self.gan_tracker = keras.metrics.Mean(name="gan_loss")
        self.pixel_error_tracker = keras.metrics.Mean(name="pixel_error")

    @property
    def decoder(self) -> keras.Model:
        """The generator, which decodes the encoder's codes too."""
        return self.generator

    def networks(self) -> tuple:
        return (self.encoder, self.generator, self.discriminator)

    def compile(self, d_optimizer, g_optimizer, e_optimizer, kl_weight: float = 1.0, feature_weight: float = 1.0,
                label_smoothing: float = 0.0, **kwargs):
        """Set the three optimizers; ``kl_weight`` scales the prior KL in the encoder's
        loss, ``feature_weight`` (gamma in the paper) the feature reconstruction in the
        decoder's, against its GAN loss. ``label_smoothing`` as in the GAN."""
        if kl_weight < 0 or feature_weight < 0:
            raise UsageError("kl_weight and feature_weight must be zero or more")
        if not 0.0 <= label_smoothing < 1.0:
            raise UsageError(f"label_smoothing must be in [0, 1), got {label_smoothing}")
        super().compile(d_optimizer, g_optimizer, **kwargs)
        self.e_optimizer = e_optimizer
        self.kl_weight = float(kl_weight)
        self.feature_weight = float(feature_weight)
        self.label_smoothing = float(label_smoothing)
        self.e_optimizer.build(self.encoder.trainable_variables)

    saved_networks = (("generator.keras", "generator"), ("encoder.keras", "encoder"))

    @classmethod
    def networks_from_recipe(cls, recipe) -> dict:
        options = gans.recipe_discriminator_options(recipe)
        return dict(encoder=encoder_from_recipe(recipe), generator=gans.recipe_generator(recipe),
                    discriminator=models.dcgan_discriminator(features=True, **options))

    @classmethod
    def options_from_recipe(cls, recipe) -> dict:
        return dict(generator_average_decay=recipe.generator_average_decay or None)

    def compile_from_recipe(self, recipe, **keras_options) -> None:
        self.compile(**self.optimizers_from_recipe(recipe), e_optimizer=gans.recipe_optimizer(recipe, recipe.encoder_learning_rate),
                     kl_weight=recipe.kl_weight, feature_weight=recipe.feature_weight, label_smoothing=recipe.label_smoothing,
                     **keras_options)

    def optimizers_with_rates(self, recipe) -> list:
        return [*super().optimizers_with_rates(recipe), (self.e_optimizer, recipe.encoder_learning_rate)]

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.e_loss_tracker, self.kl_tracker, self.feature_tracker,
                self.gan_tracker, self.pixel_error_tracker, self.real_accuracy_tracker, self.fake_accuracy_tracker]

    def train_step(self, data):
        images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self._check_images(images)
        prior_codes = self._noise(tf.shape(images)[0])
        with tf.GradientTape() as e_tape, tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            mean, log_variance = self.encoder(images, training=True)
            reconstructions = self.generator(self.sampler([mean, log_variance]), training=True)
            prior_images = self.generator(prior_codes, training=True)
            real_logits, real_features = self.discriminator(images, training=True)
            reconstructed_logits, reconstructed_features = self.discriminator(reconstructions, training=True)
            prior_logits, _ = self.discriminator(prior_images, training=True)
            kl = losses.gaussian_kl_divergence(mean, log_variance)
            feature = losses.feature_reconstruction_loss(real_features, reconstructed_features)
            gan = losses.vaegan_generator_loss(reconstructed_logits, prior_logits)
            d_loss = losses.vaegan_discriminator_loss(real_logits, reconstructed_logits, prior_logits, self.label_smoothing)
            e_loss = self.kl_weight * kl + feature
            g_loss = self.feature_weight * feature + gan
        for tape, loss, network, optimizer in (
            (e_tape, e_loss, self.encoder, self.e_optimizer),
            (g_tape, g_loss, self.generator, self.g_optimizer),
            (d_tape, d_loss, self.discriminator, self.d_optimizer),
        ):
            self._apply_gradients(tape, loss, network.trainable_variables, optimizer)
        for tracker, value in ((self.d_loss_tracker, d_loss), (self.g_loss_tracker, g_loss), (self.e_loss_tracker, e_loss),
                               (self.kl_tracker, kl), (self.feature_tracker, feature), (self.gan_tracker, gan)):
            tracker.update_state(value)
        self.pixel_error_tracker.update_state(ops.mean(ops.square(images - reconstructions)))
        self._track_verdicts(real_logits, prior_logits)
        return {metric.name: metric.result() for metric in self.metrics}


def encoder_from_recipe(recipe) -> keras.Model:
    """The untrained encoder of a VAE or VAE-GAN recipe (``models.conv_encoder``)."""
    return models.conv_encoder(recipe.image_shape, recipe.latent_dim, recipe.encoder_widths, recipe.kernel_size)


def encode(encoder: keras.Model, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """The mean codes an encoder gives ``images`` (float32 in [-1, 1], NHWC), as numpy."""
    images = np.asarray(images, dtype="float32")
    expected = tuple(encoder.inputs[0].shape[1:])
    if images.ndim != 4 or images.shape[1:] != expected:
        raise UsageError(f"the encoder reads images of shape (N, {', '.join(map(str, expected))}), got {images.shape}")
    mean, _ = models.apply_in_batches(encoder, images, batch_size)
    return mean


def decode(decoder: keras.Model, latents: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """A decoder's images for ``latents`` (N, latent_dim), float32 clipped to [-1, 1]."""
    latents = np.asarray(latents, dtype="float32")
    latent_dim = models.latent_size_of(decoder)
    if latents.ndim != 2 or latents.shape[1] != latent_dim:
        raise UsageError(f"the decoder takes codes of shape (N, {latent_dim}), got {latents.shape}")
    return np.clip(models.apply_in_batches(decoder, latents, batch_size).astype("float32"), -1.0, 1.0)


def reconstruction_error(encoder: keras.Model, decoder: keras.Model, images: np.ndarray, batch_size: int = 256) -> float:
    """Mean squared pixel error (images in [-1, 1]) of decoding each image's mean code:
    how much of an image survives the trip through the latent space."""
    images = np.asarray(images, dtype="float32")
    reconstructions = decode(decoder, encode(encoder, images, batch_size), batch_size)
    return float(np.mean((reconstructions - images) ** 2))


def interpolate(start: np.ndarray, end: np.ndarray, steps: int = 8) -> np.ndarray:
    """``steps`` latent vectors on the straight line from ``start`` to ``end`` (both
    included): the path along which book/05_vae_and_vaegan morphs one digit into another.
    The same as ``latent.lerp``; ``latent`` has the spherical path too."""
    from ganlab import latent

    return latent.lerp(start, end, steps)


def latent_grid(size: int = 15, extent: float = 0.95) -> np.ndarray:
    """A ``size`` x ``size`` grid of 2-D latent vectors, rows top to bottom and columns
    left to right, spaced evenly in probability under the prior: the points are the
    normal quantiles of ``linspace(1 - extent, extent)`` (so the grid covers where the
    prior puts its mass, not a fixed box). For decoding a 2-D VAE's manifold."""
    from statistics import NormalDist

    if size < 2:
        raise UsageError(f"size must be at least 2, got {size}")
    if not 0.5 < extent < 1.0:
        raise UsageError(f"extent must be in (0.5, 1), got {extent}")
    quantiles = np.array([NormalDist().inv_cdf(p) for p in np.linspace(1.0 - extent, extent, size)], dtype="float32")
    rows, columns = np.meshgrid(quantiles[::-1], quantiles, indexing="ij")
    return np.stack([columns.ravel(), rows.ravel()], axis=1)
