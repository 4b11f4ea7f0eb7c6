import pytest
import tensorflow as tf

from ganlab import devices


class FakeGPU:
    def __init__(self, name):
        self.name = name


def test_memory_growth_is_asked_for_on_every_gpu(monkeypatch):
    asked = []
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind: [FakeGPU("/physical_device:GPU:0"), FakeGPU("/physical_device:GPU:1")])
    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", lambda gpu, grow: asked.append((gpu.name, grow)))
    assert devices.allow_memory_growth() == ("GPU:0", "GPU:1")
    assert asked == [("/physical_device:GPU:0", True), ("/physical_device:GPU:1", True)]


def test_a_gpu_already_in_use_keeps_its_setting(monkeypatch):
    def refuse(gpu, grow):
        raise RuntimeError("Physical devices cannot be modified after being initialized")

    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind: [FakeGPU("/physical_device:GPU:0")])
    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", refuse)
    assert devices.allow_memory_growth() == ("GPU:0",)


def test_no_gpu_no_change():
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    assert devices.allow_memory_growth() == ()
