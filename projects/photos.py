"""Photos from phones: checked, turned upright, downscaled and re-encoded before they are stored.

`photo_check` is the validator a form field uses (clear messages in the user's language);
`photo_save` is what services call, inside their transaction, to store one photo through Django's
storage API (a local folder by default, object storage when configured).
"""

import datetime
import io
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import Photo, Staff

# Formats a phone or a camera produces; anything else is refused even if Pillow could read it.
# MPO is how some phones label a JPEG with a depth map; HEIF/AVIF only when Pillow has a plugin for it.
ALLOWED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF", "HEIC", "AVIF"}
MAX_SIDE = 1600
JPEG_QUALITY = 85
# Decompression bombs: a phone's photo has at most ~50 Mpx (8000×6000); above 40 Mpx is refused
# before any pixel is decoded, and Pillow itself refuses to decode twice that.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# Only JPEG decodes reduced (Image.draft); PNG, WebP and HEIF decode whole, so they get a lower cap
# (a 40 Mpx PNG costs ~200 MB and seconds; 12 Mpx, a phone camera's size, a quarter of that).
REDUCED_DECODE = {"JPEG", "MPO"}
MAX_PIXELS_FULL_DECODE = 12_000_000
# Photos in one form post: each is decoded, so the request's time is bounded by this.
MAX_PHOTOS = 10

EXIF_IFD = 0x8769
EXIF_DATETIME_ORIGINAL = 0x9003
EXIF_DATETIME = 0x0132


def photo_check(file):
    """Raise ValidationError unless `file` is an image of an accepted format within the size limit."""
    size = getattr(file, "size", None)
    if size is not None and size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); the limit is %(limit)s."),
            code="too_large",
            params={
                "name": getattr(file, "name", ""),
                "size": filesizeformat(size),
                "limit": filesizeformat(settings.UPLOAD_MAX_BYTES),
            },
        )

    def too_many_pixels(limit):
        return ValidationError(
            _("%(name)s has too many pixels; a photo may have at most %(limit)s megapixels."),
            code="too_many_pixels",
            params={"name": getattr(file, "name", ""), "limit": limit // 1_000_000},
        )

    try:
        file.seek(0)
        with Image.open(file) as image:  # reads the header only
            image_format = image.format
            width, height = image.size
            limit = MAX_PIXELS if image_format in REDUCED_DECODE else MAX_PIXELS_FULL_DECODE
            if width * height > limit:
                raise too_many_pixels(limit)
            image.verify()
    except Image.DecompressionBombError:  # Pillow's own guard, at twice our limit
        raise too_many_pixels(MAX_PIXELS) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("%(name)s is not a photo (JPEG, PNG or WebP)."),
            code="not_an_image",
            params={"name": getattr(file, "name", "")},
        ) from None
    finally:
        file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            _("%(name)s is not a photo (JPEG, PNG or WebP)."),
            code="not_an_image",
            params={"name": getattr(file, "name", "")},
        )


def taken_at(image):
    """The time the photo was taken (EXIF DateTimeOriginal, else DateTime), aware in the zone's time."""
    try:
        exif = image.getexif()
    except Exception:  # a broken EXIF block must not lose the photo
        return None
    raw = exif.get_ifd(EXIF_IFD).get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    if not raw:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    try:
        naive = datetime.datetime.strptime(str(raw).strip("\x00 ").strip(), "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007
    except ValueError:
        return None
    # Phones write local wall-clock time without an offset; the zone's time is Asia/Shanghai.
    return timezone.make_aware(naive, timezone.get_default_timezone())


def photo_process(file):
    """(JPEG bytes, taken_at): upright, at most MAX_SIDE px on the long side, without metadata."""
    file.seek(0)
    with Image.open(file) as image:
        when = taken_at(image)
        # A JPEG decodes at 1/2, 1/4 or 1/8 of its size straight away: a 40 Mpx photo never
        # exists in memory at full size (other formats decode whole, hence the pixel cap).
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        if image.mode not in ("RGB", "L", "RGBA", "LA"):
            image = image.convert("RGBA")
        # Shrink first (reduce, then resample), turn upright and flatten the small image only.
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA"):
            # Transparent PNGs get a white background rather than black.
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        buffer = io.BytesIO()
        # Saving without `exif=` drops every metadata block (GPS, device, thumbnails).
        image.convert("RGB").save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue(), when


def photo_save(*, file, by, visit=None, progress_note=None):
    """Check, process and store one uploaded photo for a visit or a progress note.

    `by` is the uploading user or their staff profile. Call inside the caller's transaction; the
    file is written to storage at once, so a caller whose transaction fails removes it
    (see `photo_files_cleanup`).
    """
    photo_check(file)
    content, when = photo_process(file)
    user = by.user if isinstance(by, Staff) else by
    photo = Photo(visit=visit, progress_note=progress_note, taken_at=when, uploaded_by=user)
    photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(content), save=False)
    try:
        photo.full_clean()
        photo.save()
    except Exception:
        photo.image.delete(save=False)
        raise
    return photo


def photo_files_cleanup(photos):
    """Remove stored files of photos whose database rows were rolled back."""
    for photo in photos:
        if photo.image.name:
            photo.image.storage.delete(photo.image.name)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """One or several photos; each is checked with `photo_check`."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/*")

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_PHOTOS:
            raise ValidationError(
                _("At most %(limit)s photos at a time; %(count)s were chosen."),
                code="too_many_photos",
                params={"limit": MAX_PHOTOS, "count": len(files)},
            )
        errors = []
        cleaned = []
        for file in files:
            try:
                cleaned.append(super().clean(file, initial))
                photo_check(file)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned
