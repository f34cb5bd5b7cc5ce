"""The ledger import follows the stage page's rules for the stage dates it records (issue #14): a
date they refuse is a bad cell, an implausible one a warning the import's confirmation confirms."""

import datetime

import pytest

from projects.ledger import ledger_apply, ledger_read
from projects.models import Project, Stage
from projects.querysets import today
from tests.ledger_book import build, listing

pytestmark = pytest.mark.django_db


def test_a_future_start_in_the_file_is_a_bad_cell_and_nothing_is_imported():
    tomorrow = today() + datetime.timedelta(days=1)
    plan = ledger_read(build([listing(cells={"实际开工日期": tomorrow})]), create_unknown=True)
    assert [(p.row, p.header) for p in plan.errors] == [(2, "实际开工日期")]
    assert str(plan.errors[0].message) == f"日期不能晚于今天。 ({tomorrow.isoformat()})"
    assert not Project.objects.exists()


def test_a_filing_after_the_start_is_a_bad_cell():
    file = build(
        [
            listing(
                cells={"实际开工日期": datetime.date(2025, 3, 10), "立项备案日期": datetime.date(2025, 4, 1)}
            )
        ]
    )
    plan = ledger_read(file, create_unknown=True)
    assert {(p.row, p.header) for p in plan.errors} >= {(2, "立项备案日期")}


def test_a_start_long_before_the_planned_start_is_the_stage_pages_warning():
    long_before = datetime.date(2023, 1, 5)  # the planned start is 2025-03-01
    plan = ledger_read(build([listing(cells={"实际开工日期": long_before})]), create_unknown=True)
    assert plan.errors == []
    warned = [w for w in plan.warnings if w.header == "实际开工日期"]
    assert len(warned) == 1 and "2025-03-01" in str(warned[0].message)
    ledger_apply(plan, by=None)  # confirmed by the import's own confirmation
    assert Project.objects.get().stage == Stage.CONSTRUCTION


def test_a_signing_a_year_before_the_planned_start_is_usual():
    plan = ledger_read(build([listing(cells={"签约日期": datetime.date(2023, 6, 1)})]), create_unknown=True)
    assert plan.errors == [] and not [w for w in plan.warnings if w.header == "签约日期"]


def test_a_recorded_start_unchanged_in_the_file_is_not_questioned_again(zone):
    row = {
        "项目名称": zone.project_a.name,
        "所属板块": zone.park_a.name,
        "实际开工日期": zone.project_a.actual_start,
        "计划开工日期": zone.project_a.actual_start + datetime.timedelta(days=500),
    }
    plan = ledger_read(build([listing("P-A1", zone.year, cells=row)]), create_unknown=True)
    assert not [w for w in plan.warnings if w.header == "实际开工日期" and "计划开工" in str(w.message)]
