"""Small helpers: random streams and numpy arrays -> the text values of the landing files."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fullfunnel.generate.dates import DAY, HOUR, MONTH_STARTS

# ----------------------------------------------------------------------------- helpers


def _rng(seed: int, *stream: int) -> np.random.Generator:
    """An independent random stream per component (and per chunk), all from one seed."""
    return np.random.default_rng(np.random.SeedSequence([seed, *stream]))


def _choice(rng: np.random.Generator, n: int, probs: Sequence[float] | np.ndarray) -> np.ndarray:
    """n draws of an index with the given (unnormalised) probabilities."""
    p = np.asarray(probs, dtype=float)
    cum = np.cumsum(p / p.sum())
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(p) - 1)


def _lognormal(
    rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, n: int
) -> np.ndarray:
    """n lognormal draws with the given median(s) and log-sd(s)."""
    return np.asarray(median) * np.exp(rng.normal(0.0, 1.0, n) * np.asarray(sigma))


def _group_positions(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For groups of the given sizes: the group of every row and its position within it."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(len(owner)) - starts[owner]


def _add_months(days: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Day numbers plus whole months, the day of month clamped (Jan 31 + 1 = Feb 28)."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    m = d.astype("datetime64[M]")
    dom = (d - m.astype("datetime64[D]")).astype(np.int64)
    m2 = m + np.asarray(months, dtype=np.int64)
    first = m2.astype("datetime64[D]")
    last = ((m2 + 1).astype("datetime64[D]") - first).astype(np.int64) - 1
    return (first + np.minimum(dom, last)).astype(np.int64)


def _month_of(seconds: np.ndarray) -> np.ndarray:
    """Index of the data month of each instant (-1 before, N_MONTHS after the calendar)."""
    return np.searchsorted(MONTH_STARTS * DAY, seconds, side="right") - 1


def _ts(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'YYYY-MM-DDTHH:MM:SSZ' strings (NULL where not valid)."""
    arr = pa.array(
        np.asarray(seconds, dtype=np.int64).astype("datetime64[s]"),
        mask=None if valid is None else ~np.asarray(valid, dtype=bool),
    )
    return pc.strftime(arr, format="%Y-%m-%dT%H:%M:%SZ")


def _ts_variants(seconds: np.ndarray, variant: np.ndarray, sub_us: np.ndarray) -> pa.Array:
    """Timestamps in the shapes loaders deliver: 0 'Z', 1 no zone, 2 '+03:00' local time,
    3 milliseconds + 'Z', 4 microseconds, no zone. sub_us: the sub-second part (0..999999)."""
    out = _ts(seconds)
    shapes: list[tuple[int, Callable[[np.ndarray], pa.Array]]] = [
        (
            1,
            lambda m: pc.strftime(
                pa.array(seconds[m].astype("datetime64[s]")), format="%Y-%m-%dT%H:%M:%S"
            ),
        ),
        (
            2,
            lambda m: pc.strftime(
                pa.array((seconds[m] + 3 * HOUR).astype("datetime64[s]")),
                format="%Y-%m-%dT%H:%M:%S+03:00",
            ),
        ),
        (
            3,
            lambda m: pc.strftime(
                pa.array((seconds[m] * 1000 + sub_us[m] // 1000).astype("datetime64[ms]")),
                format="%Y-%m-%dT%H:%M:%SZ",
            ),
        ),
        (
            4,
            lambda m: pc.strftime(
                pa.array((seconds[m] * 1_000_000 + sub_us[m]).astype("datetime64[us]")),
                format="%Y-%m-%d %H:%M:%S",
            ),
        ),
    ]
    for code, fmt in shapes:
        mask = variant == code
        if mask.any():
            out = pc.replace_with_mask(out, pa.array(mask), fmt(mask))
    return out


def _date(days: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'YYYY-MM-DD' strings from day numbers (NULL where not valid)."""
    arr = pa.array(
        np.asarray(days, dtype=np.int64).astype("datetime64[D]"),
        mask=None if valid is None else ~np.asarray(valid, dtype=bool),
    )
    return pc.cast(arr, pa.string())


def _int(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    arr = pa.array(
        np.asarray(values, dtype=np.int64),
        mask=None if valid is None else ~np.asarray(valid, dtype=bool),
    )
    return pc.cast(arr, pa.string())


def _money(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """'1234.50' strings from integer cents (NULL where not valid)."""
    c = np.asarray(cents, dtype=np.int64)
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    a = np.abs(c)
    whole = pc.cast(pa.array(a // 100, mask=mask), pa.string())
    frac = pc.utf8_lpad(pc.cast(pa.array(a % 100), pa.string()), width=2, padding="0")
    out = pc.binary_join_element_wise(whole, frac, ".")
    neg = c < 0
    if neg.any():
        out = pc.if_else(pa.array(neg), pc.binary_join_element_wise("-", out, ""), out)
    return out


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """'LD-0000042' style ids."""
    digits = pc.utf8_lpad(_int(numbers), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _with_nulls(values: pa.Array, valid: np.ndarray) -> pa.Array:
    """values, NULL where not valid."""
    if valid.all():
        return values
    return pc.if_else(pa.array(valid), values, pa.nulls(len(values), pa.string()))


def _random_token(rng: np.random.Generator, n: int, length: int, alphabet: bytes) -> pa.Array:
    """n random strings of the given length over the alphabet (click ids and the like)."""
    table = np.frombuffer(alphabet, dtype=np.uint8)
    chars = table[rng.integers(0, len(table), size=(n, length))]
    raw = np.ascontiguousarray(chars).view(f"S{length}").ravel()
    return pc.cast(pa.array(raw, type=pa.binary(length)), pa.string())


ALNUM = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
URLSAFE = ALNUM + b"-_"
