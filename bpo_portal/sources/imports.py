"""The admin's CSV import, kept to the files each curator uploaded.

django-import-export saves an uploaded file for its preview and names it in the confirm form;
the confirm step reads, imports and deletes the file the form names. Here the previews live in
a folder of their own under random names, the confirm step accepts only a name this session was
given (by a preview without errors), and a preview that is refused, or left unconfirmed for a
day, is deleted. A file the import cannot read is refused with the line where it went wrong.
"""

import csv
import io
import logging
import re
import tempfile
import time
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousFileOperation
from django.shortcuts import redirect
from import_export.tmp_storages import TempFolderStorage

logger = logging.getLogger(__name__)

NAME = re.compile(r"[0-9a-f]{32}")
SESSION_KEY = "bpo_import_previews"
KEEP_SECONDS = 24 * 60 * 60
REMEMBERED = 20  # previews a session may have open at once


def preview_folder():
    folder = Path(
        getattr(settings, "IMPORT_PREVIEW_DIR", None)
        or Path(tempfile.gettempdir()) / "bpo-import-previews"
    )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


class PreviewStorage(TempFolderStorage):
    """An uploaded file kept between preview and confirmation, under a random name in the
    previews' own folder; any other name is refused."""

    def get_full_path(self):
        if not NAME.fullmatch(self.name or ""):
            raise SuspiciousFileOperation("Not the name of an import preview.")
        return str(preview_folder() / self.name)

    def save(self, data):
        self.name = self.name or uuid4().hex
        with open(self.get_full_path(), "wb") as file:
            file.write(data if isinstance(data, bytes) else data.encode(self.encoding or "utf-8"))

    def read(self):
        with open(self.get_full_path(), self.read_mode, encoding=self.encoding) as file:
            return file.read()

    def remove(self):
        Path(self.get_full_path()).unlink(missing_ok=True)


def remove_old_previews():
    cutoff = time.time() - KEEP_SECONDS
    for path in preview_folder().iterdir():
        if NAME.fullmatch(path.name) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def uploaded_bytes(upload):
    upload.seek(0)
    return upload.read()


def line_not_utf8(data):
    """(line, byte) where `data` first stops being UTF-8, or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return data.count(b"\n", 0, error.start) + 1, data[error.start]
    return None


def line_of_oversized_field(data):
    """The line of a CSV file where a field outgrows the csv module's limit, or None."""
    reader = csv.reader(io.StringIO(data.decode("utf-8", "replace"), newline=""))
    try:
        for _ in reader:
            pass
    except csv.Error:
        return reader.line_num
    return None


class OwnPreviewsOnly:
    """Mixin for an ImportMixin admin (see the module's docstring)."""

    tmp_storage_class = PreviewStorage

    def create_confirm_form(self, request, import_form=None):
        form = super().create_confirm_form(request, import_form)
        if import_form is not None:  # a preview without errors: its file may be confirmed
            name = import_form.cleaned_data["import_file"].tmp_storage_name
            issued = request.session.get(SESSION_KEY, [])
            request.session[SESSION_KEY] = [*issued[-(REMEMBERED - 1) :], name]
        return form

    def import_action(self, request, **kwargs):
        remove_old_previews()
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        name = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if name and "confirm_form" not in context:  # refused: nothing will confirm it
            PreviewStorage(name=name).remove()
        return response

    def process_import(self, request, **kwargs):
        name = request.POST.get("import_file_name", "")
        issued = request.session.get(SESSION_KEY, [])
        if (
            request.method != "POST"
            or name not in issued
            or not NAME.fullmatch(name)
            or not (preview_folder() / name).is_file()
        ):
            if request.method == "POST":
                logger.warning("Import confirmation refused: not a preview of this session")
            messages.error(
                request,
                "That import is not one you previewed in this session, or it has already been "
                "applied or has expired. Please upload the file again.",
            )
            return redirect(request.path.replace("process_import/", "import/"))
        request.session[SESSION_KEY] = [n for n in issued if n != name]
        return super().process_import(request, **kwargs)

    def add_data_read_fail_error_to_form(self, form, error):
        data = uploaded_bytes(form.cleaned_data["import_file"])
        if isinstance(error, UnicodeDecodeError) and (found := line_not_utf8(data)):
            form.add_error(
                "import_file",
                f"Line {found[0]} is not UTF-8 text (it holds the byte 0x{found[1]:02x}). Save "
                "the file as CSV UTF-8 and upload it again; nothing was imported.",
            )
        elif isinstance(error, csv.Error) and "field limit" in str(error):
            line = line_of_oversized_field(data)
            form.add_error(
                "import_file",
                f"{f'Line {line}' if line else 'A line'} has a field longer than "
                f"{csv.field_size_limit():,} characters, more than any field holds. Correct it "
                "and upload the file again; nothing was imported.",
            )
        else:
            super().add_data_read_fail_error_to_form(form, error)
