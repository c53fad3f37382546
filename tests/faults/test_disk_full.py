"""A full disk while saving an upload: a clear message, the input kept, no row pointing to a missing file.

`DiskFullStorage` is the app's storage with a disk that fills up after a few kilobytes; the
last test does it for real on a 64 KiB tmpfs when the tests run as root.
"""

import errno
import os
import subprocess
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import TestCase

from feedback.models import Feedback
from proposals.files import NO_SPACE, AtomicFileSystemStorage, UploadError, save_with_file
from proposals.models import HandlingUnit
from replies.models import ReplyStatus
from tests import factories as f

SCAN = b"%PDF-1.4\n" + b"0" * 200_000  # a 200 KB "sealed scan"


def _seal_png():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (400, 400), (230, 0, 18)).save(out, "PNG", compress_level=0)  # ~480 KB: past the 4 KB "disk"
    return out.getvalue()


SEAL = _seal_png()


class _FillingFile:
    """A file on a disk with `room` bytes left: writes up to that, then fails as Linux does."""

    def __init__(self, real, room):
        self.real, self.room = real, room

    def write(self, data):
        if len(data) > self.room:
            self.real.write(data[: self.room])
            self.room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return self.real.write(data)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.real.close()


class DiskFullStorage(AtomicFileSystemStorage):
    room = 4096

    @classmethod
    def with_room(cls, room):
        storage = cls()
        storage.room = room
        return storage

    def _open_part(self, fd):
        return _FillingFile(os.fdopen(fd, "wb"), self.room)


def files_under(root):
    root = Path(root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


class AdminUploadTests(TestCase):
    """The one upload left in the admin: a unit's seal image (reference data)."""

    @classmethod
    def setUpTestData(cls):
        cls.unit = f.unit("X市经济和信息化局", "X局")
        cls.supervisor = f.supervisor()

    def setUp(self):
        self.client.force_login(self.supervisor)
        self.url = f"/admin/proposals/handlingunit/{self.unit.pk}/change/"

    def post_seal(self, **changes):
        seal = SimpleUploadedFile("印章.png", SEAL, content_type="image/png")
        data = {
            "name": self.unit.name,
            "short_name": self.unit.short_name,
            "doc_prefix": "",
            "letterhead": "",
            "contact_person": "",
            "contact_phone": "",
            "email": "",
            "seal": seal,
            "roles-TOTAL_FORMS": 0,
            "roles-INITIAL_FORMS": 0,
        }
        data.update(changes)
        return self.client.post(self.url, data)

    def test_a_full_disk_shows_a_clear_message_next_to_the_file_and_keeps_the_input(self):
        field = HandlingUnit._meta.get_field("seal")
        with mock.patch.object(field, "storage", DiskFullStorage()):
            response = self.post_seal(contact_person="刘文明")
        self.assertEqual(response.status_code, 200)  # the form again, not a 500 and not a redirect
        self.assertContains(response, str(NO_SPACE))
        self.assertContains(response, "刘文明")
        self.unit.refresh_from_db()
        self.assertEqual((self.unit.seal.name, self.unit.contact_person), ("", ""))
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])  # no truncated image, no .part file

    def test_with_room_on_the_disk_the_seal_is_saved_whole(self):
        response = self.post_seal()
        self.assertEqual(response.status_code, 302)
        self.unit.refresh_from_db()
        with self.unit.seal.open("rb") as stored:
            self.assertEqual(stored.read(), SEAL)
        self.assertTrue(self.unit.seal.name.startswith("seals/"))


class SaveWithFileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        proposal = f.proposal()
        cls.reply = f.reply(f.assignment(proposal, f.unit()))
        cls.member = proposal.lead

    def new_feedback(self):
        return Feedback(reply=self.reply, member=self.member, by_phone=True)

    def test_a_full_disk_raises_a_message_for_the_user_and_saves_no_row(self):
        field = Feedback._meta.get_field("signature")
        with mock.patch.object(field, "storage", DiskFullStorage()):
            with self.assertRaises(UploadError) as caught:
                save_with_file(
                    self.new_feedback(), "signature", ContentFile(b"\x89PNG" + b"1" * 10_000, name="sig.png")
                )
        self.assertEqual(str(caught.exception), str(NO_SPACE))
        self.assertFalse(Feedback.objects.exists())
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])

    def test_a_database_error_after_the_file_is_stored_removes_the_file(self):
        f.feedback(self.reply, self.member)  # the member already answered: the second row is refused
        with self.assertRaises(IntegrityError):
            save_with_file(self.new_feedback(), "signature", ContentFile(b"\x89PNG" + b"1" * 100, name="sig.png"))
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])
        self.assertEqual(Feedback.objects.count(), 1)

    def test_it_stores_the_file_and_the_row_together(self):
        saved = save_with_file(self.new_feedback(), "signature", ContentFile(b"\x89PNG-ok", name="sig.png"))
        saved.refresh_from_db()
        with saved.signature.open("rb") as stored:
            self.assertEqual(stored.read(), b"\x89PNG-ok")


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 64 KiB filesystem (tmpfs), mounted for the test; needs root."""
    mountpoint = tmp_path / "tiny"
    mountpoint.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a 64 KiB tmpfs needs root; the simulated disk-full tests above still ran")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mountpoint)], capture_output=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)


@pytest.mark.django_db
def test_a_really_full_disk_leaves_no_truncated_file_where_djangos_own_storage_would(tiny_disk, settings):
    settings.MEDIA_ROOT = tiny_disk
    content = ContentFile(SCAN, name="scan.pdf")

    # Django's plain storage leaves a truncated file under the final name: the reason for ours.
    with pytest.raises(OSError) as plain:
        FileSystemStorage(location=tiny_disk).save("plain/scan.pdf", content)
    assert plain.value.errno == errno.ENOSPC
    truncated = files_under(tiny_disk)
    assert truncated == ["plain/scan.pdf"]
    (tiny_disk / truncated[0]).unlink()

    reply = f.reply(f.assignment(f.proposal(), f.unit()), status=ReplyStatus.DRAFT)
    with pytest.raises(UploadError):
        save_with_file(reply, "sealed_scan", ContentFile(SCAN, name="scan.pdf"))
    reply.refresh_from_db()
    assert reply.sealed_scan.name == ""
    assert files_under(tiny_disk) == []


class FeedbackDiskFullTests(TestCase):
    """The member's signature and the office's paper scan, with no room left on the disk."""

    @classmethod
    def setUpTestData(cls):
        cls.user, member = f.member_user("程玮")
        proposal = f.proposal(lead=member)
        cls.reply = f.reply(f.assignment(proposal, f.unit()))
        cls.office = f.office()

    def test_a_signature_that_cannot_be_stored_gives_a_message_beside_it_and_keeps_the_answers(self):
        from tests.feedback.conftest import form_data

        self.client.force_login(self.user)
        field = Feedback._meta.get_field("signature")
        data = form_data(opinion="希望尽快落实。")
        with mock.patch.object(field, "storage", DiskFullStorage.with_room(64)):  # a signature is ~2 KB
            response = self.client.post(f"/me/replies/{self.reply.pk}/feedback/", data)
        self.assertEqual(response.status_code, 200)  # the form again, not a 500
        self.assertContains(response, str(NO_SPACE))
        self.assertContains(response, "尚未保存任何内容")
        self.assertContains(response, "希望尽快落实。")  # what the member wrote is still there
        self.assertContains(response, data["signature_data"][:60])  # and the signature drawn
        self.assertFalse(Feedback.objects.exists())
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])

        response = self.client.post(f"/me/replies/{self.reply.pk}/feedback/", data)  # room again
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Feedback.objects.get().signature.storage.exists(Feedback.objects.get().signature.name))

    def test_a_failure_after_the_signature_is_written_removes_it_again(self):
        from tests.feedback.conftest import form_data

        self.client.force_login(self.user)
        with mock.patch("feedback.services._after_submission", side_effect=RuntimeError("database went away")):
            with self.assertRaises(RuntimeError):
                self.client.post(f"/me/replies/{self.reply.pk}/feedback/", form_data())
        self.assertFalse(Feedback.objects.exists())
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])

    def test_a_paper_scan_that_cannot_be_stored_gives_a_message_beside_it(self):
        self.client.force_login(self.office)
        field = Feedback._meta.get_field("paper_scan")
        data = {
            "member": self.reply.assignment.proposal.lead_id,
            "signed_on": "2026-11-20",
            "methods": ["visit"],
            "handling_effect": "solved",
            "satisfaction": "satisfied",
            "publish_consent": "yes",
            "opinion": "纸质表上的意见",
            "paper_scan": SimpleUploadedFile("scan.pdf", SCAN, content_type="application/pdf"),
        }
        with mock.patch.object(field, "storage", DiskFullStorage()):
            response = self.client.post(f"/office/replies/{self.reply.pk}/paper/", data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, str(NO_SPACE))
        self.assertContains(response, "纸质表上的意见")
        self.assertFalse(Feedback.objects.exists())
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])


class PrintingDiskFullTests(TestCase):
    """A rendered PDF that cannot be stored: a 503 page saying so, no row, no partial file."""

    @classmethod
    def setUpTestData(cls):
        proposal = f.proposal()
        cls.reply = f.reply(f.assignment(proposal, f.unit()))
        cls.supervisor = f.supervisor()

    def setUp(self):
        self.client.force_login(self.supervisor)

    def test_the_reply_pdf_says_the_disk_is_full_and_stores_nothing(self):
        from printing.models import RenderedDocument

        with mock.patch("printing.models.default_storage", DiskFullStorage(location=django_settings.MEDIA_ROOT)):
            response = self.client.get(f"/replies/{self.reply.pk}/pdf/")
        self.assertContains(response, str(NO_SPACE), status_code=503)
        self.assertContains(response, "本次没有保存任何文件", status_code=503)
        self.assertFalse(RenderedDocument.objects.exists())
        self.assertEqual(files_under(django_settings.MEDIA_ROOT), [])

        response = self.client.get(f"/replies/{self.reply.pk}/pdf/")  # room again: rendered and kept
        self.assertEqual(response.status_code, 200)
        self.assertEqual(RenderedDocument.objects.count(), 1)

    def test_a_batch_whose_merged_file_cannot_be_stored_fails_with_the_message(self):
        from printing.models import BatchJob

        field = BatchJob._meta.get_field("file")
        with self.settings(BANLI_PRINT_JOBS="inline"), mock.patch.object(field, "storage", DiskFullStorage()):
            response = self.client.post("/printing/batch/", {"session": self.reply.assignment.proposal.session_id})
        job = BatchJob.objects.get()
        self.assertRedirects(response, f"/printing/batch/{job.pk}/")
        self.assertEqual(job.status, "failed")
        self.assertEqual(job.error, str(NO_SPACE))
        self.assertEqual(job.file.name, "")
        self.assertEqual(self.client.get(f"/printing/batch/{job.pk}/pdf/").status_code, 404)
        self.assertNotIn("printing/batches", " ".join(files_under(django_settings.MEDIA_ROOT)))
