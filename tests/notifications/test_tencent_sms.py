"""The Tencent Cloud backend, against a local stand-in for the provider's API: what it asks
for (action, signature, template, the number in +86 form, the text) and how it takes an answer."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications import sms


class FakeTencent(BaseHTTPRequestHandler):
    answers: list = []
    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append(
            {"action": self.headers.get("X-TC-Action"), "auth": self.headers.get("Authorization"), **body}
        )
        payload = json.dumps(self.answers.pop(0) if self.answers else ok(body)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


def ok(body):
    return {
        "Response": {
            "SendStatusSet": [
                {
                    "SerialNo": "2028:1",
                    "PhoneNumber": body["PhoneNumberSet"][0],
                    "Fee": 1,
                    "Code": "Ok",
                    "Message": "send success",
                }
            ],
            "RequestId": "r1",
        }
    }


@pytest.fixture
def provider(settings):
    FakeTencent.answers, FakeTencent.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTencent)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BANLI_SMS_BACKEND = "notifications.sms.TencentBackend"
    settings.BANLI_SMS_TENCENT_ENDPOINT = f"http://127.0.0.1:{server.server_address[1]}"
    settings.BANLI_SMS_TENCENT_SECRET_ID = "AKIDtest"
    settings.BANLI_SMS_TENCENT_SECRET_KEY = "secret-for-tests"
    settings.BANLI_SMS_TENCENT_APP_ID = "1400000000"
    settings.BANLI_SMS_TENCENT_SIGN_NAME = "黄石市政府督查室"
    settings.BANLI_SMS_TENCENT_TEMPLATE_ID = "1234567"
    yield FakeTencent
    server.shutdown()
    server.server_close()


def test_a_message_goes_to_the_provider_as_a_signed_sendsms_request(provider):
    assert sms.send_sms("138 0000 0001", "【办理】您有一份答复待评价。") is True
    (request,) = provider.received
    assert request["action"] == "SendSms"
    assert request["auth"].startswith("TC3-HMAC-SHA256 Credential=AKIDtest/")
    assert request["PhoneNumberSet"] == ["+8613800000001"]
    assert request["SmsSdkAppId"] == "1400000000"
    assert request["SignName"] == "黄石市政府督查室"
    assert request["TemplateId"] == "1234567"
    assert request["TemplateParamSet"] == ["【办理】您有一份答复待评价。"]


def test_a_refused_number_raises_so_the_ledger_tries_again(provider):
    provider.answers.append(
        {
            "Response": {
                "SendStatusSet": [{"Code": "InvalidParameterValue.IncorrectPhoneNumber", "Message": "bad"}],
                "RequestId": "r2",
            }
        }
    )
    with pytest.raises(sms.SendError, match="IncorrectPhoneNumber"):
        sms.send_sms("13800000001", "x")


def test_an_api_error_raises(provider):
    provider.answers.append(
        {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "sig"}, "RequestId": "r3"}}
    )
    with pytest.raises(sms.SendError, match="AuthFailure"):
        sms.send_sms("13800000001", "x")


@pytest.mark.parametrize(
    "phone, mobile",
    [
        ("13800000001", "13800000001"),
        ("+86 138-0000-0001", "13800000001"),
        ("8613800000001", "13800000001"),
        ("0714-6288824", ""),
        ("6288824", ""),
        ("", ""),
    ],
)
def test_only_mobile_numbers_receive_texts(phone, mobile):
    assert sms.mobile_number(phone) == mobile
