from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qungui', '0006_filter_hit')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MonthStanding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('month', fields.CharField(max_length=7)),
                ('user_id', fields.BigIntField()),
                ('rank', fields.IntField()),
                ('name', fields.CharField(description='公布时显示的名字（不含电话）', max_length=64)),
                ('points', fields.IntField()),
                ('share_days', fields.IntField()),
                ('streak', fields.BooleanField(description='拿到了连续分享奖励')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'month_standing', 'app': 'qungui', 'unique_together': (('org', 'month', 'user_id'),), 'pk_attr': 'id', 'table_description': '月底公布时那个月的排行快照：以后再看 /排行 2026-10，看到的就是当时公布的（人走了也在）。'},
            bases=['Model'],
        ),
    ]
