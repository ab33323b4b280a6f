"""Amazon Connect's call recordings (S3), copied into the data bucket under a case."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from samvad.adapters.aws import client as make_client

AUDIO_SUFFIXES = (".wav", ".opus", ".mp3")


def split_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/key`` → ``(bucket, key)``."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


class S3Recordings:
    """``Recordings`` over S3: find under Connect's prefix, copy into ``bucket`` encrypted with
    ``key_id`` (the stack's data key; blank: the bucket's default encryption)."""

    def __init__(self, bucket: str, key_id: str = "", client: Any = None) -> None:
        self._bucket = bucket
        self._key_id = key_id
        self._s3 = make_client("s3", client)

    def find(self, prefix: str) -> str | None:
        bucket, key_prefix = split_uri(prefix)
        listed = self._s3.list_objects_v2(Bucket=bucket, Prefix=key_prefix, MaxKeys=20)
        keys = sorted(o["Key"] for o in listed.get("Contents", []))
        found = [k for k in keys if k.lower().endswith(AUDIO_SUFFIXES)]
        return f"s3://{bucket}/{found[0]}" if found else None

    def copy(self, source: str, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
            return False
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        bucket, source_key = split_uri(source)
        encryption: dict[str, str] = {"ServerSideEncryption": "aws:kms"} if self._key_id else {}
        if self._key_id:
            encryption["SSEKMSKeyId"] = self._key_id
        self._s3.copy_object(
            Bucket=self._bucket,
            Key=key,
            CopySource={"Bucket": bucket, "Key": source_key},
            ContentType="audio/wav",
            MetadataDirective="REPLACE",
            **encryption,
        )
        return True
