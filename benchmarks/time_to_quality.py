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
``config.PRECISIONS``): the same recipe computed under that dtype policy.

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

from ganlab import config, gans, judge, runs  # noqa: E402


class BudgetSnapshots(keras.callbacks.Callback):
    """Copy the generator's weights once each budget (minutes of training) has passed."""

    def __init__(self, budgets_minutes):
        super().__init__()
        self.budgets = sorted(budgets_minutes)
        self.snapshots: dict[float, dict] = {}

    def on_train_begin(self, logs=None):
        self.started = time.perf_counter()

    def _snapshot(self) -> dict:
        # the generator's optimizer (a VAE's only optimizer) counts the training steps taken so far
        optimizer = getattr(self.model, "g_optimizer", None) or self.model.optimizer
        return {"weights": self.model.generator.get_weights(), "steps": int(optimizer.iterations)}

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


def recipe_for(spec: str):
    """The recipe of ``PRESET`` or ``PRESET:PRECISION``."""
    preset, _, precision = spec.partition(":")
    return config.get_preset(preset).replace(epochs=100_000, precision=precision or None)


def train_with_snapshots(spec: str, budgets, out_dir: Path):
    """Train ``spec`` (``PRESET[:PRECISION]``) for the largest budget; return the recipe,
    the generator and {budget: (generator weights, steps)}."""
    if out_dir.exists():
        raise SystemExit(f"{out_dir} exists: remove it, each measurement starts its run fresh")
    recipe = recipe_for(spec)
    snapshots = BudgetSnapshots(budgets)
    runs.train(recipe, out_dir, minutes=max(budgets), verbose=0, extra_callbacks=[snapshots])
    generator = runs.load_generator(out_dir)
    return recipe, generator, {budget: (s["weights"], s["steps"]) for budget, s in snapshots.snapshots.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budgets", type=float, nargs="+", default=[2, 5, 10])
    parser.add_argument("--presets", nargs="+", default=["dcgan-mnist", "dcgan-mnist-tutorial"])
    parser.add_argument("--out", type=Path, default=Path("runs/time-to-quality"))
    parser.add_argument("--plot", type=Path, default=Path("benchmarks/results/time_to_quality.png"))
    args = parser.parse_args()

    rows = []
    for preset in args.presets:
        _, generator, snapshots = train_with_snapshots(preset, args.budgets, args.out / preset.replace(":", "-"))
        for budget in sorted(snapshots):
            weights, steps = snapshots[budget]
            generator.set_weights(weights)
            images = gans.generate_images(generator, judge.SAMPLE_SIZE, seed=0)
            scores = judge.score_mnist(images, include_real=False)["generated"]
            rows.append((preset, budget, steps, scores))
            print(f"{preset} at {budget:g} min: {steps} steps, {judge.format_scores({'': scores}).splitlines()[1]}", flush=True)
    real = judge.score_mnist(judge.reference_digits()[1])["real"]

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
