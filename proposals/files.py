"""Uploaded files and the rows that point to them: both saved, or neither.

A disk can fill up (or a storage fail) half-way through a write. The person uploading must
then see a clear message, and no row may point to a file that is missing or cut short. Three
pieces, for every app that stores files (sealed scans, signatures, paper forms, PDFs):

- `AtomicFileSystemStorage`, the default storage: writes to a temporary file beside the target
  and renames it into place, so a file under MEDIA_ROOT is always whole or absent.
- `save_with_file(instance, "field", content)`: stores the file and saves the row in one step;
  if either fails the other is undone, and a storage error becomes `UploadError` with a message
  to show the user.
- `UploadSafeModelForm` (a ModelForm base; the admin uses it everywhere): writes uploads while
  validating, so a full disk becomes an error next to the file field with the rest of the input
  kept, instead of a 500 at save time.
"""

import errno
import logging
import os
import tempfile

from django import forms
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils._os import safe_makedirs
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

NO_SPACE = _("文件未能保存：服务器存储空间不足。请稍后重试，或联系系统管理员。")
STORAGE_FAILED = _("文件未能保存：服务器存储出错。请稍后重试，或联系系统管理员。")


def message_for(exc):
    """What to tell the user about a storage error."""
    if getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        return NO_SPACE
    return STORAGE_FAILED


class UploadError(Exception):
    """The file could not be stored; `str(error)` is the message for the user."""


class _CompleteFile(File):
    """A finished temporary file that FileSystemStorage may move (rename) into place."""

    def __init__(self, path):
        super().__init__(None, name=os.path.basename(path))
        self._path = path

    def temporary_file_path(self):
        return self._path


class AtomicFileSystemStorage(FileSystemStorage):
    """FileSystemStorage that never leaves a partly written file under its final name.

    Django's own storage writes straight to the final path; when the disk fills up mid-write
    the truncated file stays there. This one writes `.upload-*.part` in the same directory,
    syncs it, then renames it (atomic within one filesystem); on any error the part file goes.
    """

    def _save(self, name, content):
        directory = os.path.dirname(self.path(name))
        if self.directory_permissions_mode is not None:  # as FileSystemStorage does
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        fd, part = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
        try:
            with self._open_part(fd) as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            return super()._save(name, _CompleteFile(part))
        finally:
            if os.path.exists(part):
                os.unlink(part)

    def _open_part(self, fd):
        return os.fdopen(fd, "wb")


def _delete_quietly(storage, name):
    try:
        storage.delete(name)
    except OSError:
        log.warning("Could not remove %s after a failed save", name, exc_info=True)


def save_with_file(instance, field_name, content, name=None):
    """Store `content` as `instance.<field_name>` and save the row: both, or neither.

    Raises UploadError (with a message for the user) when the storage fails; any other error
    (a constraint, a lost database connection) is raised as it is, after the new file is removed.
    The row keeps pointing at its previous file in both cases.
    """
    field_file = getattr(instance, field_name)
    previous = field_file.name
    stored = None
    try:
        with transaction.atomic():
            try:
                field_file.save(name or content.name, content, save=False)
            except OSError as exc:
                raise UploadError(message_for(exc)) from exc
            stored = field_file.name
            instance.save()
    except BaseException:
        if stored:
            _delete_quietly(field_file.storage, stored)
        setattr(instance, field_name, previous)
        raise
    return instance


class UploadSafeModelForm(forms.ModelForm):
    """A ModelForm whose uploads are written during validation; a storage error is a field error."""

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        for name, field in self.fields.items():
            upload = self.cleaned_data.get(name)
            if not isinstance(field, forms.FileField) or name not in self.changed_data or not hasattr(upload, "chunks"):
                continue
            model_field = self.instance._meta.get_field(name)
            target = model_field.generate_filename(self.instance, upload.name)
            try:
                stored = model_field.storage.save(target, upload, max_length=model_field.max_length)
            except OSError as exc:
                log.error("Upload of %s failed", target, exc_info=True)
                self.add_error(name, message_for(exc))
                continue
            # A stored name, not an upload: saving the row will not write the file again.
            setattr(self.instance, name, stored)


# --- serving private files ------------------------------------------------------------

SCAN_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def private_file_response(field_file, content_type=None):
    """Stream an uploaded file (signature, scan) to a user the caller has already checked.

    Never cached, never sniffed, and sandboxed: a file is shown, never run as a page. The type
    comes from the name the app gave it when it checked the upload. A missing file is a 404.
    """
    from django.http import FileResponse, Http404

    if not field_file:
        raise Http404
    if content_type is None:
        content_type = SCAN_TYPES.get(os.path.splitext(field_file.name.lower())[1], "application/octet-stream")
    try:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
    except FileNotFoundError:
        raise Http404 from None
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
