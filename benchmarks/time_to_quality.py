"""Time to quality: how good are a preset's digits after 2, 5 and 10 minutes of training?

Each preset trains once, through the same ``ganlab.runs.train`` a user runs, on the
embedded digits; a callback copies the generator's weights in memory when each budget of
training time has passed. Scoring happens after training, so it never uses the budget:
1,000 samples per snapshot, judged by the shipped MNIST judge (judge-FID, judge-IS, digit
coverage), beside a row for 1,000 held-out real digits computed the same way.

    python benchmarks/time_to_quality.py [--budgets 2 5 10] [--presets dcgan-mnist dcgan-mnist-tutorial]
    python benchmarks/time_to_quality.py --presets dcgan-mnist vae-mnist vaegan-mnist \
        --plot benchmarks/results/time_to_quality_vae.png    # book/05_vae_and_vaegan
    python benchmarks/time_to_quality.py --budgets 2 5 --presets dcgan-mnist dcgan-mnist:mixed_bfloat16 \
        --plot benchmarks/results/time_to_quality_precision.png   # README, mixed precision

A preset may name a precision after a colon (``PRESET:PRECISION``, see
``config.PRECISIONS``): the same recipe computed under that dtype policy; and recipe
fields after commas (``PRESET,FIELD=VALUE,...``), e.g. a candidate default:

    python benchmarks/time_to_quality.py --budgets 5 --seeds 0 1 2 --presets dcgan-mnist \
        dcgan-mnist,generator_average_decay=0.998,generator_learning_rate=4e-4,discriminator_learning_rate=4e-4

With several ``--seeds`` each spec trains once per seed and the table gives every run
and the mean judge-FID per spec and budget, with its ratio to the first spec's.

Prints a Markdown table and writes a plot to benchmarks/results/time_to_quality.png.
Target: dcgan-mnist at 5 minutes reaches a judge-FID at least 3x lower than
dcgan-mnist-tutorial at 10 minutes, with all 10 digits covered.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("GANLAB_OFFLINE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402

from ganlab import callbacks, config, gans, judge, runs  # noqa: E402


class BudgetSnapshots(keras.callbacks.Callback):
    """Copy the generator's weights once each budget (minutes of training) has passed."""

    def __init__(self, budgets_minutes):
        super().__init__()
        self.budgets = sorted(budgets_minutes)
        self.snapshots: dict[float, dict] = {}

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def _snapshot(self) -> dict:
        # the generator a run draws with: the averaged copy when the recipe keeps one
        return {"weights": callbacks.sampling_generator(self.model).get_weights(), "steps": callbacks.steps_taken(self.model)}

    def on_train_batch_end(self, batch, logs=None):
        minutes = (time.perf_counter() - self.started) / 60
        for budget in self.budgets:
            if budget not in self.snapshots and minutes >= budget:
                self.snapshots[budget] = self._snapshot()

    def on_train_end(self, logs=None):
        # the time limit stops within a step of the last budget: snapshot it if not yet done
        for budget in self.budgets:
            if budget not in self.snapshots:
                self.snapshots[budget] = self._snapshot()


def recipe_for(spec: str, seed: int | None = None):
    """The recipe of ``PRESET[:PRECISION][,FIELD=VALUE...]``, with ``seed`` if given."""
    head, *settings = spec.split(",")
    preset, _, precision = head.partition(":")
    recipe = config.get_preset(preset)
    changes = {}
    for setting in settings:
        name, _, text = setting.partition("=")
        if not hasattr(recipe, name):
            raise SystemExit(f"unknown recipe field {name!r} in {spec!r}")
        kind = type(getattr(recipe, name))  # numbers and names; tuples are not settable here
        changes[name] = (text == "true") if kind is bool else kind(float(text)) if kind in (int, float) else text
    return recipe.replace(epochs=100_000, precision=precision or None, seed=seed, **changes)


def train_with_snapshots(spec: str, budgets, out_dir: Path, seed: int | None = None):
    """Train ``spec`` (see ``recipe_for``) for the largest budget; return the recipe,
    the generator and {budget: (generator weights, steps)}."""
    if out_dir.exists():
        raise SystemExit(f"{out_dir} exists: remove it, each measurement starts its run fresh")
    recipe = recipe_for(spec, seed)
    snapshots = BudgetSnapshots(budgets)
    runs.train(recipe, out_dir, minutes=max(budgets), verbose=0, extra_callbacks=[snapshots])
    generator = runs.load_generator(out_dir)
    return recipe, generator, {budget: (s["weights"], s["steps"]) for budget, s in snapshots.snapshots.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[2, 5, 10])
    parser.add_argument("--presets", nargs="+", default=["dcgan-mnist", "dcgan-mnist-tutorial"])
    parser.add_argument("--seeds", type=int, nargs="+", help="train each spec once per seed (default: the recipe's seed)")
    parser.add_argument("--json", type=Path, help="also write every run's scores to this JSON file")
    parser.add_argument("--out", type=Path, default=Path("runs/time-to-quality"))
    parser.add_argument("--plot", type=Path, default=Path("benchmarks/results/time_to_quality.png"))
    args = parser.parse_args()

    rows = []
    for preset in args.presets:
        for seed in args.seeds or [None]:
            label = preset if seed is None else f"{preset} (seed {seed})"
            folder = args.out / (preset.replace(":", "-").replace(",", "-").replace("=", "") + ("" if seed is None else f"-seed{seed}"))
            _, generator, snapshots = train_with_snapshots(preset, args.budgets, folder, seed)
            for budget in sorted(snapshots):
                weights, steps = snapshots[budget]
                generator.set_weights(weights)
                images = gans.generate_images(generator, judge.SAMPLE_SIZE, seed=0)
                scores = judge.score_mnist(images, include_real=False)["generated"]
                rows.append((label, budget, steps, scores))
                print(f"{label} at {budget:g} min: {steps} steps, {judge.format_scores({'': scores}).splitlines()[1]}", flush=True)
    real = judge.score_mnist(judge.reference_digits()[1])["real"]
    if args.seeds and len(args.seeds) > 1:
        print_means(rows, args.presets, args.budgets)
    if args.json:
        import json

        keep = ("judge_fid", "kid", "judge_is", "coverage", "histogram")
        records = [{"run": label, "minutes": budget, "steps": steps, **{key: scores[key] for key in keep}} for label, budget, steps, scores in rows]
        args.json.write_text(json.dumps({"runs": records, "real": {key: real[key] for key in keep}}, indent=2))

    print("\n| preset | minutes | steps | judge-FID | KID | judge-IS | digits covered |")
    print("|---|---|---|---|---|---|---|")
    for preset, budget, steps, scores in rows:
        print(
            f"| {preset} | {budget:g} | {steps:,} | {scores['judge_fid']:.2f} | {scores['kid']:.3f} "
            f"| {scores['judge_is']:.2f} | {scores['coverage']}/10 |"
        )
    print(f"| real digits (held out) | - | - | {real['judge_fid']:.2f} | {real['kid']:.3f} | {real['judge_is']:.2f} | {real['coverage']}/10 |")
    plot(rows, real, args.plot)
    print(f"\nplot: {args.plot}")


def print_means(rows, specs, budgets):
    """Mean judge-FID over seeds per spec and budget, with its ratio to the first spec's."""
    import numpy as np

    print("\n| spec | minutes | runs | mean judge-FID | ratio to the first spec | all digits in every run |")
    print("|---|---|---|---|---|---|")
    for budget in sorted(budgets):
        means = {}
        for spec in specs:
            chosen = [scores for label, at, _, scores in rows if label.split(" (seed")[0] == spec and at == budget]
            means[spec] = float(np.mean([scores["judge_fid"] for scores in chosen]))
            every = all(scores["coverage"] == 10 for scores in chosen)
            print(f"| {spec} | {budget:g} | {len(chosen)} | {means[spec]:.1f} | {means[spec] / means[specs[0]]:.2f} | {'yes' if every else 'no'} |")


def plot(rows, real, path: Path):
    """FID, IS and coverage against minutes of training, one line per preset."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    panels = [("judge_fid", "judge-FID (lower is better)"), ("judge_is", "judge-IS (higher is better)"), ("coverage", "digits covered")]
    for axis, (key, title) in zip(axes, panels):
        for preset in dict.fromkeys(row[0] for row in rows):
            points = [(budget, scores[key]) for name, budget, _, scores in rows if name == preset]
            axis.plot(*zip(*points), marker="o", label=preset)
        axis.axhline(real[key], color="grey", linestyle="--", linewidth=1, label="real digits")
        axis.set_xlabel("minutes of training (2-core CPU)")
        axis.set_title(title)
    axes[0].set_yscale("log")
    axes[2].set_ylim(0, 10.5)
    axes[0].legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)


if __name__ == "__main__":
    main()
