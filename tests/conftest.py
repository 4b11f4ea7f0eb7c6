"""Shared fixtures. Tests never touch the network: GANLAB_OFFLINE=1 forces the embedded
MNIST digits, and TensorFlow runs on the CPU."""

import os

os.environ["GANLAB_OFFLINE"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

import pytest  # noqa: E402

from ganlab import config  # noqa: E402


@pytest.fixture
def tiny_config():
    """The default recipe on narrow networks and 128 digits: seconds per epoch, same code."""
    return config.get_preset("dcgan-mnist").replace(
        generator_widths=(32, 16, 8),
        discriminator_widths=(8, 16),
        batch_size=32,
        max_images=128,
        epochs=2,
        monitor_images=16,
    )
