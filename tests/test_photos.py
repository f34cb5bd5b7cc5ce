"""Photos from phones: size and real type checked, upright, downscaled, re-encoded, their time kept."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from projects.models import Photo, Visit
from projects.photos import MAX_SIDE, PhotoField, photo_check, photo_save

pytestmark = pytest.mark.django_db


def jpeg(width=3200, height=2400, *, taken="2026:05:20 09:30:15", orientation=None, name="phone.jpg"):
    """A phone-like JPEG with EXIF DateTimeOriginal (and optionally an orientation tag)."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    # A marker pixel block top-left, to see where it ends up after the orientation is applied.
    for x in range(40):
        for y in range(40):
            image.putpixel((x, y), (0, 0, 255))
    exif = Image.Exif()
    if taken:
        exif.get_ifd(0x8769)[0x9003] = taken
    if orientation:
        exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"  # Make: must not survive the re-encoding
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def image_file(fmt, name, size=(800, 600), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def visit(zone):
    return Visit.objects.create(
        project=zone.project_a,
        date=datetime.date(2026, 5, 20),
        summary="现场走访",
        recorded_by=zone.grid.staff,
    )


def test_photo_is_downscaled_reencoded_and_keeps_its_time(zone, visit):
    photo = photo_save(file=jpeg(), by=zone.grid, visit=visit)
    photo.refresh_from_db()
    assert photo.visit == visit
    assert photo.uploaded_by == zone.grid
    assert photo.image.name.startswith("photos/") and photo.image.name.endswith(".jpg")
    expected = timezone.make_aware(datetime.datetime(2026, 5, 20, 9, 30, 15), timezone.get_default_timezone())
    assert photo.taken_at == expected
    assert str(photo.taken_at.astimezone(timezone.get_default_timezone()).utcoffset()) == "8:00:00"
    with photo.image.open("rb") as handle, Image.open(handle) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == MAX_SIDE
        assert stored.size == (1600, 1200)
        # Metadata is stripped: no camera make, no original time, no GPS.
        assert 0x010F not in stored.getexif()


def test_exif_orientation_is_applied(zone, visit):
    # Orientation 6: the camera was turned; the stored photo is upright (portrait).
    photo = photo_save(file=jpeg(2000, 1000, orientation=6), by=zone.grid.staff, visit=visit)
    with photo.image.open("rb") as handle, Image.open(handle) as stored:
        assert stored.size == (800, 1600)
        # The blue marker was top-left in the sensor's frame; after a 90° turn it is top-right.
        red, green, blue = stored.getpixel((stored.size[0] - 5, 5))
        assert blue > 150 and red < 100


def test_png_and_webp_are_accepted_and_small_ones_are_not_enlarged(zone, visit):
    png = photo_save(file=image_file("PNG", "screen.png", mode="RGBA"), by=zone.grid, visit=visit)
    webp = photo_save(file=image_file("WEBP", "shot.webp"), by=zone.grid, visit=visit)
    for photo in (png, webp):
        assert photo.taken_at is None
        with photo.image.open("rb") as handle, Image.open(handle) as stored:
            assert stored.format == "JPEG"
            assert stored.size == (800, 600)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("notes.jpg", b"this is not a photo at all", content_type="image/jpeg"),
        SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>", content_type="image/jpeg"),
        image_file("GIF", "anim.gif"),
        image_file("BMP", "scan.bmp"),
    ],
    ids=["text", "html", "gif", "bmp"],
)
def test_non_photos_are_refused_and_nothing_is_stored(zone, visit, upload, settings):
    with pytest.raises(ValidationError) as error:
        photo_save(file=upload, by=zone.grid, visit=visit)
    assert error.value.code == "not_an_image"
    assert Photo.objects.count() == 0


def test_too_large_file_is_refused_with_a_clear_message(zone, visit, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        photo_check(jpeg(400, 300))
    assert error.value.code == "too_large"
    assert (
        "1000" in str(error.value.messages)
        or "KB" in str(error.value.messages)
        or "字节" in str(error.value.messages)
    )


def test_photo_field_reports_each_bad_file_in_the_users_language(settings):
    from django.utils import translation

    field = PhotoField()
    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        field.clean([jpeg(100, 100), SimpleUploadedFile("a.txt", b"hello")])
    assert len(error.value.messages) == 1
    assert "a.txt" in error.value.messages[0]
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            field.clean([SimpleUploadedFile("a.txt", b"hello")])
        assert "not a photo" in error.value.messages[0]
    with translation.override("zh-hans"):
        assert "不是照片" in error.value.messages[0]
    assert field.clean([]) == []
