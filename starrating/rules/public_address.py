"""Whether the address printed under ballots' QR codes is one a villager's phone can open.

A printed run of codes exists once: a QR that leads to the secretary's own computer (127.0.0.1,
localhost) or to a bare network address nobody configured is a run no phone can use. The address
is one of these kinds; all but a configured address (STARRATING_PUBLIC_URL) or a host name the
administrator listed are printed only after the secretary confirms, having been told why.
"""

import ipaddress
from enum import StrEnum
from urllib.parse import urlsplit

HOW_TO_CONFIGURE = (
    "请管理员在服务器上设置环境变量 STARRATING_PUBLIC_URL 为村民手机能打开的地址"
    "（例如 STARRATING_PUBLIC_URL=http://192.168.1.10:5000，或本村的网址 "
    "https://dangjian.example.cn），重新启动本系统后再打印。"
)


class AddressKind(StrEnum):
    CONFIGURED = "configured"  # STARRATING_PUBLIC_URL, set by the administrator
    NAMED = "named"  # a host name (not an IP address) listed in STARRATING_HOSTS
    LAN = "lan"  # a private network's IP address, as this browser used it
    IP = "ip"  # any other bare IP address, as this browser used it
    LOOPBACK = "loopback"  # this computer itself: no phone can open it

    @property
    def needs_confirmation(self) -> bool:
        """Codes are printed with this address only after the secretary confirms."""
        return self not in (AddressKind.CONFIGURED, AddressKind.NAMED)


def host_of(base_url: str) -> str:
    """The host of an address, lower case, IPv6 without brackets ("" when there is none)."""
    return (urlsplit(base_url).hostname or "").lower()


def classify(base_url: str, *, configured: bool) -> AddressKind:
    """Loopback (127.0.0.0/8, ::1, localhost, 0.0.0.0) whoever set it; else a configured address
    is fine; else an IP address is a private LAN's or a bare one, and a host name is fine."""
    host = host_of(base_url).rstrip(".")
    if host == "localhost" or host.endswith(".localhost") or host == "":
        return AddressKind.LOOPBACK
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if ip is not None and (ip.is_loopback or ip.is_unspecified):
        return AddressKind.LOOPBACK
    if configured:
        return AddressKind.CONFIGURED
    if ip is None:
        return AddressKind.NAMED
    if ip.is_private or ip.is_link_local:
        return AddressKind.LAN
    return AddressKind.IP


def warning(kind: AddressKind, base_url: str) -> str:
    """What the secretary is told before printing codes that lead to base_url ("" if fine)."""
    if not kind.needs_confirmation:
        return ""
    what = {
        AddressKind.LOOPBACK: (
            f"二维码和网址将指向 {base_url}：这是这台电脑自己的地址，"
            "村民的手机扫码一定打不开（只能在纸上勾选后交回）。"
        ),
        AddressKind.LAN: (
            f"二维码和网址将指向 {base_url}：这是浏览器地址栏里的局域网地址，没有经管理员设置为"
            "村民访问的地址。只有连在同一个局域网（同一个 WiFi）的手机才能打开，"
            "电脑换了地址后这批二维码就全部失效。"
        ),
        AddressKind.IP: (
            f"二维码和网址将指向 {base_url}：这是浏览器地址栏里的 IP 地址，没有经管理员设置为"
            "村民访问的地址，地址一变这批二维码就全部失效。"
        ),
    }[kind]
    return what + "票码只生成这一次，打印后不能改地址。" + HOW_TO_CONFIGURE
