"""Travel distance between postcode districts, from the centroids shipped in `domain/data/`.

Distances are straight lines between district centroids (great-circle, in km): an estimate good enough to
compare mentors, never a route. The table is read once, on first use.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

EARTH_RADIUS_KM = 6371.0088
CENTROIDS_FILE = "uk-outcode-centroids.csv"


@dataclass(frozen=True)
class Centroid:
    """Where a postcode district is, in WGS84 degrees."""

    latitude: float
    longitude: float


@cache
def centroids() -> dict[str, Centroid]:
    """Every known postcode district (outward code, upper case) and its centroid."""
    text = resources.files("peer_matching.domain.data").joinpath(CENTROIDS_FILE).read_text(encoding="utf-8")
    return {
        row["outcode"].strip().upper(): Centroid(float(row["latitude"]), float(row["longitude"]))
        for row in csv.DictReader(io.StringIO(text))
    }


def is_known_district(district: str) -> bool:
    """Whether the postcode district exists in the shipped table."""
    return district.upper() in centroids()


def centroid(district: str) -> Centroid | None:
    """The district's centroid, or None when it is not in the table."""
    return centroids().get(district.upper())


def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two districts' centroids; None if either is unknown."""
    if a.upper() == b.upper():
        return 0.0
    first, second = centroid(a), centroid(b)
    if first is None or second is None:
        return None
    return haversine_km(first.latitude, first.longitude, second.latitude, second.longitude)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
