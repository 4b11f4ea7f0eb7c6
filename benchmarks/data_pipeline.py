"""How fast ganlab's image pipeline feeds a GAN, against the loader it replaces.

The reference is a plain Python loop with PIL, as the seed chapter loads CelebA: open
each JPEG, crop the face box, resize to 64x64, stack. ganlab's ``ImageFolder`` does the
same crop and resize inside ``tf.data`` (parallel decode of only the crop window, area
resize, memory cache). Both run in this process on the same generated folder of
CelebA-sized JPEGs (178x218 crops of scikit-image's photographs); the ratio is printed,
with how far the two results differ per pixel. The second pass reads the cache.

    python benchmarks/data_pipeline.py [--images 10000] [--repeats 3] [--out benchmarks/results/data_pipeline.md]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

CROP = (25, 65, 153, 193)  # ganlab.data.CELEBA_CROP, repeated so the reference loop needs no ganlab
SIZE = 64


def write_jpegs(folder: Path, count: int) -> list[Path]:
    """``count`` 178x218 JPEGs cut from scikit-image's photographs at varying places."""
    from PIL import Image
    from skimage import data as photos

    pictures = [photos.astronaut(), photos.coffee(), photos.chelsea(), photos.rocket()]
    paths = []
    for index in range(count):
        picture = pictures[index % len(pictures)]
        top = (index * 7) % (picture.shape[0] - 218)
        left = (index * 13) % (picture.shape[1] - 178)
        path = folder / f"{index:06d}.jpg"
        Image.fromarray(np.ascontiguousarray(picture[top : top + 218, left : left + 178])).save(path, quality=90)
        paths.append(path)
    return paths


def pil_loop(paths) -> np.ndarray:
    """The reference: one image at a time with PIL, scaled to [-1, 1] for the GAN."""
    from PIL import Image

    images = []
    for path in paths:
        with Image.open(path) as picture:
            images.append(np.asarray(picture.convert("RGB").crop(CROP).resize((SIZE, SIZE), Image.BILINEAR)))
    return (np.stack(images).astype(np.float32) - 127.5) / 127.5


def drain(dataset) -> np.ndarray:
    """Every batch as one array (the comparable result of the PIL loop)."""
    return np.concatenate([batch.numpy() for batch in dataset])


def deliver(dataset) -> int:
    """Run through every batch as training would: tensors, no copy into numpy."""
    return sum(int(batch.shape[0]) for batch in dataset)


def measure(count: int, repeats: int) -> dict:
    """Images per second of the PIL loop, the pipeline's first pass and its cached pass."""
    from ganlab import data

    with tempfile.TemporaryDirectory() as folder:
        paths = write_jpegs(Path(folder), count)
        rates = {"PIL loop": [], "tf.data, first epoch": [], "tf.data, later epochs (cache)": []}
        difference = None
        warm_up = data.load_image_folder(folder, SIZE, crop=CROP)  # TensorFlow's start-up is not the pipeline's
        drain(warm_up.dataset(256, shuffle=False, drop_remainder=False))
        for _ in range(repeats):
            started = time.perf_counter()
            reference = pil_loop(paths)
            rates["PIL loop"].append(count / (time.perf_counter() - started))

            # first epoch: decode every file in parallel, fill the cache, deliver the batches
            started = time.perf_counter()
            images = data.load_image_folder(folder, SIZE, crop=CROP, cache="memory")
            batches = images.dataset(256, shuffle=False, drop_remainder=False)
            decoded = drain(batches)
            rates["tf.data, first epoch"].append(count / (time.perf_counter() - started))
            started = time.perf_counter()
            deliver(batches)
            rates["tf.data, later epochs (cache)"].append(count / (time.perf_counter() - started))
            difference = float(np.abs(decoded - reference).mean() * 127.5)
    medians = {name: statistics.median(values) for name, values in rates.items()}
    return {"rates": medians, "difference": difference, "count": count, "repeats": repeats}


def table(result: dict) -> str:
    """A markdown table of the measurement, ratios against the PIL loop."""
    reference = result["rates"]["PIL loop"]
    lines = ["| loader | images/s | vs PIL loop |", "|---|---:|---:|"]
    for name, rate in result["rates"].items():
        lines.append(f"| {name} | {rate:,.0f} | {rate / reference:.1f}x |")
    lines.append("")
    lines.append(
        f"{result['count']:,} JPEGs of 178x218 cropped to 128x128 and resized to {SIZE}x{SIZE}; median of "
        f"{result['repeats']} runs on {os.cpu_count()} CPU cores. Mean difference between the two loaders' "
        f"pixels: {result['difference']:.2f} of 255 (an area average against PIL's bilinear shrink)."
    )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the table to this markdown file")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    markdown = table(measure(args.images, args.repeats))
    print(markdown)
    if args.out:
        args.out.write_text(markdown + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
