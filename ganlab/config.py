"""The named presets the command line and the book use, each a ``Recipe``.

Introduced in book/02_dcgan_mnist. Recipes themselves (the shared fields, each trainer's
section, checks and the ``config.json`` format) are ``ganlab.recipe``; they are re-exported
here. This module imports nothing heavy so that the command line can reject a bad preset
name before TensorFlow starts.
"""

from __future__ import annotations

from ganlab.errors import UsageError
from ganlab.recipe import Recipe, RecipeUpgraded, parse_assignment  # noqa: F401  (chapters and older code import them from here)
from ganlab.sections import (  # noqa: F401  (the choices, as older code reads them from here)
    DATASETS,
    MODELS,
    NOISE_DISTRIBUTIONS,
    OPTIMIZERS,
    PRECISIONS,
    RECONSTRUCTIONS,
    SECTIONS,
    UPSAMPLINGS,
)

# The name before ganlab 0.2, kept so that code written against 0.1 keeps working.
DCGANConfig = Recipe

TUTORIAL_GENERATOR_WIDTHS = (256, 128, 64)
TUTORIAL_DISCRIMINATOR_WIDTHS = (64, 128)
# How dcgan-mnist trains (see below), shared by the presets that change only the game or
# the conditioning, so that book/04_better_losses compares games and nothing else.
DEFAULT_TRAINING = dict(
    batch_size=32, epochs=100, optimizer="adam", beta_1=0.5, beta_2=0.999, generator_learning_rate=4e-4,
    discriminator_learning_rate=4e-4, generator_average_decay=0.999,
)
# The DCGAN paper's optimizer and batch, without an averaged generator: the faces and
# the VAE-GAN were tuned with it.
PAPER_TRAINING = dict(
    batch_size=64, optimizer="adam", beta_1=0.5, beta_2=0.999, generator_learning_rate=2e-4, discriminator_learning_rate=2e-4,
    generator_average_decay=0.0,
)
DIGITS = dict(dataset="mnist", image_shape=(28, 28, 1), kernel_size=5)
FACES_64 = dict(dataset="celeba", image_shape=(64, 64, 3), kernel_size=4, flip=True, monitor_images=64)

# Each preset states how it trains (batch, epochs, optimizer, learning rates and, with a
# discriminator, the generator average): tests/test_config.py checks that none relies on
# a default, so that changing Recipe's defaults never changes a preset.
PRESET_FIELDS: dict[str, dict] = {
    # Our default, chosen by measurement on a 2-core CPU (benchmarks/recipe_search.py and
    # benchmarks/time_to_quality.py, book/appendix_performance.md): the DCGAN paper's Adam
    # (beta_1=0.5) on the tutorial's networks at half width, which take 2.6x more steps in
    # the same time; both learning rates doubled to 4e-4, batches of 32 (more steps per
    # minute on a CPU), and the digits drawn from an average of the generator's weights
    # (decay 0.999), which smooths out the faster steps' noise: judge-FID 0.51 of the
    # batch-64, 2e-4 recipe's after 5 minutes, three seeds each, all ten digits in every run.
    "dcgan-mnist": dict(
        model="gan", **DIGITS, generator_widths=(128, 64, 32), discriminator_widths=(32, 64), dropout=0.3,
        label_smoothing=0.1, **DEFAULT_TRAINING,
    ),
    # The default recipe on the TensorFlow tutorial's full-width networks: with the two
    # presets around it, book/02_dcgan_mnist separates the effect of width from the rest.
    "dcgan-mnist-wide": dict(
        model="gan", **DIGITS, generator_widths=TUTORIAL_GENERATOR_WIDTHS, discriminator_widths=TUTORIAL_DISCRIMINATOR_WIDTHS,
        dropout=0.3, label_smoothing=0.1, **(DEFAULT_TRAINING | dict(epochs=50)),
    ),
    # The TensorFlow DCGAN tutorial as published: its networks, Adam(1e-4), batch 256, no
    # label smoothing, no average. Kept so the book can show why we changed it.
    "dcgan-mnist-tutorial": dict(
        model="gan", **DIGITS, generator_widths=TUTORIAL_GENERATOR_WIDTHS, discriminator_widths=TUTORIAL_DISCRIMINATOR_WIDTHS,
        dropout=0.3, label_smoothing=0.0, batch_size=256, epochs=50, optimizer="adam", beta_1=0.9, beta_2=0.999,
        generator_learning_rate=1e-4, discriminator_learning_rate=1e-4, generator_average_decay=0.0,
    ),
    # book/04_better_losses: the same networks, data and budget; only the game changes.
    # LSGAN, CGAN and ACGAN train as dcgan-mnist does; the two WGANs keep the optimisers
    # their papers prescribe (part of their game), and average their generators too.
    # LSGAN (Mao et al. 2017): squared errors on a linear output, targets 1 and 0.
    "lsgan-mnist": dict(
        model="gan", **DIGITS, generator_widths=(128, 64, 32), discriminator_widths=(32, 64), dropout=0.3,
        generator_loss="least_squares", discriminator_loss="least_squares", label_smoothing=0.0, **DEFAULT_TRAINING,
    ),
    # WGAN as published (Arjovsky et al. 2017): RMSprop 5e-5, 5 critic steps per
    # generator step, critic weights clipped to [-0.01, 0.01]. No dropout in the critic.
    "wgan-clip-mnist": dict(
        model="wgan", **DIGITS, generator_widths=(128, 64, 32), discriminator_widths=(32, 64), dropout=0.0, n_critic=5,
        clip_value=0.01, batch_size=64, epochs=100, optimizer="rmsprop", generator_learning_rate=5e-5,
        discriminator_learning_rate=5e-5, generator_average_decay=0.999,
    ),
    # WGAN-GP (Gulrajani et al. 2017): Adam(1e-4, beta_1=0, beta_2=0.9), 5 critic steps,
    # gradient penalty weight 10, no batch norm or dropout in the critic.
    "wgan-gp-mnist": dict(
        model="wgan", **DIGITS, generator_widths=(128, 64, 32), discriminator_widths=(32, 64), dropout=0.0, n_critic=5,
        gradient_penalty_weight=10.0, batch_size=64, epochs=100, optimizer="adam", beta_1=0.0, beta_2=0.9,
        generator_learning_rate=1e-4, discriminator_learning_rate=1e-4, generator_average_decay=0.999,
    ),
    # Conditional GAN (Mirza and Osindero 2014): both players see the one-hot label.
    "cgan-mnist": dict(
        model="cgan", **DIGITS, generator_widths=(128, 64, 32), discriminator_widths=(32, 64), dropout=0.3,
        label_smoothing=0.1, conditioning="one_hot", num_classes=10, **DEFAULT_TRAINING,
    ),
    # ACGAN (Odena et al. 2017): conditional generator, discriminator with a class head.
    # The label multiplies the noise through a learned embedding: in 2.5-minute runs (batch
    # 64 and Adam 2e-4) that drew the requested digit 95% of the time (judge), the one-hot
    # label 83-91%.
    "acgan-mnist": dict(
        model="acgan", **DIGITS, generator_widths=(128, 64, 32), discriminator_widths=(32, 64), dropout=0.3,
        label_smoothing=0.1, conditioning="embedding", num_classes=10, **DEFAULT_TRAINING,
    ),
    # book/03_faces. The offline faces: 100 real 25x25 faces upsampled to 32x32 gray,
    # mirrored at random (faces are nearly symmetric: twice the data for free), 20 passes
    # an epoch. One more stride-2 layer than the digits' networks.
    "dcgan-lfw": dict(
        model="gan", dataset="lfw", image_shape=(32, 32, 1), kernel_size=4, generator_widths=(128, 64, 32),
        discriminator_widths=(32, 64, 128), dropout=0.3, label_smoothing=0.1, flip=True, passes_per_epoch=20, monitor_images=64,
        **(PAPER_TRAINING | dict(batch_size=16, epochs=150)),
    ),
    # CelebA at 64x64 in colour (Kaggle or Colab; --data-dir, or found under /kaggle/input):
    # the DCGAN paper's depth (four stride-2 layers from 4x4) at a quarter of its widths.
    "dcgan-celeba": dict(
        model="gan", **FACES_64, generator_widths=(256, 128, 64, 32), discriminator_widths=(32, 64, 128, 256), dropout=0.3,
        label_smoothing=0.1, **(PAPER_TRAINING | dict(epochs=10)),
    ),
    # book/05_vae_and_vaegan. A VAE on the digits: the discriminator's convolutions as
    # the encoder, the default generator as the decoder, a 16-dimensional code, Bernoulli
    # pixels. Adam at 1e-3: in 3-minute runs it reached judge-FID 194 where the GANs' 2e-4
    # reached 220.
    "vae-mnist": dict(
        model="vae", **DIGITS, latent_dim=16, generator_widths=(128, 64, 32), encoder_widths=(32, 64), reconstruction="bernoulli",
        kl_weight=1.0, batch_size=64, epochs=100, optimizer="adam", beta_1=0.5, beta_2=0.999, generator_learning_rate=1e-3,
    ),
    # The VAE-GAN (Larsen et al. 2016) on the same networks plus the default
    # discriminator, without dropout: its last block's features are the learned
    # similarity, and dropout in the earlier blocks would make them noisy.
    "vaegan-mnist": dict(
        model="vaegan", **DIGITS, latent_dim=16, generator_widths=(128, 64, 32), encoder_widths=(32, 64),
        discriminator_widths=(32, 64), dropout=0.0, label_smoothing=0.1, kl_weight=1.0, feature_weight=1.0,
        encoder_learning_rate=2e-4, **(PAPER_TRAINING | dict(epochs=100)),
    ),
    # Face versions: dcgan-celeba's networks (the encoder mirrors the discriminator) with a
    # 128-dimensional code; offline they train on the LFW faces like dcgan-celeba.
    "vae-celeba": dict(
        model="vae", **FACES_64, latent_dim=128, generator_widths=(256, 128, 64, 32), encoder_widths=(32, 64, 128, 256),
        reconstruction="bernoulli", kl_weight=1.0, batch_size=64, epochs=10, optimizer="adam", beta_1=0.5, beta_2=0.999,
        generator_learning_rate=2e-4,
    ),
    "vaegan-celeba": dict(
        model="vaegan", **FACES_64, latent_dim=128, generator_widths=(256, 128, 64, 32), encoder_widths=(32, 64, 128, 256),
        discriminator_widths=(32, 64, 128, 256), dropout=0.0, label_smoothing=0.1, kl_weight=1.0, feature_weight=1.0,
        encoder_learning_rate=2e-4, **(PAPER_TRAINING | dict(epochs=10)),
    ),
}
# the fields every preset spells out (with a discriminator, also TRAINING_FIELDS_ADVERSARIAL;
# with Adam, its betas)
TRAINING_FIELDS = ("model", "dataset", "image_shape", "generator_widths", "batch_size", "epochs", "optimizer", "generator_learning_rate")
TRAINING_FIELDS_ADVERSARIAL = ("discriminator_widths", "dropout", "discriminator_learning_rate", "generator_average_decay")

PRESETS: dict[str, Recipe] = {name: Recipe(name=name, **fields).validate() for name, fields in PRESET_FIELDS.items()}


def get_preset(name: str) -> Recipe:
    """Return a copy of the named preset; an unknown name lists the choices."""
    if name not in PRESETS:
        raise UsageError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    return Recipe(**PRESETS[name].flat())
