from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qungui', '0012_month_close_card_enforcement')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Appeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('review_id', fields.IntField(unique=True, description='审核队列里的编号（审N）')),
                ('entry_id', fields.IntField(unique=True, description='被申诉的记录：每条记录只能申诉一次')),
                ('user_id', fields.BigIntField()),
                ('entry_rule', fields.CharField(max_length=64)),
                ('entry_actor_id', fields.BigIntField(null=True, description='写那条记录的人；None 表示系统')),
                ('entry_actor_role', fields.CharField(default='', max_length=16)),
                ('text', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reversal_id', fields.IntField(null=True, description='申诉成立时写的撤销记录')),
            ],
            options={'table': 'appeal', 'app': 'qungui', 'indexes': [Index(fields=['org', 'user_id'])], 'pk_attr': 'id', 'table_description': '成员对一条账本记录的申诉。它在审核队列里的那一行（`filter_hit`，规则名“申诉”）给出 审N、'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Campaign',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('group_id', fields.BigIntField()),
                ('title', fields.TextField(default='', unique=False)),
                ('message_id', fields.BigIntField(null=True, description='回复 /推广 时被回复的那条公司推文')),
                ('opened_by', fields.BigIntField()),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claim_until', fields.DatetimeField(description='申报截止', auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(description='保持天数过后：申报交管理员审核', auto_now=False, auto_now_add=False)),
                ('event_key', fields.CharField(null=True, unique=True, description='开推广那条命令的消息身份：认出重放', max_length=191)),
                ('review_sent_at', fields.DatetimeField(null=True, description='到期时给管理员的审核消息由哪次走动认领：只发一次', auto_now=False, auto_now_add=False)),
                ('decided_by', fields.BigIntField(null=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('decided_key', fields.CharField(null=True, max_length=191)),
            ],
            options={'table': 'campaign', 'app': 'qungui', 'indexes': [Index(fields=['org', 'review_sent_at'])], 'pk_attr': 'id', 'table_description': '一次转发推广（推N）：管理员开出，成员在 claim_until 前申报已转发，due_at 起交管理员一次审完。'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Claim',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('org', fields.CharField(max_length=32)),
                ('review_id', fields.IntField(unique=True, description='审核队列里的编号（审N）')),
                ('group_id', fields.BigIntField()),
                ('user_id', fields.BigIntField()),
                ('item', fields.CharField(default='', description='申报的项目；转发推广为空', max_length=32)),
                ('campaign_id', fields.IntField(null=True, description='转发推广的编号（推N）')),
                ('day', fields.DateField(description='申报那天（组织时区的营业日）')),
                ('slot_key', fields.CharField(unique=True, description='每人每项每天几次、每次推广一次：占一个名额', max_length=191)),
                ('images', fields.TextField(default='', description='截图的链接或文件名，换行分隔', unique=False)),
                ('text', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('points', fields.IntField(null=True, description='确认时定的分数')),
                ('entry_id', fields.IntField(null=True)),
            ],
            options={'table': 'claim', 'app': 'qungui', 'indexes': [Index(fields=['org', 'campaign_id']), Index(fields=['org', 'user_id'])], 'pk_attr': 'id', 'table_description': '成员申报机器人看不到的事（制度 `[claims.items]` 的一项，或某次转发推广）。'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='AbsenceCase',
            options={'table': 'absence_case', 'app': 'qungui', 'indexes': [Index(fields=['org', 'phone'])], 'pk_attr': 'id', 'table_description': '名单上的人没有进公司群（没有成员的名片对上这一行，这一行的 QQ 也不在群里）：从发现到进群为止。'},
        ),
    ]
