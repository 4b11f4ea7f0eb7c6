"""The GAN trainer (simultaneous updates of both players) and its sequential variant.

Introduced in book/02_dcgan_mnist (``SequentialGAN`` in book/01_artist_and_critic).
Because training goes through ``fit``, Keras supplies the progress bar, callbacks
(checkpoints, ``BackupAndRestore``, early stopping) and ``tf.distribute`` strategies;
nothing here re-implements a training loop.
"""

from __future__ import annotations

import functools

import keras
import tensorflow as tf

from ganlab import losses, models
from ganlab.errors import UsageError
from ganlab.gans import drawing, trainer


class GAN(trainer.SeededTrainer, keras.Model):
    """Two-player training: the critic learns to tell real from generated images, the
    artist learns to fool it.

    ``generator`` maps noise of shape (batch, latent_dim) to images; ``discriminator``
    maps images to one logit each. Both players are updated at every step from the same
    batch of generated images (simultaneous gradient steps, as in the TensorFlow DCGAN
    tutorial): one generator pass, two discriminator passes, two optimizers.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, seed: int | None = None,
                 generator_average_decay: float | None = None, noise_distribution: str = "normal", **kwargs):
        super().__init__(**kwargs)
        if noise_distribution not in drawing.NOISE_DISTRIBUTIONS:
            raise UsageError(f"noise_distribution must be one of {', '.join(drawing.NOISE_DISTRIBUTIONS)}, got {noise_distribution!r}")
        self.noise_distribution = noise_distribution
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = models.latent_size_of(generator)
        self.image_shape = tuple(int(size) for size in generator.output_shape[1:])
        expected = tuple(discriminator.inputs[0].shape[1:])
        if expected != self.image_shape:
            raise UsageError(
                f"generator makes images of shape {self.image_shape} but the discriminator "
                f"expects {expected}"
            )
        self.decision_threshold = 0.0
        self.seed_generator = keras.random.SeedGenerator(seed, name="noise_seed")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_accuracy_tracker = keras.metrics.Mean(name="real_accuracy")
        self.fake_accuracy_tracker = keras.metrics.Mean(name="fake_accuracy")
        self._start_average(generator_average_decay)
        # Both players are Functional models with known shapes, so the pair is built.
        self.built = True

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer,
        g_optimizer: keras.optimizers.Optimizer,
        generator_loss=losses.nonsaturating_generator_loss,
        discriminator_loss=losses.minimax_discriminator_loss,
        label_smoothing: float = 0.0,
        decision_threshold: float = 0.0,
        **kwargs,
    ):
        """Set each player's optimizer and loss. ``label_smoothing`` (one-sided) is passed
        to the discriminator loss; 0 means none. ``decision_threshold`` is the output above
        which the accuracy trackers count a verdict as "real": 0 for logits, 0.5 for the
        least-squares discriminator, whose targets are 0 and 1."""
        # No model-level optimizer: each player has its own, and Keras' default would be
        # an unused RMSprop that checkpoints would carry around.
        kwargs.setdefault("optimizer", None)
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.generator_loss = generator_loss
        if label_smoothing:
            discriminator_loss = functools.partial(discriminator_loss, label_smoothing=label_smoothing)
        self.discriminator_loss = discriminator_loss
        self.decision_threshold = float(decision_threshold)
        # Build the optimizers' slots now so that a checkpoint can be restored into them
        # before the first step (BackupAndRestore loads on train begin).
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self):
        return [
            self.d_loss_tracker,
            self.g_loss_tracker,
            self.real_accuracy_tracker,
            self.fake_accuracy_tracker,
        ]

    def call(self, noise, training=False):
        """Generated images for a batch of noise vectors."""
        return self.generator(noise, training=training)

    def train_step(self, data):
        real_images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self._check_images(real_images)
        batch_size = tf.shape(real_images)[0]
        noise = self._noise(batch_size)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake_images = self.generator(noise, training=True)
            real_logits = self.discriminator(real_images, training=True)
            fake_logits = self.discriminator(fake_images, training=True)
            g_loss = self.generator_loss(fake_logits)
            d_loss = self.discriminator_loss(real_logits, fake_logits)
        self._apply_gradients(g_tape, g_loss, self.generator.trainable_variables, self.g_optimizer)
        self._apply_gradients(d_tape, d_loss, self.discriminator.trainable_variables, self.d_optimizer)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self._track_verdicts(real_logits, fake_logits)
        return {metric.name: metric.result() for metric in self.metrics}

    def _noise(self, batch_size):
        """This replica's noise vectors for ``batch_size`` images (see ``per_replica``), from
        ``noise_distribution``."""
        if self.noise_distribution == "uniform":
            return trainer.per_replica(lambda count: keras.random.uniform((count, self.latent_dim), -1.0, 1.0, seed=self.seed_generator), batch_size)
        return trainer.per_replica(lambda count: keras.random.normal((count, self.latent_dim), seed=self.seed_generator), batch_size)

    def _track_verdicts(self, real_outputs, fake_outputs):
        self.real_accuracy_tracker.update_state(tf.cast(real_outputs > self.decision_threshold, "float32"))
        self.fake_accuracy_tracker.update_state(tf.cast(fake_outputs <= self.decision_threshold, "float32"))

    @classmethod
    def networks_from_recipe(cls, recipe) -> dict:
        return dict(generator=trainer.recipe_generator(recipe),
                    discriminator=models.dcgan_discriminator(**trainer.recipe_discriminator_options(recipe)))

    @classmethod
    def options_from_recipe(cls, recipe) -> dict:
        return dict(generator_average_decay=recipe.generator_average_decay or None, noise_distribution=recipe.noise_distribution)

    def compile_from_recipe(self, recipe, **keras_options) -> None:
        self.compile(
            **self.optimizers_from_recipe(recipe),
            generator_loss=losses.get_generator_loss(recipe.generator_loss),
            discriminator_loss=losses.get_discriminator_loss(recipe.discriminator_loss),
            label_smoothing=recipe.label_smoothing,
            # least-squares targets are 0 and 1, so "real" means an output above 0.5
            decision_threshold=0.5 if recipe.discriminator_loss == "least_squares" else 0.0,
            **keras_options,
        )

    @staticmethod
    def optimizers_from_recipe(recipe) -> dict:
        """Each player's optimizer at its recipe learning rate, as ``compile`` takes them."""
        return dict(d_optimizer=trainer.recipe_optimizer(recipe, recipe.discriminator_learning_rate),
                    g_optimizer=trainer.recipe_optimizer(recipe, recipe.generator_learning_rate))

    def optimizers_with_rates(self, recipe) -> list:
        return [(self.d_optimizer, recipe.discriminator_learning_rate), (self.g_optimizer, recipe.generator_learning_rate)]


class SequentialGAN(GAN):
    """``GAN`` with sequential updates: the discriminator steps first, then the generator
    steps on fresh noise against the discriminator that was just updated, as the classic
    Keras pattern does (``ganlab.classic``) but in one compiled ``train_step``. Two
    generator passes and three discriminator passes per step instead of one and two.
    Measured against simultaneous updates in book/01_artist_and_critic.

    ``discriminator_steps`` and ``generator_steps`` give unequal schedules: that many
    updates of each player per step, the critic's first. As in ``WGAN``, each batch that
    ``fit`` passes in must hold ``discriminator_steps`` real batches (every critic update
    sees its own real images); every update draws fresh noise. The trackers report each
    player's last update."""

    def __init__(self, generator: keras.Model, discriminator: keras.Model, seed: int | None = None,
                 discriminator_steps: int = 1, generator_steps: int = 1, **kwargs):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if discriminator_steps < 1 or generator_steps < 1:
            raise UsageError(f"each player needs at least one update per step, got {discriminator_steps} and {generator_steps}")
        self.discriminator_steps = int(discriminator_steps)
        self.generator_steps = int(generator_steps)

    def train_step(self, data):
        real_images, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        self._check_images(real_images)
        batch_size = tf.shape(real_images)[0] // self.discriminator_steps
        for index in range(self.discriminator_steps):
            # strided slices, as in WGAN.train_step: the same batches under tf.distribute
            real = real_images[index :: self.discriminator_steps][:batch_size]
            with tf.GradientTape() as d_tape:
                fake_images = self.generator(self._noise(batch_size), training=True)
                real_logits = self.discriminator(real, training=True)
                fake_logits = self.discriminator(fake_images, training=True)
                d_loss = self.discriminator_loss(real_logits, fake_logits)
            self._apply_gradients(d_tape, d_loss, self.discriminator.trainable_variables, self.d_optimizer)
        for _ in range(self.generator_steps):
            with tf.GradientTape() as g_tape:
                g_loss = self.generator_loss(self.discriminator(self.generator(self._noise(batch_size), training=True), training=True))
            self._apply_gradients(g_tape, g_loss, self.generator.trainable_variables, self.g_optimizer)

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self._track_verdicts(real_logits, fake_logits)
        return {metric.name: metric.result() for metric in self.metrics}
