"""Evidence files on disk: random names, written whole or not at all, checked by hash."""

import hashlib
import os
import re
import secrets
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from krsd.portfolio.evidence_types import sniff

CHUNK = 64 * 1024


class EvidenceRejected(Exception):
    """An upload that is not accepted; the message is Dutch."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    label: str
    kind: str
    size: int
    sha256: str


def evidence_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_of(stored_name: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{20,64}", stored_name):
        raise ValueError("not a stored evidence name")
    return evidence_folder() / stored_name


def sanitise_label(filename: str | None) -> str:
    """A display label from an uploaded name: no folders, no control characters."""
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip(" .")
    return name[:160] or "bewijsstuk"


def store(upload, max_bytes: int) -> StoredFile:
    """Write an upload to a temp file, check it, then rename it into place."""
    folder = evidence_folder()
    digest = hashlib.sha256()
    size = 0
    fd, temp_name = tempfile.mkstemp(dir=folder, prefix=".upload-")
    try:
        with os.fdopen(fd, "w+b") as out:
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise EvidenceRejected(
                        f"{sanitise_label(upload.filename)} is groter dan "
                        f"{max_bytes // (1024 * 1024)} MB."
                    )
                digest.update(chunk)
                out.write(chunk)
            if size == 0:
                raise EvidenceRejected(f"{sanitise_label(upload.filename)} is leeg.")
            out.flush()
            os.fsync(out.fileno())
            out.seek(0)
            kind = sniff(out.read(16), out)
        if kind is None:
            raise EvidenceRejected(
                f"{sanitise_label(upload.filename)} is geen PDF, PNG, JPEG, DOCX of ODT-bestand."
            )
        stored_name = secrets.token_urlsafe(24)
        os.replace(temp_name, folder / stored_name)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return StoredFile(stored_name, sanitise_label(upload.filename), kind, size, digest.hexdigest())


def remove(stored_names) -> None:
    for name in stored_names:
        path_of(name).unlink(missing_ok=True)


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class StorageReport:
    missing: list[str]
    corrupt: list[str]
    orphaned: list[str]


def check(records: list[tuple[str, str]]) -> StorageReport:
    """Compare (stored_name, sha256) records with the files on disk."""
    folder = evidence_folder()
    known = dict(records)
    missing, corrupt = [], []
    for name, digest in sorted(known.items()):
        path = folder / name
        if not path.exists():
            missing.append(name)
        elif file_hash(path) != digest:
            corrupt.append(name)
    orphaned = sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in known)
    return StorageReport(missing, corrupt, orphaned)
