"""MLLP framing, pure: however a byte stream is cut, the decoder finds every message (no server)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from peer_referrals.feeds.hl7.mllp_framing import END, START, FrameDecoder, frame


def _unframed(data: bytes) -> bytes:
    return data.replace(START, b"").replace(END[:1], b"")


@given(
    messages=st.lists(st.binary(min_size=0, max_size=300), max_size=5),
    noise=st.lists(st.binary(max_size=50), min_size=6, max_size=6),
    cuts=st.lists(st.integers(1, 64), max_size=20),
)
@settings(max_examples=300, deadline=None)
def test_the_frame_decoder_finds_every_message_however_the_stream_is_cut(
    messages: list[bytes], noise: list[bytes], cuts: list[int]
) -> None:
    clean = [_unframed(m) for m in messages]
    between = [n.replace(START, b"") for n in noise]
    stream = between[0] + b"".join(frame(m) + n for m, n in zip(clean, between[1:], strict=False))
    decoder = FrameDecoder(limit=200)
    found = []
    position = 0
    for cut in [*cuts, len(stream)]:
        found += decoder.feed(stream[position : position + cut])
        position += cut
    found += decoder.feed(stream[position:])
    assert [(f.body if not f.oversized else None) for f in found] == [
        m if len(m) <= 200 else None for m in clean
    ]
