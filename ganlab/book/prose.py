"""Checking a chapter's prose against its outputs: every number the Markdown states must
be shown on the page (printed by a cell, or written in its code), or come with its source.

A re-run that changes a result then flags the sentence that still quotes the old one
(tests/test_chapters.py runs this on every chapter). What counts as sourced: numbers in
math, code spans, links and included benchmark tables (which name their file), years,
chapter and exercise numbers, the exercises and references sections, and any sentence that cites a
publication ("et al.", "(2016)") or names where its numbers come from ("the appendix",
"benchmarks/").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(%?)")
SOURCED_SENTENCE = re.compile(
    r"et al\b|\(\d{4}[a-z]?\)|\bpaper\b|appendix|benchmarks/|tools/|README|tutorial's|ICLR|NeurIPS|ICML|CVPR|arXiv"
    r"|\b[\w-]+/[\w./-]+\.(?:md|json|py|csv|txt)\b",  # a file named as the source
    re.IGNORECASE,
)
# numbers that label rather than measure
LABELS = re.compile(r"\b(?:chapters?|exercises?|sections?|steps? \d+ (?:and|to)|figure|panel|python|tensorflow|keras|ganlab|version|\w+ v)\s*$",
                    re.IGNORECASE)


def _strip(markdown: str) -> str:
    """The prose a reader reads as sentences: without code, math, links' targets, HTML
    comments, included tables, headings and the references section."""
    # the exercises set the reader tasks (their numbers are instructions, not results), and
    # the references section cites
    text = re.split(r"^## (?:Exercises|References)\b", markdown, flags=re.M)[0]
    text = re.sub(r"<!-- include .*?<!-- end include -->", " ", text, flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " ", text)
    # code is not prose; a file path in code still names a source ("benchmarks/...")
    text = re.sub(r"`([^`]*)`", lambda span: f" {span.group(1)} " if "/" in span.group(1) and not re.search(r"\d", span.group(1)) else " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"^#+ .*$", " ", text, flags=re.M)
    text = re.sub(r"^\s*(?:\d+\.|[-*])\s", " ", text, flags=re.M)  # list markers
    return text


def _sentences(text: str) -> list[str]:
    # abbreviations end no sentence
    text = re.sub(r"\b(et al|e\.g|i\.e|cf|vs)\.", r"\1", text)
    return [sentence for sentence in re.split(r"(?<=[.!?:;])\s+|\n\s*\n", text) if sentence.strip()]


def claimed_numbers(markdown: str) -> list[tuple[str, str]]:
    """(number as written, its sentence) for every number the prose states itself."""
    found = []
    for sentence in _sentences(_strip(markdown)):
        if SOURCED_SENTENCE.search(sentence):
            continue
        for match in NUMBER.finditer(sentence):
            whole = match.group(0)
            value = float(whole.rstrip("%").replace(",", ""))
            if 1950 <= value <= 2035 and "." not in whole and "%" not in whole:
                continue  # a year
            before = sentence[: match.start()]
            if LABELS.search(before) or re.search(r"[x×]\s*$", before) and value <= 10:
                continue
            found.append((whole, " ".join(sentence.split())))
    return found


def shown_values(texts: Iterable[str]) -> list[float]:
    """Every number in the outputs and code of a chapter, as floats."""
    values = []
    for text in texts:
        for match in NUMBER.finditer(text):
            values.append(float(match.group(1).replace(",", "") + (match.group(2) or "")))
    return values


def supported(number: str, shown: list[float]) -> bool:
    """Whether ``number`` as written (e.g. "62%", "0.44", "1,000") is a shown value at the
    precision written: a shown 0.619 supports "62%", a shown 165.27 supports "165"."""
    percent = number.endswith("%")
    written = number.rstrip("%").replace(",", "")
    decimals = len(written.partition(".")[2])
    value = float(written)
    for candidate in shown:
        if round(candidate, decimals) == value or (percent and round(100 * candidate, decimals) == value):
            return True
    return False


def _output_texts(cell) -> Iterable[str]:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            yield output.get("text", "")
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in output.get("data", {}):
                data = output["data"][mime]
                yield data if isinstance(data, str) else "".join(data)


def unsupported_numbers(notebook) -> list[tuple[str, str]]:
    """The numbers of a notebook's Markdown that neither its outputs nor its code show, and
    whose sentence names no source: (number, sentence) pairs, empty when all is well."""
    shown_texts = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            shown_texts.append(cell["source"])
            shown_texts.extend(_output_texts(cell))
    shown = shown_values(shown_texts)
    problems = []
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            problems.extend((number, sentence) for number, sentence in claimed_numbers(cell["source"]) if not supported(number, shown))
    return problems
