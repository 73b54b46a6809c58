"""The ``handoff:``, ``printing:`` and ``mirror:`` config sections (validated like every section).

They live beside the code they configure, in ``delivery/``; :mod:`kiosk.config` adds
them to the app config, so a wrong value is the usual ``file:line: key: reason`` line.
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


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
    dashboard: bool = Field(True, description="serve the operator dashboard at /operator "
                                              "(needs operator.pin_hash)")
    dashboard_session_min: float = Field(30, ge=1, le=24 * 60,
                                         description="an operator's dashboard login lasts "
                                                     "this long (minutes)")


    @field_validator("bind")
    @classmethod
    def _bind(cls, v: str) -> str:
        split_bind(v)
        return v.strip()


class PrintSettings(_Section):
    """Printing through CUPS (``printing:``)."""

    enabled: bool = Field(False, description="print kept photos through CUPS (lp)")
    printer: str | None = Field(None, pattern=r"^[A-Za-z0-9_.@\-]{1,127}$",
                                description="CUPS queue name; null = the system default")
    what: Literal["sheet", "favourite", "all"] = Field(
        "sheet", description="sheet = the print sheet a plugin made (else the favourite), "
                             "favourite = the favourite photo, all = every kept photo")
    copies: int = Field(1, ge=1, le=10, description="copies of each print")
    per_session: int = Field(2, ge=1, le=100, description="most sheets one session may print")
    per_day: int = Field(200, ge=1, le=100_000, description="most sheets a day; then printing "
                                                            "stops until tomorrow")
    options: dict[str, str] = Field(default_factory=dict,
                                    description="lp -o options, e.g. {media: 4x6, "
                                                "fit-to-page: 'true'}")
    job_timeout_s: float = Field(120, ge=5, le=3600,
                                 description="a job the printer has not finished after this "
                                             "long is reported to the operator")

    @field_validator("options")
    @classmethod
    def _options(cls, v: dict[str, str]) -> dict[str, str]:
        for k, val in v.items():
            if not k or not all(c.isalnum() or c in "-_" for c in k):
                raise ValueError(f"{k!r} is not a CUPS option name")
            if any(c.isspace() and c != " " or ord(c) < 32 for c in str(val)):
                raise ValueError(f"the value of {k} holds control characters")
        return v


class MirrorSettings(_Section):
    """Mirroring to object storage (``mirror:``)."""

    enabled: bool = Field(False, description="copy kept photos and the day logs to S3-"
                                             "compatible storage in the background")
    bucket: str = Field("", pattern=r"^$|^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$",
                        description="the bucket to copy into")
    rclone_remote: str | None = Field(
        None, pattern=r"^:?[A-Za-z0-9_.\-]*:\S*$",
        description="copy with rclone to this remote instead of S3, e.g. nas:booths "
                    "(any remote rclone is configured for); null = S3 (bucket)")
    prefix: str = Field("", pattern=r"^$|^[A-Za-z0-9._\-/]{1,200}$",
                        description="key prefix, e.g. booth-3/ (one per booth)")
    endpoint_url: str | None = Field(None, pattern=r"^https?://\S+$",
                                     description="S3-compatible server, e.g. "
                                                 "http://minio.local:9000; null = AWS")
    region: str = Field("us-east-1", min_length=1, max_length=40, description="S3 region")
    scan_every_s: float = Field(60, ge=1, le=86_400,
                                description="look for new files at least this often")
    retry_initial_s: float = Field(2, ge=0.1, le=3600,
                                   description="first wait after a failed upload")
    retry_max_s: float = Field(300, ge=1, le=86_400,
                               description="longest wait between retries (doubling)")

    @model_validator(mode="after")
    def _bucket_when_on(self) -> MirrorSettings:
        if self.enabled and not self.bucket and not self.rclone_remote:
            raise ValueError("mirror.enabled needs mirror.bucket (or mirror.rclone_remote)")
        return self
