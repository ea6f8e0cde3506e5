"""Handing out stored files (receipts, print runs) to people the view has already allowed.

On local disk the app streams the file. In a bucket (STORAGE_BUCKET) the app answers with a
redirect to a link signed for STORAGE_SIGNED_URL_SECONDS, naming the download; the bucket
itself is private, so the object is refused to anyone without such a link."""

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect


def signed_links() -> bool:
    """Whether files are handed out as signed links (a bucket) rather than streamed."""
    return bool(settings.STORAGE_BUCKET)


def stored_file_response(stored: FieldFile, *, filename: str, content_type: str) -> HttpResponse:
    if signed_links():
        url = stored.storage.url(
            stored.name,
            parameters={
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": content_type,
            },
            expire=settings.STORAGE_SIGNED_URL_SECONDS,
        )
        response: HttpResponse = HttpResponseRedirect(url)
    else:
        response = FileResponse(
            stored.open("rb"), as_attachment=True, filename=filename, content_type=content_type
        )
    response["Cache-Control"] = "private, no-store"
    return response


def document_url(stored: FieldFile) -> str:
    """The address a PDF gives an uploaded image (the logo, a signature): under MEDIA_URL on
    the PDF renderer's own origin, wherever the file is kept; core.pdf's fetcher reads it
    through the storage, so a signed link never goes into a document."""
    return "/" + settings.MEDIA_URL.strip("/") + "/" + stored.name if stored else ""


def storage_is_local() -> bool:
    try:
        default_storage.path("x")
    except NotImplementedError:
        return False
    return True
