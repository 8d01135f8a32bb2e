"""账本规则代码：每条都有中文名称，只在 qungui/rules.py 里写一次。"""

import ast
from pathlib import Path

import pytest

from qungui import rules

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("share.daily", "每日分享"),
        ("share.featured", "经典分享"),
        ("share.streak", "连续分享奖励"),
        ("card.penalty", "名片不规范"),
        ("roster.absent", "未进群"),
        ("filter.report", "举报属实"),
        ("notice.silent", "通知未确认"),
        ("duty.weekly", "值班奖励"),
        ("manual", "手动调整"),
        ("reversal", "撤销"),
        ("warn.不良信息", "不良信息警告"),
        ("warn.口头警告", "口头警告"),
        ("warn.严重违规", "严重违规警告"),
        ("something.old", "something.old"),
    ],
)
def test_label(code: str, shown: str) -> None:
    assert rules.label(code) == shown


def test_warning_codes_carry_their_category() -> None:
    assert rules.warning("口头警告") == "warn.口头警告"
    assert rules.is_warning("warn.口头警告") and not rules.is_warning("share.daily")


def test_builtin_filter_rule_names() -> None:
    assert rules.BUILTIN_FILTER_RULES == ("链接", "隐私", "刷屏", "举报", "申诉", "申报", "请假")


def test_claim_codes_carry_the_item() -> None:
    assert rules.claim("客户表扬") == "claim.客户表扬"
    assert rules.label("claim.客户表扬") == "客户表扬（申报）"
    assert rules.label(rules.REPOST) == "转发推广"
    # 一个叫 repost 的申报项目和转发推广各是各的代码：两种加分不会共用去重键
    assert rules.claim("repost") != rules.REPOST


def _string_constants(path: Path) -> set[str]:
    """文件里的字符串字面量，不算文档字符串和名字（任务名 `Job("duty.weekly", …)`、命令名
    `router.command("举报", …)` 与规则代码同名，但不是规则代码）。"""
    tree = ast.parse(path.read_text("utf-8"))
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if node.body and isinstance(node.body[0], ast.Expr):
                skipped.add(id(node.body[0].value))
        elif isinstance(node, ast.Call) and node.args:
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if isinstance(node.func, ast.Attribute):
                name = node.func.attr
            if name in ("Job", "command"):
                skipped.add(id(node.args[0]))
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
    }


def _written_outside_rules(folders: tuple[str, ...], codes: set[str]) -> dict[str, list[str]]:
    found = {}
    for folder in folders:
        for path in sorted((REPO / folder).rglob("*.py")):
            if path.name == "rules.py" or "migrations" in path.parts:
                continue
            if written := _string_constants(path) & codes:
                found[str(path.relative_to(REPO))] = sorted(written)
    return found


def test_ledger_codes_are_written_only_in_rules() -> None:
    """别的模块从 qungui.rules 取代码：在别处再写一遍字面量，改名或新增时就会漏掉一处。"""
    codes = set(rules.LABELS) | {rules.WARNING_PREFIX}
    assert _written_outside_rules(("qungui", "plugins"), codes) == {}


def test_builtin_filter_rule_names_are_written_only_in_rules() -> None:
    """过滤器、制度校验和 /规则统计 用同一份名字（/群规 给人看的说法另写，不在这里查）。"""
    names = set(rules.BUILTIN_FILTER_RULES)
    assert _written_outside_rules(("qungui", "plugins/warnings", "bench"), names) == {}
