"""Settings of the outcomes service (`PEER_...` environment variables)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, Field

from peer_events.codes import PostcodeDistrict, VersionCode
from peer_outcomes.domain.cut_points import HIBBARD_2005, CutPointSet
from peer_outcomes.domain.localities import LocalityMap
from peer_shared.settings import ServiceSettings


class CutPointSetting(BaseModel):
    """A PAM cut-point set: its code and the highest score of levels 1, 2 and 3."""

    code: VersionCode
    level_1_max: Decimal = Field(ge=0, le=100, decimal_places=1)
    level_2_max: Decimal = Field(ge=0, le=100, decimal_places=1)
    level_3_max: Decimal = Field(ge=0, le=100, decimal_places=1)

    def to_domain(self) -> CutPointSet:
        """The domain's cut-point set."""
        return CutPointSet(self.code, (self.level_1_max, self.level_2_max, self.level_3_max))


DEFAULT_CUT_POINTS = CutPointSetting(
    code=HIBBARD_2005.code,
    level_1_max=HIBBARD_2005.level_maxima[0],
    level_2_max=HIBBARD_2005.level_maxima[1],
    level_3_max=HIBBARD_2005.level_maxima[2],
)


class OutcomesSettings(ServiceSettings):
    """The outcomes service's one settings object."""

    service_name: str = Field("outcomes", description="Service name")
    http_port: int = Field(8004, ge=0, le=65535, description="Port the HTTP API listens on")
    pam_cut_points: CutPointSetting = Field(
        DEFAULT_CUT_POINTS,
        description="PAM score-to-level cut points used when only a score is entered (JSON object: code, "
        "level_1_max, level_2_max, level_3_max); default Hibbard et al. 2005",
    )
    locality_groups: dict[str, list[PostcodeDistrict]] = Field(
        default_factory=dict,
        description="Reporting localities: JSON object name -> postcode districts (outward codes); "
        "districts in no group are reported as 'other'",
    )
    suppression_threshold: int = Field(
        5,
        ge=1,
        le=100,
        description="Commissioner reports show counts below this as '<N' (disclosure control)",
    )
    rebuild_batch_size: int = Field(
        5000, ge=100, le=50_000, description="Events applied per database write when rebuilding projections"
    )

    def cut_point_set(self) -> CutPointSet:
        """The configured cut-point set."""
        return self.pam_cut_points.to_domain()

    def locality_map(self) -> LocalityMap:
        """The configured locality groups."""
        return LocalityMap.from_groups(self.locality_groups)
