"""GAN trainers: each variant is one ``keras.Model`` whose ``train_step`` plays both players.

Introduced in book/02_dcgan_mnist. Because training goes through ``fit``, Keras supplies
the progress bar, callbacks (checkpoints, ``BackupAndRestore``, early stopping) and
``tf.distribute`` strategies; nothing here re-implements a training loop.
"""

from __future__ import annotations

import functools
import types

import keras
import numpy as np
import tensorflow as tf

from ganlab import losses, models


class SeededTrainer:
    """What every ganlab trainer shares (a mixin for ``keras.Model`` subclasses): the check
    on real batches, and random number generators saved with the weights.

    Random number generators are training state too: the noise RNG and every layer's
    (dropout, sampling) RNG are saved with the weights, so a resumed run draws exactly the
    numbers the uninterrupted run would have drawn. A trainer lists its networks in
    ``networks()`` and keeps its ``image_shape``.
    """

    def networks(self) -> tuple:
        """The trainer's networks, whose layers' RNGs are saved."""
        return (self.generator, self.discriminator)

    def _check_images(self, images):
        shape = tuple(images.shape[1:])
        if shape != self.image_shape:
            raise ValueError(
                f"real images have shape {shape} per image but this model makes {self.image_shape}"
            )
        # a numpy batch when run eagerly (run_eagerly=True), a tensor in the compiled step
        if not tf.as_dtype(images.dtype).is_floating:
            raise ValueError(
                f"real images must be floats in [-1, 1], got dtype {images.dtype.name}; "
                "scale them with ganlab.data.scale_to_unit_range"
            )

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Under a tf.distribute strategy Keras (3.x, TensorFlow backend) takes one batch
        # from the training iterator to trace the model, even when everything is built;
        # with an endless dataset that batch is lost, and a run (or a resumed run) would
        # see other data than on one device. ganlab's trainers are built when constructed.
        # This is Keras' one private hook that ganlab overrides, so keras has an upper
        # bound and tests/test_gans.py fails loudly when a new Keras stops calling it.
        if all(layer.built for network in self.networks() for layer in _all_layers(network)):
            return
        super()._maybe_symbolic_build(iterator=iterator, data_batch=data_batch)

    def _apply_gradients(self, tape, loss, variables, optimizer) -> None:
        """One optimizer step on ``loss``. Under a ``tf.distribute`` strategy each replica's
        loss is a mean over its own share of the batch and Keras sums the replicas'
        gradients, so the gradients are divided by the number of replicas: the step is then
        the one a single device would take on the whole batch.

        With a ``LossScaleOptimizer`` (mixed float16) the gradients are those of the loss
        times the optimizer's current scale, so that small ones do not round to zero in
        float16; the optimizer divides the scale out again (and skips a step whose
        gradients overflowed)."""
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            # the same as differentiating scale_loss(loss), without recording it on the tape
            gradients = tape.gradient(loss, variables, output_gradients=optimizer.scale_loss(tf.ones_like(loss)))
        else:
            gradients = tape.gradient(loss, variables)
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if replicas > 1:
            # scalar_mul also scales the sparse gradients of an embedding (IndexedSlices)
            gradients = [None if gradient is None else tf.math.scalar_mul(1.0 / replicas, gradient) for gradient in gradients]
        optimizer.apply_gradients(zip(gradients, variables))
        if optimizer is getattr(self, "g_optimizer", None):
            self._update_average()

    def _start_average(self, decay: float | None) -> None:
        """Keep an exponential moving average of the generator's weights (Karras et al.
        2018, ProGAN; also StyleGAN and BigGAN): after every generator step, average <-
        decay * average + (1 - decay) * weight, batch-norm statistics included. The
        averaged weights are the trainer's own variables, so checkpoints carry them and a
        resumed run continues the same average. ``None`` or 0: no average.

        The decay ramps up as ``min(decay, (1 + n) / (10 + n))`` after the generator's
        ``n``-th step (the schedule of TensorFlow's ``ExponentialMovingAverage`` with
        ``num_updates``): otherwise an average with decay 0.999 still holds
        0.999 ** 3000 = 5% of the untrained initial weights after 3,000 steps."""
        if decay is not None and not 0.0 <= decay < 1.0:
            raise ValueError(f"generator_average_decay must be in [0, 1), got {decay}")
        self.generator_average_decay = decay or None
        # the drawing copy is rebuilt from the averages; held outside Keras' tracking so
        # that it never becomes part of the trainer's saved state
        self._drawing_copy = types.SimpleNamespace(model=None)
        if self.generator_average_decay is None:
            self.average_weights = []
            return
        # one value for every replica: each holds the same synchronised generator
        self.average_weights = [
            keras.Variable(keras.ops.convert_to_numpy(weight), trainable=False, aggregation="only_first_replica", name=f"average_{index}")
            for index, weight in enumerate(self.generator.weights)
        ]

    def _update_average(self) -> None:
        if self.generator_average_decay is None:
            return
        steps = tf.cast(self.g_optimizer.iterations, "float32")
        decay = tf.minimum(self.generator_average_decay, (1.0 + steps) / (10.0 + steps))
        for average, weight in zip(self.average_weights, self.generator.weights):
            average.assign(decay * average + (1.0 - decay) * tf.cast(weight, average.dtype))

    def sampling_generator(self) -> keras.Model:
        """The generator to draw, score and save: a copy with the averaged weights when the
        trainer keeps an average (see ``_start_average``), else the generator itself."""
        if not getattr(self, "average_weights", None):
            return self.generator
        copy = self._drawing_copy
        if copy.model is None:
            copy.model = keras.models.clone_model(self.generator)
        copy.model.set_weights([keras.ops.convert_to_numpy(average) for average in self.average_weights])
        return copy.model

    def random_states(self) -> dict:
        """Every ``SeedGenerator`` this trainer uses, by a stable name."""
        # the noise RNG keeps its first name so that older checkpoints still restore
        found = {"noise" if attribute == "seed_generator" else attribute: generator
                 for attribute, generator in _seed_generators(self)}
        for attribute, value in vars(self).items():
            # a trainer's own layer, such as the VAE's sampling layer
            if isinstance(value, keras.layers.Layer) and not isinstance(value, keras.Model):
                found.update({f"{attribute}.{inner}": generator for inner, generator in _seed_generators(value)})
        for network in self.networks():
            for layer in _all_layers(network):
                found.update({f"{network.name}.{layer.name}.{inner}": generator for inner, generator in _seed_generators(layer)})
        return found

    def save_own_variables(self, store):
        super().save_own_variables(store)
        for name, generator in self.random_states().items():
            store[f"rng.{name}"] = keras.ops.convert_to_numpy(generator.state)
        for index, average in enumerate(getattr(self, "average_weights", [])):
            store[f"average.{index}"] = keras.ops.convert_to_numpy(average)

    def load_own_variables(self, store):
        saved = set(store.keys())
        for name, generator in self.random_states().items():
            if f"rng.{name}" in saved:
                generator.state.assign(np.asarray(store[f"rng.{name}"]))
        averages = getattr(self, "average_weights", [])
        if averages and "average.0" not in saved:
            raise ValueError("this checkpoint holds no generator average; it was written by a run without generator_average_decay")
        for index, average in enumerate(averages):
            average.assign(np.asarray(store[f"average.{index}"]))


class GAN(SeededTrainer, keras.Model):
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
        if noise_distribution not in NOISE_DISTRIBUTIONS:
            raise ValueError(f"noise_distribution must be one of {', '.join(NOISE_DISTRIBUTIONS)}, got {noise_distribution!r}")
        self.noise_distribution = noise_distribution
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = models.latent_size_of(generator)
        self.image_shape = tuple(int(size) for size in generator.output_shape[1:])
        expected = tuple(discriminator.inputs[0].shape[1:])
        if expected != self.image_shape:
            raise ValueError(
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
            return per_replica(lambda count: keras.random.uniform((count, self.latent_dim), -1.0, 1.0, seed=self.seed_generator), batch_size)
        return per_replica(lambda count: keras.random.normal((count, self.latent_dim), seed=self.seed_generator), batch_size)

    def _track_verdicts(self, real_outputs, fake_outputs):
        self.real_accuracy_tracker.update_state(tf.cast(real_outputs > self.decision_threshold, "float32"))
        self.fake_accuracy_tracker.update_state(tf.cast(fake_outputs <= self.decision_threshold, "float32"))

    def generate(self, num_images: int, seed: int | None = None, batch_size: int = 256) -> np.ndarray:
        """``num_images`` generated images as a float32 numpy array in [-1, 1] (NHWC)."""
        return generate_images(self.generator, num_images, seed=seed, batch_size=batch_size)


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
            raise ValueError(f"each player needs at least one update per step, got {discriminator_steps} and {generator_steps}")
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


def _seed_generators(owner):
    """(attribute, generator) for every ``SeedGenerator`` held directly by ``owner``."""
    return [(attribute, value) for attribute, value in vars(owner).items() if isinstance(value, keras.random.SeedGenerator)]


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)


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
            raise ValueError(f"n_critic must be at least 1, got {n_critic}")
        if bool(clip_value) == bool(gradient_penalty_weight):
            raise ValueError("give exactly one of clip_value (WGAN) and gradient_penalty_weight (WGAN-GP)")
        if (clip_value or 0) < 0 or (gradient_penalty_weight or 0) < 0:
            raise ValueError("clip_value and gradient_penalty_weight must be positive")
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
                    weights = per_replica(lambda count: keras.random.uniform((count, 1, 1, 1), seed=self.penalty_seed), batch_size)
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
            raise ValueError("a conditional generator takes [noise, label]; see models.conditional_generator")
        if num_classes < 2:
            raise ValueError(f"num_classes must be at least 2, got {num_classes}")
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
            class_labels(len(labels), self.num_classes, labels.reshape(-1))
        return super().fit(x, y, *args, **kwargs)

    def _real_batch(self, data):
        images, labels, _ = keras.utils.unpack_x_y_sample_weight(data)
        if labels is None:
            raise ValueError("a conditional GAN trains on (images, labels) batches; pass labels to make_dataset")
        self._check_images(images)
        return images, tf.cast(tf.reshape(labels, (-1,)), "int32")

    def _fake_batch(self, batch_size):
        labels = per_replica(lambda count: keras.random.randint((count,), 0, self.num_classes, seed=self.label_seed, dtype="int32"), batch_size)
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

    def generate(self, num_images: int, seed: int | None = None, batch_size: int = 256, labels=None) -> np.ndarray:
        """``num_images`` images; ``labels`` (one int for all, or one per image) picks the
        classes, else they cycle 0, 1, 2, ... so every class appears equally often."""
        return generate_images(self.generator, num_images, seed=seed, batch_size=batch_size, labels=labels)


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
            raise ValueError("an ACGAN discriminator returns [logit, class_logits]; use dcgan_discriminator(num_classes=...)")
        self.real_class_tracker = keras.metrics.Mean(name="real_class_accuracy")
        self.fake_class_tracker = keras.metrics.Mean(name="fake_class_accuracy")

    def compile(self, d_optimizer, g_optimizer, label_smoothing: float = 0.0, fake_class_weight: float = 1.0, **kwargs):
        """Set both optimizers; the losses are ACGAN's (``losses.acgan_*``), with
        ``fake_class_weight`` on the class loss of generated images in the critic's loss."""
        super().compile(d_optimizer, g_optimizer, label_smoothing=0.0, **kwargs)
        self.label_smoothing = float(label_smoothing)
        self.fake_class_weight = float(fake_class_weight)

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


def per_replica(draw, batch_size):
    """This replica's ``batch_size`` rows of random numbers, where ``draw(count)`` draws
    ``count`` rows. Without a ``tf.distribute`` strategy that is ``draw(batch_size)``.
    Under one (``MirroredStrategy``, a TPU), every replica holds the same random state and
    would draw the same numbers; instead each draws the rows of the whole global batch and
    keeps its own slice, so replicas get different numbers and, together, exactly those
    one device would draw for the global batch."""
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas == 1:
        return draw(batch_size)
    replica = tf.distribute.get_replica_context().replica_id_in_sync_group
    return draw(batch_size * replicas)[replica * batch_size : (replica + 1) * batch_size]


NOISE_DISTRIBUTIONS = ("normal", "uniform")


def latent_vectors(num_vectors: int, latent_dim: int, seed: int | None = None, distribution: str = "normal") -> np.ndarray:
    """Noise vectors, reproducible from ``seed`` (numpy, not graph RNG): standard normal,
    or uniform on [-1, 1] (the DCGAN paper's noise) for a generator trained on it."""
    if distribution not in NOISE_DISTRIBUTIONS:
        raise ValueError(f"distribution must be one of {', '.join(NOISE_DISTRIBUTIONS)}, got {distribution!r}")
    rng = np.random.default_rng(seed)
    if distribution == "uniform":
        return rng.uniform(-1.0, 1.0, (num_vectors, latent_dim)).astype("float32")
    return rng.standard_normal((num_vectors, latent_dim)).astype("float32")


def class_labels(num_images: int, num_classes: int, labels=None) -> np.ndarray:
    """Labels for a conditional generator: ``labels`` as one int for all or one per image
    (checked against ``num_classes``), else 0, 1, ..., num_classes - 1, 0, 1, ..."""
    if labels is None:
        return (np.arange(num_images) % num_classes).astype("int32")
    labels = np.broadcast_to(np.asarray(labels), (num_images,)).astype("int64")
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"labels must be in 0..{num_classes - 1}, got {sorted(set(labels.tolist()))[:10]}")
    return labels.astype("int32")


def generate_images(generator: keras.Model, num_images: int, seed: int | None = None, batch_size: int = 256, labels=None) -> np.ndarray:
    """Run a generator in inference mode on seeded noise; float32 images in [-1, 1].

    A conditional generator (inputs ``[noise, label]``) gets ``labels`` (one int, or one
    per image) or, without them, every class in turn; an unconditional one refuses labels.
    """
    if num_images < 0:
        raise ValueError(f"num_images must be zero or more, got {num_images}")
    latent_dim = models.latent_size_of(generator)
    return decode_latents(generator, latent_vectors(num_images, latent_dim, seed), batch_size, labels)


def decode_latents(generator: keras.Model, latents: np.ndarray, batch_size: int = 256, labels=None) -> np.ndarray:
    """Run a generator in inference mode on given latent vectors (one per row), e.g. the
    points of a path from ``ganlab.latent``; float32 images in [-1, 1]. Labels as in
    ``generate_images``."""
    latents = np.asarray(latents, dtype="float32")
    latent_dim = models.latent_size_of(generator)
    if latents.ndim != 2 or latents.shape[1] != latent_dim:
        raise ValueError(f"latents must have shape (N, {latent_dim}), got {latents.shape}")
    num_classes = models.num_classes_of(generator)
    if labels is not None and num_classes is None:
        raise ValueError("this generator is unconditional: it takes no labels")
    if len(latents) == 0:
        return np.zeros((0, *generator.output_shape[1:]), dtype="float32")
    inputs = [latents, class_labels(len(latents), num_classes, labels)] if num_classes else latents
    images = models.apply_in_batches(generator, inputs, batch_size)
    return np.clip(images.astype("float32"), -1.0, 1.0)


def decode_class_weights(generator: keras.Model, latents: np.ndarray, class_weights: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Run a conditional generator on latent vectors and *class weights* (one row of
    ``num_classes`` weights per image, or one row for all) through
    ``models.soft_label_generator`` (made once by a caller that draws often, such as
    ``widgets.ClassExplorer``): one-hot rows draw the classes, mixed rows blend them.
    Float32 images in [-1, 1]. Introduced in book/06_latent_space."""
    latents = np.asarray(latents, dtype="float32")
    class_weights = np.asarray(class_weights, dtype="float32")
    if class_weights.ndim == 1:
        class_weights = class_weights[None]
    if len(class_weights) == 1:
        class_weights = np.repeat(class_weights, len(latents), axis=0)
    if len(class_weights) != len(latents):
        raise ValueError(f"{len(latents)} latent vectors but {len(class_weights)} rows of class weights")
    soft = models.soft_label_generator(generator)
    return np.clip(models.apply_in_batches(soft, [latents, class_weights], batch_size), -1.0, 1.0).astype("float32")
