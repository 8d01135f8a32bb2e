import re
import shutil
from pathlib import Path

import pytest

from qungui.policy import PolicyError, load_policies

SHIPPED = Path(__file__).parents[2] / "config" / "policy.toml"


def write_variant(tmp_path: Path, old: str, new: str, name: str = "policy.toml") -> Path:
    text = SHIPPED.read_text("utf-8")
    assert old in text, f"样本里没有 {old!r}"
    target = tmp_path / name
    target.write_text(text.replace(old, new, 1), "utf-8")
    return target


def problems_of(path: Path) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policies(path)
    return caught.value.problems


def test_shipped_policy_loads_with_the_jigongshan_numbers() -> None:
    policy = load_policies(SHIPPED).orgs["jgs"]
    assert policy.org.name == "鸡公山酒业"
    assert policy.nickname.daily_penalty == 10
    assert policy.share.streak_days == 27
    assert policy.share.streak_bonus == 20
    assert policy.warnings.categories["严重违规"] == [200, 2000]
    assert [rule.name for rule in policy.filter.rules] == ["赌博", "色情", "广告"]
    assert policy.filter.flood is not None and policy.filter.flood.identical == 5


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'check_time = "10:00"',
            'check_time = "25:00"',
            "nickname.check_time：应为 00:00 到 23:59",
        ),
        ("daily_penalty = 10", "daily_penalty = -10", "nickname.daily_penalty：应不小于 0"),
        ("(?P<name>", "(?P<who>", "nickname.pattern：正则里必须有 (?P<name>...) 分组"),
        ("announce = 0", "announce = 0\nsales = [1]", "groups.sales：未知的群用途"),
        ('deadline = "24:00"', 'deadline = "23:00"', 'share.deadline：本版本只支持 "24:00"'),
        ('"未进群" = 50', '"未进群" = -50', "warnings.categories.未进群：扣分应为非负整数"),
        ("[200, 2000]", "[2000, 200]", "warnings.categories.严重违规：范围应写作 [下限, 上限]"),
        ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Base"', "org.timezone：应为时区名"),
        ("admin_max = 50", 'admin_max = "五十"', "limits.admin_max：应为整数"),
        ("grace_days = 3", "grace_dayz = 3", "nickname.grace_dayz：未知的键"),
        (
            'action = "recall"',
            'action = "delete"',
            "filter.privacy.action：应为 review、warn、recall、shadow 之一",
        ),
        (
            'category = "口头警告"\naction = "review"',
            'category = "口头批评"\naction = "review"',
            "filter.flood.category：类别 '口头批评' 不在 warnings.categories 里",
        ),
        (
            "'澳门.{0,4}(赌场|娱乐城)',",
            "'澳门(赌场',",
            "filter.rules 第 1 个.patterns 第 1 个：不是有效的正则表达式",
        ),
        # 过滤规则的正则每条消息都要跑：只收 RE2 能编译的（线性时间），回溯才能做到的写法加载时拒绝
        (
            "'澳门.{0,4}(赌场|娱乐城)',",
            r"'(澳门)\1赌场',",
            "filter.rules 第 1 个.patterns 第 1 个：不是有效的正则表达式（invalid escape sequence: \\1）。"
            "过滤规则的正则每条消息都要跑，只能用 RE2 语法",
        ),
        (
            "'澳门.{0,4}(赌场|娱乐城)',",
            "'赌场', '(?<!不去)澳门',",
            "filter.rules 第 1 个.patterns 第 2 个：不是有效的正则表达式（invalid perl operator: (?<!）",
        ),
        (
            "'澳门.{0,4}(赌场|娱乐城)',",
            "'加我(?=微信)',",
            "不支持反向引用（\\1）和环视（(?=…)、(?!…)、(?<=…)、(?<!…)）",
        ),
        # 能匹配空字符串的正则（多打了一个“|”、整条都是可有可无）每条消息都会命中：加载时拒绝
        (
            "'(稳赚不赔|日赚|回血群|包回本)',",
            "'(稳赚不赔|日赚|回血群|包回本|)',",
            "filter.rules 第 1 个.patterns 第 10 个：'(稳赚不赔|日赚|回血群|包回本|)' 能匹配空字符串，"
            "每条消息都会命中",
        ),
        (
            "'(稳赚不赔|日赚|回血群|包回本)',",
            "'(稳赚不赔|日赚)?',",
            "filter.rules 第 1 个.patterns 第 10 个：'(稳赚不赔|日赚)?' 能匹配空字符串",
        ),
        (
            "'(稳赚不赔|日赚|回血群|包回本)',",
            "'\\b',",
            "filter.rules 第 1 个.patterns 第 10 个：'\\\\b' 能匹配空字符串",
        ),
        (
            'name = "色情"\ncategory = "不良信息"\naction = "review"',
            'name = "色情"\ncategory = "严重违规"\naction = "warn"',
            "filter.rules 第 2 个.action：类别 '严重违规' 的分值是范围，须由主席定数额，只能用 review 或 shadow",
        ),
        (
            'name = "广告"',
            'name = "刷屏"',
            "filter.rules 第 3 个：规则名 刷屏 留给内置规则，请换一个",
        ),
        (
            'post_time = "09:00"',
            'post_time = "00:30"',
            "leaderboard.post_time：1 日 00:30 公布就会结算上月，早于分享宽限截止 "
            "share.grace_until（02:00）：上月最后一天的分享还没到齐。"
            "请把 post_time 设为 02:00 或更晚，或把 post_day 改为 2 及以后",
        ),
        (
            'grace_until = "02:00"',
            'grace_until = "10:00"',
            "leaderboard.post_time：1 日 09:00 公布就会结算上月，早于分享宽限截止 "
            "share.grace_until（10:00）",
        ),
    ],
)
def test_bad_policy_names_the_key_and_what_was_expected(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    problems = problems_of(write_variant(tmp_path, old, new))
    assert len(problems) == 1
    assert expected in problems[0]
    assert problems[0].startswith(str(tmp_path / "policy.toml"))


ADS_RULE = '[[filter.rules]]\nname = "广告"'


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            'topics = ["博彩"]',
            "filter.rules 第 3 个.calls：写了 topics（话题词）就要写 calls（招揽词",
        ),
        (
            'keywords = ["网投"]\ncalls = ["私聊"]',
            "filter.rules 第 3 个.topics：写了 calls（招揽词）就要写 topics",
        ),
        (
            'topics = ["出款"]\ncalls = ["私聊", "出 款"]',
            "filter.rules 第 3 个.calls 第 2 个：'出 款' 也在 topics 里，单独出现就会命中；要单独算就写进 keywords",
        ),
        (
            'keywords = ["网投", "！！"]',
            "filter.rules 第 3 个.keywords 第 2 个：'！！' 去掉空格、标点和符号后什么也不剩，永远不会命中",
        ),
        (
            'topics = ["博彩"]\ncalls = ["加v"]\nunless = [" "]',
            "filter.rules 第 3 个.unless 第 1 个：",
        ),
        ("", "filter.rules 第 3 个.keywords：keywords、patterns、topics 至少写一个"),
        ('keywords = ["网投"]\nneeds = ["私聊"]', "filter.rules 第 3 个.needs：未知的键"),
    ],
)
def test_keyword_rule_keys_are_checked_by_name(tmp_path: Path, rule: str, expected: str) -> None:
    added = f'[[filter.rules]]\nname = "试验"\ncategory = "不良信息"\n{rule}\n\n{ADS_RULE}'
    problems = problems_of(write_variant(tmp_path, ADS_RULE, added))
    assert len(problems) == 1
    assert expected in problems[0]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '"qq.com", "weixin.qq.com"',
            '"https://qq.com", "weixin.qq.com"',
            "filter.links.allow 第 1 个：应为域名",
        ),
        (
            "bare_domains = false",
            'bare_domains = "也许"',
            "filter.links.bare_domains：应为 true 或 false",
        ),
        (
            'phone_action = "review"',
            'phone_action = "call"',
            "filter.privacy.phone_action：应为 review、warn、recall、shadow 之一",
        ),
        (
            'code_words = ["订单",',
            'code_words = ["", "订单",',
            "filter.privacy.code_words 第 1 个：不能为空",
        ),
        (
            'card_context = ["卡号",',
            'card_context = [6222, "卡号",',
            "filter.privacy.card_context 第 1 个：应为字符串",
        ),
    ],
)
def test_link_and_privacy_keys_are_checked_by_name(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    problems = problems_of(write_variant(tmp_path, old, new))
    assert len(problems) == 1
    assert expected in problems[0]


def test_phone_action_on_a_range_category_needs_a_person(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'phone_action = "review"', 'phone_action = "recall"')
    text = path.read_text("utf-8").replace(
        "[filter.privacy]                # 隐私：身份证号、银行卡号、别人的手机号（自己名片上的号码不算）\n"
        'category = "泄露他人信息"\naction = "recall"',
        '[filter.privacy]\ncategory = "严重违规"\naction = "review"',
    )
    path.write_text(text, "utf-8")
    assert problems_of(path) == [
        f"{path}: filter.privacy.phone_action：类别 '严重违规' 的分值是范围，须由主席定数额，"
        "只能用 review 或 shadow"
    ]


def test_old_policy_files_without_the_new_keys_keep_working() -> None:
    policy = load_policies(Path(__file__).parents[1] / "policy.toml").orgs["jgs"]
    privacy, links = policy.filter.privacy, policy.filter.links
    assert privacy.phone_action is None and "订单" in privacy.code_words
    assert "开户行" in privacy.card_context and links.bare_domains is False


def test_a_month_closed_after_its_last_share_can_arrive_loads(tmp_path: Path) -> None:
    late_grace = write_variant(tmp_path, 'grace_until = "02:00"', 'grace_until = "10:00"')
    text = late_grace.read_text("utf-8").replace("post_day = 1", "post_day = 2", 1)
    late_grace.write_text(text, "utf-8")
    assert load_policies(late_grace).orgs["jgs"].leaderboard.post_day == 2
    same = write_variant(tmp_path, 'post_time = "09:00"', 'post_time = "02:00"', "same.toml")
    assert load_policies(same).orgs["jgs"].leaderboard.post_time == "02:00"


def test_every_problem_gets_its_own_line(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'check_time = "10:00"', 'check_time = "25:00"')
    text = path.read_text("utf-8").replace("daily_penalty = 10", "daily_penalty = -1")
    path.write_text(text, "utf-8")
    problems = problems_of(path)
    assert [p.split("：")[0].split(": ")[1] for p in problems] == [
        "nickname.check_time",
        "nickname.daily_penalty",
    ]


def test_not_toml_is_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("[org\nid=", "utf-8")
    assert "不是有效的 TOML" in problems_of(path)[0]


def test_a_gbk_file_names_the_encoding_in_chinese(tmp_path: Path) -> None:
    # 记事本或 WPS 常把中文文件存成 GBK：说清楚是编码不对、怎么改，而不是抛出 UnicodeDecodeError
    path = tmp_path / "policy.toml"
    path.write_bytes(SHIPPED.read_text("utf-8").encode("gbk"))
    lines = SHIPPED.read_text("utf-8").splitlines()
    first_chinese = next(n for n, line in enumerate(lines, start=1) if not line.isascii())
    assert problems_of(path) == [
        f"{path}: 不是 UTF-8 编码（第 {first_chinese} 行起，可能是 GBK）：请用 UTF-8 保存"
    ]


def test_a_utf8_file_with_a_bom_loads(tmp_path: Path) -> None:
    # Windows 记事本“UTF-8 带 BOM”
    path = tmp_path / "policy.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SHIPPED.read_bytes())
    assert load_policies(path).orgs["jgs"].org.name == "鸡公山酒业"


def test_missing_file(tmp_path: Path) -> None:
    assert "制度文件不存在" in problems_of(tmp_path / "nope.toml")[0]


def test_folder_loads_every_org_and_refuses_a_shared_group(tmp_path: Path) -> None:
    folder = tmp_path / "orgs"
    folder.mkdir()
    write_variant(folder, "work = []", "work = [111]", "a.toml")
    write_variant(folder, 'id = "jgs"', 'id = "other"', "b.toml")
    loaded = load_policies(folder)
    assert sorted(loaded.orgs) == ["jgs", "other"]
    assert loaded.org_of_group(111).id == "jgs"

    text = (folder / "b.toml").read_text("utf-8").replace("work = []", "work = [111]")
    (folder / "b.toml").write_text(text, "utf-8")
    problems = problems_of(folder)
    assert len(problems) == 1
    assert "群 111 已属于组织 'jgs'" in problems[0]


def test_same_org_id_twice_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "orgs"
    folder.mkdir()
    shutil.copy(SHIPPED, folder / "a.toml")
    shutil.copy(SHIPPED, folder / "b.toml")
    assert "组织标识 'jgs' 已在另一个文件里使用" in problems_of(folder)[0]


def test_a_missing_roster_file_stops_start_up(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'file = ""', 'file = "nowhere/roster.csv"')
    assert problems_of(path) == [f"{path}: roster.file：名单文件 nowhere/roster.csv 不存在"]


def test_a_card_pattern_that_backtracks_exponentially_is_refused(tmp_path: Path) -> None:
    # 每条消息都用名片正则认发言人自己的号码：(\w+)+ 遇上“鸡公山酒业-aaaa…a!”这样一张名片
    # （28 个字母，QQ 名片放得下）要回溯几十秒，机器人跟着掉线
    path = write_variant(tmp_path, r"(?P<name>[\u4e00-\u9fa5·]{2,12})", r"(?P<name>(\w+)+)")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}: nickname.pattern：重复里不能再套重复或多选一")
    # 单层重复、可选的分组、多选一的字符都照常可用
    for pattern in (
        r"(?P<name>(?:[\u4e00-\u9fa5]|[A-Za-z ]){2,20})",
        r"(?P<name>.+?)(?:-(?P<phone>1[3-9]\d{9}))?",
    ):
        target = tmp_path / "ok"
        target.mkdir(exist_ok=True)
        ok = write_variant(
            target,
            r"'^鸡公山酒业-(?P<name>[\u4e00-\u9fa5·]{2,12})-(?P<phone>1[3-9]\d{9})$'",
            f"'^鸡公山酒业-{pattern}$'"
            if "phone" in pattern
            else f"'^鸡公山酒业-{pattern}-1\\d{{10}}$'",
        )
        assert load_policies(ok).orgs["jgs"].nickname.pattern


def test_the_hr_group_may_not_be_a_group_where_everyone_sits(tmp_path: Path) -> None:
    """积分表里有全员的 QQ 号和每条记录（/导出 只私聊发）：传到公司群、分享群的群文件就人人可见，
    另一个组织的群也一样。"""
    path = write_variant(tmp_path, "hr_group = 0", "hr_group = 222")
    text = path.read_text("utf-8").replace("share = []", "share = [222]", 1)
    path.write_text(text, "utf-8")
    assert problems_of(path) == [
        f"{path}: leaderboard.hr_group：群 222 是本组织的公司群或分享群，人人都看得到群文件；"
        "积分表里有全员的记录，只能传到人事自己的群"
    ]

    folder = tmp_path / "orgs"
    folder.mkdir()
    write_variant(folder, "hr_group = 0", "hr_group = 333", "a.toml")
    write_variant(folder, 'id = "jgs"', 'id = "other"', "b.toml")
    assert load_policies(folder).orgs["jgs"].leaderboard.hr_group == 333  # 人事自己的群：可以
    text = (folder / "b.toml").read_text("utf-8").replace("work = []", "work = [333]", 1)
    (folder / "b.toml").write_text(text, "utf-8")
    assert problems_of(folder) == [
        f"{folder / 'a.toml'}: leaderboard.hr_group：群 333 属于组织 'other'，"
        "积分表里有本组织全员的记录，只能传到人事自己的群"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # 运维读的每一行都是中文：pydantic 的英文说明按错误类型换成“应该怎么写”
        ("self_request = true", 'self_request = "也许"', "leave.self_request：应为 true 或 false"),
        (
            "admin_max = 50",
            "admin_max = 50.5",
            "limits.admin_max：应为整数（不能带小数）（现在是 50.5）",
        ),
        (
            '"未进群" = 50',
            '"未进群" = 2.5',
            "warnings.categories.未进群：应为整数（不能带小数），或应为列表（[…]）（现在是 2.5）",
        ),
        (
            "# enforce_from = 2026-12-01",
            'enforce_from = "2026/12/01"',
            "nickname.enforce_from：应为日期，写作 2026-10-01（现在是 '2026/12/01'）",
        ),
        (
            "# enforce_from = 2026-12-01",
            "enforce_from = 2026-12-01T08:00:00",
            "nickname.enforce_from：应为日期，写作 2026-10-01（不带钟点）",
        ),
        (
            'id = "jgs"',
            'id = "鸡公山"',
            "org.id：只能用小写英文字母、数字、- 和 _，1 到 32 个字符，例如 jgs（现在是 '鸡公山'）",
        ),
        ('name = "鸡公山酒业"', "name = 5", "org.name：应为字符串（用引号括起来）（现在是 5）"),
        # 列表里的位置从 1 数起：运维数的是第几个，不是下标
        ("admins = []", "admins = [30001, -3]", "org.admins 第 2 个：应大于 0（现在是 -3）"),
        ('bottom_title = "下月加油："', 'bottom_title = ""', "leaderboard.bottom_title：不能为空"),
        ("exclude = []", "exclude = [0]", "leaderboard.exclude 第 1 个：应大于 0"),
        (
            "exclude_chairmen = false",
            'exclude_chairmen = "是"',
            "leaderboard.exclude_chairmen：应为 true 或 false",
        ),
    ],
)
def test_every_problem_is_in_chinese_with_positions_from_one(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    problems = problems_of(write_variant(tmp_path, old, new))
    assert len(problems) == 1
    assert problems[0].startswith(f"{tmp_path / 'policy.toml'}: {expected}")
    assert not re.search(r"[A-Za-z]{3,} [a-z]{3,}", problems[0].split(": ", 1)[1])


def test_a_type_without_a_translation_is_still_said_in_chinese(tmp_path: Path) -> None:
    # 没有翻译的错误类型（这里是 pydantic 的“不是合法的时区”以外的任何一种）不把英文漏给运维
    from qungui.policy import OTHER_PROBLEM, _problems

    errors = [
        {
            "type": "uuid_parsing",
            "loc": ("org", "id"),
            "msg": "Input should be a UUID",
            "input": "x",
        }
    ]
    assert _problems(errors) == [f"org.id：{OTHER_PROBLEM}（现在是 'x'）"]
