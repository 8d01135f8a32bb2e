from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qungui', '0007_month_standing')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BotPresence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('self_id', fields.BigIntField(unique=True)),
                ('seen_at', fields.DatetimeField(description='最近一次心跳（真实时间，不是业务时钟）', auto_now=False, auto_now_add=False)),
                ('process', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'bot_presence', 'app': 'qungui', 'pk_attr': 'id', 'table_description': '哪个机器人账号此刻连在某个进程上：多个进程共用一个库时，据此决定群里由谁回答。'},
            bases=['Model'],
        ),
    ]
