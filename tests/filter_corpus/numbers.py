"""语料里用的号码：编造的，但身份证号校验位、银行卡 Luhn 都是对的（标成违规的那些必须“像真的”）。

生成器（generate.py）和语料测试共用这里的校验，不依赖 qungui 的实现。
"""

from __future__ import annotations

import random
from datetime import date, timedelta

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def id_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True))
    if ID_CHECK[total % 11] != number[17].upper():
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_complete(head: str) -> str:
    """补一位校验位，使整串通过 Luhn。"""
    return next(head + d for d in "0123456789" if luhn_ok(head + d))


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit() or ch in "Xx")


# 信阳市各区县和几个外地的行政区划代码
REGIONS = ("411502", "411503", "411521", "411522", "411524", "411525", "411526", "410102", "420106")
CARD_BINS = ("622202", "621700", "622848", "621661", "621483", "622588", "623668", "621226")
MOBILE = ("133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158", "159",
          "166", "177", "180", "182", "185", "186", "187", "188", "189", "191", "198", "199")  # fmt: skip


class Numbers:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def phone(self) -> str:
        return self.rng.choice(MOBILE) + self.digits(8)

    def id_card(self) -> str:
        born = date(1962, 1, 1) + timedelta(days=self.rng.randrange(0, 40 * 365))
        head = self.rng.choice(REGIONS) + born.strftime("%Y%m%d") + self.digits(3)
        total = sum(int(d) * w for d, w in zip(head, ID_WEIGHTS, strict=True))
        number = head + ID_CHECK[total % 11]
        assert id_ok(number)
        return number

    def bank_card(self) -> str:
        length = self.rng.choice((16, 19, 19))
        head = self.rng.choice(CARD_BINS)
        return luhn_complete(head + self.digits(length - len(head) - 1))

    def order(self) -> str:
        """天猫/淘宝订单号：18–19 位。故意挑以 3–6 开头又碰巧过 Luhn 的——最难的那种。"""
        length = self.rng.choice((18, 19))
        return luhn_complete(self.rng.choice("3456") + self.digits(length - 2))

    def trace(self) -> str:
        """溯源码：16 或 18 位，同样碰巧过 Luhn。"""
        return luhn_complete(self.rng.choice("56") + self.digits(self.rng.choice((14, 16))))

    def batch(self) -> str:
        """批号：生产线号（13–19）+ 生产日期，11 位，长得像手机号。"""
        line = self.rng.choice(("13", "135", "15", "18", "17"))
        day = date(2023, 1, 1) + timedelta(days=self.rng.randrange(0, 700))
        return (line + day.strftime("%Y%m%d"))[:11].ljust(11, "1")

    def security_code(self) -> str:
        """防伪码：16 位，过 Luhn，以 6 开头（像银联卡）。"""
        return luhn_complete("6" + self.digits(14))

    def serial(self) -> str:
        """空格分组的 20 位流水号，前 16 位碰巧是一张“卡号”。"""
        head = luhn_complete(self.rng.choice("46") + self.digits(14)) + self.digits(4)
        return " ".join(head[i : i + 4] for i in range(0, 20, 4))

    def express(self, kind: str = "") -> str:
        kind = kind or self.rng.choice(("SF", "YT", "JT", "zto", "yunda", "ems"))
        if kind == "zto":
            return "7" + self.rng.choice("35") + self.digits(12)
        if kind == "yunda":
            return "43" + self.digits(13)
        if kind == "ems":
            return "11" + self.digits(11)
        return kind + self.digits(13)

    def trace_range(self) -> str:
        first = self.trace()
        return f"{first} 到 {int(first) + self.rng.randrange(2000, 20000)}"

    def alipay(self) -> str:
        """支付宝交易号：28 位，日期开头。"""
        day = date(2024, 1, 1) + timedelta(days=self.rng.randrange(0, 600))
        return day.strftime("%Y%m%d") + "2200" + self.digits(16)

    def pdd(self) -> str:
        """拼多多订单号：日期-15 位。"""
        day = date(2024, 1, 1) + timedelta(days=self.rng.randrange(0, 600))
        return day.strftime("%y%m%d") + "-" + self.digits(15)

    def corporate_account(self) -> str:
        """建行河南的对公账号：20 位，空格分组；前 16 位碰巧像一张过 Luhn 的 Visa 卡。"""
        head = luhn_complete("41050" + self.digits(10)) + self.digits(4)
        return " ".join(head[i : i + 4] for i in range(0, 20, 4))

    def invoice(self) -> str:
        """数电发票号码：20 位。"""
        return "24" + self.rng.choice(("41", "42")) + "2000000" + self.digits(9)


def spaced_phone(number: str, sep: str = " ") -> str:
    return sep.join((number[:3], number[3:7], number[7:]))


def spaced_id(number: str, sep: str = " ") -> str:
    return sep.join((number[:6], number[6:14], number[14:]))


def spaced_card(number: str, sep: str = " ") -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))
