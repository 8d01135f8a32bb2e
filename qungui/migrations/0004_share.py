from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qungui', '0003_absence_case')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Share',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('group_id', fields.BigIntField()),
                ('user_id', fields.BigIntField()),
                ('message_id', fields.BigIntField()),
                ('sent_at', fields.DatetimeField(description='事件自带的 time', auto_now=False, auto_now_add=False)),
                ('text_hash', fields.CharField(description='规范化文字的 SHA-1；没有文字为空', max_length=40)),
                ('chars', fields.IntField()),
                ('original', fields.BooleanField()),
                ('reason', fields.CharField(default='', description='不算原创的原因', max_length=32)),
                ('share_day', fields.DateField(null=True, description='记到哪一天；没得分为 None')),
                ('entry_id', fields.IntField(null=True, description='share.daily 记录的编号')),
            ],
            options={'table': 'share', 'app': 'qungui', 'unique_together': (('org', 'group_id', 'user_id', 'message_id', 'sent_at'),), 'indexes': [Index(fields=['org', 'text_hash']), Index(fields=['org', 'user_id', 'share_day'])], 'pk_attr': 'id', 'table_description': '分享群里一条够字数（或转发、卡片）的消息：是否原创、记到哪天、得分记录。'},
            bases=['Model'],
        ),
    ]
