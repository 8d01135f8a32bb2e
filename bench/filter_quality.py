"""内容过滤的质量：发布的过滤规则（config/policy.toml 的 [filter]）在标注语料上的精确率和召回率。

语料在 tests/filter_corpus/：tune.jsonl 用来调规则，holdout.jsonl 只用来量、从不照着调。
每条消息标了管理员会怎么判（ok 或违反的规则名），这里用 `Scanner(policy).scan(text, own_phones)`
扫一遍，只看每个命中的 `.rule` 和 `.action`，不依赖扫描器的内部。

- 每条规则：命中里标注正是这条规则的（对）、标注 ok 的（误报）、标成别的违规的（串了规则），
  以及标注是这条规则却没命中的（漏报）。不管规则是不是 shadow 都量，看它打开后会怎样。
- 起作用的规则（review、recall、warn）合起来按消息算：有一个起作用的命中就算“被处理”。
  精确率 = 被处理的消息里确实违规的比例；召回率的分母只算规则在起作用的违规消息
  （广告规则还是 shadow 时，广告不算在内）。
- 自动处理（recall、warn，没有人看一眼）碰到的正当消息：标注 ok 的，加上别人的手机号
  （制度上交管理员审核，不该自动撤回警告）。目标是一条都没有。

发布的制度文件里群号是空的（要运维填）：这里只在内存里填上，过滤规则原样使用。
单独运行：`.venv/bin/python -m bench.filter_quality [--split tune|holdout|all]`。
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from qungui.rules import BUILTIN_LINK, BUILTIN_PRIVACY

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "filter_corpus"
SPLITS = ("tune", "holdout")
ACTING = ("review", "recall", "warn")
AUTOMATIC = ("recall", "warn")


def load_corpus(split: str) -> list[dict]:
    names = SPLITS if split == "all" else (split,)
    rows = []
    for name in names:
        with (CORPUS / f"{name}.jsonl").open(encoding="utf-8") as lines:
            rows += [json.loads(line) for line in lines if line.strip()]
    return rows


def shipped_policy(path: Path = REPO / "config" / "policy.toml"):
    """发布的制度文件；群号和管理员为空时填上占位的号码（只在内存里）。"""
    from qungui.policy import parse_policy

    data = tomllib.loads(path.read_text("utf-8"))
    groups = data.setdefault("groups", {})
    groups["work"] = groups.get("work") or [100001]
    groups["share"] = groups.get("share") or [100002]
    org = data.setdefault("org", {})
    org["admins"] = org.get("admins") or [200001]
    return parse_policy(data, str(path))


def rule_actions(policy) -> dict[str, str]:
    """制度里每条内容规则的 action：判断一条违规消息的规则是否在起作用（召回率的分母）。"""
    section = policy.filter
    actions = {rule.name: rule.action for rule in section.rules}
    if section.links is not None:
        actions[BUILTIN_LINK] = section.links.action
    if section.privacy is not None:
        actions[BUILTIN_PRIVACY] = section.privacy.action
    return actions


@dataclass
class RuleCount:
    action: str = ""
    right: int = 0
    wrong: int = 0
    """命中了标注 ok 的消息"""
    crossed: int = 0
    """命中了标成别的违规的消息"""
    missed: int = 0
    examples: list[str] = field(default_factory=list)

    def figures(self) -> dict:
        return {
            "action": self.action,
            "precision": ratio(self.right, self.right + self.wrong),
            "recall": ratio(self.right, self.right + self.missed),
            "right": self.right,
            "wrong": self.wrong,
            "crossed": self.crossed,
            "missed": self.missed,
        }


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def innocent(row: dict) -> bool:
    """没有人看就处理会冤枉人的消息：正常消息，和别人的手机号（制度上交人审核）。"""
    return row["label"] == "ok" or row.get("kind") == "phone"


def measure(split: str = "all", policy=None, scanner=None) -> dict:
    """`scanner`：有 `scan(text, own_phones)` 的对象，缺省用这份制度的 Scanner。"""
    from qungui.content_filter import Scanner

    policy = policy or shipped_policy()
    actions = rule_actions(policy)
    scanner = scanner or Scanner(policy)
    rows = load_corpus(split)
    rules: dict[str, RuleCount] = {name: RuleCount(action) for name, action in actions.items()}
    flagged_right = flagged_wrong = acting_violations = caught = 0
    false_alarms: list[dict] = []
    missed: list[dict] = []
    automatic: list[dict] = []
    kinds: dict[str, dict[str, int]] = {}
    for row in rows:
        label = row["label"]
        hits = scanner.scan(row["text"], frozenset(row.get("own_phones", ())))
        hit_rules = {hit.rule for hit in hits}
        for name in hit_rules:
            count = rules.setdefault(name, RuleCount(actions.get(name, "")))
            if name == label:
                count.right += 1
            elif label == "ok":
                count.wrong += 1
            else:
                count.crossed += 1
        if label != "ok" and label not in hit_rules:
            rules.setdefault(label, RuleCount(actions.get(label, ""))).missed += 1
        acting = sorted({hit.rule for hit in hits if hit.action in ACTING})
        if acting:
            if label == "ok":
                flagged_wrong += 1
                false_alarms.append({"text": row["text"], "rules": acting})
            else:
                flagged_right += 1
        if label != "ok" and actions.get(label) in ACTING:
            acting_violations += 1
            if acting:
                caught += 1
            else:
                missed.append({"text": row["text"], "label": label, "family": row["family"]})
        auto = sorted({f"{hit.rule}/{hit.action}" for hit in hits if hit.action in AUTOMATIC})
        if kind := row.get("kind"):
            tally = kinds.setdefault(kind, {"messages": 0, "hit": 0, "automatic": 0})
            tally["messages"] += 1
            tally["hit"] += BUILTIN_PRIVACY in hit_rules
            tally["automatic"] += bool(auto)
        if auto and innocent(row):
            automatic.append(
                {
                    "text": row["text"],
                    "family": row["family"],
                    "kind": row.get("kind"),
                    "hits": auto,
                }
            )
    return {
        "split": split,
        "messages": len(rows),
        "legitimate": sum(row["label"] == "ok" for row in rows),
        "violations": sum(row["label"] != "ok" for row in rows),
        "acting": {
            "rules": sorted(name for name, action in actions.items() if action in ACTING),
            "precision": ratio(flagged_right, flagged_right + flagged_wrong),
            "recall": ratio(caught, acting_violations),
            "flagged": flagged_right + flagged_wrong,
            "false_alarms": flagged_wrong,
            "violations": acting_violations,
            "caught": caught,
        },
        "automatic_on_innocent": len(automatic),
        "automatic_on_other_phones": sum(item["kind"] == "phone" for item in automatic),
        "rules": {name: count.figures() for name, count in rules.items()},
        "privacy_kinds": kinds,
        "lists": {"automatic": automatic, "false_alarms": false_alarms, "missed": missed},
    }


def show(result: dict, out=sys.stdout) -> None:
    def pct(value: float | None) -> str:
        return "  —  " if value is None else f"{value:5.1%}"

    acting = result["acting"]
    print(
        f"== 内容过滤质量（{result['split']}）：{result['messages']} 条，"
        f"正常 {result['legitimate']}，违规 {result['violations']}",
        file=out,
    )
    print(
        f"{'规则':<6}{'动作':<8}{'精确率':>7}{'召回率':>7}{'对':>5}{'误报':>5}{'串规则':>5}{'漏报':>5}",
        file=out,
    )
    for name, f in result["rules"].items():
        print(
            f"{name:<6}{f['action']:<8}{pct(f['precision']):>8}{pct(f['recall']):>8}"
            f"{f['right']:>6}{f['wrong']:>6}{f['crossed']:>6}{f['missed']:>6}",
            file=out,
        )
    print(
        f"起作用的规则（{'、'.join(acting['rules'])}）：精确率 {pct(acting['precision'])}"
        f"（处理 {acting['flagged']} 条，其中误报 {acting['false_alarms']}），"
        f"召回率 {pct(acting['recall'])}（{acting['caught']}/{acting['violations']}）",
        file=out,
    )
    kinds = "，".join(
        f"{kind} {t['hit']}/{t['messages']}（自动处理 {t['automatic']}）"
        for kind, t in result["privacy_kinds"].items()
    )
    print(f"隐私按号码种类（命中/条数）：{kinds}", file=out)
    print(
        f"自动处理（recall、warn）碰到的正当消息：{result['automatic_on_innocent']} 条"
        f"（其中别人的手机号 {result['automatic_on_other_phones']} 条，制度上应交人审核）",
        file=out,
    )
    for item in result["lists"]["automatic"]:
        print(f"  [{item['family']}] {'、'.join(item['hits'])}：{item['text']}", file=out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="内容过滤在标注语料上的精确率和召回率")
    parser.add_argument("--split", choices=(*SPLITS, "all"), default=None)
    parser.add_argument("--verbose", action="store_true", help="也列出误报和漏报")
    args = parser.parse_args(argv)
    policy = shipped_policy()
    for split in (args.split,) if args.split else (*SPLITS, "all"):
        result = measure(split, policy)
        show(result)
        if args.verbose:
            for item in result["lists"]["false_alarms"]:
                print(f"  误报 {'、'.join(item['rules'])}：{item['text']}")
            for item in result["lists"]["missed"]:
                print(f"  漏报 {item['label']}（{item['family']}）：{item['text']}")
        summary = {key: value for key, value in result.items() if key != "lists"}
        print(json.dumps({"filter_quality": summary}, ensure_ascii=False))


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
