# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the PAI API client: signing, the wire format, retries, paging, errors, secrets, endpoints.

No network: requests go to a fake session, or, where a real socket matters (a connection dropped
after the request was sent, a refused connection, a read timeout), to a small socket server on
127.0.0.1 started by the test. Backoff runs with injected ``sleep`` and ``jitter``, so nothing waits.
"""

import datetime
import hashlib
import hmac
import json
import os
import re
import socket
import threading
import time

from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from ansible_collections.alicloud.pai.plugins.module_utils import _client
from ansible_collections.alicloud.pai.plugins.module_utils._client import (
    ACTIONS,
    CENTRAL_ENDPOINT_REGIONS,
    PaiApiError,
    PaiClient,
    PaiConfigError,
    PaiConnectionError,
    PaiError,
    authorization_header,
    canonical_query_string,
    endpoint_url,
    percent_encode,
    query_value,
)
from ansible_collections.alicloud.pai.plugins.module_utils._credentials import Credentials
from ansible_collections.alicloud.pai.plugins.module_utils._version import COLLECTION_VERSION

# --- test vectors of pai-api.md section 4 ------------------------------------------------------------

AK_ID = "LTAI5tTestAccessKeyId01"
AK_SECRET = "TestAccessKeySecret0123456789abc"
DATE = "2025-01-15T08:30:00Z"
E0 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
JSON_CT = "application/json; charset=utf-8"

M1 = dict(
    method="GET", path="/api/v1/models",
    query={"WorkspaceId": "12345", "ModelName": "my model", "PageNumber": "1", "PageSize": "50",
           "Tag": '[{"Key":"env","Value":"prod"}]'},
    headers={"host": "aiworkspace.cn-hangzhou.aliyuncs.com", "x-acs-action": "ListModels",
             "x-acs-version": "2021-02-04", "x-acs-date": DATE,
             "x-acs-signature-nonce": "6a1f0c9e2b8d4e7fa3c5b1d9e0f27a46", "x-acs-content-sha256": E0},
    canonical_query="ModelName=my%20model&PageNumber=1&PageSize=50"
                    "&Tag=%5B%7B%22Key%22%3A%22env%22%2C%22Value%22%3A%22prod%22%7D%5D&WorkspaceId=12345",
    canonical_sha="b11d9e4a3ef577e25b8243c16f3ffc109522a1cd777a24145e77d2e9a56ad76d",
    authorization="ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId01,SignedHeaders=host;x-acs-action;"
                  "x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
                  "Signature=dd51b1ebeae02512ab702d7953c12ba990f36664ad86fb0402b97cf0aa931043",
)
M2_BODY = b'{"ModelDescription":"updated desc","Accessibility":"PUBLIC"}'
M2 = dict(
    method="PUT", path="/api/v1/models/model-abc123", query={},
    headers={"host": "aiworkspace.cn-shanghai.aliyuncs.com", "x-acs-action": "UpdateModel",
             "x-acs-version": "2021-02-04", "x-acs-date": DATE,
             "x-acs-signature-nonce": "d41d8cd98f00b204e9800998ecf8427e", "content-type": JSON_CT,
             "x-acs-content-sha256": "f693a93007fb1ba154a20709d51efccd6ee4674243d6be51942074c4fea4711d"},
    canonical_query="",
    canonical_sha="889b65dbed10131223e203ee27ddb13cc94c269fe425d65e950d7b41fb73dc77",
    authorization="ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId01,SignedHeaders=content-type;host;"
                  "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
                  "Signature=9c33251f611550ba7598799faa35f3b5fb5dc894a07c8f1d703afb38b46e1d39",
)
M3 = dict(
    method="DELETE", path="/api/v1/connections/conn-xyz789", query={},
    headers={"host": "aiworkspace.cn-beijing.aliyuncs.com", "x-acs-action": "DeleteConnection",
             "x-acs-version": "2021-02-04", "x-acs-date": DATE,
             "x-acs-signature-nonce": "0123456789abcdef0123456789abcdef", "x-acs-content-sha256": E0,
             "x-acs-security-token": "CAIS.exampleStsToken=="},
    canonical_query="",
    canonical_sha="071f495db92491e0f2d22d5951be2c71c364eff75cbb09510a64dafd31394ac9",
    authorization="ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId01,SignedHeaders=host;x-acs-action;"
                  "x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,"
                  "Signature=1400af1130f4e0cfd24f1fd9b4caaa74104161fadfd11013c4533b8d1dec4d2e",
)
M4_BODY = u'{"Labels":[{"Key":"team","Value":"数据"}]}'.encode("utf-8")
M4 = dict(
    method="POST", path="/api/v1/models/model-abc123/labels", query={},
    headers={"host": "aiworkspace.cn-hangzhou.aliyuncs.com", "x-acs-action": "CreateModelLabels",
             "x-acs-version": "2021-02-04", "x-acs-date": DATE,
             "x-acs-signature-nonce": "ffffffffffffffffffffffffffffffff", "content-type": JSON_CT,
             "x-acs-content-sha256": "439ef48d631384c41bdd39067ab1563085c2977a707c0aef5d49fe502d6af634"},
    canonical_query="",
    canonical_sha="90cdcc06640201d9a0b89230937f0ad41920a7da218fdf7c2b9cf6f193e12038",
    authorization="ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId01,SignedHeaders=content-type;host;"
                  "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,"
                  "Signature=259dfe71281d175ab1431164abb18301d9e5aa48b2200acf22d989a02325751c",
)
VECTORS = {"M1": M1, "M2": M2, "M3": M3, "M4": M4}

HANGZHOU = "https://aiworkspace.cn-hangzhou.aliyuncs.com"
STS_TOKEN = "STS.secret-token-value+/=0123456789"


# --- helpers -----------------------------------------------------------------------------------------

def make_response(status=200, body=None, headers=None, reason=None):
    """A real ``requests.Response`` with the given status, body (dict/list → JSON, str, bytes) and headers."""
    response = requests.Response()
    response.status_code = status
    if isinstance(body, (dict, list)):
        content = json.dumps(body).encode("utf-8")
    elif isinstance(body, str):
        content = body.encode("utf-8")
    else:
        content = body or b""
    response._content = content
    response.encoding = "utf-8"
    response.headers = CaseInsensitiveDict(headers or {})
    response.reason = reason if reason is not None else requests.status_codes._codes.get(status, ("",))[0].upper()
    response.url = "https://fake.invalid/"
    return response


def ok(body=None):
    payload = {"RequestId": "OK-REQUEST"}
    payload.update(body or {})
    return make_response(200, payload)


def api_error(status, code, message="boom", request_id="ERR-REQUEST", headers=None):
    return make_response(status, {"Code": code, "Message": message, "RequestId": request_id}, headers=headers)


class FakeSession(object):
    """Stands in for ``requests.Session``: records every request and plays scripted outcomes."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []
        self.verify = "untouched"

    def request(self, method, url, data=None, headers=None, timeout=None, allow_redirects=True, verify=None):
        self.calls.append(dict(method=method, url=url, data=data, headers=dict(headers), timeout=timeout,
                               allow_redirects=allow_redirects, verify=verify))
        if not self.outcomes:
            raise AssertionError("more requests than scripted: %s %s" % (method, url))
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def query(self, index):
        return dict(parse_qsl(urlsplit(self.calls[index]["url"]).query, keep_blank_values=True))


class Recorder(object):
    """Injected ``sleep`` and ``jitter``: records the calls; jitter returns the ceiling unless told otherwise."""

    def __init__(self, pick=lambda low, high: high):
        self.sleeps = []
        self.jitters = []
        self._pick = pick

    def sleep(self, seconds):
        self.sleeps.append(seconds)

    def jitter(self, low, high):
        self.jitters.append((low, high))
        return self._pick(low, high)


def make_client(*outcomes, **kwargs):
    credentials = kwargs.pop("credentials", None) or Credentials(AK_ID, AK_SECRET)
    endpoint = kwargs.pop("endpoint", HANGZHOU)
    recorder = kwargs.pop("recorder", None) or Recorder()
    session = kwargs.pop("session", None) or FakeSession(*outcomes)
    kwargs.setdefault("retry_max_wait", 1000)
    client = PaiClient(credentials, endpoint, session=session, sleep=recorder.sleep, jitter=recorder.jitter,
                       **kwargs)
    return client, session, recorder


UNRESERVED = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def rfc3986(text):
    """Independent RFC 3986 encoder (no urllib), used to check the client's own encoding."""
    return "".join(char if char in UNRESERVED else "".join("%%%02X" % byte for byte in char.encode("utf-8"))
                   for char in text)


def verify_wire_signature(call, access_key_id, secret):
    """Recompute the signature of a recorded request the way a server does (pai-api.md section 3.5).

    Returns the list of signed header names; fails the test when anything does not match.
    """
    headers = dict((name.lower(), value) for name, value in call["headers"].items())
    match = re.match(r"^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$",
                     headers["authorization"])
    assert match, headers["authorization"]
    assert match.group(1) == access_key_id
    signed = match.group(2).split(";")
    assert signed == sorted(signed)
    body = call["data"] or b""
    assert headers["x-acs-content-sha256"] == hashlib.sha256(body).hexdigest()
    parts = urlsplit(call["url"])
    pairs = sorted(parse_qsl(parts.query, keep_blank_values=True))
    canonical = "\n".join([
        call["method"],
        parts.path,
        "&".join("%s=%s" % (rfc3986(name), rfc3986(value)) for name, value in pairs),
        "".join("%s:%s\n" % (name, headers[name].strip()) for name in signed),
        ";".join(signed),
        headers["x-acs-content-sha256"],
    ])
    string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    expected = hmac.new(secret.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    assert match.group(3) == expected
    return signed


class RawServer(object):
    """A TCP server on 127.0.0.1 that reads whole HTTP requests and then misbehaves.

    ``mode`` is ``drop`` (close without answering), ``hang`` (never answer) or ``truncate`` (answer
    with a body shorter than its Content-Length, then close).
    """

    def __init__(self, mode):
        self.mode = mode
        self.requests = []
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.05)
        self.port = self._sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._open = []
        self._thread = threading.Thread(target=self._serve)
        self._thread.daemon = True
        self._thread.start()

    def _read_request(self, conn):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, rest = data.split(b"\r\n\r\n", 1)
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, dummy, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(rest) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            rest += chunk
        return head + b"\r\n\r\n" + rest

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, dummy = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.settimeout(5)
            try:
                request = self._read_request(conn)
            except OSError:
                conn.close()
                continue
            if request:
                self.requests.append(request.split(b"\r\n", 1)[0].decode("latin-1"))
            if self.mode == "hang":
                self._open.append(conn)
                continue
            if self.mode == "truncate":
                conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Req')
            conn.close()

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        self._sock.close()
        for conn in self._open:
            conn.close()


@pytest.fixture
def raw_server():
    servers = []

    def start(mode):
        server = RawServer(mode)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def closed_port():
    """A local port with nothing listening on it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


# --- signing -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(VECTORS))
def test_authorization_header_reproduces_vectors(name):
    vector = VECTORS[name]
    authorization, canonical = authorization_header(
        vector["method"], vector["path"], vector["query"], vector["headers"], AK_ID, AK_SECRET)
    assert authorization == vector["authorization"]
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == vector["canonical_sha"]
    assert canonical.split("\n")[2] == vector["canonical_query"]


def test_vector_bodies_hash_to_listed_values():
    assert hashlib.sha256(M2_BODY).hexdigest() == M2["headers"]["x-acs-content-sha256"]
    assert hashlib.sha256(M4_BODY).hexdigest() == M4["headers"]["x-acs-content-sha256"]
    assert hashlib.sha256(b"").hexdigest() == E0


def test_canonical_request_layout():
    dummy, canonical = authorization_header(
        M2["method"], M2["path"], M2["query"], M2["headers"], AK_ID, AK_SECRET)
    lines = canonical.split("\n")
    assert lines[0] == "PUT"
    assert lines[1] == "/api/v1/models/model-abc123"
    assert lines[2] == ""
    assert lines[3:10] == [
        "content-type:application/json; charset=utf-8",
        "host:aiworkspace.cn-shanghai.aliyuncs.com",
        "x-acs-action:UpdateModel",
        "x-acs-content-sha256:f693a93007fb1ba154a20709d51efccd6ee4674243d6be51942074c4fea4711d",
        "x-acs-date:2025-01-15T08:30:00Z",
        "x-acs-signature-nonce:d41d8cd98f00b204e9800998ecf8427e",
        "x-acs-version:2021-02-04",
    ]
    assert lines[10] == ""  # the canonical headers end with a newline: an empty line follows
    assert lines[11] == "content-type;host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
    assert lines[12] == M2["headers"]["x-acs-content-sha256"]
    assert len(lines) == 13


def test_authorization_header_normalises_header_names_and_values():
    headers = dict((name.upper(), "  %s \t" % value) for name, value in M1["headers"].items())
    authorization, dummy = authorization_header("get", M1["path"], M1["query"], headers, AK_ID, AK_SECRET)
    assert authorization == M1["authorization"]


def test_authorization_header_depends_on_secret_and_every_part():
    base = authorization_header(M1["method"], M1["path"], M1["query"], M1["headers"], AK_ID, AK_SECRET)[0]
    assert authorization_header(M1["method"], M1["path"], M1["query"], M1["headers"], AK_ID, AK_SECRET + "x")[0] != base
    assert authorization_header("POST", M1["path"], M1["query"], M1["headers"], AK_ID, AK_SECRET)[0] != base
    assert authorization_header(M1["method"], M1["path"] + "/", M1["query"], M1["headers"], AK_ID, AK_SECRET)[0] != base
    query = dict(M1["query"], PageSize="51")
    assert authorization_header(M1["method"], M1["path"], query, M1["headers"], AK_ID, AK_SECRET)[0] != base
    headers = dict(M1["headers"], **{"x-acs-signature-nonce": "0" * 32})
    assert authorization_header(M1["method"], M1["path"], M1["query"], headers, AK_ID, AK_SECRET)[0] != base


def test_authorization_header_empty_path_is_slash():
    with_slash = authorization_header("GET", "/", {}, M3["headers"], AK_ID, AK_SECRET)
    empty = authorization_header("GET", "", {}, M3["headers"], AK_ID, AK_SECRET)
    assert empty == with_slash
    assert empty[1].split("\n")[1] == "/"


@pytest.mark.parametrize("value, expected", [
    (True, "true"),
    (False, "false"),
    (0, "0"),
    (100, "100"),
    (1.5, "1.5"),
    ("plain", "plain"),
    (u"数据 x", u"数据 x"),
    (["OpenLLMConnection", "MilvusConnection"], "OpenLLMConnection,MilvusConnection"),
    (("LLM", "Embedding"), "LLM,Embedding"),
    ([True, False, 3], "true,false,3"),
    ([{"Key": "env", "Value": "prod"}], '[{"Key":"env","Value":"prod"}]'),
    ([{"Column": "ParameterSize", "Operator": "LessThan", "Value": "3000"}],
     '[{"Column":"ParameterSize","Operator":"LessThan","Value":"3000"}]'),
    ([{"Key": u"team", "Value": u"数据"}], u'[{"Key":"team","Value":"数据"}]'),
    ({"a": 1, "b": [True]}, '{"a":1,"b":[true]}'),
    ([], ""),
])
def test_query_value(value, expected):
    assert query_value(value) == expected


@pytest.mark.parametrize("text, expected", [
    ("abcXYZ019-_.~", "abcXYZ019-_.~"),
    ("my model", "my%20model"),
    ("a*b", "a%2Ab"),
    ("a/b", "a%2Fb"),
    ("a+b=c&d", "a%2Bb%3Dc%26d"),
    ("50%", "50%25"),
    ("a,b", "a%2Cb"),
    (u"数据", "%E6%95%B0%E6%8D%AE"),
    (u"é", "%C3%A9"),
    (u"\U0001F600", "%F0%9F%98%80"),
    ("'()!", "%27%28%29%21"),
    ("", ""),
])
def test_percent_encode(text, expected):
    assert percent_encode(text) == expected
    assert rfc3986(text) == expected


def test_canonical_query_string_sorts_and_encodes():
    query = {"b": "x y", "a": "*~/", "c": u"数", "B": "upper", "empty": ""}
    assert canonical_query_string(query) == "B=upper&a=%2A~%2F&b=x%20y&c=%E6%95%B0&empty="
    assert canonical_query_string({}) == ""


def test_canonical_query_string_matches_vector_m1():
    assert canonical_query_string(M1["query"]) == M1["canonical_query"]


# --- what goes on the wire ---------------------------------------------------------------------------

class FixedClock(object):
    """Replaces the ``datetime`` and ``uuid`` modules inside _client to pin the date and the nonce."""

    def __init__(self, nonces):
        self._nonces = list(nonces)
        outer = self

        class _DateTime(datetime.datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.datetime(2025, 1, 15, 8, 30, 0, tzinfo=datetime.timezone.utc)

        class _DateTimeModule(object):
            pass

        _DateTimeModule.datetime = _DateTime
        _DateTimeModule.timezone = datetime.timezone

        class _Uuid(object):
            def __init__(self, value):
                self.hex = value

        class _UuidModule(object):
            @staticmethod
            def uuid4():
                return _Uuid(outer._nonces.pop(0))

        self.datetime = _DateTimeModule
        self.uuid = _UuidModule


@pytest.fixture
def fixed_clock(monkeypatch):
    def install(*nonces):
        clock = FixedClock(nonces)
        monkeypatch.setattr(_client, "datetime", clock.datetime)
        monkeypatch.setattr(_client, "uuid", clock.uuid)
        return clock
    return install


def test_call_reproduces_vector_m1_on_the_wire(fixed_clock):
    fixed_clock(M1["headers"]["x-acs-signature-nonce"])
    client, session, dummy = make_client(ok({"Models": []}))
    client.call("ListModels", query={"WorkspaceId": "12345", "ModelName": "my model", "PageNumber": 1,
                                     "PageSize": 50, "Tag": [{"Key": "env", "Value": "prod"}], "Label": None})
    call = session.calls[0]
    assert call["headers"]["Authorization"] == M1["authorization"]
    assert call["method"] == "GET"
    assert call["data"] is None
    assert call["url"] == HANGZHOU + "/api/v1/models?" + M1["canonical_query"]
    assert "Label" not in session.query(0)


def test_call_reproduces_vector_m2_on_the_wire(fixed_clock):
    fixed_clock(M2["headers"]["x-acs-signature-nonce"])
    client, session, dummy = make_client(ok(), endpoint="https://aiworkspace.cn-shanghai.aliyuncs.com")
    client.call("UpdateModel", path_params={"ModelId": "model-abc123"},
                body={"ModelDescription": "updated desc", "Accessibility": "PUBLIC"})
    call = session.calls[0]
    assert call["data"] == M2_BODY
    assert call["headers"]["Authorization"] == M2["authorization"]
    assert call["url"] == "https://aiworkspace.cn-shanghai.aliyuncs.com/api/v1/models/model-abc123"


def test_call_reproduces_vector_m4_on_the_wire(fixed_clock):
    fixed_clock(M4["headers"]["x-acs-signature-nonce"])
    client, session, dummy = make_client(ok())
    client.call("CreateModelLabels", path_params={"ModelId": "model-abc123"},
                body={"Labels": [{"Key": "team", "Value": u"数据"}]})
    call = session.calls[0]
    assert call["data"] == M4_BODY
    assert call["headers"]["Authorization"] == M4["authorization"]


def test_get_request_headers_and_signature():
    client, session, dummy = make_client(ok({"Connections": []}))
    client.call("ListConnections", query={"WorkspaceId": "12345", "ConnectionName": "my conn*",
                                          "ConnectionTypes": ["OpenLLMConnection", "MilvusConnection"],
                                          "ToolCall": True, "MaxResults": 10})
    call = session.calls[0]
    headers = call["headers"]
    assert call["method"] == "GET"
    assert call["data"] is None
    assert call["allow_redirects"] is False
    assert call["timeout"] == (10, 60)
    assert headers["host"] == "aiworkspace.cn-hangzhou.aliyuncs.com"
    assert headers["x-acs-action"] == "ListConnections"
    assert headers["x-acs-version"] == "2021-02-04"
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", headers["x-acs-date"])
    sent = datetime.datetime.strptime(headers["x-acs-date"], "%Y-%m-%dT%H:%M:%SZ")
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert abs((now - sent).total_seconds()) < 60
    assert re.match(r"^[0-9a-f]{32}$", headers["x-acs-signature-nonce"])
    assert headers["x-acs-content-sha256"] == E0
    assert headers["accept"] == "application/json"
    assert "content-type" not in [name.lower() for name in headers]
    assert "x-acs-security-token" not in headers
    signed = verify_wire_signature(call, AK_ID, AK_SECRET)
    assert signed == ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce",
                      "x-acs-version"]
    assert session.query(0) == {"WorkspaceId": "12345", "ConnectionName": "my conn*",
                                "ConnectionTypes": "OpenLLMConnection,MilvusConnection", "ToolCall": "true",
                                "MaxResults": "10"}
    assert urlsplit(call["url"]).query == ("ConnectionName=my%20conn%2A&ConnectionTypes=OpenLLMConnection%2C"
                                           "MilvusConnection&MaxResults=10&ToolCall=true&WorkspaceId=12345")


def test_every_header_sent_is_signed_except_accept_user_agent_authorization():
    client, session, dummy = make_client(ok(), credentials=Credentials(AK_ID, AK_SECRET, STS_TOKEN))
    client.call("CreateConnection", body={"ConnectionName": "c"})
    call = session.calls[0]
    signed = verify_wire_signature(call, AK_ID, AK_SECRET)
    unsigned = sorted(set(name.lower() for name in call["headers"]) - set(signed))
    assert unsigned == ["accept", "authorization", "user-agent"]


def test_post_body_is_compact_utf8_json_and_signed():
    body = {"ConnectionName": u"数据 conn", "Configs": {"baseUrl": "http://example.com/v1"},
            "Models": [{"Model": "qwen-max", "ToolCall": True}], "Secrets": {"apiKey": "sk-xyz"}}
    client, session, dummy = make_client(ok({"ConnectionId": "conn-1"}))
    answer = client.call("CreateConnection", body=body)
    assert answer == {"RequestId": "OK-REQUEST", "ConnectionId": "conn-1"}
    call = session.calls[0]
    expected = (u'{"ConnectionName":"数据 conn","Configs":{"baseUrl":"http://example.com/v1"},'
                u'"Models":[{"Model":"qwen-max","ToolCall":true}],"Secrets":{"apiKey":"sk-xyz"}}').encode("utf-8")
    assert call["data"] == expected
    assert call["method"] == "POST"
    assert call["url"] == HANGZHOU + "/api/v1/connections"
    assert call["headers"]["content-type"] == "application/json; charset=utf-8"
    assert call["headers"]["x-acs-content-sha256"] == hashlib.sha256(expected).hexdigest()
    assert verify_wire_signature(call, AK_ID, AK_SECRET) == [
        "content-type", "host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce",
        "x-acs-version"]


def test_empty_body_is_sent_as_empty_object():
    client, session, dummy = make_client(ok())
    client.call("UpdateModel", path_params={"ModelId": "m"}, body={})
    call = session.calls[0]
    assert call["data"] == b"{}"
    assert call["headers"]["x-acs-content-sha256"] == hashlib.sha256(b"{}").hexdigest()
    assert call["headers"]["content-type"] == JSON_CT


def test_sts_token_is_sent_and_signed():
    credentials = Credentials("STS.keyid", AK_SECRET, STS_TOKEN)
    client, session, dummy = make_client(ok(), credentials=credentials)
    client.call("DeleteConnection", path_params={"ConnectionId": "conn-xyz789"})
    call = session.calls[0]
    assert call["headers"]["x-acs-security-token"] == STS_TOKEN
    assert call["headers"]["x-acs-accesskey-id"] == "STS.keyid"
    assert call["headers"]["Authorization"].startswith("ACS3-HMAC-SHA256 Credential=STS.keyid,")
    assert verify_wire_signature(call, "STS.keyid", AK_SECRET) == [
        "host", "x-acs-accesskey-id", "x-acs-action", "x-acs-content-sha256", "x-acs-date",
        "x-acs-security-token", "x-acs-signature-nonce", "x-acs-version"]
    assert call["method"] == "DELETE"
    assert call["data"] is None


def test_user_agent_names_collection_and_version():
    client, session, dummy = make_client(ok())
    client.call("GetDefaultWorkspace")
    agent = session.calls[0]["headers"]["user-agent"]
    assert "alicloud.pai/%s" % COLLECTION_VERSION in agent
    assert re.search(r"Python/\d+\.\d+", agent)
    assert re.search(r"ansible-core/\S+", agent)


def test_collection_version_matches_galaxy_yml():
    galaxy = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "galaxy.yml")
    with open(galaxy) as handle:
        versions = re.findall(r"^version:\s*['\"]?([^'\"\s]+)", handle.read(), re.M)
    assert versions == [COLLECTION_VERSION]


def test_path_parameters_are_percent_encoded():
    client, session, dummy = make_client(ok(), ok())
    client.call("GetConnection", path_params={"ConnectionId": u"conn/with space*~+数"})
    assert session.calls[0]["url"] == HANGZHOU + "/api/v1/connections/conn%2Fwith%20space%2A~%2B%E6%95%B0"
    verify_wire_signature(session.calls[0], AK_ID, AK_SECRET)
    client.call("GetWorkspace", path_params={"WorkspaceId": 12345}, query={"Verbose": False})
    assert session.calls[1]["url"] == HANGZHOU + "/api/v1/workspaces/12345?Verbose=false"


def test_endpoint_with_port_and_base_path():
    client, session, dummy = make_client(ok(), endpoint="http://127.0.0.1:8765/prefix/")
    client.call("GetModel", path_params={"ModelId": "model-1"})
    call = session.calls[0]
    assert call["url"] == "http://127.0.0.1:8765/prefix/api/v1/models/model-1"
    assert call["headers"]["host"] == "127.0.0.1:8765"
    verify_wire_signature(call, AK_ID, AK_SECRET)


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_every_action_uses_its_method_and_path(action):
    method, template, dummy, dummy = ACTIONS[action]
    params = dict((name, "id-1") for name in re.findall(r"{(\w+)}", template))
    body = {} if method in ("POST", "PUT") else None
    client, session, dummy = make_client(ok())
    client.call(action, path_params=params, body=body)
    call = session.calls[0]
    assert call["method"] == method
    assert urlsplit(call["url"]).path == template.format(**params)
    assert call["headers"]["x-acs-action"] == action


def test_retry_attempts_are_freshly_signed():
    client, session, recorder = make_client(
        api_error(400, "Throttling.User"), api_error(503, "ServiceUnavailable"), ok())
    client.call("CreateConnection", body={"ConnectionName": "c"})
    assert len(session.calls) == 3
    nonces = [call["headers"]["x-acs-signature-nonce"] for call in session.calls]
    signatures = [call["headers"]["Authorization"] for call in session.calls]
    assert len(set(nonces)) == 3
    assert len(set(signatures)) == 3
    for call in session.calls:
        verify_wire_signature(call, AK_ID, AK_SECRET)
        assert call["data"] == b'{"ConnectionName":"c"}'


def test_validate_certs_false_survives_ca_bundle_environment(monkeypatch):
    """requests lets REQUESTS_CA_BUNDLE override a session-level verify=False; the client must not."""
    seen = []

    class Adapter(BaseAdapter):
        def send(self, request, **kwargs):
            seen.append(kwargs["verify"])
            response = make_response(200, {"RequestId": "r"})
            response.request = request
            return response

        def close(self):
            pass

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca-bundle.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/nonexistent/ca-bundle.pem")
    for validate, expected in ((False, False), (True, "/nonexistent/ca-bundle.pem")):
        session = requests.Session()
        session.mount("https://", Adapter())
        client = PaiClient(Credentials(AK_ID, AK_SECRET), HANGZHOU, session=session, validate_certs=validate)
        assert client.call("GetDefaultWorkspace") == {"RequestId": "r"}
        assert seen[-1] == expected


def test_timeouts_and_verify_reach_the_session():
    client, session, dummy = make_client(ok(), connect_timeout=3, read_timeout=7, validate_certs=False)
    client.call("GetDefaultWorkspace")
    assert session.calls[0]["timeout"] == (3, 7)
    assert session.calls[0]["verify"] is False
    assert session.verify is False


# --- backoff -----------------------------------------------------------------------------------------

def test_backoff_schedule_doubles_to_the_cap():
    errors = [api_error(400, "Throttling.User", request_id="T%d" % index) for index in range(8)]
    client, session, recorder = make_client(*(errors + [ok()]), max_retries=8)
    assert client.call("ListConnections") == {"RequestId": "OK-REQUEST"}
    assert len(session.calls) == 9
    assert recorder.jitters == [(0.25, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, 16.0),
                                (10.0, 20.0), (10.0, 20.0)]
    assert recorder.sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0]


def test_backoff_uses_the_jitter_result():
    recorder = Recorder(pick=lambda low, high: low)
    client, session, dummy = make_client(api_error(429, "TooManyRequests"), api_error(429, "TooManyRequests"),
                                         ok(), recorder=recorder)
    client.call("GetConnection", path_params={"ConnectionId": "c"})
    assert recorder.sleeps == [0.25, 0.5]


def test_default_jitter_stays_within_half_to_full_ceiling():
    sleeps = []
    errors = [api_error(503, "ServiceUnavailable") for dummy in range(7)]
    client = PaiClient(Credentials(AK_ID, AK_SECRET), HANGZHOU, session=FakeSession(*(errors + [ok()])),
                       sleep=sleeps.append, max_retries=7, retry_max_wait=1000)
    client.call("GetDefaultWorkspace")
    ceilings = [0.5, 1, 2, 4, 8, 16, 20]
    assert len(sleeps) == len(ceilings)
    for slept, ceiling in zip(sleeps, ceilings):
        assert ceiling / 2.0 <= slept <= ceiling


def test_retry_after_header_is_honoured_in_milliseconds():
    client, session, recorder = make_client(
        api_error(400, "Throttling.User", headers={"x-acs-retry-after": "1500"}),
        api_error(400, "Throttling.User", headers={"x-acs-retry-after": "250"}),
        ok())
    client.call("ListConnections")
    assert recorder.sleeps == [1.5, 0.25]
    assert recorder.jitters == []
    assert len(session.calls) == 3


@pytest.mark.parametrize("value", ["0", "-3", "soon", ""])
def test_invalid_retry_after_falls_back_to_backoff(value):
    client, session, recorder = make_client(
        api_error(400, "Throttling.User", headers={"x-acs-retry-after": value}), ok())
    client.call("ListConnections")
    assert recorder.sleeps == [0.5]


def test_retry_after_is_kept_on_the_error():
    client, session, dummy = make_client(api_error(400, "Throttling.User", headers={"x-acs-retry-after": "700"}),
                                         max_retries=0)
    with pytest.raises(PaiApiError) as info:
        client.call("ListConnections")
    assert info.value.retry_after == 700


def test_total_wait_is_bounded_by_retry_max_wait():
    errors = [api_error(400, "Throttling.User", request_id="T%d" % index) for index in range(6)]
    client, session, recorder = make_client(*errors, max_retries=10, retry_max_wait=3)
    with pytest.raises(PaiApiError) as info:
        client.call("ListConnections")
    # 0.5 + 1 = 1.5 waited; the next wait (2) would reach 3.5 > 3, so the client stops
    assert recorder.sleeps == [0.5, 1.0]
    assert len(session.calls) == 3
    assert info.value.request_id == "T2"
    assert info.value.code == "Throttling.User"
    # the error says how many attempts were made, over how long, and which limit stopped them
    assert "(3 attempts in " in str(info.value)
    assert "1.5 s of it waiting between them; stopped: waiting 2.0 s more would pass retry_max_wait (3 s))" in str(info.value)


def test_total_wait_may_reach_retry_max_wait_exactly():
    errors = [api_error(400, "Throttling.User", request_id="T%d" % index) for index in range(6)]
    client, session, recorder = make_client(*(errors[:2] + [ok()]), max_retries=10, retry_max_wait=1.5)
    assert client.call("ListConnections") == {"RequestId": "OK-REQUEST"}
    assert recorder.sleeps == [0.5, 1.0]


def test_retry_after_beyond_retry_max_wait_stops_at_once():
    client, session, recorder = make_client(
        api_error(400, "Throttling.User", headers={"x-acs-retry-after": "90000"}), ok(), retry_max_wait=60)
    with pytest.raises(PaiApiError) as info:
        client.call("ListConnections")
    assert recorder.sleeps == []
    assert len(session.calls) == 1
    assert "(not retried: waiting 90.0 s more would pass retry_max_wait (60 s))" in str(info.value)


@pytest.mark.parametrize("max_retries", [0, 1, 3])
def test_max_retries_bounds_the_attempts(max_retries):
    errors = [api_error(503, "ServiceUnavailable", request_id="S%d" % index) for index in range(max_retries + 1)]
    client, session, recorder = make_client(*errors, max_retries=max_retries)
    with pytest.raises(PaiApiError) as info:
        client.call("GetConnection", path_params={"ConnectionId": "c"})
    assert len(session.calls) == max_retries + 1
    assert len(recorder.sleeps) == max_retries
    assert info.value.request_id == "S%d" % max_retries
    if max_retries:
        assert "(%d attempts in " % (max_retries + 1) in str(info.value)
        assert str(info.value).endswith("s of it waiting between them; stopped: max_retries (%d) reached) (request id S%d)"
                                        % (max_retries, max_retries))
    else:
        assert str(info.value).endswith("boom (not retried: max_retries is 0) (request id S0)")


def test_an_error_not_retried_after_retries_says_so_and_a_first_one_adds_nothing():
    client, session, recorder = make_client(api_error(503, "ServiceUnavailable"), api_error(400, "InvalidParameter"))
    with pytest.raises(PaiApiError) as info:
        client.call("ListConnections")
    assert "(2 attempts in " in str(info.value) and "this error is not retried)" in str(info.value)
    client, session, recorder = make_client(api_error(400, "InvalidParameter", message="bad"))
    with pytest.raises(PaiApiError) as info:
        client.call("ListConnections")
    assert "attempt" not in str(info.value)


RETRY_TABLE = [
    # action, status, code, retried
    ("ListConnections", 400, "Throttling.User", True),
    ("CreateConnection", 400, "Throttling.User", True),
    ("CreateConnection", 400, "Throttling", True),
    ("CreateModel", 400, "Throttling.Api", True),
    ("CreateModel", 400, "Rejected.Throttling", True),
    ("CreateConnection", 429, "TooManyRequests", True),
    ("CreateConnection", 503, "ServiceUnavailable", True),
    ("CreateModel", 503, "SomethingElse", True),
    ("CreateModel", 500, "ServiceUnavailable", True),
    ("UpdateConnection", 503, "ServiceUnavailable", True),
    ("DeleteConnection", 429, "TooManyRequests", True),
    ("CreateConnection", 500, "InternalError", False),
    ("CreateModel", 502, "BadGateway", False),
    ("CreateModelLabels", 504, "GatewayTimeout", False),
    ("GetConnection", 500, "InternalError", True),
    ("ListModels", 502, "BadGateway", True),
    ("UpdateModel", 500, "InternalFailure", True),
    ("DeleteModel", 504, "GatewayTimeout", True),
    ("DeleteModelLabels", 500, "InternalError", True),
    ("ValidateConnection", 500, "InternalError", True),
    ("GetConnection", 400, "InvalidParameter", False),
    ("GetConnection", 404, "RequestFailedErrorProblem", False),
    ("UpdateConnection", 400, "MissingParameter", False),
    ("DeleteModel", 403, "Forbidden.RAM", False),
    ("ListConnections", 400, "SignatureDoesNotMatch", False),
    ("ListConnections", 404, "InvalidAccessKeyId.NotFound", False),
    ("CreateConnection", 400, "100400009", False),
    ("ValidateConnection", 400, "InvalidParameter", False),
]


@pytest.mark.parametrize("action, status, code, retried", RETRY_TABLE)
def test_which_errors_are_retried(action, status, code, retried):
    method, template, dummy, dummy = ACTIONS[action]
    params = dict((name, "id-1") for name in re.findall(r"{(\w+)}", template))
    body = {} if method in ("POST", "PUT") else None
    client, session, recorder = make_client(api_error(status, code), ok())
    if retried:
        assert client.call(action, path_params=params, body=body) == {"RequestId": "OK-REQUEST"}
        assert len(session.calls) == 2
        assert recorder.sleeps == [0.5]
    else:
        with pytest.raises(PaiApiError) as info:
            client.call(action, path_params=params, body=body)
        assert (info.value.http_status, info.value.code) == (status, code)
        assert len(session.calls) == 1
        assert recorder.sleeps == []


def test_non_json_5xx_is_retried_for_get_not_for_create():
    gateway = make_response(502, "<html>bad gateway</html>", reason="Bad Gateway")
    client, session, dummy = make_client(gateway, ok())
    assert client.call("GetModel", path_params={"ModelId": "m"}) == {"RequestId": "OK-REQUEST"}
    client, session, dummy = make_client(make_response(502, "<html>bad gateway</html>"), ok())
    with pytest.raises(PaiApiError) as info:
        client.call("CreateModel", body={"ModelName": "m"})
    assert info.value.code == "HTTP502"
    assert len(session.calls) == 1


# --- the POST rule and connection errors --------------------------------------------------------------

def test_create_after_read_timeout_is_sent_once():
    client, session, recorder = make_client(requests.exceptions.ReadTimeout("read timed out"), ok())
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateConnection", body={"ConnectionName": "c"})
    assert info.value.request_sent is True
    assert info.value.action == "CreateConnection"
    assert len(session.calls) == 1
    assert recorder.sleeps == []
    assert "timed out" in str(info.value)


def test_create_after_dropped_connection_is_sent_once():
    drop = requests.exceptions.ConnectionError(
        requests.packages.urllib3.exceptions.ProtocolError("Connection aborted.", Exception("RemoteDisconnected")))
    client, session, recorder = make_client(drop, ok())
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateModel", body={"ModelName": "m"})
    assert info.value.request_sent is True
    assert len(session.calls) == 1


@pytest.mark.parametrize("exception", [
    requests.exceptions.ConnectTimeout("connect timed out"),
    requests.exceptions.ConnectionError(requests.packages.urllib3.exceptions.MaxRetryError(
        None, "/api", requests.packages.urllib3.exceptions.NewConnectionError(None, "refused"))),
])
def test_create_is_retried_when_the_request_never_left(exception):
    client, session, recorder = make_client(exception, ok({"ConnectionId": "conn-1"}))
    assert client.call("CreateConnection", body={"ConnectionName": "c"})["ConnectionId"] == "conn-1"
    assert len(session.calls) == 2
    assert recorder.sleeps == [0.5]


@pytest.mark.parametrize("action", ["CreateConnection", "GetConnection"])
def test_tls_errors_are_not_retried(action):
    """A certificate problem does not go away by itself: fail at once, whatever the method."""
    body = {} if action == "CreateConnection" else None
    params = {"ConnectionId": "c"} if action == "GetConnection" else None
    client, session, recorder = make_client(requests.exceptions.SSLError("certificate verify failed"), ok())
    with pytest.raises(PaiConnectionError) as info:
        client.call(action, path_params=params, body=body)
    assert info.value.request_sent is False
    assert info.value.retryable is False
    assert "certificate verify failed" in str(info.value)
    assert "validate_certs" in str(info.value)
    assert len(session.calls) == 1
    assert recorder.sleeps == []


@pytest.mark.parametrize("action", ["GetConnection", "UpdateConnection", "DeleteConnection", "ValidateConnection"])
def test_repeatable_actions_retry_after_read_timeout(action):
    method = ACTIONS[action][0]
    body = {} if method in ("POST", "PUT") else None
    params = {"ConnectionId": "c"} if "{ConnectionId}" in ACTIONS[action][1] else None
    client, session, recorder = make_client(requests.exceptions.ReadTimeout("read timed out"), ok())
    assert client.call(action, path_params=params, body=body) == {"RequestId": "OK-REQUEST"}
    assert len(session.calls) == 2


def test_connection_error_after_all_retries_is_raised():
    client, session, recorder = make_client(
        *[requests.exceptions.ReadTimeout("read timed out %d" % index) for index in range(3)], max_retries=2)
    with pytest.raises(PaiConnectionError) as info:
        client.call("ListConnections")
    assert len(session.calls) == 3
    assert "read timed out 2" in str(info.value)
    assert info.value.to_dict() == {"http_status": None, "code": "ConnectionError",
                                    "message": str(info.value), "request_id": None}


def test_real_socket_dropped_after_sending_create_is_not_resent(raw_server):
    server = raw_server("drop")
    client = PaiClient(Credentials(AK_ID, AK_SECRET), server.url, sleep=lambda seconds: None, max_retries=3)
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateConnection", body={"ConnectionName": "c", "Configs": {"k": "v"}})
    assert info.value.request_sent is True
    assert server.requests == ["POST /api/v1/connections HTTP/1.1"]


def test_real_socket_dropped_get_is_retried(raw_server):
    server = raw_server("drop")
    sleeps = []
    client = PaiClient(Credentials(AK_ID, AK_SECRET), server.url, sleep=sleeps.append, max_retries=2)
    with pytest.raises(PaiConnectionError) as info:
        client.call("GetConnection", path_params={"ConnectionId": "conn-1"})
    assert info.value.request_sent is True
    assert server.requests == ["GET /api/v1/connections/conn-1 HTTP/1.1"] * 3
    assert len(sleeps) == 2


def test_real_socket_read_timeout_on_create_is_not_resent(raw_server):
    server = raw_server("hang")
    client = PaiClient(Credentials(AK_ID, AK_SECRET), server.url, sleep=lambda seconds: None, max_retries=3,
                       read_timeout=0.3)
    started = time.time()
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateModel", body={"ModelName": "m"})
    assert time.time() - started < 5
    assert info.value.request_sent is True
    assert server.requests == ["POST /api/v1/models HTTP/1.1"]


def test_real_socket_read_timeout_on_delete_is_retried(raw_server):
    server = raw_server("hang")
    client = PaiClient(Credentials(AK_ID, AK_SECRET), server.url, sleep=lambda seconds: None, max_retries=1,
                       read_timeout=0.3)
    with pytest.raises(PaiConnectionError) as info:
        client.call("DeleteModel", path_params={"ModelId": "model-1"})
    assert info.value.request_sent is True
    assert server.requests == ["DELETE /api/v1/models/model-1 HTTP/1.1"] * 2


def test_real_socket_truncated_answer_on_create_is_not_resent(raw_server):
    server = raw_server("truncate")
    client = PaiClient(Credentials(AK_ID, AK_SECRET), server.url, sleep=lambda seconds: None, max_retries=3)
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateConnection", body={"ConnectionName": "c"})
    assert info.value.request_sent is True
    assert "broken" in str(info.value)
    assert server.requests == ["POST /api/v1/connections HTTP/1.1"]


def test_real_socket_truncated_answer_on_get_is_retried(raw_server):
    server = raw_server("truncate")
    client = PaiClient(Credentials(AK_ID, AK_SECRET), server.url, sleep=lambda seconds: None, max_retries=1)
    with pytest.raises(PaiConnectionError) as info:
        client.call("ListModels")
    assert info.value.request_sent is True
    assert server.requests == ["GET /api/v1/models HTTP/1.1"] * 2


def test_header_value_refused_by_requests_is_a_config_error_without_the_secret():
    token = "STS.token-value\nwith-inner-newline"
    sleeps = []
    client = PaiClient(Credentials(AK_ID, AK_SECRET, token), "http://127.0.0.1:%d" % closed_port(),
                       sleep=sleeps.append)
    with pytest.raises(PaiConfigError) as info:
        client.call("CreateConnection", body={})
    assert "cannot send a request" in str(info.value)
    assert sleeps == []
    for text in (str(info.value), repr(info.value), repr(info.value.args), json.dumps(info.value.to_dict())):
        assert "STS.token-value" not in text


def test_value_error_from_the_http_stack_is_a_config_error():
    """http.client refuses some header values that older requests releases let through, with a ValueError."""
    client, session, recorder = make_client(ValueError("Invalid header value b'%s\\n'" % STS_TOKEN),
                                            credentials=Credentials(AK_ID, AK_SECRET, STS_TOKEN))
    with pytest.raises(PaiConfigError) as info:
        client.call("GetDefaultWorkspace")
    assert STS_TOKEN not in str(info.value)
    assert str(info.value).startswith("GetDefaultWorkspace: cannot send a request to aiworkspace.cn-hangzhou")
    assert len(session.calls) == 1
    assert recorder.sleeps == []


def test_real_refused_connection_is_retried_for_create():
    sleeps = []
    client = PaiClient(Credentials(AK_ID, AK_SECRET), "http://127.0.0.1:%d" % closed_port(), sleep=sleeps.append,
                       max_retries=2, connect_timeout=2)
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateConnection", body={"ConnectionName": "c"})
    assert info.value.request_sent is False
    assert len(sleeps) == 2
    assert info.value.action == "CreateConnection"
    assert "127.0.0.1" in str(info.value)


# --- pagination --------------------------------------------------------------------------------------

def items(prefix, count, start=0):
    return [{"Id": "%s%d" % (prefix, index)} for index in range(start, start + count)]


def test_token_paging_follows_next_token_to_the_end():
    client, session, dummy = make_client(
        ok({"Connections": items("c", 2), "NextToken": "2", "TotalCount": 5}),
        ok({"Connections": items("c", 2, 2), "NextToken": "4", "TotalCount": 5}),
        ok({"Connections": items("c", 1, 4), "TotalCount": 5}))
    result = list(client.paginate("ListConnections", query={"WorkspaceId": "1", "ConnectionName": "x"},
                                  page_size=2))
    assert [item["Id"] for item in result] == ["c0", "c1", "c2", "c3", "c4"]
    assert [session.query(index) for index in range(3)] == [
        {"WorkspaceId": "1", "ConnectionName": "x", "MaxResults": "2"},
        {"WorkspaceId": "1", "ConnectionName": "x", "MaxResults": "2", "NextToken": "2"},
        {"WorkspaceId": "1", "ConnectionName": "x", "MaxResults": "2", "NextToken": "4"},
    ]


def test_token_paging_stops_on_empty_token_at_an_exact_last_page():
    client, session, dummy = make_client(
        ok({"Connections": items("c", 2), "NextToken": "2"}),
        ok({"Connections": items("c", 2, 2), "NextToken": ""}))
    assert len(list(client.paginate("ListConnections", page_size=2))) == 4
    assert len(session.calls) == 2


def test_token_paging_stops_on_an_empty_page():
    client, session, dummy = make_client(
        ok({"Connections": items("c", 2), "NextToken": "2"}),
        ok({"Connections": [], "NextToken": "4"}))
    assert len(list(client.paginate("ListConnections", page_size=2))) == 2
    assert len(session.calls) == 2


def test_token_paging_empty_result():
    client, session, dummy = make_client(ok({"Connections": [], "TotalCount": 0}))
    assert list(client.paginate("ListConnections")) == []
    assert session.query(0) == {"MaxResults": "100"}
    assert len(session.calls) == 1


def test_token_paging_missing_items_key_is_empty():
    client, session, dummy = make_client(ok({"TotalCount": 0}))
    assert list(client.paginate("ListConnections")) == []


def test_token_paging_fails_on_a_repeated_token():
    client, session, dummy = make_client(
        ok({"Connections": items("c", 2), "NextToken": "same"}),
        ok({"Connections": items("c", 2, 2), "NextToken": "same"}),
        ok({"Connections": items("c", 2, 4), "NextToken": "same"}))
    with pytest.raises(PaiApiError) as info:
        list(client.paginate("ListConnections", page_size=2))
    assert info.value.code == "InvalidResponse" and "twice" in info.value.message
    assert len(session.calls) == 2


def test_page_paging_several_pages():
    client, session, dummy = make_client(
        ok({"Models": items("m", 2), "TotalCount": 5}),
        ok({"Models": items("m", 2, 2), "TotalCount": 5}),
        ok({"Models": items("m", 1, 4), "TotalCount": 5}))
    result = list(client.paginate("ListModels", query={"WorkspaceId": "1"}, page_size=2))
    assert [item["Id"] for item in result] == ["m0", "m1", "m2", "m3", "m4"]
    assert [session.query(index) for index in range(3)] == [
        {"WorkspaceId": "1", "PageNumber": str(page), "PageSize": "2"} for page in (1, 2, 3)]


def test_page_paging_exact_multiple_with_total_count_stops_without_extra_request():
    client, session, dummy = make_client(
        ok({"Models": items("m", 2), "TotalCount": "4"}),
        ok({"Models": items("m", 2, 2), "TotalCount": "4"}))
    assert len(list(client.paginate("ListModels", page_size=2))) == 4
    assert len(session.calls) == 2


def test_page_paging_exact_multiple_without_total_count_reads_one_empty_page():
    client, session, dummy = make_client(
        ok({"Workspaces": items("w", 2)}),
        ok({"Workspaces": items("w", 2, 2)}),
        ok({"Workspaces": []}))
    assert len(list(client.paginate("ListWorkspaces", page_size=2))) == 4
    assert len(session.calls) == 3


def test_page_paging_empty_result_and_default_page_size():
    client, session, dummy = make_client(ok({"Models": [], "TotalCount": 0}))
    assert list(client.paginate("ListModels")) == []
    assert session.query(0) == {"PageNumber": "1", "PageSize": "100"}
    assert len(session.calls) == 1


def test_page_paging_short_page_without_total_count_is_the_last():
    client, session, dummy = make_client(ok({"Models": items("m", 3)}))
    assert len(list(client.paginate("ListModels"))) == 3
    assert len(session.calls) == 1


def test_page_paging_follows_total_count_when_the_server_caps_the_page_size():
    client, session, dummy = make_client(
        ok({"Models": items("m", 2), "TotalCount": 5}),
        ok({"Models": items("m", 2, 2), "TotalCount": 5}),
        ok({"Models": items("m", 1, 4), "TotalCount": 5}))
    assert [item["Id"] for item in client.paginate("ListModels")] == ["m0", "m1", "m2", "m3", "m4"]
    assert [session.query(index)["PageNumber"] for index in range(3)] == ["1", "2", "3"]


def test_page_paging_stops_on_empty_page_even_if_total_count_says_more():
    client, session, dummy = make_client(
        ok({"Models": items("m", 2), "TotalCount": 9}),
        ok({"Models": [], "TotalCount": 9}))
    assert len(list(client.paginate("ListModels", page_size=2))) == 2
    assert len(session.calls) == 2


def test_paging_retries_a_throttled_page():
    client, session, recorder = make_client(
        ok({"Connections": items("c", 1), "NextToken": "1"}),
        api_error(400, "Throttling.User"),
        ok({"Connections": items("c", 1, 1)}))
    assert len(list(client.paginate("ListConnections", page_size=1))) == 2
    assert session.query(2)["NextToken"] == "1"
    assert recorder.sleeps == [0.5]


# --- errors ------------------------------------------------------------------------------------------

def test_json_error_body_is_mapped():
    body = {"RequestId": "5A14FA81-DD4E-1234", "Code": "SignatureDoesNotMatch", "Message": "not matched",
            "HostId": "aiworkspace.cn-hangzhou.aliyuncs.com",
            "Recommend": "https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch"}
    client, session, dummy = make_client(make_response(400, body))
    with pytest.raises(PaiApiError) as info:
        client.call("ListConnections")
    error = info.value
    assert isinstance(error, PaiError)
    assert (error.http_status, error.code, error.message, error.request_id) == (
        400, "SignatureDoesNotMatch", "not matched", "5A14FA81-DD4E-1234")
    assert error.host_id == "aiworkspace.cn-hangzhou.aliyuncs.com"
    assert error.recommend == "https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch"
    assert error.action == "ListConnections"
    assert error.to_dict() == {"http_status": 400, "code": "SignatureDoesNotMatch", "message": "not matched",
                               "request_id": "5A14FA81-DD4E-1234"}
    assert str(error) == ("ListConnections failed: HTTP 400, SignatureDoesNotMatch: not matched "
                          "(request id 5A14FA81-DD4E-1234)")
    assert repr(error) == "PaiApiError(http_status=400, code='SignatureDoesNotMatch', request_id='5A14FA81-DD4E-1234')"


def test_lower_case_error_keys_are_read():
    client, session, dummy = make_client(make_response(404, {"code": "100400027", "message": "Workspace not exists",
                                                             "requestId": "abc"}))
    with pytest.raises(PaiApiError) as info:
        client.call("GetWorkspace", path_params={"WorkspaceId": "9"})
    assert info.value.to_dict() == {"http_status": 404, "code": "100400027", "message": "Workspace not exists",
                                    "request_id": "abc"}
    assert info.value.is_not_found is True


def test_numeric_code_and_request_id_header():
    client, session, dummy = make_client(make_response(400, {"Code": 100400009, "Message": "exists"},
                                                       headers={"x-acs-request-id": "HDR-ID"}))
    with pytest.raises(PaiApiError) as info:
        client.call("ListWorkspaces")
    assert info.value.code == "100400009"
    assert info.value.request_id == "HDR-ID"


def test_non_json_error_body():
    client, session, dummy = make_client(make_response(502, "<html>upstream down</html>", reason="Bad Gateway"),
                                         max_retries=0)
    with pytest.raises(PaiApiError) as info:
        client.call("ListModels")
    assert info.value.to_dict() == {"http_status": 502, "code": "HTTP502",
                                    "message": "Bad Gateway: <html>upstream down</html> (not retried: max_retries is 0)",
                                    "request_id": None}
    assert str(info.value) == "ListModels failed: HTTP 502, HTTP502: Bad Gateway: <html>upstream down</html> (not retried: max_retries is 0)"


def test_long_non_json_error_body_is_cut():
    client, session, dummy = make_client(make_response(500, "x" * 1000, reason="Internal Server Error"),
                                         max_retries=0)
    with pytest.raises(PaiApiError) as info:
        client.call("ListModels")
    assert info.value.message == "Internal Server Error: " + "x" * 200 + " (not retried: max_retries is 0)"


def test_empty_error_body():
    client, session, dummy = make_client(make_response(404, b"", reason="Not Found"))
    with pytest.raises(PaiApiError) as info:
        client.call("GetModel", path_params={"ModelId": "m"})
    assert (info.value.code, info.value.message) == ("HTTP404", "Not Found")


@pytest.mark.parametrize("body", ["not json", b"", "[1, 2]", "null", '"text"'])
def test_success_status_without_json_object_is_invalid_response(body):
    client, session, dummy = make_client(make_response(200, body))
    with pytest.raises(PaiApiError) as info:
        client.call("GetModel", path_params={"ModelId": "m"})
    assert info.value.code == "InvalidResponse"
    assert info.value.http_status == 200
    assert info.value.message == "the answer is not a JSON object"
    assert len(session.calls) == 1


@pytest.mark.parametrize("status, code, expected", [
    (400, "RequestFailedErrorProblem", True),
    (404, "RequestFailedErrorProblem", True),
    (400, "201900002", True),
    (404, "201900003", True),
    (404, "100400027", True),
    (400, "100400008", True),
    (400, "100700008", True),
    (404, "100100001", True),
    (404, "InvalidAccessKeyId.NotFound", False),
    (404, "InvalidAction.NotFound", False),
    (404, "HTTP404", False),
    (400, "100400009", False),
    (400, "InvalidParameter", False),
    (500, "InternalError", False),
])
def test_is_not_found(status, code, expected):
    assert PaiApiError("m", status, code).is_not_found is expected


@pytest.mark.parametrize("status, code, expected", [
    (400, "Throttling.User", True),
    (400, "Throttling", True),
    (503, "Rejected.Throttling", True),
    (429, "TooManyRequests", True),
    (503, "ServiceUnavailable", False),
    (400, "InvalidParameter", False),
])
def test_is_throttling(status, code, expected):
    assert PaiApiError("m", status, code).is_throttling is expected


def test_config_error_shape():
    error = PaiConfigError("no region")
    assert str(error) == "no region"
    assert error.to_dict() == {"http_status": None, "code": "ConfigurationError", "message": "no region",
                               "request_id": None}


# --- secrets -----------------------------------------------------------------------------------------

PASSWORD = u'p@ss "wörd" 数据'
SECRETS = [AK_SECRET, STS_TOKEN, PASSWORD, json.dumps(PASSWORD)[1:-1]]


def error_texts(error):
    texts = [str(error), repr(error), json.dumps(error.to_dict(), ensure_ascii=False), repr(error.to_dict())]
    texts.extend(str(arg) for arg in error.args)
    texts.extend(repr(arg) for arg in error.args)
    texts.append(repr(error.args))
    return texts


def assert_no_secret(error):
    for text in error_texts(error):
        for secret in SECRETS:
            assert secret not in text


def secret_client(*outcomes, **kwargs):
    client, session, recorder = make_client(*outcomes, credentials=Credentials(AK_ID, AK_SECRET, STS_TOKEN),
                                            **kwargs)
    client.add_secret(PASSWORD)
    return client, session


def test_secrets_echoed_in_a_json_error_are_redacted():
    message = ("Specified signature is not matched with our calculation. server string to sign is:"
               "GET\n/api\n\nx-acs-security-token:%s\nkey %s password %s escaped %s"
               % (STS_TOKEN, AK_SECRET, PASSWORD, json.dumps({"Secrets": {"password": PASSWORD}})))
    client, session = secret_client(make_response(400, {"Code": "SignatureDoesNotMatch", "Message": message,
                                                        "RequestId": "R1"}))
    with pytest.raises(PaiApiError) as info:
        client.call("CreateConnection", body={"Secrets": {"password": PASSWORD}})
    assert_no_secret(info.value)
    assert "********" in info.value.message
    assert info.value.message.startswith("Specified signature is not matched")
    assert info.value.request_id == "R1"
    assert "R1" in str(info.value)


def test_secret_in_a_non_json_error_is_redacted_even_at_the_cut():
    text = "y" * 190 + PASSWORD + " and " + AK_SECRET
    client, session = secret_client(make_response(400, text, reason="Bad Request"))
    with pytest.raises(PaiApiError) as info:
        client.call("UpdateConnection", path_params={"ConnectionId": "c"}, body={})
    assert_no_secret(info.value)
    assert PASSWORD[:5] not in info.value.message
    assert info.value.message.startswith("Bad Request: " + "y" * 190 + "********")


def test_secret_in_a_connection_error_is_redacted():
    client, session = secret_client(requests.exceptions.ConnectionError(
        "connection reset while sending token %s and %s" % (STS_TOKEN, PASSWORD)))
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateConnection", body={})
    assert_no_secret(info.value)
    assert info.value.request_sent is True
    assert "connection reset" in str(info.value)


def test_secret_in_a_timeout_is_redacted():
    client, session = secret_client(*[requests.exceptions.ReadTimeout("timed out %s" % AK_SECRET)] * 5)
    with pytest.raises(PaiConnectionError) as info:
        client.call("ListConnections")
    assert_no_secret(info.value)


def test_secret_in_a_tls_error_is_redacted():
    client, session = secret_client(requests.exceptions.SSLError("bad cert %s" % PASSWORD))
    with pytest.raises(PaiConnectionError) as info:
        client.call("GetDefaultWorkspace")
    assert_no_secret(info.value)
    assert info.value.request_sent is False
    assert "validate_certs" in str(info.value)


def test_add_secret_ignores_empty_and_non_strings():
    client, session = secret_client()
    before = set(client._secrets)
    client.add_secret("")
    client.add_secret(None)
    client.add_secret(12345)
    assert client._secrets == before
    assert client.redact("a 12345 b") == "a 12345 b"


def test_redact_prefers_the_longest_secret():
    client, session = secret_client()
    client.add_secret("abc")
    client.add_secret("abcdef")
    assert client.redact("xx abcdef yy abc") == "xx ******** yy ********"


def test_reprs_show_no_secret():
    credentials = Credentials(AK_ID, AK_SECRET, STS_TOKEN)
    client = PaiClient(credentials, HANGZHOU, session=FakeSession())
    for text in (repr(client), repr(credentials), str(client), str(credentials)):
        assert AK_SECRET not in text
        assert STS_TOKEN not in text
    assert AK_ID in repr(client)
    assert HANGZHOU in repr(client)


# --- endpoints ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("endpoint, expected", [
    ("aiworkspace.cn-hangzhou.aliyuncs.com", "https://aiworkspace.cn-hangzhou.aliyuncs.com"),
    ("http://127.0.0.1:8765", "http://127.0.0.1:8765"),
    ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
    ("  https://example.com:8443/base/  ", "https://example.com:8443/base"),
    ("localhost:8765", "https://localhost:8765"),
])
def test_endpoint_url_from_endpoint(endpoint, expected):
    assert endpoint_url(endpoint, region="cn-shanghai") == expected


@pytest.mark.parametrize("region, expected", [
    ("cn-hangzhou", "https://aiworkspace.cn-hangzhou.aliyuncs.com"),
    ("cn-shanghai", "https://aiworkspace.cn-shanghai.aliyuncs.com"),
    ("ap-southeast-1", "https://aiworkspace.ap-southeast-1.aliyuncs.com"),
    (" cn-beijing\t", "https://aiworkspace.cn-beijing.aliyuncs.com"),
    ("cn-guangzhou", "https://aiworkspace.cn-guangzhou.aliyuncs.com"),
    ("ap-southeast-5", "https://aiworkspace-vpc.ap-southeast-5.aliyuncs.com"),
    ("cn-qingdao", "https://aiworkspace.aliyuncs.com"),
    ("eu-west-1", "https://aiworkspace.aliyuncs.com"),
    ("me-east-1", "https://aiworkspace.aliyuncs.com"),
    ("cn-huhehaote", "https://aiworkspace.aliyuncs.com"),
    ("cn-hangzhou-internal-test-2", "https://aiworkspace.aliyuncs.com"),
])
def test_endpoint_url_from_region(region, expected):
    assert endpoint_url(None, region) == expected


def test_central_regions_match_the_sdk_map():
    expected = set("""
    ap-northeast-2-pop ap-southeast-2 cn-beijing-finance-1 cn-beijing-finance-pop cn-beijing-gov-1
    cn-beijing-nu16-b01 cn-edge-1 cn-fujian cn-haidian-cm12-c01 cn-hangzhou-bj-b01 cn-hangzhou-finance
    cn-hangzhou-internal-prod-1 cn-hangzhou-internal-test-1 cn-hangzhou-internal-test-2 cn-hangzhou-internal-test-3
    cn-hangzhou-test-306 cn-hongkong-finance-pop cn-huhehaote cn-huhehaote-nebula-1 cn-qingdao cn-qingdao-nebula
    cn-shanghai-et15-b01 cn-shanghai-et2-b01 cn-shanghai-inner cn-shanghai-internal-test-1 cn-shenzhen-finance-1
    cn-shenzhen-inner cn-shenzhen-st4-d01 cn-shenzhen-su18-b01 cn-wuhan cn-yushanfang cn-zhangbei
    cn-zhangbei-na61-b01 cn-zhangjiakou-na62-a01 cn-zhengzhou-nebula-1 eu-west-1 eu-west-1-oxs me-east-1
    rus-west-1-pop""".split())
    assert set(CENTRAL_ENDPOINT_REGIONS) == expected
    for region in expected:
        assert endpoint_url(None, region) == "https://aiworkspace.aliyuncs.com"


@pytest.mark.parametrize("endpoint", ["ftp://example.com", "http://", "https://", "https:///path", "file:///etc/passwd",
                                      "http://127.0.0.1:notaport", "http://127.0.0.1:99999", "http://127.0.0.1:0",
                                      "http://:8765"])
def test_endpoint_url_rejects_bad_urls(endpoint):
    with pytest.raises(PaiConfigError) as info:
        endpoint_url(endpoint)
    assert "not a host name or an http(s) URL" in str(info.value)


@pytest.mark.parametrize("region", [None, ""])
def test_endpoint_url_needs_region_or_endpoint(region):
    with pytest.raises(PaiConfigError) as info:
        endpoint_url(None, region)
    message = str(info.value)
    for name in ("region option", "ALIBABA_CLOUD_REGION_ID", "ALICLOUD_REGION", "region_id", "endpoint option",
                 "ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE"):
        assert name in message


def test_page_paging_fails_when_the_api_repeats_a_page():
    client, session, dummy = make_client(
        ok({"Models": items("m", 2)}),
        ok({"Models": items("m", 2)}))
    with pytest.raises(PaiApiError) as info:
        list(client.paginate("ListModels", page_size=2))
    assert info.value.code == "InvalidResponse" and "repeats" in info.value.message
    assert len(session.calls) == 2


@pytest.mark.parametrize("action, parameter, key", [
    ("ListConnections", "MaxResults", "Connections"),
    ("ListModels", "PageSize", "Models"),
])
def test_paging_falls_back_to_a_smaller_page_when_the_size_is_refused(action, parameter, key):
    client, session, dummy = make_client(
        api_error(400, "InvalidParameter", "The parameter %s must be at most 50." % parameter),
        ok({key: items("x", 50), "TotalCount": 60, "NextToken": "50"}),
        ok({key: items("x", 10, 50), "TotalCount": 60}))
    assert len(list(client.paginate(action))) == 60
    assert [session.query(index)[parameter] for index in range(3)] == ["100", "50", "50"]


def test_paging_does_not_hide_other_invalid_parameters():
    client, session, dummy = make_client(api_error(400, "InvalidParameter", "The parameter Order is invalid."))
    with pytest.raises(PaiApiError) as info:
        list(client.paginate("ListModels"))
    assert "Order" in info.value.message and len(session.calls) == 1


def test_paging_gives_up_after_the_smallest_page_size():
    refused = [api_error(400, "InvalidParameter", "The parameter PageSize must be at most 5.") for dummy in range(4)]
    client, session, dummy = make_client(*refused)
    with pytest.raises(PaiApiError):
        list(client.paginate("ListModels"))
    assert [session.query(index)["PageSize"] for index in range(4)] == ["100", "50", "20", "10"]


@pytest.mark.parametrize("status, code, message, conflict", [
    (409, "Conflict", "", True),
    (400, "NameAlreadyExists", "A connection named 'x' already exists in workspace 1.", True),
    (400, "100400009", "Workspace exist error: already exists", True),
    (400, "DuplicatedName", "", True),
    (400, "InvalidParameter", "The parameter Configs is invalid.", False),
    (404, "RequestFailedErrorProblem", "not found", False),
])
def test_name_conflicts_are_recognised_by_status_or_words(status, code, message, conflict):
    assert PaiApiError(message, http_status=status, code=code).is_conflict is conflict
