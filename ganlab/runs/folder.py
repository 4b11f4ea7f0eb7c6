"""A run folder and its records: the recipe, the run record, the history, the networks.

Introduced in book/02_dcgan_mnist. A run folder holds everything needed to look at,
reproduce and resume the run::

    config.json          the recipe (a ``Recipe``); the same command resumes from it
    run_info.json        the run record: data source, library versions, epochs done, how
                         the last session ended, divergences and the learning-rate scale
    grids/epoch_NNNN.png the generator's images for the same fixed noise after each epoch
    progress.gif         those grids as an animation
    losses.csv/.png      per-epoch losses and discriminator accuracies
    metrics.json         the latest scores (``runs.score``), with the epoch they describe
    generator.keras      the generator (Keras format, loadable with safe_mode=True); for a
                         VAE or VAE-GAN the decoder
    encoder.keras        the encoder of a VAE or VAE-GAN
    checkpoint/          BackupAndRestore state: every network, optimizer and RNG
"""

from __future__ import annotations

import dataclasses
import json
import os
import zipfile
from pathlib import Path

from ganlab import config as config_module
from ganlab import files
from ganlab.errors import UsageError
from ganlab.recipe import Recipe

CONFIG_FILE = "config.json"
RUN_INFO_FILE = "run_info.json"
GENERATOR_FILE = "generator.keras"
ENCODER_FILE = "encoder.keras"
HISTORY_FILE = "losses.csv"
METRICS_FILE = "metrics.json"
CHECKPOINT_DIR = "checkpoint"
# Fields a resumed run may change: they extend the run or say where its data lives
# (a Kaggle path differs from a Colab one), not how it trains.
RESUMABLE_CHANGES = ("epochs", "data_dir")


def read_json(path: Path) -> dict:
    """A JSON record, or ``{}`` when the file is not there yet."""
    return json.loads(path.read_text()) if path.exists() else {}


def write_json(path: Path, values: dict) -> None:
    """Write a JSON record atomically: a reader never sees half a file."""
    files.write_text(path, json.dumps(values, indent=2) + "\n")


def read_recipe(run_dir: str | Path) -> Recipe:
    """The recipe saved in a run folder (``UsageError`` when there is none)."""
    path = Path(run_dir) / CONFIG_FILE
    if not path.exists():
        raise UsageError(f"no run folder at {run_dir}")
    return Recipe.load(path)


@dataclasses.dataclass
class RunInfo:
    """The run record (``run_info.json``): the data the run saw, the library versions, how
    far it got and how its last session ended, and what the restart policy left behind
    (each divergence, and the learning-rate scale that a restart halved), which a later
    session of the same run reads whatever epoch it starts from."""

    data_source: str | None = None
    num_images: int | None = None
    steps_per_epoch: int | None = None
    versions: dict = dataclasses.field(default_factory=dict)
    status: str = "new"
    epochs_done: int = 0
    started_at: str | None = None
    learning_rate_scale: float = 1.0
    divergences: list[dict] = dataclasses.field(default_factory=list)
    seconds_this_session: float | None = None
    # keys another release wrote, kept as they were
    other: dict = dataclasses.field(default_factory=dict)

    @classmethod
    def read(cls, run_dir: str | Path) -> RunInfo:
        """The record of ``run_dir``, or an empty one (status ``"new"``) for a run that never started."""
        values = read_json(Path(run_dir) / RUN_INFO_FILE)
        known = {field.name for field in dataclasses.fields(cls)} - {"other"}
        return cls(**{key: value for key, value in values.items() if key in known},
                   other={key: value for key, value in values.items() if key not in known})

    def to_dict(self) -> dict:
        """The JSON record; the restart policy's fields only once a divergence set them."""
        values = {field.name: getattr(self, field.name) for field in dataclasses.fields(self) if field.name != "other"}
        if values["learning_rate_scale"] == 1.0:
            del values["learning_rate_scale"]
        for optional in ("divergences", "seconds_this_session"):
            if not values[optional] and values[optional] != 0:
                del values[optional]
        return {**self.other, **values}

    def write(self, run_dir: str | Path) -> None:
        """Replace the run record of ``run_dir``."""
        write_json(Path(run_dir) / RUN_INFO_FILE, self.to_dict())


def read_run_info(run_dir: str | Path) -> dict:
    """The run record (``run_info.json``) as a plain dict, or ``{}`` for a run that never started."""
    return read_json(Path(run_dir) / RUN_INFO_FILE)


def read_history(run_dir: str | Path) -> dict[str, list[float]]:
    """The per-epoch history (``losses.csv``) by column."""
    from ganlab import callbacks

    return callbacks.read_history(Path(run_dir) / HISTORY_FILE)


def completed_epochs(out_dir: str | Path) -> int:
    """Epochs the checkpoint in ``out_dir`` has finished (0 for a new run)."""
    metadata = Path(out_dir) / CHECKPOINT_DIR / "training_metadata.json"
    if not metadata.exists():
        return 0
    try:
        return int(json.loads(metadata.read_text())["epoch"])
    except (ValueError, KeyError) as error:
        raise UsageError(f"unreadable checkpoint metadata {metadata}: {error}") from error


def prepare_config(preset: str, out_dir: str | Path, **overrides) -> Recipe:
    """The config for a run: the preset with overrides, or the saved one when resuming.

    Resuming (``out_dir`` already holds a ``config.json``) keeps the saved recipe. Only
    ``epochs`` (to train longer) and ``data_dir`` may change; changing anything else would
    make the run impossible to reproduce from its config, so it is an error.
    """
    chosen = config_module.get_preset(preset)  # an unknown preset is an error either way
    saved_path = Path(out_dir) / CONFIG_FILE
    if not saved_path.exists():
        return chosen.replace(**overrides)
    saved = Recipe.load(saved_path)
    if saved.name != chosen.name:
        raise UsageError(f"{out_dir} holds a {saved.name!r} run, not {preset!r}; choose another --out")
    resumed = saved.replace(**overrides)
    check_same_recipe(saved, resumed, out_dir)
    return resumed


def check_same_recipe(saved: Recipe, config: Recipe, out_dir: str | Path) -> None:
    """Raise ``UsageError`` if ``config`` changes ``saved`` in anything but ``RESUMABLE_CHANGES``."""
    before_fields, after_fields = saved.flat(), config.flat()
    for field in dict.fromkeys([*after_fields, *before_fields]):
        if field in RESUMABLE_CHANGES:
            continue
        before, after = before_fields.get(field), after_fields.get(field)
        if before != after:
            raise UsageError(
                f"{out_dir} was started with {field}={before!r}; a resumed run cannot "
                f"change it to {after!r} (use a new --out)"
            )


def prepare_folder(config: Recipe, out_dir: Path) -> Path:
    """Create the run folder, refuse one that holds another recipe, and save the recipe."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create the run folder {out_dir}: {error.strerror}") from None
    if not os.access(out_dir, os.W_OK):
        raise UsageError(f"cannot write to {out_dir}")
    if (out_dir / CONFIG_FILE).exists():
        check_same_recipe(Recipe.load(out_dir / CONFIG_FILE), config, out_dir)
    config.save(out_dir / CONFIG_FILE)
    return out_dir


def check_same_data(out_dir: Path, source: str, num_images: int) -> None:
    """A resumed run must see the data it started on, or its epochs mean something else."""
    if not (out_dir / RUN_INFO_FILE).exists():
        return
    previous = RunInfo.read(out_dir)
    if (previous.data_source, previous.num_images) != (source, num_images):
        raise UsageError(
            f"{out_dir} was trained on {previous.num_images} images from "
            f"{previous.data_source!r}, but {num_images} images from {source!r} are "
            "available now; choose --data-source to match, or a new --out"
        )


def load_generator(run_dir: str | Path):
    """The generator saved in a run folder (safe loading: no arbitrary code)."""
    return _load_network(run_dir, GENERATOR_FILE)


def load_encoder(run_dir: str | Path):
    """The encoder saved in a VAE or VAE-GAN run folder (safe loading). Introduced in
    book/05_vae_and_vaegan; with ``vae.encode`` and ``vae.decode`` it reconstructs and
    interpolates images."""
    return _load_network(run_dir, ENCODER_FILE)


def load_autoencoder(run_dir: str | Path):
    """A VAE or VAE-GAN run's encoder and decoder as one (uncompiled) ``vae.VAE``, for its
    ``encode``, ``decode``, ``reconstruct`` and ``generate``. Introduced in
    book/05_vae_and_vaegan."""
    from ganlab import vae

    return vae.VAE(load_encoder(run_dir), load_generator(run_dir))


def _load_network(run_dir: str | Path, file_name: str):
    path = network_path(run_dir, file_name)
    import keras

    try:
        return keras.models.load_model(path, compile=False, safe_mode=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise UsageError(
            f"{path} cannot be read as a Keras model ({str(error).splitlines()[0]}); the file is damaged "
            "(a copy cut short?). Training the run for one more epoch writes it again"
        ) from None


def network_path(run_dir: str | Path, file_name: str = GENERATOR_FILE) -> Path:
    """The path of a network saved in a run folder; ``UsageError`` saying why it is not there."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise UsageError(f"no run folder at {run_dir}")
    path = run_dir / file_name
    if not path.exists():
        if file_name == ENCODER_FILE and (run_dir / GENERATOR_FILE).exists():
            raise UsageError(f"{run_dir} holds a GAN, which has no encoder; train a VAE or VAE-GAN (vae-mnist, vaegan-mnist)")
        raise UsageError(f"{run_dir} has no {file_name} yet; train at least one epoch first")
    return path


def monitor_labels(count: int, num_classes: int, columns: int = 10):
    """Labels for a conditional run's monitor grid: one class per row of ``columns``."""
    import numpy as np

    return ((np.arange(count) // columns) % num_classes).astype("int32")
