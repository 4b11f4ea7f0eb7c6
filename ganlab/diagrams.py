"""Diagrams drawn by code: the GAN game, networks as shapes per layer, transposed
convolutions and their overlap, activations, and the VAE and VAE-GAN data flows.

Each drawing comes from data that the tests check (the flows' boxes and arrows, the shapes
read from a real Keras model, the overlap counts), so a figure cannot drift from the code
it explains. Introduced in book/01_artist_and_critic; used in every chapter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ganlab.errors import UsageError

# Box colours by role: what flows (data), what learns (network), what is minimised (loss)
ROLE_COLOURS = {"data": "#eeeeee", "network": "#cfe2f3", "loss": "#f4cccc", "operation": "#fff2cc"}


@dataclass(frozen=True)
class Flow:
    """A data-flow diagram: boxes ``{name: (x, y, role)}`` on a grid and arrows
    ``(from, to, label)``. The box's text is its name."""

    title: str
    boxes: dict[str, tuple[float, float, str]]
    arrows: tuple[tuple[str, str, str], ...]
    # matplotlib arc3 bends for arrows that should not take the default (see plot_flow)
    bends: tuple[tuple[str, str, float], ...] = ()

    def __post_init__(self):
        unknown = {end for start, stop, _ in self.arrows for end in (start, stop)} - set(self.boxes)
        if unknown:
            raise UsageError(f"arrows name boxes that do not exist: {sorted(unknown)}")
        roles = {role for _, _, role in self.boxes.values()} - set(ROLE_COLOURS)
        if roles:
            raise UsageError(f"unknown roles {sorted(roles)}; use {sorted(ROLE_COLOURS)}")

    def reaches(self, start: str, goal: str) -> bool:
        """Whether following the arrows from ``start`` leads to ``goal``."""
        seen, frontier = {start}, [start]
        while frontier:
            here = frontier.pop()
            for source, target, _ in self.arrows:
                if source == here and target not in seen:
                    seen.add(target)
                    frontier.append(target)
        return goal in seen


GAN_LOOP = Flow(
    title="one training step of a GAN",
    boxes={
        "noise z": (0.0, 1.0, "data"),
        "generator G": (1.3, 1.0, "network"),
        "fake images": (2.6, 1.0, "data"),
        "real images": (2.6, 0.0, "data"),
        "discriminator D": (3.9, 0.5, "network"),
        "D loss:\nreal -> 1, fake -> 0": (5.6, -0.2, "loss"),
        "G loss:\nfake -> 1": (5.6, 1.2, "loss"),
    },
    arrows=(
        ("noise z", "generator G", ""),
        ("generator G", "fake images", ""),
        ("fake images", "discriminator D", ""),
        ("real images", "discriminator D", ""),
        ("discriminator D", "D loss:\nreal -> 1, fake -> 0", "verdicts"),
        ("discriminator D", "G loss:\nfake -> 1", "verdicts on fakes"),
        ("D loss:\nreal -> 1, fake -> 0", "discriminator D", "updates D"),
        ("G loss:\nfake -> 1", "generator G", "updates G (through D)"),
    ),
    bends=(("D loss:\nreal -> 1, fake -> 0", "discriminator D", -0.45),),
)

VAE_FLOW = Flow(
    title="a variational autoencoder",
    boxes={
        "image x": (0.0, 0.5, "data"),
        "encoder": (1.3, 0.5, "network"),
        "mean, log variance": (2.7, 0.5, "data"),
        "z = mean + sigma * eps": (4.2, 0.5, "operation"),
        "noise eps": (4.2, 1.4, "data"),
        "decoder": (5.6, 0.5, "network"),
        "reconstruction": (7.0, 0.5, "data"),
        "KL loss": (2.7, -0.5, "loss"),
        "reconstruction loss": (7.0, -0.5, "loss"),
    },
    arrows=(
        ("image x", "encoder", ""),
        ("encoder", "mean, log variance", ""),
        ("mean, log variance", "z = mean + sigma * eps", ""),
        ("noise eps", "z = mean + sigma * eps", ""),
        ("z = mean + sigma * eps", "decoder", ""),
        ("decoder", "reconstruction", ""),
        ("mean, log variance", "KL loss", "vs N(0, I)"),
        ("reconstruction", "reconstruction loss", "vs x"),
    ),
)

VAEGAN_FLOW = Flow(
    title="a VAE-GAN: the VAE's decoder is the GAN's generator",
    boxes={
        "image x": (0.0, 1.0, "data"),
        "encoder": (1.4, 1.0, "network"),
        "KL loss (encoder)": (1.4, 2.1, "loss"),
        "z (reparameterised)": (2.9, 1.0, "operation"),
        "noise z_p": (2.9, 2.1, "data"),
        "decoder = G": (4.4, 1.5, "network"),
        "reconstruction, sample": (5.9, 1.5, "data"),
        "discriminator D": (7.4, 0.8, "network"),
        "GAN losses (decoder, D)": (9.0, 0.8, "loss"),
        "feature loss: D's features\nof x vs reconstruction": (9.0, -0.3, "loss"),
    },
    arrows=(
        ("image x", "encoder", ""),
        ("encoder", "z (reparameterised)", ""),
        ("encoder", "KL loss (encoder)", ""),
        ("z (reparameterised)", "decoder = G", ""),
        ("noise z_p", "decoder = G", ""),
        ("decoder = G", "reconstruction, sample", ""),
        ("reconstruction, sample", "discriminator D", ""),
        ("image x", "discriminator D", "real images"),
        ("discriminator D", "feature loss: D's features\nof x vs reconstruction", "features"),
        ("discriminator D", "GAN losses (decoder, D)", "verdicts"),
    ),
    bends=(("image x", "discriminator D", 0.2),),
)


def _return_bend(flow: Flow, source: str, target: str, bend: float = 0.3) -> float:
    """The arc3 ``rad`` of a returning arrow: curved away from the diagram's centre."""
    (x0, y0, _), (x1, y1, _) = flow.boxes[source], flow.boxes[target]
    centre_x = np.mean([x for x, _, _ in flow.boxes.values()])
    centre_y = np.mean([y for _, y, _ in flow.boxes.values()])
    middle_x, middle_y = (x0 + x1) / 2, (y0 + y1) / 2
    # matplotlib's arc3 puts its control point at the middle + rad * (dy, -dx)
    away = [np.hypot(middle_x + sign * (y1 - y0) - centre_x, middle_y - sign * (x1 - x0) - centre_y) for sign in (1, -1)]
    return bend if away[0] >= away[1] else -bend


def plot_flow(flow: Flow, size: tuple[float, float] | None = None):
    """Draw a ``Flow``: coloured boxes (data grey, networks blue, losses red, operations
    yellow) joined by labelled arrows; the updates (labels starting "updates") are dashed
    and curve around the diagram, other arrows bend where ``flow.bends`` says. Returns
    the figure."""
    from matplotlib import pyplot as plt

    xs = [x for x, _, _ in flow.boxes.values()]
    ys = [y for _, y, _ in flow.boxes.values()]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    figure, axes = plt.subplots(figsize=size or (1.5 * width + 2.4, 1.2 * height + 2.0))
    box_style = dict(boxstyle="round,pad=0.4", linewidth=1.0, edgecolor="#555555")
    texts = {}
    for name, (x, y, role) in flow.boxes.items():
        texts[name] = axes.text(x, y, name, ha="center", va="center", fontsize=9, zorder=3,
                                bbox={**box_style, "facecolor": ROLE_COLOURS[role]})
    low, high = min(ys) - 0.6, max(ys) + 0.6
    chosen = {(start, stop): bend for start, stop, bend in flow.bends}
    for source, target, label in flow.arrows:
        (x0, y0, _), (x1, y1, _) = flow.boxes[source], flow.boxes[target]
        returning = label.startswith("updates")
        rad = chosen.get((source, target), _return_bend(flow, source, target) if returning else 0.0)
        # the arrow runs between the boxes' outlines, so its head shows
        axes.annotate("", xy=(x1, y1), xytext=(x0, y0), zorder=2,
                      arrowprops=dict(arrowstyle="-|>", color="#333333", mutation_scale=12,
                                      patchA=texts[source].get_bbox_patch(), patchB=texts[target].get_bbox_patch(),
                                      connectionstyle=f"arc3,rad={rad}", linestyle="--" if returning else "-"))
        # a label sits at the middle of its (curved) arrow, as arc3 bends it
        label_x, label_y = (x0 + x1) / 2 + rad * (y1 - y0) / 2, (y0 + y1) / 2 - rad * (x1 - x0) / 2
        low, high = min(low, label_y - 0.3), max(high, label_y + 0.3)
        if label:
            axes.text(label_x, label_y + (0.0 if returning else 0.1), label, ha="center", va="bottom", fontsize=7.5,
                      color="#333333", zorder=4, bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
    axes.set_xlim(min(xs) - 0.9, max(xs) + 0.9)
    axes.set_ylim(low, high)
    axes.set_title(flow.title)
    axes.axis("off")
    figure.tight_layout()
    return figure


def plot_gan_loop():
    """The GAN game as a data flow: noise -> generator -> fakes -> discriminator <- real
    images, and the two losses that update each player. Returns the figure."""
    return plot_flow(GAN_LOOP)


def plot_vae_flow():
    """The VAE: encoder, reparameterised sample, decoder, and its two losses."""
    return plot_flow(VAE_FLOW)


def plot_vaegan_flow():
    """The VAE-GAN (Larsen et al. 2016): a VAE whose decoder is also a GAN's generator,
    with its three losses."""
    return plot_flow(VAEGAN_FLOW)


def network_shapes(model) -> list[dict]:
    """A Keras model as blocks of consecutive layers that keep one output shape:
    ``[{"shape": (7, 7, 128), "layers": ["Dense", "BatchNormalization", ...]}, ...]``,
    starting with the input. Shapes omit the batch dimension."""
    blocks: list[dict] = []
    for layer in model.layers:
        output = layer.output
        if isinstance(output, (list, tuple)):
            output = output[0]
        shape = tuple(int(size) for size in output.shape[1:])
        kind = "Input" if type(layer).__name__ == "InputLayer" else type(layer).__name__
        if blocks and blocks[-1]["shape"] == shape:
            blocks[-1]["layers"].append(kind)
        else:
            blocks.append({"shape": shape, "layers": [kind]})
    return blocks


_SHORT_NAMES = {"Conv2DTranspose": "ConvT", "BatchNormalization": "BN", "LeakyReLU": "LReLU",
                "Activation": "act", "Dropout": "drop", "Reshape": "reshape", "Flatten": "flatten"}


def _shape_text(shape: Sequence[int]) -> str:
    return " x ".join(str(size) for size in shape)


def plot_network_shapes(models: dict, title: str | None = None):
    """Networks as their shapes, layer block by layer block (see ``network_shapes``), one
    row per model: each box's height follows the feature map's side, its width the number
    of channels (log scale), labelled with the shape and the layers that produce it.
    ``models`` maps a row label to a Keras model. Returns the figure."""
    from matplotlib import patches
    from matplotlib import pyplot as plt

    rows = {label: network_shapes(model) for label, model in models.items()}
    longest = max(len(blocks) for blocks in rows.values())
    figure, all_axes = plt.subplots(len(rows), 1, figsize=(max(8.0, 1.75 * longest), 2.5 * len(rows)), squeeze=False)
    sides = [block["shape"][0] for blocks in rows.values() for block in blocks if len(block["shape"]) == 3]
    tallest = max(sides) if sides else 1
    for axes, (label, blocks) in zip(all_axes[:, 0], rows.items()):
        for index, block in enumerate(blocks):
            shape = block["shape"]
            if len(shape) == 3:
                height = 0.25 + 1.1 * shape[0] / tallest
                width = 0.12 + 0.09 * np.log2(max(shape[-1], 1))
                colour = ROLE_COLOURS["network"]
            else:  # a vector: a thin bar whose height grows with its length
                height, width, colour = min(1.35, 0.25 + 0.12 * np.log2(max(shape[-1], 1))), 0.08, ROLE_COLOURS["operation"]
            axes.add_patch(patches.Rectangle((index - width / 2, -height / 2), width, height, facecolor=colour, edgecolor="#444444"))
            axes.text(index, -0.8, _shape_text(shape), ha="center", va="top", fontsize=8.5)
            names = [_SHORT_NAMES.get(name, name) for name in block["layers"]]
            axes.text(index, 0.8, "\n".join(names[:3] + (["..."] if len(names) > 3 else [])), ha="center", va="bottom", fontsize=7)
            if index:
                axes.annotate("", xy=(index - 0.35, 0), xytext=(index - 0.65, 0), arrowprops=dict(arrowstyle="-|>", color="#666666"))
        axes.set_xlim(-0.6, longest - 0.4)
        axes.set_ylim(-1.3, 1.5)
        axes.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
        axes.set_xticks([])
        axes.set_yticks([])
        for spine in axes.spines.values():
            spine.set_visible(False)
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    return figure


def transposed_output_size(input_size: int, kernel_size: int, stride: int, padding: str = "same") -> int:
    """Output length of a transposed convolution, as Keras computes it: ``input * stride``
    with ``padding="same"``; ``(input - 1) * stride + kernel`` with ``"valid"`` (when the
    kernel is at least the stride)."""
    if padding == "same":
        return input_size * stride
    if padding == "valid":
        return input_size * stride + max(kernel_size - stride, 0)
    raise UsageError(f"padding must be 'same' or 'valid', got {padding!r}")


def overlap_counts(input_size: int, kernel_size: int, stride: int) -> np.ndarray:
    """How many input pixels write to each output pixel of a 1-D transposed convolution
    (``"valid"`` padding): each input pixel paints ``kernel_size`` outputs, placed
    ``stride`` apart. Where ``kernel_size`` is not a multiple of ``stride`` the counts
    alternate, which in 2-D (the outer product) is a checkerboard (Odena et al. 2016)."""
    if min(input_size, kernel_size, stride) < 1:
        raise UsageError("sizes and stride must be positive")
    counts = np.zeros(transposed_output_size(input_size, kernel_size, stride, "valid"), dtype=int)
    for position in range(input_size):
        counts[position * stride : position * stride + kernel_size] += 1
    return counts


def plot_transposed_overlap(kernel_sizes: Sequence[int] = (3, 4, 5), stride: int = 2, input_size: int = 4):
    """The 2-D overlap counts of stride-``stride`` transposed convolutions, one panel per
    kernel size: uneven overlap (a kernel that is not a multiple of the stride) paints a
    checkerboard of how many inputs each output pixel sums. Returns the figure."""
    from matplotlib import pyplot as plt

    figure, all_axes = plt.subplots(1, len(kernel_sizes), figsize=(3.4 * len(kernel_sizes), 3.6), squeeze=False)
    for axes, kernel_size in zip(all_axes[0], kernel_sizes):
        counts = overlap_counts(input_size, kernel_size, stride)
        grid = np.outer(counts, counts)
        axes.imshow(grid, cmap="Blues", vmin=0, vmax=grid.max() + 1)
        if len(counts) <= 14:
            for (row, column), value in np.ndenumerate(grid):
                axes.text(column, row, str(value), ha="center", va="center", fontsize=6.5)
        even = kernel_size % stride == 0
        axes.set_title(f"kernel {kernel_size}, stride {stride}\n{'even' if even else 'uneven'} overlap", fontsize=10)
        axes.set_xticks([])
        axes.set_yticks([])
    figure.suptitle(f"inputs summed into each output pixel ({input_size} x {input_size} input)", fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.94))
    return figure


def plot_activations(negative_slope: float = 0.2):
    """ReLU against leaky ReLU, and their gradients: a ReLU unit whose input stays negative
    passes no gradient back (it "dies"); a leaky one always passes ``negative_slope``.
    Computed with ``keras.activations``. Returns the figure."""
    import keras
    from matplotlib import pyplot as plt

    inputs = np.linspace(-3.0, 3.0, 601).astype("float32")
    curves = {
        "ReLU": keras.ops.convert_to_numpy(keras.activations.relu(inputs)),
        f"leaky ReLU ({negative_slope})": keras.ops.convert_to_numpy(keras.activations.leaky_relu(inputs, negative_slope)),
    }
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.2))
    for (label, values), style in zip(curves.items(), ("-", "--")):
        left.plot(inputs, values, style, label=label)
        slopes = np.diff(values.astype("float64")) / np.diff(inputs.astype("float64"))
        right.plot(inputs[1:], slopes, style, label=label)
    right.axvspan(inputs[0], 0, color="#f4cccc", alpha=0.5, label="no gradient through ReLU")
    left.set_title("activation")
    right.set_title("gradient")
    for axes in (left, right):
        axes.set_xlabel("input")
        axes.axhline(0, color="grey", linewidth=0.6)
        axes.legend(fontsize=8)
    figure.tight_layout()
    return figure
