"""The toolkit's one rule for ``rng=`` arguments (Scientific Python SPEC 7).

Every random public function accepts ``rng`` as

* an ``int`` (or a sequence of non-negative ints, NumPy's entropy form),
* a :class:`numpy.random.SeedSequence`, or
* a :class:`numpy.random.Generator` (advanced: one child stream is spawned from it, so
  two calls with the same Generator draw different numbers, as SPEC 7 asks).

The same int or SeedSequence always gives the same numbers; nothing seeds a global state.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

RngLike = int | Sequence[int] | np.random.SeedSequence | np.random.Generator

__all__ = ["RngLike", "as_seed_sequence"]


def as_seed_sequence(rng: RngLike, name: str = "rng") -> np.random.SeedSequence:
    """The :class:`numpy.random.SeedSequence` an ``rng=`` argument stands for.

    Parameters
    ----------
    rng : int, sequence of int, SeedSequence or Generator
        A Generator is advanced by spawning one child from its seed sequence.
    name : str
        Argument name for the error message.

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    ValueError
        For ``None``, booleans, negative integers or anything else (reproducibility needs an
        explicit seed here; pass ``np.random.default_rng()`` for fresh entropy).
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        seq = rng.bit_generator.seed_seq
        if not isinstance(seq, np.random.SeedSequence):
            raise ValueError(f"{name}: the Generator has no SeedSequence to spawn from")
        return seq.spawn(1)[0]
    if isinstance(rng, bool) or rng is None:
        raise ValueError(f"{name} must be an int >= 0, a SeedSequence or a Generator; "
                         f"got {rng!r}")
    try:
        return np.random.SeedSequence(rng)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an int >= 0, a SeedSequence or a Generator; "
                         f"got {rng!r} ({exc})") from None
