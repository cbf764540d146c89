"""Each candidate's random streams: numpy's SeedSequence spawning, bit for bit, and independent."""

import numpy as np
import pytest

from hyposti.virtual.streams import BLOCK, STREAMS, patient_stream, patient_streams


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1, 2**32 + 3, 2**130 + 99])
@pytest.mark.parametrize("index", [0, 1, BLOCK - 1, BLOCK, 9_999, 2**32 - 1, 2**32, 2**33 + 5])
def test_each_stream_is_numpys_spawned_child(seed: int, index: int) -> None:
    """The same numbers as numpy's own SeedSequence(seed).spawn of the candidate's children."""
    children = np.random.SeedSequence(seed, spawn_key=(index,)).spawn(len(STREAMS))
    for name, child in zip(STREAMS, children, strict=True):
        expected = np.random.default_rng(child)
        np.testing.assert_array_equal(
            patient_stream(seed, index, name).integers(0, 2**63, size=6),
            expected.integers(0, 2**63, size=6),
        )


def test_streams_depend_only_on_seed_and_index() -> None:
    first = {k: g.random(3) for k, g in patient_streams(7, 4).items()}
    again = {k: g.random(3) for k, g in patient_streams(7, 4).items()}
    other = {k: g.random(3) for k, g in patient_streams(7, 5).items()}
    assert list(first) == list(STREAMS)
    for name in STREAMS:
        np.testing.assert_array_equal(first[name], again[name])
        assert not np.array_equal(first[name], other[name])
    values = [v[0] for v in first.values()]
    assert len(set(values)) == len(values)  # the domains do not share numbers


def test_one_stream_alone_is_the_same_as_spawned_with_the_others() -> None:
    spawned = patient_streams(11, 9)
    for name in STREAMS:
        np.testing.assert_array_equal(
            patient_stream(11, 9, name).random(4), spawned[name].random(4)
        )


def test_an_unknown_stream_is_refused() -> None:
    with pytest.raises(KeyError, match="arrivals"):
        patient_streams(1, 2)["arrivals"]
