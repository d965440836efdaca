"""The eligibility and scoring rules applied to whole blocks of mentees x mentors at once (numpy).

`eligibility.py` and `scoring.py` say what the rules are, pair by pair; this module encodes people as
arrays (districts as coordinates, codes as indicator columns) so a batch of thousands of mentees can be
checked against thousands of mentors in a fraction of a second. A property test holds both to the same
answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from peer_events.codes import ContactMode
from peer_events.events.matching import ScoreComponent
from peer_matching.domain.geography import EARTH_RADIUS_KM, centroid
from peer_matching.domain.mentee import Mentee
from peer_matching.domain.mentor import Mentor
from peer_matching.domain.scoring import ScoringRules

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

MODE_BIT = {ContactMode.IN_PERSON: 1, ContactMode.PHONE: 2, ContactMode.VIDEO: 4}
IN_PERSON, REMOTE = 1, 6


@dataclass(frozen=True)
class People:
    """One side (mentees or mentors) as arrays; rows follow the order given."""

    district: Ints
    lat: Floats
    lon: Floats
    modes: Ints
    gender: Ints
    languages: Floats
    availability: Floats
    tags: Floats


@dataclass(frozen=True)
class MenteeColumns:
    """What only the mentee side has."""

    wanted_gender: Ints
    wanted_language: Ints


@dataclass(frozen=True)
class Encoded:
    """Both sides encoded against shared vocabularies."""

    mentees: People
    wishes: MenteeColumns
    mentors: People
    travel_km: Floats
    capacity: Floats


@dataclass(frozen=True)
class Block:
    """Rules evaluated for a block of mentee rows against every mentor."""

    gender_ok: Bools
    language_ok: Bools
    mode_ok: Bools
    distance_ok: Bools
    values: dict[ScoreComponent, Floats]

    @property
    def eligible(self) -> Bools:
        """Pairs that pass every pair-level hard constraint."""
        return self.gender_ok & self.language_ok & self.mode_ok & self.distance_ok


def encode(mentees: Sequence[Mentee], mentors: Sequence[Mentor]) -> Encoded:
    """Encode mentees and mentors as arrays with common vocabularies."""
    everyone: list[Mentee | Mentor] = [*mentees, *mentors]
    districts = _vocabulary([p.postcode_district.upper() for p in everyone])
    languages = _vocabulary([x for p in everyone for x in p.languages] + _wanted(mentees))
    slots = _vocabulary([x for p in everyone for x in p.availability])
    tags = _vocabulary([x for p in everyone for x in _tags_of(p)])
    genders = {"male": 0, "female": 1, "other": 2, "not-known": 3}

    def side(people: Sequence[Mentee] | Sequence[Mentor], modes: list[frozenset[ContactMode]]) -> People:
        where = [centroid(p.postcode_district) for p in people]
        return People(
            district=np.array([districts[p.postcode_district.upper()] for p in people], dtype=np.int64),
            lat=np.radians(np.array([c.latitude if c else np.nan for c in where], dtype=np.float64)),
            lon=np.radians(np.array([c.longitude if c else np.nan for c in where], dtype=np.float64)),
            modes=np.array([sum(MODE_BIT[x] for x in m) for m in modes], dtype=np.int64),
            gender=np.array([genders[p.gender.value] for p in people], dtype=np.int64),
            languages=_indicators([p.languages for p in people], languages),
            availability=_indicators([p.availability for p in people], slots),
            tags=_indicators([_tags_of(p) for p in people], tags),
        )

    wanted_language = [m.wanted_language for m in mentees]
    return Encoded(
        mentees=side(mentees, [m.accepted_modes for m in mentees]),
        wishes=MenteeColumns(
            wanted_gender=np.array(
                [
                    genders[m.preferred_mentor_gender.value] if m.preferred_mentor_gender else -1
                    for m in mentees
                ],
                dtype=np.int64,
            ),
            wanted_language=np.array([languages[w] if w else -1 for w in wanted_language], dtype=np.int64),
        ),
        mentors=side(mentors, [m.contact_modes for m in mentors]),
        travel_km=np.array([m.travel_km for m in mentors], dtype=np.float64),
        capacity=np.array([m.capacity for m in mentors], dtype=np.float64),
    )


def evaluate(data: Encoded, rows: slice, loads: Floats, rules: ScoringRules) -> Block:
    """Hard constraints and criterion values for mentee `rows` against all mentors (`loads` per mentor)."""
    me, mo, wishes = data.mentees, data.mentors, data.wishes
    km = _distance_km(me.lat[rows, None], me.lon[rows, None], mo.lat[None, :], mo.lon[None, :])
    km = np.where(me.district[rows, None] == mo.district[None, :], 0.0, km)
    known = ~np.isnan(km)
    within = known & (np.where(known, km, np.inf) <= data.travel_km[None, :])
    common = me.modes[rows, None] & mo.modes[None, :]
    wanted_gender = wishes.wanted_gender[rows, None]
    lang_req = me.languages[rows]
    shared_languages = _overlap(lang_req, mo.languages) > 0
    wanted_language = wishes.wanted_language[rows]
    speaks = np.where(wanted_language[:, None] >= 0, mo.languages.T[np.maximum(wanted_language, 0)] > 0, True)
    in_person_wanted = (me.modes[rows] & IN_PERSON) > 0
    distance = np.where(
        known, np.maximum(0.0, 1.0 - np.where(known, km, 0.0) / rules.distance_reference_km), 0.0
    )
    values = {
        ScoreComponent.DISTANCE: np.where(in_person_wanted[:, None], distance, 1.0),
        ScoreComponent.LANGUAGE: np.where(speaks, 1.0, np.where(shared_languages, 0.5, 0.0)),
        ScoreComponent.AVAILABILITY: _share(me.availability[rows], mo.availability),
        ScoreComponent.EXPERIENCE: _share(me.tags[rows], mo.tags),
        ScoreComponent.SPARE_CAPACITY: np.broadcast_to(
            np.maximum(0.0, (data.capacity - loads) / data.capacity)[None, :], km.shape
        ),
    }
    return Block(
        gender_ok=(wanted_gender < 0) | (wanted_gender == mo.gender[None, :]),
        language_ok=(lang_req.sum(axis=1) == 0)[:, None] | shared_languages,
        mode_ok=common != 0,
        distance_ok=((common & REMOTE) != 0) | within,
        values=values,
    )


def weighted_score(block: Block, rules: ScoringRules) -> Floats:
    """The weighted mean of the criterion values, as in `scoring.score_pair`."""
    weights = rules.weights.normalised()
    total = sum(weights[c] * v for c, v in block.values.items())
    return np.minimum(1.0, np.asarray(total, dtype=np.float64))


def _distance_km(lat1: Floats, lon1: Floats, lat2: Floats, lon2: Floats) -> Floats:
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(h))), dtype=np.float64)


def _share(wanted: Floats, offered: Floats) -> Floats:
    count = wanted.sum(axis=1)[:, None]
    overlap = _overlap(wanted, offered)
    return np.where(count == 0, 1.0, overlap / np.maximum(count, 1.0))


def _overlap(a: Floats, b: Floats) -> Floats:
    """How many codes each row of `a` shares with each row of `b` (0/1 indicator matrices).

    Counts are small integers, exact in float32, whose matrix product is about twice as fast.
    """
    counts = a.astype(np.float32) @ b.T.astype(np.float32)
    return np.asarray(counts, dtype=np.float64)


def _vocabulary(codes: Iterable[str]) -> dict[str, int]:
    return {code: i for i, code in enumerate(dict.fromkeys(codes))}


def _indicators(rows: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> Floats:
    matrix = np.zeros((len(rows), max(1, len(vocabulary))), dtype=np.float64)
    for i, codes in enumerate(rows):
        for code in codes:
            matrix[i, vocabulary[str(code)]] = 1.0
    return matrix


def _tags_of(person: Mentee | Mentor) -> frozenset[str]:
    return person.shares if isinstance(person, Mentor) else frozenset(str(x) for x in person.experience)


def _wanted(mentees: Sequence[Mentee]) -> list[str]:
    return [w for m in mentees if (w := m.wanted_language) is not None]
