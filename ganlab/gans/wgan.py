"""The Wasserstein GAN trainer, with weight clipping or a gradient penalty.
Introduced in book/04_better_losses."""

from __future__ import annotations

import keras
import tensorflow as tf

from ganlab import losses
from ganlab.errors import UsageError
from ganlab.gans import trainer
from ganlab.gans.gan import GAN


class WGAN(GAN):
    """Wasserstein GAN: a critic that scores images, trained ``n_critic`` times per
    generator step, kept 1-Lipschitz by weight clipping (Arjovsky et al. 2017) or by a
    gradient penalty (Gulrajani et al. 2017). Introduced in book/04_better_losses.

    Give exactly one of ``clip_value`` (each critic weight is clipped to [-c, c] after
    every critic update) and ``gradient_penalty_weight`` (lambda times
    ``losses.wasserstein_gradient_penalty`` is added to the critic's loss).

    Each batch that ``fit`` passes in must hold ``n_critic`` real batches (make the
    dataset's batch size ``n_critic * batch_size``): every critic update sees its own real
    images, as in the papers' algorithms, and one epoch is still one pass over the data.
    Trackers: ``d_loss`` (critic loss, with the penalty), ``g_loss``, ``wasserstein``
    (the critic's estimate of the distance, mean real score minus mean fake score, which
    falls as samples improve) and ``gradient_penalty``.
    """

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        n_critic: int = 5,
        clip_value: float | None = None,
        gradient_penalty_weight: float | None = None,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if n_critic < 1:
            raise UsageError(f"n_critic must be at least 1, got {n_critic}")
        if bool(clip_value) == bool(gradient_penalty_weight):
            raise UsageError("give exactly one of clip_value (WGAN) and gradient_penalty_weight (WGAN-GP)")
        if (clip_value or 0) < 0 or (gradient_penalty_weight or 0) < 0:
            raise UsageError("clip_value and gradient_penalty_weight must be positive")
        self.n_critic = int(n_critic)
        self.clip_value = float(clip_value) if clip_value else None
        self.gradient_penalty_weight = float(gradient_penalty_weight) if gradient_penalty_weight else None
        self.penalty_seed = keras.random.SeedGenerator(None if seed is None else seed + 1, name="penalty_seed")
        self.wasserstein_tracker = keras.metrics.Mean(name="wasserstein")
        self.penalty_tracker = keras.metrics.Mean(name="gradient_penalty")

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """Set the critic's and the generator's optimizers (the losses are Wasserstein)."""
        super().compile(
            d_optimizer,
            g_optimizer,
            generator_loss=losses.wasserstein_generator_loss,
            discriminator_loss=losses.wasserstein_discriminator_loss,
            **kwargs,
        )

    @classmethod
    def options_from_recipe(cls, recipe) -> dict:
        return super().options_from_recipe(recipe) | dict(
            n_critic=recipe.n_critic, clip_value=recipe.clip_value or None, gradient_penalty_weight=recipe.gradient_penalty_weight or None
        )

    def compile_from_recipe(self, recipe, **keras_options) -> None:
        self.compile(**self.optimizers_from_recipe(recipe), **keras_options)

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker, self.wasserstein_tracker, self.penalty_tracker]

    def train_step(self, data):
        real_images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self._check_images(real_images)
        batch_size = tf.shape(real_images)[0] // self.n_critic
        real_images = real_images[: batch_size * self.n_critic]
        critic_variables = self.discriminator.trainable_variables
        for index in range(self.n_critic):
            # every n_critic-th image rather than a contiguous block: under tf.distribute
            # each replica holds one contiguous part of the batch, and strided slices of
            # those parts add up to the same critic batches as on one device
            real = real_images[index :: self.n_critic]
            noise = self._noise(batch_size)
            with tf.GradientTape() as tape:
                fake = self.generator(noise, training=True)
                critic_loss = self.discriminator_loss(
                    self.discriminator(real, training=True), self.discriminator(fake, training=True)
                )
                penalty = tf.constant(0.0)
                if self.gradient_penalty_weight:
                    weights = trainer.per_replica(lambda count: keras.random.uniform((count, 1, 1, 1), seed=self.penalty_seed), batch_size)
                    penalty = losses.wasserstein_gradient_penalty(self.discriminator, real, fake, weights=weights)
                d_loss = critic_loss + (self.gradient_penalty_weight or 0.0) * penalty
            self._apply_gradients(tape, d_loss, critic_variables, self.d_optimizer)
            if self.clip_value:
                for variable in critic_variables:
                    variable.assign(tf.clip_by_value(variable, -self.clip_value, self.clip_value))

        noise = self._noise(batch_size)
        with tf.GradientTape() as tape:
            g_loss = self.generator_loss(self.discriminator(self.generator(noise, training=True), training=True))
        self._apply_gradients(tape, g_loss, self.generator.trainable_variables, self.g_optimizer)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.wasserstein_tracker.update_state(-critic_loss)
        self.penalty_tracker.update_state(penalty)
        return {metric.name: metric.result() for metric in self.metrics}
