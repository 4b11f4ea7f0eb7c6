"""What turning oneDNN off would cost: training steps per second of a preset with
TensorFlow's oneDNN optimisations on (the default) and off (``TF_ENABLE_ONEDNN_OPTS=0``,
the one setting that also silences TensorFlow's "oneDNN custom operations" start-up line).

The setting is read when TensorFlow is imported, so each measurement is a child process;
the two settings alternate, ``--repeats`` times each, and medians are compared in this run.
This is why ganlab filters the start-up line (``ganlab.book.stderr_filter``) instead.

    python benchmarks/onednn.py [--preset dcgan-mnist] [--steps 60] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = """
import json, sys, time
import keras
from ganlab import config, data, runs
recipe = config.get_preset(sys.argv[1]).replace(steps_per_execution=1)
steps = int(sys.argv[2])
digits = data.load_mnist(source="embedded", verbose=False)
gan = runs.build_gan(recipe)
batches = iter(data.make_dataset(digits.images, recipe.batch_size, seed=0, repeat=True))
gan.make_train_function()
step = gan.train_function
for _ in range(5):  # compile and warm up
    step(batches)
started = time.perf_counter()
for _ in range(steps):
    logs = step(batches)
keras.ops.convert_to_numpy(logs["d_loss"])  # wait for the last step
print(json.dumps({"steps_per_second": steps / (time.perf_counter() - started)}))
"""


def measure(preset: str, steps: int, onednn: bool) -> float:
    """Steps per second of ``preset`` in a fresh process with oneDNN on or off."""
    environment = dict(os.environ, TF_ENABLE_ONEDNN_OPTS="1" if onednn else "0", TF_CPP_MIN_LOG_LEVEL="2")
    finished = subprocess.run(
        [sys.executable, "-c", CHILD, preset, str(steps)], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(finished.stdout.strip().splitlines()[-1])["steps_per_second"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="dcgan-mnist")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rates = {True: [], False: []}
    for _ in range(args.repeats):
        for onednn in (True, False):
            rates[onednn].append(measure(args.preset, args.steps, onednn))
    on, off = statistics.median(rates[True]), statistics.median(rates[False])
    print(f"{args.preset}: oneDNN on {on:.1f} steps/s, off {off:.1f} steps/s; on/off = {on / off:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
