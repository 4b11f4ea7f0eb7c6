"""Train and export the pretrained generators that ship in ``ganlab/assets/pretrained``
(asset building, not part of the runtime package):
``python tools/export_pretrained.py [NAMES ...] [--epochs N] [--export-only]``."""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

from ganlab import callbacks, files, judge, pretrained, runs
from ganlab.config import Recipe


def export(run_dir: str | Path, folder: str | Path | None = None) -> dict:
    """Copy a finished run of one of ``pretrained.NAMES`` into the pretrained folder: recipe, float16
    weights, and a card with the judge's scores of the exported weights. Returns the card."""
    run_dir = Path(run_dir)
    recipe = Recipe.load(run_dir / runs.CONFIG_FILE)
    if recipe.name not in pretrained.NAMES:
        raise ValueError(f"{run_dir} was trained with {recipe.name!r}; pretrained generators are {', '.join(pretrained.NAMES)}")
    target = Path(folder or pretrained.FOLDER) / recipe.name
    target.mkdir(parents=True, exist_ok=True)
    roles = ["generator", "encoder"] if recipe.autoencoder else ["generator"]
    for role in roles:
        network = runs.load_generator(run_dir) if role == "generator" else runs.load_encoder(run_dir)
        pretrained.save_weights_to_file(network, target / pretrained.WEIGHT_FILES[role])
    recipe.save(target / pretrained.CONFIG_FILE)
    generator = pretrained.load(recipe.name, folder)
    encoder = pretrained.load_encoder(recipe.name, folder) if recipe.autoencoder else None
    # the exported (float16) weights, scored as every run is
    scores = runs.score_generator(generator, recipe, seed=pretrained.SCORE_SEED, encoder=encoder)
    info = json.loads((run_dir / runs.RUN_INFO_FILE).read_text())
    history = _history(run_dir)
    card = {
        "name": recipe.name,
        "model": recipe.model,
        "trained_by": f"python -m ganlab train {recipe.name} --seed {recipe.seed} --epochs {recipe.epochs}",
        "data_source": info.get("data_source"),
        "training_images": info.get("num_images"),
        "epochs": len(history.get("epoch", [])),
        "minutes": round(sum(history.get("seconds", [])) / 60, 1),
        "library_versions": info.get("versions"),
        "weights": "float16, rebuilt from config.json",
        "file_bytes": {pretrained.WEIGHT_FILES[role]: (target / pretrained.WEIGHT_FILES[role]).stat().st_size for role in roles},
        "scores": scores,
        "scored": f"{judge.SAMPLE_SIZE} samples, seed {pretrained.SCORE_SEED}, by the ganlab MNIST judge",
        "exported": datetime.date.today().isoformat(),
    }
    files.write_text(target / pretrained.CARD_FILE, json.dumps(card, indent=2) + "\n")
    return card


def _history(run_dir: Path) -> dict:
    return callbacks.read_history(run_dir / runs.HISTORY_FILE)


def main(argv: list[str] | None = None) -> int:
    """Train (or resume) the named runs and export each one."""
    parser = argparse.ArgumentParser(prog="python tools/export_pretrained.py", description="Train (or resume) and export the pretrained generators.")
    parser.add_argument("names", nargs="*", default=list(pretrained.NAMES), help=f"which ones (default: all of {', '.join(pretrained.NAMES)})")
    parser.add_argument("--runs", default="runs/pretrained", help="where the training runs go (default runs/pretrained)")
    parser.add_argument("--epochs", type=int, help="train longer than the preset (the card records it)")
    parser.add_argument("--export-only", action="store_true", help="export existing runs without training")
    arguments = parser.parse_args(argv)
    for name in arguments.names:
        run_dir = Path(arguments.runs) / name
        if not arguments.export_only:
            overrides = {"epochs": arguments.epochs} if arguments.epochs else {}
            runs.train(runs.prepare_config(name, run_dir, seed=0, **overrides), run_dir)
        card = export(run_dir)
        print(f"{name}: judge-FID {card['scores']['generated']['judge_fid']:.1f}, {card['epochs']} epochs, {card['file_bytes']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
