"""Text messages go through the configured backend: kept in memory for tests, written to a file
for a test server, printed in development; nothing is sent without a number."""

from notifications import sms


def test_a_message_reaches_the_outbox_in_tests():
    assert sms.send_sms("13800000000", "【办理】您有一份答复待评价。") is True
    assert sms.outbox == [sms.SMSMessage(to="13800000000", text="【办理】您有一份答复待评价。")]


def test_no_number_sends_nothing():
    assert sms.send_sms("  ", "不会发出") is False
    assert sms.outbox == []


def test_the_file_backend_writes_lines_that_read_back(settings, tmp_path):
    settings.BANLI_SMS_BACKEND = "notifications.sms.FileBackend"
    settings.BANLI_SMS_FILE_PATH = str(tmp_path)
    sms.send_sms("13800000001", "第一条")
    sms.send_sms("13800000002", "第二条：含“引号”与换行\n")
    assert sms.read_file_outbox(tmp_path) == [
        sms.SMSMessage("13800000001", "第一条"),
        sms.SMSMessage("13800000002", "第二条：含“引号”与换行\n"),
    ]


def test_the_console_backend_prints_the_message(settings, capsys):
    settings.BANLI_SMS_BACKEND = "notifications.sms.ConsoleBackend"
    sms.send_sms("13800000003", "控制台")
    assert "13800000003：控制台" in capsys.readouterr().out
