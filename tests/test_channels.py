"""The channels staff live in: WeCom and DingTalk group robots and SMS, each against a loopback
server playing its API (exact payload, signature), and a failing channel retried and isolated."""

import base64
import datetime
import hashlib
import hmac
import urllib.parse

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from projects import notifications
from projects.models import Delivery, GroupRobot, Notification
from projects.notifications import dingtalk_sign, notify
from projects.sms import aliyun_signature
from tests.loopback import OK, Loopback

WECOM = "projects.notifications.WeComRobotSender"
DINGTALK = "projects.notifications.DingTalkRobotSender"
SMS = "projects.notifications.SmsSender"
EMAIL = "projects.notifications.EmailSender"
SECRET = "SEC0123456789abcdef"


@pytest.fixture
def api():
    with Loopback() as server:
        yield server


@pytest.fixture
def channels(settings, api):
    settings.SITE_URL = "https://newzone.example"
    settings.WECOM_WEBHOOK_URL = f"{api.url}/cgi-bin/webhook/send?key=zone-key"
    settings.DINGTALK_WEBHOOK_URL = f"{api.url}/robot/send?access_token=zone-token"
    settings.DINGTALK_SECRET = SECRET
    return settings


@pytest.fixture
def send(django_capture_on_commit_callbacks, run_jobs):
    """`send(recipients, text=, url=)`: notify, commit, and let the real worker deliver."""

    def _send(recipients, text="施工许可证 明天到期", url="/issues/7/"):
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=recipients, text=text, url=url)
        run_jobs()

    return _send


def retry_now(run_jobs):
    """Run the retries the queue scheduled for later (a minute, four, …) now."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_jobs()


def test_wecom_markdown_payload(zone, channels, api, send):
    channels.NOTIFICATION_SENDERS = [WECOM]
    send([zone.dept])
    (request,) = api.requests
    assert request["method"] == "POST" and request["path"] == "/cgi-bin/webhook/send"
    assert request["query"] == {"key": "zone-key"}
    assert request["content_type"] == "application/json"
    assert request["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**新区项目服务平台：施工许可证 明天到期**\n施工许可证 明天到期\n"
            "提醒：赵审批\n[在平台中查看](https://newzone.example/issues/7/)"
        },
    }
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1 and delivery.sent_at
    assert list(delivery.recipients.all()) == [zone.dept]
    assert delivery.target == "企业微信群机器人 · 全区群"


def test_wecom_content_stays_within_4096_bytes_and_keeps_the_link(
    zone, channels, api, django_capture_on_commit_callbacks, run_jobs
):
    channels.NOTIFICATION_SENDERS = [WECOM]
    with django_capture_on_commit_callbacks(execute=True):  # a digest's text is not cut like notify()'s
        notifications.deliver(
            recipients=[zone.dept], subject="每日汇总", text="需要补充材料" * 1000, url="/issues/7/"
        )
    run_jobs()
    content = api.requests[0]["json"]["markdown"]["content"]
    assert 4000 < len(content.encode()) <= 4096
    assert content.endswith("(https://newzone.example/issues/7/)")
    assert "…" in content


def test_dingtalk_signed_markdown_with_mentions(zone, channels, api, send):
    channels.NOTIFICATION_SENDERS = [DINGTALK]
    zone.dept.staff.mobile = "13800001111"
    zone.dept.staff.save()
    send([zone.dept, zone.grid])
    (request,) = api.requests
    assert request["path"] == "/robot/send"
    query = request["query"]
    assert set(query) == {"access_token", "timestamp", "sign"}
    assert query["access_token"] == "zone-token"
    # The signature as DingTalk verifies it: HMAC-SHA256("timestamp\nsecret"), Base64, URL-encoded.
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{query['timestamp']}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == expected
    assert f"sign={urllib.parse.quote_plus(expected)}" in request["raw_query"]
    assert request["json"] == {
        "msgtype": "markdown",
        "markdown": {
            "title": "新区项目服务平台：施工许可证 明天到期",
            "text": "**新区项目服务平台：施工许可证 明天到期**\n施工许可证 明天到期\n"
            "提醒：王网格、赵审批\n[在平台中查看](https://newzone.example/issues/7/)\n@13800001111",
        },
        "at": {"atMobiles": ["13800001111"], "isAtAll": False},
    }


def test_dingtalk_sign_matches_the_documented_algorithm():
    # DingTalk's own example computes quote_plus(b64encode(hmac_sha256(secret, "ts\nsecret"))).
    digest = hmac.new(b"this is secret", b"1700000000000\nthis is secret", hashlib.sha256).digest()
    assert dingtalk_sign("this is secret", 1700000000000) == urllib.parse.quote_plus(base64.b64encode(digest))


def test_a_park_or_department_robot_wins_over_the_zone(zone, channels, api, send):
    channels.NOTIFICATION_SENDERS = [WECOM]
    GroupRobot.objects.create(channel="wecom", park=zone.park_a, webhook_url=f"{api.url}/park?key=park-a")
    GroupRobot.objects.create(
        channel="wecom", department=zone.approval, webhook_url=f"{api.url}/dept?key=approval"
    )
    send([zone.grid, zone.dept, zone.coordinator])
    by_path = {request["path"]: request for request in api.requests}
    assert set(by_path) == {"/park", "/dept", "/cgi-bin/webhook/send"}
    assert "王网格" in by_path["/park"]["json"]["markdown"]["content"]
    assert "赵审批" in by_path["/dept"]["json"]["markdown"]["content"]
    assert "钱经发" in by_path["/cgi-bin/webhook/send"]["json"]["markdown"]["content"]
    assert sorted(Delivery.objects.values_list("target", flat=True)) == [
        "企业微信群机器人 · 全区群",
        "企业微信群机器人 · 航空航天产业园",
        "企业微信群机器人 · 行政审批局",
    ]


def test_each_person_chooses_their_channels(zone, channels, api, mailoutbox, send):
    channels.NOTIFICATION_SENDERS = [EMAIL, WECOM]
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    zone.dept.staff.notify_wecom = False
    zone.dept.staff.save()
    zone.grid.email = "grid@example.com"
    zone.grid.save()
    zone.grid.staff.notify_email = False
    zone.grid.staff.save()
    send([zone.dept, zone.grid])
    assert [mail.to for mail in mailoutbox] == [["dept@example.com"]]
    (request,) = api.requests
    content = request["json"]["markdown"]["content"]
    assert "王网格" in content and "赵审批" not in content


@pytest.mark.parametrize(
    "answer, error",
    [
        ((500, {"error": "boom"}, 0), "HTTP 500"),
        ((200, {"errcode": 93000, "errmsg": "invalid webhook url"}, 0), "errcode 93000"),
        ((200, {"errcode": 0}, 1.5), "Timeout"),
    ],
)
def test_a_failing_robot_is_retried_and_isolated(
    zone, channels, api, mailoutbox, monkeypatch, django_capture_on_commit_callbacks, run_jobs, answer, error
):
    monkeypatch.setattr(notifications, "HTTP_TIMEOUT", 0.5)
    channels.NOTIFICATION_SENDERS = [WECOM, EMAIL]
    zone.dept.email = "dept@example.com"
    zone.dept.save()
    api.answers = [answer, OK]
    from projects.services.issues import issue_raise

    with django_capture_on_commit_callbacks(execute=True):
        issue = issue_raise(project=zone.project_a, category="permits", description="施工许可", by=zone.grid)
    run_jobs()
    # The save stands, the in-app row is there, the e-mail went out, the robot's failure is recorded.
    assert issue.pk and Notification.objects.filter(recipient=zone.dept, issue=issue).exists()
    assert [mail.to for mail in mailoutbox] == [["dept@example.com"]]
    robot = Delivery.objects.get(sender=WECOM)
    assert robot.status == Delivery.Status.PENDING and robot.attempts == 1
    assert error in robot.last_error
    assert Delivery.objects.get(sender=EMAIL).status == Delivery.Status.SENT
    # The queue retries it a minute later, and the retry succeeds; a job run twice sends once.
    (retry,) = DBTaskResult.objects.filter(status="READY")
    assert retry.run_after - timezone.now() > datetime.timedelta(seconds=50)
    retry_now(run_jobs)
    notifications.delivery_attempt(robot.pk)
    robot.refresh_from_db()
    assert robot.status == Delivery.Status.SENT and robot.attempts == 2 and robot.last_error == ""
    assert len(api.requests) == 2


def test_a_delivery_gives_up_after_the_last_attempt(zone, channels, api, send, run_jobs):
    channels.NOTIFICATION_SENDERS = [WECOM]
    api.answers = [(500, {}, 0)]
    send([zone.dept])
    for _retry in range(notifications.DELIVERY_RETRIES + 2):
        retry_now(run_jobs)
    robot = Delivery.objects.get()
    assert robot.status == Delivery.Status.FAILED and robot.attempts == notifications.MAX_ATTEMPTS
    assert len(api.requests) == notifications.MAX_ATTEMPTS == 6
    assert "HTTP 500" in DBTaskResult.objects.failed().get().traceback


def test_sms_through_the_aliyun_adapter(zone, channels, api, send):
    channels.NOTIFICATION_SENDERS = [SMS]
    channels.SMS_PROVIDER = "projects.sms.AliyunSmsProvider"
    channels.ALIYUN_SMS_ENDPOINT = f"{api.url}/"
    channels.ALIYUN_SMS_ACCESS_KEY_ID = "test-key-id"
    channels.ALIYUN_SMS_ACCESS_KEY_SECRET = "test-key-secret"
    channels.ALIYUN_SMS_SIGN_NAME = "新区项目服务"
    channels.ALIYUN_SMS_TEMPLATE_CODE = "SMS_000001"
    api.answers = [(200, {"Code": "OK", "Message": "OK", "BizId": "1", "RequestId": "r"}, 0)]
    for user, mobile in ((zone.dept, "13800001111"), (zone.grid, "13900002222")):
        user.staff.mobile = mobile
        user.staff.notify_sms = True
        user.staff.save()
    zone.coordinator.staff.mobile = "13700003333"  # has not chosen SMS
    zone.coordinator.staff.save()
    send([zone.dept, zone.grid, zone.coordinator])
    (request,) = api.requests
    query = dict(request["query"])
    signature = query.pop("Signature")
    assert signature == aliyun_signature(query, "test-key-secret")  # the provider's own check
    assert "%20" not in request["raw_query"] or "+" not in request["raw_query"]
    assert query["Action"] == "SendSms" and query["Version"] == "2017-05-25"
    assert query["PhoneNumbers"] == "13900002222,13800001111"  # grid, dept
    assert query["SignName"] == "新区项目服务" and query["TemplateCode"] == "SMS_000001"
    assert query["TemplateParam"] == '{"content": "新区项目服务平台：施工许可证 明天到期"}'
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_sms_provider_refusal_is_a_failed_attempt(zone, channels, api, send):
    channels.NOTIFICATION_SENDERS = [SMS]
    channels.SMS_PROVIDER = "projects.sms.AliyunSmsProvider"
    channels.ALIYUN_SMS_ENDPOINT = f"{api.url}/"
    channels.ALIYUN_SMS_ACCESS_KEY_ID = "id"
    channels.ALIYUN_SMS_ACCESS_KEY_SECRET = "secret"
    api.answers = [(200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}, 0)]
    zone.dept.staff.mobile = "13800001111"
    zone.dept.staff.notify_sms = True
    zone.dept.staff.save()
    send([zone.dept])
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING and "BUSINESS_LIMIT_CONTROL" in delivery.last_error


def test_a_subject_is_one_line(zone, channels, api, send):
    channels.NOTIFICATION_SENDERS = [WECOM]
    send([zone.dept], text="施工许可证办理\r\n需要补充材料")
    assert Delivery.objects.get().subject == "新区项目服务平台：施工许可证办理 需要补充材料"


def test_each_person_sets_their_channels_on_their_own_page(zone, login):
    client = login(zone.grid)
    page = client.get("/notifications/channels/")
    assert page.status_code == 200 and 'inputmode="tel"' in page.text
    # SMS without a number is refused with a message in Chinese, and nothing is saved.
    page = client.post("/notifications/channels/", {"notify_email": "on", "notify_sms": "on", "mobile": ""})
    assert page.status_code == 200 and "短信提醒需要手机号码" in page.text
    page = client.post("/notifications/channels/", {"notify_sms": "on", "mobile": "12345"})
    assert "请输入11位手机号码" in page.text
    zone.grid.staff.refresh_from_db()
    assert zone.grid.staff.notify_sms is False and zone.grid.staff.notify_email is True
    response = client.post(
        "/notifications/channels/", {"notify_dingtalk": "on", "notify_sms": "on", "mobile": "13900002222"}
    )
    assert response.status_code == 302
    zone.grid.staff.refresh_from_db()
    s = zone.grid.staff
    assert (s.notify_email, s.notify_wecom, s.notify_dingtalk, s.notify_sms, s.mobile) == (
        False, False, True, True, "13900002222",
    )  # fmt: skip
    # Only one's own profile: the page has no way to name another person.
    assert zone.dept.staff.notify_sms is False
