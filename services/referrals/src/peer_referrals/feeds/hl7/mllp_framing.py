"""MLLP framing: a message travels as `<VT> message <FS><CR>` (0x0b ... 0x1c 0x0d) on a TCP stream.

The decoder is plain Python (no I/O) so any byte sequence can be thrown at it in tests.
"""

from __future__ import annotations

from dataclasses import dataclass

START = b"\x0b"
END = b"\x1c\x0d"
PREFIX_KEPT = 2048
"""How much of an oversized message is kept, to address the rejection from its MSH."""


@dataclass(frozen=True)
class Frame:
    """One framed message, or the start of one that was too long to accept."""

    body: bytes
    oversized: bool = False


def frame(message: bytes) -> bytes:
    """Wrap a message for sending."""
    return START + message + END


class FrameDecoder:
    """Cuts a byte stream into frames, holding at most `limit` bytes of any one message.

    Bytes outside a frame are ignored; a start byte inside a frame abandons the partial frame (the
    sender started again). A message longer than `limit` is dropped as it arrives and reported once
    its end comes, with only its first bytes.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._buffer = bytearray()
        self._inside = False
        self._oversized_prefix: bytes | None = None

    def feed(self, data: bytes) -> list[Frame]:
        """Take more bytes; return the frames they complete."""
        self._buffer += data
        frames: list[Frame] = []
        while True:
            if not self._inside:
                start = self._buffer.find(START)
                if start < 0:
                    self._buffer.clear()
                    return frames
                del self._buffer[: start + 1]
                self._inside, self._oversized_prefix = True, None
            end = self._buffer.find(END)
            restart = self._buffer.find(START)
            if restart >= 0 and (end < 0 or restart < end):
                del self._buffer[:restart]
                self._inside = False
                continue
            if end < 0:
                self._hold_partial()
                return frames
            body = bytes(self._buffer[:end])
            del self._buffer[: end + len(END)]
            self._inside = False
            if self._oversized_prefix is not None:
                frames.append(Frame(self._oversized_prefix, oversized=True))
            elif len(body) > self._limit:
                frames.append(Frame(body[:PREFIX_KEPT], oversized=True))
            else:
                frames.append(Frame(body))

    def _hold_partial(self) -> None:
        if self._oversized_prefix is None and len(self._buffer) > self._limit:
            self._oversized_prefix = bytes(self._buffer[:PREFIX_KEPT])
        if self._oversized_prefix is not None:
            # Keep only a trailing FS, which may be the first half of the end marker.
            tail = self._buffer[-1:] if self._buffer.endswith(END[:1]) else b""
            self._buffer[:] = tail
