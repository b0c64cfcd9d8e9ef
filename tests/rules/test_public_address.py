"""The address printed in ballots' QR codes: loopback, a private LAN's, a bare IP, a configured
one or a listed host name; only the last two print without the secretary's confirmation."""

import pytest

from starrating.rules.public_address import AddressKind, classify, host_of, warning


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5000",
        "http://127.8.9.10",
        "http://localhost:5000",
        "http://LocalHost",
        "http://app.localhost:8000",
        "http://[::1]:5000",
        "http://0.0.0.0:5000",
        "http://[::ffff:127.0.0.1]:5000",
    ],
)
def test_this_computer_itself_is_loopback_even_when_configured(url):
    assert classify(url, configured=False) is AddressKind.LOOPBACK
    assert classify(url, configured=True) is AddressKind.LOOPBACK


@pytest.mark.parametrize(
    "url",
    [
        "http://192.168.1.10:5000",
        "http://10.0.0.7",
        "http://172.16.5.4:8080",
        "http://169.254.3.3",
        "http://[fd00::2]:5000",
        "http://[fe80::1]",
    ],
)
def test_a_private_network_address_the_browser_used_is_a_lan_address(url):
    assert classify(url, configured=False) is AddressKind.LAN
    assert classify(url, configured=True) is AddressKind.CONFIGURED


def test_a_public_ip_address_the_browser_used_is_a_bare_ip_address():
    assert classify("http://114.114.114.114:5000", configured=False) is AddressKind.IP
    assert classify("http://8.8.8.8", configured=True) is AddressKind.CONFIGURED


def test_a_host_name_is_fine_whether_configured_or_listed():
    assert classify("https://dangjian.example.cn", configured=True) is AddressKind.CONFIGURED
    assert classify("http://dangjian.example.cn:5000", configured=False) is AddressKind.NAMED


def test_only_configured_and_named_addresses_print_without_confirmation():
    assert {kind for kind in AddressKind if not kind.needs_confirmation} == {
        AddressKind.CONFIGURED,
        AddressKind.NAMED,
    }


def test_the_warning_names_the_address_and_how_to_set_the_public_url():
    for kind in (AddressKind.LOOPBACK, AddressKind.LAN, AddressKind.IP):
        text = warning(kind, "http://127.0.0.1:5000")
        assert "http://127.0.0.1:5000" in text
        assert "STARRATING_PUBLIC_URL=" in text and "重新启动" in text
    assert "一定打不开" in warning(AddressKind.LOOPBACK, "http://127.0.0.1:5000")
    assert "同一个 WiFi" in warning(AddressKind.LAN, "http://192.168.1.10:5000")
    assert warning(AddressKind.CONFIGURED, "https://dangjian.example.cn") == ""


def test_the_host_of_an_address():
    assert host_of("http://[FD00::2]:5000/x") == "fd00::2"
    assert host_of("https://Dangjian.Example.cn") == "dangjian.example.cn"
