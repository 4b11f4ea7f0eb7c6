"""The explorers are driven as a reader would drive them: set a control, and the picture
must change and show exactly what the generator draws for that latent vector."""

import base64

import keras
import numpy as np
import pytest

from ganlab import gans, latent, models, widgets


@pytest.fixture(scope="module")
def generator():
    keras.utils.set_random_seed(0)
    return models.dcgan_generator(latent_dim=8, widths=(16, 8))


@pytest.fixture(scope="module")
def conditional_generator():
    keras.utils.set_random_seed(0)
    return models.conditional_generator(latent_dim=8, widths=(16, 8), conditioning="embedding")


def drawn(generator, inputs):
    return np.clip(models.apply_in_batches(generator, inputs), -1, 1)


def test_interpolation_slider_redraws_the_generators_image_on_the_path(generator):
    explorer = widgets.InterpolationExplorer(generator, start=3, end=7, method="slerp", frames=5)
    start, end = gans.latent_vectors(1, 8, 3)[0], gans.latent_vectors(1, 8, 7)[0]
    middle_picture = explorer.picture.value
    np.testing.assert_allclose(explorer.images, drawn(generator, latent.slerp(start, end, 5)[2:3]), atol=1e-6)

    explorer.position.value = 0.25
    assert explorer.picture.value != middle_picture
    np.testing.assert_allclose(explorer.images, drawn(generator, latent.slerp(start, end, 5)[1:2]), atol=1e-6)
    explorer.position.value = 0.0
    np.testing.assert_allclose(explorer.images, gans.generate_images(generator, 1, seed=3), atol=1e-6)
    explorer.position.value = 1.0
    np.testing.assert_allclose(explorer.images, gans.generate_images(generator, 1, seed=7), atol=1e-6)


def test_interpolation_toggle_and_seed_boxes_change_the_path(generator):
    explorer = widgets.InterpolationExplorer(generator, start=3, end=7, frames=5)
    slerp_images = explorer.images
    explorer.method.value = "lerp"
    start, end = gans.latent_vectors(1, 8, 3)[0], gans.latent_vectors(1, 8, 7)[0]
    np.testing.assert_allclose(explorer.images, drawn(generator, ((start + end) / 2)[None]), atol=1e-6)
    assert not np.allclose(explorer.images, slerp_images)
    explorer.position.value, explorer.end_seed.value = 1.0, 11
    np.testing.assert_allclose(explorer.images, gans.generate_images(generator, 1, seed=11), atol=1e-6)


def test_interpolation_between_given_latent_vectors(generator):
    start, end = np.zeros(8, np.float32), np.ones(8, np.float32)
    explorer = widgets.InterpolationExplorer(generator, start, end, method="lerp", frames=3)
    assert not explorer.seeded
    np.testing.assert_allclose(explorer.images, drawn(generator, np.full((1, 8), 0.5, np.float32)), atol=1e-6)
    with pytest.raises(ValueError, match="latent vector of size 8"):
        widgets.InterpolationExplorer(generator, np.zeros(3), end)
    with pytest.raises(ValueError, match="method must be one of"):
        widgets.InterpolationExplorer(generator, method="cubic")
    with pytest.raises(ValueError, match="unconditional"):
        widgets.InterpolationExplorer(generator, label=3)


@pytest.mark.slow
def test_class_explorer_mixes_classes_with_the_noise_fixed(conditional_generator):
    explorer = widgets.ClassExplorer(conditional_generator, start_class=2, end_class=5, seed=4, count=3, frames=5)
    assert explorer.images.shape == (3, 28, 28, 1)
    for position, label in ((0.0, 2), (1.0, 5)):
        explorer.position.value = position
        expected = gans.generate_images(conditional_generator, 3, seed=4, labels=label)
        np.testing.assert_allclose(explorer.images, expected, atol=1e-5)
    ends = explorer.images
    explorer.position.value = 0.5
    assert not np.allclose(explorer.images, ends)
    explorer.end_class.value = 9
    np.testing.assert_allclose(explorer.images, drawn(explorer.generator, explorer.inputs()), atol=1e-6)
    with pytest.raises(ValueError, match="unconditional"):
        widgets.ClassExplorer(models.dcgan_generator(latent_dim=8, widths=(16, 8)))


def test_direction_sliders_move_the_codes_along_their_directions(generator):
    directions = np.eye(8, dtype=np.float32)[:2]
    explorer = widgets.DirectionExplorer(generator, directions, spreads=[2.0, 1.0], origin=5, count=2, frames=5)
    np.testing.assert_allclose(explorer.images, gans.generate_images(generator, 2, seed=5), atol=1e-6)
    explorer.sliders[0].value = 1.5
    moved = gans.latent_vectors(2, 8, 5)
    moved[:, 0] += 3.0  # 1.5 spreads of 2
    np.testing.assert_allclose(explorer.latents(), moved, rtol=1e-6)
    np.testing.assert_allclose(explorer.images, drawn(generator, moved), atol=1e-6)
    with pytest.raises(ValueError, match="rows of size 8"):
        widgets.DirectionExplorer(generator, np.eye(4))


def test_generator_directions_are_unit_latent_vectors(generator):
    directions, spreads = widgets.generator_directions(generator, count=2, samples=200)
    assert directions.shape == (2, 8)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=1), 1.0, rtol=1e-5)
    assert np.all(spreads > 0.5) and np.all(spreads < 1.5)


def test_static_version_holds_one_frame_per_position_and_is_self_contained(generator):
    explorer = widgets.InterpolationExplorer(generator, start=1, end=2, frames=4)
    page = explorer.static_html()
    assert page.count("data:image/png;base64,") == 1 + 2 * 4  # the first frame + both methods' frames
    assert 'type="range"' in page and 'max="3"' in page
    assert "http" not in page  # no outside script or image
    assert page == explorer.static_html()  # the same frames give the same HTML
    bundle = explorer._repr_mimebundle_()
    assert {"text/html", "application/vnd.jupyter.widget-view+json"} <= set(bundle)
    with pytest.raises(ValueError, match="one frame per position"):
        widgets.slider_html({"a": [b"x"]}, ["0", "1"], "title", 10)


def test_static_version_opens_on_the_widgets_method_and_position(generator):
    for method in ("lerp", "slerp"):
        explorer = widgets.InterpolationExplorer(generator, start=1, end=2, method=method, frames=5)
        page = explorer.static_html()
        assert f'value="{method}" checked' in page
        # the first frame shown is the picture of the widget's own starting position (0.5)
        first = page.split('class="ganlab-slider-frame" src="data:image/png;base64,')[1].split('"')[0]
        assert base64.b64decode(first) == widgets.png_bytes(explorer.images)


def test_the_picture_is_drawn_at_its_own_size_not_stretched_to_the_cell(generator, conditional_generator):
    # before, the picture had no size of its own and JupyterLab stretched it to the cell
    explorers = [widgets.InterpolationExplorer(generator, scale=5), widgets.ClassExplorer(conditional_generator, scale=4)]
    for explorer in explorers:
        count, height, width, _ = explorer.images.shape
        expected = ((count * (width + 2) + 2) * explorer.scale, (height + 4) * explorer.scale)
        assert widgets.picture_size(explorer.picture.value) == expected
        picture = explorer.picture
        assert (picture.width, picture.height) == tuple(str(size) for size in expected)
        assert (picture.layout.width, picture.layout.height) == tuple(f"{size}px" for size in expected)
        assert picture.layout.max_width == picture.layout.width and picture.layout.align_self == "flex-start"
    # and it keeps its size as the slider moves
    explorer = explorers[0]
    explorer.position.value = 0.25
    assert explorer.picture.layout.width == f"{widgets.picture_size(explorer.picture.value)[0]}px"
