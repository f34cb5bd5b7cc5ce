"""Documents on a project, node or permit (plans area): type by content, size, storage, downloads,
access, history."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Document, PermitType, PlanNode
from projects.services.plans import plan_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 40
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def xlsx():
    book = openpyxl.Workbook()
    book.active["A1"] = "合同台账"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def docx():
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("施工许可证")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(client, project, name, content, **extra):
    return client.post(
        reverse("project_document_add", args=[project.pk]),
        {"doc-file": SimpleUploadedFile(name, content), "doc-description": "扫描件", **extra},
    )


@pytest.mark.parametrize(
    ("name", "content", "stored"),
    [
        ("施工许可证.pdf", PDF, "application/pdf"),
        ("现场.png", PNG, "image/png"),
        ("合同台账.xlsx", xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("批复.docx", docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_types_by_content(zone, login, name, content, stored):
    response = upload(login(zone.grid), zone.project_a, name, content)
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.name, document.content_type, document.size) == (name, stored, len(content))
    assert document.file.name.startswith("documents/") and name not in document.file.name


@pytest.mark.parametrize(
    ("name", "content"),
    [("批复.pdf", HTML), ("script.html", HTML), ("empty.pdf", b""), ("a.pdf", b"MZ\x90\x00" + b"\x00" * 60)],
)
def test_refused_by_content_whatever_the_name(zone, login, name, content):
    client = login(zone.grid)
    response = upload(client, zone.project_a, name, content)
    assert response.status_code == 302  # back to the project page with the message
    assert not Document.objects.exists()
    page = client.get(zone.project_a.get_absolute_url())
    assert any(name in str(message) for message in page.context["messages"]) or content == b""


def test_too_large_is_refused(zone, login, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    upload(login(zone.grid), zone.project_a, "大.pdf", PDF + b"0" * 2000)
    assert not Document.objects.exists()


def test_served_only_as_download_to_who_sees_the_project(zone, login):
    upload(login(zone.grid), zone.project_a, "施工许可证.png", PNG)
    document = Document.objects.get()
    url = document.file.url
    response = login(zone.coordinator).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    for outsider in (zone.grid_b, zone.dept, zone.nobody):
        assert login(outsider).get(url).status_code == 404
    assert (
        login(zone.leader).post(reverse("project_document_add", args=[zone.project_a.pk])).status_code == 403
    )


def test_on_a_node_and_its_permit_listed_and_in_the_history(zone, login):
    plan_create(project=zone.project_a, by=zone.grid)
    node = PlanNode.objects.get(project=zone.project_a, permit_type=PermitType.objects.get(name="施工许可"))
    client = login(zone.grid)
    node_url = reverse("plan_node", args=[zone.project_a.pk, node.pk])
    response = client.post(
        node_url,
        {"action": "document", "doc-file": SimpleUploadedFile("施工许可证.pdf", PDF), "doc-description": ""},
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.node == node
    assert document.name in client.get(node_url).content.decode()
    project_page = client.get(zone.project_a.get_absolute_url()).content.decode()
    assert "施工许可证.pdf" in project_page and 'id="project-documents"' in project_page
    history = client.get(reverse("object_history", args=["project", zone.project_a.pk])).content.decode()
    assert "施工许可证.pdf" in history
    # The same upload to another project's node is a 404.
    assert login(zone.grid_b).post(node_url, {"action": "document"}).status_code == 404


# The loop of templates/projects/_documents.html before it became the document_items filter.
DOCUMENT_LOOP = (
    "{% load i18n %}{% for document in documents %}\n"
    '  <li class="list-group-item px-0 py-1">\n'
    '    <a href="{{ document.file.url }}" download>{{ document.name }}</a>\n'
    '    <span class="small text-muted">· {{ document.size|filesizeformat }}{% if document.node %} · '
    '{% translate "node" %} {{ document.node.name }}{% endif %}{% if document.permit %} · '
    '{% translate "permit" %} '
    '{{ document.permit.permit_type.name }}{% endif %} · {{ document.uploaded_at|date:"Y-m-d" }}'
    "{% if document.description %} · {{ document.description }}{% endif %}</span>\n"
    "  </li>\n"
    '{% empty %}<li class="list-group-item px-0 text-muted">{% translate "No documents." %}</li>{% endfor %}'
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_documents_list_is_the_loops_markup(zone, login, language):
    from django.template import Context, Template
    from django.utils import translation

    from projects.models import Permit
    from projects.templatetags.documents import document_items

    plan_create(project=zone.project_a, by=zone.grid)
    node = PlanNode.objects.filter(project=zone.project_a).first()
    node.name = "<b>节点</b>"
    node.save(update_fields=["name"])
    permit_type = PermitType.objects.create(name='"许可" & co')
    permit = Permit.objects.create(project=zone.project_a, permit_type=permit_type)
    client = login(zone.grid)
    upload(client, zone.project_a, "<i>a</i>.pdf", PDF)
    upload(client, zone.project_a, "b.pdf", PDF * 40, **{"doc-description": "<script>x</script>"})
    Document.objects.filter(name="b.pdf").update(node=node, permit=permit)
    # 20:00 UTC is the next day in Shanghai: the list writes the local day.
    Document.objects.filter(name="b.pdf").update(
        uploaded_at=datetime.datetime(2026, 5, 1, 20, tzinfo=datetime.UTC)
    )
    documents = Document.objects.select_related("node", "permit__permit_type").order_by("pk")
    assert documents.count() == 2
    assert "2026-05-02" in document_items(documents)
    loop = Template(DOCUMENT_LOOP)
    with translation.override(language):
        for listed in (documents, documents.none()):
            assert document_items(listed) == loop.render(Context({"documents": listed}))
