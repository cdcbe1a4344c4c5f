"""Network literals: one answer to "is this text an IP address?" for the doctor's DNS, Corefile
and CoreDNS code alike."""

from __future__ import annotations

import ipaddress


def is_ip(text: str) -> bool:
    """True for an IPv4 or IPv6 address literal (``10.0.0.1``, ``::1``); brackets are not stripped."""
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False
