"""Showing ganlab's own code in a chapter: ``book.show_source("ganlab.gans.GAN.train_step")``.

The listing is an output of the cell, read from the installed package when the chapter
runs, so the page always shows the code that produced its results; a copy pasted into
Markdown could drift. It renders with syntax highlighting as HTML (Jupyter, Colab, Kaggle
and the built book: inline styles, no style sheet needed) and as plain text elsewhere.
"""

from __future__ import annotations

import importlib
import inspect
import textwrap
from pathlib import Path

import ganlab
from ganlab.errors import UsageError


def resolve(target: str):
    """The object a dotted path names, e.g. ``"ganlab.losses.wasserstein_gradient_penalty"``
    or ``"ganlab.gans.WGAN.train_step"``: the longest importable module, then attributes."""
    parts = target.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for index, name in enumerate(parts[split:], start=split):
            try:
                found = getattr(found, name)
            except AttributeError:
                raise LookupError(f"{target}: {'.'.join(parts[:index])} has no attribute {name!r}") from None
        return found
    raise LookupError(f"{target}: no module {parts[0]!r} to import")


class SourceListing:
    """The source of one function or class, with where it lives; displays highlighted."""

    def __init__(self, target: str):
        found = inspect.unwrap(resolve(target))
        try:
            lines, first_line = inspect.getsourcelines(found)
        except (TypeError, OSError) as error:
            raise LookupError(f"{target}: no Python source to show ({error})") from None
        self.target = target
        self.code = textwrap.dedent("".join(lines)).rstrip() + "\n"
        path = Path(inspect.getsourcefile(found)).resolve()
        package_root = Path(ganlab.__file__).resolve().parents[1]
        self.where = str(path.relative_to(package_root)) if path.is_relative_to(package_root) else path.name
        self.first_line, self.last_line = first_line, first_line + len(lines) - 1

    @property
    def caption(self) -> str:
        """``ganlab/gans.py, lines 234-252: ganlab.gans.GAN.train_step``"""
        return f"{self.where}, lines {self.first_line}-{self.last_line}: {self.target}"

    def __repr__(self) -> str:
        return f"# {self.caption}\n{self.code}"

    def _repr_html_(self) -> str:
        import html

        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer

        body = highlight(self.code, PythonLexer(), HtmlFormatter(noclasses=True, style="default"))
        return (f'<div class="ganlab-source"><div style="font-size: 0.85em; color: #555; margin-bottom: 2px">'
                f"{html.escape(self.caption)}</div>{body}</div>")


class SourceListings:
    """Several listings shown one after the other, as one output."""

    def __init__(self, listings: list[SourceListing]):
        self.listings = listings

    def __repr__(self) -> str:
        return "\n".join(repr(listing) for listing in self.listings)

    def _repr_html_(self) -> str:
        return "".join(listing._repr_html_() for listing in self.listings)


def show_source(*targets: str):
    """The source of each function or class ``targets`` name (dotted paths in ganlab) as
    the cell's output: highlighted in notebooks and in the book."""
    if not targets:
        raise UsageError("name at least one function or class, e.g. 'ganlab.gans.GAN.train_step'")
    listings = [SourceListing(target) for target in targets]
    return listings[0] if len(listings) == 1 else SourceListings(listings)
