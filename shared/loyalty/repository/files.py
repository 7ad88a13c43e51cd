"""The private bucket of imports and exports (S3): files kept, read by byte ranges, and the
pre-signed links a merchant uploads to and downloads from (valid 15 minutes)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError

from loyalty.errors import TransientFault

LINK_SECONDS = 15 * 60
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class MissingFile(LookupError):
    """No such object: an upload never made, or already deleted by the bucket's lifecycle."""


@contextmanager
def _faults() -> Iterator[None]:
    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in _MISSING:
            raise MissingFile(code) from None
        if code in {"SlowDown", "InternalError", "ServiceUnavailable", "RequestTimeout"}:
            raise TransientFault(f"S3 answered {code}") from error
        raise
    except BotoCoreError as error:
        raise TransientFault(f"S3 unreachable: {type(error).__name__}") from error


class Files:
    """One bucket; its client is given (boto3's, or moto's in tests)."""

    def __init__(self, bucket: str, client: Any) -> None:
        self._bucket = bucket
        self._client = client

    def put(self, key: str, body: bytes) -> None:
        with _faults():
            self._client.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType="text/csv")

    def put_stream(self, key: str, parts: Iterable[bytes]) -> None:
        """A file written part by part (an export), kept on local disk until it is uploaded whole."""
        with tempfile.TemporaryFile() as spool:
            for part in parts:
                spool.write(part)
            spool.seek(0)
            with _faults():
                self._client.put_object(Bucket=self._bucket, Key=key, Body=spool, ContentType="text/csv")

    def size(self, key: str) -> int:
        with _faults():
            return int(self._client.head_object(Bucket=self._bucket, Key=key)["ContentLength"])

    @contextmanager
    def opened(self, key: str) -> Iterator[IO[bytes]]:
        """The whole file on local disk, to be read line by line."""
        with tempfile.TemporaryFile() as local:
            with _faults():
                body = self._client.get_object(Bucket=self._bucket, Key=key)["Body"]
                for part in body.iter_chunks(1024 * 1024):
                    local.write(part)
            local.seek(0)
            yield local

    def read_range(self, key: str, start: int, end: int) -> bytes:
        """Bytes `start` (included) to `end` (excluded)."""
        if end <= start:
            return b""
        with _faults():
            answer = self._client.get_object(Bucket=self._bucket, Key=key, Range=f"bytes={start}-{end - 1}")
            data: bytes = answer["Body"].read()
        return data

    def upload_link(self, key: str) -> str:
        """A pre-signed PUT of `key`: the merchant's browser sends the file straight to the bucket."""
        url: str = self._client.generate_presigned_url(
            "put_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=LINK_SECONDS
        )
        return url

    def download_link(self, key: str, filename: str) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": "text/csv",
            },
            ExpiresIn=LINK_SECONDS,
        )
        return url
