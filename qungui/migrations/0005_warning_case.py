from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qungui', '0004_share')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WarningCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('group_id', fields.BigIntField()),
                ('user_id', fields.BigIntField()),
                ('category', fields.CharField(max_length=32)),
                ('points', fields.IntField()),
                ('reason', fields.TextField(default='', unique=False)),
                ('actor_id', fields.BigIntField(null=True)),
                ('actor_role', fields.CharField(max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('evidence_text', fields.TextField(default='', unique=False)),
                ('evidence_types', fields.CharField(default='', max_length=128)),
                ('evidence_message_id', fields.BigIntField(null=True)),
                ('entry_id', fields.IntField(null=True, unique=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_by', fields.BigIntField(null=True)),
                ('revoked_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'warning_case', 'app': 'qungui', 'indexes': [Index(fields=['org', 'user_id', 'created_at'])], 'pk_attr': 'id', 'table_description': '一次警告：谁、什么类别、扣几分、理由、证据；以账本里那条 warn.<类别> 记录的编号为准。'},
            bases=['Model'],
        ),
    ]
