"""Every event type on the bus, one module per producing service.

Importing this package registers all of them in `EVENT_TYPES`, so `parse_event` knows every type.
"""

from peer_events.events.groups import (
    CohortFinished,
    CohortOpened,
    CohortStarted,
    GroupConcernAcknowledged,
    GroupConcernRaised,
    GroupSessionCancelled,
    GroupSessionHeld,
    MeasureRecorded,
    MemberEnrolled,
    MemberLeft,
)
from peer_events.events.matching import (
    MentorActivated,
    MentorCredentialsChanged,
    MentorLeft,
    MentorMatched,
    MentorPaused,
    MentorRegistered,
)
from peer_events.events.outcomes import PamRecorded
from peer_events.events.referrals import (
    ReferralAccepted,
    ReferralReceived,
    ReferralRejected,
    ReferralWithdrawn,
)
from peer_events.events.safeguarding import (
    SafeguardingConcernAcknowledged,
    SafeguardingConcernRaised,
)
from peer_events.events.sessions import (
    GoalReviewed,
    GoalSet,
    PairingCompleted,
    PairingEnded,
    PairingPaused,
    PairingResumed,
    PairingStarted,
    SessionLogged,
)

__all__ = [
    "CohortFinished",
    "CohortOpened",
    "CohortStarted",
    "GoalReviewed",
    "GoalSet",
    "GroupConcernAcknowledged",
    "GroupConcernRaised",
    "GroupSessionCancelled",
    "GroupSessionHeld",
    "MeasureRecorded",
    "MemberEnrolled",
    "MemberLeft",
    "MentorActivated",
    "MentorCredentialsChanged",
    "MentorLeft",
    "MentorMatched",
    "MentorPaused",
    "MentorRegistered",
    "PairingCompleted",
    "PairingEnded",
    "PairingPaused",
    "PairingResumed",
    "PairingStarted",
    "PamRecorded",
    "ReferralAccepted",
    "ReferralReceived",
    "ReferralRejected",
    "ReferralWithdrawn",
    "SafeguardingConcernAcknowledged",
    "SafeguardingConcernRaised",
    "SessionLogged",
]
