"""The conditional trainers: CGAN (both players see the class) and ACGAN (the
discriminator names the class). Introduced in book/04_better_losses."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from ganlab import losses, models
from ganlab.errors import UsageError
from ganlab.gans import drawing, trainer
from ganlab.gans.gan import GAN


class ConditionalGAN(GAN):
    """A GAN whose players both see the class: the generator takes ``[noise, label]``, the
    discriminator ``[image, label]`` (Mirza and Osindero 2014). Introduced in
    book/04_better_losses as the baseline that ACGAN improves on.

    ``fit`` needs ``(images, labels)`` batches. Generated images are asked for labels drawn
    uniformly from ``num_classes`` with a seeded generator, saved with the checkpoints.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, num_classes: int = 10, seed: int | None = None, **kwargs):
        super().__init__(generator, discriminator, seed=seed, **kwargs)
        if len(generator.inputs) != 2:
            raise UsageError("a conditional generator takes [noise, label]; see models.conditional_generator")
        if num_classes < 2:
            raise UsageError(f"num_classes must be at least 2, got {num_classes}")
        self.num_classes = int(num_classes)
        self.label_seed = keras.random.SeedGenerator(None if seed is None else seed + 2, name="label_seed")

    def call(self, inputs, training=False):
        """Generated images for ``[noise, labels]``."""
        return self.generator(inputs, training=training)

    def fit(self, x=None, y=None, *args, **kwargs):
        """Keras' ``fit``; labels given as arrays (``fit(images, labels)`` or
        ``fit((images, labels))``) are checked against ``num_classes`` first: inside the
        compiled step a label out of range would be a TensorFlow error, not a clear one."""
        labels = y if y is not None else (x[1] if isinstance(x, (tuple, list)) and len(x) == 2 else None)
        if isinstance(labels, np.ndarray):
            drawing.class_labels(len(labels), self.num_classes, labels.reshape(-1))
        return super().fit(x, y, *args, **kwargs)

    def _real_batch(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise UsageError("a conditional GAN trains on (images, labels) batches; pass labels to make_dataset")
        self._check_images(images)
        return images, tf.cast(tf.reshape(labels, (-1,)), "int32")

    def _fake_batch(self, batch_size):
        labels = trainer.per_replica(lambda count: keras.random.randint((count,), 0, self.num_classes, seed=self.label_seed, dtype="int32"), batch_size)
        return self._noise(batch_size), labels

    def train_step(self, data):
        real_images, real_labels = self._real_batch(data)
        noise, fake_labels = self._fake_batch(tf.shape(real_images)[0])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake_images = self.generator([noise, fake_labels], training=True)
            real_logits = self.discriminator([real_images, real_labels], training=True)
            fake_logits = self.discriminator([fake_images, fake_labels], training=True)
            g_loss = self.generator_loss(fake_logits)
            d_loss = self.discriminator_loss(real_logits, fake_logits)
        self._apply(g_tape, g_loss, d_tape, d_loss)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self._track_verdicts(real_logits, fake_logits)
        return {metric.name: metric.result() for metric in self.metrics}

    def _apply(self, g_tape, g_loss, d_tape, d_loss):
        self._apply_gradients(g_tape, g_loss, self.generator.trainable_variables, self.g_optimizer)
        self._apply_gradients(d_tape, d_loss, self.discriminator.trainable_variables, self.d_optimizer)

    @classmethod
    def networks_from_recipe(cls, recipe) -> dict:
        options = trainer.recipe_discriminator_options(recipe)
        return dict(generator=trainer.recipe_generator(recipe),
                    discriminator=models.conditional_discriminator(num_classes=recipe.num_classes, **options))

    @classmethod
    def options_from_recipe(cls, recipe) -> dict:
        return super().options_from_recipe(recipe) | dict(num_classes=recipe.num_classes)


class ACGAN(ConditionalGAN):
    """Auxiliary-classifier GAN (Odena et al. 2017): a conditional generator, and a
    discriminator that sees only the image and answers twice, real-or-fake and which class
    (``models.dcgan_discriminator(num_classes=...)``). Introduced in book/04_better_losses.

    Both players are also trained on the class answer (``losses.acgan_*``), so the
    generator is pushed to draw images that are recognisably of the class asked for.
    Extra trackers: ``real_class_accuracy`` and ``fake_class_accuracy``.
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, num_classes: int = 10, seed: int | None = None, **kwargs):
        super().__init__(generator, discriminator, num_classes=num_classes, seed=seed, **kwargs)
        if len(discriminator.outputs) != 2:
            raise UsageError("an ACGAN discriminator returns [logit, class_logits]; use dcgan_discriminator(num_classes=...)")
        self.real_class_tracker = keras.metrics.Mean(name="real_class_accuracy")
        self.fake_class_tracker = keras.metrics.Mean(name="fake_class_accuracy")

    def compile(self, d_optimizer, g_optimizer, label_smoothing: float = 0.0, fake_class_weight: float = 1.0, **kwargs):
        """Set both optimizers; the losses are ACGAN's (``losses.acgan_*``), with
        ``fake_class_weight`` on the class loss of generated images in the critic's loss."""
        super().compile(d_optimizer, g_optimizer, label_smoothing=0.0, **kwargs)
        self.label_smoothing = float(label_smoothing)
        self.fake_class_weight = float(fake_class_weight)

    @classmethod
    def networks_from_recipe(cls, recipe) -> dict:
        options = trainer.recipe_discriminator_options(recipe)
        return dict(generator=trainer.recipe_generator(recipe),
                    discriminator=models.dcgan_discriminator(num_classes=recipe.num_classes, **options))

    def compile_from_recipe(self, recipe, **keras_options) -> None:
        self.compile(**self.optimizers_from_recipe(recipe), label_smoothing=recipe.label_smoothing,
                     fake_class_weight=recipe.fake_class_weight, **keras_options)

    @property
    def metrics(self):
        return [*super().metrics, self.real_class_tracker, self.fake_class_tracker]

    def train_step(self, data):
        real_images, real_labels = self._real_batch(data)
        noise, fake_labels = self._fake_batch(tf.shape(real_images)[0])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake_images = self.generator([noise, fake_labels], training=True)
            real_logits, real_classes = self.discriminator(real_images, training=True)
            fake_logits, fake_classes = self.discriminator(fake_images, training=True)
            d_loss = losses.acgan_discriminator_loss(
                real_logits, fake_logits, real_classes, fake_classes, real_labels, fake_labels, self.label_smoothing,
                self.fake_class_weight,
            )
            g_loss = losses.acgan_generator_loss(fake_logits, fake_classes, fake_labels)
        self._apply(g_tape, g_loss, d_tape, d_loss)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        self._track_verdicts(real_logits, fake_logits)
        self.real_class_tracker.update_state(tf.cast(tf.argmax(real_classes, axis=1, output_type="int32") == real_labels, "float32"))
        self.fake_class_tracker.update_state(tf.cast(tf.argmax(fake_classes, axis=1, output_type="int32") == fake_labels, "float32"))
        return {metric.name: metric.result() for metric in self.metrics}
