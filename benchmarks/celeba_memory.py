"""How much memory CelebA takes in a run: the resident memory of ganlab's image pipeline
over a generated folder of CelebA-sized JPEGs, scaled to CelebA's 202,599 images.

The folder is decoded once (``len`` scans it into one uint8 array); the first
``dataset`` call hands that array to TensorFlow and lets the decoded copy go, and
batches are gathered from it. Resident memory (and its peak) is read from
``/proc/self/status`` after each stage; the per-image cost above the starting point is
multiplied out to the full dataset.

    python benchmarks/celeba_memory.py [--images 20000] [--size 64]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

CELEBA_IMAGES = 202_599


def memory_gb() -> dict:
    """Resident and peak resident memory of this process, in GB (Linux)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return {"resident": int(fields["VmRSS"].split()[0]) / 1e6, "peak": int(fields["VmHWM"].split()[0]) / 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20_000)
    parser.add_argument("--size", type=int, default=64)
    args = parser.parse_args()

    import tensorflow as tf  # noqa: F401  (its own start-up memory is not the pipeline's)
    from data_pipeline import write_jpegs

    from ganlab import data

    with tempfile.TemporaryDirectory() as folder:
        images = Path(folder) / "img_align_celeba"
        images.mkdir()
        write_jpegs(images, args.images)
        faces = data.load_celeba(folder, image_size=args.size, verbose=False)
        start = memory_gb()
        len(faces)
        scanned = memory_gb()
        for _ in faces.dataset(64, repeat=True).take(20):
            pass
        training = memory_gb()
    per_image = {stage: (reading["resident"] - start["resident"]) / args.images for stage, reading in (("scanned", scanned), ("training", training))}
    peak_per_image = (training["peak"] - start["resident"]) / args.images
    array_gb = CELEBA_IMAGES * args.size * args.size * 3 / 1e9
    print(f"{args.images:,} images of {args.size}x{args.size}x3: one uint8 array is {args.images * args.size**2 * 3 / 1e9:.2f} GB")
    print(f"resident above the start: scanned {per_image['scanned'] * args.images:.2f} GB, training {per_image['training'] * args.images:.2f} GB, "
          f"peak {peak_per_image * args.images:.2f} GB")
    print(f"CelebA ({CELEBA_IMAGES:,} images, array {array_gb:.2f} GB): about {per_image['training'] * CELEBA_IMAGES:.1f} GB while training, "
          f"{peak_per_image * CELEBA_IMAGES:.1f} GB at the peak")


if __name__ == "__main__":
    main()
