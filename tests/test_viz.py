import imageio.v3 as iio
import numpy as np
import pytest

from ganlab import viz


def test_to_uint8_maps_range_ends():
    assert viz.to_uint8(np.array([-1.0, 0.0, 1.0, 3.0])).tolist() == [0, 128, 255, 255]


def test_image_grid_places_each_image():
    images = np.stack([np.full((2, 2, 1), value) for value in (-1.0, 1.0, 1.0)])
    grid = viz.image_grid(images, columns=2, padding=1)
    assert grid.shape == (2 * 3 + 1, 2 * 3 + 1)
    assert grid[1:3, 4:6].min() == 255  # second image, first row
    assert grid[4:6, 1:3].min() == 255  # third image, second row
    assert grid[4:6, 4:6].max() == 0  # empty cell stays black


def test_image_grid_colour_and_scale():
    grid = viz.image_grid(np.zeros((4, 3, 3, 3)), padding=0, scale=2)
    assert grid.shape == (12, 12, 3)
    with pytest.raises(ValueError, match="NHWC"):
        viz.image_grid(np.zeros((3, 3)))


def test_gif_has_every_frame(tmp_path):
    paths = []
    for index in range(3):
        path = tmp_path / f"frame{index}.png"
        viz.save_grid(np.full((1, 4, 4, 1), index / 2 - 0.5), path, scale=1)
        paths.append(path)
    assert viz.save_gif(paths, tmp_path / "movie.gif") == 3
    assert iio.imread(tmp_path / "movie.gif", index=None).shape[0] == 3
    assert viz.save_gif(paths[:1], tmp_path / "one.gif") == 1
    with pytest.raises(ValueError, match="no frames"):
        viz.save_gif([], tmp_path / "none.gif")


def test_plot_losses_draws_both_panels():
    figure = viz.plot_losses({"epoch": [0, 1], "d_loss": [1.3, 1.2], "g_loss": [0.7, 0.9], "real_accuracy": [0.6, 0.7], "fake_accuracy": [0.4, 0.5]})
    loss_axes, accuracy_axes = figure.axes
    assert len(loss_axes.lines) == 2
    assert list(loss_axes.lines[0].get_xdata()) == [1, 2]  # epochs shown from 1
    assert len(accuracy_axes.lines) == 3  # two curves and the 0.5 guide
