from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='CommandKey',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=191)),
                ('org', fields.CharField(max_length=32)),
                ('entry_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'command_key', 'app': 'qungui', 'pk_attr': 'key', 'table_description': '写入账本的命令所对应的事件：同一事件重放、重连、重启都不会再写一次。'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JobRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.CharField(max_length=64)),
                ('org', fields.CharField(max_length=32)),
                ('period', fields.CharField(max_length=32)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('late', fields.BooleanField(default=False)),
                ('note', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'job_run', 'app': 'qungui', 'unique_together': (('job', 'org', 'period'),), 'pk_attr': 'id', 'table_description': '定时任务的认领：每个 (任务, 组织, 周期) 只会有一行，先认领后执行。'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LedgerEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('user_id', fields.BigIntField()),
                ('delta', fields.IntField()),
                ('rule', fields.CharField(max_length=64)),
                ('business_date', fields.DateField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.BigIntField(null=True, description='None 表示系统')),
                ('actor_role', fields.CharField(max_length=16)),
                ('reason', fields.TextField(default='', unique=False)),
                ('ref', fields.CharField(null=True, max_length=128)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=191)),
                ('reverses', fields.IntField(null=True, unique=True, description='被撤销记录的编号')),
            ],
            options={'table': 'ledger_entry', 'app': 'qungui', 'indexes': [Index(fields=['org', 'user_id', 'business_date']), Index(fields=['org', 'business_date'])], 'pk_attr': 'id', 'table_description': '积分账本的一行：只追加，不修改，不删除；更正写一条指向原记录的撤销记录。'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('group_id', fields.BigIntField()),
                ('user_id', fields.BigIntField()),
                ('card', fields.CharField(default='', max_length=128)),
                ('nickname', fields.CharField(default='', max_length=128)),
                ('role', fields.CharField(default='member', description='owner/admin/member', max_length=8)),
                ('first_seen', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'member', 'app': 'qungui', 'unique_together': (('org', 'group_id', 'user_id'),), 'indexes': [Index(fields=['org', 'user_id'])], 'pk_attr': 'id', 'table_description': '在某个组织的群里见过的人（入群、扫描或发言），用于“谁参与统计”和显示名字。'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MonthTotal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('user_id', fields.BigIntField()),
                ('month', fields.CharField(max_length=7)),
                ('points', fields.IntField(default=0)),
                ('share_days', fields.IntField(default=0)),
                ('entries', fields.IntField(default=0)),
            ],
            options={'table': 'month_total', 'app': 'qungui', 'unique_together': (('org', 'user_id', 'month'),), 'indexes': [Index(fields=['org', 'month', 'points'])], 'pk_attr': 'id', 'table_description': '每人每月的合计，由账本派生：与账本行在同一事务里写入，可随时由账本重建。'},
            bases=['Model'],
        ),
    ]
