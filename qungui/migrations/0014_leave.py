from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qungui', '0013_appeal_claim_campaign')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Leave',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('user_id', fields.BigIntField()),
                ('group_id', fields.BigIntField(null=True, description='在哪个群里记的或申请的')),
                ('first_day', fields.DateField()),
                ('last_day', fields.DateField()),
                ('reason', fields.TextField(default='', unique=False)),
                ('status', fields.CharField(description='pending / approved / refused / revoked', max_length=12)),
                ('created_by', fields.BigIntField(description='记下的管理员，或申请的本人')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('event_key', fields.CharField(unique=True, description='记下或申请的那条命令的消息身份：认出重放', max_length=191)),
                ('review_id', fields.IntField(null=True, unique=True, description='成员申请时审核队列里的编号')),
                ('decided_by', fields.BigIntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cut_from', fields.DateField(null=True, description='撤销后从这天起（含）不再算请假')),
                ('revoked_by', fields.BigIntField(null=True)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_key', fields.CharField(null=True, description='撤销的那条命令的消息身份：认出重放', max_length=191)),
            ],
            options={'table': 'leave', 'app': 'qungui', 'indexes': [Index(fields=['org', 'first_day']), Index(fields=['org', 'user_id'])], 'pk_attr': 'id', 'table_description': '一个人的一次请假（假N，N 为本表编号）：首尾两天都算。节假日不在这里，来自制度 `[calendar]`。'},
            bases=['Model'],
        ),
    ]
