"""Files and folders are written whole or not at all: readers see the old one or the new one."""

import pytest

from halo_lib.atomic import folder_atomic, write_text_atomic


def test_a_failed_text_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "a.json"
    write_text_atomic(path, "old")
    with pytest.raises(TypeError):
        write_text_atomic(path, 42)  # not text: the write fails
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.json"]


def test_a_folder_replaces_the_old_one_whole_and_a_failed_one_leaves_it(tmp_path):
    target = tmp_path / "adapter"
    with folder_atomic(target) as tmp:
        (tmp / "weights").write_text("v1")
        assert not target.exists()  # nothing visible until it is complete
    with pytest.raises(RuntimeError):
        with folder_atomic(target) as tmp:
            (tmp / "weights").write_text("half")
            raise RuntimeError("killed mid-save")
    assert (target / "weights").read_text() == "v1" and [p.name for p in tmp_path.iterdir()] == ["adapter"]
    with folder_atomic(target) as tmp:
        (tmp / "other").write_text("v2")
    assert [p.name for p in target.iterdir()] == ["other"]  # replaced whole, not merged
