"""Reproducible per-replicate random numbers inside Numba kernels, and their references.

Numba's ``np.random`` inside ``njit`` keeps one state per thread, so its numbers depend
on how replicates are scheduled over threads. The Monte Carlo kernels instead give every
replicate its own generator, whose state depends only on ``(key, replicate index)``:

* **Seeding.** ``key`` is a uint64 drawn from ``np.random.SeedSequence(seed)``
  (:func:`key_from_seed`). Replicate ``r`` starts xoshiro256** from the four SplitMix64
  outputs number ``4r+1 .. 4r+4`` of the SplitMix64 sequence started at ``key``
  (Vigna's recommended seeding; SplitMix64's output is a bijection of its counter, so
  different replicates get different states).
* **Generator.** xoshiro256** (Blackman & Vigna 2018), 64-bit output.
* **Uniform on (-1, 1).** ``(2k + 1 - 2^53) / 2^53`` with ``k`` the top 53 bits: an
  exactly symmetric grid (mean exactly 0), no endpoint.
* **Standard normal.** The 256-layer ziggurat of Marsaglia & Tsang (2000) in the form
  NumPy uses (one 64-bit draw: 8 bits layer, 1 bit sign, 52 bits abscissa; exact
  rejection on the wedges, Marsaglia's exact tail method beyond r = 3.6541...). The
  ziggurat is an exact sampler: its output distribution is N(0, 1) up to the
  resolution of the tables.

Every ``_``-function here is an ``@njit(cache=True)`` building block working on a
``uint64[4]`` state array. The ``Ref*``/``ref_*`` objects are the plain Python/NumPy
references that produce the same numbers from the same key (tests compare them).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from slth_theory.numerics.seeds import as_seed_sequence

_U64 = np.uint64
_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_SM_M1 = 0xBF58476D1CE4E5B9
_SM_M2 = 0x94D049BB133111EB
_TWO53_INT = 1 << 53
_INV_TWO53 = 1.0 / 9007199254740992.0  # 2^-53

ZIG_R = 3.6541528853610088
ZIG_INV_R = 0.27366123732975828
_ZIG_V = 0.00492867323399


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Tables ``ki`` (uint64), ``wi``, ``fi`` of the 256-layer normal ziggurat.

    Marsaglia & Tsang's ``zigset`` with a 52-bit abscissa (as in NumPy's
    ``ziggurat_constants.h``): layer 0 is the base strip with the tail, ``wi[i]`` maps
    the 52-bit integer to ``x``, ``ki[i]`` is the integer threshold below which the point
    lies inside the next-smaller rectangle, ``fi[i] = exp(-x_i^2 / 2)``.
    """
    m = 2.0 ** 52
    ki = np.zeros(256, dtype=np.uint64)
    wi = np.zeros(256)
    fi = np.zeros(256)
    dn = ZIG_R
    tn = dn
    q = _ZIG_V / math.exp(-0.5 * dn * dn)
    ki[0] = np.uint64(int((dn / q) * m))
    ki[1] = np.uint64(0)
    wi[0] = q / m
    wi[255] = dn / m
    fi[0] = 1.0
    fi[255] = math.exp(-0.5 * dn * dn)
    for i in range(254, 0, -1):
        dn = math.sqrt(-2.0 * math.log(_ZIG_V / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = np.uint64(int((dn / tn) * m))
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / m
    return ki, wi, fi


ZIG_KI, ZIG_WI, ZIG_FI = _ziggurat_tables()


def key_from_seed(seed) -> int:
    """A uint64 key from the SeedSequence of ``seed`` (an int, a sequence of ints, a
    SeedSequence or a Generator; :func:`slth_theory.numerics.seeds.as_seed_sequence`); the
    root of all replicate streams of one Monte Carlo run."""
    ss = as_seed_sequence(seed, "seed")
    return int(ss.generate_state(1, dtype=np.uint64)[0])


# ----------------------------------------------------------------------------- Numba


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << _U64(k)) | (x >> _U64(64 - k))


@njit(cache=True, inline="always")
def _splitmix64(x):
    """SplitMix64 output for counter value ``x`` (already advanced)."""
    z = x
    z = (z ^ (z >> _U64(30))) * _U64(_SM_M1)
    z = (z ^ (z >> _U64(27))) * _U64(_SM_M2)
    return z ^ (z >> _U64(31))


@njit(cache=True)
def _seed_state(key, replicate, st):
    """Fill ``st`` (uint64[4]) with the xoshiro256** start state of ``replicate``."""
    base = _U64(key) + _U64(4) * _U64(replicate) * _U64(_GOLDEN)
    for i in range(4):
        st[i] = _splitmix64(base + _U64(i + 1) * _U64(_GOLDEN))
    if st[0] == 0 and st[1] == 0 and st[2] == 0 and st[3] == 0:  # pragma: no cover
        st[0] = _U64(1)


@njit(cache=True, inline="always")
def _xoshiro_step(s0, s1, s2, s3):
    """One xoshiro256** step on the four state words: ``(output, s0, s1, s2, s3)``, the
    state advanced (kernels that keep the state in registers call this in their loops)."""
    result = _rotl(s1 * _U64(5), 7) * _U64(9)
    t = s1 << _U64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    return result, s0, s1, s2, _rotl(s3, 45)


@njit(cache=True, inline="always")
def _next_u64(st):
    """xoshiro256**: next 64-bit output, advancing ``st`` in place."""
    result, s0, s1, s2, s3 = _xoshiro_step(st[0], st[1], st[2], st[3])
    st[0] = s0
    st[1] = s1
    st[2] = s2
    st[3] = s3
    return result


@njit(cache=True, inline="always")
def _next_double(st):
    """Uniform on [0, 1): top 53 bits / 2^53."""
    return np.float64(_next_u64(st) >> _U64(11)) * _INV_TWO53


@njit(cache=True, inline="always")
def _next_sym_uniform(st):
    """Uniform on (-1, 1), exactly symmetric: ``(2k + 1 - 2^53) / 2^53``."""
    k = np.int64(_next_u64(st) >> _U64(11))
    return np.float64(2 * k + 1 - _TWO53_INT) * _INV_TWO53


@njit(cache=True)
def _normal_slow(st, idx, rabs, x, ki, wi, fi):
    """The rare branches of the ziggurat (tail strip or wedge); loops until accepted."""
    while True:
        if idx == 0:
            while True:
                xx = -ZIG_INV_R * math.log1p(-_next_double(st))
                yy = -math.log1p(-_next_double(st))
                if yy + yy > xx * xx:
                    if (rabs >> _U64(8)) & _U64(1):
                        return -(ZIG_R + xx)
                    return ZIG_R + xx
        else:
            if (fi[idx - 1] - fi[idx]) * _next_double(st) + fi[idx] < math.exp(-0.5 * x * x):
                return x
        # rejected: draw a fresh candidate
        idx, rabs, x = _zig_candidate(_next_u64(st), wi)
        if rabs < ki[idx]:
            return x


@njit(cache=True, inline="always")
def _zig_candidate(r, wi):
    """A 64-bit draw read as a ziggurat candidate (NumPy's layout): layer ``idx`` (low 8
    bits), then a sign bit and the 52-bit abscissa ``rabs``; ``x = +-rabs wi[idx]``."""
    idx = np.int64(r & _U64(0xFF))
    r = r >> _U64(8)
    rabs = (r >> _U64(1)) & _U64(0x000FFFFFFFFFFFFF)
    x = np.float64(rabs) * wi[idx]
    if r & _U64(1):
        x = -x
    return idx, rabs, x


@njit(cache=True, inline="always")
def _next_normal(st, ki, wi, fi):
    """Standard normal by the 256-layer ziggurat (NumPy's layout of the 64-bit draw)."""
    idx, rabs, x = _zig_candidate(_next_u64(st), wi)
    if rabs < ki[idx]:
        return x
    return _normal_slow(st, idx, rabs, x, ki, wi, fi)


@njit(cache=True)
def _fill_draws(key, replicate, family, out):
    """Fill ``out`` with the first draws of a replicate's stream (test helper).

    ``family`` 0: uniform on (-1, 1) (``_next_sym_uniform``); 1: standard normal
    (``_next_normal``); 2: uniform on [0, 1) (``_next_double``).
    """
    st = np.empty(4, dtype=np.uint64)
    _seed_state(key, replicate, st)
    for i in range(out.size):
        if family == 0:
            out[i] = _next_sym_uniform(st)
        elif family == 1:
            out[i] = _next_normal(st, ZIG_KI, ZIG_WI, ZIG_FI)
        else:
            out[i] = _next_double(st)


# ------------------------------------------------------------------------- reference


def _ref_splitmix64(x: int) -> int:
    z = x & _MASK
    z = ((z ^ (z >> 30)) * _SM_M1) & _MASK
    z = ((z ^ (z >> 27)) * _SM_M2) & _MASK
    return z ^ (z >> 31)


class RefXoshiro:
    """Plain-Python xoshiro256** with the same seeding and transforms as the kernels.

    Slow (pure Python integers); for tests on small networks.
    """

    def __init__(self, key: int, replicate: int) -> None:
        base = (int(key) + 4 * int(replicate) * _GOLDEN) & _MASK
        self.s = [_ref_splitmix64((base + (i + 1) * _GOLDEN) & _MASK) for i in range(4)]
        if not any(self.s):  # pragma: no cover
            self.s[0] = 1

    def next_u64(self) -> int:
        s0, s1, s2, s3 = self.s
        rot = lambda x, k: ((x << k) | (x >> (64 - k))) & _MASK  # noqa: E731
        result = (rot((s1 * 5) & _MASK, 7) * 9) & _MASK
        t = (s1 << 17) & _MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rot(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_double(self) -> float:
        return float(self.next_u64() >> 11) * _INV_TWO53

    def sym_uniform(self) -> float:
        k = self.next_u64() >> 11
        return float(2 * k + 1 - (1 << 53)) * _INV_TWO53

    def normal(self) -> float:
        while True:
            r = self.next_u64()
            idx = r & 0xFF
            r >>= 8
            sign = r & 1
            rabs = (r >> 1) & 0x000FFFFFFFFFFFFF
            x = float(rabs) * float(ZIG_WI[idx])
            if sign:
                x = -x
            if rabs < int(ZIG_KI[idx]):
                return x
            if idx == 0:
                while True:
                    xx = -ZIG_INV_R * math.log1p(-self.next_double())
                    yy = -math.log1p(-self.next_double())
                    if yy + yy > xx * xx:
                        return -(ZIG_R + xx) if (rabs >> 8) & 1 else ZIG_R + xx
            elif ((float(ZIG_FI[idx - 1]) - float(ZIG_FI[idx])) * self.next_double()
                  + float(ZIG_FI[idx])) < math.exp(-0.5 * x * x):
                return x


def ref_draws(key: int, replicate: int, family: int, n: int) -> np.ndarray:
    """Reference for :func:`_fill_draws`."""
    g = RefXoshiro(key, replicate)
    f = {0: g.sym_uniform, 1: g.normal, 2: g.next_double}[family]
    return np.array([f() for _ in range(n)])
