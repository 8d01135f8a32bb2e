"""内容过滤的标注语料（tests/filter_corpus）和在留出集上的质量目标。"""

import json
from collections import Counter

import pytest

from bench import filter_quality
from tests.filter_corpus import generate
from tests.filter_corpus.numbers import digits_of, id_ok, luhn_ok

RULES = {"赌博", "色情", "广告", "链接", "隐私"}
KINDS = {"phone", "id_card", "bank_card"}


def corpus(split: str) -> list[dict]:
    path = filter_quality.CORPUS / f"{split}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_corpus_rows_are_labelled_with_the_shipped_rules():
    tune, holdout = corpus("tune"), corpus("holdout")
    rows = tune + holdout
    assert len(rows) >= 500
    assert 0.55 <= len(tune) / len(rows) <= 0.65
    assert not {row["text"] for row in tune} & {row["text"] for row in holdout}
    for row in rows:
        assert row["text"] and row["family"] and row["note"], row
        assert row["label"] == "ok" or row["label"] in RULES, row
        assert (row.get("kind") in KINDS) == (row["label"] == "隐私"), row
    labels = Counter(row["label"] for row in rows)
    assert labels["ok"] > 2 * (len(rows) - labels["ok"])
    assert set(labels) == RULES | {"ok"}
    # 每个类别两边都有：留出集量得到每一种难点
    assert {row["family"] for row in tune} == {row["family"] for row in holdout}


def test_labelled_numbers_are_real_looking_and_in_the_text():
    for row in corpus("tune") + corpus("holdout"):
        if "number" in row:
            assert row["number"] in digits_of(row["text"]), row
        kind = row.get("kind")
        if kind == "id_card":
            assert id_ok(row["number"]), row
        elif kind == "bank_card":
            assert 16 <= len(row["number"]) <= 19 and luhn_ok(row["number"]), row
        elif kind == "phone":
            assert len(row["number"]) == 11 and row["number"][0] == "1", row
        for own in row.get("own_phones", ()):
            assert own in digits_of(row["text"]), row


def test_corpus_files_are_what_the_generator_writes():
    tune, holdout = generate.split(generate.build())
    assert corpus("tune") == tune
    assert corpus("holdout") == holdout


@pytest.mark.xfail(
    strict=True,
    reason="发布的过滤规则还达不到目标：关键词不认拆字和黑话、链接白名单太窄、订单号和批号被当成卡号和手机号",
)
def test_shipped_filter_meets_the_targets_on_the_holdout():
    result = filter_quality.measure("holdout")
    assert result["automatic_on_innocent"] == 0, result["lists"]["automatic"]
    assert result["acting"]["precision"] >= 0.9, result["lists"]["false_alarms"]
    assert result["acting"]["recall"] >= 0.8, result["lists"]["missed"]
