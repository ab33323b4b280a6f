"""S3: uploads, rejects and quarantine; JSON documents (samples, audit); report files."""

from __future__ import annotations

import io
import json
from typing import IO, Any, BinaryIO

from samvad.adapters.aws import client as make_client

DAY = 86400


class S3ObjectStore:
    def __init__(self, client: Any = None) -> None:
        self._client = make_client("s3", client)

    def open(self, bucket: str, key: str, version_id: str | None) -> BinaryIO:
        extra = {"VersionId": version_id} if version_id else {}
        body = self._client.get_object(Bucket=bucket, Key=key, **extra)["Body"]
        return body  # botocore StreamingBody: read(n), close(), context manager

    def put(self, bucket: str, key: str, body: IO[bytes] | bytes, content_type: str) -> None:
        stream = io.BytesIO(body) if isinstance(body, bytes) else body
        self._client.upload_fileobj(stream, bucket, key, ExtraArgs={"ContentType": content_type})

    def move(self, bucket: str, key: str, version_id: str | None, new_key: str) -> None:
        """Copy to ``new_key`` then delete the original (a delete marker: versions are kept)."""
        source = {"Bucket": bucket, "Key": key}
        if version_id:
            source["VersionId"] = version_id
        self._client.copy(source, bucket, new_key)
        self._client.delete_object(Bucket=bucket, Key=key)

    def metadata(self, bucket: str, key: str, version_id: str | None) -> dict[str, str]:
        extra = {"VersionId": version_id} if version_id else {}
        return dict(self._client.head_object(Bucket=bucket, Key=key, **extra)["Metadata"])

    def find(self, bucket: str, key: str) -> bytes | None:
        """A small object's bytes, or None when it is absent (the chunked intake's results)."""
        try:
            return self._client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self._client.exceptions.NoSuchKey:
            return None


class S3Documents:
    def __init__(self, bucket: str, client: Any = None) -> None:
        self._bucket = bucket
        self._client = make_client("s3", client)

    def put_json(self, key: str, document: dict) -> None:
        self._client.put_object(
            Bucket=self._bucket,
            Key=key,
            ContentType="application/json",
            Body=json.dumps(document, ensure_ascii=False, default=str).encode(),
        )

    def get_json(self, key: str) -> dict:
        return json.loads(self._client.get_object(Bucket=self._bucket, Key=key)["Body"].read())

    def find_json(self, key: str) -> dict | None:
        try:
            return self.get_json(key)
        except self._client.exceptions.NoSuchKey:
            return None


class S3ReportFiles:
    def __init__(self, bucket: str, client: Any = None, link_seconds: int = 7 * DAY) -> None:
        self._bucket = bucket
        self._client = make_client("s3", client)
        self._link_seconds = link_seconds

    def put(self, key: str, body: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)

    def link(self, key: str) -> str:
        """A presigned GET. Signed with a Lambda role's temporary credentials, it stops working
        when they expire (hours), whatever ``link_seconds`` says."""
        return self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=self._link_seconds,
        )
