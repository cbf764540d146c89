"""Each candidate's independent random streams, built from the trial's seed and their index.

Stream ``name`` of candidate ``index`` is numpy's PCG64 seeded by
``SeedSequence(entropy=seed, spawn_key=(index, STREAMS.index(name)))``: what
``SeedSequence(seed, spawn_key=(index,)).spawn(...)`` gives as child ``STREAMS.index(name)``.
Each candidate's numbers depend only on the seed and its index, so adding a candidate never
changes another's (O'Neill 2015, PCG; numpy's SeedSequence after O'Neill's ``seed_seq_fe``).

Building one generator through SeedSequence costs about 47 microseconds, more than a screen
failure's draws, and a 10^4-patient trial builds about 128,000. So the SeedSequence hash is
computed here for a block of candidates at once in numpy (the words of the trial's seed are
mixed once; only the two spawn-key words differ between streams), and each generator is then
seeded from its precomputed words in about 3 microseconds. The words are numpy's own, bit for
bit: ``tests/virtual/test_streams.py`` checks them against ``SeedSequence.generate_state``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.random.bit_generator import ISeedSequence

#: The per-candidate random streams, in the order they are spawned from the candidate's seed.
STREAMS = (
    "arrival",
    "candidate",
    "tumour_baseline",
    "screening_record",
    "timing",
    "toxicity",
    "kinetics",
    "tumour_course",
    "scans",
    "survival",
)

#: Candidates whose seeding words are computed together: one block costs about as much as two
#: generators built through SeedSequence.
BLOCK = 256

# numpy/random/bit_generator.pyx: SeedSequence's hash constants (O'Neill's seed_seq_fe).
_MASK = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4  # SeedSequence's default pool size, in 32-bit words


def _words(value: int) -> list[int]:
    """An integer as SeedSequence reads it: 32-bit words, least significant first (0 is [0])."""
    words = [value & _MASK]
    value >>= 32
    while value:
        words.append(value & _MASK)
        value >>= 32
    return words


def _hashmix(value: int, constant: int) -> tuple[int, int]:
    """SeedSequence's ``hashmix``: the mixed word and the next hash constant."""
    value ^= constant
    constant = (constant * _MULT_A) & _MASK
    value = (value * constant) & _MASK
    return value ^ (value >> 16), constant


def _mix(x: int, y: int) -> int:
    result = (_MIX_L * x - _MIX_R * y) & _MASK
    return result ^ (result >> 16)


@lru_cache(maxsize=4)
def _seed_pool(seed: int) -> tuple[tuple[int, ...], int]:
    """SeedSequence's entropy pool after mixing the seed's words, and the hash constant then.

    With a spawn key the seed's words are padded to the pool's size, so the pool's first mixing
    rounds read only the seed: every candidate's stream starts from this pool.
    """
    run = _words(seed)
    run += [0] * (_POOL - len(run))
    constant = _INIT_A
    pool = []
    for word in run[:_POOL]:
        mixed, constant = _hashmix(word, constant)
        pool.append(mixed)
    for source in range(_POOL):
        for target in range(_POOL):
            if source != target:
                mixed, constant = _hashmix(pool[source], constant)
                pool[target] = _mix(pool[target], mixed)
    for word in run[_POOL:]:
        for target in range(_POOL):
            mixed, constant = _hashmix(word, constant)
            pool[target] = _mix(pool[target], mixed)
    return tuple(pool), constant


@lru_cache(maxsize=4)
def _block_states(seed: int, block: int) -> np.ndarray:
    """The PCG64 seeding words (4 uint64) of every stream of candidates ``block * BLOCK`` to
    ``(block + 1) * BLOCK - 1``: shape (BLOCK, len(STREAMS), 4).

    The rest of SeedSequence's mixing (the spawn key's words) and its ``generate_state(4,
    uint64)``, on uint32 arrays whose arithmetic wraps as the C original's does.
    """
    pool, constant = _seed_pool(seed)
    index = np.arange(block * BLOCK, (block + 1) * BLOCK, dtype=np.uint64)
    streams = len(STREAMS)
    # A block never straddles 2**32 (a multiple of BLOCK), so its indices have as many words.
    key = [np.repeat((index & _MASK).astype(np.uint32), streams)]
    if (block + 1) * BLOCK - 1 > _MASK:
        key.append(np.repeat((index >> np.uint64(32)).astype(np.uint32), streams))
    key.append(np.tile(np.arange(streams, dtype=np.uint32), BLOCK))
    lanes = [np.full(BLOCK * streams, word, dtype=np.uint32) for word in pool]
    shift, left, right = np.uint32(16), np.uint32(_MIX_L), np.uint32(_MIX_R)
    for word in key:
        for target in range(_POOL):
            mixed = word ^ np.uint32(constant)
            constant = (constant * _MULT_A) & _MASK
            mixed *= np.uint32(constant)
            mixed ^= mixed >> shift
            result = left * lanes[target] - right * mixed
            lanes[target] = result ^ (result >> shift)
    state = np.empty((BLOCK * streams, 2 * _POOL), dtype=np.uint32)
    constant = _INIT_B
    for column in range(2 * _POOL):
        value = lanes[column % _POOL] ^ np.uint32(constant)
        constant = (constant * _MULT_B) & _MASK
        value *= np.uint32(constant)
        state[:, column] = value ^ (value >> shift)
    # Two little-endian uint32 words make one uint64, as generate_state(4, np.uint64) returns.
    words = state.astype("<u4").view("<u8").astype(np.uint64)
    states = words.reshape(BLOCK, streams, _POOL)
    states.flags.writeable = False  # cached: shared by every caller of the block
    return states


class _SeedWords(ISeedSequence):
    """numpy's seed-sequence interface over words already computed (PCG64 asks for 4 uint64)."""

    def __init__(self, words: npt.NDArray[np.uint64]) -> None:
        self._words = words

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> npt.NDArray[np.uint64]:
        if n_words != self._words.size or np.dtype(dtype) != np.uint64:
            raise ValueError(f"precomputed for 4 uint64 words, asked {n_words} {dtype}")
        return self._words


def patient_stream(seed: int, index: int, name: str) -> np.random.Generator:
    """The one generator ``name`` of candidate ``index``: the same as in ``patient_streams``."""
    block, row = divmod(index, BLOCK)
    words = _block_states(seed, block)[row, STREAMS.index(name)]
    # numpy's stub names SeedSequence; PCG64 takes any ISeedSequence (numpy.random docs).
    return np.random.Generator(np.random.PCG64(_SeedWords(words)))  # type: ignore[arg-type]


class PatientStreams(Mapping[str, np.random.Generator]):
    """Candidate ``index``'s generators by name (``STREAMS``), each built on first use.

    A screen failure never draws from the treatment's streams, so they are never built.
    """

    def __init__(self, seed: int, index: int) -> None:
        self._seed, self._index = seed, index
        self._built: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        rng = self._built.get(name)
        if rng is None:
            if name not in STREAMS:
                raise KeyError(name)
            rng = self._built[name] = patient_stream(self._seed, self._index, name)
        return rng

    def __iter__(self) -> Iterator[str]:
        return iter(STREAMS)

    def __len__(self) -> int:
        return len(STREAMS)


def patient_streams(seed: int, index: int) -> PatientStreams:
    """Independent generators for candidate ``index``: SeedSequence(seed, spawn_key=(index,)).

    Each candidate's numbers depend only on the seed and its index, so adding a candidate never
    changes another's (numpy SeedSequence spawning; O'Neill 2015, PCG).
    """
    return PatientStreams(seed, index)
