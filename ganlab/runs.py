"""Whole training runs: a preset in, a run folder out; and sampling from a finished run.

Introduced in book/02_dcgan_mnist. A run folder holds everything needed to look at,
reproduce and resume the run::

    config.json          the recipe (a ``Recipe``); the same command resumes from it
    run_info.json        data source, library versions, epochs done, how the last session ended
    grids/epoch_NNNN.png the generator's images for the same fixed noise after each epoch
    progress.gif         those grids as an animation
    losses.csv/.png      per-epoch losses and discriminator accuracies
    generator.keras      the generator (Keras format, loadable with safe_mode=True); for a
                         VAE or VAE-GAN the decoder
    encoder.keras        the encoder of a VAE or VAE-GAN
    checkpoint/          BackupAndRestore state: both networks, both optimizers, the noise RNG
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ganlab import config as config_module
from ganlab import files
from ganlab.config import Recipe

CONFIG_FILE = "config.json"
RUN_INFO_FILE = "run_info.json"
GENERATOR_FILE = "generator.keras"
ENCODER_FILE = "encoder.keras"
HISTORY_FILE = "losses.csv"
CHECKPOINT_DIR = "checkpoint"
# Fields a resumed run may change: they extend the run or say where its data lives
# (a Kaggle path differs from a Colab one), not how it trains.
RESUMABLE_CHANGES = ("epochs", "data_dir")
# how often a diverged run is restarted with halved learning rates before giving up
MAX_RESTORES = 3


class RunDiverged(RuntimeError):
    """A run stopped because a loss became NaN or infinite; the message says where and
    what was kept."""


@dataclasses.dataclass
class RunResult:
    """What one call of ``train`` did."""

    out_dir: Path
    config: Recipe
    first_epoch: int
    epochs_done: int
    stopped_by_time_limit: bool
    seconds: float
    history: dict


def prepare_config(preset: str, out_dir: str | Path, **overrides) -> Recipe:
    """The config for a run: the preset with overrides, or the saved one when resuming.

    Resuming (``out_dir`` already holds a ``config.json``) keeps the saved recipe. Only
    ``epochs`` (to train longer) and ``data_dir`` may change; changing anything else would
    make the run impossible to reproduce from its config, so it is an error.
    """
    config = config_module.get_preset(preset).replace(**overrides)
    saved_path = Path(out_dir) / CONFIG_FILE
    if not saved_path.exists():
        return config
    saved = Recipe.load(saved_path)
    if saved.name != config.name:
        raise ValueError(f"{out_dir} holds a {saved.name!r} run, not {preset!r}; choose another --out")
    resumed = saved.replace(**overrides)
    check_same_recipe(saved, resumed, out_dir)
    return resumed


def check_same_recipe(saved: Recipe, config: Recipe, out_dir: str | Path) -> None:
    """Raise ``ValueError`` if ``config`` changes ``saved`` in anything but ``epochs``."""
    for field in dataclasses.fields(Recipe):
        if field.name in RESUMABLE_CHANGES:
            continue
        before, after = getattr(saved, field.name), getattr(config, field.name)
        if before != after:
            raise ValueError(
                f"{out_dir} was started with {field.name}={before!r}; a resumed run cannot "
                f"change it to {after!r} (use a new --out)"
            )


def completed_epochs(out_dir: str | Path) -> int:
    """Epochs the checkpoint in ``out_dir`` has finished (0 for a new run)."""
    metadata = Path(out_dir) / CHECKPOINT_DIR / "training_metadata.json"
    if not metadata.exists():
        return 0
    try:
        return int(json.loads(metadata.read_text())["epoch"])
    except (ValueError, KeyError) as error:
        raise ValueError(f"unreadable checkpoint metadata {metadata}: {error}") from error


def monitor_labels(count: int, num_classes: int, columns: int = 10) -> np.ndarray:
    """Labels for a conditional run's monitor grid: one class per row of ``columns``."""
    return ((np.arange(count) // columns) % num_classes).astype("int32")


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


def steps_per_call(steps_per_epoch: int, most: int) -> int:
    """The largest divisor of ``steps_per_epoch`` that is at most ``most``.

    Keras runs whole groups of ``steps_per_execution`` steps, so a group size that does
    not divide the epoch would make every epoch overrun its steps.
    """
    return max(size for size in range(1, max(1, min(most, steps_per_epoch)) + 1) if steps_per_epoch % size == 0)


# A recipe's model -> its trainer ("module.Class" in ganlab) and the networks its
# constructor takes, in order. The one place that knows which trainer a recipe gets.
TRAINERS = {
    "gan": ("gans.GAN", ("generator", "discriminator")),
    "wgan": ("gans.WGAN", ("generator", "discriminator")),
    "cgan": ("gans.ConditionalGAN", ("generator", "discriminator")),
    "acgan": ("gans.ACGAN", ("generator", "discriminator")),
    "vae": ("vae.VAE", ("encoder", "generator")),
    "vaegan": ("vae.VAEGAN", ("encoder", "generator", "discriminator")),
}


def trainer_class(model: str):
    """The trainer class (a ``keras.Model`` subclass) of a recipe's ``model``."""
    import importlib

    if model not in TRAINERS:
        raise ValueError(f"unknown model {model!r}; choose from {sorted(TRAINERS)}")
    module, name = TRAINERS[model][0].split(".")
    return getattr(importlib.import_module(f"ganlab.{module}"), name)


def build_gan(config: Recipe, steps_per_epoch: int | None = None, jit_compile="auto"):
    """The compiled trainer a config describes (``TRAINERS``: ``gans.GAN``, ``WGAN``,
    ``ConditionalGAN``, ``ACGAN``, or the autoencoders ``vae.VAE`` and ``vae.VAEGAN``).

    Given ``steps_per_epoch``, several steps run per call into the compiled graph (see
    ``Recipe.steps_per_execution``); without it, one. ``jit_compile`` is Keras'
    (XLA): ``"auto"`` turns it on with a GPU and off on a CPU, where
    ``benchmarks/throughput.py --jit-compile`` measures it slower. The networks compute
    in ``config.precision``; under ``"mixed_float16"`` every optimizer scales the loss
    (``keras.optimizers.LossScaleOptimizer``) so that small gradients survive float16.
    """
    builders = {"generator": build_generator, "discriminator": build_discriminator, "encoder": build_encoder}
    networks = [builders[role](config) for role in TRAINERS[config.model][1]]
    trainer = trainer_class(config.model)(*networks, seed=config.seed, **_trainer_options(config))
    steps = steps_per_call(steps_per_epoch, config.steps_per_execution) if steps_per_epoch else 1
    trainer.compile(**_compile_options(config), steps_per_execution=steps, jit_compile=jit_compile)
    return trainer


def _trainer_options(config: Recipe) -> dict:
    """The constructor's arguments beyond the networks and the seed."""
    options = {} if config.model == "vae" else dict(generator_average_decay=config.generator_average_decay or None)
    if config.model == "wgan":
        options.update(n_critic=config.n_critic, clip_value=config.clip_value or None,
                       gradient_penalty_weight=config.gradient_penalty_weight or None)
    if config.conditional:
        options.update(num_classes=config.num_classes)
    return options


def _optimizer(config: Recipe, learning_rate: float):
    import keras

    if config.optimizer == "rmsprop":
        chosen = keras.optimizers.RMSprop(learning_rate)
    else:
        chosen = keras.optimizers.Adam(learning_rate, beta_1=config.beta_1, beta_2=config.beta_2)
    return keras.optimizers.LossScaleOptimizer(chosen) if config.precision == "mixed_float16" else chosen


def _compile_options(config: Recipe) -> dict:
    """``compile``'s arguments for a config's trainer: optimizers, losses, weights."""
    from ganlab import losses

    if config.model == "vae":
        return dict(optimizer=_optimizer(config, config.generator_learning_rate), kl_weight=config.kl_weight,
                    reconstruction_loss=losses.get_reconstruction_loss(config.reconstruction))
    options = dict(d_optimizer=_optimizer(config, config.discriminator_learning_rate),
                   g_optimizer=_optimizer(config, config.generator_learning_rate))
    if config.model in ("gan", "cgan"):
        options.update(
            generator_loss=losses.get_generator_loss(config.generator_loss),
            discriminator_loss=losses.get_discriminator_loss(config.discriminator_loss),
            label_smoothing=config.label_smoothing,
            # least-squares targets are 0 and 1, so "real" means an output above 0.5
            decision_threshold=0.5 if config.discriminator_loss == "least_squares" else 0.0,
        )
    elif config.model == "acgan":
        options.update(label_smoothing=config.label_smoothing, fake_class_weight=config.fake_class_weight)
    elif config.model == "vaegan":
        options.update(e_optimizer=_optimizer(config, config.encoder_learning_rate), kl_weight=config.kl_weight,
                       feature_weight=config.feature_weight, label_smoothing=config.label_smoothing)
    return options


def build_generator(config: Recipe):
    """The (untrained) generator a config describes, in its precision; a VAE's decoder."""
    from ganlab import models

    shape = dict(image_shape=config.image_shape, kernel_size=config.kernel_size)
    with models.precision(config.precision):
        if config.conditional:
            return models.conditional_generator(
                config.latent_dim, config.num_classes, widths=config.generator_widths, conditioning=config.conditioning, **shape
            )
        return models.dcgan_generator(latent_dim=config.latent_dim, widths=config.generator_widths, upsampling=config.upsampling, **shape)


def build_discriminator(config: Recipe):
    """The (untrained) discriminator or critic a config describes, in its precision: with
    the label as extra image channels for a CGAN, a class head for an ACGAN, a features
    output for a VAE-GAN."""
    from ganlab import models

    shape = dict(
        image_shape=config.image_shape, kernel_size=config.kernel_size, widths=config.discriminator_widths, dropout=config.dropout
    )
    with models.precision(config.precision):
        if config.model == "cgan":
            return models.conditional_discriminator(num_classes=config.num_classes, **shape)
        if config.model == "vaegan":
            return models.dcgan_discriminator(features=True, **shape)
        return models.dcgan_discriminator(num_classes=config.num_classes if config.model == "acgan" else None, **shape)


def build_encoder(config: Recipe):
    """The (untrained) encoder of a VAE or VAE-GAN config, in its precision."""
    from ganlab import models

    if not config.autoencoder:
        raise ValueError(f"a {config.model!r} model has no encoder")
    with models.precision(config.precision):
        return models.conv_encoder(config.image_shape, config.latent_dim, config.encoder_widths, config.kernel_size)


def _library_versions() -> dict:
    import keras
    import tensorflow as tf

    import ganlab

    return {"ganlab": ganlab.__version__, "keras": keras.__version__, "tensorflow": tf.__version__}


@dataclasses.dataclass
class TrainingOptions:
    """How ``train`` runs, beyond the recipe (see ``train`` for each option)."""

    minutes: float | None = None
    data_source: str = "auto"
    verbose: object = "auto"
    extra_callbacks: list | None = None
    quality_every: int | None = None
    quality_sample_size: int = 1000
    progress_every: int | None = None
    on_divergence: str = "stop"
    strategy: object = None
    images: object = None

    def check(self, config: Recipe) -> None:
        """Raise ``ValueError`` for options that cannot work with ``config``."""
        if self.quality_every and not config.judged:
            raise ValueError(f"quality_every needs the MNIST judge; this run is on {config.dataset!r}")
        if self.minutes is not None and self.minutes <= 0:
            raise ValueError(f"minutes must be positive, got {self.minutes}")
        if self.on_divergence not in ("stop", "restore"):
            raise ValueError(f"on_divergence must be 'stop' or 'restore', got {self.on_divergence!r}")


def train(config: Recipe, out_dir: str | Path, minutes: float | None = None, data_source: str = "auto", verbose="auto", **options) -> RunResult:
    """Train (or resume) the run in ``out_dir`` for ``config.epochs`` epochs or ``minutes``.

    Everything listed in this module's docstring is written into ``out_dir``. Running it
    again with the same folder resumes from the last completed epoch. Further options
    (``TrainingOptions``): ``extra_callbacks`` run after ganlab's own and before the
    checkpoint is written. ``quality_every`` (MNIST only) scores
    ``quality_sample_size`` generated digits with the judge every that many epochs and
    records the scores in the history. ``progress_every`` replaces Keras' progress bar by
    one line every that many epochs (0: about ten lines).

    A NaN or infinite loss stops the run at once, before the broken epoch is recorded or
    checkpointed, and raises ``RunDiverged`` naming the epoch and the last good
    checkpoint. ``on_divergence="restore"`` instead restarts from that checkpoint with
    half the learning rates (at most ``MAX_RESTORES`` times, within what is left of
    ``minutes``); the lowered rate is kept in ``run_info.json`` and applies when the run
    is resumed later.

    ``strategy`` (a ``tf.distribute`` strategy: ``MirroredStrategy`` for the GPUs of one
    machine, ``TPUStrategy``, ``MultiWorkerMirroredStrategy``) builds the trainer in its
    scope; ``fit`` then splits every batch between the replicas. The batch size stays
    the global one, so the recipe, and the run's numbers, do not depend on the device count.

    ``images``: the training images, already loaded by ``data.load_training_data`` (or
    ``data.load_images``) for this recipe, so that a notebook which has looked at them
    does not decode a folder of 200,000 JPEGs a second time. Without it the run loads
    them once, also across restarts.
    """
    options = TrainingOptions(minutes=minutes, data_source=data_source, verbose=verbose, **options)
    config.validate()
    options.check(config)
    from ganlab import data

    data.check_image_source(config)
    if config.precision == "mixed_float16" and not _has_gpu():
        warnings.warn(
            "mixed_float16 without a GPU: a CPU computes float16 in software, about 100x slower than "
            "float32 (benchmarks/throughput.py --precisions); use float32, or mixed_bfloat16 on a recent CPU",
            RuntimeWarning,
            stacklevel=2,
        )
    out_dir = _prepare_folder(config, Path(out_dir))
    while True:
        session = _Session(config, out_dir, options)
        try:
            return session.fit()
        except _Restart as restart:
            # the restart spends what is left of the time budget, not a new one
            options = dataclasses.replace(options, minutes=restart.minutes_left)


class _Restart(Exception):
    """A diverged session that ``train`` restarts from its last good checkpoint."""

    def __init__(self, minutes_left: float | None):
        super().__init__()
        self.minutes_left = minutes_left


def _prepare_folder(config: Recipe, out_dir: Path) -> Path:
    """Create the run folder, refuse one that holds another recipe, and save the recipe."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create the run folder {out_dir}: {error.strerror}") from None
    if not os.access(out_dir, os.W_OK):
        raise ValueError(f"cannot write to {out_dir}")
    if (out_dir / CONFIG_FILE).exists():
        check_same_recipe(Recipe.load(out_dir / CONFIG_FILE), config, out_dir)
    _write_json(out_dir / CONFIG_FILE, config.to_dict())
    return out_dir


class _Session:
    """One call of ``fit`` on a run folder: its data, trainer, callbacks and record."""

    def __init__(self, config: Recipe, out_dir: Path, options: TrainingOptions):
        import keras

        from ganlab import data

        self.config, self.out_dir, self.options = config, out_dir, options
        keras.utils.set_random_seed(config.seed)
        self.first_epoch = completed_epochs(out_dir)
        # loaded once per train() call: a restarted session finds them in its options
        if options.images is None:
            options.images = data.load_training_data(config, source=options.data_source, verbose=options.verbose != 0)
        self.images = options.images
        if tuple(self.images.image_shape) != tuple(config.image_shape):
            raise ValueError(f"{config.dataset} images have shape {tuple(self.images.image_shape)}, config says {config.image_shape}")
        if self.first_epoch:
            _check_same_data(out_dir, self.images.source, len(self.images))
        # a WGAN step eats n_critic batches: the pipeline hands them over together
        self.batches_per_pass = batches_per_pass(len(self.images), config)
        self.steps_per_epoch = self.batches_per_pass * config.passes_per_epoch
        self.gan = self._build_trainer()
        self.earlier = _read_json(out_dir / RUN_INFO_FILE) if self.first_epoch else {}
        self.learning_rate_scale = float(self.earlier.get("learning_rate_scale", 1.0))
        self.callbacks = self._callbacks()
        self.info = self._start_info()

    def _build_trainer(self):
        if self.options.strategy is None:
            return build_gan(self.config, self.steps_per_epoch)
        # one step per call: Keras' multi-step loop fails inside a MirroredStrategy
        # ("You must feed a value for placeholder tensor"), and an accelerator per
        # replica has little per-call overhead to save anyway
        with self.options.strategy.scope():
            return build_gan(self.config)

    def _callbacks(self) -> list:
        """ganlab's callbacks in the order they must run (see the comments)."""
        from ganlab import callbacks, gans

        config, options, out_dir = self.config, self.options, self.out_dir
        fixed_noise = gans.latent_vectors(config.monitor_images, config.latent_dim, seed=config.seed + 1)
        fixed_labels = monitor_labels(config.monitor_images, config.num_classes) if config.conditional else None
        # the GIF is written by _finish, also when a run is interrupted
        self.monitor = callbacks.GANMonitor(fixed_noise, out_dir / "grids", columns=10 if config.conditional else None, labels=fixed_labels)
        self.time_limit = callbacks.TimeLimit(options.minutes) if options.minutes else None
        return [
            callbacks.DivergenceGuard(),
            *([self.time_limit] if self.time_limit else []),
            # before the history, so that the scores land in it
            *([callbacks.QualityMonitor(options.quality_every, options.quality_sample_size, seed=config.seed)] if options.quality_every else []),
            # no judge for faces: track checkerboards and collapse instead
            *([callbacks.ImageStatistics(seed=config.seed)] if not config.judged else []),
            callbacks.LossHistory(out_dir / HISTORY_FILE),
            # progress_every: a line every few epochs; else Keras' bar, unless verbose=0
            *([callbacks.EpochProgress(options.progress_every or None)] if options.progress_every is not None else []),
            *([callbacks.ProgressBar(options.verbose)] if options.progress_every is None and options.verbose else []),
            self.monitor,
            *(callbacks.SaveGenerator(out_dir / file_name, network=network) for file_name, network in _saved_networks(config)),
            *(options.extra_callbacks or []),
            # Last but one, so the checkpoint is written only after this epoch's history and
            # grid: a kill in between repeats the epoch instead of losing its record.
            callbacks.Checkpoint(out_dir / CHECKPOINT_DIR, written_by=self.earlier.get("versions"), running=_library_versions()),
            # after the checkpoint is restored, which brings back the optimizers' saved rates
            callbacks.ScaleLearningRates(_learning_rates(self.gan, config), self.learning_rate_scale),
        ]

    def _start_info(self) -> dict:
        info = {
            "data_source": self.images.source,
            "num_images": int(len(self.images)),
            "steps_per_epoch": self.steps_per_epoch,
            "versions": _library_versions(),
            "status": "training",
            "epochs_done": self.first_epoch,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            **({"learning_rate_scale": self.learning_rate_scale} if self.learning_rate_scale != 1.0 else {}),
            **({"divergences": self.earlier["divergences"]} if self.earlier.get("divergences") else {}),
        }
        _write_json(self.out_dir / RUN_INFO_FILE, info)
        return info

    def fit(self) -> RunResult:
        """Train until the epochs or the minutes run out; see ``train``."""
        from ganlab import callbacks

        config, options = self.config, self.options
        if options.verbose:
            print(_plan_line(config, self.first_epoch, self.steps_per_epoch, len(self.images), options.minutes, self.out_dir))
        batches = self.images.dataset(
            config.images_per_step, seed=config.seed, repeat=True, skip_epochs=self.first_epoch * config.passes_per_epoch,
            batches_per_pass=self.batches_per_pass,
        )
        started = time.perf_counter()
        try:
            self.gan.fit(
                batches, epochs=config.epochs, steps_per_epoch=self.steps_per_epoch, callbacks=self.callbacks,
                shuffle=False,  # the pipeline shuffles, seeded per epoch
                verbose=0,  # the progress display is one of the callbacks, safe for asynchronous steps
            )
        except KeyboardInterrupt:
            # Every completed epoch is checkpointed; leave the pictures and the status current.
            _finish(self.out_dir, config, self.monitor, self.info, "interrupted", time.perf_counter() - started)
            raise
        except callbacks.TrainingDiverged as diverged:
            self._diverged(diverged, time.perf_counter() - started)
        stopped = bool(self.time_limit and self.time_limit.stopped)
        seconds = time.perf_counter() - started
        history = _finish(self.out_dir, config, self.monitor, self.info, "stopped by time limit" if stopped else "finished", seconds)
        for file_name, network in _saved_networks(config):
            if not (self.out_dir / file_name).exists():  # zero epochs trained: save the initial one
                callbacks.save_model_atomically(callbacks.network_to_save(self.gan, network), self.out_dir / file_name)
        return RunResult(self.out_dir, config, self.first_epoch, self.info["epochs_done"], stopped, seconds, history)

    def _diverged(self, diverged, seconds: float):
        """Record a divergence, then raise ``_Restart`` (``on_divergence="restore"``, while
        restores are left) or ``RunDiverged``."""
        out_dir, options = self.out_dir, self.options
        self.info.setdefault("divergences", []).append(
            {"epoch": diverged.epoch + 1, "loss": diverged.name, "value": str(diverged.value), "learning_rate_scale": self.learning_rate_scale}
        )
        _finish(out_dir, self.config, self.monitor, self.info, "diverged", seconds)
        good = completed_epochs(out_dir)
        if options.on_divergence == "restore" and len(self.info["divergences"]) <= MAX_RESTORES:
            self.info["learning_rate_scale"] = self.learning_rate_scale * 0.5
            _write_json(out_dir / RUN_INFO_FILE, self.info)
            if options.verbose:
                print(f"ganlab: {diverged}; restarting from epoch {good} with the learning rates x{self.info['learning_rate_scale']:g}")
            raise _Restart(None if options.minutes is None else max(options.minutes - seconds / 60, 1 / 60))
        advice = (f"it diverged again after lowering the learning rate {MAX_RESTORES} times" if options.on_divergence == "restore"
                  else "run the same command with --on-divergence restore (or on_divergence='restore') to restart from it with half the learning rates")
        kept = (f"The last good checkpoint (epoch {good}) is kept in {out_dir / CHECKPOINT_DIR}, with the generator of that epoch"
                if good else "No epoch was completed, so there is no checkpoint to go back to")
        raise RunDiverged(f"training diverged: {diverged}. {kept}; {advice}") from None


def _learning_rates(gan, config: Recipe) -> list[tuple[object, float]]:
    """Each optimizer of a trainer with its recipe learning rate."""
    if config.model == "vae":
        return [(gan.optimizer, config.generator_learning_rate)]
    rates = [(gan.d_optimizer, config.discriminator_learning_rate), (gan.g_optimizer, config.generator_learning_rate)]
    return rates + ([(gan.e_optimizer, config.encoder_learning_rate)] if config.model == "vaegan" else [])


def _has_gpu() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def _saved_networks(config: Recipe) -> list[tuple[str, str]]:
    """(file, trainer attribute) of each network a run keeps current as a ``.keras`` file."""
    return [(GENERATOR_FILE, "generator"), *([(ENCODER_FILE, "encoder")] if config.autoencoder else [])]


def _finish(out_dir: Path, config: Recipe, monitor, info: dict, status: str, seconds: float) -> dict:
    """Write the GIF, the loss plot and the final run_info; return the loss history."""
    import matplotlib.pyplot as plt

    from ganlab import callbacks, viz

    monitor.write_gif(out_dir / "progress.gif")
    history = callbacks.read_history(out_dir / HISTORY_FILE)
    if history:
        figure = viz.plot_losses(history, title=config.name)
        with files.atomic_path(out_dir / "losses.png") as partial:
            figure.savefig(partial, dpi=100)
        plt.close(figure)
    info.update(status=status, epochs_done=completed_epochs(out_dir), seconds_this_session=round(seconds, 1))
    _write_json(out_dir / RUN_INFO_FILE, info)
    return history


def _check_same_data(out_dir: Path, source: str, num_images: int) -> None:
    """A resumed run must see the data it started on, or its epochs mean something else."""
    info_path = out_dir / RUN_INFO_FILE
    if not info_path.exists():
        return
    previous = json.loads(info_path.read_text())
    if (previous.get("data_source"), previous.get("num_images")) != (source, num_images):
        raise ValueError(
            f"{out_dir} was trained on {previous.get('num_images')} images from "
            f"{previous.get('data_source')!r}, but {num_images} images from {source!r} are "
            "available now; choose --data-source to match, or a new --out"
        )


def _plan_line(config, first_epoch, steps_per_epoch, num_images, minutes, out_dir) -> str:
    if first_epoch >= config.epochs:
        return f"ganlab: {config.name}: all {config.epochs} epochs already done in {out_dir}"
    resuming = f"resuming after epoch {first_epoch}, " if first_epoch else ""
    budget = f", at most {minutes:g} min of training" if minutes else ""
    return (
        f"ganlab: {config.name}: {resuming}epochs {first_epoch + 1}..{config.epochs}, "
        f"{steps_per_epoch} steps each on {num_images:,} images{budget}"
    )


def _write_json(path: Path, values: dict) -> None:
    from ganlab.callbacks import write_atomically

    write_atomically(path, json.dumps(values, indent=2) + "\n")


def load_generator(run_dir: str | Path):
    """The generator saved in a run folder (safe loading: no arbitrary code)."""
    return _load_network(run_dir, GENERATOR_FILE)


def load_encoder(run_dir: str | Path):
    """The encoder saved in a VAE or VAE-GAN run folder (safe loading). Introduced in
    book/05_vae_and_vaegan; with ``vae.encode`` and ``vae.decode`` it reconstructs and
    interpolates images."""
    return _load_network(run_dir, ENCODER_FILE)


def _load_network(run_dir: str | Path, file_name: str):
    path = _network_path(run_dir, file_name)
    import keras

    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path} cannot be read as a Keras model ({str(error).splitlines()[0]}); the file is damaged "
            "(a copy cut short?). Training the run for one more epoch writes it again"
        ) from None


def load_autoencoder(run_dir: str | Path):
    """A VAE or VAE-GAN run's encoder and decoder as one (uncompiled) ``vae.VAE``, for its
    ``encode``, ``decode``, ``reconstruct`` and ``generate``. Introduced in
    book/05_vae_and_vaegan."""
    from ganlab import vae

    return vae.VAE(load_encoder(run_dir), load_generator(run_dir))


def _network_path(run_dir: str | Path, file_name: str = GENERATOR_FILE) -> Path:
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"no run folder at {run_dir}")
    path = run_dir / file_name
    if not path.exists():
        if file_name == ENCODER_FILE and (run_dir / GENERATOR_FILE).exists():
            raise ValueError(f"{run_dir} holds a GAN, which has no encoder; train a VAE or VAE-GAN (vae-mnist, vaegan-mnist)")
        raise ValueError(f"{run_dir} has no {file_name} yet; train at least one epoch first")
    return path


def sample(run_dir: str | Path, num_images: int, seed: int = 0, label: int | None = None) -> np.ndarray:
    """``num_images`` images from a run's generator, float32 in [-1, 1], NHWC.

    ``label`` asks a conditional generator (CGAN, ACGAN) for one class; without it the
    classes take turns. For an unconditional generator a label is an error rather than
    silently ignored.
    """
    if num_images <= 0:
        raise ValueError(f"the number of images must be positive, got {num_images}")
    _network_path(run_dir)
    # decided from config.json when it is there, before TensorFlow starts
    if label is not None and (Path(run_dir) / CONFIG_FILE).exists() and not _is_conditional(Path(run_dir)):
        raise ValueError(f"{run_dir} holds an unconditional generator; --label needs a conditional model (cgan, acgan)")
    from ganlab import gans

    # generate_images checks the label against the generator itself
    return gans.generate_images(load_generator(run_dir), num_images, seed=seed, labels=label)


def summary(run_dir: str | Path) -> dict:
    """One row describing a finished run, for comparison tables: its recipe name and
    trainer, minutes of training, epochs, generator steps, and the judge scores of
    ``score`` (computed and written now if ``metrics.json`` is missing or was written at
    another epoch), with the
    conditional accuracy for a conditional run and the ``reconstruction_error`` of a VAE
    or VAE-GAN. Introduced in book/04_better_losses."""
    from ganlab import callbacks

    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_FILE).exists():
        raise ValueError(f"no run folder at {run_dir}")
    recipe = Recipe.load(run_dir / CONFIG_FILE)
    history = callbacks.read_history(run_dir / HISTORY_FILE)
    saved = _read_json(run_dir / "metrics.json")
    # scores of an earlier epoch (the run was resumed since) would describe another generator
    current = saved.get("epochs_done") == completed_epochs(run_dir)
    scores = saved["scores"] if saved and current else score(run_dir)[0]
    generated = scores["generated"]
    return {
        "recipe": recipe.name,
        "model": recipe.model,
        "minutes": sum(history.get("seconds", [])) / 60,
        "epochs": len(history.get("epoch", [])),
        "steps": int(sum(history.get("steps", []))),
        **{key: generated[key] for key in ("judge_fid", "kid", "judge_is", "coverage", "sharpness") if key in generated},
        **({"conditional_accuracy": generated.get("conditional_accuracy", "-")} if recipe.judged else {}),
        **{key: generated[key] for key in ("checkerboard", "diversity", "nearest_real") if key in generated},
        **({"reconstruction_error": _reconstruction_error(run_dir, recipe)} if recipe.autoencoder else {}),
    }


def _reconstruction_error(run_dir: Path, recipe: Recipe) -> float:
    """An autoencoder run's ``vae.reconstruction_error`` on up to ``judge.SAMPLE_SIZE``
    of its own kind of real images (the judge's held-out digits for MNIST)."""
    from ganlab import judge, vae

    if recipe.judged:
        real = judge.reference_digits()[1][: judge.SAMPLE_SIZE]
    else:
        real = _training_images(run_dir, recipe).images(judge.SAMPLE_SIZE)
    autoencoder = load_autoencoder(run_dir)
    return vae.reconstruction_error(autoencoder.encoder, autoencoder.decoder, real)


def _score_images(run_dir: Path, images: np.ndarray, written: Path) -> tuple[dict, Path]:
    """Scores for a run without a judge (faces): ``metrics.pixel_scores`` against up to
    ``judge.SAMPLE_SIZE`` of its training images."""
    from ganlab import judge, metrics

    real = _training_images(run_dir, Recipe.load(run_dir / CONFIG_FILE))
    scores = metrics.pixel_scores(images, real.images(judge.SAMPLE_SIZE))
    record = {"scores": scores, "sample_size": len(images), "extractor": "pixels (no judge for this dataset)", "data_source": real.source,
              "epochs_done": completed_epochs(run_dir)}
    _write_json(written, record)
    return scores, written


def _training_images(run_dir: Path, recipe: Recipe):
    """The image folder a face run trained on (the offline faces if it fell back to them)."""
    from ganlab import data

    info_path = run_dir / RUN_INFO_FILE
    source = json.loads(info_path.read_text()).get("data_source") if info_path.exists() else None
    return data.load_images(recipe, source="embedded" if source == "lfw-subset" else "auto", verbose=False)


def _is_conditional(run_dir: Path) -> bool:
    path = Path(run_dir) / CONFIG_FILE
    return path.exists() and Recipe.load(path).conditional


def save_samples(images: np.ndarray, path: str | Path) -> None:
    """Write ``images`` to an ``.npz`` (array ``images``), atomically."""
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"sample files are .npz, got {path.name}")
    if not path.parent.is_dir():
        raise ValueError(f"folder {path.parent} does not exist")
    with files.atomic_path(path) as partial, partial.open("wb") as handle:
        np.savez_compressed(handle, images=images.astype(np.float32))


def score(target: str | Path, seed: int = 0) -> tuple[dict, Path]:
    """Judge-score a run folder (1,000 seeded samples from its generator), an ``.npz`` of
    samples or a folder of PNG/JPEG samples; write the scores as JSON and return them
    with the file's path.

    A run's scores go to ``RUN_DIR/metrics.json`` (with the epoch they describe, so that
    ``summary`` notices a run trained further since); an ``.npz``'s to
    ``FILE.metrics.json``; a sample folder's to ``FOLDER/metrics.json``. Samples are read
    by ``read_samples``.
    """
    from ganlab import judge

    target = Path(target)
    is_run = target.is_dir() and (target / CONFIG_FILE).exists()
    if not is_run:
        images = read_samples(target)
        written = target / "metrics.json" if target.is_dir() else target.with_name(target.stem + ".metrics.json")
    else:
        recipe = Recipe.load(target / CONFIG_FILE)
        images = sample(target, judge.SAMPLE_SIZE, seed=seed)  # a conditional run: classes in turn
        written = target / "metrics.json"
        if not recipe.judged:
            return _score_images(target, images, written)
    if images.shape[1:] != (28, 28, 1):
        raise ValueError(
            f"only MNIST-shaped images (N, 28, 28, 1) can be judged offline, got {images.shape}; "
            "score face samples through their run folder"
        )
    scores = judge.score_mnist(images)
    if is_run and recipe.conditional:
        from ganlab import gans

        # the judge's accuracy on digits of each requested class
        requested = gans.class_labels(len(images), recipe.num_classes)
        scores["generated"]["conditional_accuracy"] = judge.conditional_accuracy(images, requested)
    record = {"scores": scores, "sample_size": judge.SAMPLE_SIZE, "extractor": "ganlab MNIST judge", "judge": judge.judge_record()}
    if is_run:
        record["epochs_done"] = completed_epochs(target)
    _write_json(written, record)
    return scores, written


def read_samples(path: str | Path) -> np.ndarray:
    """Samples to score, as float32 NHWC in [-1, 1]: an ``.npz`` with an ``images`` array
    (floats in [-1, 1], or uint8 pixels 0..255; ``(N, H, W)`` counts as grayscale), or a
    folder of PNG/JPEG files of one size (how many GAN libraries save samples). Floats
    outside [-1, 1] are an error, not rescaled: a guess would silently change the score."""
    path = Path(path)
    if path.is_dir():
        return _read_image_files(path)
    if path.suffix != ".npz" or not path.is_file():
        raise ValueError(f"no samples at {path}: give a run folder, an .npz with an 'images' array, or a folder of PNG/JPEG files")
    with np.load(path) as saved:
        if "images" not in saved:
            raise ValueError(f"{path} has no 'images' array")
        images = saved["images"]
    return _as_unit_range(images, str(path))


def _as_unit_range(images: np.ndarray, where: str) -> np.ndarray:
    """uint8 0..255 or floats in [-1, 1], NHW or NHWC, as float32 NHWC in [-1, 1]."""
    from ganlab import data

    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(f"{where}: images must be (N, H, W) or (N, H, W, C), got shape {images.shape}")
    if images.dtype == np.uint8:
        return data.scale_to_unit_range(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"{where}: images must be uint8 pixels 0..255 or floats in [-1, 1], got dtype {images.dtype}")
    low, high = float(images.min()), float(images.max())
    if low < -1.0 - 1e-3 or high > 1.0 + 1e-3 or not np.isfinite([low, high]).all():
        raise ValueError(f"{where}: float images must lie in [-1, 1], these span [{low:g}, {high:g}]; save uint8 pixels 0..255, or scale to [-1, 1]")
    return np.clip(images, -1.0, 1.0).astype(np.float32)


def _read_image_files(folder: Path) -> np.ndarray:
    """Every image file in ``folder`` (by name), grayscale when all its channels agree."""
    from PIL import Image

    from ganlab import data

    try:
        names = data.list_image_files(folder)
    except ValueError:
        raise ValueError(f"{folder} is neither a run folder (it has no {CONFIG_FILE}) nor a folder of PNG/JPEG samples") from None
    pictures = []
    for name in names:
        with Image.open(name) as picture:
            pixels = np.asarray(picture.convert("RGB"))
        pictures.append(pixels)
    sizes = {pixels.shape for pixels in pictures}
    if len(sizes) > 1:
        raise ValueError(f"{folder}: the images differ in size ({', '.join(map(str, sorted(sizes)))}); scores need one size")
    images = np.stack(pictures)
    if (images == images[..., :1]).all():
        images = images[..., :1]
    return _as_unit_range(images, str(folder))
