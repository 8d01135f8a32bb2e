from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qungui', '0009_share_event_key')]

    initial = False

    operations = [
        ops.AddField(
            model_name='FilterHit',
            name='decided_key',
            field=fields.CharField(null=True, description='做出确认或驳回的那条命令的消息身份：认出重放', max_length=191),
        ),
    ]
