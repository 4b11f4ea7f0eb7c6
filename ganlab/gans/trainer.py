"""What every ganlab trainer shares: seeded random state saved with the weights, the
averaged generator, one way to draw, distributed-training helpers, and building a
trainer from a recipe (``build_trainer``). Introduced in book/02_dcgan_mnist."""

from __future__ import annotations

import importlib
import types

import keras
import numpy as np
import tensorflow as tf

from ganlab import models, sections
from ganlab.errors import UsageError
from ganlab.gans import drawing


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
            raise UsageError(
                f"real images have shape {shape} per image but this model makes {self.image_shape}"
            )
        # a numpy batch when run eagerly (run_eagerly=True), a tensor in the compiled step
        if not tf.as_dtype(images.dtype).is_floating:
            raise UsageError(
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
            raise UsageError(f"generator_average_decay must be in [0, 1), got {decay}")
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
            raise UsageError("this checkpoint holds no generator average; it was written by a run without generator_average_decay")
        for index, average in enumerate(averages):
            average.assign(np.asarray(store[f"average.{index}"]))

    # the networks a run keeps current as .keras files: (file name, attribute)
    saved_networks: tuple[tuple[str, str], ...] = (("generator.keras", "generator"),)

    @classmethod
    def networks_from_recipe(cls, recipe) -> dict:
        """The untrained networks a recipe describes, by constructor argument name."""
        raise NotImplementedError(f"{cls.__name__} does not say how to build its networks from a recipe")

    @classmethod
    def options_from_recipe(cls, recipe) -> dict:
        """The constructor's arguments beyond the networks and the seed."""
        return {}

    def compile_from_recipe(self, recipe, **keras_options) -> None:
        """``compile`` with the optimizers, losses and weights the recipe names."""
        raise NotImplementedError(f"{type(self).__name__} does not say how to compile from a recipe")

    def optimizers_with_rates(self, recipe) -> list[tuple[keras.optimizers.Optimizer, float]]:
        """Each optimizer with its learning rate in the recipe (a diverged run halves them)."""
        raise NotImplementedError(f"{type(self).__name__} does not name its optimizers")

    def generate(self, num_images: int, seed: int | None = None, batch_size: int = 256, labels=None) -> np.ndarray:
        """``num_images`` images as float32 numpy in [-1, 1] (NHWC) from the generator the
        run draws, scores and saves (the average, when the trainer keeps one), on the noise
        it was trained with. ``labels`` for a conditional generator, as in
        ``drawing.generate_images``."""
        return drawing.generate_images(
            self.sampling_generator(), num_images, seed=seed, batch_size=batch_size, labels=labels,
            distribution=getattr(self, "noise_distribution", "normal"),
        )

def _seed_generators(owner):
    """(attribute, generator) for every ``SeedGenerator`` held directly by ``owner``."""
    return [(attribute, value) for attribute, value in vars(owner).items() if isinstance(value, keras.random.SeedGenerator)]


def _all_layers(model):
    for layer in model.layers:
        yield layer
        if hasattr(layer, "layers"):
            yield from _all_layers(layer)



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


def recipe_generator(recipe) -> keras.Model:
    """The untrained generator (a VAE's decoder) a recipe describes: conditional when its
    trainer is, with the recipe's upsampling either way."""
    shape = dict(image_shape=recipe.image_shape, kernel_size=recipe.kernel_size, widths=recipe.generator_widths, upsampling=recipe.upsampling)
    if recipe.conditional:
        return models.conditional_generator(recipe.latent_dim, recipe.num_classes, conditioning=recipe.conditioning, **shape)
    return models.dcgan_generator(latent_dim=recipe.latent_dim, **shape)


def recipe_discriminator_options(recipe) -> dict:
    """The discriminator's shape and dropout, as ``models.dcgan_discriminator`` takes them."""
    return dict(image_shape=recipe.image_shape, kernel_size=recipe.kernel_size, widths=recipe.discriminator_widths, dropout=recipe.dropout)


def trainer_class(model: str):
    """The ``keras.Model`` subclass that trains a recipe's ``model`` (named by its section
    in ``ganlab.recipe``)."""
    module, name = sections.section_for(model).trainer.split(":")
    return getattr(importlib.import_module(module), name)


def recipe_optimizer(recipe, learning_rate: float) -> keras.optimizers.Optimizer:
    """The recipe's optimizer at ``learning_rate``; under ``"mixed_float16"`` wrapped in a
    ``LossScaleOptimizer`` so that small gradients survive float16."""
    if recipe.optimizer == "rmsprop":
        chosen = keras.optimizers.RMSprop(learning_rate)
    else:
        chosen = keras.optimizers.Adam(learning_rate, beta_1=recipe.beta_1, beta_2=recipe.beta_2)
    return keras.optimizers.LossScaleOptimizer(chosen) if recipe.precision == "mixed_float16" else chosen


def build_trainer(recipe, steps_per_execution: int = 1, jit_compile="auto"):
    """The compiled trainer a recipe describes: its class (``trainer_class``) builds its
    networks in the recipe's precision, and compiles itself with the recipe's optimizers.
    ``jit_compile`` is Keras' (XLA): ``"auto"`` turns it on with a GPU and off on a CPU,
    where ``benchmarks/throughput.py --jit-compile`` measures it slower."""
    recipe.validate()
    chosen = trainer_class(recipe.model)
    with models.precision(recipe.precision):
        networks = chosen.networks_from_recipe(recipe)
    trainer = chosen(**networks, seed=recipe.seed, **chosen.options_from_recipe(recipe))
    trainer.compile_from_recipe(recipe, steps_per_execution=steps_per_execution, jit_compile=jit_compile)
    return trainer
