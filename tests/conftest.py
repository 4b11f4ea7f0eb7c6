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


@pytest.fixture
def load_tool():
    """Import a script of ``tools/`` (asset building, not part of the package) by name."""
    import importlib.util
    from pathlib import Path

    def load(name):
        path = Path(__file__).resolve().parents[1] / "tools" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"tools_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture(autouse=True)
def _close_figures():
    """Each test's figures are closed after it: a worker runs hundreds of plotting tests."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


CHROMIUM = "/usr/bin/chromium"
# Flags for a sandboxed CI machine with no outside network: without the background
# networking ones Chromium keeps trying (and failing) to reach Google's services.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, one for the whole session: Playwright runs
    one synchronous session per thread, so every browser test (the built book, the
    explorers in JupyterLab) shares this one."""
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install-book` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
