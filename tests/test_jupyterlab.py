"""A latent explorer driven in a real JupyterLab, as a reader drives it: JupyterLab from the
project's environment on a free local port, Debian's Chromium through Playwright, a
notebook that shows an ``InterpolationExplorer``, and a drag of its slider.

The picture must change when the slider moves, and be drawn at its own size: before, a
160-pixel row of digits was stretched to the cell's full width.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CELL = """import keras
from ganlab import models, widgets
keras.utils.set_random_seed(0)
explorer = widgets.InterpolationExplorer(models.dcgan_generator(latent_dim=8, widths=(16, 8)), frames=9, scale=5)
explorer"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """The address of a JupyterLab serving a folder with ``explorer.ipynb``; stopped after."""
    folder = tmp_path_factory.mktemp("lab")
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": CELL}],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
                "nbformat": 4, "nbformat_minor": 5}
    (folder / "explorer.ipynb").write_text(json.dumps(notebook))
    port = _free_port()
    settings = folder / "settings"
    environment = dict(os.environ, PYTHONPATH=str(ROOT), GANLAB_OFFLINE="1", TF_CPP_MIN_LOG_LEVEL="3",
                       JUPYTER_CONFIG_DIR=str(settings / "config"), JUPYTERLAB_WORKSPACES_DIR=str(settings / "workspaces"))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
               "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={folder}", "--LabApp.news_url=None"]
    server = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{address}/api/status", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("JupyterLab did not start within 60 s")
                time.sleep(0.5)
        yield address
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_for_an_idle_kernel(address: str, seconds: float = 60) -> None:
    """Until the notebook's kernel has started: a cell run before that may be lost."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{address}/api/kernels", timeout=5) as answer:
            if any(kernel.get("execution_state") == "idle" for kernel in json.load(answer)):
                return
        time.sleep(0.5)
    pytest.fail(f"the notebook's kernel did not start within {seconds:g} s")


def _picture(page) -> dict:
    return page.evaluate("""() => {
        const image = document.querySelector('.jp-OutputArea img.widget-image, .jp-OutputArea .jupyter-widgets img');
        const cell = document.querySelector('.jp-OutputArea-output');
        const box = image.getBoundingClientRect();
        return {src: image.src, width: box.width, height: box.height, natural: image.naturalWidth,
                naturalHeight: image.naturalHeight, cell: cell.getBoundingClientRect().width};
    }""")


def test_the_explorer_redraws_as_its_slider_is_dragged_and_keeps_its_own_size(jupyterlab, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{jupyterlab}/lab/tree/explorer.ipynb", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content", timeout=60_000)
        _wait_for_an_idle_kernel(jupyterlab)
        page.click(".jp-Notebook .jp-Cell .cm-content")
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(".jp-OutputArea .noUi-handle", timeout=120_000)
        page.wait_for_function("document.querySelector('.jp-OutputArea img') && document.querySelector('.jp-OutputArea img').naturalWidth > 0",
                               timeout=30_000)
        before = _picture(page)
        handle = page.locator(".jp-OutputArea .noUi-handle").first.bounding_box()
        page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
        page.mouse.down()
        page.mouse.move(handle["x"] + 80, handle["y"] + handle["height"] / 2, steps=8)
        page.mouse.up()
        page.wait_for_function(f"document.querySelector('.jp-OutputArea img').src !== {json.dumps(before['src'])}", timeout=30_000)
        after = _picture(page)
    finally:
        page.close()
    assert after["src"] != before["src"]
    for picture in (before, after):
        # one screen pixel per picture pixel, far narrower than the cell it sits in
        assert abs(picture["width"] - picture["natural"]) <= 1 and abs(picture["height"] - picture["naturalHeight"]) <= 1, picture
        assert picture["width"] < picture["cell"] / 2, picture
