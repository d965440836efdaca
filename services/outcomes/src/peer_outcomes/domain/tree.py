"""The shape reports are built in before they are shown: counts, figures derived from counts, and the
additive relations between counts that disclosure control must respect."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Union

Path = tuple[str, ...]


@dataclass(frozen=True)
class Count:
    """A count of people, pairings or sessions. `additive`: the count over a whole is the sum of the
    counts over its parts (false for distinct mentors, who may serve several groups)."""

    value: int
    additive: bool = True


@dataclass(frozen=True)
class Derived:
    """A figure computed from counted things (a mean, a rate, a median) and the counts it rests on, as
    paths relative to the figures block it sits in."""

    value: float | tuple[float, float] | None
    basis: tuple[Path, ...]


Node = Union["Tree", Count, Derived, str, int, float, None]
Tree = Mapping[str, Node]


@dataclass(frozen=True)
class Constraint:
    """`total` is the sum of `parts`: if only one part were hidden, it could be worked out."""

    total: Path
    parts: tuple[Path, ...]

    def under(self, prefix: Path) -> Constraint:
        """The same relation inside a block placed at `prefix`."""
        return Constraint(prefix + self.total, tuple(prefix + p for p in self.parts))


def leaves(tree: Tree, prefix: Path = ()) -> Iterator[tuple[Path, Node]]:
    """Every non-mapping node with its path, depth first in insertion order."""
    for key, node in tree.items():
        path = (*prefix, key)
        if isinstance(node, Mapping):
            yield from leaves(node, path)
        else:
            yield path, node


def partition(total: Path, parts: Mapping[str, Count], at: Path) -> Constraint:
    """The constraint that the counts under `at` add up to `total`."""
    return Constraint(total, tuple((*at, key) for key in parts))


def relocate(tree: Tree, prefix: Path) -> dict[str, Node]:
    """A copy of `tree` whose derived figures name their basis from `prefix` (where it is placed)."""
    placed: dict[str, Node] = {}
    for key, node in tree.items():
        if isinstance(node, Mapping):
            placed[key] = relocate(node, prefix)
        elif isinstance(node, Derived):
            placed[key] = Derived(node.value, tuple(prefix + path for path in node.basis))
        else:
            placed[key] = node
    return placed
