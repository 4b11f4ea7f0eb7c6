import subprocess
import sys
import textwrap

import pytest

from ganlab.book import stderr_filter

TENSORFLOW_START_UP = [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795476106.333886   19066 port.cc:153] oneDNN custom operations are on. You may see "
    "slightly different numerical results due to floating-point round-off errors from different "
    "computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.",
    "I0000 00:00:1795476106.890393   19066 cpu_feature_guard.cc:227] This TensorFlow binary is optimized "
    "to use available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow "
    "with the appropriate compiler flags.",
    "E0000 00:00:1795476292.418234   20006 meta_optimizer.cc:967] remapper failed: INVALID_ARGUMENT: "
    "Mutation::Apply error: fanout 'gradient_tape/LeakyReluGrad' exist for missing node 'BiasAdd'.",
]


@pytest.mark.parametrize("line", TENSORFLOW_START_UP)
def test_known_start_up_lines_are_harmless(line):
    assert stderr_filter.is_harmless(line + "\n")


@pytest.mark.parametrize(
    "line",
    [
        "E0000 00:00:1795476292.418234   20006 meta_optimizer.cc:967] constant_folding failed: out of memory",
        "W0000 00:00:1795476106.333886   19066 port.cc:153] oneDNN custom operations are on",  # not INFO
        "Traceback (most recent call last):",
        "ValueError: oneDNN custom operations are on",
        "",
    ],
)
def test_other_lines_pass(line):
    assert not stderr_filter.is_harmless(line)


def test_filter_drops_noise_and_forwards_everything_else_in_order():
    # A child process, because the filter rewires this process's descriptor 2.
    script = textwrap.dedent(
        f"""
        import os, sys
        from ganlab.book import stderr_filter
        assert stderr_filter.install() is True
        assert stderr_filter.install() is False  # idempotent
        for line in {TENSORFLOW_START_UP!r}:
            os.write(2, (line + "\\n").encode())
        os.write(2, b"native: keep me\\n")
        print("python: keep me too", file=sys.stderr, flush=True)
        os.write(2, b"no newline at the end")
        stderr_filter.uninstall()  # flushes the pipe, so the count is final
        print("dropped", stderr_filter.dropped_lines())
        stderr_filter.install()
        raise SystemExit("exit message survives")
        """
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert finished.returncode == 1
    assert finished.stdout.strip() == f"dropped {len(TENSORFLOW_START_UP)}"
    assert finished.stderr == "native: keep me\npython: keep me too\nno newline at the end" + "exit message survives\n"


def test_uninstall_restores_the_descriptor():
    script = textwrap.dedent(
        """
        import os
        from ganlab.book import stderr_filter
        stderr_filter.install()
        stderr_filter.uninstall()
        stderr_filter.uninstall()  # harmless twice
        os.write(2, b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n")
        """
    )
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "absl::InitializeLog" in finished.stderr


def test_retracing_warnings_are_dropped_and_other_tensorflow_warnings_kept():
    import logging

    logger = logging.getLogger("tensorflow")
    stderr_filter.quiet_retracing_warnings()
    stderr_filter.quiet_retracing_warnings()  # idempotent
    try:
        assert logger.filters.count(stderr_filter._not_retracing) == 1
        make = lambda message: logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, None, None)  # noqa: E731
        assert not logger.filter(make("5 out of the last 13 calls to <function f> triggered tf.function retracing."))
        assert logger.filter(make("Gradients do not exist for variables"))
    finally:
        logger.removeFilter(stderr_filter._not_retracing)
