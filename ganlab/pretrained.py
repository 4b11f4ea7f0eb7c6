"""Small generators trained by the project's own presets, shipped inside the package.

Introduced in book/06_latent_space: the latent explorers need a trained generator, and
these load in a second instead of minutes of training. Each one is a folder under
``ganlab/assets/pretrained/`` holding the run's recipe (``config.json``), its card
(``card.json``: how it was trained, on which data, and the judge's scores of *these*
weights) and its weights (``generator.npz``, ``encoder.npz`` for the VAE).

The weights are stored as float16 in a plain ``.npz`` (no pickle) and the networks are
rebuilt from the recipe, which halves the files (the half-width DCGAN's generator is 3.6
MB in float32). The card's scores are measured on the rounded weights, so they describe
exactly what ``load`` returns. ``python tools/export_pretrained.py`` trains and exports
them all again.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ganlab import files
from ganlab.config import Recipe
from ganlab.errors import UsageError

NAMES = ("dcgan-mnist", "acgan-mnist", "vae-mnist")
FOLDER = Path(__file__).resolve().parent / "assets" / "pretrained"
CONFIG_FILE, CARD_FILE = "config.json", "card.json"
WEIGHT_FILES = {"generator": "generator.npz", "encoder": "encoder.npz"}
SCORE_SEED = 0


def names() -> list[str]:
    """The pretrained generators that ``load`` knows, by preset name."""
    return list(NAMES)


def _folder(name: str, folder: str | Path | None = None) -> Path:
    if name not in NAMES:
        raise UsageError(f"no pretrained generator {name!r}; choose one of {', '.join(NAMES)}")
    path = Path(folder or FOLDER) / name
    if not (path / CONFIG_FILE).exists():
        raise UsageError(f"the pretrained {name!r} is missing from {path.parent}; `python tools/export_pretrained.py` makes it")
    return path


def config(name: str, folder: str | Path | None = None) -> Recipe:
    """The recipe the pretrained ``name`` was trained with (a preset, unchanged)."""
    return Recipe.load(_folder(name, folder) / CONFIG_FILE)


def describe(name: str, folder: str | Path | None = None) -> dict:
    """The card of a pretrained generator: preset, data, epochs, minutes, library
    versions, file sizes and the judge's scores of the shipped weights."""
    return json.loads((_folder(name, folder) / CARD_FILE).read_text())


def summary(name: str, folder: str | Path | None = None) -> dict:
    """One table row from a card: how the generator was trained and how it scores."""
    card = describe(name, folder)
    scores = card["scores"]["generated"]
    return {
        "name": name, "model": card["model"], "data": f"{card['training_images']:,} {card['data_source']} digits",
        "epochs": card["epochs"], "minutes": card["minutes"],
        **{key: scores[key] for key in ("judge_fid", "judge_is", "coverage", "conditional_accuracy", "reconstruction_error") if key in scores},
        "MB": round(sum(card["file_bytes"].values()) / 2**20, 2),
    }


def load(name: str, folder: str | Path | None = None):
    """The pretrained generator (for ``vae-mnist``, the decoder) as a Keras model, ready
    for ``gans.generate_images`` and the explorers of ``ganlab.widgets``."""
    return _load_network(name, "generator", folder)


def load_encoder(name: str, folder: str | Path | None = None):
    """The encoder of a pretrained autoencoder (``vae-mnist``)."""
    if not config(name, folder).autoencoder:
        raise UsageError(f"{name!r} is a GAN: it has no encoder; try vae-mnist")
    return _load_network(name, "encoder", folder)


def load_autoencoder(name: str = "vae-mnist", folder: str | Path | None = None):
    """The pretrained encoder and decoder as one ``vae.VAE`` (``encode``, ``decode``,
    ``reconstruct``, ``generate``)."""
    from ganlab import vae

    return vae.VAE(load_encoder(name, folder), load(name, folder))


def _load_network(name: str, role: str, folder: str | Path | None):
    from ganlab import runs

    recipe = config(name, folder)
    network = runs.build_generator(recipe) if role == "generator" else runs.build_encoder(recipe)
    set_weights_from_file(network, _folder(name, folder) / WEIGHT_FILES[role])
    return network


def save_weights_to_file(network, path: str | Path) -> None:
    """Every weight of ``network`` (batch-norm statistics included) as float16 arrays in an
    ``.npz``, in the network's own order, written under a temporary name and renamed."""
    path = Path(path)
    arrays = {f"w{index:03d}": np.asarray(weight.numpy(), dtype=np.float16) for index, weight in enumerate(network.weights)}
    with files.atomic_path(path) as partial, partial.open("wb") as handle:
        np.savez_compressed(handle, **arrays)


def set_weights_from_file(network, path: str | Path) -> None:
    """Load weights written by ``save_weights_to_file`` into a network of the same
    architecture; a mismatch is a ``ValueError`` naming the first wrong weight."""
    with np.load(path, allow_pickle=False) as saved:
        arrays = [saved[key] for key in sorted(saved.files)]
    if len(arrays) != len(network.weights):
        raise UsageError(f"{path} holds {len(arrays)} weights, {network.name} has {len(network.weights)}")
    for weight, array in zip(network.weights, arrays):
        if tuple(weight.shape) != array.shape:
            raise UsageError(f"{path}: {weight.path} should be {tuple(weight.shape)}, the file has {array.shape}")
    network.set_weights([array.astype(np.float32) for array in arrays])
