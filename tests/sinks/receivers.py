"""Real far ends for the output tests and bench/outputs.py, all on 127.0.0.1: a private CA
with server and client certificates, a TLS CoT listener that requires the client certificate,
a UDP CoT listener, a mosquitto broker with a generated config, a Standard Webhooks receiver.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(pred: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``pred`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.02)
    return False


# --- certificates ---------------------------------------------------------------------------


@dataclass
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path
    other_client_cert: Path  # signed by a different CA: must be refused
    other_client_key: Path
    other_ca: Path  # that different CA (a server certificate it did not sign is untrusted)


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(key: ec.EllipticCurvePrivateKey, path: Path) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def _cert(subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None,
          issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool = False, server: bool = False) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer or name).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
         .not_valid_after(now + dt.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        b = b.add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                          content_commitment=False, key_encipherment=False,
                                          data_encipherment=False, key_agreement=False, encipher_only=False,
                                          decipher_only=False), critical=True)
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    else:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        b = b.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        b = b.add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
                            critical=False)
    if server:
        b = b.add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                         x509.DNSName("localhost")]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def make_pki(d: Path) -> Pki:
    """A CA, a server certificate for 127.0.0.1, a client certificate, and a stranger's."""
    d.mkdir(parents=True, exist_ok=True)

    def pem(c: x509.Certificate, p: Path) -> Path:
        p.write_bytes(c.public_bytes(serialization.Encoding.PEM))
        return p

    ca_key = _key()
    ca = _cert("dronewatch test CA", ca_key, None, ca_key, ca=True)
    srv_key, cli_key = _key(), _key()
    srv = _cert("127.0.0.1", srv_key, ca.subject, ca_key, server=True)
    cli = _cert("dronewatch-client", cli_key, ca.subject, ca_key)
    other_ca_key, other_key = _key(), _key()
    other_ca = _cert("someone else's CA", other_ca_key, None, other_ca_key, ca=True)
    other = _cert("stranger", other_key, other_ca.subject, other_ca_key)
    return Pki(ca=pem(ca, d / "ca.pem"), server_cert=pem(srv, d / "server.pem"),
               server_key=_write_key(srv_key, d / "server.key"), client_cert=pem(cli, d / "client.pem"),
               client_key=_write_key(cli_key, d / "client.key"), other_client_cert=pem(other, d / "other.pem"),
               other_client_key=_write_key(other_key, d / "other.key"), other_ca=pem(other_ca, d / "other-ca.pem"))


# --- CoT ------------------------------------------------------------------------------------


@dataclass
class CotEvent:
    uid: str
    type: str
    time: str
    stale: str
    lat: float
    lon: float
    hae: float
    ce: float
    le: float
    xml: ET.Element
    received: float  # time.monotonic() on arrival

    @property
    def remarks(self) -> str:
        el = self.xml.find("detail/remarks")
        return el.text or "" if el is not None else ""


def parse_event(data: bytes, received: float) -> CotEvent:
    ev = ET.fromstring(data)
    if ev.tag != "event":
        raise ValueError(f"not a CoT event: <{ev.tag}>")
    pt = ev.find("point")
    if pt is None:
        raise ValueError("CoT event without <point>")
    return CotEvent(uid=ev.attrib["uid"], type=ev.attrib["type"], time=ev.attrib["time"],
                    stale=ev.attrib["stale"], lat=float(pt.attrib["lat"]), lon=float(pt.attrib["lon"]),
                    hae=float(pt.attrib["hae"]), ce=float(pt.attrib["ce"]), le=float(pt.attrib["le"]),
                    xml=ev, received=received)


@dataclass
class CotListener:
    """TCP or TLS (client certificate required) CoT server, or a UDP receiver, on 127.0.0.1."""

    kind: str = "tls"
    pki: Pki | None = None
    port: int = 0
    group: str | None = None  # udp: join this multicast group on the loopback interface
    events: list[CotEvent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # TLS handshakes that failed, why
    connections: int = 0

    def start(self) -> CotListener:
        self._stop = threading.Event()
        if self.kind == "udp":
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        else:
            self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((self.group or "127.0.0.1", self.port))
        if self.group is not None:
            self._sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                                  socket.inet_aton(self.group) + socket.inet_aton("127.0.0.1"))
        self.port = self._sock.getsockname()[1]
        self._sock.settimeout(0.2)
        if self.kind != "udp":
            self._sock.listen(8)
        if self.kind == "tls":
            assert self.pki is not None
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(self.pki.ca))
            ctx.load_cert_chain(str(self.pki.server_cert), str(self.pki.server_key))
            ctx.verify_mode = ssl.CERT_REQUIRED
            self._ctx: ssl.SSLContext | None = ctx
        else:
            self._ctx = None
        self._thread = threading.Thread(target=self._udp if self.kind == "udp" else self._accept, daemon=True)
        self._thread.start()
        return self

    def _udp(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._sock.recv(65536)
            except TimeoutError:
                continue
            self.events.append(parse_event(data, time.monotonic()))

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        if self._ctx is not None:
            try:
                conn.settimeout(5)
                conn = self._ctx.wrap_socket(conn, server_side=True)
            except (ssl.SSLError, OSError) as err:
                self.refused.append(str(err))
                conn.close()
                return
        self.connections += 1
        conn.settimeout(0.2)
        buf = b""
        while not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except (TimeoutError, ssl.SSLWantReadError):
                continue
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while b"</event>" in buf:
                one, _, buf = buf.partition(b"</event>")
                self.events.append(parse_event(one + b"</event>", time.monotonic()))
        conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()


# --- MQTT -----------------------------------------------------------------------------------


class Mosquitto:
    """A mosquitto broker on 127.0.0.1:<free port>, with its own generated config; with ``tls``
    also a TLS listener on ``tls_port`` (the server certificate of that PKI; with
    ``require_certificate`` clients must show one its CA signed)."""

    def __init__(self, workdir: Path, *, password: tuple[str, str] | None = None, tls: Pki | None = None,
                 require_certificate: bool = False) -> None:
        exe = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
        if exe is None:
            raise RuntimeError("mosquitto not installed: run `make system-deps`")
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        # as root, mosquitto would switch to its own user, which cannot read our temporary files
        conf = [f"user {pwd.getpwuid(os.geteuid()).pw_name}", f"listener {self.port} 127.0.0.1",
                "persistence false", "log_dest stderr",
                "log_type error", "log_type warning"]
        self.tls_port = free_port() if tls is not None else None
        if tls is not None:
            conf += [f"listener {self.tls_port} 127.0.0.1", f"cafile {tls.ca}", f"certfile {tls.server_cert}",
                     f"keyfile {tls.server_key}", f"require_certificate {str(require_certificate).lower()}"]
        if password is not None:
            pw = workdir / "passwd"
            pw.write_text("")
            subprocess.run([shutil.which("mosquitto_passwd") or "/usr/bin/mosquitto_passwd", "-b", str(pw),
                            *password], check=True, capture_output=True)
            pw.chmod(0o600)
            conf += ["allow_anonymous false", f"password_file {pw}"]
        else:
            conf.append("allow_anonymous true")
        self.conf = workdir / "mosquitto.conf"
        self.conf.write_text("\n".join(conf) + "\n")
        self.proc = subprocess.Popen([exe, "-c", str(self.conf)], stderr=subprocess.PIPE)
        atexit.register(self.stop)  # never leave a broker behind, even after a timeout
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                for port in (self.port, self.tls_port):
                    if port is not None:
                        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"mosquitto exited: {self.proc.stderr.read()!r}") from None  # type: ignore[union-attr]
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=5)


# --- webhooks -------------------------------------------------------------------------------


class WebhookReceiver:
    """An HTTP/1.1 endpoint with keep-alive (as a real receiver behind a web server is) that
    verifies every Standard Webhooks signature; it can be made to refuse (503) until ``up_at``
    (time.monotonic()) to play a receiver that is down, and to drop ``drop_reused`` requests that
    arrive on a kept-alive connection (closing it without an answer, as a server does whose
    idle timeout struck while the request was on its way), and to be slow (``slow_s`` before each
    answer; ``most_at_once`` counts the requests it had at the same time). With ``tls``: HTTPS,
    with the server certificate of that PKI."""

    def __init__(self, secret: str, up_at: float = 0.0, on_valid: Callable[[dict[str, Any]], None] | None = None,
                 port: int = 0, drop_reused: int = 0, slow_s: float = 0.0,
                 tls: Pki | None = None) -> None:
        from standardwebhooks import Webhook

        self.verifier = Webhook(secret)
        self.up_at = up_at
        self.on_valid = on_valid
        self.drop_reused = drop_reused
        self.received: list[tuple[dict[str, str], dict[str, Any], float]] = []  # headers, body, when
        self.bad_signatures = 0
        self.refused = 0
        self.dropped = 0
        self.connections = 0
        self.slow_s = slow_s
        self.most_at_once = 0
        self._at_once = 0
        lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: one connection for many requests
            disable_nagle_algorithm = True  # (as web servers do for kept-alive connections)
            served = 0  # requests answered on this connection

            def setup(self) -> None:
                super().setup()
                receiver.connections += 1

            def _answer(self, code: int) -> None:
                self.send_response(code)
                self.send_header("content-length", "0")
                self.end_headers()
                self.served += 1

            def do_POST(self) -> None:
                if self.served and receiver.drop_reused > 0:
                    receiver.drop_reused -= 1
                    receiver.dropped += 1
                    self.close_connection = True  # read nothing, answer nothing: the connection ends
                    return
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if time.monotonic() < receiver.up_at:
                    receiver.refused += 1
                    self._answer(503)
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    payload = receiver.verifier.verify(body, headers)
                except Exception:
                    receiver.bad_signatures += 1
                    self._answer(400)
                    return
                receiver.received.append((headers, payload, time.monotonic()))
                if receiver.on_valid is not None:
                    receiver.on_valid(payload)
                if receiver.slow_s:
                    with lock:
                        receiver._at_once += 1
                        receiver.most_at_once = max(receiver.most_at_once, receiver._at_once)
                    time.sleep(receiver.slow_s)
                    with lock:
                        receiver._at_once -= 1
                self._answer(204)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        if tls is not None:  # (the handshake runs in accept(); a failed one is dropped there)
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ctx.load_cert_chain(str(tls.server_cert), str(tls.server_key))
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
            self.url = f"https://127.0.0.1:{self.port}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- SAPIENT --------------------------------------------------------------------------------


@dataclass
class Received:
    conn: int  # which connection (0, 1, ... after reconnects)
    kind: str
    msg: Any  # SapientMessage
    at: float  # time.monotonic() on arrival


class SapientParent:
    """A SAPIENT parent (fusion) node written with the generated bindings: listens on 127.0.0.1,
    accepts each child's Registration with a RegistrationAck, records every message, and can send
    Tasks / AlertAcks to the child or drop its connection."""

    def __init__(self, accept_registration: bool = True) -> None:
        from dronewatch.sapient.ids import new_uuid

        self.node_id = new_uuid()
        self.accept = accept_registration
        self.messages: list[Received] = []
        self._conns: list[socket.socket] = []
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(4)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn, len(self._conns) - 1), daemon=True).start()

    def _serve(self, conn: socket.socket, index: int) -> None:
        from dronewatch.sapient import messages as sm
        from dronewatch.sapient.framing import FrameSplitter, decode

        splitter = FrameSplitter()
        while not self._stop.is_set():
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if not data:
                return
            for body in splitter.feed(data):
                msg = decode(body)
                kind = sm.content_kind(msg) or "none"
                self.messages.append(Received(index, kind, msg, time.monotonic()))
                if kind == "registration":
                    ack = self.envelope()
                    ack.registration_ack.acceptance = self.accept
                    if not self.accept:
                        ack.registration_ack.ack_response_reason.append("not on the list")
                    self._write(conn, ack)

    def envelope(self) -> Any:
        from dronewatch.sapient import messages as sm

        msg = sm.SapientMessage(node_id=self.node_id)
        msg.timestamp.CopyFrom(sm.timestamp(time.time()))
        return msg

    @staticmethod
    def _write(conn: socket.socket, msg: Any) -> None:
        from dronewatch.sapient.framing import encode

        conn.sendall(encode(msg))

    def send(self, msg: Any) -> None:
        """To the newest connection."""
        self._write(self._conns[-1], msg)

    def drop(self) -> None:
        """Close the newest connection (the child must reconnect and register again)."""
        conn = self._conns[-1]
        conn.shutdown(socket.SHUT_RDWR)
        conn.close()

    def of(self, kind: str, conn: int | None = None) -> list[Received]:
        return [r for r in self.messages if r.kind == kind and (conn is None or r.conn == conn)]

    def wait(self, pred: Callable[[], bool], timeout: float = 5.0) -> bool:
        return wait_until(pred, timeout)

    def stop(self) -> None:
        self._stop.set()
        for c in self._conns:
            with contextlib.suppress(OSError):
                c.close()
        self._thread.join(timeout=2)
        self._sock.close()
