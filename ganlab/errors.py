"""The one exception type for bad input from the person using ganlab.

It imports nothing, so the command line can catch it before TensorFlow starts.
"""


class UsageError(ValueError):
    """Bad input from the person using ganlab (an unknown preset, a field a trainer does
    not use, a folder without a run): the command line prints its message as one line and
    exits with 2. A ``ValueError``, so code that catches those keeps working; any other
    error is a bug or a failure inside a library, and keeps its traceback."""
