"""Training recipes as dataclasses, and the named presets the CLI and the book use.

Introduced in book/02_dcgan_mnist. This module imports nothing heavy so that the CLI can
reject a bad preset name before TensorFlow starts.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from ganlab import files


@dataclasses.dataclass
class Recipe:
    """Everything needed to reproduce one training run, for every trainer ganlab has.

    ``model`` names the trainer (``runs.TRAINERS`` maps it to its class); the networks
    follow ``ganlab.models``. A run saves its recipe as ``config.json``; recipes written
    before this class was renamed from ``DCGANConfig`` (ganlab 0.1) load unchanged.
    """

    name: str = "dcgan-mnist"
    dataset: str = "mnist"
    image_shape: tuple[int, int, int] = (28, 28, 1)
    latent_dim: int = 100
    generator_widths: tuple[int, ...] = (128, 64, 32)
    discriminator_widths: tuple[int, ...] = (32, 64)
    kernel_size: int = 5
    dropout: float = 0.3
    batch_size: int = 64
    epochs: int = 100
    generator_learning_rate: float = 2e-4
    discriminator_learning_rate: float = 2e-4
    beta_1: float = 0.5
    generator_loss: str = "nonsaturating"
    discriminator_loss: str = "minimax"
    label_smoothing: float = 0.1
    max_images: int | None = None
    # Training steps per call into the compiled graph: fewer trips through Python per
    # step (measured in benchmarks/throughput.py). An epoch is a whole number of calls:
    # the run uses the largest divisor of its steps per epoch not above this, or, when
    # that is under half of it (a prime number of steps), leaves out the last few
    # batches of each pass (runs.batches_per_pass).
    steps_per_execution: int = 4
    monitor_images: int = 100
    seed: int = 0
    # The trainer and its extras (book/04_better_losses). "gan": gans.GAN with the losses
    # named above (LSGAN is "gan" with the least_squares losses); "wgan": gans.WGAN, which
    # needs exactly one of clip_value and gradient_penalty_weight; "cgan" and "acgan": the
    # conditional trainers, on num_classes classes.
    model: str = "gan"
    optimizer: str = "adam"
    beta_2: float = 0.999
    n_critic: int = 1
    clip_value: float = 0.0
    gradient_penalty_weight: float = 0.0
    num_classes: int = 10
    conditioning: str = "one_hot"
    fake_class_weight: float = 1.0
    # Image folders (book/03_faces). dataset "mnist", "celeba" (falls back to the offline
    # faces when no copy is found), "lfw" (the offline faces) or "folder" (data_dir).
    # data_dir says where the files are, not how to train: a resumed run may change it.
    data_dir: str | None = None
    flip: bool = False
    # An epoch may be several passes over a tiny dataset (100 faces are 6 batches), so
    # that per-epoch work (grids, history, checkpoint) stays a small part of the time.
    passes_per_epoch: int = 1
    # "transpose": stride-2 transposed convolutions (DCGAN); "resize": nearest-neighbour
    # upsampling then a convolution (Odena et al. 2016), which cannot draw checkerboards.
    upsampling: str = "transpose"
    # Autoencoders (book/05_vae_and_vaegan). "vae": vae.VAE, trained by its own
    # reconstruction loss ("bernoulli" or "squared_error") plus kl_weight times the KL,
    # with the generator's learning rate; "vaegan": vae.VAEGAN, whose encoder has its own
    # optimizer and whose decoder weighs the feature reconstruction by feature_weight.
    encoder_widths: tuple[int, ...] = (32, 64)
    encoder_learning_rate: float = 2e-4
    reconstruction: str = "bernoulli"
    kl_weight: float = 1.0
    feature_weight: float = 1.0
    # Arithmetic (appendix on dependable runs): "float32", or a Keras mixed policy that
    # computes in 16 bits and keeps float32 weights ("mixed_float16" with loss scaling, for
    # GPUs with tensor cores; "mixed_bfloat16", for TPUs and recent CPUs). Off by default:
    # benchmarks/throughput.py --precisions measures whether it helps on a given machine.
    precision: str = "float32"
    # An exponential moving average of the generator's weights, updated after every
    # generator step, is what the run draws, scores and saves (Karras et al. 2018; also
    # StyleGAN and BigGAN): average <- decay * average + (1 - decay) * weights. 0: off,
    # the generator as trained. Not for the VAE, whose decoder is not a GAN's generator.
    generator_average_decay: float = 0.0

    def validate(self) -> Recipe:
        """Raise ``ValueError`` naming the first field that makes no sense; return self."""
        positive = ["latent_dim", "kernel_size", "batch_size", "monitor_images", "steps_per_execution", "passes_per_epoch"]
        for field in positive:
            if getattr(self, field) <= 0:
                raise ValueError(f"{field} must be positive, got {getattr(self, field)}")
        if self.epochs < 0:
            raise ValueError(f"epochs must be zero or more, got {self.epochs}")
        if self.max_images is not None and self.max_images < self.batch_size:
            raise ValueError(
                f"max_images ({self.max_images}) must be at least the batch size "
                f"({self.batch_size}) so that one full batch exists"
            )
        if not 0.0 <= self.label_smoothing < 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1), got {self.label_smoothing}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        for field in ("generator_learning_rate", "discriminator_learning_rate", "encoder_learning_rate"):
            if getattr(self, field) <= 0:
                raise ValueError(f"{field} must be positive, got {getattr(self, field)}")
        if len(self.image_shape) != 3:
            raise ValueError(f"image_shape must be (height, width, channels), got {self.image_shape}")
        choices = {
            "model": MODELS, "optimizer": OPTIMIZERS, "conditioning": ("one_hot", "embedding"),
            "dataset": DATASETS, "upsampling": UPSAMPLINGS, "reconstruction": RECONSTRUCTIONS,
            "precision": PRECISIONS,
        }
        for field, allowed in choices.items():
            if getattr(self, field) not in allowed:
                raise ValueError(f"{field} must be one of {list(allowed)}, got {getattr(self, field)!r}")
        if not 0.0 <= self.generator_average_decay < 1.0:
            raise ValueError(f"generator_average_decay must be in [0, 1), got {self.generator_average_decay}")
        if self.model == "vae" and self.generator_average_decay:
            raise ValueError("generator_average_decay is for the GAN trainers; a VAE's decoder has no average")
        if self.kl_weight < 0 or self.feature_weight < 0:
            raise ValueError("kl_weight and feature_weight must be zero or more")
        if self.autoencoder and not self.encoder_widths:
            raise ValueError("encoder_widths needs at least one entry")
        if self.n_critic < 1:
            raise ValueError(f"n_critic must be at least 1, got {self.n_critic}")
        if self.clip_value < 0 or self.gradient_penalty_weight < 0:
            raise ValueError("clip_value and gradient_penalty_weight must be zero or more")
        if self.model == "wgan":
            if bool(self.clip_value) == bool(self.gradient_penalty_weight):
                raise ValueError("a wgan needs exactly one of clip_value and gradient_penalty_weight")
        elif self.n_critic != 1 or self.clip_value or self.gradient_penalty_weight:
            raise ValueError(f"n_critic, clip_value and gradient_penalty_weight are for model='wgan', not {self.model!r}")
        if self.dataset == "folder" and not self.data_dir:
            raise ValueError("dataset 'folder' needs data_dir (--data-dir), the folder of images")
        if self.conditional and self.dataset != "mnist":
            raise ValueError(f"the conditional trainers need class labels; {self.dataset!r} has none")
        if self.model in ("cgan", "acgan") and self.num_classes < 2:
            raise ValueError(f"num_classes must be at least 2, got {self.num_classes}")
        return self

    @property
    def conditional(self) -> bool:
        """True for the trainers whose generator takes a class label."""
        return self.model in ("cgan", "acgan")

    @property
    def judged(self) -> bool:
        """True when ganlab's MNIST judge can score this recipe's images (``ganlab.judge``);
        other datasets get pixel statistics instead."""
        return self.dataset == "mnist"

    @property
    def autoencoder(self) -> bool:
        """True for the trainers with an encoder (VAE, VAE-GAN)."""
        return self.model in ("vae", "vaegan")

    @property
    def images_per_step(self) -> int:
        """Real images one training step consumes: a WGAN step trains the critic n_critic times."""
        return self.batch_size * self.n_critic

    @property
    def optimizer_description(self) -> str:
        """Both players' optimizer as one would write it, with only the settings it uses:
        ``"Adam(0.0004, beta_1=0.5, beta_2=0.999)"``, ``"RMSprop(5e-05)"`` (Keras' default
        rho), and ``"G 0.0001, D 0.0004"`` in place of one rate when the players differ."""
        rates = [self.generator_learning_rate, self.discriminator_learning_rate]
        rate = f"{rates[0]:g}" if rates[0] == rates[1] else f"G {rates[0]:g}, D {rates[1]:g}"
        if self.optimizer == "rmsprop":
            return f"RMSprop({rate})"
        return f"Adam({rate}, beta_1={self.beta_1:g}, beta_2={self.beta_2:g})"

    def replace(self, **changes) -> Recipe:
        """A validated copy with some fields changed (``None`` values are ignored)."""
        changes = {key: value for key, value in changes.items() if value is not None}
        return dataclasses.replace(self, **changes).validate()

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (tuples become lists)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> Recipe:
        """Inverse of ``to_dict``; unknown keys are an error, not silently dropped."""
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown config fields {unknown}")
        values = dict(values)
        for field in ("image_shape", "generator_widths", "discriminator_widths", "encoder_widths"):
            if field in values:
                values[field] = tuple(values[field])
        return cls(**values).validate()

    def save(self, path: str | Path) -> None:
        """Write the config as indented JSON next to a run's outputs."""
        files.write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Recipe:
        """Read a config written by ``save``."""
        return cls.from_dict(json.loads(Path(path).read_text()))


# The name before ganlab 0.2, kept so that code written against 0.1 keeps working.
DCGANConfig = Recipe

MODELS = ("gan", "wgan", "cgan", "acgan", "vae", "vaegan")
RECONSTRUCTIONS = ("bernoulli", "squared_error")
DATASETS = ("mnist", "celeba", "lfw", "folder")
UPSAMPLINGS = ("transpose", "resize")
OPTIMIZERS = ("adam", "rmsprop")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")

TUTORIAL_GENERATOR_WIDTHS = (256, 128, 64)
TUTORIAL_DISCRIMINATOR_WIDTHS = (64, 128)
# How dcgan-mnist trains (see below), shared by the presets that change only the game or
# the conditioning, so that book/04_better_losses compares games and nothing else.
DEFAULT_TRAINING = dict(batch_size=32, generator_learning_rate=4e-4, discriminator_learning_rate=4e-4, generator_average_decay=0.999)

PRESETS: dict[str, Recipe] = {
    # Our default, chosen by measurement on a 2-core CPU (benchmarks/recipe_search.py and
    # benchmarks/time_to_quality.py, book/appendix_performance.md): the DCGAN paper's Adam
    # (beta_1=0.5) on the tutorial's networks at half width, which take 2.6x more steps in
    # the same time; both learning rates doubled to 4e-4, batches of 32 (more steps per
    # minute on a CPU), and the digits drawn from an average of the generator's weights
    # (decay 0.999), which smooths out the faster steps' noise: judge-FID 0.51 of the
    # batch-64, 2e-4 recipe's after 5 minutes, three seeds each, all ten digits in every run.
    "dcgan-mnist": Recipe(**DEFAULT_TRAINING),
    # The default recipe on the TensorFlow tutorial's full-width networks: with the two
    # presets around it, book/02_dcgan_mnist separates the effect of width from the rest.
    "dcgan-mnist-wide": Recipe(
        name="dcgan-mnist-wide",
        generator_widths=TUTORIAL_GENERATOR_WIDTHS,
        discriminator_widths=TUTORIAL_DISCRIMINATOR_WIDTHS,
        epochs=50,
        **DEFAULT_TRAINING,
    ),
    # The TensorFlow DCGAN tutorial as published: its networks, Adam(1e-4), batch 256, no
    # label smoothing. Kept so the book can show why we changed it.
    "dcgan-mnist-tutorial": Recipe(
        name="dcgan-mnist-tutorial",
        generator_widths=TUTORIAL_GENERATOR_WIDTHS,
        discriminator_widths=TUTORIAL_DISCRIMINATOR_WIDTHS,
        batch_size=256,
        epochs=50,
        generator_learning_rate=1e-4,
        discriminator_learning_rate=1e-4,
        beta_1=0.9,
        label_smoothing=0.0,
    ),
    # book/04_better_losses: the same networks, data and budget; only the game changes.
    # LSGAN, CGAN and ACGAN train as dcgan-mnist does; the two WGANs keep the optimisers
    # their papers prescribe (part of their game), and average their generators too.
    # LSGAN (Mao et al. 2017): squared errors on a linear output, targets 1 and 0.
    "lsgan-mnist": Recipe(
        name="lsgan-mnist", generator_loss="least_squares", discriminator_loss="least_squares", label_smoothing=0.0,
        **DEFAULT_TRAINING,
    ),
    # WGAN as published (Arjovsky et al. 2017): RMSprop 5e-5, 5 critic steps per
    # generator step, critic weights clipped to [-0.01, 0.01]. No dropout in the critic.
    "wgan-clip-mnist": Recipe(
        name="wgan-clip-mnist", model="wgan", optimizer="rmsprop", generator_learning_rate=5e-5,
        discriminator_learning_rate=5e-5, n_critic=5, clip_value=0.01, dropout=0.0, label_smoothing=0.0,
        generator_loss="wasserstein", discriminator_loss="wasserstein", generator_average_decay=0.999,
    ),
    # WGAN-GP (Gulrajani et al. 2017): Adam(1e-4, beta_1=0, beta_2=0.9), 5 critic steps,
    # gradient penalty weight 10, no batch norm or dropout in the critic.
    "wgan-gp-mnist": Recipe(
        name="wgan-gp-mnist", model="wgan", generator_learning_rate=1e-4, discriminator_learning_rate=1e-4,
        beta_1=0.0, beta_2=0.9, n_critic=5, gradient_penalty_weight=10.0, dropout=0.0, label_smoothing=0.0,
        generator_loss="wasserstein", discriminator_loss="wasserstein", generator_average_decay=0.999,
    ),
    # Conditional GAN (Mirza and Osindero 2014): both players see the one-hot label.
    "cgan-mnist": Recipe(name="cgan-mnist", model="cgan", **DEFAULT_TRAINING),
    # ACGAN (Odena et al. 2017): conditional generator, discriminator with a class head.
    # The label multiplies the noise through a learned embedding: in 2.5-minute runs (of
    # ganlab 0.2, batch 64 and Adam 2e-4) that drew the requested digit 95% of the time
    # (judge), the one-hot label 83-91%.
    "acgan-mnist": Recipe(name="acgan-mnist", model="acgan", conditioning="embedding", **DEFAULT_TRAINING),
    # book/03_faces. The offline faces: 100 real 25x25 faces upsampled to 32x32 gray,
    # mirrored at random (faces are nearly symmetric: twice the data for free), 20 passes
    # an epoch. One more stride-2 layer than the digits' networks.
    "dcgan-lfw": Recipe(
        name="dcgan-lfw", dataset="lfw", image_shape=(32, 32, 1), generator_widths=(128, 64, 32),
        discriminator_widths=(32, 64, 128), kernel_size=4, batch_size=16, epochs=150, flip=True,
        passes_per_epoch=20, monitor_images=64,
    ),
    # CelebA at 64x64 in colour (Kaggle or Colab; --data-dir, or found under /kaggle/input):
    # the DCGAN paper's depth (four stride-2 layers from 4x4) at a quarter of its widths.
    "dcgan-celeba": Recipe(
        name="dcgan-celeba", dataset="celeba", image_shape=(64, 64, 3), generator_widths=(256, 128, 64, 32),
        discriminator_widths=(32, 64, 128, 256), kernel_size=4, batch_size=64, epochs=10, flip=True,
        monitor_images=64,
    ),
    # book/05_vae_and_vaegan. A VAE on the digits: the discriminator's convolutions as
    # the encoder, the default generator as the decoder, a 16-dimensional code, Bernoulli
    # pixels. No discriminator, so no dropout or label smoothing. Adam at 1e-3: in 3-minute
    # runs it reached judge-FID 194 where the GANs' 2e-4 reached 220.
    "vae-mnist": Recipe(
        name="vae-mnist", model="vae", latent_dim=16, generator_learning_rate=1e-3, dropout=0.0, label_smoothing=0.0
    ),
    # The VAE-GAN (Larsen et al. 2016) on the same networks plus the default
    # discriminator, without dropout: its last block's features are the learned
    # similarity, and dropout in the earlier blocks would make them noisy.
    "vaegan-mnist": Recipe(name="vaegan-mnist", model="vaegan", latent_dim=16, dropout=0.0),
    # Face versions: dcgan-celeba's networks (the encoder mirrors the discriminator) with a
    # 128-dimensional code; offline they train on the LFW faces like dcgan-celeba.
    "vae-celeba": Recipe(
        name="vae-celeba", model="vae", dataset="celeba", image_shape=(64, 64, 3), latent_dim=128,
        generator_widths=(256, 128, 64, 32), encoder_widths=(32, 64, 128, 256), kernel_size=4, batch_size=64,
        epochs=10, flip=True, monitor_images=64, dropout=0.0, label_smoothing=0.0,
    ),
    "vaegan-celeba": Recipe(
        name="vaegan-celeba", model="vaegan", dataset="celeba", image_shape=(64, 64, 3), latent_dim=128,
        generator_widths=(256, 128, 64, 32), encoder_widths=(32, 64, 128, 256), discriminator_widths=(32, 64, 128, 256),
        kernel_size=4, batch_size=64, epochs=10, flip=True, monitor_images=64, dropout=0.0,
    ),
}


def get_preset(name: str) -> Recipe:
    """Return a copy of the named preset; an unknown name lists the choices."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    return dataclasses.replace(PRESETS[name])
