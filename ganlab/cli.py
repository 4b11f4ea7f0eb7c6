"""``python -m ganlab``: a thin command line over ``ganlab.runs``::

    python -m ganlab train PRESET [--epochs N] [--minutes M] [--batch-size B] [--seed S] [--set FIELD=VALUE ...]
                              [--dataset folder --data-dir D] [--download] [--precision P] [--strategy mirrored] --out DIR
    python -m ganlab sample RUN_DIR --n N --out FILE.npz [--label K] [--seed S] [--grid FILE.png]
    python -m ganlab score RUN_DIR|FILE.npz|SAMPLE_FOLDER
    python -m ganlab presets

Bad input (``errors.UsageError``, and argparse's own usage errors) ends with one line on
stderr and exit status 2, never a traceback; a run whose loss became NaN ends with one
line naming the epoch and the last good checkpoint and exit status 3. Any other error is a
failure inside ganlab or a library it uses: it keeps its traceback, and exits with 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ganlab import config as config_module
from ganlab.errors import UsageError

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3
EXIT_INTERRUPTED = 130


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be zero or more, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and for the docs)."""
    parser = argparse.ArgumentParser(prog="python -m ganlab", description="Train and sample GANs, VAEs and VAE-GANs.")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a preset; the same command again resumes")
    train.add_argument("preset", help="recipe name, see 'python -m ganlab presets'")
    train.add_argument("--epochs", type=_non_negative_int, help="train up to this many epochs in all")
    train.add_argument("--minutes", type=_positive_float, help="stop cleanly after this much training time")
    train.add_argument("--batch-size", type=_positive_int)
    train.add_argument("--seed", type=int)
    train.add_argument("--max-images", type=_positive_int, help="train on a seeded subset of this size")
    train.add_argument("--set", action="append", default=[], dest="assignments", metavar="FIELD=VALUE",
                       help="set any field of the preset's recipe (repeatable): --set label_smoothing=0 --set generator_widths=64,32,16; "
                            "a field the preset's trainer does not use is refused")
    train.add_argument("--data-source", choices=["auto", "keras", "embedded"], default="auto",
                       help="MNIST: where from; 'embedded' also makes a CelebA preset use the offline faces")
    train.add_argument("--dataset", choices=config_module.DATASETS,
                       help="train the preset's networks on other data: 'folder' is any folder of images (--data-dir), "
                            "resized to the preset's image shape")
    train.add_argument("--data-dir", help="folder of the images (CelebA, or any folder for --dataset folder)")
    train.add_argument("--download", action="store_true",
                       help="CelebA presets: download Kaggle's copy with kagglehub first (needs Kaggle credentials)")
    train.add_argument("--precision", choices=config_module.PRECISIONS,
                       help="arithmetic: float32 (default) or a mixed 16-bit policy, for GPUs and TPUs (see the appendix)")
    train.add_argument("--strategy", choices=["none", "mirrored"], default="none",
                       help="mirrored: train on every GPU of this machine (tf.distribute.MirroredStrategy), each taking "
                            "an equal share of every batch; the batch size and learning rates stay the recipe's")
    train.add_argument("--out", type=Path, help="run folder (default runs/PRESET)")
    train.add_argument("--quiet", action="store_true", help="no progress bar")
    train.add_argument("--on-divergence", choices=["stop", "restore"], default="stop",
                       help="when a loss becomes NaN: stop (default), or restart from the last good epoch with half the learning rates")

    sample = commands.add_parser("sample", help="draw images from a trained run")
    sample.add_argument("run_dir", type=Path)
    sample.add_argument("--n", type=_positive_int, required=True, help="number of images")
    sample.add_argument("--out", type=Path, required=True, help="output .npz (array 'images')")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--label", type=int, help="class to draw (conditional models only)")
    sample.add_argument("--grid", type=Path, help="also write the images as one PNG")

    score = commands.add_parser("score", help="judge-based quality of a run (or an .npz of samples)")
    score.add_argument("target", type=Path, help="a run folder, an .npz with an 'images' array, or a folder of PNG/JPEG samples")
    score.add_argument("--seed", type=int, default=0, help="noise seed when sampling from a run")

    commands.add_parser("presets", help="list the training presets")
    return parser


def _train_recipe(args):
    """The recipe a ``train`` command asks for, checked before TensorFlow starts: the
    preset (or, resuming, the saved recipe) with the command's changes."""
    from ganlab import runs

    if args.download:
        from ganlab import data

        celeba = [name for name, preset in config_module.PRESETS.items() if preset.dataset == "celeba"]
        if config_module.get_preset(args.preset).dataset != "celeba" or args.dataset not in (None, "celeba"):
            raise UsageError(f"--download fetches CelebA, for the CelebA presets ({', '.join(celeba)}); {args.preset} does not train on it")

        args.data_dir = args.data_dir or data.download_celeba()
    flags = dict(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, max_images=args.max_images,
                 data_dir=args.data_dir, precision=args.precision, dataset=args.dataset)
    return runs.prepare_config(args.preset, _out_dir(args), **recipe_overrides(args.preset, flags, args.assignments))


def _out_dir(args) -> Path:
    return args.out or Path("runs") / args.preset


def _train(args) -> int:
    from ganlab import runs

    out_dir, config = _out_dir(args), args.recipe
    strategy = _strategy(args.strategy)
    try:
        result = runs.train(
            config, out_dir, minutes=args.minutes, data_source=args.data_source, verbose=0 if args.quiet else "auto",
            on_divergence=args.on_divergence, strategy=strategy,
        )
    except runs.RunDiverged as diverged:
        print(f"ganlab: {diverged}", file=sys.stderr)
        return EXIT_DIVERGED
    except KeyboardInterrupt:
        done = runs.completed_epochs(out_dir)
        print(f"\nganlab: interrupted after {done} complete epochs; run the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    ending = "stopped at the time limit" if result.stopped_by_time_limit else "done"
    print(
        f"ganlab: {ending}: {result.epochs_done}/{config.epochs} epochs, "
        f"{result.seconds / 60:.1f} minutes this session; outputs in {out_dir}"
    )
    return 0


def recipe_overrides(preset: str, flags: dict, assignments: list[str]) -> dict:
    """The recipe fields a ``train`` command changes: its flags (``--batch-size``, ...) and
    its ``--set FIELD=VALUE`` assignments, typed and checked against the preset's trainer
    (a ``model=`` assignment first, since it decides which fields exist). A field given
    twice is an error rather than a silent choice."""
    recipe = config_module.get_preset(preset)
    overrides = {field: value for field, value in flags.items() if value is not None}
    for text in sorted(assignments, key=lambda text: not text.strip().startswith("model=")):
        field, value = config_module.parse_assignment(recipe, text)
        if field in overrides:
            raise UsageError(f"{field} is given twice (by a flag or --set); give it once")
        if field == "model":
            recipe = config_module.Recipe(model=value)  # only its fields' types are read
        overrides[field] = value
    return overrides


def _strategy(name: str):
    """The ``tf.distribute`` strategy ``--strategy`` names (None for one device).

    The recipe's batch size is the global one: with N GPUs each computes 1/N of every
    batch and the gradients are averaged, so every step is the step one device would
    take and the learning rates need no scaling (ganlab.gans, appendix on devices)."""
    if name == "none":
        return None
    import tensorflow as tf

    strategy = tf.distribute.MirroredStrategy()
    print(f"ganlab: mirrored over {strategy.num_replicas_in_sync} device(s): "
          f"{', '.join(device.split('/')[-1] for device in strategy.extended.worker_devices)}")
    return strategy


def _sample(args) -> int:
    from ganlab import runs, viz

    images = runs.sample(args.run_dir, args.n, seed=args.seed, label=args.label)
    runs.save_samples(images, args.out)
    if args.grid:
        viz.save_grid(images, args.grid)
    print(f"ganlab: wrote {len(images)} images of shape {images.shape[1:]} to {args.out}")
    return 0


def _score(args) -> int:
    from ganlab import judge, metrics, runs

    scores, written = runs.score(args.target, seed=args.seed)
    if "checkerboard" in scores["generated"]:
        print(metrics.format_pixel_scores(scores))
        print("No judge exists for these images: pixel statistics only (see book/03_faces).")
        print(f"ganlab: wrote {written}")
        return 0
    record = judge.judge_record()
    print(judge.format_scores(scores))
    print(
        f"Measured with ganlab's MNIST judge ({record['held_out_accuracy']:.1%} accurate on "
        f"{record['held_out_images']:,} held-out real digits), not Inception-v3: compare judge-FID "
        f"only with other judge-FIDs at {judge.SAMPLE_SIZE:,} images."
    )
    print(f"ganlab: wrote {written}")
    return 0


def _presets(args) -> int:
    for name, preset in config_module.PRESETS.items():
        print(
            f"{name:24s} {preset.model:7s} {preset.dataset:7s} {'x'.join(map(str, preset.image_shape)):8s} "
            f"batch {preset.batch_size:<4d} epochs {preset.epochs:<4d} "
            f"{preset.optimizer_description}"
        )
    return 0


MISSING_TENSORFLOW = (
    "TensorFlow is not installed, and ganlab does not pull it in by itself (Colab and Kaggle ship "
    "their own): install ganlab with an extra, pip install 'ganlab[cpu]' or 'ganlab[gpu]'"
)


def require_tensorflow() -> None:
    """Raise ``UsageError`` with the install line when TensorFlow cannot be imported."""
    try:
        _import_tensorflow_quietly()
    except ImportError:
        raise UsageError(MISSING_TENSORFLOW) from None


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow with its C++ start-up lines kept off stderr: TensorFlow 2.21 logs
    them before its logging is configured, whatever ``TF_CPP_MIN_LOG_LEVEL`` says, and
    they would bury the one line a command prints. If the import fails, what it printed
    is passed on, so nothing that explains a failure is lost."""
    import tempfile

    if sys.modules.get("tensorflow") is not None:
        return
    try:
        sys.stderr.flush()
        saved_stderr = os.dup(2)
    except (OSError, ValueError):  # no file descriptor behind stderr: nothing to keep quiet
        import tensorflow  # noqa: F401
        return
    imported = False
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401

            imported = True
        finally:
            os.dup2(saved_stderr, 2)
            os.close(saved_stderr)
            if not imported:
                captured.seek(0)
                sys.stderr.write(captured.read().decode(errors="replace"))


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    # TensorFlow's C++ start-up chatter is not for readers of the command line.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    handlers = {"train": _train, "sample": _sample, "score": _score, "presets": _presets}
    try:
        if args.command == "train":
            args.recipe = _train_recipe(args)
        if args.command != "presets":
            require_tensorflow()
            from ganlab import devices

            devices.allow_memory_growth()
        return handlers[args.command](args)
    except UsageError as error:
        # ganlab's own checks only: a ValueError from inside TensorFlow or Keras is a
        # failure to report with its traceback, not bad input to summarise in one line
        print(f"ganlab: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
