"""Hostile ZIP archives for the upload-limit tests, built small in memory."""

import io
import struct
import zipfile


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The archive *data* with one more part."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as original,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            copy.writestr(item, original.read(item.filename))
        copy.writestr(name, content)
    return out.getvalue()


def forge_size(data: bytes, name: str, size: int) -> bytes:
    """The archive with *name*'s uncompressed size overwritten with *size* in its local header
    and its directory entry (the CRC and the data left as they were): a lying header."""
    forged = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
        offset = archive.start_dir
    struct.pack_into("<I", forged, info.header_offset + 22, size)
    while (offset := forged.find(b"PK\x01\x02", offset)) != -1:
        length = struct.unpack_from("<H", forged, offset + 28)[0]
        if forged[offset + 46 : offset + 46 + length] == name.encode():
            struct.pack_into("<I", forged, offset + 24, size)
            return bytes(forged)
        offset += 4
    raise KeyError(name)
