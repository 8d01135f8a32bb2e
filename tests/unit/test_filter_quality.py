"""内容过滤的标注语料（tests/filter_corpus）和在留出集上的质量目标。"""

import json
from collections import Counter

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


def test_shipped_filter_meets_the_targets_on_the_holdout():
    result = filter_quality.measure("holdout")
    assert result["automatic_on_innocent"] == 0, result["lists"]["automatic"]
    assert result["acting"]["precision"] >= 0.9, result["lists"]["false_alarms"]
    assert result["acting"]["recall"] >= 0.8, result["lists"]["missed"]


class _Hit:
    def __init__(self, rule: str, action: str):
        self.rule, self.action = rule, action


class _Scanner:
    """按文本查表的假扫描器：只测计数，不依赖真正的匹配。"""

    def __init__(self, hits: dict[str, list[_Hit]]):
        self.hits = hits
        self.own_phones: list[frozenset[str]] = []

    def scan(self, text, own_phones=frozenset()):
        self.own_phones.append(own_phones)
        return self.hits.get(text, [])


def test_measure_counts_acting_rules_per_message_and_automatic_actions(monkeypatch):
    rows = [
        {"text": "收到", "label": "ok", "family": "chat", "note": ""},
        {"text": "批号", "label": "ok", "family": "number_ok", "note": ""},
        {"text": "我电话", "label": "ok", "family": "own_phone", "note": "", "own_phones": ["1"]},
        {"text": "赌", "label": "赌博", "family": "gambling", "note": ""},
        {"text": "色", "label": "色情", "family": "porn", "note": ""},
        {"text": "广告", "label": "广告", "family": "ads", "note": ""},
        {"text": "客户电话", "label": "隐私", "kind": "phone", "family": "p", "note": ""},
        {"text": "卡号", "label": "隐私", "kind": "bank_card", "family": "c", "note": ""},
    ]
    scanner = _Scanner(
        {
            "批号": [_Hit("隐私", "recall")],
            "赌": [_Hit("赌博", "review"), _Hit("链接", "review")],
            "广告": [_Hit("广告", "shadow")],
            "客户电话": [_Hit("隐私", "recall")],
            "卡号": [_Hit("隐私", "recall")],
            "收到": [_Hit("广告", "shadow")],
        }
    )
    monkeypatch.setattr(filter_quality, "load_corpus", lambda split: rows)
    actions = {
        "赌博": "review",
        "色情": "review",
        "广告": "shadow",
        "链接": "review",
        "隐私": "recall",
    }
    monkeypatch.setattr(filter_quality, "rule_actions", lambda policy: actions)
    result = filter_quality.measure("tune", scanner=scanner)

    assert frozenset({"1"}) in scanner.own_phones
    # 处理了 批号（误报）、赌、客户电话、卡号；shadow 的命中不算处理
    assert result["acting"]["flagged"] == 4
    assert result["acting"]["precision"] == 0.75
    # 召回率的分母不含 shadow 规则（广告）的违规：赌、色、客户电话、卡号，漏了色
    assert (result["acting"]["violations"], result["acting"]["caught"]) == (4, 3)
    assert [item["text"] for item in result["lists"]["missed"]] == ["色"]
    # 自动处理碰到的：正常的批号，和别人的手机号（该交人审核）；卡号不算冤枉
    assert [item["text"] for item in result["lists"]["automatic"]] == ["批号", "客户电话"]
    assert result["automatic_on_other_phones"] == 1
    rules = result["rules"]
    assert (rules["赌博"]["right"], rules["赌博"]["missed"]) == (1, 0)
    assert (rules["链接"]["crossed"], rules["链接"]["precision"]) == (1, None)
    assert (rules["隐私"]["right"], rules["隐私"]["wrong"], rules["隐私"]["precision"]) == (
        2,
        1,
        0.667,
    )
    assert (rules["广告"]["right"], rules["广告"]["wrong"], rules["广告"]["recall"]) == (1, 1, 1.0)
    assert rules["色情"]["missed"] == 1
