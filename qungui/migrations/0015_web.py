from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('qungui', '0014_leave')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WebSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session_hash', fields.CharField(unique=True, description='会话号的 sha256', max_length=64)),
                ('org', fields.CharField(max_length=32)),
                ('user_id', fields.BigIntField()),
                ('csrf', fields.CharField(description='这次登录里每个表单要带的令牌', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'web_session', 'app': 'qungui', 'pk_attr': 'id', 'table_description': '网页后台的一次登录：浏览器 Cookie 里是会话号，这里只存它的摘要。身份不存：每次请求重新算。'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, description='令牌的 sha256 十六进制', max_length=64)),
                ('org', fields.CharField(max_length=32)),
                ('user_id', fields.BigIntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, description='兑换成会话的时刻；None 表示还没用过', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'web_token', 'app': 'qungui', 'pk_attr': 'id', 'table_description': '`/后台` 发出的登录链接里的令牌：只存摘要（库被人看到也拿不到能用的链接），用一次作废。'},
            bases=['Model'],
        ),
    ]
