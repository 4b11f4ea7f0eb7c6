"""The rendered book, opened page by page in headless Chromium (Debian's /usr/bin/chromium,
driven by Playwright): no console errors, no failed or outside requests, every image
loaded, a figure on every chapter page, rendered math. Screenshots go to
_build/screenshots/.

The book is built by `make book` (part of `make test`); when it is missing or older than
its sources, the fixture builds it the same way.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
CHAPTERS = sorted(path.stem for path in (ROOT / "book").glob("[0-9][0-9]_*.ipynb"))


def _sources() -> list[Path]:
    sources = [ROOT / "_config.yml", ROOT / "_toc.yml", *ROOT.glob("book/*.md"), *ROOT.glob("book/*.ipynb")]
    return sources + list(ROOT.glob("book/images/*")) + list(ROOT.glob("benchmarks/results/*"))


def _build_is_current() -> bool:
    index = HTML / "index.html"
    if not index.exists():
        return False
    built = index.stat().st_mtime
    return all(source.stat().st_mtime <= built for source in _sources())


@pytest.fixture(scope="session")
def site():
    """The base URL of the built book, served over HTTP from _build/html on localhost."""
    if not _build_is_current():
        if shutil.which("make") is None:
            pytest.fail("the book is not built and make is missing: run `make book`")
        subprocess.run(["make", "book"], cwd=ROOT, check=True)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(HTML))

    class QuietHandler(handler.func):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _pages() -> list[str]:
    """Every page the book links from its table of contents (the root and every ``file:``
    entry of _toc.yml), as paths under _build/html."""
    toc = (ROOT / "_toc.yml").read_text()
    entries = re.findall(r"^\s*(?:root|-\s*file):\s*(\S+)\s*$", toc, re.M)
    return [f"{entry}.html" for entry in entries]


def _visit(browser, site: str, page_path: str) -> dict:
    """Open one page; return what went wrong on it and what it shows."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda response: problems.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None)
    page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url} ({request.failure})"))
    page.on("request", lambda request: None if request.url.startswith((site, "data:", "blob:")) else problems.append(f"outside request: {request.url}"))
    response = page.goto(f"{site}/{page_path}", wait_until="networkidle")
    if response is None or not response.ok:
        problems.append(f"status {response.status if response else 'none'} for {page_path}")
    # Scroll through the page so that lazily loaded images load, then wait for all of them.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_function("Array.from(document.images).every(image => image.complete)", timeout=20_000)
    images = page.evaluate(
        "Array.from(document.images).map(image => ({src: image.currentSrc.slice(0, 80), width: image.naturalWidth,"
        " figure: !!image.closest('.cell_output, figure')}))"
    )
    math = page.evaluate("document.querySelectorAll('mjx-container').length")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # One tall viewport rather than a stitched full-page shot, which repeats the sticky header.
    height = page.evaluate("document.documentElement.scrollHeight")
    page.set_viewport_size({"width": 1280, "height": min(height, 30_000)})
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / (page_path.replace("/", "_").removesuffix(".html") + ".png")))
    title = page.title()
    page.close()
    return {"problems": problems, "images": images, "math": math, "title": title}


@pytest.mark.parametrize("page_path", _pages())
def test_page_loads_cleanly_with_every_image(browser, site, page_path):
    visit = _visit(browser, site, page_path)
    assert visit["problems"] == []
    broken = [image["src"] for image in visit["images"] if image["width"] == 0]
    assert broken == [], f"images that did not load: {broken}"
    assert (SCREENSHOTS / (page_path.replace("/", "_").removesuffix(".html") + ".png")).stat().st_size > 10_000


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_shows_figures_and_math(browser, site, chapter):
    visit = _visit(browser, site, f"book/{chapter}.html")
    figures = [image for image in visit["images"] if image["figure"] and image["width"] > 0]
    assert len(figures) >= 1, "a chapter page must show at least one figure from its outputs"
    assert visit["math"] > 0, "math did not render (is the vendored MathJax served?)"
    assert visit["title"].startswith(chapter[:2].lstrip("0") + ".")


def test_every_chapter_and_page_is_in_the_table_of_contents():
    assert CHAPTERS, "no chapters found in book/"
    pages = _pages()
    assert pages[0] == "book/intro.html"
    for chapter in CHAPTERS:
        assert f"book/{chapter}.html" in pages
    assert "book/where_next.html" in pages  # the closing page
    for page in pages:
        assert (ROOT / page.replace(".html", ".md")).exists() or (ROOT / page.replace(".html", ".ipynb")).exists(), page


def test_latent_explorers_static_sliders_change_the_picture(browser, site):
    """The rendered book has no kernel: each explorer of chapter 6 is precomputed frames
    behind a slider. Moving each slider (and the lerp/slerp choice) must change the
    picture, with the page's own inline script and nothing fetched."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{site}/book/06_latent_space.html", wait_until="networkidle")
    explorers = page.locator(".ganlab-slider")
    assert explorers.count() >= 4, "chapter 6 shows an interpolation, a class and two direction explorers"
    move_to_start = "slider => { slider.value = slider.min; slider.dispatchEvent(new Event('input')); }"
    for index in range(explorers.count()):
        explorer = explorers.nth(index)
        frame = explorer.locator("img.ganlab-slider-frame")
        before, label_before = frame.get_attribute("src"), explorer.locator(".ganlab-slider-position").text_content()
        assert before.startswith("data:image/png;base64,")
        explorer.locator("input[type=range]").evaluate(move_to_start)
        assert frame.get_attribute("src") != before, f"explorer {index}: the slider did not change the picture"
        assert explorer.locator(".ganlab-slider-position").text_content() != label_before
    first = explorers.first
    frame = first.locator("img.ganlab-slider-frame")
    slerp_start = frame.get_attribute("src")
    first.locator("input[type=radio][value=lerp]").check()
    # both paths start at the same code, so compare away from the ends
    first.locator("input[type=range]").evaluate("slider => { slider.value = 8; slider.dispatchEvent(new Event('input')); }")
    lerp_middle = frame.get_attribute("src")
    first.locator("input[type=radio][value=slerp]").check()
    assert frame.get_attribute("src") != lerp_middle and frame.get_attribute("src") != slerp_start
    page.close()
    assert errors == []
