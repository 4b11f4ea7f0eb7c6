"""Drop TensorFlow's harmless native start-up log lines from the process's standard error.

Introduced in book/01_artist_and_critic (every chapter's setup cell turns it on).

TensorFlow 2.21 writes several lines from C++ straight to file descriptor 2 when it starts
("oneDNN custom operations are on", "This TensorFlow binary is optimized...", absl's
"All log messages before absl::InitializeLog()...") and ``TF_CPP_MIN_LOG_LEVEL`` no longer
silences them. In a notebook they land in the outputs, where they bury the results and
break output checks. Turning oneDNN off (``TF_ENABLE_ONEDNN_OPTS=0``) removes one of them
but makes training about twice as slow on a CPU, so instead this module puts a pipe in
front of descriptor 2 and forwards every line except the known-harmless ones. Anything
else, warnings and errors included, passes through unchanged.
"""

from __future__ import annotations

import atexit
import os
import re
import threading

# Each pattern matches one whole line that TensorFlow prints on every start and that asks
# nothing of the reader. Keep this list short and specific: a broad pattern could hide a
# real error.
HARMLESS_LINES = (
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"I\d{4} [\d:. ]+\d+ port\.cc:\d+\] oneDNN custom operations are on\..*",
    r"I\d{4} [\d:. ]+\d+ cpu_feature_guard\.cc:\d+\] This TensorFlow binary is optimized.*",
    r"To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.",
    # Grappler tries a layout rewrite that does not apply to some graphs, says so once at
    # error level, and runs the graph unchanged.
    r"E\d{4} [\d:. ]+\d+ meta_optimizer\.cc:\d+\] remapper failed: INVALID_ARGUMENT: Mutation::Apply error: fanout .*",
    # GPU builds (Colab, Kaggle) register the CUDA libraries twice and say so.
    r"E\d{4} [\d:. ]+\d+ cuda_(dnn|fft|blas)\.cc:\d+\] Unable to register cu(DNN|FFT|BLAS) factory.*",
)
_HARMLESS = re.compile("|".join(f"(?:{pattern})" for pattern in HARMLESS_LINES))

_installed: "_Filter | None" = None
_dropped_before = 0  # by filters already uninstalled


def is_harmless(line: str) -> bool:
    """True when ``line`` (without its newline) is one of TensorFlow's known start-up lines."""
    return _HARMLESS.fullmatch(line.rstrip("\r\n")) is not None


class _Filter:
    """A pipe in front of a file descriptor and a thread that forwards what is not noise."""

    def __init__(self, descriptor: int):
        self.descriptor = descriptor
        self.forward_to = os.dup(descriptor)
        read_end, write_end = os.pipe()
        os.dup2(write_end, descriptor)
        os.close(write_end)
        self.reader = os.fdopen(read_end, "rb", buffering=0)
        self.dropped = 0
        self.thread = threading.Thread(target=self._pump, name="ganlab-stderr-filter", daemon=True)
        self.thread.start()

    def _pump(self):
        pending = b""
        while True:
            chunk = self.reader.read(65536)
            if not chunk:
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                self._forward(line + b"\n")
        if pending:
            self._forward(pending)

    def _forward(self, line: bytes):
        if is_harmless(line.decode("utf-8", "replace")):
            self.dropped += 1
            return
        os.write(self.forward_to, line)

    def close(self):
        """Put the original descriptor back and forward whatever is still in the pipe."""
        os.dup2(self.forward_to, self.descriptor)  # closes our write end: the reader sees EOF
        self.thread.join(timeout=5)
        os.close(self.forward_to)


def install() -> bool:
    """Filter native standard error from now on (idempotent). Returns True if installed now.

    Call it before TensorFlow is imported. Lines are forwarded whole, as soon as their
    newline arrives; at exit the rest is flushed, so a last traceback is never lost.
    """
    global _installed
    if _installed is not None:
        return False
    _installed = _Filter(2)
    atexit.register(uninstall)
    return True


def uninstall() -> None:
    """Stop filtering and restore descriptor 2 (safe to call when not installed)."""
    global _installed, _dropped_before
    if _installed is None:
        return
    _installed.close()
    _dropped_before += _installed.dropped
    _installed = None


def dropped_lines() -> int:
    """How many harmless lines have been dropped so far. While the filter runs, lines still
    in the pipe are not counted yet; after ``uninstall`` the count is final."""
    return _dropped_before + (_installed.dropped if _installed is not None else 0)


RETRACING_WARNING = "triggered tf.function retracing"


def _not_retracing(record) -> bool:
    return RETRACING_WARNING not in record.getMessage()


def quiet_retracing_warnings() -> None:
    """Drop TensorFlow's "triggered tf.function retracing" warnings (idempotent).

    A notebook that builds and trains several models in one kernel compiles a new graph
    for each, which TensorFlow's heuristic reports as retracing: expected here, and not
    something a reader can act on. Every other TensorFlow warning still shows.
    """
    import logging

    logger = logging.getLogger("tensorflow")
    if _not_retracing not in logger.filters:
        logger.addFilter(_not_retracing)
