from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qungui', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Member',
            name='card_changed_at',
            field=fields.DatetimeField(null=True, description='名片变规范或变不规范的时刻', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Member',
            name='card_ok',
            field=fields.BooleanField(null=True, description='最近一次看到的名片是否规范；None 表示还没检查过'),
        ),
        ops.AddField(
            model_name='Member',
            name='joined_at',
            field=fields.DatetimeField(null=True, description='最近一次入群时间：宽限从这里算起', auto_now=False, auto_now_add=False),
        ),
    ]
