"""How a run's epochs are cut into steps and calls, and building its trainer.

Introduced in book/02_dcgan_mnist. Which trainer a recipe gets, and how it builds and
compiles itself, is the trainer's own business (``gans.build_trainer``); this module only
decides how many steps run per call into the compiled graph.
"""

from __future__ import annotations

from ganlab.errors import UsageError
from ganlab.recipe import Recipe


def steps_per_call(steps_per_epoch: int, most: int) -> int:
    """The largest divisor of ``steps_per_epoch`` that is at most ``most``.

    Keras runs whole groups of ``steps_per_execution`` steps, so a group size that does
    not divide the epoch would make every epoch overrun its steps.
    """
    return max(size for size in range(1, max(1, min(most, steps_per_epoch)) + 1) if steps_per_epoch % size == 0)


def batches_per_pass(num_images: int, config: Recipe) -> int:
    """How many of a pass's batches a run trains on: all of them, unless no group size
    near ``config.steps_per_execution`` divides the epoch (60,000 digits in batches of
    64 are 937 steps, a prime): then the pass is rounded down to a multiple of it, leaving
    out fewer than ``steps_per_execution`` batches of each pass (a different few each
    pass, since every pass is shuffled anew). Either way an epoch is a whole number of
    multi-step calls and a resumed run still sees exactly the batches of an uninterrupted
    one."""
    from ganlab import data

    available = data.steps_per_pass(num_images, config.images_per_step)
    most = min(config.steps_per_execution, available)
    if 2 * steps_per_call(available * config.passes_per_epoch, most) >= most:
        return available
    return available // most * most


def build_gan(config: Recipe, steps_per_epoch: int | None = None, jit_compile="auto"):
    """The compiled trainer a recipe describes (``gans.build_trainer``: ``gans.GAN``,
    ``WGAN``, ``ConditionalGAN``, ``ACGAN``, or the autoencoders ``vae.VAE`` and
    ``vae.VAEGAN``).

    Given ``steps_per_epoch``, several steps run per call into the compiled graph (see
    ``Recipe.steps_per_execution``); without it, one. The networks compute in
    ``config.precision``; under ``"mixed_float16"`` every optimizer scales the loss so
    that small gradients survive float16.
    """
    from ganlab import gans

    steps = steps_per_call(steps_per_epoch, config.steps_per_execution) if steps_per_epoch else 1
    return gans.build_trainer(config, steps_per_execution=steps, jit_compile=jit_compile)


def build_generator(config: Recipe):
    """The (untrained) generator a recipe describes, in its precision; a VAE's decoder."""
    return _network(config, "generator", "decoder")


def build_discriminator(config: Recipe):
    """The (untrained) discriminator or critic a recipe describes, in its precision."""
    if not config.adversarial:
        raise UsageError(f"a {config.model!r} model has no discriminator")
    return _network(config, "discriminator")


def build_encoder(config: Recipe):
    """The (untrained) encoder of a VAE or VAE-GAN recipe, in its precision."""
    if not config.autoencoder:
        raise UsageError(f"a {config.model!r} model has no encoder")
    return _network(config, "encoder")


def _network(config: Recipe, *roles: str):
    from ganlab import gans, models

    with models.precision(config.precision):
        networks = gans.trainer_class(config.model).networks_from_recipe(config)
    return next(networks[role] for role in roles if role in networks)
