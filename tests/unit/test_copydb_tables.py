"""SQLite → PostgreSQL 复制搬的是全部数据表：新加一张表而忘了登记，复制就会悄悄丢掉它的数据。"""

import inspect

from tortoise.models import Model

from qungui import copydb, models


def test_every_table_is_copied() -> None:
    tables = {
        cls._meta.db_table
        for _, cls in inspect.getmembers(models, inspect.isclass)
        if issubclass(cls, Model) and cls is not Model and not cls._meta.abstract
    }
    assert {model._meta.db_table for model in copydb.MODELS} == tables
