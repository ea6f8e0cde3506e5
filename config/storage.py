"""Where uploaded and generated files live (settings.STORAGES): receipts, statements, logos,
signatures, print runs and import files go under MEDIA_ROOT, or in an S3-compatible bucket when
STORAGE_BUCKET is set (a platform whose disk is wiped at each deploy, or several machines). The
bucket stays private: files are handed out by the app, after its own permission check, as links
signed for STORAGE_SIGNED_URL_SECONDS (core.stored_files)."""

from typing import Any

from config.env import env_str

S3_STORAGE = "storages.backends.s3.S3Storage"


def bucket_options(
    *,
    bucket: str,
    signed_url_seconds: int,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    prefix: str = "",
    addressing_style: str | None = None,
) -> dict[str, Any]:
    """django-storages' options for the private bucket; None leaves a choice to boto3."""
    return {
        "bucket_name": bucket,
        # None for AWS itself; MinIO, Backblaze, DigitalOcean Spaces... give their own URL.
        "endpoint_url": endpoint_url,
        "region_name": region,
        # None: boto3's own lookup (AWS_ACCESS_KEY_ID..., an instance role).
        "access_key": access_key,
        "secret_key": secret_key,
        "location": prefix,
        "addressing_style": addressing_style,
        "signature_version": "s3v4",
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": signed_url_seconds,
        # An issued receipt is never replaced: a second file of one name gets a new name.
        "file_overwrite": False,
    }


def storages(*, bucket: str, signed_url_seconds: int, debug: bool) -> dict[str, dict]:
    """STORAGES: the bucket's details from the other STORAGE_* variables (empty means unset)."""
    if bucket:
        options = bucket_options(
            bucket=bucket,
            signed_url_seconds=signed_url_seconds,
            endpoint_url=env_str("STORAGE_ENDPOINT_URL", "") or None,
            region=env_str("STORAGE_REGION", "") or None,
            access_key=env_str("STORAGE_ACCESS_KEY_ID", "") or None,
            secret_key=env_str("STORAGE_SECRET_ACCESS_KEY", "") or None,
            prefix=env_str("STORAGE_PREFIX", ""),
            addressing_style=env_str("STORAGE_ADDRESSING_STYLE", "") or None,
        )
        default = {"BACKEND": S3_STORAGE, "OPTIONS": options}
    else:
        default = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "default": default,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
            if debug
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
