"""A local stand-in for an S3-compatible bucket: moto's server on a free port of 127.0.0.1.
Like a real bucket made private, it refuses an object to a request without a signature."""

import logging
import socket
import urllib.request
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from config.storage import bucket_options

BUCKET = "crm-files"
REGION = "us-east-1"
KEYS = {"aws_access_key_id": "stand-in-key", "aws_secret_access_key": "stand-in-secret"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class S3StandIn:
    def __enter__(self) -> "S3StandIn":
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        # moto keeps its buckets per process, not per server: start each test from none.
        reset = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")  # noqa: S310
        urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - the stand-in's own
        self.client = boto3.client("s3", endpoint_url=self.url, region_name=REGION, **KEYS)
        self.client.create_bucket(Bucket=BUCKET)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()

    def storage_options(self) -> dict[str, Any]:
        """The options config/storage.py builds from STORAGE_* variables, for this stand-in."""
        return bucket_options(
            bucket=BUCKET,
            signed_url_seconds=120,
            endpoint_url=self.url,
            region=REGION,
            access_key=KEYS["aws_access_key_id"],
            secret_key=KEYS["aws_secret_access_key"],
            addressing_style="path",
        )

    def stored_keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listing.get("Contents", [])]
