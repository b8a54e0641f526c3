"""Outlook's TNEF (winmail.dat) for the mail fixtures (make_fixtures.py), written from the
format's description: attributes (level, id, length, data, checksum), MAPI property blocks, and
compressed RTF (LZFu over a dictionary that starts with a fixed preamble)."""
import struct


def tnef_attribute(level: int, attribute: int, data: bytes) -> bytes:
    return (bytes([level]) + struct.pack("<II", attribute, len(data)) + data
            + struct.pack("<H", sum(data) & 0xFFFF))


def mapi_value(kind: int, value) -> bytes:
    def padded(data: bytes) -> bytes:
        return data + b"\0" * (-len(data) % 4)
    if kind == 0x1F:
        data = value.encode("utf-16-le") + b"\0\0"
    elif kind == 0x1E:
        data = value + b"\0"
    elif kind == 0x102:
        data = value
    elif kind == 0x03:
        return struct.pack("<I", value)
    else:
        raise ValueError(kind)
    return struct.pack("<II", 1, len(data)) + padded(data)


def mapi_properties(props) -> bytes:
    out = struct.pack("<I", len(props))
    for kind, prop_id, value in props:
        out += struct.pack("<HH", kind, prop_id) + mapi_value(kind, value)
    return out


RTF_PREAMBLE = (b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman "
                b"\\fswiss \\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New Roman"
                b"Courier{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b"
                b"\\i\\u\\tab\\tx")


def compress_rtf(raw: bytes) -> bytes:
    """LZFu: greedy matches (2-17 bytes) against the dictionary, never across its write spot."""
    dictionary = bytearray(4096)
    dictionary[:len(RTF_PREAMBLE)] = RTF_PREAMBLE
    write = len(RTF_PREAMBLE)
    items = []
    pos = 0

    def put(byte):
        nonlocal write
        dictionary[write] = byte
        write = (write + 1) % 4096

    while pos < len(raw):
        best_len, best_off = 0, 0
        for off in range(4096):
            length = 0
            while (length < 17 and pos + length < len(raw)
                   and (off + length) % 4096 != write
                   and dictionary[(off + length) % 4096] == raw[pos + length]):
                length += 1
            # The copied range must not reach the bytes the copy itself writes.
            if length >= 2 and (off - write) % 4096 >= length and off != write:
                if length > best_len:
                    best_len, best_off = length, off
        if best_len >= 2:
            items.append(("ref", (best_off << 4) | (best_len - 2)))
            for k in range(best_len):
                put(raw[pos + k])
            pos += best_len
        else:
            items.append(("lit", raw[pos]))
            put(raw[pos])
            pos += 1
    items.append(("ref", write << 4))  # a reference to the write spot ends the data
    out = bytearray()
    for start in range(0, len(items), 8):
        group = items[start:start + 8]
        control = sum(1 << i for i, (kind, _) in enumerate(group) if kind == "ref")
        out.append(control)
        for kind, value in group:
            out += bytes([value]) if kind == "lit" else struct.pack(">H", value)
    # The CRC of the compressed bytes: CRC-32's table, starting at 0, no final inversion.
    crc = 0
    for byte in out:
        value = (crc ^ byte) & 0xFF
        for _ in range(8):
            value = (value >> 1) ^ (0xEDB88320 if value & 1 else 0)
        crc = value ^ (crc >> 8)
    header = struct.pack("<II", 12 + len(out), len(raw)) + b"LZFu" + struct.pack("<I", crc)
    return header + bytes(out)


def tnef(files, codepage=1251, rtf=None) -> bytes:
    out = struct.pack("<IH", 0x223E9F78, 0x1234)
    out += tnef_attribute(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += tnef_attribute(1, 0x00069007, struct.pack("<II", codepage, 0))  # attOemCodepage
    out += tnef_attribute(1, 0x00078008, b"IPM.Microsoft Mail.Note\0")  # attMessageClass
    if rtf is not None:
        out += tnef_attribute(1, 0x00069003, mapi_properties([(0x102, 0x1009, compress_rtf(rtf))]))
    for short, long_name, data, long_kind in files:
        out += tnef_attribute(2, 0x00069002, b"\1\0\xff\xff\xff\xff" + b"\0" * 8)  # attAttachRendData
        out += tnef_attribute(2, 0x00018010, short + b"\0")  # attAttachTitle
        out += tnef_attribute(2, 0x0006800F, data)  # attAttachData
        name = long_name if long_kind == 0x1F else long_name.encode("cp%d" % codepage)
        out += tnef_attribute(2, 0x00069005, mapi_properties([(long_kind, 0x3707, name)]))
    return out
