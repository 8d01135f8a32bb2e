from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qungui', '0011_notice')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CardEnforcement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('group_id', fields.BigIntField()),
                ('since', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'card_enforcement', 'app': 'qungui', 'unique_together': (('org', 'group_id'),), 'pk_attr': 'id', 'table_description': '一个工作群从何时起检查名片、算宽限：第一次检查这个群的时刻（制度写了 enforce_from 时不用它）。'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MonthClose',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('month', fields.CharField(max_length=7)),
                ('settling_since', fields.DatetimeField(description='月底结算开始：此后不再补分享、判非原创', auto_now=False, auto_now_add=False)),
                ('frozen_at', fields.DatetimeField(null=True, description='冻结：此后账本不再收这个月的记录', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'month_close', 'app': 'qungui', 'unique_together': (('org', 'month'),), 'pk_attr': 'id', 'table_description': '一个月离开“开放”的时刻（docs/design.md“一个月的状态”）：开始月底结算、冻结。没有这一行的月份是开放的。'},
            bases=['Model'],
        ),
        # 月份的状态和名片的起算时刻原先借用任务认领（job_run）的行存放：搬到各自的表里。
        # 月底任务（month.close）仍在 job_run 里认领它的周期，那几行留着；
        # month.freeze 和 card.enforce 不是任务，只是状态，搬走后删掉
        ops.RunSQL(
            [
                "INSERT INTO month_close (org, month, settling_since, frozen_at)"
                " SELECT c.org, c.period, c.started_at, f.started_at FROM job_run c"
                " LEFT JOIN job_run f"
                " ON f.job = 'month.freeze' AND f.org = c.org AND f.period = c.period"
                " WHERE c.job = 'month.close'",
                "INSERT INTO month_close (org, month, settling_since, frozen_at)"
                " SELECT f.org, f.period, f.started_at, f.started_at FROM job_run f"
                " WHERE f.job = 'month.freeze' AND NOT EXISTS (SELECT 1 FROM job_run c"
                " WHERE c.job = 'month.close' AND c.org = f.org AND c.period = f.period)",
                "INSERT INTO card_enforcement (org, group_id, since)"
                " SELECT org, CAST(period AS BIGINT), started_at FROM job_run"
                " WHERE job = 'card.enforce'",
                "DELETE FROM job_run WHERE job IN ('month.freeze', 'card.enforce')",
            ]
        ),
    ]
