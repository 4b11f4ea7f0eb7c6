import numpy as np
import pytest

from ganlab import latent


def test_lerp_hits_both_ends_and_the_midpoint():
    path = latent.lerp([0.0, 2.0], [4.0, -2.0], steps=5)
    np.testing.assert_allclose(path, [[0, 2], [1, 1], [2, 0], [3, -1], [4, -2]])
    assert path.dtype == np.float32


def test_slerp_keeps_the_endpoints_and_the_length_of_equal_length_codes():
    rng = np.random.default_rng(0)
    start, end = rng.standard_normal(100), rng.standard_normal(100)
    end *= np.linalg.norm(start) / np.linalg.norm(end)
    path = latent.slerp(start, end, steps=9)
    np.testing.assert_allclose(path[0], start, rtol=1e-5)
    np.testing.assert_allclose(path[-1], end, rtol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), np.linalg.norm(start), rtol=1e-5)
    # the straight line sags towards the origin in the middle; the arc does not
    middle = latent.lerp(start, end, steps=9)[4]
    assert np.linalg.norm(middle) < 0.8 * np.linalg.norm(path[4])


def test_slerp_matches_hand_computation_on_a_quarter_circle():
    path = latent.slerp([1.0, 0.0], [0.0, 1.0], steps=3)
    half = np.sqrt(0.5)
    np.testing.assert_allclose(path, [[1, 0], [half, half], [0, 1]], atol=1e-6)
    # lengths 1 and 3: the length moves linearly, the angle evenly
    path = latent.slerp([1.0, 0.0], [0.0, 3.0], steps=3)
    np.testing.assert_allclose(path[1], [2 * half, 2 * half], atol=1e-6)


def test_slerp_falls_back_to_lerp_where_the_arc_is_undefined():
    np.testing.assert_allclose(latent.slerp([1.0, 0.0], [2.0, 0.0], 3), latent.lerp([1.0, 0.0], [2.0, 0.0], 3))
    np.testing.assert_allclose(latent.slerp([0.0, 0.0], [2.0, 0.0], 3), [[0, 0], [1, 0], [2, 0]])


def test_interpolate_by_name_and_bad_input():
    np.testing.assert_allclose(latent.interpolate([1.0, 0.0], [0.0, 1.0], 3, method="lerp")[1], [0.5, 0.5])
    with pytest.raises(ValueError, match="method must be one of"):
        latent.interpolate([1.0], [2.0], method="cubic")
    with pytest.raises(ValueError, match="at least 2"):
        latent.lerp([0.0], [1.0], steps=1)
    with pytest.raises(ValueError, match="one size"):
        latent.slerp([0.0, 1.0], [1.0, 0.0, 0.0])


def test_walk_moves_in_units_along_the_direction():
    path = latent.walk([1.0, 1.0], [0.0, 5.0], [-2.0, 0.0, 3.0])
    np.testing.assert_allclose(path, [[1, -1], [1, 1], [1, 4]])
    with pytest.raises(ValueError, match="zero vector"):
        latent.walk([1.0, 1.0], [0.0, 0.0], [1.0])


def test_principal_directions_find_the_widest_spread():
    rng = np.random.default_rng(1)
    # spread 3 along (1, 1)/sqrt(2), 0.5 across it
    along, across = rng.normal(0, 3.0, 5000), rng.normal(0, 0.5, 5000)
    axis = np.array([1.0, 1.0]) / np.sqrt(2)
    codes = along[:, None] * axis + across[:, None] * np.array([1.0, -1.0]) / np.sqrt(2) + [5.0, -2.0]
    directions, spreads = latent.principal_directions(codes, count=2)
    np.testing.assert_allclose(directions[0], axis, atol=0.01)
    np.testing.assert_allclose(spreads, [3.0, 0.5], rtol=0.05)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=1), 1.0, rtol=1e-5)
    with pytest.raises(ValueError, match="count must be"):
        latent.principal_directions(codes, count=3)


def test_many_features_take_the_fast_path_and_agree_with_a_full_svd(monkeypatch):
    # 600 samples of 800 features: a falling spectrum, as a generator's layer has
    rng = np.random.default_rng(2)
    loadings = rng.normal(size=(20, 800)) * (0.7 ** np.arange(20))[:, None] * 10
    features = rng.normal(size=(600, 20)) @ loadings + rng.normal(0, 0.1, size=(600, 800))
    assert min(features.shape) > latent.EXACT_SVD_SIZE
    fast_directions, fast_spreads = latent.principal_directions(features, count=3)
    monkeypatch.setattr(latent, "EXACT_SVD_SIZE", 10_000)
    exact_directions, exact_spreads = latent.principal_directions(features, count=3)
    np.testing.assert_allclose(fast_spreads, exact_spreads, rtol=1e-5)
    np.testing.assert_allclose(fast_directions, exact_directions, atol=1e-4)  # the same signs too


def test_attribute_vector_is_the_difference_of_the_means():
    with_attribute = [[2.0, 0.0], [4.0, 2.0]]
    without = [[0.0, 0.0]]
    np.testing.assert_allclose(latent.attribute_vector(with_attribute, without), [3.0, 1.0])
    with pytest.raises(ValueError, match="one size"):
        latent.attribute_vector([[1.0, 2.0]], [[1.0, 2.0, 3.0]])


def test_paths_at_given_positions_match_the_evenly_spaced_ones():
    rng = np.random.default_rng(1)
    start, end = rng.standard_normal(8), rng.standard_normal(8)
    for method in latent.METHODS:
        path = latent.interpolate(start, end, steps=5, method=method)
        picked = latent.interpolate(start, end, method=method, positions=[0.0, 0.25, 1.0])
        np.testing.assert_allclose(picked, path[[0, 1, 4]], rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        latent.lerp(start, end, positions=[1.5])


def test_class_mixture_goes_from_one_one_hot_row_to_another():
    mixture = latent.class_mixture(3, 8, 10, steps=5)
    assert mixture.shape == (5, 10)
    np.testing.assert_allclose(mixture.sum(axis=1), 1.0)
    np.testing.assert_allclose(mixture[:, 3], [1, 0.75, 0.5, 0.25, 0])
    np.testing.assert_allclose(mixture[:, 8], [0, 0.25, 0.5, 0.75, 1])
    assert np.count_nonzero(mixture[:, [0, 1, 2, 4, 5, 6, 7, 9]]) == 0
    with pytest.raises(ValueError, match="end_class must be in 0..9"):
        latent.class_mixture(3, 10, 10)


def test_feature_directions_recover_the_code_direction_that_moves_features_most():
    rng = np.random.default_rng(0)
    codes = rng.standard_normal((500, 4))
    # the features mostly follow code component 2, then component 0
    features = np.stack([10 * codes[:, 2], 10 * codes[:, 2] + 0.1 * codes[:, 1], 3 * codes[:, 0], 0.1 * codes[:, 3]], axis=1)
    directions, spreads = latent.feature_directions(codes, features, count=2)
    assert directions.shape == (2, 4)
    np.testing.assert_allclose(np.linalg.norm(directions, axis=1), 1.0, rtol=1e-5)
    assert abs(directions[0, 2]) > 0.99 and abs(directions[1, 0]) > 0.99
    np.testing.assert_allclose(spreads, 1.0, atol=0.1)  # the codes are N(0, I)
    with pytest.raises(ValueError, match="more codes than latent dimensions"):
        latent.feature_directions(codes[:3], features[:3])


def test_class_path_visits_every_class_in_order():
    path = latent.class_path([0, 1, 2], num_classes=3, steps_between=2)
    np.testing.assert_allclose(path, [[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0], [0, 0.5, 0.5], [0, 0, 1]])
    assert len(latent.class_path(range(10), 10, steps_between=4)) == 9 * 4 + 1
    with pytest.raises(ValueError, match="at least two classes"):
        latent.class_path([3], 10)


def test_balanced_attribute_vector_ignores_differences_between_groups():
    # two groups far apart in code space; within each, the score follows code component 1
    rng = np.random.default_rng(0)
    groups = np.repeat([0, 1], 100)
    codes = rng.standard_normal((200, 3)) * 0.1
    codes[groups == 1, 0] += 5.0  # group 1 sits far along component 0 ...
    scores = codes[:, 1] + 10.0 * groups  # ... and scores much higher overall
    plain = latent.attribute_vector(codes[scores > np.quantile(scores, 0.8)], codes[scores < np.quantile(scores, 0.2)])
    balanced = latent.balanced_attribute_vector(codes, scores, groups, share=0.2)
    assert abs(plain[0]) > 4  # the plain vector mostly says "be in group 1"
    assert abs(balanced[0]) < 0.1 and balanced[1] > 0.2  # the balanced one follows the score within groups
    with pytest.raises(ValueError, match="too few codes"):
        latent.balanced_attribute_vector(codes[:102], scores[:102], groups[:102], share=0.2)


def test_path_lengths_dip_by_one_over_root_two_on_the_straight_line_only():
    lengths = latent.path_lengths(latent_dim=400, num_pairs=50, steps=5, seed=0)
    middle = 2  # position 0.5
    # two nearly perpendicular codes of length ~sqrt(d): the midpoint has length ~sqrt(d / 2)
    assert abs(lengths["lerp"]["mean"][middle] / lengths["typical"] - 0.5**0.5) < 0.03
    low, high = lengths["prior_band"]
    assert low < lengths["slerp"]["mean"][middle] < high and lengths["lerp"]["mean"][middle] < low
    np.testing.assert_allclose(lengths["lerp"]["mean"][[0, -1]], lengths["slerp"]["mean"][[0, -1]])
