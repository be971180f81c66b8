"""Private time arithmetic for the scheduling core.

Every instant is handled internally as an ``int``: microseconds since the Unix
epoch in UTC. Wall-clock values (opening hours, availability, the citizen
window) are handled as microseconds since local midnight. Integers are exact
and much cheaper than ``datetime`` arithmetic in CPython.

A local calendar day is described by :class:`LocalDay`: the absolute pieces of
time whose wall clock reads that date, each with its constant UTC offset. On a
normal day there is one piece of 24 hours; on the spring-forward day of
Europe/Athens there are two pieces totalling 23 hours (the wall hour
03:00-04:00 has no instants); on the fall-back day two pieces totalling 25
hours (the wall hour 03:00-04:00 is traversed twice, at distinct instants).
Mapping wall-clock ranges through these pieces gives exactly the instants whose
local wall clock lies inside the range, so non-existent wall times never yield
an instant and ambiguous wall times yield each real instant once.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_DAY = 86_400 * US_PER_SECOND

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_US = timedelta(microseconds=1)

# Offset sampling used to locate UTC-offset transitions around a local day.
_SAMPLE_SECONDS = 2 * 3600
_MARGIN_SECONDS = 16 * 3600

Span = tuple[int, int]
"""Half-open range ``[start, end)`` of integer microseconds."""

Spans = tuple[Span, ...]


def is_aware(value: datetime) -> bool:
    """Return True when ``value`` carries a usable UTC offset."""
    return value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None


def require_aware(value: object, name: str) -> None:
    """Raise unless ``value`` is a timezone-aware ``datetime``."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if not is_aware(value):
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")


def require_wall_time(value: object, name: str) -> None:
    """Raise unless ``value`` is a naive ``time`` (a local wall-clock reading)."""
    if not isinstance(value, time):
        raise TypeError(f"{name} must be a datetime.time, got {type(value).__name__}")
    if value.tzinfo is not None:
        raise ValueError(
            f"{name} is a wall-clock time interpreted in the calendar's timezone "
            f"and must not carry tzinfo, got {value!r}"
        )


def require_date(value: object, name: str) -> None:
    """Raise unless ``value`` is a ``date`` (and not a ``datetime``)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime.date, got {type(value).__name__}")


def to_us(value: datetime) -> int:
    """Convert an aware datetime to microseconds since the epoch (UTC)."""
    return (value - EPOCH) // _ONE_US


def from_us(value: int) -> datetime:
    """Convert microseconds since the epoch to an aware UTC datetime."""
    return EPOCH + timedelta(microseconds=value)


def time_to_us(value: time) -> int:
    """Microseconds from local midnight to the wall-clock time ``value``."""
    seconds = (value.hour * 60 + value.minute) * 60 + value.second
    return seconds * US_PER_SECOND + value.microsecond


@lru_cache(maxsize=128)
def zone(key: str) -> ZoneInfo:
    """Return the (cached) ZoneInfo for an IANA key, or raise ValueError."""
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(f"unknown IANA timezone {key!r}") from exc


def local_date(value_us: int, tz: ZoneInfo) -> date:
    """Local calendar date of an instant in ``tz``."""
    return from_us(value_us).astimezone(tz).date()


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and merge the ones that overlap or touch."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    """Intersection of two sorted lists of disjoint spans."""
    out: list[Span] = []
    i = j = 0
    len_a = len(a)
    len_b = len(b)
    while i < len_a and j < len_b:
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        start = a_start if a_start > b_start else b_start
        end = a_end if a_end < b_end else b_end
        if start < end:
            out.append((start, end))
        if a_end < b_end:
            i += 1
        else:
            j += 1
    return out


def subtract(
    spans: list[Span], starts: Sequence[int], ends: Sequence[int], extend: int
) -> list[Span]:
    """Remove ``[starts[k] - extend, ends[k])`` for every k from sorted ``spans``.

    ``starts``/``ends`` describe sorted, merged (disjoint) ranges, so ``ends``
    is sorted and a bisection finds the first range that can matter; only the
    ranges near ``spans`` are visited. ``extend`` widens every range to the
    left by the same amount (the widened ranges may overlap; that is handled).
    """
    if not spans or not starts:
        return spans
    count = len(ends)
    first = bisect_right(ends, spans[0][0])
    if first == count or starts[first] - extend >= spans[-1][1]:
        return spans
    out: list[Span] = []
    for span_start, span_end in spans:
        while first < count and ends[first] <= span_start:
            first += 1
        cursor = span_start
        k = first
        while k < count:
            cut_start = starts[k] - extend
            if cut_start >= span_end:
                break
            if cut_start > cursor:
                out.append((cursor, cut_start))
            if ends[k] > cursor:
                cursor = ends[k]
                if cursor >= span_end:
                    break
            k += 1
        if cursor < span_end:
            out.append((cursor, span_end))
    return out


class LocalDay(NamedTuple):
    """The absolute instants whose local wall clock reads one given date.

    ``wall0`` is local midnight on the naive wall-clock scale (microseconds as
    if the wall clock were UTC). ``pieces`` are sorted, disjoint absolute
    ranges ``(start, end, offset)`` with a constant UTC offset each, so an
    instant ``t`` in a piece reads wall time ``t + offset``; a wall time ``w``
    (microseconds since midnight) is the instant ``wall0 + w - offset``
    provided that lies inside the piece.
    """

    wall0: int
    pieces: tuple[tuple[int, int, int], ...]
    first: int
    last: int


def _offset_us(tz: ZoneInfo, seconds: int) -> int:
    offset = datetime.fromtimestamp(seconds, tz).utcoffset()
    if offset is None:  # pragma: no cover - ZoneInfo always answers
        raise ValueError(f"timezone {tz.key!r} has no UTC offset")
    return offset // _ONE_US


@lru_cache(maxsize=16_384)
def local_day(zone_key: str, ordinal: int) -> LocalDay:
    """Describe the local day with proleptic ``ordinal`` in zone ``zone_key``.

    Offsets are sampled every two hours around the day and each change is
    located to the second by bisection (tz database transitions happen on whole
    seconds). The result is cached per (zone, day).
    """
    tz = zone(zone_key)
    wall0 = (ordinal - EPOCH_ORDINAL) * US_PER_DAY
    wall1 = wall0 + US_PER_DAY
    low = wall0 // US_PER_SECOND - _MARGIN_SECONDS
    high = wall1 // US_PER_SECOND + _MARGIN_SECONDS

    segments: list[tuple[int, int, int]] = []
    segment_start = low
    segment_offset = _offset_us(tz, low)
    previous = low
    sample = low
    while sample < high:
        sample = min(sample + _SAMPLE_SECONDS, high)
        sample_offset = _offset_us(tz, sample)
        while sample_offset != segment_offset:
            before, after = previous, sample
            while after - before > 1:
                middle = (before + after) // 2
                if _offset_us(tz, middle) == segment_offset:
                    before = middle
                else:
                    after = middle
            segments.append((segment_start, after, segment_offset))
            segment_start = previous = after
            segment_offset = _offset_us(tz, after)
        previous = sample
    segments.append((segment_start, high, segment_offset))

    pieces: list[tuple[int, int, int]] = []
    for seg_start, seg_end, offset in segments:
        start = max(seg_start * US_PER_SECOND, wall0 - offset)
        end = min(seg_end * US_PER_SECOND, wall1 - offset)
        if start < end:
            pieces.append((start, end, offset))
    if not pieces:
        return LocalDay(wall0, (), 0, 0)
    return LocalDay(wall0, tuple(pieces), pieces[0][0], pieces[-1][1])


def wall_to_absolute(day: LocalDay, walls: Sequence[Span]) -> list[Span]:
    """Absolute instants whose wall clock on ``day`` lies in ``walls``.

    ``walls`` are sorted, disjoint wall ranges in microseconds since local
    midnight. The result is sorted; pieces that touch across an offset change
    are merged into one continuous range.
    """
    out: list[Span] = []
    wall0 = day.wall0
    for piece_start, piece_end, offset in day.pieces:
        base = wall0 - offset
        for wall_start, wall_end in walls:
            start = base + wall_start
            if start >= piece_end:
                break
            end = base + wall_end
            if end <= piece_start:
                continue
            if start < piece_start:
                start = piece_start
            if end > piece_end:
                end = piece_end
            if out and out[-1][1] >= start:
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
    return out


def grid_points(day: LocalDay, spans: Sequence[Span], step: int) -> list[int]:
    """Grid instants inside ``spans``, in ascending order.

    The grid consists of the local wall times that are multiples of ``step``
    from local midnight; within each piece they are ``wall0 - offset + k *
    step``. Spans are sorted and pieces are disjoint and sorted, so the output
    is sorted and free of duplicates.
    """
    out: list[int] = []
    wall0 = day.wall0
    for span_start, span_end in spans:
        for piece_start, piece_end, offset in day.pieces:
            low = span_start if span_start > piece_start else piece_start
            high = span_end if span_end < piece_end else piece_end
            if low >= high:
                continue
            base = wall0 - offset
            first = base - ((base - low) // step) * step
            if first < high:
                out.extend(range(first, high, step))
    return out


def first_grid_point(day: LocalDay, spans: Sequence[Span], step: int) -> int | None:
    """The first grid instant inside ``spans`` (see :func:`grid_points`)."""
    wall0 = day.wall0
    for span_start, span_end in spans:
        for piece_start, piece_end, offset in day.pieces:
            low = span_start if span_start > piece_start else piece_start
            high = span_end if span_end < piece_end else piece_end
            if low >= high:
                continue
            base = wall0 - offset
            first = base - ((base - low) // step) * step
            if first < high:
                return first
    return None
