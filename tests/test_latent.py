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


def test_attribute_vector_is_the_difference_of_the_means():
    with_attribute = [[2.0, 0.0], [4.0, 2.0]]
    without = [[0.0, 0.0]]
    np.testing.assert_allclose(latent.attribute_vector(with_attribute, without), [3.0, 1.0])
    with pytest.raises(ValueError, match="one size"):
        latent.attribute_vector([[1.0, 2.0]], [[1.0, 2.0, 3.0]])
