"""The morning digest: SMTP settings by the admin (audited), sent to a local SMTP server in each
person's language, by the command and the periodic task, never twice for one day."""
import email
import email.policy

from core.lowcode.models import AuditEntry
from core.models import User
from plugins.timemgmt import digest
from plugins.timemgmt.models import MailSettings


def test_the_digest_goes_once_a_day_in_each_persons_language(app, time, people, smtp):
    form = {"enabled": "y", "host": "127.0.0.1", "port": str(smtp.port), "security": "none", "sender": "plan@example.com",
            "hour": "0", "username": "", "password": ""}
    assert time.rep.post("/timemgmt/mail", data=form).status_code == 403
    assert time.admin.post("/timemgmt/mail", data={**form, "port": "99999"}).status_code == 400
    assert time.admin.post("/timemgmt/mail", data=form).status_code == 302
    with app.app_context():
        assert AuditEntry.get(AuditEntry.action == "mail_settings").changes["host"] == ["", "127.0.0.1"]
        User.update(locale="zh_Hans_CN").where(User.id == people.rep.id).execute()
    time.task("rep", "给客户打电话", "do")
    result = app.test_cli_runner().invoke(args=["remind"])
    assert result.exit_code == 0 and "5 digest(s) sent." in result.output
    mails = {envelope.rcpt_tos[0]: email.message_from_bytes(envelope.content, policy=email.policy.default) for envelope in smtp.messages}
    rep_mail, manager_mail, idle_mail = mails["rep@example.com"], mails["manager@example.com"], mails["colleague@example.com"]
    assert "的计划" in rep_mail["Subject"] and "给客户打电话" in rep_mail.get_content() and "立即做" in rep_mail.get_content()
    assert manager_mail["Subject"].startswith("Your plan for") and "One-to-one with Rita Rep is due" in manager_mail.get_content()
    assert "Nothing is planned for today." in idle_mail.get_content()  # every plugin's agenda: the team plugin's one-to-ones too
    with app.app_context():
        assert digest.send_digests() == 0  # the periodic task's run: all sent today already
    assert len(smtp.messages) == 5


def test_the_digest_waits_for_the_hour_and_for_settings(app, people):
    with app.app_context():
        assert digest.send_digests(force=True) == 0  # not configured
        MailSettings.create(host="127.0.0.1", port=1, sender="x@example.com", security="none", hour=23, enabled=True)
        assert digest.send_digests(now=__import__("datetime").datetime(2026, 1, 1, 6)) == 0  # before 23:00
        assert digest.send_digests(force=True) == 0  # the server refuses: nobody is marked as sent
        assert digest.DigestSent.select().count() == 0
