"""Progress notes, start/completion/production dates: services, forms, permissions."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from projects.models import ProgressNote, Project, Stage
from projects.querysets import today
from projects.services.progress import (
    StaleVersion,
    progress_note_add,
    project_complete,
    project_production,
    project_start,
)

pytestmark = pytest.mark.django_db


def test_progress_note_add_moves_stage_and_sets_start_date(zone):
    project = zone.project_b
    day = today() - datetime.timedelta(days=3)
    note = progress_note_add(
        project=project, by=zone.grid_b.staff, date=day, text="打桩开始", stage=Stage.CONSTRUCTION
    )
    project.refresh_from_db()
    assert project.stage == Stage.CONSTRUCTION
    assert project.actual_start == day
    assert (note.stage_from, note.stage_to) == (Stage.PREPARATION, Stage.CONSTRUCTION)
    assert project.version == 2


def test_progress_note_add_without_stage_leaves_project_alone(zone):
    note = progress_note_add(project=zone.project_a, by=zone.grid, date=today(), text="主体封顶")
    zone.project_a.refresh_from_db()
    assert zone.project_a.version == 1
    assert note.stage_to == ""
    assert note.author == zone.grid.staff


def test_progress_note_add_refuses_going_back_and_future_dates(zone):
    with pytest.raises(ValidationError) as error:
        progress_note_add(
            project=zone.project_a, by=zone.grid, date=today(), text="x", stage=Stage.PREPARATION
        )
    assert "stage" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        progress_note_add(
            project=zone.project_a, by=zone.grid, date=today() + datetime.timedelta(days=1), text="x"
        )
    assert "date" in error.value.message_dict
    assert not ProgressNote.objects.exists()


def test_start_complete_production_in_order(zone):
    project = zone.project_b
    start = today() - datetime.timedelta(days=30)
    project_start(project=project, by=zone.grid_b, date=start, expected_version=1)
    assert project.stage == Stage.CONSTRUCTION and project.version == 2
    with pytest.raises(ValidationError) as error:
        project_complete(
            project=project, by=zone.grid_b, date=start - datetime.timedelta(days=1), expected_version=2
        )
    assert "date" in error.value.message_dict
    with pytest.raises(ValidationError):
        project_production(project=project, by=zone.grid_b, date=today(), expected_version=2)
    # Ten days after the start is implausible: refused unless confirmed a second time.
    with pytest.raises(ValidationError) as error:
        project_complete(
            project=project, by=zone.grid_b, date=start + datetime.timedelta(days=10), expected_version=2
        )
    assert "3" in " ".join(error.value.message_dict["date"])
    project_complete(
        project=project,
        by=zone.grid_b,
        date=start + datetime.timedelta(days=10),
        expected_version=2,
        doubts_confirmed=True,
    )
    project_production(project=project, by=zone.grid_b, date=today(), expected_version=3)
    project.refresh_from_db()
    assert project.stage == Stage.PRODUCTION
    assert project.production_date == today()
    assert list(project.progress_notes.values_list("stage_to", flat=True)) == [
        Stage.PRODUCTION,
        Stage.COMPLETED,
        Stage.CONSTRUCTION,
    ]


def test_stale_version_is_refused(zone):
    with pytest.raises(StaleVersion):
        project_start(project=zone.project_b, by=zone.grid_b, date=today(), expected_version=7)
    assert Project.objects.get(pk=zone.project_b.pk).actual_start is None


# --- the forms ---------------------------------------------------------------------------------


def png(name="site.png", size=(40, 30)):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def start_url(project, action="start"):
    from django.urls import reverse

    return reverse(f"project_{action}", args=[project.pk])


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("grid_b", 200),
        ("coordinator", 200),
        ("admin", 200),
        ("superuser", 200),
        ("dept", 403),  # project B is led by the approval department: visible, read only
        ("leader", 403),
        ("supervisor", 403),
        ("grid", 404),
        ("nobody", 404),
    ],
)
def test_form_permissions(zone, login, persona, status):
    from django.urls import reverse

    client = login(getattr(zone, persona))
    assert client.get(start_url(zone.project_b)).status_code == status
    assert client.get(reverse("progress_new", args=[zone.project_b.pk])).status_code == status
    response = client.post(
        start_url(zone.project_b),
        {"start-date": today().isoformat(), "start-version": "1", "start-confirm": f"construction:{today()}"},
    )
    assert response.status_code == (302 if status == 200 else status)


def test_start_from_the_project_page(zone, login):
    from django.urls import reverse

    client = login(zone.grid_b)
    page = client.get(reverse("project_detail", args=[zone.project_b.pk]))
    assert f'action="{start_url(zone.project_b)}"' in page.content.decode()
    day = today() - datetime.timedelta(days=2)
    response = client.post(
        start_url(zone.project_b),
        {"start-date": day.isoformat(), "start-version": "1", "start-confirm": f"construction:{day}"},
    )
    assert response.status_code == 302
    project = Project.objects.get(pk=zone.project_b.pk)
    assert (project.stage, project.actual_start, project.version) == (Stage.CONSTRUCTION, day, 2)
    note = project.progress_notes.get()
    assert note.stage_to == Stage.CONSTRUCTION and day.isoformat() in note.text
    # The page now offers the completion instead, and the log marks the stage change.
    page = client.get(reverse("project_detail", args=[zone.project_b.pk]))
    html = page.content.decode()
    assert f'action="{start_url(zone.project_b, "complete")}"' in html
    assert "stage-change" in html


@pytest.mark.parametrize(
    ("action", "date", "message"),
    [
        ("start", "2999-01-01", "The date cannot be in the future."),
        ("start", "yesterday", "Enter a valid date."),
        ("complete", "2026-01-01", "The completion cannot be before the start (%(date)s)."),
        ("production", "2026-06-01", "Record the completion first."),
    ],
)
def test_invalid_dates_save_nothing_and_answer_in_chinese(zone, login, action, date, message):
    from django.utils import translation

    client = login(zone.grid)
    response = client.post(
        start_url(zone.project_a, action), {f"{action}-date": date, f"{action}-version": "1"}
    )
    assert response.status_code == 400
    with translation.override("zh-hans"):
        expected = translation.gettext(message).split("（")[0].split("(")[0]
    assert expected != message.split("(")[0]  # it is translated
    assert expected in response.content.decode()
    project = Project.objects.get(pk=zone.project_a.pk)
    assert project.version == 1 and not project.progress_notes.exists()


def test_stale_version_on_the_start_form(zone, login):
    client = login(zone.grid_b)
    Project.objects.filter(pk=zone.project_b.pk).update(version=4)
    response = client.post(
        start_url(zone.project_b),
        {"start-date": today().isoformat(), "start-version": "1", "start-confirm": f"construction:{today()}"},
    )
    assert response.status_code == 400
    assert "刷新" in response.content.decode() or "reload" in response.content.decode().lower()
    assert Project.objects.get(pk=zone.project_b.pk).actual_start is None


def test_progress_note_with_photos_and_stage_change(zone, login):
    from django.urls import reverse

    from projects.models import Photo

    client = login(zone.grid_b)
    url = reverse("progress_new", args=[zone.project_b.pk])
    day = today() - datetime.timedelta(days=1)
    # Moving to construction without its date asks for it; nothing saved.
    response = client.post(
        url, {"date": day.isoformat(), "text": "桩基施工", "stage": Stage.CONSTRUCTION, "version": "1"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["stage_date"]
    assert not ProgressNote.objects.exists()
    response = client.post(
        url,
        {
            "date": day.isoformat(),
            "text": "桩基施工",
            "stage": Stage.CONSTRUCTION,
            "stage_date": day.isoformat(),
            "version": "1",
            "photos": [png("a.png"), png("b.png")],
        },
    )
    # The stage page's confirmation first: everything typed is kept, the photos must be chosen again.
    html = response.content.decode()
    assert response.status_code == 200 and 'id="stage-confirmation"' in html
    assert "桩基施工" in html and f'value="{day.isoformat()}"' in html
    assert "前期 → <strong>在建</strong>" in html and "重新选择" in html
    assert not ProgressNote.objects.exists()
    assert Project.objects.get(pk=zone.project_b.pk).actual_start is None
    response = client.post(
        url,
        {
            "date": day.isoformat(),
            "text": "桩基施工",
            "stage": Stage.CONSTRUCTION,
            "stage_date": day.isoformat(),
            "version": "1",
            "confirm": f"construction:{day}",
            "photos": [png("a.png"), png("b.png")],
        },
    )
    assert response.status_code == 302
    note = ProgressNote.objects.get()
    assert note.photos.count() == 2
    assert Photo.objects.filter(progress_note=note, uploaded_by=zone.grid_b).count() == 2
    project = Project.objects.get(pk=zone.project_b.pk)
    assert (project.stage, project.actual_start) == (Stage.CONSTRUCTION, day)
    html = client.get(reverse("project_detail", args=[project.pk])).content.decode()
    assert "桩基施工" in html and "stage-change" in html
    # The log shows the stage change in words and both photos, oldest first, each linking to itself.
    assert '<span class="badge text-bg-info">前期 → 在建</span>' in html
    alt = f"{day.isoformat()} 进度照片"
    thumbs = [
        f'<a href="{photo.image.url}"><img src="{photo.image.url}" alt="{alt}" class="thumb"></a>'
        for photo in note.photos.order_by("taken_at", "pk")
    ]
    assert "".join(thumbs) in html


def test_a_progress_note_shows_its_line_breaks_and_escapes_its_text(zone, login):
    from django.urls import reverse

    day = today() - datetime.timedelta(days=3)
    ProgressNote.objects.create(
        project=zone.project_b, date=day, text='第一行\n<script>alert("x")</script>', author=zone.grid_b.staff
    )
    html = login(zone.grid_b).get(reverse("project_detail", args=[zone.project_b.pk])).content.decode()
    assert f'<div class="small text-muted">{day.isoformat()} · 李网格</div>' in html
    assert "<div>第一行<br>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</div>" in html
    assert "stage-change" not in html


def test_progress_note_refuses_bad_input(zone, login):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = login(zone.grid)
    url = reverse("progress_new", args=[zone.project_a.pk])
    bad_photo = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    for data in [
        {"date": today().isoformat(), "text": "", "version": "1"},
        {"date": "2999-01-01", "text": "x", "version": "1"},
        {"date": today().isoformat(), "text": "x", "version": "1", "photos": [bad_photo]},
        {
            "date": today().isoformat(),
            "text": "x",
            "version": "9",
            "stage": Stage.COMPLETED,
            "stage_date": "2026-01-01",
        },
    ]:
        response = client.post(url, data)
        assert response.status_code == 400, data
    assert not ProgressNote.objects.exists()
    assert Project.objects.get(pk=zone.project_a.pk).version == 1
