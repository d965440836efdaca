"""Disclosure control on its own: primary and secondary suppression, withheld derived figures."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from peer_outcomes.domain.disclosure import Hidden, disclose, hidden_cells
from peer_outcomes.domain.tree import Constraint, Count, Derived, Path

THRESHOLD = 5


def test_small_counts_are_shown_as_below_the_threshold_and_zero_too() -> None:
    tree = {"a": Count(4), "b": Count(0), "c": Count(5)}
    shown = disclose(tree, [], THRESHOLD)
    assert (shown["a"], shown["b"], shown["c"]) == ("<5", "<5", 5)


def test_a_lone_hidden_part_takes_the_next_smallest_with_it() -> None:
    tree = {"total": Count(30), "parts": {"x": Count(3), "y": Count(7), "z": Count(20)}}
    constraint = Constraint(("total",), (("parts", "x"), ("parts", "y"), ("parts", "z")))
    shown = disclose(tree, [constraint], THRESHOLD)
    assert shown["total"] == 30
    assert shown["parts"] == {"x": "<5", "y": "*", "z": 20}


def test_hidden_parts_must_not_add_up_to_less_than_the_threshold() -> None:
    # Two hidden zeros with a shown total of 12 would reveal that both are zero.
    tree = {"total": Count(12), "x": Count(0), "y": Count(0), "z": Count(12)}
    shown = disclose(tree, [Constraint(("total",), (("x",), ("y",), ("z",)))], THRESHOLD)
    assert (shown["x"], shown["y"], shown["z"]) == ("<5", "<5", "*")


def test_a_single_part_that_is_hidden_hides_its_total() -> None:
    tree = {"total": Count(9), "only": Count(9), "sub": {"a": Count(2), "b": Count(7)}}
    constraints = [Constraint(("total",), (("only",),)), Constraint(("only",), (("sub", "a"), ("sub", "b")))]
    shown = disclose(tree, constraints, THRESHOLD)
    # b hides because a did; then `only` (shown) still has both parts hidden, which is fine.
    assert shown["sub"] == {"a": "<5", "b": "*"}
    assert shown["only"] == 9


def test_derived_figures_resting_on_hidden_counts_are_withheld() -> None:
    tree = {
        "paired": Count(12),
        "gained": Count(3),
        "mean": Derived(1.5, (("paired",),)),
        "share": Derived(0.25, (("paired",), ("gained",))),
    }
    shown = disclose(tree, [], THRESHOLD)
    assert (shown["mean"], shown["share"]) == (1.5, "withheld")
    assert shown["disclosure"]["applied"] is True


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=6), min_size=1, max_size=5)
)
def test_no_hidden_count_can_be_worked_out_from_a_shown_total(rows: list[list[int]]) -> None:
    # A table with row totals, column totals and a grand total: every relation is a constraint.
    counts: dict[Path, int] = {}
    constraints: list[Constraint] = []
    width = max(len(r) for r in rows)
    cells = [[*r, *([0] * (width - len(r)))] for r in rows]
    for i, row in enumerate(cells):
        for j, value in enumerate(row):
            counts[("cell", str(i), str(j))] = value
        counts[("row", str(i))] = sum(row)
        constraints.append(Constraint(("row", str(i)), tuple(("cell", str(i), str(j)) for j in range(width))))
    for j in range(width):
        counts[("column", str(j))] = sum(row[j] for row in cells)
        constraints.append(
            Constraint(("column", str(j)), tuple(("cell", str(i), str(j)) for i in range(len(cells))))
        )
    counts[("all",)] = sum(map(sum, cells))
    constraints.append(Constraint(("all",), tuple(("row", str(i)) for i in range(len(cells)))))
    constraints.append(Constraint(("all",), tuple(("column", str(j)) for j in range(width))))

    hidden = hidden_cells(counts, constraints, THRESHOLD)

    assert all(hidden.get(p) is Hidden.PRIMARY for p, v in counts.items() if v < THRESHOLD)
    for c in constraints:
        hidden_parts = [p for p in c.parts if p in hidden]
        if c.total in hidden:
            assert hidden_parts, f"{c.total} could be added up from its parts"
        elif hidden_parts:
            assert len(hidden_parts) >= 2, f"{hidden_parts[0]} = {c.total} minus the rest"
            assert sum(counts[p] for p in hidden_parts) >= THRESHOLD
