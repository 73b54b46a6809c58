"""The ``handoff:`` config section (validated like every section).

It lives beside the code it configures, in ``delivery/``; :mod:`kiosk.config` adds
it to the app config, so a wrong value is the usual ``file:line: key: reason`` line.
"""

from __future__ import annotations

import ipaddress

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


def split_bind(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (an IPv4 address, ``[v6]`` or ``localhost``) -> (host, port)."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:  # 0: any free port
        raise ValueError(f"want HOST:PORT such as 127.0.0.1:8765, got {text!r}")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"{host!r} is not an IP address (bind to the booth's own "
                             "address, e.g. 192.168.4.1, or 0.0.0.0 for every one)") from None
    return host, int(port)


class HandoffSettings(_Section):
    """The guest hand-off and operator dashboard web server (``handoff:``)."""

    enabled: bool = Field(False, description="run the hand-off web server inside the kiosk "
                                             "(QR code on the done screen); off by default")
    bind: str = Field("127.0.0.1:8765", description="HOST:PORT the server listens on: the "
                                                    "booth's Wi-Fi address (or 0.0.0.0)")
    public_url: str | None = Field(
        None, pattern=r"^https?://[A-Za-z0-9.\-\[\]:]+/?$",
        description="the address phones use, e.g. http://192.168.4.1:8765 (the QR code's "
                    "start); null = from bind (0.0.0.0: this machine's first address)")
    link_ttl_min: float = Field(60, ge=1, le=7 * 24 * 60,
                                description="a guest's link stops working this long after "
                                            "their photos were kept (minutes)")
    rate_limit_per_min: int = Field(120, ge=10, le=100_000,
                                    description="requests per minute one client address may "
                                                "make; more get 429")
    bad_token_per_min: int = Field(10, ge=1, le=1000,
                                   description="unknown links one client address may try per "
                                               "minute before it is refused for a minute")
    max_request_bytes: int = Field(16_384, ge=1024, le=1_048_576,
                                   description="largest request body accepted (413 beyond)")
    max_connections: int = Field(200, ge=4, le=10_000,
                                 description="concurrent connections the server takes; more "
                                             "get 503")

    @field_validator("bind")
    @classmethod
    def _bind(cls, v: str) -> str:
        split_bind(v)
        return v.strip()
