from django.db import migrations, models

# The Chinese words the timeline stored before verbs became codes.
WORDS = {
    "登记": "registered",
    "交办": "assigned",
    "签收": "signed_for",
    "申请退回": "return_requested",
    "申请退回：同意": "return_approved",
    "申请退回：不同意": "return_rejected",
    "申请延期": "extension_requested",
    "申请延期：同意": "extension_approved",
    "申请延期：不同意": "extension_rejected",
    "沟通": "contacted",
    "会办意见": "co_opinion",
    "起草答复": "drafted",
    "提交签发": "submitted",
    "退回修改": "sent_back",
    "签发": "signed_off",
    "审核通过": "reviewed",
    "答复": "issued",
    "上传盖章件": "scan_uploaded",
    "送达": "delivered",
    "征询意见": "feedback",
    "签收征询意见表": "feedback_received",
    "发送填表链接": "link_sent",
    "重办": "redo",
    "催办": "urged",
    "导入": "imported",
    "导入核实": "import_confirmed",
    "导入更正": "import_corrected",
}


def words_to_codes(apps, schema_editor):
    Event = apps.get_model("proposals", "Event")
    for word, code in WORDS.items():
        Event.objects.filter(verb=word).update(verb=code)


def codes_to_words(apps, schema_editor):
    Event = apps.get_model("proposals", "Event")
    for word, code in WORDS.items():
        Event.objects.filter(verb=code).update(verb=word)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_assignment_figures")]

    operations = [
        migrations.RunPython(words_to_codes, codes_to_words),
        migrations.AlterField(
            model_name="event",
            name="verb",
            field=models.CharField(
                choices=[
                    ("registered", "登记"),
                    ("assigned", "交办"),
                    ("signed_for", "签收"),
                    ("return_requested", "申请退回"),
                    ("return_approved", "申请退回：同意"),
                    ("return_rejected", "申请退回：不同意"),
                    ("extension_requested", "申请延期"),
                    ("extension_approved", "申请延期：同意"),
                    ("extension_rejected", "申请延期：不同意"),
                    ("contacted", "沟通"),
                    ("contact_amended", "修改沟通记录"),
                    ("co_opinion", "会办意见"),
                    ("drafted", "起草答复"),
                    ("submitted", "提交签发"),
                    ("sent_back", "退回修改"),
                    ("signed_off", "签发"),
                    ("reviewed", "审核通过"),
                    ("issued", "答复"),
                    ("scan_uploaded", "上传盖章件"),
                    ("delivered", "送达"),
                    ("feedback", "征询意见"),
                    ("feedback_received", "签收征询意见表"),
                    ("link_sent", "发送填表链接"),
                    ("redo", "重办"),
                    ("urged", "催办"),
                    ("imported", "导入"),
                    ("import_confirmed", "导入核实"),
                    ("import_corrected", "导入更正"),
                ],
                max_length=40,
                verbose_name="操作",
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    verb__in=[
                        "registered",
                        "assigned",
                        "signed_for",
                        "return_requested",
                        "return_approved",
                        "return_rejected",
                        "extension_requested",
                        "extension_approved",
                        "extension_rejected",
                        "contacted",
                        "contact_amended",
                        "co_opinion",
                        "drafted",
                        "submitted",
                        "sent_back",
                        "signed_off",
                        "reviewed",
                        "issued",
                        "scan_uploaded",
                        "delivered",
                        "feedback",
                        "feedback_received",
                        "link_sent",
                        "redo",
                        "urged",
                        "imported",
                        "import_confirmed",
                        "import_corrected",
                    ]
                ),
                name="proposals_event_verb_valid",
            ),
        ),
    ]
