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


def test_plot_images_shows_the_grid_pixels():
    images = np.stack([np.full((2, 2, 1), value) for value in (-1.0, 1.0)])
    figure = viz.plot_images(images, columns=2, title="two")
    shown = figure.axes[0].images[0].get_array()
    np.testing.assert_array_equal(np.asarray(shown), viz.image_grid(images, columns=2))
    assert figure.axes[0].get_title() == "two"


def test_plot_grids_titles_each_saved_grid(tmp_path):
    paths = {}
    for epoch in (1, 5):
        paths[f"epoch {epoch}"] = tmp_path / f"{epoch}.png"
        viz.save_grid(np.full((4, 3, 3, 1), epoch / 10), paths[f"epoch {epoch}"])
    figure = viz.plot_grids(paths)
    assert [axes.get_title() for axes in figure.axes] == ["epoch 1", "epoch 5"]
    with pytest.raises(ValueError, match="^no grids to show$"):
        viz.plot_grids({})


def test_plot_decision_surfaces_one_panel_per_snapshot():
    snapshots = [{"epoch": epoch, "points": np.zeros((4, 2)), "surface": np.full((5, 5), 0.5)} for epoch in (0, 3, 6)]
    figure = viz.plot_decision_surfaces(np.ones((10, 2)), snapshots, columns=2)
    panels = [axes for axes in figure.axes if axes.get_title()]
    assert [axes.get_title() for axes in panels] == ["before training", "after epoch 3", "after epoch 6"]
    assert len(panels[0].collections) == 2  # real and generated points
    with pytest.raises(ValueError, match="^no snapshots to plot$"):
        viz.plot_decision_surfaces(np.ones((10, 2)), [])


def test_plot_generator_losses_uses_ganlab_losses():
    figure = viz.plot_generator_losses()
    minimax, nonsaturating = figure.axes[0].lines
    d_values = minimax.get_xdata()
    np.testing.assert_allclose(minimax.get_ydata(), np.log(1 - d_values), rtol=1e-4)
    np.testing.assert_allclose(nonsaturating.get_ydata(), -np.log(d_values), rtol=1e-4)


def test_plot_quality_skips_unscored_epochs_and_draws_real_levels():
    history = {"epoch": [0, 1, 2, 3], "judge_fid": [np.nan, 300.0, np.nan, 100.0], "judge_is": [np.nan, 3.0, np.nan, 6.0],
               "coverage": [np.nan, 7.0, np.nan, 10.0]}
    figure = viz.plot_quality(history, real={"judge_fid": 5.0, "judge_is": 9.6, "coverage": 10})
    fid_axes = figure.axes[0]
    assert list(fid_axes.lines[0].get_xdata()) == [2, 4] and list(fid_axes.lines[0].get_ydata()) == [300.0, 100.0]
    assert fid_axes.get_yscale() == "log" and list(fid_axes.lines[1].get_ydata()) == [5.0, 5.0]
    with pytest.raises(ValueError, match="quality_every"):
        viz.plot_quality({"epoch": [0], "d_loss": [1.0]})


def test_plot_class_histogram_draws_a_bar_per_class():
    figure = viz.plot_class_histogram([5, 0, 10], title="t")
    heights = [bar.get_height() for bar in figure.axes[0].patches]
    assert heights == [5, 0, 10] and figure.axes[0].lines[0].get_ydata()[0] == 5


def test_thin_frames_keeps_ends_and_spacing():
    assert viz.thin_frames(range(10), 4) == [0, 3, 6, 9]
    assert viz.thin_frames(range(3), 5) == [0, 1, 2]
    with pytest.raises(ValueError, match="^most must be at least 2, got 1$"):
        viz.thin_frames(range(3), 1)


def test_gif_can_be_shrunk_without_losing_repeated_pixels(tmp_path):
    picture = viz.image_grid(np.linspace(-1, 1, 4 * 3 * 3).reshape(4, 3, 3, 1), padding=1, scale=2)
    viz.save_image(picture, tmp_path / "frame.png")
    viz.save_gif([tmp_path / "frame.png"] * 2, tmp_path / "small.gif", max_width=picture.shape[1] // 2)
    frames = iio.imread(tmp_path / "small.gif", index=None)
    assert frames.shape[1:3] == (picture.shape[0] // 2, picture.shape[1] // 2)
    np.testing.assert_array_equal(np.asarray(frames[0])[..., 0] if frames.ndim == 4 else frames[0], picture[::2, ::2])


def test_plot_divergences_shows_js_saturating_and_wasserstein_growing():
    figure = viz.plot_divergences(shifts=[0.0, 0.5, 1.0], samples=2000)
    js, wasserstein = figure.axes[0].lines[:2]
    assert js.get_ydata()[0] < 0.05 and js.get_ydata()[1] == pytest.approx(np.log(2), abs=1e-3)
    assert js.get_ydata()[2] == pytest.approx(np.log(2), abs=1e-3)  # no overlap: stuck
    np.testing.assert_allclose(wasserstein.get_ydata(), [0.0, 0.5, 1.0], atol=0.01)


def test_plot_loss_shapes_draws_the_four_generator_losses():
    left, right = viz.plot_loss_shapes().axes
    least_squares, wasserstein = right.lines
    scores = least_squares.get_xdata()
    np.testing.assert_allclose(least_squares.get_ydata(), (scores - 1) ** 2 / 2, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(wasserstein.get_ydata(), -scores, atol=1e-6)
    assert len(left.lines) == 2


def test_plot_critic_signal_pairs_the_estimate_with_scored_fid():
    history = {"epoch": [0, 1, 2], "wasserstein": [3.0, 2.0, 1.0], "judge_fid": [np.nan, 400.0, 200.0]}
    figure = viz.plot_critic_signal(history)
    estimate_axes, fid_axes = figure.axes
    assert list(estimate_axes.lines[0].get_ydata()) == [3.0, 2.0, 1.0]
    assert list(fid_axes.lines[0].get_xdata()) == [2, 3] and fid_axes.get_yscale() == "log"
    with pytest.raises(ValueError, match="WGAN"):
        viz.plot_critic_signal({"epoch": [0], "d_loss": [1.0]})


def test_plot_pipeline_steps_shows_file_box_result_and_mirror(tmp_path):
    from matplotlib import patches

    pixels = np.zeros((40, 60, 3), np.uint8)
    pixels[:, :30] = 255  # left half white
    iio.imwrite(tmp_path / "half.png", pixels)
    figure = viz.plot_pipeline_steps(tmp_path / "half.png", image_size=8)
    axes = figure.axes
    assert len(axes) == 4
    box = [patch for patch in axes[1].patches if isinstance(patch, patches.Rectangle)][0]
    assert (box.get_x(), box.get_y(), box.get_width(), box.get_height()) == (10, 0, 40, 40)  # centred square
    result, mirrored = axes[2].images[0].get_array(), axes[3].images[0].get_array()
    assert result.shape[:2] == (8, 8) and result[:, 0].min() == 255 and result[:, -1].max() == 0
    np.testing.assert_array_equal(mirrored, result[:, ::-1])


def test_plot_image_statistics_draws_history_and_real_levels():
    history = {"epoch": [0, 1, 2], "checkerboard": [0.3, 0.01, 0.002], "diversity": [0.1, 0.3, 0.4]}
    figure = viz.plot_image_statistics(history, real={"checkerboard": 0.002, "diversity": 0.5})
    checker_axis, diversity_axis = figure.axes
    assert checker_axis.get_yscale() == "log"
    assert list(diversity_axis.lines[0].get_ydata()) == [0.1, 0.3, 0.4]
    assert diversity_axis.lines[1].get_ydata()[0] == 0.5
    with pytest.raises(ValueError, match="no image statistics"):
        viz.plot_image_statistics({"epoch": [0], "d_loss": [1.0]})


def test_plot_nearest_neighbours_pairs_each_sample_with_its_closest_real_image():
    references = np.stack([np.full((4, 4, 1), value) for value in (-1.0, 0.0, 1.0)])
    samples = np.stack([np.full((4, 4, 1), value) for value in (0.9, -0.8)])
    figure = viz.plot_nearest_neighbours(samples, references, count=2)
    titles = [axis.get_title() for axis in figure.axes[:2]]
    assert titles == ["0.10", "0.20"]
    lower = [axis.images[0].get_array() for axis in figure.axes[2:]]
    assert lower[0].min() == 255 and lower[1].max() == 0  # +1 and -1 real images


def test_autoencoder_histories_get_a_panel_per_group():
    vae_history = {"epoch": [0, 1], "loss": [3.0, 2.0], "reconstruction_loss": [2.5, 1.8], "kl_loss": [0.5, 0.2],
                   "pixel_error": [0.3, 0.2]}
    figure = viz.plot_losses(vae_history)  # dispatches on the KL term
    assert [axis.get_title() for axis in figure.axes] == [
        "the networks' losses", "loss terms", "pixel error of reconstructions"]
    assert [line.get_label() for line in figure.axes[1].get_lines()] == ["reconstruction", "KL to the prior"]
    hybrid = {"epoch": [0], "d_loss": [1.0], "g_loss": [2.0], "e_loss": [3.0], "kl_loss": [0.1], "feature_loss": [4.0],
              "gan_loss": [1.5]}
    figure = viz.plot_autoencoder_losses(hybrid)
    assert len(figure.axes) == 2 and len(figure.axes[0].get_lines()) == 3
    with pytest.raises(ValueError, match="no autoencoder terms"):
        viz.plot_autoencoder_losses({"epoch": [0], "real_accuracy": [0.5]})


def test_plot_image_rows_labels_each_row_and_needs_equal_lengths():
    rows = {"real": np.ones((4, 6, 6, 1)), "vae": -np.ones((4, 6, 6, 1))}
    figure = viz.plot_image_rows(rows)
    assert [axis.get_ylabel() for axis in figure.axes] == ["real", "vae"]
    first = figure.axes[0].get_images()[0].get_array()
    assert first.shape == (8, 4 * 7 + 1) and first.max() == 255
    with pytest.raises(ValueError, match="different numbers"):
        viz.plot_image_rows({"a": np.ones((3, 6, 6, 1)), "b": np.ones((2, 6, 6, 1))})


def test_latent_scatter_colours_each_class_and_needs_two_dimensions():
    codes = np.random.default_rng(0).normal(size=(30, 2))
    figure = viz.plot_latent_scatter(codes, np.arange(30) % 3)
    assert len(figure.axes[0].collections) == 3
    with pytest.raises(ValueError, match="2-D codes"):
        viz.plot_latent_scatter(np.zeros((5, 3)), np.zeros(5))


def test_latent_manifold_places_each_image_at_its_point():
    from ganlab import vae

    grid = vae.latent_grid(4)
    images = np.stack([np.full((5, 5, 1), -1.0 if index == 0 else 1.0) for index in range(16)])
    figure = viz.plot_latent_manifold(images, grid)
    picture = figure.axes[0].get_images()[0].get_array()
    assert picture.shape == (20, 20) and picture[:5, :5].max() == 0 and picture[5:, :].min() == 255
    with pytest.raises(ValueError, match="square 2-D grid"):
        viz.plot_latent_manifold(images[:15], grid[:15])


def test_plot_path_lengths_shows_the_lerp_dip_below_the_prior_band():
    figure = viz.plot_path_lengths(latent_dim=100, num_pairs=20, steps=5)
    axis = figure.axes[0]
    lines = {line.get_label(): line.get_ydata() for line in axis.get_lines()}
    assert set(lines) == {"lerp", "slerp"}
    assert lines["lerp"][2] < 0.75 * lines["lerp"][0]  # about 1/sqrt(2) in the middle
    assert abs(lines["slerp"][2] - lines["slerp"][0]) < 0.05 * lines["slerp"][0]


def test_plot_class_transition_draws_probability_and_share_of_both_ends():
    transition = {"positions": np.linspace(0, 1, 3), "start_probability": np.array([0.9, 0.5, 0.1]),
                  "end_probability": np.array([0.05, 0.4, 0.85]), "start_share": np.array([1.0, 0.5, 0.0]),
                  "end_share": np.array([0.0, 0.4, 1.0]), "confidence": np.array([0.95, 0.6, 0.9])}
    figure = viz.plot_class_transition(transition, 3, 8)
    labels = [line.get_label() for line in figure.axes[0].get_lines()]
    assert labels == ["mean probability of 3", "share called 3", "mean probability of 8", "share called 8",
                      "confidence (mean top probability)"]
    np.testing.assert_allclose(figure.axes[0].get_lines()[2].get_ydata(), [0.05, 0.4, 0.85])
