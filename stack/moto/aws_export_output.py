"""
Makes moto's DynamoDB export to S3 write what AWS writes, so the connector's EXPORT snapshot runs end to end on
the local stack.

moto 5.2.5 (the latest release) answers ExportTableToPointInTime by writing the whole table as one gzip object
under a random folder; DescribeExport names no manifest and no export time, and a request without S3Prefix fails
with HTTP 500. AWS (DynamoDB developer guide, "DynamoDB table export output format") writes, under
`<prefix>/AWSDynamoDB/<export id>/`: `_started`, `data/<id>.json.gz` objects of DynamoDB JSON (one
`{"Item": ...}` per line), `manifest-files.json` listing them one JSON object per line, and
`manifest-summary.json` describing the export and naming `manifest-files.json`; DescribeExport gives the summary's
key as ExportManifest, and ExportTime. This module patches moto's TableExport (pinned version, see
requirements.txt) to do the same, splitting the table into several data objects as AWS does for large tables.

Loaded by the stack's moto launcher (src/stack/moto-server.ts) before moto's server starts. Nothing else changes.
"""

import base64
import hashlib
import json
import os
import time
import uuid
from typing import Any

from moto.core.utils import gzip_compress, utcnow
from moto.dynamodb.models.table_export import TableExport
from moto.dynamodb.models.utilities import dynamo_json_dump
from moto.dynamodb.responses import DynamoHandler

# AWS sizes its data objects by bytes; a count keeps the split visible on test-sized tables.
ITEMS_PER_FILE = int(os.environ.get("MOTO_EXPORT_ITEMS_PER_FILE", "1000"))

_original_init = TableExport.__init__
_original_response = TableExport.response
_original_handler = DynamoHandler.export_table_to_point_in_time


def _init(self: TableExport, *args: Any, **kwargs: Any) -> None:
    _original_init(self, *args, **kwargs)
    self.start_time = utcnow()
    # The export time is when the request was taken: the table as of then is what is exported.
    self.export_time = self.start_time
    self.end_time = None
    self.export_id = f"{int(time.time() * 1000):013d}-{uuid.uuid4().hex[:8]}"
    self.arn = f"{self.table.table_arn}/export/{self.export_id}"
    self.manifest_key = None


def _base_key(self: TableExport) -> str:
    folder = f"AWSDynamoDB/{self.export_id}"
    return f"{self.s3_prefix.rstrip('/')}/{folder}" if self.s3_prefix else folder


def _items(self: TableExport) -> list:
    # The server's request threads may write the table while this thread reads it.
    while True:
        try:
            return self.table.all_items()
        except RuntimeError:
            continue


def _put(s3_backend: Any, bucket: str, key: str, body: bytes) -> str:
    s3_backend.put_object(bucket_name=bucket, key_name=key, value=body)
    return hashlib.md5(body).hexdigest()


def _backup_to_s3_file(self: TableExport, s3_backend: Any) -> None:
    base = _base_key(self)
    _put(s3_backend, self.s3_bucket, f"{base}/_started", b"")
    items = _items(self)
    entries = []
    for start in range(0, len(items), ITEMS_PER_FILE):
        lines = []
        for item in items[start : start + ITEMS_PER_FILE]:
            json_item = item.to_json(root_attr_name="Item")
            lines.append(dynamo_json_dump(json_item) + "\n")
            self.processed_bytes += len(lines[-1])
        body = gzip_compress("".join(lines).encode("utf-8"))
        key = f"{base}/data/{uuid.uuid4().hex}.json.gz"
        etag = _put(s3_backend, self.s3_bucket, key, body)
        self.item_count += len(lines)
        entries.append(
            {
                "itemCount": len(lines),
                "md5Checksum": base64.b64encode(hashlib.md5(body).digest()).decode(),
                "etag": etag,
                "dataFileS3Key": key,
            }
        )
    files_key = f"{base}/manifest-files.json"
    files = "".join(json.dumps(entry) + "\n" for entry in entries).encode("utf-8")
    _put(s3_backend, self.s3_bucket, files_key, files)
    _put(s3_backend, self.s3_bucket, f"{base}/manifest-files.md5", hashlib.md5(files).hexdigest().encode())
    self.end_time = utcnow()
    summary = json.dumps(
        {
            "version": "2020-06-30",
            "exportArn": self.arn,
            "startTime": self.start_time.isoformat(),
            "endTime": self.end_time.isoformat(),
            "tableArn": self.table.table_arn,
            "tableId": str(uuid.uuid5(uuid.NAMESPACE_URL, self.table.table_arn)),
            "exportTime": self.export_time.isoformat(),
            "s3Bucket": self.s3_bucket,
            "s3Prefix": self.s3_prefix,
            "s3SseAlgorithm": "AES256",
            "s3SseKmsKeyId": None,
            "manifestFilesS3Key": files_key,
            "billedSizeBytes": self.processed_bytes,
            "itemCount": self.item_count,
            "outputFormat": "DYNAMODB_JSON",
            "exportType": "FULL_EXPORT",
        }
    ).encode("utf-8")
    summary_key = f"{base}/manifest-summary.json"
    _put(s3_backend, self.s3_bucket, summary_key, summary)
    _put(s3_backend, self.s3_bucket, f"{base}/manifest-summary.md5", hashlib.md5(summary).hexdigest().encode())
    self.manifest_key = summary_key
    self.status = "COMPLETED"


def _response(self: TableExport) -> dict[str, Any]:
    answer = _original_response(self)
    answer["StartTime"] = self.start_time
    answer["ExportTime"] = self.export_time
    if self.end_time is not None:
        answer["EndTime"] = self.end_time
    if self.manifest_key is not None:
        answer["ExportManifest"] = self.manifest_key
    if not self.s3_prefix:
        answer.pop("S3Prefix", None)
    return answer


def _export_table_to_point_in_time(self: DynamoHandler) -> Any:
    # S3Prefix is optional in AWS's API: without it the export's folder is at the bucket's root.
    self.body.setdefault("S3Prefix", None)
    return _original_handler(self)


TableExport.__init__ = _init
TableExport._backup_to_s3_file = _backup_to_s3_file
TableExport.response = _response
DynamoHandler.export_table_to_point_in_time = _export_table_to_point_in_time
