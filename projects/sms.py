"""SMS through a provider: the interface `SmsSender` (projects/notifications.py) calls, and the one
adapter shipped, Alibaba Cloud SMS (阿里云短信服务, Dysmsapi SendSms).

A provider is a class with `send(*, mobiles, text)` that raises `DeliveryError` when the provider
refuses; SMS_PROVIDER names it. Another provider (Tencent Cloud, a government SMS gateway) is one
more class of the same shape.
"""

import base64
import datetime
import hashlib
import hmac
import json
import urllib.parse
import uuid

import requests
from django.conf import settings

from .notifications import HTTP_TIMEOUT, DeliveryError

# Alibaba Cloud checks each template variable's length; a longer value is refused, not cut.
ALIYUN_VARIABLE_MAX = 35


def _percent(value):
    """RFC 3986 percent-encoding, as Alibaba Cloud's signature needs it (space → %20, ~ kept)."""
    return urllib.parse.quote(str(value), safe="~")


def canonical_query(params):
    return "&".join(f"{_percent(key)}={_percent(params[key])}" for key in sorted(params))


def aliyun_signature(params, secret, method="GET"):
    """Alibaba Cloud's RPC signature (SignatureVersion 1.0, HMAC-SHA1): the sorted, encoded query,
    signed as "GET&%2F&<encoded query>" with the key "<AccessKeySecret>&", Base64."""
    query = canonical_query(params)
    to_sign = f"{method}&{_percent('/')}&{_percent(query)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsProvider:
    """SendSms with the zone's signature (ALIYUN_SMS_SIGN_NAME) and a notification template
    (ALIYUN_SMS_TEMPLATE_CODE) that has one variable, ${content}; the text is cut to fit it."""

    def params(self, *, mobiles, text, now=None, nonce=None):
        now = now or datetime.datetime.now(datetime.UTC)
        return {
            "AccessKeyId": settings.ALIYUN_SMS_ACCESS_KEY_ID,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": ",".join(mobiles),
            "RegionId": "cn-hangzhou",
            "SignName": settings.ALIYUN_SMS_SIGN_NAME,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce or uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": settings.ALIYUN_SMS_TEMPLATE_CODE,
            "TemplateParam": json.dumps({"content": text[:ALIYUN_VARIABLE_MAX]}, ensure_ascii=False),
            "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }

    def send(self, *, mobiles, text):
        if not (settings.ALIYUN_SMS_ACCESS_KEY_ID and settings.ALIYUN_SMS_ACCESS_KEY_SECRET):
            raise DeliveryError("ALIYUN_SMS_ACCESS_KEY_ID and ALIYUN_SMS_ACCESS_KEY_SECRET are not set")
        params = self.params(mobiles=mobiles, text=text)
        params["Signature"] = aliyun_signature(params, settings.ALIYUN_SMS_ACCESS_KEY_SECRET)
        # Encoded exactly as signed (%20, not +), so the provider recomputes the same signature.
        url = f"{settings.ALIYUN_SMS_ENDPOINT}?{canonical_query(params)}"
        try:
            response = requests.get(url, timeout=HTTP_TIMEOUT)
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code != 200 or answer.get("Code") != "OK":
            raise DeliveryError(f"HTTP {response.status_code} {answer.get('Code')}: {answer.get('Message')}")
