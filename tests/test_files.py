import pytest

from ganlab import files


def test_atomic_path_renames_only_when_the_write_finishes(tmp_path):
    target = tmp_path / "grid.png"
    target.write_text("old")
    with files.atomic_path(target) as partial:
        assert partial.suffix == ".png" and partial.parent == tmp_path and partial != target
        partial.write_text("new")
        assert target.read_text() == "old"  # nobody sees the new file before it is complete
    assert target.read_text() == "new" and list(tmp_path.iterdir()) == [target]


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path):
    target = tmp_path / "config.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="^killed mid-write$"), files.atomic_path(target) as partial:
        partial.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]
    files.write_text(target, "whole")
    assert target.read_text() == "whole"
