"""Stored files in an S3-compatible bucket (AWS S3, MinIO, Ceph…): shared by every machine."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError
from flask import Response, send_file

from krsd.storage_backends import TEMP_PREFIX, StoredObject, checked_key

MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in MISSING


class S3Storage:
    """Objects under ``prefix`` in one bucket; uploads are staged on this machine first."""

    def __init__(
        self,
        *,
        bucket: str,
        prefix: str = "",
        staging: Path,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ):
        self.bucket = bucket
        self.prefix = prefix
        self.staging = Path(staging)
        # A session of its own: boto3's default session is not safe across threads.
        # Without keys in the settings, boto3's own chain applies (AWS_* variables, a role).
        session = boto3.session.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region,
        )
        self.client = session.client(
            "s3",
            endpoint_url=endpoint_url,
            config=BotoConfig(retries={"mode": "standard"}, connect_timeout=5, read_timeout=30),
        )

    def _key(self, key: str) -> str:
        return self.prefix + checked_key(key)

    def staging_folder(self) -> Path:
        self.staging.mkdir(parents=True, exist_ok=True)
        return self.staging

    def place(self, key: str, staged: Path) -> None:
        # One PUT (files are at most MAX_UPLOAD_MB): the object appears whole or not at all.
        with staged.open("rb") as body:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=body)
        staged.unlink(missing_ok=True)

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def _get(self, key: str) -> dict:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                raise FileNotFoundError(key) from exc
            raise

    def open(self, key: str) -> BinaryIO:
        return self._get(key)["Body"]

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        if key.startswith(TEMP_PREFIX):
            (self.staging / checked_key(key)).unlink(missing_ok=True)
            return
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def listing(self) -> Iterator[StoredObject]:
        # This machine's staged uploads first: a killed upload leaves one, and the repair
        # (check-storage --repair, run on every node) removes it as on local disk.
        if self.staging.is_dir():
            for entry in os.scandir(self.staging):
                if entry.name.startswith(TEMP_PREFIX) and entry.is_file():
                    yield StoredObject(entry.name, entry.stat().st_mtime)
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if "/" in name:
                    continue  # not ours: a "folder" below the prefix
                modified: datetime = item["LastModified"]
                yield StoredObject(name, modified.astimezone(UTC).timestamp())

    def send(self, key: str, *, mimetype: str, download_name: str, as_attachment: bool) -> Response:
        # Streamed through the app, not a redirect to a signed URL: the access check, the
        # audit entry and the security headers stay those of the route.
        reply = self._get(key)
        response = send_file(
            reply["Body"],
            mimetype=mimetype,
            as_attachment=as_attachment,
            download_name=download_name,
            max_age=0,
            last_modified=reply.get("LastModified"),
            # Ranges and 304s need the length before the body: a plain 200, always.
            conditional=False,
        )
        response.content_length = reply["ContentLength"]
        return response
