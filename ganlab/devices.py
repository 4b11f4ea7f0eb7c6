"""The accelerators this process trains on.

TensorFlow takes nearly all of a GPU's memory the first time it touches the GPU. A
notebook's kernel would then leave nothing for ``!python -m ganlab train ...`` started
from one of its cells (and that run would fail with an out-of-memory error), so both the
chapters' set-up and the command line ask TensorFlow to grow its share as needed
instead, before anything runs on the GPU.
"""

from __future__ import annotations


def allow_memory_growth() -> tuple[str, ...]:
    """Let TensorFlow take GPU memory as it needs it, on every GPU; return the GPUs' names.

    Must run before TensorFlow first uses a GPU; if it already has, the setting cannot
    change any more and the GPUs are returned as they are.
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # "Physical devices cannot be modified after being initialized"
            pass
    return tuple(gpu.name.removeprefix("/physical_device:") for gpu in gpus)
