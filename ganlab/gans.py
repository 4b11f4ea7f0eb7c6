"""GAN trainers: each variant is one ``keras.Model`` whose ``train_step`` plays both players.

Introduced in book/02_dcgan_mnist. Because training goes through ``fit``, Keras supplies
the progress bar, callbacks (checkpoints, ``BackupAndRestore``, early stopping) and
``tf.distribute`` strategies; nothing here re-implements a training loop.
"""

from __future__ import annotations

import functools

import keras
import numpy as np
import tensorflow as tf

from ganlab import losses, models


class GAN(keras.Model):
    """Two-player training: the critic learns to tell real from generated images, the
    artist learns to fool it.

    ``generator`` maps noise of shape (batch, latent_dim) to images; ``discriminator``
    maps images to one logit each. Both players are updated at every step from the same
    batch of generated images (simultaneous gradient steps, as in the TensorFlow DCGAN
    tutorial): one generator pass, two discriminator passes, two optimizers.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(generator.input_shape[-1])
        self.image_shape = tuple(int(size) for size in generator.output_shape[1:])
        if tuple(discriminator.input_shape[1:]) != self.image_shape:
            raise ValueError(
                f"generator makes images of shape {self.image_shape} but the discriminator "
                f"expects {tuple(discriminator.input_shape[1:])}"
            )
        self.seed_generator = keras.random.SeedGenerator(seed, name="noise_seed")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_accuracy_tracker = keras.metrics.Mean(name="real_accuracy")
        self.fake_accuracy_tracker = keras.metrics.Mean(name="fake_accuracy")
        # Both players are Functional models with known shapes, so the pair is built.
        self.built = True

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer,
        g_optimizer: keras.optimizers.Optimizer,
        generator_loss=losses.nonsaturating_generator_loss,
        discriminator_loss=losses.minimax_discriminator_loss,
        label_smoothing: float = 0.0,
        **kwargs,
    ):
        """Set each player's optimizer and loss. ``label_smoothing`` (one-sided) is passed
        to the discriminator loss; 0 means none."""
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

    def _check_images(self, images):
        shape = tuple(images.shape[1:])
        if shape != self.image_shape:
            raise ValueError(
                f"real images have shape {shape} per image but this GAN makes {self.image_shape}"
            )
        if not images.dtype.is_floating:
            raise ValueError(
                f"real images must be floats in [-1, 1], got dtype {images.dtype.name}; "
                "scale them with ganlab.data.scale_to_unit_range"
            )

    def train_step(self, data):
        real_images = data[0] if isinstance(data, (tuple, list)) else data
        self._check_images(real_images)
        batch_size = tf.shape(real_images)[0]
        noise = keras.random.normal((batch_size, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake_images = self.generator(noise, training=True)
            real_logits = self.discriminator(real_images, training=True)
            fake_logits = self.discriminator(fake_images, training=True)
            g_loss = self.generator_loss(fake_logits)
            d_loss = self.discriminator_loss(real_logits, fake_logits)
        g_variables = self.generator.trainable_variables
        d_variables = self.discriminator.trainable_variables
        g_gradients = g_tape.gradient(g_loss, g_variables)
        d_gradients = d_tape.gradient(d_loss, d_variables)
        self.g_optimizer.apply_gradients(zip(g_gradients, g_variables))
        self.d_optimizer.apply_gradients(zip(d_gradients, d_variables))

        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self.real_accuracy_tracker.update_state(tf.cast(real_logits > 0, "float32"))
        self.fake_accuracy_tracker.update_state(tf.cast(fake_logits < 0, "float32"))
        return {metric.name: metric.result() for metric in self.metrics}

    # Random number generators are training state too: the noise RNG and every layer's
    # (dropout) RNG are saved with the weights, so a resumed run draws exactly the numbers
    # the uninterrupted run would have drawn.
    def random_states(self) -> dict:
        """Every ``SeedGenerator`` this GAN uses, by a stable name."""
        found = {"noise": self.seed_generator}
        for network in (self.generator, self.discriminator):
            for layer in _all_layers(network):
                for attribute, value in vars(layer).items():
                    if isinstance(value, keras.random.SeedGenerator):
                        found[f"{network.name}.{layer.name}.{attribute}"] = value
        return found

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for name, generator in self.random_states().items():
            store[f"rng.{name}"] = keras.ops.convert_to_numpy(generator.state)

    def load_own_variables(self, store):
        saved = set(store.keys())
        for name, generator in self.random_states().items():
            if f"rng.{name}" in saved:
                generator.state.assign(np.asarray(store[f"rng.{name}"]))

    def generate(self, num_images: int, seed: int | None = None, batch_size: int = 256) -> np.ndarray:
        """``num_images`` generated images as a float32 numpy array in [-1, 1] (NHWC)."""
        return generate_images(self.generator, num_images, seed=seed, batch_size=batch_size)


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


def latent_vectors(num_vectors: int, latent_dim: int, seed: int | None = None) -> np.ndarray:
    """Standard normal noise vectors, reproducible from ``seed`` (numpy, not graph RNG)."""
    return np.random.default_rng(seed).standard_normal((num_vectors, latent_dim)).astype("float32")


def generate_images(generator: keras.Model, num_images: int, seed: int | None = None, batch_size: int = 256) -> np.ndarray:
    """Run a generator in inference mode on seeded noise; float32 images in [-1, 1]."""
    if num_images < 0:
        raise ValueError(f"num_images must be zero or more, got {num_images}")
    latent_dim = int(generator.input_shape[-1])
    noise = latent_vectors(num_images, latent_dim, seed)
    if num_images == 0:
        return np.zeros((0, *generator.output_shape[1:]), dtype="float32")
    images = models.apply_in_batches(generator, noise, batch_size)
    return np.clip(images.astype("float32"), -1.0, 1.0)
