"""The official documents: the leader assignment slip 交办单, the supervision slip 督办单 and a meeting's
minutes 会议纪要. One `Document` (title, issuing unit, number, fields, opinion, table, signature lines)
is built here and rendered twice: as the printable page (templates/projects/_document.html) and as a
Word file (python-docx), which offices edit and stamp.
"""

import io
from dataclasses import dataclass, field

from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import IssueEventKind, Level, Rules

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Document:
    title: str
    issuing_unit: str
    number: str
    fields: list = field(default_factory=list)  # [(label, text)]
    opinion_label: str = ""
    opinion: str = ""
    table_headers: list = field(default_factory=list)
    table_rows: list = field(default_factory=list)
    result_label: str = ""
    result: str = ""
    signatures: list = field(default_factory=list)  # who signs or seals, one line each with a date


def _day(value):
    return date_format(value, "Y-m-d") if value else "—"


def _opinion(events, kinds, level):
    """The texts of the `kinds` of events written while the issue was at `level` (the leader's
    instruction at 3, the supervisor's comments at 4), oldest first, with their date and author.

    Only escalations and send-backs record a level: the walk follows them."""
    current, lines = Level.GRID_HELP, []
    for event in events:
        if event.to_level:
            current = event.to_level
        if event.kind in kinds and event.text and level in (current, event.from_level):
            lines.append(f"{_day(event.at)} {event.by.name if event.by else ''}：{event.text}")
    return "\n".join(lines)


def _unit(configured, standard):
    """The issuing unit an administrator set in the service rules, else the standard text."""
    return configured.strip() or standard


def issue_slip(issue, level, events):
    """交办单 (level 3) or 督办单 (level 4) of an issue; `events` are its timeline, oldest first."""
    project = issue.project
    rules = Rules.current()
    fields = [
        (_("Project"), f"{project.code} {project.name}"),
        (_("Enterprise"), project.enterprise.name),
        (_("Park"), project.park.name),
        (_("Category"), issue.get_category_display()),
        (_("Matter"), f"#{issue.pk} {issue.description}"),
        (_("Raised on"), _day(issue.raised_at)),
        (_("Committee leader assigning"), issue.assigned_by_leader.name if issue.assigned_by_leader else "—"),
        (_("Responsible department"), issue.department.name if issue.department else "—"),
        (_("Responsible person"), issue.assignee.name if issue.assignee else "—"),
        (_("Deadline"), _day(issue.deadline)),
    ]
    if level == Level.LEADER:
        return Document(
            title=_("Leader assignment slip"),
            issuing_unit=_unit(
                rules.assignment_slip_unit,
                _("Office of the Party Working Committee and the Management Committee"),
            ),
            number=issue.assignment_slip_no,
            fields=fields,
            opinion_label=_("Leader's instruction (交办意见)"),
            opinion=_opinion(events, {IssueEventKind.ASSIGNED}, Level.LEADER) or "—",
            result_label=_("Result (to be filled by the department)"),
            result=issue.resolution,
            signatures=[
                _("Assigning leader (signature)"),
                _("Head of the responsible department (signature)"),
            ],
        )
    supervision_unit = _unit(rules.supervision_slip_unit, _("Supervision Office"))
    return Document(
        title=_("Supervision slip"),
        issuing_unit=supervision_unit,
        number=issue.supervision_slip_no,
        fields=fields,
        opinion_label=_("Supervisor's comments (督办意见)"),
        opinion=_opinion(
            events,
            {
                IssueEventKind.ESCALATED,
                IssueEventKind.AUTO_ESCALATED,
                IssueEventKind.FLAGGED,
                IssueEventKind.SENT_BACK,
                IssueEventKind.FOLLOW_UP,
            },
            Level.SUPERVISION,
        )
        or "—",
        result_label=_("Result (to be filled by the department)"),
        result=issue.resolution,
        signatures=[
            _("%(unit)s (seal)") % {"unit": supervision_unit},
            _("Head of the responsible department (signature)"),
        ],
    )


def meeting_minutes(meeting, items, attendees, departments):
    """会议纪要: the meeting's head, one row per issue with its decision, and the signature lines."""
    return Document(
        title=_("Minutes of the coordination meeting"),
        issuing_unit=_unit(
            Rules.current().minutes_unit,
            meeting.chair.department.name
            if meeting.chair and meeting.chair.department
            else _("Economic Development Bureau"),
        ),
        number=meeting.number,
        fields=[
            (_("Meeting"), meeting.title),
            (_("Date"), _day(meeting.date)),
            (_("Location"), meeting.location or "—"),
            (_("Chair"), meeting.chair.name if meeting.chair else "—"),
            (_("Attendees"), "、".join(person.name for person in attendees) or "—"),
            (_("Departments"), "、".join(department.name for department in departments) or "—"),
        ],
        opinion_label=_("Notes") if meeting.notes else "",
        opinion=meeting.notes,
        table_headers=[
            "#",
            _("Project and enterprise"),
            _("Matter"),
            _("Decision"),
            _("Responsible department"),
            _("Deadline"),
        ],
        table_rows=[
            [
                str(number),
                f"{item.issue.project.name}\n{item.issue.project.enterprise.name}",
                f"#{item.issue.pk} {item.issue.get_category_display()}：{item.issue.description}",
                (
                    f"{item.get_decision_display()}\n{item.note}".strip()
                    if item.decision
                    else _("Not decided yet.")
                ),
                item.department.name if item.department else "—",
                _day(item.deadline),
            ]
            for number, item in enumerate(items, 1)
        ],
        signatures=[_("Chair (signature)"), _("Recorded by (signature)")],
    )


def docx_response(document, filename):
    """The document as a Word file (A4, the same content as the printed page)."""
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    word = WordDocument()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    unit = word.add_paragraph(document.issuing_unit)
    unit.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = word.add_heading(document.title, level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if document.number:
        number = word.add_paragraph(document.number)
        number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = word.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    rows = list(document.fields)
    if document.opinion_label:
        rows.append((document.opinion_label, document.opinion))
    if document.result_label:
        rows.append((document.result_label, document.result or "\n\n\n"))
    for label, text in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = str(label), str(text)
        cells[0].width, cells[1].width = Cm(4), Cm(11.8)
    if document.table_headers:
        word.add_paragraph()
        grid = word.add_table(rows=1, cols=len(document.table_headers))
        grid.style = "Table Grid"
        for cell, header in zip(grid.rows[0].cells, document.table_headers, strict=True):
            cell.text = str(header)
        for row in document.table_rows:
            for cell, text in zip(grid.add_row().cells, row, strict=True):
                cell.text = str(text)
    for label in document.signatures:
        line = word.add_paragraph(_("%(who)s: ____________    Date: ______") % {"who": label})
        line.paragraph_format.space_before = Pt(18)
    buffer = io.BytesIO()
    word.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
