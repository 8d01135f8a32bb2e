"""内容过滤的纯函数：校验位、Luhn、链接白名单、打码、刷屏计数。"""

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qungui import content_filter
from qungui.content_filter import (
    FloodTracker,
    Scanner,
    allowed,
    defang,
    link_host,
    luhn_ok,
    redact,
    squeeze,
    valid_bank_card,
    valid_id_number,
)
from qungui.linear_regex import Pattern
from qungui.outgoing import mask_digits
from qungui.policy import parse_policy

TEST_POLICY = Path(__file__).parents[1] / "policy.toml"


@pytest.fixture(scope="module")
def policy():
    return parse_policy(tomllib.loads(TEST_POLICY.read_text("utf-8")), "tests/policy.toml")


def rules_hit(policy, text: str, own: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    return [(hit.rule, hit.excerpt) for hit in Scanner(policy).scan(text, own)]


def with_links(policy, **changes):
    links = policy.filter.links.model_copy(update=changes)
    return policy.model_copy(update={"filter": policy.filter.model_copy(update={"links": links})})


def test_id_numbers_need_a_real_birth_date_and_check_digit() -> None:
    assert valid_id_number("11010519491231002X")
    assert valid_id_number("110105194912310021") is False  # 校验位不对
    assert valid_id_number("110105194913310029") is False  # 13 月
    assert valid_id_number("11010519491231002") is False
    assert valid_id_number("411503199511083026")
    assert valid_id_number("202311270001234568") is False  # 订单号：校验位碰巧对，“出生”在 2700 年


def test_luhn_and_card_prefixes() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398714")
    assert valid_bank_card("4111 1111 1111 1111")
    assert valid_bank_card("6222-0212-3456-7890-128")
    assert valid_bank_card("6222021234567001")  # 下面 20 位对公账号的前 16 位
    assert not valid_bank_card("4111111111111112")  # Luhn 不过
    assert not valid_bank_card("1111111111111117")  # 订单号：号段不像卡


def test_keywords_ignore_case_and_full_width(policy) -> None:
    assert rules_hit(policy, "一起ＢＯ彩？不，一起博彩") == [("赌博", "博彩")]
    assert rules_hit(policy, "澳门那家非常有名的赌场") == []  # 中间隔了五个字以上
    assert rules_hit(policy, "澳门新赌场") == [("赌博", "澳门新赌场")]
    assert rules_hit(policy, "今天 10 点开会") == []


def test_links_outside_the_allow_list(policy) -> None:
    assert rules_hit(policy, "https://mp.weixin.qq.com/s/abc www.jgsjy.com") == []
    assert rules_hit(policy, "领红包 http://qq.com.evil.top/x") == [
        ("链接", "qq[.]com[.]evil[.]top")
    ]
    assert rules_hit(policy, "下载 app.evil.cn/a.apk") == [("链接", "app[.]evil[.]cn")]
    assert link_host("HTTPS://Example.COM:8080/x") == "example.com"
    assert allowed("a.b.qq.com", ["qq.com"]) and not allowed("fakeqq.com", ["qq.com"])
    assert defang("看 https://evil.top/x") == "看 hxxps://evil[.]top/x"


def test_domains_glued_to_chinese_text_are_links(policy) -> None:
    # 只写了域名（没有 http://、www.、路径）缺省不算链接；制度写 bare_domains = true 时算
    assert rules_hit(policy, "加我领红包evil.top领取") == []
    assert rules_hit(with_links(policy, bare_domains=True), "加我领红包evil.top领取") == [
        ("链接", "evil[.]top")
    ]
    assert rules_hit(policy, "看ｅｖｉｌ．ｔｏｐ／ｘ") == [("链接", "evil[.]top")]
    assert rules_hit(policy, "版本号1.2.3，官网jgsjy.com") == []


def test_per_message_patterns_run_in_linear_time(policy) -> None:
    # 链接和关键词/运维正则用 RE2（不回溯）；号码的正则每个重复都有上限，在 re 里也是线性的
    scanner = Scanner(policy)
    assert isinstance(content_filter._LINK, Pattern)
    assert all(isinstance(rule.regex, Pattern) for rule in scanner.rules)


@pytest.mark.parametrize(
    ("unit", "tail", "expected"),
    [
        ("1.", "", []),  # 旧的链接正则在这上面要回溯十几秒
        ("a-.", " 见 evil.top/x", [("链接", "evil[.]top")]),
        ("１．", "", []),
        ("qq.com ", " http://evil.top", [("链接", "evil[.]top")]),
        ("1 ", "", []),
        ("610105194912310021 ", "", []),  # 上千个不合校验位的“身份证号/卡号”
        # 规则对挤紧（去掉标点）的文字：最左边的“澳门”起算
        ("澳门", "。。。。。澳门大赌场", [("赌博", "澳门澳门大赌场")]),
    ],
)
def test_crafted_24000_character_messages_are_scanned_to_the_end(
    policy, unit: str, tail: str, expected: list
) -> None:
    text = (unit * (24000 // len(unit) + 1))[: 24000 - len(tail)] + tail
    assert len(text) == 24000
    assert rules_hit(policy, text) == expected


def test_privacy_spares_the_senders_own_phone(policy) -> None:
    own = frozenset(["13800000000"])
    assert rules_hit(policy, "我的手机 13800000000", own) == []
    assert rules_hit(policy, "王总 13912345678", own) == [("隐私", "手机号 139****5678")]
    assert rules_hit(policy, "订单 202311270001234") == []
    assert rules_hit(policy, "身份证 11010519491231002X") == [
        ("隐私", "身份证号 110***********002x")
    ]


def test_redact_hides_every_long_number() -> None:
    assert (
        redact("卡 6222 0212 3456 7890 128，电话 13912345678")
        == "卡 622************0128，电话 139****5678"
    )


@given(st.text(max_size=300))
def test_scanner_never_raises_and_excerpts_come_from_rules(text: str) -> None:
    policy = parse_policy(tomllib.loads(TEST_POLICY.read_text("utf-8")), "p")
    for hit in Scanner(policy).scan(text):
        assert hit.rule in {"赌博", "发票广告", "试运行", "链接", "隐私"}


def test_flooding_counts_per_member_within_the_window(policy) -> None:
    tracker = FloodTracker()
    hits = [tracker.add(policy, 1, 7, 100 + i, "收到") for i in range(5)]
    assert hits[:4] == [None] * 4
    assert hits[4] is not None and hits[4].excerpt == "60 秒内 5 条相同消息"
    # 触发后重新数；别人、别的群不受影响
    assert tracker.add(policy, 1, 7, 106, "收到") is None
    assert all(tracker.add(policy, 2, 7, 100 + i, "收到") is None for i in range(4))
    assert all(tracker.add(policy, 1, 8, 100 + i, "收到") is None for i in range(4))
    # 窗口外的不算
    spread = [tracker.add(policy, 3, 9, 1000 + 20 * i, "好") for i in range(10)]
    assert spread == [None] * 10


def test_flooding_by_message_count(policy) -> None:
    flood = policy.filter.flood.model_copy(update={"messages": 3, "identical": 0})
    counted = policy.model_copy(
        update={"filter": policy.filter.model_copy(update={"flood": flood})}
    )
    tracker = FloodTracker()
    hits = [tracker.add(counted, 1, 7, 100, f"第{i}条") for i in range(4)]
    assert [hit is not None for hit in hits] == [False, False, False, True]
    assert hits[3].excerpt == "60 秒内 4 条消息"


# —— 发布的制度（config/policy.toml）：垃圾广告的变形写法、正当消息 ——

SHIPPED = Path(__file__).parents[2] / "config" / "policy.toml"


@pytest.fixture(scope="module")
def shipped():
    return parse_policy(tomllib.loads(SHIPPED.read_text("utf-8")), "config/policy.toml")


def shipped_hits(shipped, text: str, own: frozenset[str] = frozenset()) -> list[tuple]:
    return [(hit.rule, hit.action, hit.excerpt) for hit in Scanner(shipped).scan(text, own)]


@pytest.mark.parametrize(
    ("text", "squeezed"),
    [
        ("赌 博", "赌博"),  # 空格
        ("赌\u200b博\u2060", "赌博"),  # 零宽字符
        ("赌😀博🎲", "赌博"),  # 表情
        ("赌★博·平台", "赌博平台"),  # 符号、间隔号
        ("Ｄ Ｕ Ｂ Ｏ", "dubo"),  # 全角、大写
        ("du-bo", "dubo"),
        ("賭博", "赌博"),  # 繁体
        ("睹愽", "赌博"),  # 形近字
        ("加　V：", "加v"),  # 全角空格、全角冒号
        ("️赌︎博", "赌博"),  # 变体选择符
    ],
)
def test_squeeze_removes_what_spammers_put_between_characters(text: str, squeezed: str) -> None:
    assert squeeze(text) == squeezed


@pytest.mark.parametrize(
    ("text", "rule", "excerpt"),
    [
        # 变形写法
        ("Ｄ Ｕ Ｂ Ｏ 平台稳定出款，需要的私聊", "赌博", "dubo"),
        ("du bo 平台", "赌博", "dubo"),
        ("睹愽平台，加微了解", "赌博", "赌博+加微"),
        ("💰赌💰博💰平💰台💰 大额无忧", "赌博", "赌博（拆开写）"),
        ("网·赌·平·台 稳定", "赌博", "网赌（拆开写）"),
        ("百 家 乐，加 V 进群", "赌博", "百家乐+加v"),
        ("想玩 bo 彩的找我", "赌博", "bo彩"),
        # 垃圾广告的行话
        ("菠菜平台招代理", "赌博", "菠菜平台"),
        ("老哥们 菠菜 哪个台子出款快？私我", "赌博", "菠菜+出款"),
        ("打牌上下分的老板看过来", "赌博", "打牌上下分"),
        ("牛牛炸金花房卡，一元一分", "赌博", "牛牛炸金花房卡"),
        ("六合彩内幕，今晚特码必中", "赌博", "特码"),
        ("新用户首充 100 送 88", "赌博", "首充100送"),
        ("时时彩计划群，加Q群 738291045", "赌博", "时时彩+加q"),
        ("同城上门服务，全套 500，加V：mm5201314", "色情", "同城上门+加v"),
        ("酒店上门 包夜全套 安全可靠", "色情", "包夜全套"),
        ("约💋炮 同城 附近", "色情", "约炮"),
        ("黄 色 视 频 群，进群费 20", "色情", "黄色视频+进群"),
    ],
)
def test_shipped_rules_catch_spam_as_spammers_write_it(shipped, text, rule, excerpt) -> None:
    assert shipped_hits(shipped, text) == [(rule, "review", excerpt)]


@pytest.mark.parametrize(
    "text",
    [
        # 话题词没有招揽的话
        "这次投标有点像赌博，大家心里有个底",
        "澳门回归纪念日，博物馆有个展览讲博彩业历史",
        "今天食堂的菠菜很新鲜",
        "房卡放前台了，明早八点退房",
        "财务明天给供应商出款，下午对账",
        "送货上门，全套酒具赠送，欢迎私聊下单",
        "扫码进群领优惠券是门店的活动",
        # 警方通知、公司禁令、提醒：有招揽的话也不算
        "【派出所提醒】远离网络赌博，凡是要你充值、拉人头的“博彩平台”都是诈骗",
        "群规：不发色情、赌博、病毒链接、无关广告",
        "公司制度重申：员工不得出入赌博场所、色情场所",
        "有人把“赌博”写成“du bo”“菠菜”绕过检测，大家要警惕",
        "反诈宣讲讲了网络赌博和裸聊敲诈，不要扫码，不要下载陌生 App",
        # 断句处不拼字：“打赌，博士……”
        "我跟他打赌，博士论文下周能交",
        # 管理员警告时写的理由描述的就是违规：命令的文字也过过滤，但不该把警告的人送去审核
        "/警告 @张三 不良信息 群里发赌博链接",
        "/警告 @李四 不良信息 发色情网址",
    ],
)
def test_shipped_rules_spare_legitimate_mentions(shipped, text) -> None:
    assert shipped_hits(shipped, text) == []


def test_a_topic_counts_only_with_a_call_and_unless_words_cancel_the_rule(policy) -> None:
    rule = policy.filter.rules[0].model_copy(
        update={
            "keywords": [],
            "patterns": [],
            "topics": ["博彩"],
            "calls": ["加v"],
            "unless": ["警方"],
        }
    )
    topical = policy.model_copy(
        update={"filter": policy.filter.model_copy(update={"rules": [rule]})}
    )
    assert rules_hit(topical, "澳门博彩业新闻") == []
    assert rules_hit(topical, "博彩 加 Ｖ 详谈") == [("赌博", "博彩+加v")]
    assert rules_hit(topical, "警方：博彩加V的都是骗子") == []


@pytest.mark.parametrize(
    "text",
    [
        "https://item.jd.com/100012043978.html",
        "https://m.tb.cn/h.5abc 淘宝",
        "https://detail.tmall.com/item.htm?id=1",
        "钉钉文档 https://alidocs.dingtalk.com/i/nodes/abc123",
        "周会 https://meeting.tencent.com/dm/k2Jx9aQw",
        "https://b23.tv/BV1xx 和 https://www.bilibili.com/video/BV1",
        "https://www.douyin.com/video/73456 https://www.zhihu.com/question/5",
        "https://mp.weixin.qq.com/s/abc 和 https://www.baidu.com/s?wd=x",
        "改签去 https://www.12306.cn/ 或 http://www.gov.cn",
        "ERP http://192.168.1.20/erp 和 http://10.0.3.15/pos",
        "http://172.20.1.5:8080/kq 和 http://127.0.0.1:3000/ 和 http://localhost:8080/x",
        # 问卷、在线文档：行政、人事天天发
        "员工满意度调查 https://www.wjx.cn/vm/abc123.aspx 周五前填完",
        "培训报名 https://www.wjx.top/vm/Xyz9.aspx",
        "活动报名表 https://jinshuju.net/f/AbC123",
        "操作手册在语雀 https://www.yuque.com/jgs/manual 和石墨 https://shimo.im/docs/abc",
        "官网 jigongshan-jiuye.com 欢迎访问",  # 只提域名：不是链接
        "对账单发到 wangzong@163.com",
        "报价单.xlsx 我发群文件了，ERP 客户端 v3.2.1",
    ],
)
def test_links_a_company_really_uses_pass(shipped, text) -> None:
    assert shipped_hits(shipped, text) == []


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("请登录 qq.com.mail-verify.cn 验证", "qq[.]com[.]mail-verify[.]cn"),
        ("账号异常 http://qq.com@evil.top/secure", "qq[.]com@evil[.]top"),
        ("账号异常 qq.com@evil.top", "qq[.]com@evil[.]top"),
        ("京东客服 jd.com-refund.top", "jd[.]com-refund[.]top"),
        ("抖音红包 douyin.hongbao-lq.site", "douyin[.]hongbao-lq[.]site"),
        ("工行积分清零 icbc-jifen.top", "icbc-jifen[.]top"),
        ("请登录 etc-renzheng。cn 更新", "etc-renzheng[.]cn"),  # 句号当点
        ("点击 sf-lipei . com 领取赔偿", "sf-lipei[.]com"),  # 带空格的点
        ("看这个 bit.ly/3xK9pQw", "bit[.]ly"),
        ("外网 http://172.32.0.1/x", "172[.]32[.]0[.]1"),  # 不在 172.16/12 里
    ],
)
def test_foreign_and_lookalike_links_are_caught(shipped, text, host) -> None:
    assert shipped_hits(shipped, text) == [("链接", "review", host)]


@pytest.mark.parametrize(
    "text",
    [
        "账号异常 https://qq.com:443@evil.top/secure",
        "京东退款 https://jd.com:x@evil.top",
    ],
)
def test_a_port_or_password_before_the_at_does_not_hide_the_real_host(shipped, text) -> None:
    # 浏览器打开的是 @ 后面的 evil.top：冒号后面的“端口”其实是用户名里的密码
    hits = shipped_hits(shipped, text)
    assert [(rule, action) for rule, action, _ in hits] == [("链接", "review")]
    assert hits[0][2].endswith("@evil[.]top")


def test_spaced_dots_only_before_a_domain_suffix_are_dots(shipped) -> None:
    assert shipped_hits(shipped, "ok. me too，see. info") == []


# 通过银行卡校验（62 开头、Luhn）的 19 位编号，和身份证号（日期、校验位都对）
CARD_LIKE = "6222021234567890128"
ID = "411503199511083026"


@pytest.mark.parametrize(
    "text",
    [
        f"天猫订单号 {CARD_LIKE} 客户要改地址",
        f"客户那单 {CARD_LIKE} 我备注了加急",
        f"今天出库两个订单：3408093270628488784、{CARD_LIKE}",
        f"扫瓶身溯源码显示 {CARD_LIKE}",
        f"防伪码：{CARD_LIKE}，刮开涂层就能看到",
        f"支付宝交易号 {CARD_LIKE}，退一笔",
        f"银行流水 {CARD_LIKE} 款已到",
        "批号 13520240315 的箱子印歪了",
        "批号 13202403131 和 15202311231 两批的酒精度差 0.3 度",
        "第 13202304031 批次的质检报告出来了",
        "快递单号 13520240315 明天到",
        f"编号 {ID} 的档案归档了",
        f"会员卡号 {CARD_LIKE} 的积分到账了",
        # 公司的对公账户、开票信息不是谁的个人信息
        f"公司对公账户 {CARD_LIKE}，户名信阳市鸡公山酒业有限公司，开户行建行信阳分行",
        f"开票信息：税号 91411500MA44K7XY3P，开户行建行，账号 {CARD_LIKE}",
        # 卡号不从一长串数字中间开始或结束：拆开写的 20 位对公账号
        "对公账户 6222 0212 3456 7001 2345，户名鸡公山酒业",
        # 一串统计数字不是手机号
        "各区销量 18 20 15 30 12 1",
        "会议号 836 527 194，仓库电话 0376-6287766",
    ],
)
def test_order_batch_and_trace_numbers_are_not_cards_ids_or_phones(shipped, text) -> None:
    assert shipped_hits(shipped, text) == []


@pytest.mark.parametrize(
    ("text", "action", "excerpt"),
    [
        # 手机号、身份证号拆开写
        ("王姐 166 0252 5076，她要婚宴用酒", "review", "手机号 166****5076"),
        ("电话 180-1266-9655", "review", "手机号 180****9655"),
        ("客户 158.3879.6969", "review", "手机号 158****6969"),
        ("电话 +86 139 1234 5678", "review", "手机号 139****5678"),
        ("电话 １３９ １２３４ ５６７８", "review", "手机号 139****5678"),
        ("快递员电话 17745652564，样品在他那", "review", "手机号 177****2564"),
        ("身份证 411503 19951108 3026", "recall", "身份证号 411***********3026"),
        ("身份证 411503-1995-1108-3026", "recall", "身份证号 411***********3026"),
        ("麻烦开个户 11010519491231002X", "recall", "身份证号 110***********002x"),
        # 银行卡：有卡号、银行、转账这类字眼才自动撤回；没有时交人看
        ("卡号 6222 0212 3456 7890 128，户名张三", "recall", "银行卡号 622************0128"),
        (f"转账到 {CARD_LIKE}，建行", "recall", "银行卡号 622************0128"),
        (f"钱打这里 {CARD_LIKE} 张明", "review", "银行卡号 622************0128"),
        # 一条消息里有手机号又有身份证号：按最重的处理
        ("王总 13912345678，身份证 11010519491231002X", "recall", "身份证号 110***********002x"),
    ],
)
def test_privacy_finds_numbers_written_with_separators(shipped, text, action, excerpt) -> None:
    assert shipped_hits(shipped, text) == [("隐私", action, excerpt)]


@pytest.mark.parametrize(
    ("text", "action", "excerpt"),
    [
        # 号码前面说了它是什么：后面顺口带一个“快递”“合同”“发票”“下单”不能把它变成编号
        (f"身份证{ID} 快递寄给你", "recall", "身份证号 411***********3026"),
        (f"张三身份证号 {ID}，合同上要用", "recall", "身份证号 411***********3026"),
        (f"卡号{CARD_LIKE} 发票", "recall", "银行卡号 622************0128"),
        (f"工资卡号{CARD_LIKE}下单前核对", "recall", "银行卡号 622************0128"),
        ("客户手机 13912345678 订单已发", "review", "手机号 139****5678"),
    ],
)
def test_a_code_word_after_a_number_named_before_it_does_not_excuse_it(
    shipped, text, action, excerpt
) -> None:
    assert shipped_hits(shipped, text) == [("隐私", action, excerpt)]


@pytest.mark.parametrize(
    ("text", "rule", "excerpt"),
    [
        # 广告里顺手写一个“提醒”“公告”“谨防”“小心”“严禁”，不能让整条规则失效
        ("温馨提醒：首充送100%彩金，秒出款，加V：abc888", "赌博", "首充送"),
        ("【公告】菠菜平台上线，注册送彩金，私聊", "赌博", "菠菜平台"),
        ("澳门葡京娱乐城，注册送彩金，谨防假冒，认准官网", "赌博", "澳门葡京娱乐城"),
        ("稳赚不赔，日赚三千，加我微信，小心骗子", "赌博", "稳赚不赔"),
        ("上门全套服务 包夜 加微 严禁未成年", "色情", "上门全套服务包夜"),
    ],
)
def test_a_warning_word_in_an_ad_with_a_call_to_action_does_not_excuse_it(
    shipped, text, rule, excerpt
) -> None:
    assert shipped_hits(shipped, text) == [(rule, "review", excerpt)]


def test_a_notice_quoting_ad_words_without_a_call_to_action_is_still_excused(shipped) -> None:
    # “上下分”里的“下分”是它自己，不是另外的招揽
    text = "今天群里的那条“上下分”是赌博广告，发的人已经移出群，感谢举报"
    assert shipped_hits(shipped, text) == []


@pytest.mark.parametrize(
    "text",
    [
        # 四个四位的金额：拼起来 16 位、碰巧通过 Luhn，可 32、56、80 开头的不是哪家卡组织的号段
        "今天四个门店收款 3200 5600 8000 9900，明天汇总",
        "各店转账 3200 5600 8000 9900",
        "打款明细 5800 6100 2300 2600 元",
    ],
)
def test_amounts_listed_four_digits_at_a_time_are_not_a_card(shipped, text) -> None:
    assert shipped_hits(shipped, text) == []


@pytest.mark.parametrize("own", ["１３８ ００００ ００００", "①③⑧⓪⓪⓪⓪⓪⓪⓪⓪", "138-0000-0000"])
def test_the_own_number_counts_whatever_digits_it_is_written_in(shipped, own: str) -> None:
    assert shipped_hits(shipped, "我电话 138 0000 0000", frozenset([own])) == []


def test_the_senders_own_number_is_compared_by_digits(shipped) -> None:
    own = frozenset(["138-0000-0000"])
    assert shipped_hits(shipped, "我电话 138 0000 0000，打不通发短信", own) == []
    assert shipped_hits(shipped, "我 138.0000.0000，王总 139 1234 5678", own) == [
        ("隐私", "review", "手机号 139****5678")
    ]


def test_redact_masks_numbers_written_with_separators() -> None:
    assert redact("王总 186 3761 2098，身份证 411503 19951108 3026") == (
        "王总 186****2098，身份证 411***********3026"
    )


@given(
    st.text(
        alphabet=st.sampled_from("1 .-x@:/。赌博加V私聊qq.comevil卡号订单😀\u200b"), max_size=80
    )
)
def test_the_shipped_scanner_never_raises_on_number_and_link_fragments(text: str) -> None:
    shipped = parse_policy(tomllib.loads(SHIPPED.read_text("utf-8")), "config/policy.toml")
    for hit in Scanner(shipped).scan(text, frozenset(["13800000000"])):
        assert hit.rule in {"赌博", "色情", "广告", "链接", "隐私"}


@pytest.mark.parametrize(
    "text",
    [
        "王总 139 8765 4321",
        "王总 139-8765-4321",
        "王总 139.8765.4321",
        "王总 1 3 9 8 7 6 5 4 3 2 1",
        "王总 +8613987654321",
        "王总 0086-139-8765-4321",
        "王总 ８６ １３９ ８７６５ ４３２１",
        "王总 ①③⑨⑧⑦⑥⑤④③②①",
        "王总 ¹³⁹⁸⁷⁶⁵⁴³²¹",
        "王总 ١٣٩٨٧٦٥٤٣٢١",
    ],
)
def test_privacy_sees_a_phone_however_it_is_written(policy, text: str) -> None:
    # 群里打码认得的写法，隐私规则也认得：拆开写、带国家码、换一种数字都躲不过
    assert rules_hit(policy, text) == [("隐私", "手机号 139****4321")]


@pytest.mark.parametrize(
    "text",
    ["王总 139 - 8765 - 4321", "王总 139·8765·4321", "王总 139—8765—4321", "王总 139・8765・4321"],
)
def test_privacy_reads_the_separators_group_masking_reads(policy, text: str) -> None:
    # 群消息打码认的分隔符（最多连着三个）隐私规则也认：群里打了码的号码，过滤不能看漏
    assert mask_digits(text) == "王总 139****4321"
    assert rules_hit(policy, text) == [("隐私", "手机号 139****4321")]


def test_privacy_spares_the_own_phone_written_apart_and_order_numbers(policy) -> None:
    own = frozenset(["13800000000"])
    assert rules_hit(policy, "我的手机 138 0000 0000", own) == []
    assert rules_hit(policy, "我的手机 +86 138-0000-0000", own) == []
    assert rules_hit(policy, "订单 202311398765432") == []
    assert rules_hit(policy, "订单 2023 1139 8765 4321") == []


def test_flooding_counts_a_message_once_however_many_accounts_report_it(policy) -> None:
    tracker = FloodTracker()
    # 三条相同的消息，每条经两个机器人账号各报一次：是 3 条，不是 6 条
    for second in range(3):
        assert tracker.add(policy, 1, 7, 100 + second, "收到", account=10000) is None
        assert tracker.add(policy, 1, 7, 100 + second, "收到", account=10001) is None
    # 同一秒发两条（同一个账号报两次）是两条：第 5 条触发
    assert tracker.add(policy, 1, 7, 103, "收到", account=10001) is None
    hit = tracker.add(policy, 1, 7, 103, "收到", account=10001)
    assert hit is not None and hit.excerpt == "60 秒内 5 条相同消息"
    # 另一个账号随后报来同样的两条：已经数过，不从头再数
    assert tracker.add(policy, 1, 7, 103, "收到", account=10000) is None
    assert tracker.add(policy, 1, 7, 103, "收到", account=10000) is None
    assert all(tracker.add(policy, 1, 7, 104 + i, "收到", account=10000) is None for i in range(4))
    assert tracker.add(policy, 1, 7, 110, "收到", account=10000) is not None


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u034f"])
def test_invisible_characters_do_not_hide_a_keyword_or_a_link(policy, invisible: str) -> None:
    # 夹在字中间的零宽字符，群里看不出来（只写域名的不算链接：这里带着路径）
    assert rules_hit(policy, f"一起赌{invisible}博") == [("赌博", "赌博")]
    assert rules_hit(policy, f"点 evil{invisible}.top/hb 领红包") == [("链接", "evil[.]top")]


def test_a_fast_flood_keeps_only_a_few_messages_per_member(policy) -> None:
    # 每条消息都要把此人记着的消息看一遍：一秒刷几千条，记着的也不能跟着涨
    tracker = FloodTracker()
    hits = [tracker.add(policy, 1, 7, 100, "刷屏", account=10000) for _ in range(5000)]
    assert sum(hit is not None for hit in hits) == 5000 // 5
    assert len(tracker._recent[(1, 7)]) <= 2 * 6
