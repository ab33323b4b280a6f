"""S3 object store for uploads, rejects, quarantine and reports."""

from __future__ import annotations

import io
from typing import BinaryIO

from samvad.adapters.aws import client as make_client


class S3ObjectStore:
    def __init__(self, client=None):
        self._client = make_client("s3", client)

    def open(self, bucket: str, key: str, version_id: str | None) -> BinaryIO:
        extra = {"VersionId": version_id} if version_id else {}
        body = self._client.get_object(Bucket=bucket, Key=key, **extra)["Body"]
        return body  # botocore StreamingBody: read(n), close(), context manager

    def put(self, bucket: str, key: str, body: BinaryIO | bytes, content_type: str) -> None:
        stream = io.BytesIO(body) if isinstance(body, bytes) else body
        self._client.upload_fileobj(stream, bucket, key, ExtraArgs={"ContentType": content_type})

    def move(self, bucket: str, key: str, version_id: str | None, new_key: str) -> None:
        """Copy to ``new_key`` then delete the original (a delete marker: versions are kept)."""
        source = {"Bucket": bucket, "Key": key}
        if version_id:
            source["VersionId"] = version_id
        self._client.copy(source, bucket, new_key)
        self._client.delete_object(Bucket=bucket, Key=key)
