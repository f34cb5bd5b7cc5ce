"""An uploaded .xlsx is a zip archive: look inside before openpyxl opens it.

A zip bomb (half a megabyte that unpacks to gigabytes) and a sheet with millions of rows are
refused from the archive's directory and the sheet's declared dimension, in milliseconds, before a
single cell is parsed. Python's zipfile never unpacks more than a member declares (it stops there
and fails the CRC), so checking the declared sizes bounds what openpyxl can read.
"""

import zipfile

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_MEMBER_BYTES = 100 * 1024 * 1024  # one sheet of 100,000 ledger rows unpacks to ~50 MB
MAX_SHARED_STRINGS_BYTES = 50 * 1024 * 1024  # openpyxl keeps all shared strings in memory
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_MEMBERS = 1000


class UnsafeWorkbook(ValueError):
    """The file is not a workbook we will open; the message says why, in the user's language."""


def check_archive(file):
    """Raise UnsafeWorkbook if `file` (a seekable binary file) unpacks to too much. Leaves it at 0."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        raise UnsafeWorkbook(_("This is not a readable Excel .xlsx file.")) from None
    finally:
        file.seek(0)
    if len(members) > MAX_MEMBERS:
        raise UnsafeWorkbook(_("This is not a readable Excel .xlsx file."))
    total = 0
    for member in members:
        shared = member.filename.endswith("sharedStrings.xml")
        limit = MAX_SHARED_STRINGS_BYTES if shared else MAX_MEMBER_BYTES
        if member.file_size > limit:
            raise UnsafeWorkbook(
                _("The workbook is too large to read: %(part)s unpacks to %(size)s (at most %(limit)s).")
                % {
                    "part": member.filename,
                    "size": filesizeformat(member.file_size),
                    "limit": filesizeformat(limit),
                }
            )
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise UnsafeWorkbook(
            _("The workbook is too large to read: it unpacks to %(size)s (at most %(limit)s).")
            % {"size": filesizeformat(total), "limit": filesizeformat(MAX_TOTAL_BYTES)}
        )


def too_many_rows(sheet, header_row, limit):
    """The message refusing `sheet` (openpyxl, read-only) if it declares more than `limit` data rows.

    Read-only openpyxl takes the row count from the sheet's <dimension> (its first bytes), so a
    200,000-row sheet is refused before its first row is parsed; a sheet without one is counted
    while it is read (ledger.reading stops at the limit).
    """
    rows = (sheet.max_row or 0) - header_row
    if rows <= limit:
        return None
    return _("The sheet has %(rows)s rows; at most %(limit)s can be imported at once. Split the file.") % {
        "rows": f"{rows:,}",
        "limit": f"{limit:,}",
    }
