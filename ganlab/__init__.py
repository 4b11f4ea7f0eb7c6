"""ganlab: the building blocks of the GAN book.

The package is layered like the book: ``data`` -> ``models`` -> ``losses`` -> ``gans``
(trainers) -> ``callbacks`` -> ``viz``; ``runs`` drives a whole training run from a
``config`` preset and ``cli`` sits on top. Importing ``ganlab`` itself stays light (no
TensorFlow); import the submodules you need.
"""

__version__ = "0.1.0"
