"""Delta debugging (Zeller's ddmin): the smallest subset of changes that still has an effect.

Here the effect is "the flow passes": `passes(subset)` applies those changes to the inputs and runs the
flow. ddmin tests halves, then quarters and their complements, so one necessary change among n is found
in about 2*log2(n) tests instead of the 2**n - 1 of trying every combination. Tests are cached: a subset
is never tried twice.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def _split(items: list[T], parts: int) -> list[list[T]]:
    """`items` in `parts` nearly equal consecutive chunks."""
    size, extra = divmod(len(items), parts)
    chunks, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        chunks.append(items[start:end])
        start = end
    return [c for c in chunks if c]


def ddmin(items: Sequence[T], passes: Callable[[list[T]], bool]) -> list[T]:
    """A 1-minimal subset of `items` for which `passes` holds (removing any one item loses it).

    The caller has seen `passes(items)` hold; it is not tested again. `passes` may raise to stop the
    search (a run cap): the caller then keeps the smallest passing subset it saw.
    """
    current = list(range(len(items)))  # positions: equal items stay distinct
    seen: dict[frozenset[int], bool] = {frozenset(current): True}

    def test(subset: list[int]) -> bool:
        key = frozenset(subset)
        if key not in seen:
            seen[key] = bool(subset) and passes([items[i] for i in subset])
        return seen[key]

    parts = 2
    while len(current) >= 2:
        chunks = _split(current, parts)
        for chunk in chunks:  # one chunk alone passes: keep it, start again with halves
            if test(chunk):
                current, parts = chunk, 2
                break
        else:
            for chunk in chunks if len(chunks) > 2 else ():  # with two chunks the complement is the other one
                rest = [i for i in current if i not in chunk]
                if test(rest):
                    current, parts = rest, max(parts - 1, 2)
                    break
            else:
                if parts >= len(current):
                    break  # every single item is needed
                parts = min(len(current), parts * 2)
    return [items[i] for i in current]
