"""A parsed HL7 v2 message with forgiving field access, and its header (MSH).

Segments are split by `hl7` (which raises assorted exceptions on garbage: all become `MalformedHl7`);
fields are read by number as HL7 numbers them (`PID-3.1`), and a missing one is an empty string.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import hl7  # type: ignore[import-untyped]


class MalformedHl7(ValueError):
    """The bytes are not an HL7 v2 message this listener can read at all."""


@dataclass(frozen=True)
class Header:
    """What MSH says about a message: who sent it, what it is, and how it wants to be answered."""

    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str
    message_code: str
    trigger_event: str
    control_id: str
    processing_id: str
    version: str
    application_ack_type: str
    """MSH-16: `AL` asks for an application response (RRI^I12) always, `NE` never."""


class Hl7Message:
    """One message: its segments by name, with field access by HL7 position."""

    def __init__(self, text: str) -> None:
        normalised = text.replace("\r\n", "\r").replace("\n", "\r").strip("\r")
        if not normalised.startswith("MSH") or len(normalised) < 8:
            raise MalformedHl7("the message does not start with an MSH segment")
        self.field_separator = normalised[3]
        encoding = normalised[4:8]
        if self.field_separator.isalnum() or len(set(encoding)) != 4:
            raise MalformedHl7("MSH-1 and MSH-2 do not give five distinct delimiters")
        self.component_separator, self.repetition_separator = encoding[0], encoding[1]
        try:
            self._message: Any = hl7.parse(normalised)
        except Exception as exc:  # hl7 raises IndexError, ParseException and others on garbage
            raise MalformedHl7(f"not a parsable HL7 v2 message: {exc}") from None
        self.segment_names = [str(segment(0)) for segment in self._message]

    def segments(self, name: str) -> list[Any]:
        """Every segment with this name, in order."""
        return [s for s, n in zip(self._message, self.segment_names, strict=True) if n == name]

    def has(self, name: str) -> bool:
        """Whether the message holds at least one such segment."""
        return name in self.segment_names

    def field(self, segment: Any, number: int) -> list[list[str]]:
        """A field's repetitions, each a list of components (unescaped); empty when absent."""
        try:
            raw = str(segment(number))
        except (IndexError, KeyError):
            return []
        if not raw:
            return []
        return [
            [self._message.unescape(c) for c in repetition.split(self.component_separator)]
            for repetition in raw.split(self.repetition_separator)
        ]

    def value(self, segment: Any, number: int, component: int = 1, repetition: int = 1) -> str:
        """One component of one repetition of a field (`PID-5.2` is `value(pid, 5, 2)`), or ""."""
        repetitions = self.field(segment, number)
        if repetition > len(repetitions) or component > len(repetitions[repetition - 1]):
            return ""
        return repetitions[repetition - 1][component - 1].strip()

    def header(self) -> Header:
        """The message header; `MalformedHl7` if MSH lacks a control id or a message type."""
        msh = self.segments("MSH")[0]
        # In `hl7`, MSH field numbers match HL7's (MSH-1 is the field separator itself).
        header = Header(
            sending_application=self.value(msh, 3),
            sending_facility=self.value(msh, 4),
            receiving_application=self.value(msh, 5),
            receiving_facility=self.value(msh, 6),
            message_code=self.value(msh, 9, 1),
            trigger_event=self.value(msh, 9, 2),
            control_id=self.value(msh, 10),
            processing_id=self.value(msh, 11),
            version=self.value(msh, 12),
            application_ack_type=self.value(msh, 16),
        )
        if not header.control_id:
            raise MalformedHl7("MSH-10 (message control id) is empty")
        return header


def decode(raw: bytes) -> str:
    """HL7 bytes as text: UTF-8 when it is, else ISO 8859-1 (HL7's traditional default)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")
