from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('qungui', '0015_web')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='LedgerEntry',
            index=Index(fields=['org', 'rule', 'business_date', 'user_id']),
        ),
    ]
