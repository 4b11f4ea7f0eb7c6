"""Pictures: image grids, training curves and progress GIFs.

Introduced in book/02_dcgan_mnist. Grids are built as uint8 arrays (pixel-exact, fast
enough to save every epoch); curves use matplotlib.

One module a kind of figure: ``images`` (grids, files, pictures of images), ``training``
(a run's history), ``theory`` (figures that explain the game) and ``latent`` (latent
spaces). Every name is also here, as ``viz.save_grid`` or ``viz.plot_losses``.
"""

from ganlab.viz.images import (  # noqa: F401
    image_grid,
    plot_grids,
    plot_image_rows,
    plot_images,
    plot_nearest_neighbours,
    plot_pipeline_steps,
    save_gif,
    save_grid,
    save_image,
    thin_frames,
    to_uint8,
)
from ganlab.viz.latent import (  # noqa: F401
    plot_class_transition,
    plot_latent_manifold,
    plot_latent_scatter,
    plot_path_lengths,
)
from ganlab.viz.theory import (  # noqa: F401
    plot_decision_surfaces,
    plot_divergences,
    plot_generator_losses,
    plot_loss_shapes,
)
from ganlab.viz.training import (  # noqa: F401
    AUTOENCODER_PANELS,
    plot_autoencoder_losses,
    plot_class_histogram,
    plot_critic_signal,
    plot_image_statistics,
    plot_losses,
    plot_quality,
)

__all__ = [
    "AUTOENCODER_PANELS",
    "image_grid",
    "plot_autoencoder_losses",
    "plot_class_histogram",
    "plot_class_transition",
    "plot_critic_signal",
    "plot_decision_surfaces",
    "plot_divergences",
    "plot_generator_losses",
    "plot_grids",
    "plot_image_rows",
    "plot_image_statistics",
    "plot_images",
    "plot_latent_manifold",
    "plot_latent_scatter",
    "plot_loss_shapes",
    "plot_losses",
    "plot_nearest_neighbours",
    "plot_path_lengths",
    "plot_pipeline_steps",
    "plot_quality",
    "save_gif",
    "save_grid",
    "save_image",
    "thin_frames",
    "to_uint8",
]
