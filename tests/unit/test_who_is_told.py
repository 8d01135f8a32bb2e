"""谁被告知：警告升级时私聊谁、禁不禁言；待审的命中发给谁。规则在 qungui，插件只照着发。"""

from pathlib import Path

import pytest

from qungui import reviews, warning_cases
from qungui.policy import load_policies

BASE = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]


def with_people(admins: list[int], chairmen: list[int], **sections):
    org = BASE.org.model_copy(update={"admins": admins, "chairmen": chairmen})
    changed = {
        name: getattr(BASE, name).model_copy(update=values) for name, values in sections.items()
    }
    return BASE.model_copy(update={"org": org, **changed})


@pytest.mark.parametrize(
    ("admins", "chairmen", "mute_minutes", "told", "mute_seconds"),
    [
        ([30001], [30002], 0, [30002, 30001], 0),
        ([30001, 30002], [30002], 30, [30002, 30001], 1800),  # 既是主席又在管理小组：只说一次
        ([], [30002], 1, [30002], 60),
        ([30001], [], 0, [30001], 0),
        ([], [], 5, [], 300),  # 没有人可告诉：插件转告超级用户
    ],
)
def test_escalation(admins, chairmen, mute_minutes, told, mute_seconds) -> None:
    policy = with_people(admins, chairmen, warnings={"mute_minutes": mute_minutes})
    plan = warning_cases.escalation(policy)
    assert (plan.tell, plan.mute_seconds) == (told, mute_seconds)
    assert plan.tell_superusers is (not told)


@pytest.mark.parametrize(
    ("review_group", "admins", "chairmen", "group", "people"),
    [
        (555, [30001], [30002], 555, []),  # 制度指定了管理群：只发到群里
        (0, [30001], [30002], None, [30001]),  # 否则私聊管理小组
        (0, [], [30002], None, [30002]),  # 没有管理小组时私聊主席
        (0, [], [], None, []),  # 都没有：插件转告超级用户
    ],
)
def test_reviewers(review_group, admins, chairmen, group, people) -> None:
    policy = with_people(admins, chairmen, filter={"review_group": review_group})
    route = reviews.reviewers(policy)
    assert (route.group_id, route.people) == (group, people)
    assert route.tell_superusers is (group is None and not people)
