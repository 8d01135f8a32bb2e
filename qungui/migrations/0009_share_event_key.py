from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qungui', '0008_bot_presence')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Share',
            name='event_key',
            field=fields.CharField(null=True, unique=True, description='消息的身份，与经哪个机器人账号收到无关；升级前记下的分享为 None', max_length=191),
        ),
    ]
