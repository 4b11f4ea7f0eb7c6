"""The book's images from the checkout, not from GitHub.

A chapter's Markdown addresses its images (the "Open in Colab / Kaggle" badges, the
benchmark plots) on GitHub's raw host, ``https://raw.githubusercontent.com/OWNER/NAME/
BRANCH/PATH``, because Colab, Kaggle and GitHub's notebook viewer have nothing but the
notebook (``tools/sync_notebooks.py`` writes those addresses from ``_config.yml``). The
built book must load nothing from outside, so this transform points every such image at
the same ``PATH`` in the checkout that is being built, and Sphinx copies it in like any
local image. An address whose file is not in the checkout is left alone (the browser
test then reports it as a request to the outside).
"""

from __future__ import annotations

import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform

__version__ = "1.0"

RAW_ADDRESS = re.compile(r"https://raw\.githubusercontent\.com/[^/]+/[^/]+/[^/]+/(?P<path>.+)")


class LocalRepositoryImages(SphinxTransform):
    # before Sphinx collects the images of the document (at doctree-read)
    default_priority = 400

    def apply(self, **kwargs) -> None:
        for image in self.document.findall(nodes.image):
            match = RAW_ADDRESS.fullmatch(image.get("uri", ""))
            if match and (Path(self.env.srcdir) / match.group("path")).is_file():
                # a leading slash: relative to the book's source folder, not the page
                image["uri"] = "/" + match.group("path")


def setup(app):
    app.add_transform(LocalRepositoryImages)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
