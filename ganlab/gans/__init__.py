"""GAN trainers: each variant is one ``keras.Model`` whose ``train_step`` plays both players.

Introduced in book/02_dcgan_mnist. One module a part: ``trainer`` (what every trainer
shares, and building one from a recipe), ``gan`` (GAN, SequentialGAN), ``wgan``,
``conditional`` (ConditionalGAN, ACGAN) and ``drawing`` (noise, labels, images). Every
name is also here, as ``gans.GAN`` or ``gans.generate_images``.
"""

from ganlab.gans.conditional import ACGAN, ConditionalGAN
from ganlab.gans.drawing import (
    NOISE_DISTRIBUTIONS,
    class_labels,
    decode_class_weights,
    decode_latents,
    generate_images,
    latent_vectors,
)
from ganlab.gans.gan import GAN, SequentialGAN
from ganlab.gans.trainer import (
    SeededTrainer,
    build_trainer,
    per_replica,
    recipe_discriminator_options,
    recipe_generator,
    recipe_optimizer,
    trainer_class,
)
from ganlab.gans.wgan import WGAN

__all__ = [
    "ACGAN", "GAN", "NOISE_DISTRIBUTIONS", "WGAN", "ConditionalGAN", "SeededTrainer", "SequentialGAN", "build_trainer",
    "class_labels", "decode_class_weights", "decode_latents", "generate_images", "latent_vectors", "per_replica",
    "recipe_discriminator_options", "recipe_generator", "recipe_optimizer", "trainer_class",
]
