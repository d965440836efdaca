"""Statistical disclosure control for the reports commissioners see.

- Primary suppression: a count below the threshold (default 5, zero included) is shown as `<5`.
- Secondary suppression: wherever counts add up to a total (a breakdown by source, the localities adding
  up to the whole programme, the rows of the level transition matrix), a hidden count must not be
  recoverable by subtraction. So in every such relation whose total is shown, either no part is hidden,
  or at least two are and the hidden parts together hold at least the threshold (so they cannot all be
  shown to be zero or tiny); otherwise the smallest shown part is hidden too (`*`), or the total if no
  part is left. A hidden total with every part shown would be recovered by addition, so then a part is
  hidden. This repeats until every relation holds. It protects against recovery by subtraction within
  each relation; it is not a full linear-programming audit across all relations at once.
- Derived figures (means, rates, medians) resting on a hidden count are withheld.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from peer_outcomes.domain.tree import Constraint, Count, Derived, Node, Path, Tree, leaves


class Hidden(StrEnum):
    """Why a count is not shown."""

    PRIMARY = "primary"
    SECONDARY = "secondary"


SECONDARY_MARKER = "*"
WITHHELD = "withheld"


def hidden_cells(
    counts: Mapping[Path, int], constraints: Sequence[Constraint], threshold: int
) -> dict[Path, Hidden]:
    """Which counts to hide, and why."""
    hidden = {path: Hidden.PRIMARY for path, value in counts.items() if value < threshold}
    changed = True
    while changed:
        changed = False
        for constraint in constraints:
            target = _needs_hiding(constraint, counts, hidden, threshold)
            if target is not None:
                hidden[target] = Hidden.SECONDARY
                changed = True
    return hidden


def _needs_hiding(
    constraint: Constraint, counts: Mapping[Path, int], hidden: Mapping[Path, Hidden], threshold: int
) -> Path | None:
    parts = [p for p in constraint.parts if p in counts]
    hidden_parts = [p for p in parts if p in hidden]
    shown_parts = sorted((p for p in parts if p not in hidden), key=lambda p: (counts[p], p))
    if constraint.total in hidden:
        return shown_parts[0] if shown_parts and not hidden_parts else None
    if not hidden_parts:
        return None
    if len(hidden_parts) >= 2 and sum(counts[p] for p in hidden_parts) >= threshold:
        return None
    return shown_parts[0] if shown_parts else constraint.total


def disclose(tree: Tree, constraints: Sequence[Constraint], threshold: int) -> dict[str, Any]:
    """The tree as a commissioner may see it: JSON-ready, small counts and what rests on them hidden."""
    counts = {path: node.value for path, node in leaves(tree) if isinstance(node, Count)}
    hidden = hidden_cells(counts, constraints, threshold)
    primary = f"<{threshold}"

    def show(path: Path, node: Node) -> Any:
        if isinstance(node, Count):
            mark = hidden.get(path)
            return node.value if mark is None else primary if mark is Hidden.PRIMARY else SECONDARY_MARKER
        if isinstance(node, Derived):
            return WITHHELD if any(p in hidden for p in node.basis) else _value(node)
        return node

    shown = _map(tree, (), show)
    shown["disclosure"] = {
        "applied": True,
        "threshold": threshold,
        "markers": {
            primary: f"fewer than {threshold}",
            SECONDARY_MARKER: "hidden so that a smaller count cannot be worked out from a total",
            WITHHELD: "not shown because it rests on a hidden count",
        },
    }
    return shown


def plain(tree: Tree) -> dict[str, Any]:
    """The tree with every figure shown (coordinators), JSON-ready."""

    def show(_path: Path, node: Node) -> Any:
        if isinstance(node, Count):
            return node.value
        if isinstance(node, Derived):
            return _value(node)
        return node

    shown = _map(tree, (), show)
    shown["disclosure"] = {"applied": False}
    return shown


def _value(node: Derived) -> Any:
    return list(node.value) if isinstance(node.value, tuple) else node.value


def _map(tree: Tree, prefix: Path, show: Any) -> dict[str, Any]:
    return {
        key: _map(node, (*prefix, key), show) if isinstance(node, Mapping) else show((*prefix, key), node)
        for key, node in tree.items()
    }
