"""The one writer: numbered backups, write-through symlinks, bounded reads, inputs refused."""

import os

import pytest

from devenv.util import fsutil


def test_backups_are_numbered_and_never_replace_each_other(tmp_path):
    target = tmp_path / "Tiltfile"
    target.write_text("first\n")
    one = fsutil.backup(target)
    target.write_text("second\n")
    two = fsutil.backup(target)
    assert (one.name, two.name) == ("Tiltfile.bak.1", "Tiltfile.bak.2")
    assert (one.read_text(), two.read_text()) == ("first\n", "second\n")


def test_write_goes_through_a_symlink_and_keeps_it(tmp_path):
    (tmp_path / "real").write_text("old\n")
    (tmp_path / "link").symlink_to("real")
    written = fsutil.write_atomic(tmp_path / "link", "new\n")
    assert written == tmp_path / "real"
    assert os.readlink(tmp_path / "link") == "real" and (tmp_path / "real").read_text() == "new\n"


def test_an_input_of_the_command_is_never_written(tmp_path):
    manifest = tmp_path / "services.yaml"
    manifest.write_text("version: 1\n")
    (tmp_path / "alias").symlink_to("services.yaml")
    with pytest.raises(fsutil.UnsafeTarget, match="input of this command"):
        fsutil.write_atomic(tmp_path / "alias", "report", inputs=[manifest])
    assert manifest.read_text() == "version: 1\n"


def test_read_prefix_is_bounded_and_refuses_devices(tmp_path):
    big = tmp_path / "big"
    big.write_bytes(b"x" * 100)
    assert fsutil.read_prefix(big, limit=10) == (b"x" * 10, True)
    assert fsutil.read_prefix(big, limit=100) == (b"x" * 100, False)
    with pytest.raises(fsutil.UnsafeTarget, match="character device"):
        fsutil.read_prefix("/dev/zero")
