"""Each trainer's own recipe fields (its *section* of a ``Recipe``) and their checks.

Introduced in book/02_dcgan_mnist (the GAN's) and book/04_better_losses and
book/05_vae_and_vaegan (the others). A section names the trainer class that implements
it as ``"module:Class"``, imported only when a run is built, so that this module (and a
recipe's checks) need nothing heavy. A new trainer adds its section to ``SECTIONS``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, ClassVar

from ganlab.errors import UsageError

if TYPE_CHECKING:
    from ganlab.recipe import Recipe

MODELS = ("gan", "wgan", "cgan", "acgan", "vae", "vaegan")
RECONSTRUCTIONS = ("bernoulli", "squared_error")
DATASETS = ("mnist", "celeba", "lfw", "folder")
UPSAMPLINGS = ("transpose", "resize")
OPTIMIZERS = ("adam", "rmsprop")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
NOISE_DISTRIBUTIONS = ("normal", "uniform")
CONDITIONINGS = ("one_hot", "embedding")
GENERATOR_LOSSES = ("nonsaturating", "minimax", "least_squares")
DISCRIMINATOR_LOSSES = ("minimax", "least_squares")


def check_choice(owner, field: str, allowed) -> None:
    if getattr(owner, field) not in allowed:
        raise UsageError(f"{field} must be one of {list(allowed)}, got {getattr(owner, field)!r}")


def _check_fraction(owner, field: str) -> None:
    value = getattr(owner, field)
    if not 0.0 <= value < 1.0:
        raise UsageError(f"{field} must be in [0, 1), got {value}")


def check_positive(owner, *fields: str) -> None:
    for field in fields:
        if getattr(owner, field) <= 0:
            raise UsageError(f"{field} must be positive, got {getattr(owner, field)}")


@dataclasses.dataclass
class Section:
    """A trainer's own recipe fields. Subclasses set ``model`` (the recipe's ``model``
    value), ``trainer`` (``"module:Class"`` of the ``keras.Model`` that trains it, imported
    only when a run is built) and what kind of trainer it is."""

    model: ClassVar[str] = ""
    trainer: ClassVar[str] = ""
    conditional: ClassVar[bool] = False
    autoencoder: ClassVar[bool] = False
    adversarial: ClassVar[bool] = True

    @property
    def batches_per_step(self) -> int:
        """Real batches one training step consumes (a WGAN's critic takes several)."""
        return 1

    def check(self, recipe: Recipe) -> None:
        """Raise ``UsageError`` for a value that makes no sense; ``recipe`` holds the
        shared fields for checks that need both."""

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in dataclasses.fields(cls))


@dataclasses.dataclass
class AdversarialSection(Section):
    """What every trainer with a discriminator uses: its networks, its learning rate, and
    the exponential moving average of the generator's weights that the run draws, scores
    and saves (Karras et al. 2018): average <- decay * average + (1 - decay) * weights;
    0 turns it off."""

    discriminator_widths: tuple[int, ...] = (32, 64)
    dropout: float = 0.3
    discriminator_learning_rate: float = 4e-4
    generator_average_decay: float = 0.999

    def check(self, recipe: Recipe) -> None:
        check_positive(self, "discriminator_learning_rate")
        _check_fraction(self, "dropout")
        _check_fraction(self, "generator_average_decay")
        if not self.discriminator_widths:
            raise UsageError("discriminator_widths needs at least one entry")


@dataclasses.dataclass
class NoiseSection(AdversarialSection):
    """A GAN whose generator draws from noise: normal, or uniform on [-1, 1] (the DCGAN
    paper's). The run trains, draws and scores with the same distribution."""

    noise_distribution: str = "normal"

    def check(self, recipe: Recipe) -> None:
        super().check(recipe)
        check_choice(self, "noise_distribution", NOISE_DISTRIBUTIONS)


@dataclasses.dataclass
class GameFields:
    """The GAN's game, which the CGAN plays too: the losses by name
    (``losses.get_*_loss``; LSGAN is the ``least_squares`` pair) and one-sided label
    smoothing of the real targets."""

    generator_loss: str = "nonsaturating"
    discriminator_loss: str = "minimax"
    label_smoothing: float = 0.1


@dataclasses.dataclass
class GANSection(NoiseSection, GameFields):
    """``gans.GAN``: a noise-drawing GAN with ``GameFields``."""

    model: ClassVar[str] = "gan"
    trainer: ClassVar[str] = "ganlab.gans:GAN"

    def check(self, recipe: Recipe) -> None:
        super().check(recipe)
        _check_game(self)


def _check_game(section) -> None:
    check_choice(section, "generator_loss", GENERATOR_LOSSES)
    check_choice(section, "discriminator_loss", DISCRIMINATOR_LOSSES)
    _check_fraction(section, "label_smoothing")


@dataclasses.dataclass
class WGANSection(NoiseSection):
    """``gans.WGAN``: ``n_critic`` critic steps per generator step, and exactly one of
    weight clipping (Arjovsky et al. 2017) and a gradient penalty (Gulrajani et al. 2017)."""

    model: ClassVar[str] = "wgan"
    trainer: ClassVar[str] = "ganlab.gans:WGAN"
    dropout: float = 0.0
    n_critic: int = 5
    clip_value: float = 0.0
    gradient_penalty_weight: float = 0.0

    @property
    def batches_per_step(self) -> int:
        return self.n_critic

    def check(self, recipe: Recipe) -> None:
        super().check(recipe)
        if self.n_critic < 1:
            raise UsageError(f"n_critic must be at least 1, got {self.n_critic}")
        if self.clip_value < 0 or self.gradient_penalty_weight < 0:
            raise UsageError("clip_value and gradient_penalty_weight must be zero or more")
        if bool(self.clip_value) == bool(self.gradient_penalty_weight):
            raise UsageError("a wgan needs exactly one of clip_value and gradient_penalty_weight")


@dataclasses.dataclass
class ClassesSection(NoiseSection):
    """What the conditional trainers share: ``num_classes`` and how the generator takes
    the label (``one_hot`` appended to the noise, or a learned ``embedding`` times it)."""

    conditional: ClassVar[bool] = True
    num_classes: int = 10
    conditioning: str = "one_hot"

    def check(self, recipe: Recipe) -> None:
        super().check(recipe)
        check_choice(self, "conditioning", CONDITIONINGS)
        if self.num_classes < 2:
            raise UsageError(f"num_classes must be at least 2, got {self.num_classes}")
        if recipe.dataset != "mnist":
            raise UsageError(f"the conditional trainers need class labels; {recipe.dataset!r} has none")


@dataclasses.dataclass
class CGANSection(ClassesSection, GameFields):
    """``gans.ConditionalGAN`` (Mirza and Osindero 2014): the GAN's game
    (``GameFields``), both players shown the label."""

    model: ClassVar[str] = "cgan"
    trainer: ClassVar[str] = "ganlab.gans:ConditionalGAN"

    def check(self, recipe: Recipe) -> None:
        super().check(recipe)
        _check_game(self)


@dataclasses.dataclass
class ACGANSection(ClassesSection):
    """``gans.ACGAN`` (Odena et al. 2017): its own losses, with ``fake_class_weight`` on
    the class loss of generated images in the discriminator's loss."""

    model: ClassVar[str] = "acgan"
    trainer: ClassVar[str] = "ganlab.gans:ACGAN"
    conditioning: str = "embedding"
    label_smoothing: float = 0.1
    fake_class_weight: float = 1.0

    def check(self, recipe: Recipe) -> None:
        super().check(recipe)
        _check_fraction(self, "label_smoothing")
        if self.fake_class_weight < 0:
            raise UsageError(f"fake_class_weight must be zero or more, got {self.fake_class_weight}")


@dataclasses.dataclass
class VAESection(Section):
    """``vae.VAE``: the encoder's widths, the reconstruction loss (``bernoulli`` or
    ``squared_error``) and the KL term's weight. One optimizer, at the generator's rate."""

    model: ClassVar[str] = "vae"
    trainer: ClassVar[str] = "ganlab.vae:VAE"
    autoencoder: ClassVar[bool] = True
    adversarial: ClassVar[bool] = False
    encoder_widths: tuple[int, ...] = (32, 64)
    reconstruction: str = "bernoulli"
    kl_weight: float = 1.0

    def check(self, recipe: Recipe) -> None:
        check_choice(self, "reconstruction", RECONSTRUCTIONS)
        _check_encoder(self)


@dataclasses.dataclass
class VAEGANSection(AdversarialSection):
    """``vae.VAEGAN`` (Larsen et al. 2016): the encoder has its own optimizer; the decoder
    weighs the discriminator-feature reconstruction by ``feature_weight``."""

    model: ClassVar[str] = "vaegan"
    trainer: ClassVar[str] = "ganlab.vae:VAEGAN"
    autoencoder: ClassVar[bool] = True
    dropout: float = 0.0
    encoder_widths: tuple[int, ...] = (32, 64)
    encoder_learning_rate: float = 2e-4
    kl_weight: float = 1.0
    feature_weight: float = 1.0
    label_smoothing: float = 0.1

    def check(self, recipe: Recipe) -> None:
        super().check(recipe)
        check_positive(self, "encoder_learning_rate")
        _check_fraction(self, "label_smoothing")
        _check_encoder(self)
        if self.feature_weight < 0:
            raise UsageError("kl_weight and feature_weight must be zero or more")


def _check_encoder(section) -> None:
    if section.kl_weight < 0:
        raise UsageError("kl_weight and feature_weight must be zero or more")
    if not section.encoder_widths:
        raise UsageError("encoder_widths needs at least one entry")


# A recipe's model -> its section. A new trainer adds its section here, its class in its
# own module and its presets; nothing in the run machinery changes.
SECTIONS: dict[str, type[Section]] = {
    section.model: section for section in (GANSection, WGANSection, CGANSection, ACGANSection, VAESection, VAEGANSection)
}


def section_for(model: str) -> type[Section]:
    """The section class of a recipe's ``model``; an unknown model lists the choices."""
    if model not in SECTIONS:
        raise UsageError(f"model must be one of {list(SECTIONS)}, got {model!r}")
    return SECTIONS[model]
