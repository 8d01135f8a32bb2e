"""适配器没有的事件类型。"""

from typing import Literal

from nonebot.adapters.onebot.v11 import Adapter, NoticeEvent
from pydantic import BaseModel, Field
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


class EmojiLike(BaseModel):
    emoji_id: str = ""
    count: int = 1


class GroupMsgEmojiLikeNoticeEvent(NoticeEvent):
    """有人给机器人自己发的群消息点了表情（NapCat 的扩展；只上报机器人自己的消息）。
    `message_id` 是这个机器人账号上的编号。"""

    notice_type: Literal["group_msg_emoji_like"]
    group_id: int
    user_id: int
    message_id: int
    likes: list[EmojiLike] = Field(default_factory=list)
    is_add: bool = True

    @override
    def get_user_id(self) -> str:
        return str(self.user_id)

    @override
    def get_session_id(self) -> str:
        return f"group_{self.group_id}_{self.user_id}"


Adapter.add_custom_model(GroupMsgEmojiLikeNoticeEvent)


class EssenceNoticeEvent(NoticeEvent):
    """群精华消息设置、取消（NapCat 的扩展）。`message_id` 是这个机器人账号上的编号；
    `sender_id`（消息作者）有的版本报 0，要用 get_msg 取回原消息看作者。机器人自己 set_essence_msg
    之后也会收到一条，操作人是机器人。"""

    notice_type: Literal["essence"]
    sub_type: Literal["add", "delete"]
    group_id: int
    message_id: int
    sender_id: int = 0
    operator_id: int = 0

    @override
    def get_user_id(self) -> str:
        return str(self.operator_id)

    @override
    def get_session_id(self) -> str:
        return f"group_{self.group_id}_{self.operator_id}"


Adapter.add_custom_model(EssenceNoticeEvent)
