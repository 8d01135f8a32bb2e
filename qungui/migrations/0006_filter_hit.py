from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qungui', '0005_warning_case')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FilterHit',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('group_id', fields.BigIntField()),
                ('user_id', fields.BigIntField()),
                ('rule', fields.CharField(max_length=16)),
                ('category', fields.CharField(max_length=32)),
                ('action', fields.CharField(description='review / warn / recall / shadow', max_length=8)),
                ('status', fields.CharField(description='pending / confirmed / dismissed / warned / shadow', max_length=12)),
                ('hit_key', fields.CharField(unique=True, description='同一条消息同一规则只记一次', max_length=200)),
                ('message_id', fields.BigIntField(null=True)),
                ('text', fields.TextField(default='', description='消息文字（截断到 500 字）', unique=False)),
                ('types', fields.CharField(default='', max_length=128)),
                ('excerpt', fields.CharField(default='', max_length=128)),
                ('reporter_id', fields.BigIntField(null=True)),
                ('report_reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_by', fields.BigIntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_note', fields.TextField(default='', unique=False)),
                ('entry_id', fields.IntField(null=True, description='由此立案的警告在账本里的编号')),
                ('recalled', fields.BooleanField(default=False)),
            ],
            options={'table': 'filter_hit', 'app': 'qungui', 'indexes': [Index(fields=['org', 'created_at'])], 'pk_attr': 'id', 'table_description': '内容过滤或举报的一次命中。待审的命中以“审N”（N 为本表编号）称呼，只能 /确认 或 /驳回。'},
            bases=['Model'],
        ),
    ]
