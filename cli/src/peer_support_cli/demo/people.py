"""The demo's made-up people: mentees' identities and volunteer mentors, drawn from a seeded generator.

Everything is fictitious: NHS numbers come from the 999 range the NHS sets aside for testing, phone
numbers from Ofcom's drama range (07700 900xxx), email addresses from `example.com`. The places are
Leeds postcode districts, so matching's travel distances are real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

GIVEN = {
    "female": (
        "Samina", "Margaret", "Aisha", "Joanne", "Grace", "Patricia", "Agnieszka", "Mandeep", "Linda",
        "Farah", "Susan", "Chidinma", "Helen", "Nasreen", "Karen", "Beverley", "Shabana", "Janet",
    ),
    "male": (
        "Patrick", "Imran", "David", "Tariq", "Michael", "Tomasz", "Kwame", "Gurpreet", "Stephen",
        "Anthony", "Yusuf", "Graham", "Delroy", "Paul", "Amir", "Keith", "Rajesh", "Colin",
    ),
}  # fmt: skip
FAMILY = (
    "Akhtar", "O'Neill", "Hussain", "Walker", "Kowalski", "Mensah", "Singh", "Thompson", "Begum",
    "Robinson", "Ahmed", "Wright", "Campbell", "Nowak", "Okafor", "Shaw", "Patel", "Kaur", "Brown",
    "Iqbal", "Clarke", "Wood", "Mahmood", "Lewis", "Bashir", "Hall", "Asante", "Green", "Rashid", "Turner",
)  # fmt: skip
STREETS = (
    "Harehills Lane", "Roundhay Road", "Easterly Road", "Chapeltown Road", "Kirkstall Lane", "Tong Road",
    "Dewsbury Road", "York Road", "Otley Road", "Stanningley Road", "Selby Road", "Scott Hall Road",
)  # fmt: skip
DISTRICTS = ("LS6", "LS7", "LS8", "LS9", "LS11", "LS12", "LS13", "LS14", "LS15", "LS16", "LS17", "LS28")
LOCALITIES = {
    "Leeds East": ["LS8", "LS9", "LS14", "LS15"],
    "Leeds North": ["LS6", "LS7", "LS16", "LS17"],
    "Leeds West and South": ["LS11", "LS12", "LS13", "LS28"],
}
"""The outcomes service's reporting localities for the demo (PEER_LOCALITY_GROUPS)."""
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
# Mostly White British, with the South Asian, Black and Eastern European communities of east Leeds.
ETHNIC = (("A", 18), ("J", 5), ("H", 3), ("N", 3), ("M", 2), ("C", 3), ("K", 1), ("Z", 1))
MENTOR_EXPERIENCE = (
    "newly-diagnosed", "insulin", "tablets", "diet", "physical-activity", "work", "carer", "retired",
    "emotional-wellbeing",
)  # fmt: skip
EXPERIENCE = ("newly-diagnosed", "insulin", "tablets", "diet", "physical-activity", "work", "retired")
LANGUAGE_OF = {"J": ("ur", "pa"), "H": ("pa",), "C": ("pl",), "K": ("bn",)}


@dataclass(frozen=True)
class Person:
    """A mentee's identity as the referrer's system holds it (it stays in the referrals service)."""

    nhs_number: str
    given: str
    family: str
    birth_date: date
    gender: str
    """`male` or `female`."""
    address_line: str
    postcode: str
    phone: str
    email: str
    ethnic_category: str
    language: str | None
    """Main language when it is not English."""

    @property
    def district(self) -> str:
        """The postcode's outward code."""
        return self.postcode.split()[0]


@dataclass(frozen=True)
class MentorProfile:
    """A trained volunteer as the coordinator registers them."""

    full_name: str
    email: str
    phone: str
    gender: str
    district: str
    languages: tuple[str, ...]
    availability: tuple[str, ...]
    experience: tuple[str, ...]
    capacity: int
    travel_km: float
    trained_on: date
    dbs_checked_on: date
    safeguarding_refreshed_on: date


def nhs_number(serial: int) -> str:
    """A valid NHS number (Modulus 11) in the test range, one per serial; check digit 10 is skipped."""
    while True:
        digits = f"999{serial:06d}"
        total = sum(int(d) * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        if check != 10:
            return digits + str(0 if check == 11 else check)
        serial += 500_000  # a different number, still in the range, for the same person


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    """One value, drawn with the given weights."""
    return rng.choices([value for value, _ in choices], weights=[weight for _, weight in choices])[0]


def people(rng: random.Random, count: int, on: date, *, first: int = 1) -> list[Person]:
    """`count` distinct mentees aged 30-84 on `on` (no two share a name), numbered from `first` (NHS and
    phone numbers follow the number, so people drawn in separate batches stay distinct)."""
    names: set[tuple[str, str]] = set()
    found: list[Person] = []
    while len(found) < count:
        gender = rng.choice(("female", "male"))
        given, family = rng.choice(GIVEN[gender]), rng.choice(FAMILY)
        if (given, family) in names:
            continue
        names.add((given, family))
        n = len(found) + first
        ethnic = weighted(rng, ETHNIC)
        language = rng.choice(LANGUAGE_OF[ethnic]) if ethnic in LANGUAGE_OF and rng.random() < 0.6 else None
        district = rng.choice(DISTRICTS)
        inward = f"{rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"
        found.append(
            Person(
                nhs_number=nhs_number(n * 7919 + rng.randint(0, 7000)),
                given=given,
                family=family,
                birth_date=on - timedelta(days=rng.randint(30 * 365 + 10, 84 * 365)),
                gender=gender,
                address_line=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                postcode=f"{district} {inward}",
                phone=f"07700 900{n:03d}",
                email=f"{given.lower()}.{family.lower().replace(chr(39), '')}@example.com",
                ethnic_category=ethnic,
                language=language,
            )
        )
    return found


def mentors(rng: random.Random, count: int, on: date, *, first: int = 0) -> list[MentorProfile]:
    """`count` trained, checked volunteers living with the condition they support, half women, some
    bilingual; numbered from `first` (names, e-mail addresses and phones follow the number)."""
    found: list[MentorProfile] = []
    speakers = ("ur", "pa", "pl", "pa", "bn")
    for n in range(first, first + count):
        gender = "female" if n % 2 == 0 else "male"
        given, family = GIVEN[gender][(n * 7) % len(GIVEN[gender])], FAMILY[(n * 11 + 3) % len(FAMILY)]
        languages = ("en", speakers[n // 4 % len(speakers)]) if n % 4 == 1 else ("en",)
        slots = rng.sample(
            [f"{d}-{p}" for d in ("mon", "tue", "wed", "thu", "fri") for p in ("morning", "afternoon")], 4
        )
        experience = rng.sample(MENTOR_EXPERIENCE, 3)
        found.append(
            MentorProfile(
                full_name=f"{given} {family}",
                email=f"mentor{n + 1:02d}@volunteers.example.com",
                phone=f"07700 900{500 + n:03d}",
                gender=gender,
                district=DISTRICTS[n % len(DISTRICTS)],
                languages=languages,
                availability=tuple(sorted(slots)),
                experience=tuple(sorted(experience)),
                capacity=3 if n % 2 else 2,
                travel_km=float(rng.choice((8, 10, 12, 15))),
                trained_on=on - timedelta(days=rng.randint(40, 400)),
                dbs_checked_on=on - timedelta(days=rng.randint(60, 700)),
                safeguarding_refreshed_on=on - timedelta(days=rng.randint(20, 150)),
            )
        )
    return found


def slot_of(n: int) -> tuple[int, int]:
    """Referral n's weekly slot (weekday, hour): unique, so no mentor ever has two sessions at once."""
    return n % 5, 9 + n // 5


def preferences(rng: random.Random, person: Person, *, slot: int) -> tuple[str, ...]:
    """Preference codes as a referrer sends them: ways of meeting, the slot's part of the week, lived
    experience wished for, languages, and sometimes a mentor of the same gender."""
    weekday, hour = slot_of(slot)
    day = ("mon", "tue", "wed", "thu", "fri")[weekday]
    modes = rng.choice(
        (("in-person", "phone"), ("phone",), ("phone", "video"), ("in-person", "phone", "video"))
    )
    codes = [f"contact-mode:{mode}" for mode in modes]
    codes.append(f"availability:{day}-{'morning' if hour < 12 else 'afternoon'}")
    codes += [f"experience:{tag}" for tag in rng.sample(EXPERIENCE, rng.randint(1, 2))]
    if person.language:
        codes += [f"language:{person.language}", "language:en"]
    if person.gender == "female" and rng.random() < 0.3:
        codes.append("mentor-gender:female")
    return tuple(codes)
