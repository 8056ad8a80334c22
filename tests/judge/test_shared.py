"""The shared region for timed calls: sealed, and nothing the child claims about its output is taken on trust."""

import errno
import os

import numpy as np
import pytest

from judge.shared import SharedRegion
from judge.wire import WireError


def test_inputs_go_in_aligned_and_an_output_comes_back_as_a_copy():
    a, b = np.arange(7, dtype=np.float32), np.ones((3, 5), dtype=np.float64)
    with SharedRegion(a.nbytes + b.nbytes + 128, 1024) as region:
        slots = region.write_inputs([a, b])
        assert [s["offset"] % 64 for s in slots] == [0, 0]
        assert slots[1] == {"offset": 64, "dtype": "<f8", "shape": [3, 5]}
        area = region.output_area()
        out = np.ndarray((2, 2), np.float32, buffer=region._map, offset=area["offset"])
        out[:] = 5.0  # as the child would write it
        copy = region.read_output({"dtype": "<f4", "shape": [2, 2]}, max_bytes=1 << 20)
        out[:] = 0.0  # the child changing its mind afterwards changes nothing
        assert copy.tolist() == [[5.0, 5.0], [5.0, 5.0]]


def test_the_region_cannot_be_shrunk_grown_or_unsealed_by_whoever_holds_its_fd():
    with SharedRegion(4096, 4096) as region:
        for size in (0, region.size * 2):
            with pytest.raises(PermissionError):
                os.ftruncate(region.fd, size)  # a shrink would make the judge's reads fault (SIGBUS)
        import fcntl

        with pytest.raises(PermissionError) as caught:
            fcntl.fcntl(region.fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_WRITE)
        assert caught.value.errno == errno.EPERM


@pytest.mark.parametrize("claim", [
    None,
    "not a dict",
    {"dtype": "|O", "shape": [1]},  # objects
    {"dtype": "[('a', '<f4')]", "shape": [1]},  # records (refused or unreadable)
    {"dtype": "<U4", "shape": [1]},  # strings
    {"dtype": "nonsense", "shape": [1]},
    {"dtype": "<f4", "shape": "3"},
    {"dtype": "<f4", "shape": [-1]},
    {"dtype": "<f4", "shape": [1.5]},
    {"dtype": "<f4", "shape": [True]},
    {"dtype": "<f4", "shape": [1 << 40, 1 << 40]},  # far past the area
])
def test_a_claim_that_is_not_a_plain_array_inside_the_output_area_is_refused(claim):
    with SharedRegion(64, 4096) as region, pytest.raises(WireError):
        region.read_output(claim, max_bytes=1 << 20)


def test_the_callers_reply_cap_binds_below_the_area():
    with SharedRegion(64, 4096) as region:
        assert region.read_output({"dtype": "<f4", "shape": [16]}, max_bytes=64).shape == (16,)
        with pytest.raises(WireError, match="over the limit"):
            region.read_output({"dtype": "<f4", "shape": [17]}, max_bytes=64)
