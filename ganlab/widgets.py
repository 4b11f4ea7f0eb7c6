"""Latent space explorers: sliders that redraw a generator's images as you move them.

Introduced in book/06_latent_space. Each explorer is an ``ipywidgets.VBox`` (Jupyter,
Colab, Kaggle) whose picture is computed by the generator on every change; the same
object also carries a static version, precomputed frames behind an HTML slider, which is
what the rendered book shows (it has no kernel) and which needs no JavaScript library.

- ``InterpolationExplorer``: between two seeds or two latent vectors (e.g. two encoded
  images), by ``lerp`` or ``slerp``.
- ``ClassExplorer``: a conditional generator's class, changed smoothly from one digit to
  another with the noise held fixed.
- ``DirectionExplorer``: one slider per latent direction (principal directions of encoded
  images, or ``generator_directions`` for a GAN).

Every explorer exposes ``images`` (what it shows, float32 in [-1, 1]) and ``inputs()``
(what it fed the generator), so tests and readers can check the picture against
``gans.generate_images`` for the same latent vectors.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json

import ipywidgets
import numpy as np

from ganlab import gans, latent, models, viz
from ganlab.errors import UsageError


def png_bytes(images: np.ndarray, columns: int | None = None, scale: int = 1) -> bytes:
    """NHWC images in [-1, 1] as one PNG picture (a row unless ``columns`` says otherwise)."""
    from PIL import Image

    picture = viz.image_grid(images, columns=columns or len(images), scale=scale)
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def slider_html(frame_sets: dict[str, list[bytes]], positions: list[str], title: str, width: int, start: int | None = None) -> str:
    """A self-contained HTML slider over precomputed PNG frames: one frame per position in
    each named set (radio buttons pick the set when there are several). No outside
    JavaScript or request: frames are data URIs and a few lines of inline script swap them.
    Its element id comes from the frames' content, so the same frames give the same HTML."""
    names = list(frame_sets)
    if not names or any(len(frames) != len(positions) for frames in frame_sets.values()):
        raise UsageError("every frame set needs one frame per position")
    uris = {name: [f"data:image/png;base64,{base64.b64encode(frame).decode()}" for frame in frames] for name, frames in frame_sets.items()}
    digest = hashlib.sha1(json.dumps(uris, sort_keys=True).encode()).hexdigest()[:12]
    element_id = f"ganlab-slider-{digest}"
    start = len(positions) // 2 if start is None else start
    choices = "".join(
        f'<label style="margin-right:1em"><input type="radio" name="{element_id}-set" value="{html.escape(name)}"'
        f'{" checked" if index == 0 else ""}> {html.escape(name)}</label>'
        for index, name in enumerate(names)
    )
    return f"""<div class="ganlab-slider" id="{element_id}" style="font-family:sans-serif">
<div style="font-weight:bold">{html.escape(title)}</div>
<img class="ganlab-slider-frame" src="{uris[names[0]][start]}" alt="{html.escape(title)}" width="{width}" style="image-rendering:pixelated;display:block;margin:0.3em 0">
<input class="ganlab-slider-input" type="range" min="0" max="{len(positions) - 1}" step="1" value="{start}" aria-label="{html.escape(title)}" style="width:{max(width, 200)}px">
<span class="ganlab-slider-position">{html.escape(positions[start])}</span>
<div{' style="display:none"' if len(names) == 1 else ''}>{choices}</div>
<script>
(function () {{
  var root = document.getElementById("{element_id}");
  var frames = {json.dumps(uris)}, positions = {json.dumps(positions)};
  var image = root.querySelector(".ganlab-slider-frame"), slider = root.querySelector(".ganlab-slider-input");
  var shown = root.querySelector(".ganlab-slider-position");
  function chosen() {{ var radio = root.querySelector("input[type=radio]:checked"); return radio ? radio.value : {json.dumps(names[0])}; }}
  function draw() {{ image.src = frames[chosen()][slider.value]; shown.textContent = positions[slider.value]; }}
  slider.addEventListener("input", draw);
  root.querySelectorAll("input[type=radio]").forEach(function (radio) {{ radio.addEventListener("change", draw); }});
}})();
</script>
</div>"""


def picture_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels of a PNG picture."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as picture:
        return picture.size


def show_at_natural_size(picture: ipywidgets.Image) -> None:
    """Draw an image widget at its PNG's own size, one screen pixel per picture pixel.

    Left alone, the picture of a ``VBox`` is stretched to the cell's width (a 160-pixel
    row of digits drawn 844 pixels wide in JupyterLab 4 with ipywidgets 8). Both the
    ``width`` and ``height`` traits (the ``<img>``'s attributes) and a layout of fixed
    pixel sizes that does not stretch are set, so that ipywidgets 7 (Colab) and 8 honour it."""
    width, height = picture_size(picture.value)
    picture.width, picture.height = str(width), str(height)
    layout = picture.layout
    layout.width, layout.height = f"{width}px", f"{height}px"
    layout.min_width, layout.max_width, layout.align_self = f"{width}px", f"{width}px", "flex-start"
    layout.object_fit = "none"


class Explorer(ipywidgets.VBox):
    """A picture that the generator redraws whenever one of ``controls`` changes.

    Subclasses say what the generator gets (``inputs``, from the current control values
    or from values passed in; latent vectors unless ``render`` is overridden) and which
    frames the static version holds (``static_frames``). ``label`` is the class a
    conditional generator draws.
    Displayed in a notebook it is the live widget where widgets work and the static
    version elsewhere (the rendered book, an HTML export)."""

    title = "Latent explorer"
    label: int | None = None

    def __init__(self, generator, controls: list, scale: int = 5, frames: int = 17):
        if frames < 2:
            raise UsageError(f"frames must be at least 2, got {frames}")
        self.generator, self.scale, self.frames = generator, scale, frames
        self.picture = ipywidgets.Image(format="png")
        self.images: np.ndarray | None = None
        super().__init__([ipywidgets.HBox(controls[:2]), ipywidgets.HBox(controls[2:]), self.picture])
        for control in controls:
            control.observe(self.redraw, names="value")
        self.redraw()

    def inputs(self):
        """The generator's input for the current control values."""
        raise NotImplementedError

    def static_frames(self) -> tuple[dict[str, list], list[str]]:
        """The static version's frame sets (name -> one generator input per position) and
        the positions' labels."""
        raise NotImplementedError

    def render(self, inputs) -> np.ndarray:
        """The generator's images for ``inputs``, in inference mode, in [-1, 1]."""
        return gans.decode_latents(self.generator, inputs, labels=self.label)

    def redraw(self, change=None) -> None:
        """Recompute the picture from the current control values."""
        self.images = self.render(self.inputs())
        self.picture.value = png_bytes(self.images, scale=self.scale)
        show_at_natural_size(self.picture)

    def static_html(self) -> str:
        """The static version: the frames of ``static_frames`` behind an HTML slider."""
        sets, positions = self.static_frames()
        pictures = {name: [png_bytes(self.render(inputs)) for inputs in batches] for name, batches in sets.items()}
        count, _, width, _ = self.images.shape
        return slider_html(pictures, positions, self.title, width=(count * (width + 2) + 2) * self.scale)

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs)
        data["text/html"] = self.static_html()
        return data


def _endpoint(value, latent_dim: int) -> np.ndarray:
    """A seed (int) becomes that seed's noise vector; a vector is checked and kept."""
    if isinstance(value, (int, np.integer)):
        return gans.latent_vectors(1, latent_dim, int(value))[0]
    vector = np.asarray(value, dtype=np.float32)
    if vector.shape != (latent_dim,):
        raise UsageError(f"an endpoint is a seed or a latent vector of size {latent_dim}, got shape {vector.shape}")
    return vector


def _seed_box(value: int, description: str) -> ipywidgets.IntText:
    return ipywidgets.IntText(value=int(value), description=description, layout=ipywidgets.Layout(width="180px"))


def _position_slider(frames: int, description: str = "position") -> ipywidgets.FloatSlider:
    return ipywidgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=1.0 / (frames - 1), description=description, readout_format=".2f")


class InterpolationExplorer(Explorer):
    """Between two seeds (ints) or two latent vectors (e.g. ``vae.encode`` of two images):
    a position slider from 0 (start) to 1 (end) and a lerp/slerp toggle; seed boxes when
    the endpoints are seeds. For a conditional generator, ``label`` is the class drawn
    along the way (default 0)."""

    title = "Interpolation between two latent vectors"

    def __init__(self, generator, start=0, end=1, method: str = "slerp", label: int | None = None, frames: int = 17, scale: int = 5):
        if method not in latent.METHODS:
            raise UsageError(f"method must be one of {latent.METHODS}, got {method!r}")
        self.latent_dim = models.latent_size_of(generator)
        # gans.decode_latents checks the label against the generator at the first redraw
        self.label = label if label is not None or models.num_classes_of(generator) is None else 0
        self.fixed = (_endpoint(start, self.latent_dim), _endpoint(end, self.latent_dim))
        self.position = _position_slider(frames)
        self.method = ipywidgets.ToggleButtons(options=list(latent.METHODS), value=method)
        controls = [self.position, self.method]
        self.seeded = all(isinstance(value, (int, np.integer)) for value in (start, end))
        if self.seeded:
            self.start_seed, self.end_seed = _seed_box(start, "start seed"), _seed_box(end, "end seed")
            controls += [self.start_seed, self.end_seed]
        super().__init__(generator, controls, scale, frames)

    def endpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """The two latent vectors being interpolated (from the seed boxes when seeded)."""
        if self.seeded:
            return _endpoint(self.start_seed.value, self.latent_dim), _endpoint(self.end_seed.value, self.latent_dim)
        return self.fixed

    def latent_at(self, position: float | None = None, method: str | None = None) -> np.ndarray:
        """The latent vector at ``position`` (default: the slider's) on the path."""
        position = self.position.value if position is None else position
        return latent.interpolate(*self.endpoints(), method=method or self.method.value, positions=[position])[0]

    def inputs(self, position: float | None = None, method: str | None = None):
        return self.latent_at(position, method)[None]

    def static_frames(self):
        positions = np.linspace(0.0, 1.0, self.frames)
        # the current method's frames first: that is what the static version opens with
        methods = [self.method.value] + [method for method in latent.METHODS if method != self.method.value]
        sets = {method: [self.inputs(float(position), method) for position in positions] for method in methods}
        return sets, [f"position {position:.2f}" for position in positions]


class ClassExplorer(Explorer):
    """A conditional generator's class, changed smoothly from ``start_class`` to
    ``end_class`` (class weights mixed linearly, ``latent.class_mixture``) while the
    ``count`` noise vectors of ``seed`` stay fixed: one row of images per position."""

    title = "Class interpolation with the noise held fixed"

    def __init__(self, generator, start_class: int = 0, end_class: int = 9, seed: int = 0, count: int = 5, frames: int = 11, scale: int = 4):
        self.num_classes = models.num_classes_of(generator)
        if self.num_classes is None:
            raise UsageError(f"{generator.name} is unconditional: class interpolation needs a conditional generator (cgan, acgan)")
        latent.class_mixture(start_class, end_class, self.num_classes, 2)  # checks the classes
        self.latent_dim, self.count = models.latent_size_of(generator), count
        self.position = _position_slider(frames)
        self.seed = _seed_box(seed, "seed")
        classes = list(range(self.num_classes))
        self.start_class = ipywidgets.Dropdown(options=classes, value=start_class, description="from", layout=ipywidgets.Layout(width="160px"))
        self.end_class = ipywidgets.Dropdown(options=classes, value=end_class, description="to", layout=ipywidgets.Layout(width="160px"))
        super().__init__(models.soft_label_generator(generator), [self.position, self.seed, self.start_class, self.end_class], scale, frames)

    def inputs(self, position: float | None = None):
        position = self.position.value if position is None else position
        weights = latent.class_mixture(self.start_class.value, self.end_class.value, self.num_classes, positions=[position])
        noise = gans.latent_vectors(self.count, self.latent_dim, self.seed.value)
        return [noise, np.repeat(weights, self.count, axis=0)]

    def render(self, inputs) -> np.ndarray:
        noise, weights = inputs
        return gans.decode_class_weights(self.generator, noise, weights)

    def static_frames(self):
        positions = np.linspace(0.0, 1.0, self.frames)
        start, end = self.start_class.value, self.end_class.value
        labels = [f"{1 - position:.0%} of {start}, {position:.0%} of {end}" for position in positions]
        return {"class": [self.inputs(float(position)) for position in positions]}, labels


class DirectionExplorer(Explorer):
    """One slider per latent direction: each moves the codes by up to ``extent`` times that
    direction's spread. ``origin`` is a seed (``count`` noise vectors) or an array of
    latent vectors (e.g. encoded images). Directions come from
    ``latent.principal_directions`` (codes of encoded images) or ``generator_directions``."""

    title = "Walking along the main directions of latent space"

    def __init__(self, generator, directions, spreads=None, origin=0, count: int = 5, extent: float = 3.0,
                 label: int | None = None, frames: int = 13, scale: int = 4):
        self.latent_dim = models.latent_size_of(generator)
        self.directions = np.asarray(directions, dtype=np.float32)
        if self.directions.ndim != 2 or self.directions.shape[1] != self.latent_dim:
            raise UsageError(f"directions must be rows of size {self.latent_dim}, got shape {self.directions.shape}")
        self.spreads = np.ones(len(self.directions), np.float32) if spreads is None else np.asarray(spreads, np.float32)
        if isinstance(origin, (int, np.integer)):
            self.origin = gans.latent_vectors(count, self.latent_dim, int(origin))
        else:
            self.origin = np.asarray(origin, dtype=np.float32).reshape(-1, self.latent_dim)
        self.label, self.extent = label, extent
        self.sliders = [
            ipywidgets.FloatSlider(value=0.0, min=-extent, max=extent, step=2 * extent / (frames - 1),
                                   description=f"direction {index + 1}", readout_format="+.1f")
            for index in range(len(self.directions))
        ]
        super().__init__(generator, self.sliders, scale, frames)

    def latents(self, amounts=None) -> np.ndarray:
        """The shown latent vectors: origin + sum of amount x spread x direction."""
        amounts = np.asarray([slider.value for slider in self.sliders] if amounts is None else amounts, dtype=np.float32)
        return (self.origin + (amounts * self.spreads) @ self.directions).astype(np.float32)

    def inputs(self, amounts=None):
        return self.latents(amounts)

    def static_frames(self):
        steps = np.linspace(-self.extent, self.extent, self.frames)
        sets = {}
        for index in range(len(self.directions)):
            amounts = np.zeros((self.frames, len(self.directions)), np.float32)
            amounts[:, index] = steps
            sets[f"direction {index + 1}"] = [self.inputs(row) for row in amounts]
        return sets, [f"{step:+.1f} spreads" for step in steps]


def generator_directions(generator, count: int = 3, samples: int = 2000, seed: int = 0, layer: str = "project_act"):
    """A GAN's ``count`` main latent directions and their spreads, found from the
    activations of ``layer`` (by default the first one, after the dense projection) for
    ``samples`` seeded noise vectors: ``latent.feature_directions``."""
    import keras

    inputs = generator.inputs if len(generator.inputs) > 1 else generator.inputs[0]
    features_model = keras.Model(inputs, generator.get_layer(layer).output)
    noise = gans.latent_vectors(samples, models.latent_size_of(generator), seed)
    num_classes = models.num_classes_of(generator)
    # a conditional generator gets every class in turn
    features = models.apply_in_batches(features_model, [noise, gans.class_labels(samples, num_classes)] if num_classes else noise)
    return latent.feature_directions(noise, features.reshape(samples, -1), count)
