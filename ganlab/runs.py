"""Whole training runs: a preset in, a run folder out; and sampling from a finished run.

Introduced in book/02_dcgan_mnist. A run folder holds everything needed to look at,
reproduce and resume the run:

    config.json          the recipe (a ``DCGANConfig``); the same command resumes from it
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
from ganlab.config import DCGANConfig

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
    config: DCGANConfig
    first_epoch: int
    epochs_done: int
    stopped_by_time_limit: bool
    seconds: float
    history: dict


def prepare_config(preset: str, out_dir: str | Path, **overrides) -> DCGANConfig:
    """The config for a run: the preset with overrides, or the saved one when resuming.

    Resuming (``out_dir`` already holds a ``config.json``) keeps the saved recipe. Only
    ``epochs`` (to train longer) and ``data_dir`` may change; changing anything else would
    make the run impossible to reproduce from its config, so it is an error.
    """
    config = config_module.get_preset(preset).replace(**overrides)
    saved_path = Path(out_dir) / CONFIG_FILE
    if not saved_path.exists():
        return config
    saved = DCGANConfig.load(saved_path)
    if saved.name != config.name:
        raise ValueError(f"{out_dir} holds a {saved.name!r} run, not {preset!r}; choose another --out")
    resumed = saved.replace(**overrides)
    check_same_recipe(saved, resumed, out_dir)
    return resumed


def check_same_recipe(saved: DCGANConfig, config: DCGANConfig, out_dir: str | Path) -> None:
    """Raise ``ValueError`` if ``config`` changes ``saved`` in anything but ``epochs``."""
    for field in dataclasses.fields(DCGANConfig):
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


def select_indices(count: int, max_images: int | None, seed: int) -> np.ndarray:
    """Indices of all ``count`` images, or of a seeded random subset of ``max_images`` in
    their original order (never the first N, which may all be one class)."""
    from ganlab import data

    return np.arange(count) if max_images is None else data.seeded_subset(count, max_images, seed)


def select_images(images: np.ndarray, max_images: int | None, seed: int) -> np.ndarray:
    """``images[select_indices(...)]`` (``images`` itself when all are used)."""
    if max_images is None or max_images >= len(images):
        return images
    return images[select_indices(len(images), max_images, seed)]


def monitor_labels(count: int, num_classes: int, columns: int = 10) -> np.ndarray:
    """Labels for a conditional run's monitor grid: one class per row of ``columns``."""
    return ((np.arange(count) // columns) % num_classes).astype("int32")


def steps_per_call(steps_per_epoch: int, most: int) -> int:
    """The largest divisor of ``steps_per_epoch`` that is at most ``most``.

    Keras runs whole groups of ``steps_per_execution`` steps, so a group size that does
    not divide the epoch would make every epoch overrun its steps.
    """
    return max(size for size in range(1, max(1, min(most, steps_per_epoch)) + 1) if steps_per_epoch % size == 0)


def build_gan(config: DCGANConfig, steps_per_epoch: int | None = None, jit_compile="auto"):
    """The compiled trainer a config describes (``gans.GAN``, ``WGAN``, ``ConditionalGAN``,
    ``ACGAN``, or the autoencoders ``vae.VAE`` and ``vae.VAEGAN``).

    Given ``steps_per_epoch``, several steps run per call into the compiled graph (see
    ``DCGANConfig.steps_per_execution``); without it, one. ``jit_compile`` is Keras'
    (XLA): ``"auto"`` turns it on with a GPU and off on a CPU, where
    ``benchmarks/throughput.py --jit-compile`` measures it slower. The networks compute
    in ``config.precision``; under ``"mixed_float16"`` every optimizer scales the loss
    (``keras.optimizers.LossScaleOptimizer``) so that small gradients survive float16.
    """
    import keras

    from ganlab import gans, losses

    generator = build_generator(config)

    def optimizer(learning_rate):
        if config.optimizer == "rmsprop":
            chosen = keras.optimizers.RMSprop(learning_rate)
        else:
            chosen = keras.optimizers.Adam(learning_rate, beta_1=config.beta_1, beta_2=config.beta_2)
        return keras.optimizers.LossScaleOptimizer(chosen) if config.precision == "mixed_float16" else chosen

    steps = steps_per_call(steps_per_epoch, config.steps_per_execution) if steps_per_epoch else 1
    if config.autoencoder:
        return _build_autoencoder(config, generator, optimizer, steps, jit_compile)
    discriminator = build_discriminator(config)

    if config.model == "wgan":
        gan = gans.WGAN(
            generator, discriminator, n_critic=config.n_critic, clip_value=config.clip_value or None,
            gradient_penalty_weight=config.gradient_penalty_weight or None, seed=config.seed,
        )
    elif config.model == "cgan":
        gan = gans.ConditionalGAN(generator, discriminator, num_classes=config.num_classes, seed=config.seed)
    elif config.model == "acgan":
        gan = gans.ACGAN(generator, discriminator, num_classes=config.num_classes, seed=config.seed)
    else:
        gan = gans.GAN(generator, discriminator, seed=config.seed)

    options = dict(steps_per_execution=steps, jit_compile=jit_compile)
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
    gan.compile(
        d_optimizer=optimizer(config.discriminator_learning_rate),
        g_optimizer=optimizer(config.generator_learning_rate),
        **options,
    )
    return gan


def build_generator(config: DCGANConfig):
    """The (untrained) generator a config describes, in its precision; a VAE's decoder."""
    from ganlab import models

    shape = dict(image_shape=config.image_shape, kernel_size=config.kernel_size)
    with models.precision(config.precision):
        if config.conditional:
            return models.conditional_generator(
                config.latent_dim, config.num_classes, widths=config.generator_widths, conditioning=config.conditioning, **shape
            )
        return models.dcgan_generator(latent_dim=config.latent_dim, widths=config.generator_widths, upsampling=config.upsampling, **shape)


def build_discriminator(config: DCGANConfig):
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


def build_encoder(config: DCGANConfig):
    """The (untrained) encoder of a VAE or VAE-GAN config, in its precision."""
    from ganlab import models

    if not config.autoencoder:
        raise ValueError(f"a {config.model!r} model has no encoder")
    with models.precision(config.precision):
        return models.conv_encoder(config.image_shape, config.latent_dim, config.encoder_widths, config.kernel_size)


def _build_autoencoder(config: DCGANConfig, decoder, optimizer, steps: int, jit_compile):
    """The compiled ``vae.VAE`` or ``vae.VAEGAN`` of a config (see ``build_gan``)."""
    from ganlab import losses, vae

    encoder = build_encoder(config)
    if config.model == "vae":
        autoencoder = vae.VAE(encoder, decoder, seed=config.seed)
        autoencoder.compile(
            optimizer(config.generator_learning_rate), reconstruction_loss=losses.get_reconstruction_loss(config.reconstruction),
            kl_weight=config.kl_weight, steps_per_execution=steps, jit_compile=jit_compile,
        )
        return autoencoder
    discriminator = build_discriminator(config)
    autoencoder = vae.VAEGAN(encoder, decoder, discriminator, seed=config.seed)
    autoencoder.compile(
        d_optimizer=optimizer(config.discriminator_learning_rate), g_optimizer=optimizer(config.generator_learning_rate),
        e_optimizer=optimizer(config.encoder_learning_rate), kl_weight=config.kl_weight, feature_weight=config.feature_weight,
        label_smoothing=config.label_smoothing, steps_per_execution=steps, jit_compile=jit_compile,
    )
    return autoencoder


def _library_versions() -> dict:
    import keras
    import tensorflow as tf

    import ganlab

    return {"ganlab": ganlab.__version__, "keras": keras.__version__, "tensorflow": tf.__version__}


def train(
    config: DCGANConfig,
    out_dir: str | Path,
    minutes: float | None = None,
    data_source: str = "auto",
    verbose="auto",
    extra_callbacks: list | None = None,
    quality_every: int | None = None,
    quality_sample_size: int = 1000,
    progress_every: int | None = None,
    on_divergence: str = "stop",
    strategy=None,
) -> RunResult:
    """Train (or resume) the run in ``out_dir`` for ``config.epochs`` epochs or ``minutes``.

    Everything listed in this module's docstring is written into ``out_dir``. Running it
    again with the same folder resumes from the last completed epoch. ``extra_callbacks``
    run after ganlab's own and before the checkpoint is written.

    ``quality_every`` (MNIST only) scores ``quality_sample_size`` generated digits with the
    judge every that many epochs and records the scores in the history. ``progress_every``
    replaces Keras' progress bar by one line every that many epochs (0: about ten lines).

    A NaN or infinite loss stops the run at once, before the broken epoch is recorded or
    checkpointed, and raises ``RunDiverged`` naming the epoch and the last good
    checkpoint. ``on_divergence="restore"`` instead restarts from that checkpoint with
    half the learning rates (at most ``MAX_RESTORES`` times); the lowered rate is kept in
    ``run_info.json`` and applies when the run is resumed later.

    ``strategy`` (a ``tf.distribute`` strategy: ``MirroredStrategy`` for the GPUs of one
    machine, ``TPUStrategy``, ``MultiWorkerMirroredStrategy``) builds the trainer in its
    scope; ``fit`` then splits every batch between the replicas. The batch size stays
    the global one, so the recipe, and the run's numbers, do not depend on the device count.
    """
    from ganlab import data

    config.validate()
    data.check_image_source(config)

    import keras

    from ganlab import callbacks, gans

    if quality_every and config.dataset != "mnist":
        raise ValueError(f"quality_every needs the MNIST judge; this run is on {config.dataset!r}")
    if minutes is not None and minutes <= 0:
        raise ValueError(f"minutes must be positive, got {minutes}")
    if on_divergence not in ("stop", "restore"):
        raise ValueError(f"on_divergence must be 'stop' or 'restore', got {on_divergence!r}")
    if config.precision == "mixed_float16" and not _has_gpu():
        warnings.warn(
            "mixed_float16 without a GPU: a CPU computes float16 in software, about 100x slower than "
            "float32 (benchmarks/throughput.py --precisions); use float32, or mixed_bfloat16 on a recent CPU",
            RuntimeWarning,
            stacklevel=2,
        )
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create the run folder {out_dir}: {error.strerror}") from None
    if not os.access(out_dir, os.W_OK):
        raise ValueError(f"cannot write to {out_dir}")
    if (out_dir / CONFIG_FILE).exists():
        check_same_recipe(DCGANConfig.load(out_dir / CONFIG_FILE), config, out_dir)
    _write_json(out_dir / CONFIG_FILE, config.to_dict())

    keras.utils.set_random_seed(config.seed)
    first_epoch = completed_epochs(out_dir)
    if config.dataset == "mnist":
        dataset_arrays = data.load_dataset(config.dataset, source=data_source, verbose=verbose != 0)
        chosen = select_indices(len(dataset_arrays.images), config.max_images, config.seed)
        images, labels = dataset_arrays.images[chosen], dataset_arrays.labels[chosen]
        data_shape, num_images, source = images.shape[1:], len(images), dataset_arrays.source
    else:
        images = data.load_images(config, source=data_source, verbose=verbose != 0)
        data_shape, num_images, source = images.image_shape, len(images), images.source
    if tuple(data_shape) != tuple(config.image_shape):
        raise ValueError(f"{config.dataset} images have shape {tuple(data_shape)}, config says {config.image_shape}")

    if first_epoch:
        _check_same_data(out_dir, source, num_images)
    # a WGAN step eats n_critic batches: the pipeline hands them over together
    steps_per_epoch = data.steps_per_pass(num_images, config.images_per_step) * config.passes_per_epoch
    if strategy is None:
        gan = build_gan(config, steps_per_epoch)
    else:
        # one step per call: Keras' multi-step loop fails inside a MirroredStrategy
        # ("You must feed a value for placeholder tensor"), and an accelerator per
        # replica has little per-call overhead to save anyway
        with strategy.scope():
            gan = build_gan(config)
    pipeline = dict(seed=config.seed, repeat=True, skip_epochs=first_epoch * config.passes_per_epoch)
    if config.dataset == "mnist":
        batches = data.make_dataset(
            images, config.images_per_step, labels=labels if config.conditional else None, **pipeline
        )
    else:
        batches = images.dataset(config.images_per_step, **pipeline)
    fixed_noise = gans.latent_vectors(config.monitor_images, config.latent_dim, seed=config.seed + 1)
    fixed_labels = monitor_labels(config.monitor_images, config.num_classes) if config.conditional else None
    # the GIF is written by _finish, also when a run is interrupted
    monitor = callbacks.GANMonitor(fixed_noise, out_dir / "grids", columns=10 if config.conditional else None, labels=fixed_labels)
    run_callbacks = [
        # before the history, so that the scores land in it
        *([callbacks.QualityMonitor(quality_every, quality_sample_size, seed=config.seed)] if quality_every else []),
        # no judge for faces: track checkerboards and collapse instead
        *([callbacks.ImageStatistics(seed=config.seed)] if config.dataset != "mnist" else []),
        callbacks.LossHistory(out_dir / HISTORY_FILE),
        *([callbacks.EpochProgress(progress_every or None)] if progress_every is not None else []),
        monitor,
        *(callbacks.SaveGenerator(out_dir / file_name, network=network) for file_name, network in _saved_networks(config)),
        *(extra_callbacks or []),
    ]
    time_limit = callbacks.TimeLimit(minutes) if minutes else None
    if time_limit:
        run_callbacks.insert(0, time_limit)
    run_callbacks.insert(0, callbacks.DivergenceGuard())
    # Last, so the checkpoint is written only after this epoch's history and grid: a
    # kill in between repeats the epoch instead of losing its record.
    run_callbacks.append(callbacks.Checkpoint(out_dir / CHECKPOINT_DIR))
    earlier = _read_json(out_dir / RUN_INFO_FILE) if first_epoch else {}
    learning_rate_scale = float(earlier.get("learning_rate_scale", 1.0))
    # after the checkpoint is restored, which brings back the optimizers' saved rates
    run_callbacks.append(callbacks.ScaleLearningRates(_learning_rates(gan, config), learning_rate_scale))
    info = {
        "data_source": source,
        "num_images": int(num_images),
        "steps_per_epoch": steps_per_epoch,
        "versions": _library_versions(),
        "status": "training",
        "epochs_done": first_epoch,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        **({"learning_rate_scale": learning_rate_scale} if learning_rate_scale != 1.0 else {}),
        **({"divergences": earlier["divergences"]} if earlier.get("divergences") else {}),
    }
    _write_json(out_dir / RUN_INFO_FILE, info)
    if verbose:
        print(_plan_line(config, first_epoch, steps_per_epoch, num_images, minutes, out_dir))

    started = time.perf_counter()
    try:
        gan.fit(
            batches,
            epochs=config.epochs,
            steps_per_epoch=steps_per_epoch,
            callbacks=run_callbacks,
            shuffle=False,  # the pipeline shuffles, seeded per epoch
            verbose=0 if progress_every is not None else verbose,
        )
    except KeyboardInterrupt:
        # Every completed epoch is checkpointed; leave the pictures and the status current.
        _finish(out_dir, config, monitor, info, "interrupted", time.perf_counter() - started)
        raise
    except callbacks.TrainingDiverged as diverged:
        info.setdefault("divergences", []).append(
            {"epoch": diverged.epoch + 1, "loss": diverged.name, "value": str(diverged.value), "learning_rate_scale": learning_rate_scale}
        )
        seconds = time.perf_counter() - started
        _finish(out_dir, config, monitor, info, "diverged", seconds)
        good = completed_epochs(out_dir)
        restores = len(info["divergences"])
        if on_divergence == "restore" and restores <= MAX_RESTORES:
            info["learning_rate_scale"] = learning_rate_scale * 0.5
            _write_json(out_dir / RUN_INFO_FILE, info)
            if verbose:
                print(f"ganlab: {diverged}; restarting from epoch {good} with the learning rates x{info['learning_rate_scale']:g}")
            # the restart spends what is left of the time budget, not a new one
            left = None if minutes is None else max(minutes - seconds / 60, 1 / 60)
            return train(config, out_dir, left, data_source, verbose, extra_callbacks, quality_every,
                         quality_sample_size, progress_every, on_divergence, strategy)
        advice = ("it diverged again after lowering the learning rate "
                  f"{MAX_RESTORES} times" if on_divergence == "restore"
                  else "run the same command with --on-divergence restore (or on_divergence='restore') to restart from it with half the learning rates")
        kept = (f"The last good checkpoint (epoch {good}) is kept in {out_dir / CHECKPOINT_DIR}, with the generator of that epoch"
                if good else "No epoch was completed, so there is no checkpoint to go back to")
        raise RunDiverged(f"training diverged: {diverged}. {kept}; {advice}") from None
    stopped = bool(time_limit and time_limit.stopped)
    seconds = time.perf_counter() - started
    status = "stopped by time limit" if stopped else "finished"
    history = _finish(out_dir, config, monitor, info, status, seconds)
    for file_name, network in _saved_networks(config):
        if not (out_dir / file_name).exists():  # zero epochs trained: save the initial one
            callbacks.save_model_atomically(getattr(gan, network), out_dir / file_name)
    return RunResult(out_dir, config, first_epoch, info["epochs_done"], stopped, seconds, history)


def _learning_rates(gan, config: DCGANConfig) -> list[tuple[object, float]]:
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


def _saved_networks(config: DCGANConfig) -> list[tuple[str, str]]:
    """(file, trainer attribute) of each network a run keeps current as a ``.keras`` file."""
    return [(GENERATOR_FILE, "generator"), *([(ENCODER_FILE, "encoder")] if config.autoencoder else [])]


def _finish(out_dir: Path, config: DCGANConfig, monitor, info: dict, status: str, seconds: float) -> dict:
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
    ``score`` (computed and written now if ``metrics.json`` is missing), with the
    conditional accuracy for a conditional run and the ``reconstruction_error`` of a VAE
    or VAE-GAN. Introduced in book/04_better_losses."""
    from ganlab import callbacks

    run_dir = Path(run_dir)
    if not (run_dir / CONFIG_FILE).exists():
        raise ValueError(f"no run folder at {run_dir}")
    recipe = DCGANConfig.load(run_dir / CONFIG_FILE)
    history = callbacks.read_history(run_dir / HISTORY_FILE)
    metrics_path = run_dir / "metrics.json"
    scores = json.loads(metrics_path.read_text())["scores"] if metrics_path.exists() else score(run_dir)[0]
    generated = scores["generated"]
    return {
        "recipe": recipe.name,
        "model": recipe.model,
        "minutes": sum(history.get("seconds", [])) / 60,
        "epochs": len(history.get("epoch", [])),
        "steps": int(sum(history.get("steps", []))),
        **{key: generated[key] for key in ("judge_fid", "kid", "judge_is", "coverage", "sharpness") if key in generated},
        **({"conditional_accuracy": generated.get("conditional_accuracy", "-")} if recipe.dataset == "mnist" else {}),
        **{key: generated[key] for key in ("checkerboard", "diversity", "nearest_real") if key in generated},
        **({"reconstruction_error": _reconstruction_error(run_dir, recipe)} if recipe.autoencoder else {}),
    }


def _reconstruction_error(run_dir: Path, recipe: DCGANConfig) -> float:
    """An autoencoder run's ``vae.reconstruction_error`` on up to ``metrics.SAMPLE_SIZE``
    of its own kind of real images (the judge's held-out digits for MNIST)."""
    from ganlab import metrics, vae

    if recipe.dataset == "mnist":
        real = metrics.reference_digits()[1][: metrics.SAMPLE_SIZE]
    else:
        real = _training_images(run_dir, recipe).images(metrics.SAMPLE_SIZE)
    autoencoder = load_autoencoder(run_dir)
    return vae.reconstruction_error(autoencoder.encoder, autoencoder.decoder, real)


def _score_images(run_dir: Path, images: np.ndarray, written: Path) -> tuple[dict, Path]:
    """Scores for a run without a judge (faces): ``metrics.pixel_scores`` against up to
    ``metrics.SAMPLE_SIZE`` of its training images."""
    from ganlab import metrics

    real = _training_images(run_dir, DCGANConfig.load(run_dir / CONFIG_FILE))
    scores = metrics.pixel_scores(images, real.images(metrics.SAMPLE_SIZE))
    record = {"scores": scores, "sample_size": len(images), "extractor": "pixels (no judge for this dataset)", "data_source": real.source}
    _write_json(written, record)
    return scores, written


def _training_images(run_dir: Path, recipe: DCGANConfig):
    """The image folder a face run trained on (the offline faces if it fell back to them)."""
    from ganlab import data

    info_path = run_dir / RUN_INFO_FILE
    source = json.loads(info_path.read_text()).get("data_source") if info_path.exists() else None
    return data.load_images(recipe, source="embedded" if source == "lfw-subset" else "auto", verbose=False)


def _is_conditional(run_dir: Path) -> bool:
    path = Path(run_dir) / CONFIG_FILE
    return path.exists() and DCGANConfig.load(path).conditional


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
    """Judge-score a run folder (1,000 seeded samples from its generator) or an ``.npz``
    of samples; write the scores as JSON and return them with the file's path.

    A run's scores go to ``RUN_DIR/metrics.json``; an ``.npz``'s to ``FILE.metrics.json``.
    """
    from ganlab import metrics

    target = Path(target)
    if target.suffix == ".npz":
        if not target.is_file():
            raise ValueError(f"no sample file at {target}")
        with np.load(target) as saved:
            if "images" not in saved:
                raise ValueError(f"{target} has no 'images' array")
            images = saved["images"]
        written = target.with_name(target.stem + ".metrics.json")
    else:
        images = sample(target, metrics.SAMPLE_SIZE, seed=seed)  # a conditional run: classes in turn
        written = target / "metrics.json"
    if target.suffix != ".npz" and DCGANConfig.load(target / CONFIG_FILE).dataset != "mnist":
        return _score_images(target, images, written)
    if images.ndim != 4 or images.shape[1:] != (28, 28, 1):
        raise ValueError(
            f"only MNIST-shaped images (N, 28, 28, 1) can be judged offline, got {images.shape}; "
            "score face samples through their run folder"
        )
    scores = metrics.score_mnist(images)
    if target.suffix != ".npz" and _is_conditional(target):
        from ganlab import gans

        # the judge's accuracy on digits of each requested class
        requested = gans.class_labels(len(images), 10)
        scores["generated"]["conditional_accuracy"] = metrics.conditional_accuracy(images, requested)
    record = {"scores": scores, "sample_size": metrics.SAMPLE_SIZE, "extractor": "ganlab MNIST judge", "judge": metrics.judge_record()}
    _write_json(written, record)
    return scores, written
