"""ganlab.book.prose: the check that a chapter's prose quotes only numbers its page shows."""

import pytest

from ganlab.book import prose


def notebook(markdown, outputs, code="x = 1"):
    return {"cells": [
        {"cell_type": "markdown", "source": markdown},
        {"cell_type": "code", "source": code, "outputs": [{"output_type": "stream", "name": "stdout", "text": outputs}]},
    ]}


def test_a_number_the_outputs_show_is_supported_at_the_precision_written():
    page = notebook("The critic ends at 62% on real digits and a loss of 1.15; judge-FID 165.",
                    "acc real 0.619 · d_loss 1.148\n| generated | 165.3 |")
    assert prose.unsupported_numbers(page) == []


def test_a_stale_number_is_reported_with_its_sentence():
    page = notebook("Here about 40% of real digits are called real.", "acc real 0.619")
    assert prose.unsupported_numbers(page) == [("40%", "Here about 40% of real digits are called real.")]


def test_thousands_separators_and_code_count():
    page = notebook("We score 1,000 samples.", "", code="judge.score_mnist(samples[:1000])")
    assert prose.unsupported_numbers(page) == []


@pytest.mark.parametrize("markdown", [
    "Radford et al. used a learning rate of 0.0002 and batches of 128.",
    "The DCGAN paper (2016) trained for 25 epochs.",
    "Chapter 4 shows it; see exercise 3.",
    "As in $7 \\to 14 \\to 28$ and `widths=(256, 128)` and [a link](https://example.com/42).",
    "Goodfellow's image of 2014.",
    "<!-- include benchmarks/results/x.md -->\n| 12.5 |\n<!-- end include -->",
    "## References\n\n- Somebody. A paper with 77 pages.",
    "The appendix measures 2,273 images per second.",
])
def test_what_counts_as_sourced_or_not_a_claim(markdown):
    assert prose.unsupported_numbers(notebook(markdown, "")) == []


def test_list_markers_are_not_numbers():
    assert prose.claimed_numbers("1. first\n2. second item") == []


def test_a_file_path_in_code_names_the_source_of_its_sentence():
    assert prose.unsupported_numbers(notebook("`benchmarks/data_pipeline.py` times 10,000 JPEGs.", "")) == []
    assert prose.unsupported_numbers(notebook("`data.CROP` times 10,000 JPEGs.", "")) == [("10,000", "times 10,000 JPEGs.")]
