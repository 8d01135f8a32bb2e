"""数据表。每张表都带组织标识 `org`；积分只存在于账本 `LedgerEntry`。"""

from tortoise import fields
from tortoise.models import Model


class Member(Model):
    """在某个组织的群里见过的人（入群、扫描或发言），用于“谁参与统计”和显示名字。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    group_id = fields.BigIntField()
    user_id = fields.BigIntField()
    card = fields.CharField(max_length=128, default="")
    nickname = fields.CharField(max_length=128, default="")
    role = fields.CharField(max_length=8, default="member", description="owner/admin/member")
    first_seen = fields.DatetimeField()
    last_seen = fields.DatetimeField()
    left_at = fields.DatetimeField(null=True)
    joined_at = fields.DatetimeField(null=True, description="最近一次入群时间：宽限从这里算起")
    card_ok = fields.BooleanField(
        null=True, description="最近一次看到的名片是否规范；None 表示还没检查过"
    )
    card_changed_at = fields.DatetimeField(null=True, description="名片变规范或变不规范的时刻")

    class Meta:
        table = "member"
        unique_together = (("org", "group_id", "user_id"),)
        indexes = (("org", "user_id"),)


class LedgerEntry(Model):
    """积分账本的一行：只追加，不修改，不删除；更正写一条指向原记录的撤销记录。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    user_id = fields.BigIntField()
    delta = fields.IntField()
    rule = fields.CharField(max_length=64)
    business_date = fields.DateField()
    created_at = fields.DatetimeField()
    actor_id = fields.BigIntField(null=True, description="None 表示系统")
    actor_role = fields.CharField(max_length=16)
    reason = fields.TextField(default="")
    ref = fields.CharField(max_length=128, null=True)
    dedupe_key = fields.CharField(max_length=191, null=True, unique=True)
    reverses = fields.IntField(null=True, unique=True, description="被撤销记录的编号")

    class Meta:
        table = "ledger_entry"
        # 最后一个：按规则数一段日子（谁哪天分享了、哪些被撤销了）时只读索引，不回表
        indexes = (
            ("org", "user_id", "business_date"),
            ("org", "business_date"),
            ("org", "rule", "business_date", "user_id"),
        )


class CommandKey(Model):
    """写入账本的命令所对应的事件：同一事件重放、重连、重启都不会再写一次。"""

    key = fields.CharField(max_length=191, primary_key=True)
    org = fields.CharField(max_length=32)
    entry_id = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "command_key"


class MonthTotal(Model):
    """每人每月的合计，由账本派生：与账本行在同一事务里写入，可随时由账本重建。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    user_id = fields.BigIntField()
    month = fields.CharField(max_length=7)
    points = fields.IntField(default=0)
    share_days = fields.IntField(default=0)
    entries = fields.IntField(default=0)

    class Meta:
        table = "month_total"
        unique_together = (("org", "user_id", "month"),)
        indexes = (("org", "month", "points"),)


class JobRun(Model):
    """定时任务的认领：每个 (任务, 组织, 周期) 只会有一行，先认领后执行。"""

    id = fields.IntField(primary_key=True)
    job = fields.CharField(max_length=64)
    org = fields.CharField(max_length=32)
    period = fields.CharField(max_length=32)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    late = fields.BooleanField(default=False)
    note = fields.TextField(default="")

    class Meta:
        table = "job_run"
        unique_together = (("job", "org", "period"),)


class AbsenceCase(Model):
    """名单上的人没有进公司群（没有成员的名片对上这一行，这一行的 QQ 也不在群里）：从发现到进群为止。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    phone = fields.CharField(max_length=32)
    name = fields.CharField(max_length=64)
    qq = fields.BigIntField(null=True)
    opened_at = fields.DatetimeField()
    chairmen_told_at = fields.DatetimeField(null=True)
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "absence_case"
        indexes = (("org", "phone"),)


class Share(Model):
    """分享群里一条够字数（或转发、卡片）的消息：是否原创、记到哪天、得分记录。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    group_id = fields.BigIntField()
    user_id = fields.BigIntField()
    # 最先收到它的那个机器人账号上的编号（每个账号的编号不同，去重用 event_key）
    message_id = fields.BigIntField()
    event_key = fields.CharField(
        max_length=191,
        null=True,
        unique=True,
        description="消息的身份，与经哪个机器人账号收到无关；升级前记下的分享为 None",
    )
    sent_at = fields.DatetimeField(description="事件自带的 time")
    text_hash = fields.CharField(max_length=40, description="规范化文字的 SHA-1；没有文字为空")
    chars = fields.IntField()
    original = fields.BooleanField()
    reason = fields.CharField(max_length=32, default="", description="不算原创的原因")
    share_day = fields.DateField(null=True, description="记到哪一天；没得分为 None")
    entry_id = fields.IntField(null=True, description="share.daily 记录的编号")

    class Meta:
        table = "share"
        unique_together = (("org", "group_id", "user_id", "message_id", "sent_at"),)
        indexes = (("org", "text_hash"), ("org", "user_id", "share_day"))


class WarningCase(Model):
    """一次警告：谁、什么类别、扣几分、理由、证据；以账本里那条 warn.<类别> 记录的编号为准。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    group_id = fields.BigIntField()
    user_id = fields.BigIntField()
    category = fields.CharField(max_length=32)
    points = fields.IntField()
    reason = fields.TextField(default="")
    actor_id = fields.BigIntField(null=True)
    actor_role = fields.CharField(max_length=16)
    created_at = fields.DatetimeField()
    evidence_text = fields.TextField(default="")
    evidence_types = fields.CharField(max_length=128, default="")
    evidence_message_id = fields.BigIntField(null=True)
    entry_id = fields.IntField(null=True, unique=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_by = fields.BigIntField(null=True)
    revoked_reason = fields.TextField(default="")

    class Meta:
        table = "warning_case"
        indexes = (("org", "user_id", "created_at"),)


class FilterHit(Model):
    """内容过滤或举报的一次命中。待审的命中以“审N”（N 为本表编号）称呼，只能 /确认 或 /驳回。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    group_id = fields.BigIntField()
    user_id = fields.BigIntField()
    rule = fields.CharField(max_length=16)
    category = fields.CharField(max_length=32)
    action = fields.CharField(max_length=8, description="review / warn / recall / shadow")
    status = fields.CharField(
        max_length=12, description="pending / confirmed / dismissed / warned / shadow"
    )
    hit_key = fields.CharField(
        max_length=200, unique=True, description="同一条消息同一规则只记一次"
    )
    message_id = fields.BigIntField(null=True)
    text = fields.TextField(default="", description="消息文字（截断到 500 字）")
    types = fields.CharField(max_length=128, default="")
    excerpt = fields.CharField(max_length=128, default="")
    reporter_id = fields.BigIntField(null=True)
    report_reason = fields.TextField(default="")
    created_at = fields.DatetimeField()
    decided_by = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_note = fields.TextField(default="")
    decided_key = fields.CharField(
        max_length=191, null=True, description="做出确认或驳回的那条命令的消息身份：认出重放"
    )
    entry_id = fields.IntField(null=True, description="由此立案的警告在账本里的编号")
    recalled = fields.BooleanField(default=False)

    class Meta:
        table = "filter_hit"
        indexes = (("org", "created_at"),)


class MonthStanding(Model):
    """月底公布时那个月的排行快照：以后再看 /排行 2026-10，看到的就是当时公布的（人走了也在）。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    month = fields.CharField(max_length=7)
    user_id = fields.BigIntField()
    rank = fields.IntField()
    name = fields.CharField(max_length=64, description="公布时显示的名字（不含电话）")
    points = fields.IntField()
    share_days = fields.IntField()
    streak = fields.BooleanField(description="拿到了连续分享奖励")
    created_at = fields.DatetimeField()

    class Meta:
        table = "month_standing"
        unique_together = (("org", "month", "user_id"),)


class MonthClose(Model):
    """一个月离开“开放”的时刻（docs/design.md“一个月的状态”）：开始月底结算、冻结。没有这一行的月份是开放的。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    month = fields.CharField(max_length=7)
    settling_since = fields.DatetimeField(description="月底结算开始：此后不再补分享、判非原创")
    frozen_at = fields.DatetimeField(null=True, description="冻结：此后账本不再收这个月的记录")

    class Meta:
        table = "month_close"
        unique_together = (("org", "month"),)


class CardEnforcement(Model):
    """一个工作群从何时起检查名片、算宽限：第一次检查这个群的时刻（制度写了 enforce_from 时不用它）。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    group_id = fields.BigIntField()
    since = fields.DatetimeField()

    class Meta:
        table = "card_enforcement"
        unique_together = (("org", "group_id"),)


class BotPresence(Model):
    """哪个机器人账号此刻连在某个进程上：多个进程共用一个库时，据此决定群里由谁回答。"""

    id = fields.IntField(primary_key=True)
    self_id = fields.BigIntField(unique=True)
    seen_at = fields.DatetimeField(description="最近一次心跳（真实时间，不是业务时钟）")
    process = fields.CharField(max_length=64, default="")

    class Meta:
        table = "bot_presence"


class Notice(Model):
    """一条要大家确认的通知（/通知）：发到哪个群、谁发的、截止到什么时候、截止时的提醒由谁认领。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    group_id = fields.BigIntField()
    sender_id = fields.BigIntField()
    text = fields.TextField()
    named = fields.BooleanField(default=False, description="只发给点名的人（/通知 @某人 内容）")
    created_at = fields.DatetimeField()
    deadline = fields.DatetimeField()
    event_key = fields.CharField(
        max_length=191, null=True, unique=True, description="发通知那条命令的消息身份：认出重放"
    )
    bot_id = fields.BigIntField(null=True, description="发出通知的机器人账号：消息编号只对它有效")
    message_ids = fields.CharField(
        max_length=255, default="", description="通知在 bot_id 账号上的消息编号，逗号分隔"
    )
    reminded_at = fields.DatetimeField(
        null=True, description="截止时的提醒、处罚和报告由哪个时刻的走动认领：只做一次"
    )
    withdrawn_at = fields.DatetimeField(null=True)
    withdrawn_by = fields.BigIntField(null=True)

    class Meta:
        table = "notice"
        indexes = (("org", "group_id"), ("reminded_at", "deadline"))


class NoticeTarget(Model):
    """通知要确认的一个人：发通知时就定下（之后进群的人不问）；确认了记下何时、怎么确认、是否迟到。"""

    id = fields.IntField(primary_key=True)
    notice_id = fields.IntField()
    user_id = fields.BigIntField()
    acked_at = fields.DatetimeField(null=True)
    how = fields.CharField(max_length=8, default="", description="quote / word / emoji")
    late = fields.BooleanField(default=False)

    class Meta:
        table = "notice_target"
        unique_together = (("notice_id", "user_id"),)


class Appeal(Model):
    """成员对一条账本记录的申诉。它在审核队列里的那一行（`filter_hit`，规则名“申诉”）给出 审N、
    待审/确认/驳回和谁决定；这里记申诉针对哪条记录、那条记录是谁写的（决定人回避用），成立时写的撤销记录。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    review_id = fields.IntField(unique=True, description="审核队列里的编号（审N）")
    entry_id = fields.IntField(unique=True, description="被申诉的记录：每条记录只能申诉一次")
    user_id = fields.BigIntField()
    entry_rule = fields.CharField(max_length=64)
    entry_actor_id = fields.BigIntField(null=True, description="写那条记录的人；None 表示系统")
    entry_actor_role = fields.CharField(max_length=16, default="")
    text = fields.TextField(default="")
    created_at = fields.DatetimeField()
    reversal_id = fields.IntField(null=True, description="申诉成立时写的撤销记录")

    class Meta:
        table = "appeal"
        indexes = (("org", "user_id"),)


class Campaign(Model):
    """一次转发推广（推N）：管理员开出，成员在 claim_until 前申报已转发，due_at 起交管理员一次审完。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    group_id = fields.BigIntField()
    title = fields.TextField(default="")
    message_id = fields.BigIntField(null=True, description="回复 /推广 时被回复的那条公司推文")
    opened_by = fields.BigIntField()
    opened_at = fields.DatetimeField()
    claim_until = fields.DatetimeField(description="申报截止")
    due_at = fields.DatetimeField(description="保持天数过后：申报交管理员审核")
    event_key = fields.CharField(
        max_length=191, null=True, unique=True, description="开推广那条命令的消息身份：认出重放"
    )
    review_sent_at = fields.DatetimeField(
        null=True, description="到期时给管理员的审核消息由哪次走动认领：只发一次"
    )
    decided_by = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    decided_key = fields.CharField(max_length=191, null=True)

    class Meta:
        table = "campaign"
        indexes = (("org", "review_sent_at"),)


class Claim(Model):
    """成员申报机器人看不到的事（制度 `[claims.items]` 的一项，或某次转发推广）。
    审核队列里的那一行（规则名“申报”）给出 审N 和决定；确认时写的分数和记录在这里。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    review_id = fields.IntField(unique=True, description="审核队列里的编号（审N）")
    group_id = fields.BigIntField()
    user_id = fields.BigIntField()
    item = fields.CharField(max_length=32, default="", description="申报的项目；转发推广为空")
    campaign_id = fields.IntField(null=True, description="转发推广的编号（推N）")
    day = fields.DateField(description="申报那天（组织时区的营业日）")
    slot_key = fields.CharField(
        max_length=191, unique=True, description="每人每项每天几次、每次推广一次：占一个名额"
    )
    images = fields.TextField(default="", description="截图的链接或文件名，换行分隔")
    text = fields.TextField(default="")
    created_at = fields.DatetimeField()
    points = fields.IntField(null=True, description="确认时定的分数")
    entry_id = fields.IntField(null=True)

    class Meta:
        table = "claim"
        indexes = (("org", "campaign_id"), ("org", "user_id"))


class Leave(Model):
    """一个人的一次请假（假N，N 为本表编号）：首尾两天都算。节假日不在这里，来自制度 `[calendar]`。

    管理员记的直接生效；成员自己申请的在审核队列里有一行（`review_id`，规则名“请假”），确认后才生效。
    撤销只去掉还没过去的日子：`cut_from` 起（含）不再算请假，之前的照旧。"""

    id = fields.IntField(primary_key=True)
    org = fields.CharField(max_length=32)
    user_id = fields.BigIntField()
    group_id = fields.BigIntField(null=True, description="在哪个群里记的或申请的")
    first_day = fields.DateField()
    last_day = fields.DateField()
    reason = fields.TextField(default="")
    status = fields.CharField(max_length=12, description="pending / approved / refused / revoked")
    created_by = fields.BigIntField(description="记下的管理员，或申请的本人")
    created_at = fields.DatetimeField()
    event_key = fields.CharField(
        max_length=191, unique=True, description="记下或申请的那条命令的消息身份：认出重放"
    )
    review_id = fields.IntField(null=True, unique=True, description="成员申请时审核队列里的编号")
    decided_by = fields.BigIntField(null=True)
    decided_at = fields.DatetimeField(null=True)
    cut_from = fields.DateField(null=True, description="撤销后从这天起（含）不再算请假")
    revoked_by = fields.BigIntField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    revoked_key = fields.CharField(
        max_length=191, null=True, description="撤销的那条命令的消息身份：认出重放"
    )

    class Meta:
        table = "leave"
        indexes = (("org", "first_day"), ("org", "user_id"))


class WebToken(Model):
    """`/后台` 发出的登录链接里的令牌：只存摘要（库被人看到也拿不到能用的链接），用一次作废。"""

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True, description="令牌的 sha256 十六进制")
    org = fields.CharField(max_length=32)
    user_id = fields.BigIntField()
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True, description="兑换成会话的时刻；None 表示还没用过")

    class Meta:
        table = "web_token"


class WebSession(Model):
    """网页后台的一次登录：浏览器 Cookie 里是会话号，这里只存它的摘要。身份不存：每次请求重新算。"""

    id = fields.IntField(primary_key=True)
    session_hash = fields.CharField(max_length=64, unique=True, description="会话号的 sha256")
    org = fields.CharField(max_length=32)
    user_id = fields.BigIntField()
    csrf = fields.CharField(max_length=64, description="这次登录里每个表单要带的令牌")
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()

    class Meta:
        table = "web_session"
