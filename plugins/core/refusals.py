"""命令没有执行的两种说法：参数写得不对（回复用法），和写对了但不能这样做（原样回复原因）。"""


class UsageError(Exception):
    """参数不对：回复用法；`reason` 说明哪里不对。"""

    def __init__(self, reason: str = ""):
        super().__init__(reason)
        self.reason = reason


class Refusal(Exception):
    """拒绝执行，`message` 原样回复给用户。"""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
