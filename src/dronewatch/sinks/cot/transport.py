"""Sending CoT bytes: ``udp://`` (unicast or multicast, the SA mesh 239.2.3.1:6969; TTL 1,
looped back to this machine, out of ``interface`` when given), ``tcp://``
streaming, ``tls://`` with a client certificate (TLS settings through pytak's ``get_ssl_ctx``,
the same ``PYTAK_TLS_*`` conventions a TAK server admin knows). Stream transports reconnect
with backoff; ``send`` reports whether the bytes went out.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import socket
import ssl
import time
import warnings
from configparser import ConfigParser

with warnings.catch_warnings():  # pytak warns at import about extras we do not use (aiohttp)
    warnings.simplefilter("ignore")
    from pytak.client_functions import get_ssl_ctx

log = logging.getLogger(__name__)


def split_url(url: str) -> tuple[str, str, int]:
    """``scheme://host:port`` -> (scheme, host, port); IPv6 hosts in brackets."""
    scheme, _, rest = url.partition("://")
    host, _, port = rest.rstrip("/").rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"{url!r}: expected {scheme}://HOST:PORT")
    return scheme, host.strip("[]"), int(port)


def tls_context(cert: str, key: str | None, ca: str | None, password: str | None = None) -> ssl.SSLContext:
    """Client TLS context: our certificate (PEM or .p12) and the CA that signs the server's."""
    cfg = ConfigParser()
    section = {"PYTAK_TLS_CLIENT_CERT": cert}
    if key:
        section["PYTAK_TLS_CLIENT_KEY"] = key
    if ca:
        section["PYTAK_TLS_CLIENT_CAFILE"] = ca
    if password:
        section["PYTAK_TLS_CLIENT_PASSWORD"] = password
    cfg["tls"] = section
    return get_ssl_ctx(cfg["tls"])


class CotTransport:
    """One destination. Not thread-safe: used from its output's worker thread only."""

    def __init__(self, url: str, *, cert: str | None = None, key: str | None = None, ca: str | None = None,
                 password_env: str | None = None, multicast_ttl: int = 1, interface: str | None = None,
                 connect_timeout_s: float = 5.0) -> None:
        self.url = url
        self.scheme, self.host, self.port = split_url(url)
        self.connect_timeout_s = connect_timeout_s
        self._ssl: ssl.SSLContext | None = None
        if self.scheme == "tls":
            if cert is None:
                raise ValueError(f"{url}: tls needs a client certificate")
            password = os.environ.get(password_env) if password_env else None
            self._ssl = tls_context(cert, key, ca, password)
        self._sock: socket.socket | None = None
        self._retry_at = 0.0
        self.last_error: str | None = None
        self._backoff_s = 0.5
        self.connects = 0
        self.refusal_wait_s = 0.3
        if self.scheme == "udp":
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            self._sock = socket.socket(family, socket.SOCK_DGRAM)
            if ipaddress.ip_address(self.host).is_multicast:
                level = socket.IPPROTO_IPV6 if family == socket.AF_INET6 else socket.IPPROTO_IP
                opt = socket.IPV6_MULTICAST_HOPS if family == socket.AF_INET6 else socket.IP_MULTICAST_TTL
                self._sock.setsockopt(level, opt, multicast_ttl)
                # a TAK client on this machine sees the events too
                loop = socket.IPV6_MULTICAST_LOOP if family == socket.AF_INET6 else socket.IP_MULTICAST_LOOP
                self._sock.setsockopt(level, loop, 1)
                if interface and family == socket.AF_INET:
                    self._sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(interface))

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def _connect(self) -> bool:
        if time.monotonic() < self._retry_at:
            return False
        try:
            raw = socket.create_connection((self.host, self.port), timeout=self.connect_timeout_s)
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock = self._ssl.wrap_socket(raw, server_hostname=self.host) if self._ssl else raw
            if self._ssl is not None:
                # TLS 1.3: a server that refuses our certificate says so just after the handshake
                sock.settimeout(self.refusal_wait_s)
                with contextlib.suppress(TimeoutError, ssl.SSLWantReadError):
                    sock.recv(1)  # a TAK server sends nothing first; anything it does send is dropped
            sock.settimeout(self.connect_timeout_s)
        except (OSError, ssl.SSLError) as err:
            self._retry_at = time.monotonic() + self._backoff_s
            self._backoff_s = min(self._backoff_s * 2, 30.0)
            self.last_error = f"cannot connect: {err}"
            log.warning("CoT %s: cannot connect (%s); retry in %.1f s", self.url, err, self._backoff_s)
            return False
        self._sock = sock
        self._backoff_s = 0.5
        self.connects += 1
        return True

    def send(self, events: list[bytes]) -> bool:
        """Send events; False if they could not go out (stream down: reconnects later)."""
        if not events:
            return True
        if self.scheme == "udp":
            assert self._sock is not None
            for ev in events:
                self._sock.sendto(ev, (self.host, self.port))
            return True
        if self._sock is None and not self._connect():
            return False
        assert self._sock is not None
        try:
            self._sock.sendall(b"".join(events))
        except (OSError, ssl.SSLError) as err:
            log.warning("CoT %s: connection lost (%s)", self.url, err)
            self.close()
            return False
        return True

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None
