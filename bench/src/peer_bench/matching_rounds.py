"""Benchmark: one batch matching round of 10,000 waiting mentees against 2,000 mentors (synthetic, seeded).

Prints the round's wall time (eligibility, scoring, optimal assignment, explanations) and the solver's
share, the peak memory, and what first-come greedy would have done on the same round: people matched and
total score (score + waiting priority).

    uv run python -m peer_bench.matching_rounds [--mentees 10000] [--mentors 2000] [--seed 7]

The people live in the postcode districts within 60 km of Manchester (a regional footprint), so most
mentor-mentee pairs are ruled out by travel distance before anything is scored.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from peer_events.codes import ContactMode, ExperienceTag, Gender, GenderPreference
from peer_matching.domain.assignment import Assignment, Problem, greedy_assignment, optimal_assignment
from peer_matching.domain.eligibility import EligibilityContext
from peer_matching.domain.geography import centroids, distance_km
from peer_matching.domain.matching import RoundInput, RoundResult, plan_round
from peer_matching.domain.mentee import Mentee
from peer_matching.domain.mentor import Mentor, MentorStatus
from peer_matching.domain.scoring import ScoringRules
from peer_matching.domain.training import CheckRules, TrainingModule

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)
SLOTS = [
    f"{d}-{p}"
    for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    for p in ("morning", "afternoon", "evening")
]
OTHER_LANGUAGES = ("pa", "ur", "pl", "bn", "gu")
TAGS = tuple(ExperienceTag)


def region(centre: str = "M1", radius_km: float = 60.0) -> list[str]:
    """Postcode districts within `radius_km` of `centre`."""
    return sorted(d for d in centroids() if (km := distance_km(centre, d)) is not None and km <= radius_km)


def make_mentors(n: int, districts: list[str], rng: random.Random) -> list[Mentor]:
    """Active, trained mentors with a spread of capacity, travel distance, languages and availability."""
    trained = {m: date(2025, 9, 1) for m in TrainingModule}
    return [
        Mentor(
            mentor_id=f"mnt_{i:032x}",
            status=MentorStatus.ACTIVE,
            conditions=("t2d",),
            postcode_district=rng.choice(districts),
            travel_km=rng.uniform(5, 25),
            gender=rng.choice((Gender.FEMALE, Gender.MALE)),
            registered_on=date(2025, 8, 1),
            capacity=rng.choice((1, 2, 2, 3)),
            languages=("en", rng.choice(OTHER_LANGUAGES)) if rng.random() < 0.15 else ("en",),
            availability=frozenset(rng.sample(SLOTS, rng.randint(3, 8))),
            experience=frozenset(rng.sample(TAGS, rng.randint(1, 4))),
            contact_modes=frozenset(ContactMode)
            if rng.random() < 0.7
            else frozenset({ContactMode.IN_PERSON}),
            training=trained,
            dbs_checked_on=date(2025, 1, 1) if rng.random() < 0.97 else date(2023, 3, 10),
            safeguarding_refreshed_on=date(2025, 9, 1),
        )
        for i in range(n)
    ]


def make_mentees(n: int, districts: list[str], rng: random.Random) -> list[Mentee]:
    """Mentees who waited up to 90 days, some with gender, language or contact-mode requirements."""
    mentees = []
    for i in range(n):
        language = rng.choice(OTHER_LANGUAGES) if rng.random() < 0.1 else None
        modes = rng.choice(((), (), (ContactMode.IN_PERSON, ContactMode.PHONE), (ContactMode.VIDEO,)))
        mentees.append(
            Mentee(
                referral_id=f"ref_{i:032x}",
                condition="t2d",
                programme="t2d-one-to-one",
                postcode_district=rng.choice(districts),
                gender=rng.choice((Gender.FEMALE, Gender.MALE)),
                waiting_since=NOW - timedelta(days=rng.uniform(0, 90)),
                preferred_mentor_gender=rng.choice((GenderPreference.FEMALE, GenderPreference.MALE))
                if rng.random() < 0.1
                else None,
                languages=(language, "en")
                if language and rng.random() < 0.5
                else ((language,) if language else ()),
                preferred_language=language,
                availability=frozenset(rng.sample(SLOTS, rng.randint(0, 5))),
                contact_modes=frozenset(modes),
                experience=frozenset(rng.sample(TAGS, rng.randint(0, 3))),
            )
        )
    return mentees


def timed(
    solver: Callable[[Problem], Assignment], spent: list[float], edges: list[int]
) -> Callable[[Problem], Assignment]:
    """Wrap a solver to record its time and the size of each problem it solves."""

    def run(problem: Problem) -> Assignment:
        started = time.perf_counter()
        found = solver(problem)
        spent.append(time.perf_counter() - started)
        edges.append(int(problem.pair_mentee.size))
        return found

    return run


def total(result: RoundResult) -> float:
    """The round's objective: each match's score plus its mentee's waiting priority."""
    return sum(p.breakdown.score + p.priority for p in result.proposals)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(
        prog="python -m peer_bench.matching_rounds", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--check-exact", action="store_true", help="also solve over every eligible pair (slow) and compare"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    districts = region()
    mentors = make_mentors(args.mentors, districts, rng)
    mentees = make_mentees(args.mentees, districts, rng)
    round_ = RoundInput(
        condition="t2d",
        mentees=mentees,
        mentors=mentors,
        loads={},
        now=NOW,
        context=EligibilityContext(NOW.date() + timedelta(days=14), CheckRules()),
        rules_for=lambda _programme: ScoringRules(),
    )
    places = sum(m.capacity for m in mentors)
    print(
        f"{len(mentees):,} mentees, {len(mentors):,} mentors ({places:,} places),"
        f" {len(districts)} postcode districts"
    )

    solve_times: list[float] = []
    edges: list[int] = []
    started = time.perf_counter()
    best = plan_round(round_, timed(optimal_assignment, solve_times, edges))
    elapsed = time.perf_counter() - started
    print(
        f"optimal round: {elapsed:.2f} s (solver {sum(solve_times):.2f} s on {sum(edges):,} eligible pairs)"
    )

    greedy_times: list[float] = []
    greedy = plan_round(round_, timed(lambda p: greedy_assignment(p, range(p.n_mentees)), greedy_times, []))
    print(f"greedy solver: {sum(greedy_times):.2f} s")

    tracemalloc.start()
    plan_round(round_)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak / 2**20:.0f} MiB traced during a round; process max RSS {rss_mib:.0f} MiB")

    gap = total(best) - total(greedy)
    print(
        f"matched: optimal {len(best.proposals):,},"
        f" greedy {len(greedy.proposals):,} (first come, first served)"
    )
    print(f"total score: optimal {total(best):,.2f}, greedy {total(greedy):,.2f}, gap {gap:+,.2f}")
    same = len(best.proposals) == len(greedy.proposals)
    mean = sum(p.breakdown.score for p in best.proposals) / max(1, len(best.proposals))
    print(
        f"mean match score (optimal): {mean:.3f}; gap per match: {gap / max(1, len(best.proposals)):+.4f}"
        + ("" if same else " (different numbers matched)")
    )
    if args.check_exact:
        started = time.perf_counter()
        exact = plan_round(round_, lambda p: optimal_assignment(p, exact_pairs=p.pair_mentee.size))
        print(
            f"exact over every pair: {time.perf_counter() - started:.1f} s, matched {len(exact.proposals):,},"
            f" total {total(exact):,.2f} (candidate pruning loses {total(exact) - total(best):,.2f})"
        )
    codes: dict[str, int] = {}
    for reason in best.waiting.values():
        codes[reason.code.value] = codes.get(reason.code.value, 0) + 1
    print(
        "waiting:",
        ", ".join(f"{code} {count:,}" for code, count in sorted(codes.items(), key=lambda kv: -kv[1])),
    )


if __name__ == "__main__":
    main()
