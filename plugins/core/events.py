"""适配器没有的事件类型。"""

from typing import Literal

from nonebot.adapters.onebot.v11 import Adapter, NoticeEvent
from typing_extensions import override


class GroupCardNoticeEvent(NoticeEvent):
    """群名片变更（NapCat、LLBot 的扩展）：只在该成员下次发言时才上报，不能当作及时信号。"""

    notice_type: Literal["group_card"]
    group_id: int
    user_id: int
    card_new: str = ""
    card_old: str = ""

    @override
    def get_user_id(self) -> str:
        return str(self.user_id)

    @override
    def get_session_id(self) -> str:
        return f"group_{self.group_id}_{self.user_id}"


Adapter.add_custom_model(GroupCardNoticeEvent)
