"""Training throughput: ganlab's ``GAN.fit`` against a plain ``tf.function`` loop.

The reference is the TensorFlow DCGAN tutorial's training loop, written out here: one
``tf.function`` step with two gradient tapes, driven by a Python ``for`` loop over the same
``tf.data`` pipeline. Both train the same architecture at the same batch size in the same
process. ganlab trains in one ``fit`` call, one epoch per repeat; after each epoch a
callback runs one repeat of the reference loop, so the two alternate and machine noise hits
both alike. Medians are compared. The framework should cost nothing: target ratio >= 0.95.

``--jit-compile`` compiles both with XLA and ``--precisions`` trains both under each named
dtype policy (``mixed_float16`` with loss scaling in both), so the same run says whether
XLA or mixed precision help on this machine, and that ganlab keeps up with the plain loop
either way.

    python benchmarks/throughput.py [--cases dcgan-mnist:64 ...] [--steps 40] [--repeats 7]
                                    [--jit-compile] [--precisions float32 mixed_bfloat16 ...]
                                    [--steps-per-execution 1 4 16] [--json FILE]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

os.environ.setdefault("GANLAB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from ganlab import config, data, runs  # noqa: E402


def reference_trainer(recipe, jit_compile=False):
    """The tutorial's loop: returns a function that trains ``steps`` batches from an iterator
    (its step compiled with XLA when ``jit_compile``). Its networks compute in the recipe's
    precision; under mixed float16 its optimizers scale the loss, as Keras' guide does it."""
    built = runs.build_gan(recipe)  # fresh networks of the same architecture and precision
    generator, discriminator = built.generator, built.discriminator
    cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)

    def adam(learning_rate):
        optimizer = keras.optimizers.Adam(learning_rate, beta_1=recipe.beta_1)
        return keras.optimizers.LossScaleOptimizer(optimizer) if recipe.precision == "mixed_float16" else optimizer

    generator_optimizer = adam(recipe.generator_learning_rate)
    discriminator_optimizer = adam(recipe.discriminator_learning_rate)
    real_target = 1.0 - recipe.label_smoothing

    @tf.function(jit_compile=jit_compile)
    def train_step(images):
        noise = tf.random.normal([tf.shape(images)[0], recipe.latent_dim])
        with tf.GradientTape() as generator_tape, tf.GradientTape() as discriminator_tape:
            generated_images = generator(noise, training=True)
            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)
            generator_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
            discriminator_loss = cross_entropy(tf.fill(tf.shape(real_output), real_target), real_output) + cross_entropy(
                tf.zeros_like(fake_output), fake_output
            )
            # the identity for a plain optimizer; times the loss scale for a LossScaleOptimizer
            scaled_generator_loss = generator_optimizer.scale_loss(generator_loss)
            scaled_discriminator_loss = discriminator_optimizer.scale_loss(discriminator_loss)
        generator_gradients = generator_tape.gradient(scaled_generator_loss, generator.trainable_variables)
        discriminator_gradients = discriminator_tape.gradient(scaled_discriminator_loss, discriminator.trainable_variables)
        generator_optimizer.apply_gradients(zip(generator_gradients, generator.trainable_variables))
        discriminator_optimizer.apply_gradients(zip(discriminator_gradients, discriminator.trainable_variables))
        return generator_loss, discriminator_loss

    def train(iterator, steps):
        for _ in range(steps):
            losses = train_step(next(iterator))
        float(losses[0])  # wait for the last step to finish

    return train


class InterleavedReference(keras.callbacks.Callback):
    """Times each ganlab epoch, and runs one timed repeat of the reference loop after it.

    Both are measured inside one ``fit`` call, so neither pays set-up or tear-down (a real
    run pays those once, not per repeat), and machine noise hits both alike.
    """

    def __init__(self, reference, iterator, steps, batch_size):
        super().__init__()
        self.reference, self.iterator = reference, iterator
        self.images_per_repeat = steps * batch_size
        self.steps = steps
        self.rates = {"reference": [], "ganlab": []}

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        float(self.model.g_loss_tracker.result())  # wait for the epoch's last step
        ganlab_seconds = time.perf_counter() - self.started
        started = time.perf_counter()
        self.reference(self.iterator, self.steps)
        reference_seconds = time.perf_counter() - started
        if epoch > 0:  # the first epoch traces the step function
            self.rates["ganlab"].append(self.images_per_repeat / ganlab_seconds)
            self.rates["reference"].append(self.images_per_repeat / reference_seconds)


def measure(preset, batch_size, steps, repeats, steps_per_execution=None, jit_compile=False, precision="float32"):
    """Median images/second of the reference loop and of ganlab's ``fit``, interleaved,
    both with XLA when ``jit_compile`` and both in ``precision``."""
    recipe = config.get_preset(preset).replace(batch_size=batch_size, steps_per_execution=steps_per_execution, precision=precision)
    images = data.load_mnist(verbose=False).images
    dataset = data.make_dataset(images, batch_size, seed=0, repeat=True)
    reference = reference_trainer(recipe, jit_compile)
    reference_iterator = iter(dataset)
    reference(reference_iterator, 3)  # trace and warm up
    gan = runs.build_gan(recipe, steps_per_epoch=steps, jit_compile=jit_compile)
    timer = InterleavedReference(reference, reference_iterator, steps, batch_size)
    gan.fit(dataset, epochs=repeats + 1, steps_per_epoch=steps, callbacks=[timer], verbose=0, shuffle=False)
    medians = {name: statistics.median(rates) for name, rates in timer.rates.items()}
    return medians, runs.steps_per_call(steps, recipe.steps_per_execution)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases",
        nargs="+",
        default=["dcgan-mnist:64", "dcgan-mnist:256", "dcgan-mnist-wide:64"],
        help="PRESET:BATCH pairs",
    )
    parser.add_argument("--steps", type=int, default=40, help="training steps per timed repeat")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument(
        "--steps-per-execution", type=int, nargs="+", default=[1, 4], help="caps to compare (the preset uses 4)"
    )
    parser.add_argument("--jit-compile", action="store_true", help="compile both with XLA (Keras' default does on a GPU)")
    parser.add_argument(
        "--precisions", nargs="+", default=["float32"], choices=config.PRECISIONS, help="dtype policies to compare"
    )
    parser.add_argument("--json", help="also write the rows to this JSON file")
    args = parser.parse_args()
    rows = []
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"TensorFlow {tf.__version__}, Keras {keras.__version__}, "
        f"devices {[device.device_type for device in tf.config.list_physical_devices()]}, XLA {'on' if args.jit_compile else 'off'}"
    )
    print("| networks | batch | precision | steps per call | plain loop (img/s) | ganlab GAN.fit (img/s) | ratio |")
    print("|---|---|---|---|---|---|---|")
    for case in args.cases:
        preset, batch_size = case.split(":")
        for precision in args.precisions:
            for grouping in args.steps_per_execution:
                medians, per_call = measure(preset, int(batch_size), args.steps, args.repeats, grouping, args.jit_compile, precision)
                ratio = medians["ganlab"] / medians["reference"]
                rows.append({"networks": preset, "batch": int(batch_size), "precision": precision, "xla": args.jit_compile,
                             "steps_per_call": per_call, "plain_loop_images_per_second": medians["reference"],
                             "ganlab_images_per_second": medians["ganlab"], "ratio": ratio})
                print(
                    f"| {preset} | {batch_size} | {precision} | {per_call} | {medians['reference']:.0f} | "
                    f"{medians['ganlab']:.0f} | {ratio:.3f} |",
                    flush=True,
                )

    if args.json:
        import json

        with open(args.json, "w") as handle:
            json.dump({"device": [device.device_type for device in tf.config.list_physical_devices()], "rows": rows}, handle, indent=2)


if __name__ == "__main__":
    main()
