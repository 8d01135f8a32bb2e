from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qungui', '0002_member_card_state')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AbsenceCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('phone', fields.CharField(max_length=32)),
                ('name', fields.CharField(max_length=64)),
                ('qq', fields.BigIntField(null=True)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('chairmen_told_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'absence_case', 'app': 'qungui', 'indexes': [Index(fields=['org', 'phone'])], 'pk_attr': 'id', 'table_description': '名单上的人没有进公司群（没有哪个成员的名片对上这一行）：从发现到对上为止。'},
            bases=['Model'],
        ),
    ]
