"""The classic way to write a GAN in Keras, kept for comparison with ``gans.GAN``.

Many Keras 2 era examples train a GAN with three compiled models: the discriminator on its
own, and a *combined* model (noise -> generator -> frozen discriminator) through which the
generator learns. Each step updates the discriminator first (``train_on_batch`` on real,
then on generated images) and then the generator, against the discriminator that was just
updated: sequential updates.

ganlab's trainers instead compute both players' losses in one ``train_step`` with two
gradient tapes (book/01_artist_and_critic explains why). This module exists so that the book
can show the classic pattern from tested code, and measure it against ``gans.GAN``.

One trap of the classic pattern under Keras 3: which weights a model trains is decided when
its training function is first traced (Keras 2 decided it at ``compile``). Freezing the
discriminator for the combined model before its own first ``train_on_batch`` would leave it
with nothing to train. ``classic_step`` therefore sets ``discriminator.trainable`` before
each call.
"""

from __future__ import annotations

import time
import warnings

import keras
import numpy as np


def build_combined_model(generator: keras.Model, discriminator: keras.Model, d_optimizer, g_optimizer) -> keras.Model:
    """Compile ``discriminator`` for its own updates (binary cross-entropy on logits) and
    return the compiled combined model noise -> generator -> discriminator, whose updates
    reach only the generator (the discriminator is frozen inside it)."""
    discriminator.trainable = True
    discriminator.compile(optimizer=d_optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True))
    discriminator.trainable = False
    noise = keras.Input(shape=generator.inputs[0].shape[1:], name="noise")
    combined = keras.Model(noise, discriminator(generator(noise, training=True), training=True), name="combined")
    combined.compile(optimizer=g_optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True))
    return combined


def classic_step(generator: keras.Model, discriminator: keras.Model, combined: keras.Model, real_images: np.ndarray,
                 rng: np.random.Generator, label_smoothing: float = 0.0) -> dict[str, float]:
    """One classic step: the discriminator on a batch of real images (target 1, smoothed
    to ``1 - label_smoothing``) and one of generated images (target 0), then the generator
    through ``combined`` on fresh noise with target 1. Returns the three losses."""
    batch_size = len(real_images)
    latent_dim = int(generator.inputs[0].shape[-1])
    fake_images = generator.predict_on_batch(rng.standard_normal((batch_size, latent_dim)).astype("float32"))
    real_target = np.full((batch_size, 1), 1.0 - label_smoothing, "float32")
    with warnings.catch_warnings():
        # Keras warns that the trainable flag changed since compile: that is the point here
        warnings.filterwarnings("ignore", message=".*trainable. state has changed.*")
        discriminator.trainable = True
        d_loss_real = discriminator.train_on_batch(real_images, real_target)
        d_loss_fake = discriminator.train_on_batch(fake_images, np.zeros((batch_size, 1), "float32"))
        discriminator.trainable = False
        noise = rng.standard_normal((batch_size, latent_dim)).astype("float32")
        g_loss = combined.train_on_batch(noise, np.ones((batch_size, 1), "float32"))
    return {"d_loss_real": float(d_loss_real), "d_loss_fake": float(d_loss_fake), "g_loss": float(g_loss)}


def train_classic(generator: keras.Model, discriminator: keras.Model, combined: keras.Model, images: np.ndarray, steps: int,
                  batch_size: int, seed: int = 0, label_smoothing: float = 0.0) -> dict:
    """``steps`` classic steps on batches drawn from ``images`` (a seeded shuffle per pass),
    a Python loop as in the Keras 2 era examples. Returns the per-step losses and the
    seconds taken, for comparison with ``fit`` on ``gans.GAN``."""
    rng = np.random.default_rng(seed)
    history: dict[str, list[float]] = {"d_loss_real": [], "d_loss_fake": [], "g_loss": []}
    order, position = rng.permutation(len(images)), 0
    started = time.perf_counter()
    for _ in range(steps):
        if position + batch_size > len(order):
            order, position = rng.permutation(len(images)), 0
        batch = images[order[position : position + batch_size]]
        position += batch_size
        for name, value in classic_step(generator, discriminator, combined, batch, rng, label_smoothing).items():
            history[name].append(value)
    return {"history": history, "seconds": time.perf_counter() - started, "steps": steps}
