"""A ledger checked and imported in the background: progress by rows, failures, and the same questions
(unknown names, unrecognised columns) as the upload page asks of a small file."""

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError
from django.db.models import QuerySet

from projects import background, jobs
from projects.models import ColumnAlias, Job, MonthLock, MonthlyReport, NameAlias, Project, RoleCode
from tests import ledger_book
from tests.ledger_book import typo_file
from tests.zone import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(zone):
    """The people typo_file() misspells (陈建图, 王蕾)."""
    return {
        "陈建国": make_user("chen", RoleCode.LEADER, name="陈建国").staff,
        "王磊": make_user("wanglei", RoleCode.GRID_WORKER, name="王磊", parks=[zone.park_a]).staff,
    }


@pytest.fixture
def large(monkeypatch):
    """Every ledger counts as large: it is checked in the background."""
    monkeypatch.setattr(background, "IMPORT_BACKGROUND_BYTES", 100)


def check(client, book, capture):
    """Upload `book` (checked in the background); returns the check's Job."""
    with capture(execute=True):
        response = client.post("/ledger/import/", {"file": book})
    job = Job.objects.filter(kind=Job.Kind.LEDGER_PREVIEW).first()
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def ledger(zone, count, **cells):
    rows = [ledger_book.listing(f"PR-{n:03d}", year=zone.year, cells=cells) for n in range(count)]
    reports = [ledger_book.report(f"PR-{n:03d}", year=zone.year, month=1) for n in range(count)]
    return ledger_book.build(rows, reports)


# ---- progress ---------------------------------------------------------------------------------------


def test_a_ledger_check_reports_each_row_read_against_the_rows_in_the_file(zone, large):
    seen = []
    job = Job.objects.create(
        kind=Job.Kind.LEDGER_PREVIEW,
        owner=zone.coordinator,
        params={
            "name": default_storage.save("ledger-imports/p.xlsx", ledger(zone, 30)),
            "as_correction": False,
        },
    )
    job.params["language"] = "zh-hans"
    background.ledger_preview(job, lambda done, total: seen.append((done, total)))
    # 30 listings rows and 30 report rows, the total declared by the sheets before the first is read.
    assert seen[0] == (1, 60) and seen[-1] == (60, 60)
    assert [done for done, _total in seen] == [*range(1, 61), 60]


def test_progress_is_kept_on_the_job_and_written_by_its_heartbeat(zone, django_assert_num_queries):
    job = Job.objects.create(kind=Job.Kind.LEDGER_IMPORT, owner=zone.coordinator, status=Job.Status.RUNNING)
    progress = jobs.Progress(job)
    with django_assert_num_queries(0):
        for done in range(1, 5000):
            progress(done, 10_000)  # a runner's transaction would hide (and lock) the row: no write
    with django_assert_num_queries(1):
        jobs.Heartbeat(job).beat()
    job.refresh_from_db()
    assert (job.done, job.total) == (4999, 10_000) and job.heartbeat_at is not None


def test_a_failed_heartbeat_is_logged_and_the_job_goes_on(zone, monkeypatch, caplog):
    job = Job.objects.create(kind=Job.Kind.LEDGER_IMPORT, owner=zone.coordinator, status=Job.Status.RUNNING)

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(QuerySet, "update", locked)
    jobs.Heartbeat(job).beat()  # raises nothing
    assert f"Job {job.pk}: heartbeat not written" in caplog.text and "database is locked" in caplog.text


def test_the_job_page_shows_the_rows_done_with_a_determinate_bar_and_refreshes_without_javascript(
    zone, login
):
    job = Job.objects.create(
        kind=Job.Kind.LEDGER_IMPORT, owner=zone.coordinator, status=Job.Status.RUNNING, done=1234, total=5000
    )
    page = login(zone.coordinator).get(f"/jobs/{job.pk}/").text
    assert '<progress class="w-100" max="100" value="24"' in page and "1234 / 5000 · 24%" in page
    assert '<meta http-equiv="refresh" content="2">' in page and f'href="/jobs/{job.pk}/"' in page
    Job.objects.filter(pk=job.pk).update(done=5000)  # every row read: now writing
    page = login(zone.coordinator).get(f"/jobs/{job.pk}/").text
    assert 'id="job-phase"' in page and 'value="99"' in page  # never "100 %" before it is done
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, done=0, total=0)
    page = login(zone.coordinator).get(f"/jobs/{job.pk}/").text
    assert '<progress class="w-100" max="100" aria-label' in page  # no total yet: indeterminate


def test_an_import_refused_at_the_end_keeps_its_progress_and_says_why(
    zone, login, large, django_capture_on_commit_callbacks, run_jobs
):
    client = login(zone.coordinator)
    preview = check(client, ledger(zone, 3), django_capture_on_commit_callbacks)
    run_jobs()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/jobs/{preview.pk}/import/")
    MonthLock.objects.create(year=zone.year, month=1)  # locked while the import was waiting
    run_jobs()
    job = Job.objects.get(kind=Job.Kind.LEDGER_IMPORT)
    assert job.status == Job.Status.FAILED and (job.done, job.total) == (6, 6)  # every row had been read
    assert not Project.objects.filter(code__startswith="PR-").exists()
    assert not MonthlyReport.objects.filter(project__code__startswith="PR-").exists()
    page = client.get(f"/jobs/{job.pk}/").text
    assert 'id="job-error"' in page and "未导入任何数据" in page  # "nothing was imported"
    assert "6 / 6" in page and 'value="99"' in page
    assert "已锁定" in page  # the row the lock refuses, in words
    assert 'http-equiv="refresh"' not in page and f"/jobs/{preview.pk}/import/" not in page


# ---- the same questions as the upload page ----------------------------------------------------------


def test_a_background_check_asks_about_unknown_names_and_remembers_the_answers(
    zone,
    people,
    login,
    large,
    django_capture_on_commit_callbacks,
    run_jobs,
):
    client = login(zone.coordinator)
    first = check(client, typo_file(), django_capture_on_commit_callbacks)
    run_jobs()
    page = client.get(f"/jobs/{first.pk}/").text
    assert 'id="ledger-unknown-names"' in page and f'action="/jobs/{first.pk}/answer/"' in page
    assert "航空航天产业园" in page  # the suggestion for 航天航空产业园
    assert f"/jobs/{first.pk}/import/" not in page  # nothing to confirm before the answers
    keys = sorted(["department:经发局", "park:航天航空产业园", "person:王蕾", "person:陈建图"])
    answers = {
        "department:经发局": zone.edb.pk,
        "park:航天航空产业园": zone.park_a.pk,
        "person:王蕾": people["王磊"].pk,
        "person:陈建图": people["陈建国"].pk,
    }
    data = {"answer": "1", "names": "4"} | {f"key-{i}": key for i, key in enumerate(keys)}
    data |= {f"name-{i}": answers[key] for i, key in enumerate(keys)}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{first.pk}/answer/", data)
    second = Job.objects.filter(kind=Job.Kind.LEDGER_PREVIEW).first()
    assert second != first and response["Location"] == f"/jobs/{second.pk}/"
    assert second.params["decisions"] == {key: str(pk) for key, pk in answers.items()}
    # The first check is settled: answering it again or confirming it does nothing.
    assert client.post(f"/jobs/{first.pk}/answer/", data)["Location"] == "/ledger/import/"
    assert Job.objects.filter(kind=Job.Kind.LEDGER_PREVIEW).count() == 2
    run_jobs()
    second.refresh_from_db()
    assert second.result["ok"] and not second.result["unknown_names"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/jobs/{second.pk}/import/")
    run_jobs()
    assert Job.objects.get(kind=Job.Kind.LEDGER_IMPORT).status == Job.Status.DONE
    project = Project.objects.get(code="T-1")
    assert (project.park, project.lead_department, project.leader) == (
        zone.park_a,
        zone.edb,
        people["陈建国"],
    )
    assert NameAlias.objects.count() == 4  # next month's file is understood without asking


def test_a_background_check_maps_an_unrecognised_column(
    zone, login, large, django_capture_on_commit_callbacks, run_jobs
):
    client = login(zone.coordinator)
    first = check(client, ledger_book.unknown_column_file(), django_capture_on_commit_callbacks)
    run_jobs()
    page = client.get(f"/jobs/{first.pk}/").text
    assert 'id="ledger-ignored-columns"' in page and "服务专员" in page
    # As on the upload page: how the columns were read, and the projects known by name (no codes).
    assert 'id="ledger-columns"' in page and "<td>年度计划投资</td>" in page
    assert 'id="ledger-matches"' in page and "甲公司" in page
    assert default_storage.exists(first.params["name"])  # kept for the answer, although it is valid
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/jobs/{first.pk}/answer/",
            {"answer": "1", "names": "0", "column": "服务专员", "means": "网格员"},
        )
    assert ColumnAlias.objects.get(header="服务专员").field == "网格员"
    run_jobs()
    second = Job.objects.filter(kind=Job.Kind.LEDGER_PREVIEW).first()
    assert second.result["ok"] and not second.result["ignored_columns"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/jobs/{second.pk}/import/")
    run_jobs()
    assert Project.objects.get(name="甲项目").grid_worker == zone.grid_b.staff


def test_a_background_check_can_be_cancelled_and_junk_answers_are_no_answers(
    zone,
    people,
    login,
    large,
    django_capture_on_commit_callbacks,
    run_jobs,
):
    client = login(zone.coordinator)
    first = check(client, typo_file(), django_capture_on_commit_callbacks)
    run_jobs()
    junk = {
        "answer": "1",
        "names": "²",
        "key-0": "park:航天航空产业园",
        "name-0": "²",
        "column": "x",
        "means": "nope",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/jobs/{first.pk}/answer/", junk)
    second = Job.objects.filter(kind=Job.Kind.LEDGER_PREVIEW).first()
    assert (
        response.status_code == 302 and second.params["decisions"] == {} and not ColumnAlias.objects.exists()
    )
    run_jobs()
    assert client.get(f"/jobs/{second.pk}/").status_code == 200
    response = client.post(f"/jobs/{second.pk}/answer/", {"cancel": "1"})
    assert response["Location"] == "/ledger/import/" and not default_storage.exists(second.params["name"])
    assert client.post(f"/jobs/{second.pk}/import/")["Location"] == "/ledger/import/"
    assert not Job.objects.filter(kind=Job.Kind.LEDGER_IMPORT).exists()
    # Another user's check: not found, whatever the role.
    assert login(zone.admin).post(f"/jobs/{second.pk}/answer/", {"cancel": "1"}).status_code == 404
