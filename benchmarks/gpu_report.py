"""Gather the parts of ``benchmarks/gpu_check.sh`` into one JSON and one Markdown table:
``python benchmarks/gpu_report.py OUT_DIR`` (the check runs it last)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def device_name() -> str:
    """The first GPU's name as TensorFlow reports it, or 'no GPU'."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name) if gpus else "no GPU"


def _read(path: Path):
    return json.loads(path.read_text()) if path.is_file() else None


def report(folder: Path, device: str) -> tuple[dict, str]:
    """(everything as one dict, a Markdown report) from the parts' JSON files in ``folder``."""
    parts = {name: _read(folder / f"{name}.json") for name in ("throughput", "throughput_xla", "time_to_quality")}
    chapter = (folder / "chapter2.log").read_text() if (folder / "chapter2.log").is_file() else ""
    summary = (chapter.strip().splitlines() or ["not run"])[-1]
    lines = [f"# GPU check on {device}", "", "| XLA | precision | steps per call | plain loop (img/s) | ganlab fit (img/s) | ratio |",
             "|---|---|---|---|---|---|"]
    for name in ("throughput", "throughput_xla"):
        for row in (parts[name] or {}).get("rows", []):
            lines.append(f"| {'on' if row['xla'] else 'off'} | {row['precision']} | {row['steps_per_call']} | "
                         f"{row['plain_loop_images_per_second']:.0f} | {row['ganlab_images_per_second']:.0f} | {row['ratio']:.2f} |")
    for run in (parts["time_to_quality"] or {}).get("runs", []):
        lines += ["", f"Time to quality: {run['run']} after {run['minutes']:g} minutes: {run['steps']:,} steps, "
                      f"judge-FID {run['judge_fid']:.1f}, judge-IS {run['judge_is']:.2f}, {run['coverage']}/10 digits."]
    lines += ["", f"Chapter 2 in quick mode under nbval: {summary}"]
    return {"device": device, **parts, "chapter2": summary}, "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    """Write OUT_DIR/gpu_check.json and OUT_DIR/gpu_check.md; print the Markdown."""
    folder = Path(argv[0])
    everything, markdown = report(folder, device_name())
    (folder / "gpu_check.json").write_text(json.dumps(everything, indent=2))
    (folder / "gpu_check.md").write_text(markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
