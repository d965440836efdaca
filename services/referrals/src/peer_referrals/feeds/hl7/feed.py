"""Where an HL7 v2 referral is taken in: one message in, one acknowledgement out, never an exception.

The AA goes back only after the referral and its outbox row have committed; anything that stops that
is answered AE or AR with ERR segments. A resent message (same sending facility and control id) is
found by its source key and acknowledged again without a second referral.
"""

from __future__ import annotations

import traceback

from peer_referrals.domain.problems import InvalidReferral, Problem, ProblemCode
from peer_referrals.feeds.hl7.ack import AckCode, ack_code_for, acknowledgement
from peer_referrals.feeds.hl7.message import Header, Hl7Message, MalformedHl7, decode
from peer_referrals.feeds.hl7.reader import check_message_type, read_referral
from peer_referrals.use_cases.reception import Reception
from peer_shared.logging import get_logger

log = get_logger(__name__)


class Hl7Feed:
    """Turns received HL7 messages into referrals and acknowledgements."""

    def __init__(self, reception: Reception) -> None:
        self._reception = reception
        self._settings = reception.settings
        self._allowed = frozenset(f.upper() for f in reception.settings.mllp_allowed_facilities)

    async def handle(self, raw: bytes) -> bytes:
        """The acknowledgement (unframed bytes) for one message (unframed bytes)."""
        try:
            return await self._handle(raw)
        except Exception as exc:  # a listener must answer, whatever went wrong
            # Type and place only: an exception's message may quote the message's content.
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            log.error(
                "HL7 message failed unexpectedly",
                error=type(exc).__name__,
                at=f"{frame.filename}:{frame.lineno}",
            )
            problem = Problem(
                ProblemCode.UNAVAILABLE, "", "the message could not be processed; send it again"
            )
            return self._ack(None, AckCode.ERROR, [problem])

    def refuse_oversized(self, prefix: bytes, limit: int) -> bytes:
        """The AR for a message longer than `limit`, addressed from its first bytes when they parse."""
        header = None
        try:
            first_segment = decode(prefix).replace("\n", "\r").split("\r", 1)[0]
            header = Hl7Message(first_segment).header()
        except MalformedHl7:
            pass
        problem = Problem(ProblemCode.TOO_LARGE, "", f"the message is longer than {limit} bytes")
        return self._ack(header, AckCode.REJECT, [problem])

    async def _handle(self, raw: bytes) -> bytes:
        try:
            message = Hl7Message(decode(raw))
            header = message.header()
        except MalformedHl7 as exc:
            return self._ack(None, AckCode.REJECT, [Problem(ProblemCode.MALFORMED, "MSH", str(exc))])
        try:
            if header.sending_facility.upper() not in self._allowed:
                message_text = f"sending facility {header.sending_facility!r} is not accepted here"
                raise InvalidReferral([Problem(ProblemCode.NOT_AUTHORISED, "MSH-4", message_text)])
            check_message_type(header)
            valid = self._reception.check(read_referral(message, header))
        except InvalidReferral as exc:
            log.info(
                "HL7 referral refused", control_id=header.control_id, problems=[p.code for p in exc.problems]
            )
            return self._ack(header, ack_code_for(exc.problems), exc.problems)
        try:
            received = await self._reception.submit(valid, f"mllp:{header.sending_facility}")
        except Exception as exc:
            # Not committed (or unknown): the sender keeps the message and resends; the key makes that safe.
            log.warning("HL7 referral not stored", control_id=header.control_id, error=type(exc).__name__)
            problem = Problem(ProblemCode.UNAVAILABLE, "", "the referral could not be stored; send it again")
            return self._ack(header, AckCode.ERROR, [problem])
        log.info("HL7 referral acknowledged", control_id=header.control_id, referral_id=received.referral_id)
        return self._ack(header, AckCode.ACCEPT, [], referral_id=received.referral_id)

    def _ack(
        self, header: Header | None, code: AckCode, problems: list[Problem], referral_id: str | None = None
    ) -> bytes:
        text = acknowledgement(
            header,
            code,
            now=self._reception.clock.now(),
            application=self._settings.mllp_application,
            facility=self._settings.mllp_facility,
            problems=problems,
            referral_id=referral_id,
        )
        return text.encode("utf-8")
