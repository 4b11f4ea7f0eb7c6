"""The book's API page: one list of modules in, a summary table and one section per module out.

Used in book/api.md inside an ``{eval-rst}`` block::

    .. ganlab-api::

       ganlab.config
       ganlab.data

Each line names a module; the directive writes an ``autosummary`` table of them (name and
the first line of its docstring) and, for each, a section titled with the module's name
holding ``.. automodule:: NAME`` with ``:members:``. Adding a module to the page is adding
one line. Lines starting with ``#`` are ignored.

The directive only generates reStructuredText for Sphinx's own autodoc and autosummary to
parse, so it must run where reStructuredText is parsed (an ``{eval-rst}`` block).

ganlab's docstrings are plain prose with ``literals``, and a few indent a preformatted block
(a command line, a formula, a listing of files) after a paragraph that does not end in
``::``. reStructuredText would read that block as a quotation, and a wrapped line inside it
as an error ("Unexpected indentation"). ``preformatted_blocks`` makes each such block a
literal block, as its author meant, before autodoc parses the docstring.
"""

from __future__ import annotations

import re

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

__version__ = "1.0"


class GanlabApi(SphinxDirective):
    has_content = True

    def modules(self) -> list[str]:
        names = [line.strip() for line in self.content]
        return [name for name in names if name and not name.startswith("#")]

    def parse(self, lines: list[str], into: nodes.Element) -> None:
        source = self.get_source_info()[0]
        content = StringList(lines, source=source)
        self.state.nested_parse(content, self.content_offset, into)

    def run(self) -> list[nodes.Node]:
        modules = self.modules()
        if not modules:
            raise self.error("ganlab-api: name at least one module, one per line")
        summary = nodes.container(classes=["ganlab-api-summary"])
        self.parse([".. autosummary::", "", *(f"   {name}" for name in modules)], summary)
        result: list[nodes.Node] = [summary]
        for name in modules:
            section = nodes.section(ids=[nodes.make_id(f"api {name}")], names=[nodes.fully_normalize_name(name)])
            section += nodes.title(name, "", nodes.literal(name, name))
            self.parse([f".. automodule:: {name}", "   :members:"], section)
            result.append(section)
        return result


BULLETS = ("- ", "* ", "+ ")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def preformatted_blocks(lines: list[str]) -> list[str]:
    """Lines of a docstring with every indented block that follows a top-level paragraph
    (not ending in ``::``, not a list item) turned into a literal block, without the
    double backquotes of inline literals. Returns a new list; other lines are unchanged."""
    out: list[str] = []
    in_block = False
    for index, line in enumerate(lines):
        if in_block and line.strip() and _indent(line) == 0:
            in_block = False
        if not in_block and line.strip() and _indent(line) > 0 and index > 0 and not lines[index - 1].strip():
            previous = next((text for text in reversed(out) if text.strip()), None)
            if (
                previous is not None
                and _indent(previous) == 0
                and not previous.rstrip().endswith("::")
                and not previous.startswith(BULLETS)
                and not previous.startswith(("..", ">>>"))
            ):
                last = max(i for i, text in enumerate(out) if text.strip())
                if previous.rstrip().endswith(":"):
                    out[last] = previous.rstrip() + ":"
                else:
                    out[len(out) - 1 : len(out) - 1] = ["", "::"]  # "::" alone renders as nothing
                in_block = True
        if in_block:
            line = re.sub(r"``(.+?)``", r"\1", line)
        out.append(line)
    return out


def _process_docstring(app, what, name, obj, options, lines: list[str]) -> None:
    lines[:] = preformatted_blocks(lines)


def setup(app):
    app.setup_extension("sphinx.ext.autodoc")
    app.setup_extension("sphinx.ext.autosummary")
    app.add_directive("ganlab-api", GanlabApi)
    app.connect("autodoc-process-docstring", _process_docstring)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
