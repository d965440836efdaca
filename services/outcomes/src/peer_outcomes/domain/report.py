"""The programme report: the figures for everyone, then broken down by programme, condition, locality and
ethnic category, plus the mentor workforce and a section per group programme. Built as a tree of counts
and derived figures so that the same report can be shown in full (coordinators) or under disclosure
control (commissioners)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from peer_events.codes import EthnicCategory
from peer_outcomes.domain.activity import activity
from peer_outcomes.domain.facts import MenteeFacts
from peer_outcomes.domain.group_facts import GroupFacts, group_programmes, programme_title
from peer_outcomes.domain.group_report import group_section
from peer_outcomes.domain.localities import LocalityMap
from peer_outcomes.domain.outcome_measures import outcomes
from peer_outcomes.domain.periods import Period
from peer_outcomes.domain.tree import Constraint, Count, Node, Path, Tree, leaves, relocate

NOT_RECORDED = "not-recorded"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class MentorFacts:
    """One mentor's lifecycle for one condition they support."""

    mentor_id: str
    condition: str
    registered_on: date | None
    activated_on: date | None
    left_on: date | None


@dataclass(frozen=True)
class Report:
    """A report before it is shown."""

    tree: Tree
    constraints: tuple[Constraint, ...]


Dimension = tuple[str, Callable[[MenteeFacts], str], Callable[[Sequence[MenteeFacts]], Sequence[str]]]


def dimensions(localities: LocalityMap) -> tuple[Dimension, ...]:
    """The breakdowns: a name, each mentee's group, and every group listed (empty ones too)."""
    ethnic_groups = (*(c.value for c in EthnicCategory), NOT_RECORDED)
    return (
        (
            "programme",
            lambda m: m.programme or UNKNOWN,
            lambda ms: sorted({m.programme or UNKNOWN for m in ms}),
        ),
        (
            "condition",
            lambda m: m.condition or UNKNOWN,
            lambda ms: sorted({m.condition or UNKNOWN for m in ms}),
        ),
        (
            "locality",
            lambda m: localities.locality_of(m.postcode_district),
            lambda _ms: localities.all_names(),
        ),
        ("ethnic_category", lambda m: m.ethnic_category or NOT_RECORDED, lambda _ms: ethnic_groups),
    )


def figures(
    mentees: Sequence[MenteeFacts], period: Period, referrers: Sequence[str]
) -> tuple[Tree, list[Constraint]]:
    """Activity and outcome figures for one group, with the relations inside them."""
    activity_tree, activity_constraints = activity(mentees, period, referrers)
    outcome_tree, outcome_constraints = outcomes(mentees, period)
    tree = {
        "activity": relocate(activity_tree, ("activity",)),
        "outcomes": relocate(outcome_tree, ("outcomes",)),
    }
    constraints = [c.under(("activity",)) for c in activity_constraints]
    constraints += [c.under(("outcomes",)) for c in outcome_constraints]
    return tree, constraints


def build_report(
    mentees: Sequence[MenteeFacts],
    mentors: Sequence[MentorFacts],
    period: Period,
    localities: LocalityMap,
    *,
    generated_at: datetime,
    group_facts: Mapping[str, GroupFacts] | None = None,
) -> Report:
    """The whole report for a period; `group_facts`: each group programme's facts, by programme code."""
    referrers = sorted(
        {m.referrer_ods_code for m in mentees if m.received_on in period and m.referrer_ods_code}
    )
    total, total_constraints = figures(mentees, period, referrers)
    constraints = [c.under(("total",)) for c in total_constraints]
    breakdowns: dict[str, Node] = {}
    for name, group_of, groups in dimensions(localities):
        members: dict[str, list[MenteeFacts]] = {group: [] for group in groups(mentees)}
        for mentee in mentees:
            members.setdefault(group_of(mentee), []).append(mentee)
        placed: dict[str, Node] = {}
        for group, group_mentees in members.items():
            block, block_constraints = figures(group_mentees, period, referrers)
            prefix: Path = ("breakdowns", name, group)
            placed[group] = relocate(block, prefix)
            constraints += [c.under(prefix) for c in block_constraints]
        breakdowns[name] = placed
        constraints += _adds_up(total, [("breakdowns", name, group) for group in members])
    tree: Tree = {
        "report": "programme",
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label},
        "generated_at": generated_at.isoformat(),
        "total": relocate(total, ("total",)),
        "breakdowns": breakdowns,
        "mentors": _mentors(mentors, period),
        "group_programmes": _group_sections(mentees, group_facts or {}, period, constraints),
    }
    return Report(tree, tuple(constraints))


def _group_sections(
    mentees: Sequence[MenteeFacts],
    groups: Mapping[str, GroupFacts],
    period: Period,
    constraints: list[Constraint],
) -> dict[str, Node]:
    """A section per group programme (the one-to-one figures stay in `total` and `breakdowns`); adds the
    sections' relations to `constraints`."""
    referral_programmes = {m.programme for m in mentees if m.programme}
    sections: dict[str, Node] = {}
    for code in group_programmes(referral_programmes, set(groups)):
        prefix: Path = ("group_programmes", code)
        section, section_constraints = group_section(
            groups.get(code, GroupFacts()), period, programme_title(code)
        )
        sections[code] = relocate(section, prefix)
        constraints += [c.under(prefix) for c in section_constraints]
    return sections


def _adds_up(total: Tree, groups: list[Path]) -> list[Constraint]:
    """Every additive count of the whole is the sum of the same count over the groups."""
    return [
        Constraint(("total", *path), tuple((*group, *path) for group in groups))
        for path, node in leaves(total)
        if isinstance(node, Count) and node.additive
    ]


def _mentors(mentors: Sequence[MentorFacts], period: Period) -> dict[str, Node]:
    """Mentor workforce by condition and overall (a mentor may support several conditions, so the
    conditions do not add up to the whole)."""

    def block(rows: Sequence[MentorFacts]) -> dict[str, Node]:
        def distinct(keep: Callable[[MentorFacts], bool]) -> Count:
            return Count(len({r.mentor_id for r in rows if keep(r)}), additive=False)

        return {
            "registered": distinct(lambda r: r.registered_on in period),
            "activated": distinct(lambda r: r.activated_on in period),
            "left": distinct(lambda r: r.left_on in period),
            "available_at_end": distinct(
                lambda r: (
                    r.activated_on is not None
                    and r.activated_on <= period.end
                    and not (r.left_on is not None and r.left_on <= period.end)
                )
            ),
        }

    conditions = sorted({m.condition for m in mentors})
    return {
        "total": block(mentors),
        "by_condition": {c: block([m for m in mentors if m.condition == c]) for c in conditions},
    }
