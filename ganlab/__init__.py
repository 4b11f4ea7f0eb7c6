"""ganlab: the building blocks of the GAN book.

The package is layered like the book: ``data`` -> ``models`` -> ``losses`` -> ``gans`` and
``vae`` (trainers) -> ``callbacks``; ``metrics`` (math on activations) and ``judge`` (the
networks that make them) -> ``viz``, ``latent``, ``widgets``, ``pretrained``; ``runs``
drives a whole training run from a ``config`` recipe and ``cli`` sits on top. The
``book`` subpackage holds what only the chapters use (set-up, the chapter runner,
chapter experiments); nothing else imports it. Importing ``ganlab`` itself stays light
(no TensorFlow); import the submodules you need.
"""

__version__ = "0.3.0"
