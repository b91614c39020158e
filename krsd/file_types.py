"""Decide a file's type from its content, never from its name or Content-Type.

Office files are zip archives. They are judged from the archive's directory and at most a
few bytes of one entry, never by inflating an entry: a 1 MB upload can inflate to gigabytes.
"""

import io
import struct
import zipfile

MIME_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
#: the extension a download gets, decided by the content (never the uploader's)
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "docx": ".docx", "odt": ".odt"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

#: a real document has tens of entries; more than this is refused unread
MAX_ENTRIES = 1000
#: the central directory of MAX_ENTRIES entries with long names fits easily
MAX_DIRECTORY_BYTES = 1024 * 1024
#: the ``mimetype`` entry holds one short line
MAX_MIMETYPE_BYTES = 100
#: XML compresses 10 to 100 times; deflate's limit is about 1000:1, reached only by long runs
#: of one byte: a bomb
MAX_COMPRESSION_RATIO = 500
#: what all entries together may claim to inflate to
MAX_INFLATED_BYTES = 512 * 1024 * 1024

_END_OF_DIRECTORY = struct.Struct("<4s4H2LH")
_END_SIGNATURE = b"PK\x05\x06"


def sniff(head: bytes, data: io.BufferedIOBase | None = None) -> str | None:
    """pdf, png, jpeg, docx or odt from the first bytes (and the zip directory), else None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04") and data is not None:
        return _office_kind(data)
    return None


def download_name(label: str, kind: str) -> str:
    """The label's stem with the extension of the detected type: never ``certificaat.bat``."""
    stem = label.rsplit(".", 1)[0] if "." in label else label
    return (stem.strip(" .") or "bewijsstuk") + EXTENSIONS[kind]


def _office_kind(data) -> str | None:
    try:
        if not _directory_is_small(data):
            return None
        data.seek(0)
        with zipfile.ZipFile(data) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES or not _sizes_are_plausible(infos):
                return None
            entries = {info.filename: info for info in infos}
            if "mimetype" in entries and _starts_with_odt_mimetype(archive, entries["mimetype"]):
                return "odt"
            if "word/document.xml" in entries and "[Content_Types].xml" in entries:
                return "docx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    finally:
        data.seek(0)
    return None


def _directory_is_small(data) -> bool:
    """Read the end-of-directory record before zipfile parses every entry into memory."""
    data.seek(0, io.SEEK_END)
    size = data.tell()
    tail_length = min(size, _END_OF_DIRECTORY.size + 0xFFFF)  # the record plus a comment
    data.seek(size - tail_length)
    tail = data.read(tail_length)
    start = tail.rfind(_END_SIGNATURE)
    if start < 0 or len(tail) - start < _END_OF_DIRECTORY.size:
        return False
    record = _END_OF_DIRECTORY.unpack_from(tail, start)
    entries_here, entries_total, directory_bytes = record[3], record[4], record[5]
    # 0xFFFF/0xFFFFFFFF point to a zip64 record: never needed for a document this small.
    return (
        entries_here <= MAX_ENTRIES
        and entries_total <= MAX_ENTRIES
        and directory_bytes <= MAX_DIRECTORY_BYTES
    )


def _sizes_are_plausible(infos: list[zipfile.ZipInfo]) -> bool:
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            return False
    return total <= MAX_INFLATED_BYTES


def _starts_with_odt_mimetype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    if info.file_size > MAX_MIMETYPE_BYTES:
        return False
    # The sizes in the directory may lie: read (and so inflate) a few bytes at most.
    with archive.open(info) as entry:
        head = entry.read(len(ODT_MIMETYPE) + 2)
    return head.strip() == ODT_MIMETYPE
