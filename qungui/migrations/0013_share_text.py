from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qungui', '0011_notice')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ShareText',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('text_hash', fields.CharField(max_length=40)),
            ],
            options={'table': 'share_text', 'app': 'qungui', 'unique_together': (('org', 'text_hash'),), 'pk_attr': 'id', 'table_description': '组织里出现过的一段分享文字（规范化后的摘要）：同样文字的分享在这一行上排队查重。'},
            bases=['Model'],
        ),
    ]
