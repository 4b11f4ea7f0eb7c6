"""Recipes: everything that defines a training run, checked before TensorFlow starts.

Introduced in book/02_dcgan_mnist. A recipe is the fields every run has (data, image
shape, generator, batches, optimizer, seed, ...) plus one *section* of the trainer it
names in ``model``: a GAN's losses and smoothing, a WGAN's critic steps, clipping and
penalty, a conditional GAN's classes, a VAE's KL weight. A field that the trainer does not
use is not in its section, so setting it is an error rather than silently ignored::

    Recipe(model="wgan", clip_value=0.01)          # a WGAN with clipping
    Recipe(model="wgan", label_smoothing=0.1)      # UsageError: a wgan does not use it

The sections (``ganlab.sections``) are plain dataclasses too, so that a recipe can be
checked without importing TensorFlow; each names the trainer class that implements it.
``config.json`` holds the shared fields and the run's one section (format 2); files
written by ganlab 0.1 to 0.3 (one flat record of every field) load through ``upgrade``.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

from ganlab import files
from ganlab.errors import UsageError
from ganlab.sections import (
    DATASETS,
    OPTIMIZERS,
    PRECISIONS,
    SECTIONS,
    UPSAMPLINGS,
    GANSection,
    Section,
    check_choice,
    check_positive,
    section_for,
)

FORMAT_VERSION = 2
@dataclasses.dataclass(init=False)
class Recipe:
    """Everything needed to reproduce one training run: the shared fields below and the
    ``section`` of the trainer named by ``model`` (see the module's docstring).

    ``Recipe(**fields)`` takes shared and section fields by name; left out, a field takes
    the default preset's value, so ``Recipe()`` is ``config.get_preset("dcgan-mnist")``.
    Section fields read and write as attributes (``recipe.label_smoothing``); one the
    trainer does not have raises ``AttributeError`` naming the trainer.
    """

    name: str = "dcgan-mnist"
    dataset: str = "mnist"
    image_shape: tuple[int, int, int] = (28, 28, 1)
    latent_dim: int = 100
    generator_widths: tuple[int, ...] = (128, 64, 32)
    kernel_size: int = 5
    # "transpose": stride-2 transposed convolutions (DCGAN); "resize": nearest-neighbour
    # upsampling then a convolution (Odena et al. 2016), which cannot draw checkerboards.
    upsampling: str = "transpose"
    batch_size: int = 32
    epochs: int = 100
    optimizer: str = "adam"
    generator_learning_rate: float = 4e-4
    # Adam's; a recipe with optimizer "rmsprop" has none (None), and refuses one that is set
    beta_1: float | None = 0.5
    beta_2: float | None = 0.999
    max_images: int | None = None
    # Training steps per call into the compiled graph: fewer trips through Python per
    # step (benchmarks/throughput.py). An epoch is a whole number of calls (see
    # runs.batches_per_pass).
    steps_per_execution: int = 4
    monitor_images: int = 100
    seed: int = 0
    # where the files are, not how to train: a resumed run may change it
    data_dir: str | None = None
    flip: bool = False
    # several passes an epoch over a tiny dataset (100 faces are 6 batches), so that
    # per-epoch work (grids, history, checkpoint) stays a small part of the time
    passes_per_epoch: int = 1
    # "float32", or a Keras mixed policy: "mixed_float16" (GPUs, with loss scaling) or
    # "mixed_bfloat16" (TPUs, recent CPUs); benchmarks/throughput.py --precisions
    precision: str = "float32"
    model: str = "gan"
    section: Section = dataclasses.field(default_factory=GANSection)

    def __init__(self, **fields):
        model = fields.pop("model", "gan")
        section_class = section_for(model)
        own = set(section_class.field_names())
        shared = set(SHARED_FIELDS)
        misplaced = sorted(set(fields) - shared - own)
        if misplaced:
            raise UsageError(_not_used_message(misplaced, section_class))
        for name in SHARED_FIELDS:
            value = fields[name] if name in fields else SHARED_DEFAULTS[name]
            object.__setattr__(self, name, _as_tuple(name, value))
        self._settle_optimizer(fields)
        object.__setattr__(self, "model", model)
        section = section_class(**{name: _as_tuple(name, value) for name, value in fields.items() if name in own})
        object.__setattr__(self, "section", section)

    def _settle_optimizer(self, given: dict) -> None:
        """RMSprop has no betas: its recipe holds none and refuses one that is set; Adam's
        take the defaults when left out."""
        betas = ("beta_1", "beta_2")
        if self.optimizer == "rmsprop":
            set_here = [name for name in betas if given.get(name) is not None]
            if set_here:
                raise UsageError(f"{' and '.join(set_here)} {'is' if len(set_here) == 1 else 'are'} Adam's; optimizer='rmsprop' has no betas")
            for name in betas:
                object.__setattr__(self, name, None)
        else:
            for name in betas:
                if getattr(self, name) is None:
                    object.__setattr__(self, name, SHARED_DEFAULTS[name])

    def __getattr__(self, name: str):
        # only reached when the normal lookup failed: a section field, or nothing
        section = self.__dict__.get("section")
        if section is None or name.startswith("__"):
            raise AttributeError(name)
        if name in section.field_names():
            return getattr(section, name)
        raise AttributeError(_not_used_message([name], type(section)))

    def __setattr__(self, name: str, value) -> None:
        if name in SHARED_FIELDS:
            object.__setattr__(self, name, value)
        elif name in self.section.field_names():
            setattr(self.section, name, value)
        else:
            raise AttributeError(_not_used_message([name], type(self.section)))

    def __reduce__(self):
        # pickling and deepcopy rebuild through __init__, which routes the fields
        return (_rebuild, (self.flat(),))

    def has(self, field: str) -> bool:
        """True when ``field`` is a shared field or one of this trainer's."""
        return field in SHARED_FIELDS or field == "model" or field in self.section.field_names()

    def flat(self) -> dict:
        """Every field of this recipe by name, the section's beside the shared ones."""
        shared = {name: getattr(self, name) for name in SHARED_FIELDS}
        return {**shared, "model": self.model, **dataclasses.asdict(self.section)}

    def validate(self) -> Recipe:
        """Raise ``UsageError`` naming the first field that makes no sense; return self."""
        check_positive(self, "latent_dim", "kernel_size", "batch_size", "monitor_images", "steps_per_execution",
                        "passes_per_epoch", "generator_learning_rate")
        if self.epochs < 0:
            raise UsageError(f"epochs must be zero or more, got {self.epochs}")
        if self.max_images is not None and self.max_images < self.batch_size:
            raise UsageError(
                f"max_images ({self.max_images}) must be at least the batch size "
                f"({self.batch_size}) so that one full batch exists"
            )
        if len(self.image_shape) != 3:
            raise UsageError(f"image_shape must be (height, width, channels), got {self.image_shape}")
        if not self.generator_widths:
            raise UsageError("generator_widths needs at least one entry")
        for field, allowed in {"optimizer": OPTIMIZERS, "dataset": DATASETS, "upsampling": UPSAMPLINGS, "precision": PRECISIONS}.items():
            check_choice(self, field, allowed)
        if self.dataset == "folder" and not self.data_dir:
            raise UsageError("dataset 'folder' needs data_dir (--data-dir), the folder of images")
        if self.data_dir and self.dataset not in ("celeba", "folder"):
            raise UsageError(f"data_dir says where CelebA or a folder of images is; a {self.dataset!r} recipe reads no folder")
        self.section.check(self)
        return self

    @property
    def conditional(self) -> bool:
        """True for the trainers whose generator takes a class label."""
        return self.section.conditional

    @property
    def autoencoder(self) -> bool:
        """True for the trainers with an encoder (VAE, VAE-GAN)."""
        return self.section.autoencoder

    @property
    def adversarial(self) -> bool:
        """True for the trainers with a discriminator (every one but the VAE)."""
        return self.section.adversarial

    @property
    def judged(self) -> bool:
        """True when ganlab's MNIST judge can score this recipe's images (``ganlab.judge``);
        other datasets get pixel statistics instead."""
        return self.dataset == "mnist"

    @property
    def images_per_step(self) -> int:
        """Real images one training step consumes: a WGAN step trains the critic n_critic times."""
        return self.batch_size * self.section.batches_per_step

    @property
    def optimizer_description(self) -> str:
        """Both players' optimizer as one would write it, with only the settings it uses:
        ``"Adam(0.0004, beta_1=0.5, beta_2=0.999)"``, ``"RMSprop(5e-05)"`` (Keras' default
        rho), and ``"G 0.0001, D 0.0004"`` in place of one rate when the players differ."""
        rates = [self.generator_learning_rate, getattr(self.section, "discriminator_learning_rate", self.generator_learning_rate)]
        rate = f"{rates[0]:g}" if rates[0] == rates[1] else f"G {rates[0]:g}, D {rates[1]:g}"
        if self.optimizer == "rmsprop":
            return f"RMSprop({rate})"
        return f"Adam({rate}, beta_1={self.beta_1:g}, beta_2={self.beta_2:g})"

    def replace(self, **changes) -> Recipe:
        """A validated copy with some fields changed (``None`` values are ignored).

        Changing ``model`` keeps the section fields the new trainer shares with the old
        one (widths, dropout, learning rates) and leaves out the rest; a field given here
        must belong to the (new) trainer."""
        changes = {key: value for key, value in changes.items() if value is not None}
        values = self.flat()
        if changes.get("model", self.model) != self.model:
            kept = set(section_for(changes["model"]).field_names()) | set(SHARED_FIELDS)
            values = {key: value for key, value in values.items() if key in kept}
        if changes.get("optimizer", self.optimizer) != self.optimizer:  # the betas are the new optimizer's
            values = {key: value for key, value in values.items() if key not in ("beta_1", "beta_2")}
        return Recipe(**(values | changes)).validate()

    def to_dict(self) -> dict:
        """The JSON-ready record of ``config.json``: the format, the shared fields, the
        model, and its section under the model's name (tuples become lists)."""
        shared = {name: _as_json(getattr(self, name)) for name in SHARED_FIELDS}
        section = {name: _as_json(value) for name, value in dataclasses.asdict(self.section).items()}
        return {"format": FORMAT_VERSION, **shared, "model": self.model, self.model: section}

    @classmethod
    def from_dict(cls, values: dict) -> Recipe:
        """Inverse of ``to_dict``; a record without ``format`` (ganlab 0.1 to 0.3) is
        upgraded first (``upgrade``, which warns with what it changed). Unknown keys are an
        error, not silently dropped."""
        values = dict(values)
        if "format" not in values:
            values, notes = upgrade(values)
            warnings.warn(RecipeUpgraded("; ".join(notes)), stacklevel=2)
        if values.pop("format") != FORMAT_VERSION:
            raise UsageError(f"this recipe was written in a newer format than ganlab reads ({FORMAT_VERSION}); upgrade ganlab")
        model = values.get("model", "gan")
        section = values.pop(model, {})
        if not isinstance(section, dict):
            raise UsageError(f"the {model!r} section of a recipe must be a mapping of fields")
        unknown = sorted(set(values) - set(SHARED_FIELDS) - {"model"})
        if unknown:
            raise UsageError(f"unknown config fields {unknown}")
        return cls(**values, **section).validate()

    def save(self, path: str | Path) -> None:
        """Write the recipe as indented JSON next to a run's outputs."""
        files.write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path: str | Path) -> Recipe:
        """Read a recipe written by ``save`` (or by an earlier release: see ``upgrade``)."""
        try:
            values = json.loads(Path(path).read_text())
        except json.JSONDecodeError as error:
            raise UsageError(f"{path} is not a readable recipe ({error})") from None
        return cls.from_dict(values)


def _rebuild(values: dict) -> Recipe:
    return Recipe(**values)


SHARED_FIELDS = tuple(field.name for field in dataclasses.fields(Recipe) if field.name not in ("model", "section"))
SHARED_DEFAULTS = {field.name: field.default for field in dataclasses.fields(Recipe) if field.name in SHARED_FIELDS}
TUPLE_FIELDS = ("image_shape", "generator_widths", "discriminator_widths", "encoder_widths")


def _as_tuple(name: str, value):
    return tuple(value) if name in TUPLE_FIELDS and value is not None else value


def _as_json(value):
    return list(value) if isinstance(value, tuple) else value


def _not_used_message(names: list[str], section_class: type[Section]) -> str:
    users = sorted(model for model, section in SECTIONS.items() if set(names) <= set(section.field_names()))
    where = f"; it is a field of {', '.join(users)}" if users else ""
    known = ", ".join(sorted(set(SHARED_FIELDS) | set(section_class.field_names())))
    fields = ", ".join(names)
    return (f"a {section_class.model!r} recipe has no field {fields}: its trainer ({section_class.trainer.replace(':', '.')}) "
            f"does not use it{where}. Its fields: {known}")


class RecipeUpgraded(UserWarning):
    """A recipe written by an earlier ganlab was read; the message says what changed."""


# What ganlab 0.1 to 0.3 did for each field their config.json may lack (each was added
# later with a default that kept the earlier behaviour): an upgraded recipe trains as
# its release trained, whatever today's defaults are.
LEGACY_DEFAULTS = dict(
    steps_per_execution=4, monitor_images=100, model="gan", optimizer="adam", beta_2=0.999, n_critic=1, clip_value=0.0,
    gradient_penalty_weight=0.0, num_classes=10, conditioning="one_hot", fake_class_weight=1.0, data_dir=None, flip=False,
    passes_per_epoch=1, upsampling="transpose", encoder_widths=[32, 64], encoder_learning_rate=2e-4, reconstruction="bernoulli",
    kl_weight=1.0, feature_weight=1.0, precision="float32", generator_average_decay=0.0, noise_distribution="normal",
)


def upgrade(values: dict) -> tuple[dict, list[str]]:
    """A format-1 recipe (ganlab 0.1 to 0.3: every field of every trainer, flat) as a
    format-2 record, and notes saying what was added and what was dropped.

    Fields a release did not have yet take the value that release trained with
    (``LEGACY_DEFAULTS``); fields the recipe's trainer never used are dropped."""
    missing = {key: value for key, value in LEGACY_DEFAULTS.items() if key not in values}
    values = {**missing, **values}
    model = values["model"]
    own = set(section_for(model).field_names())
    dropped = {key: value for key, value in values.items() if key not in own and key not in SHARED_FIELDS and key != "model"}
    if values.get("optimizer") == "rmsprop":  # RMSprop never used them
        dropped.update({key: values.pop(key) for key in ("beta_1", "beta_2") if key in values})
    record = {"format": FORMAT_VERSION, **{key: value for key, value in values.items() if key in SHARED_FIELDS or key == "model"}}
    record[model] = {key: value for key, value in values.items() if key in own}
    notes = [f"recipe upgraded from format 1 (ganlab 0.1 to 0.3) to format {FORMAT_VERSION}"]
    added = sorted(key for key in missing if key in own or key in SHARED_FIELDS)
    if added:
        notes.append("added with the values its release used: " + ", ".join(f"{key}={missing[key]!r}" for key in added))
    if dropped:
        notes.append(f"dropped, unused by the {model!r} trainer: " + ", ".join(f"{key}={value!r}" for key, value in sorted(dropped.items())))
    return record, notes


def field_type(recipe: Recipe, field: str) -> str:
    """The annotation of a field of ``recipe`` as text (``"int"``, ``"tuple[int, ...]"``)."""
    owner = Recipe if field in SHARED_FIELDS else type(recipe.section)
    for candidate in dataclasses.fields(owner):
        if candidate.name == field:
            return str(candidate.type)
    raise UsageError(_not_used_message([field], type(recipe.section)))


def parse_assignment(recipe: Recipe, text: str) -> tuple[str, object]:
    """``"FIELD=VALUE"`` (the command line's ``--set``) as the field and its typed value,
    checked against ``recipe``'s fields: ``batch_size=64``, ``label_smoothing=0``,
    ``generator_widths=64,32,16``, ``flip=true``, ``max_images=none``."""
    field, separator, raw = text.partition("=")
    field, raw = field.strip(), raw.strip()
    if not separator or not field:
        raise UsageError(f"--set takes FIELD=VALUE, got {text!r}")
    if field == "model":
        return field, raw
    kind = field_type(recipe, field)
    if raw.lower() == "none" and "None" in kind:
        return field, None
    try:
        return field, _parse_value(kind, raw)
    except ValueError:
        raise UsageError(f"--set {field}: {raw!r} is not a valid {kind.replace(' | None', '')}") from None


def _parse_value(kind: str, raw: str):
    if kind.startswith("tuple"):
        return tuple(int(part) for part in raw.replace("(", "").replace(")", "").split(",") if part.strip())
    if kind.startswith("bool"):
        if raw.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise UsageError(raw)
        return raw.lower() in ("true", "1", "yes")
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("float"):
        return float(raw)
    return raw
