"""Train the MNIST judge that ships in ``ganlab/assets`` (asset building, not part of the
runtime package): ``python tools/train_judge.py [--epochs N] [--seed S] [--out DIR]``."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import keras
import tensorflow as tf

from ganlab import data, files, judge


def train_judge(out_dir=None, epochs: int = 40, seed: int = 0, verbose: int = 2) -> dict:
    """Train the judge on the embedded digits (all but a seeded held-out 1,000), save its
    weights and a record of how it was made, and return that record.

    The embedded digits (not the full download) are used so that the shipped judge, and
    every score computed with it, is the same on every machine, online or not. No held-out
    digit is seen during training: the epochs and schedule are fixed in advance.
    """
    out_dir = Path(out_dir) if out_dir else judge.assets_dir()
    out_dir.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(seed)
    mnist = data.load_mnist(source="embedded", verbose=verbose > 0)
    train_index, held_out_index = judge.judge_split(len(mnist.images))
    network = judge.build_judge()
    augment = keras.Sequential(
        [
            keras.layers.RandomRotation(0.04, fill_value=-1.0, seed=seed),
            keras.layers.RandomTranslation(0.1, 0.1, fill_value=-1.0, seed=seed),
            keras.layers.RandomZoom(0.1, fill_value=-1.0, seed=seed),
        ],
        name="augment",
    )
    trainer = keras.Sequential([augment, network])
    trainer.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    trainer.fit(
        mnist.images[train_index],
        mnist.labels[train_index],
        epochs=epochs,
        batch_size=64,
        callbacks=[keras.callbacks.ReduceLROnPlateau("loss", factor=0.5, patience=3)],
        verbose=verbose,
    )
    network.compile(metrics=["accuracy"], loss="sparse_categorical_crossentropy")
    _, accuracy = network.evaluate(mnist.images[held_out_index], mnist.labels[held_out_index], verbose=0)
    network.save_weights(out_dir / judge.JUDGE_WEIGHTS)
    record = {
        "held_out_accuracy": round(float(accuracy), 4),
        "held_out_images": int(len(held_out_index)),
        "training_images": int(len(train_index)),
        "data_source": mnist.source,
        "split_seed": judge.JUDGE_SPLIT_SEED,
        "seed": seed,
        "epochs": epochs,
        "training_seconds": round(time.perf_counter() - started, 1),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
    }
    files.write_text(out_dir / judge.JUDGE_RECORD, json.dumps(record, indent=2) + "\n")
    return record




def main(argv=None) -> int:
    """Train the judge and print its held-out accuracy."""
    parser = argparse.ArgumentParser(prog="python tools/train_judge.py", description="Train the MNIST judge and save it in the package.")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="folder for the weights (default: the package's assets)")
    args = parser.parse_args(argv)
    record = train_judge(args.out, epochs=args.epochs, seed=args.seed)
    print(f"judge: {record['held_out_accuracy']:.4f} accuracy on {record['held_out_images']} held-out real digits")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
