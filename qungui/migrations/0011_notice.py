from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qungui', '0010_filter_hit_decided_key')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('group_id', fields.BigIntField()),
                ('sender_id', fields.BigIntField()),
                ('text', fields.TextField(unique=False)),
                ('named', fields.BooleanField(default=False, description='只发给点名的人（/通知 @某人 内容）')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('event_key', fields.CharField(null=True, unique=True, description='发通知那条命令的消息身份：认出重放', max_length=191)),
                ('bot_id', fields.BigIntField(null=True, description='发出通知的机器人账号：消息编号只对它有效')),
                ('message_ids', fields.CharField(default='', description='通知在 bot_id 账号上的消息编号，逗号分隔', max_length=255)),
                ('reminded_at', fields.DatetimeField(null=True, description='截止时的提醒、处罚和报告由哪个时刻的走动认领：只做一次', auto_now=False, auto_now_add=False)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('withdrawn_by', fields.BigIntField(null=True)),
            ],
            options={'table': 'notice', 'app': 'qungui', 'indexes': [Index(fields=['org', 'group_id']), Index(fields=['reminded_at', 'deadline'])], 'pk_attr': 'id', 'table_description': '一条要大家确认的通知（/通知）：发到哪个群、谁发的、截止到什么时候、截止时的提醒由谁认领。'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoticeTarget',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('notice_id', fields.IntField()),
                ('user_id', fields.BigIntField()),
                ('acked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('how', fields.CharField(default='', description='quote / word / emoji', max_length=8)),
                ('late', fields.BooleanField(default=False)),
            ],
            options={'table': 'notice_target', 'app': 'qungui', 'unique_together': (('notice_id', 'user_id'),), 'pk_attr': 'id', 'table_description': '通知要确认的一个人：发通知时就定下（之后进群的人不问）；确认了记下何时、怎么确认、是否迟到。'},
            bases=['Model'],
        ),
    ]
