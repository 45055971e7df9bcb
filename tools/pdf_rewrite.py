"""Rewrite objects of a classic-xref PDF (Chromium, reportlab): the fixture tools use it
to give a real producer's PDF the ToUnicode CMap or font metrics another producer writes.

    objects, trailer = read_objects(data)
    objects[n] = with_stream(objects[n], new_bytes)
    write_pdf(objects, trailer)

Standard library only; no object streams or xref streams (neither producer writes them).
"""
from __future__ import annotations

import re
import zlib

_OBJ = re.compile(rb"(?m)^(\d+) 0 obj\s*")
_LENGTH = re.compile(rb"/Length (\d+)(?! \d+ R)")


def read_objects(data: bytes) -> tuple[dict[int, bytes], bytes]:
    """{object number: body between 'obj' and 'endobj'}, and the trailer dictionary."""
    if b"/ObjStm" in data or b"/Type /XRef" in data:
        raise ValueError("object streams / xref streams are not supported")
    objects: dict[int, bytes] = {}
    pos = 0
    while (m := _OBJ.search(data, pos)):
        start = m.end()
        head_end = data.find(b"stream", start)
        end = data.find(b"endobj", start)
        if 0 <= head_end < end and (length := _LENGTH.search(data, start, head_end)):
            body_start = head_end + len(b"stream")
            body_start += 2 if data[body_start:body_start + 2] == b"\r\n" else 1
            end = data.find(b"endobj", body_start + int(length[1]))
        objects[int(m[1])] = data[start:end].rstrip()
        pos = end + len(b"endobj")
    trailer = re.findall(rb"trailer\s*(<<.*?>>)\s*startxref", data, re.S)[-1]
    return objects, trailer


def stream_of(body: bytes) -> bytes:
    """The decoded stream of an object body (FlateDecode or none)."""
    head, raw = _split(body)
    return zlib.decompress(raw) if b"/FlateDecode" in head else raw


def with_stream(body: bytes, content: bytes) -> bytes:
    """The object body with its stream replaced (Flate-compressed when it was)."""
    head, _ = _split(body)
    raw = zlib.compress(content) if b"/FlateDecode" in head else content
    head = _LENGTH.sub(b"/Length %d" % len(raw), head, count=1)
    return head + b"stream\n" + raw + b"\nendstream"


def _split(body: bytes) -> tuple[bytes, bytes]:
    at = body.index(b"stream")
    head = body[:at]
    start = at + len(b"stream")
    start += 2 if body[start:start + 2] == b"\r\n" else 1
    length = int(_LENGTH.search(head)[1])
    return head, body[start:start + length]


def write_pdf(objects: dict[int, bytes], trailer: bytes) -> bytes:
    """A PDF of the objects with a fresh xref table; the trailer keeps /Root and /Info."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + objects[num] + b"\nendobj\n"
    xref, size = len(out), max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for num in range(1, size):
        out += b"%010d 00000 n \n" % offsets[num] if num in offsets else b"0000000000 65535 f \n"
    keep = b" ".join(m.group() for m in re.finditer(rb"/(?:Root|Info) \d+ 0 R", trailer))
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, keep, xref)
    return bytes(out)
