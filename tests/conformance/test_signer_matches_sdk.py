# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's ACS3-HMAC-SHA256 signer against the official SDK's signer.

Runs with plain pytest in a virtual environment that has the official SDK
(``alibabacloud-aiworkspace20210204``), from the repository checkout. The collection is imported
through a temporary ``ansible_collections/alicloud/pai`` symlink to the repository root.

Proves, for the vectors M1-M4 and S1-S4 of pai-api.md section 4 (asserting the literal values
there too) and for a few hundred seeded random requests, that our ``authorization_header`` gives
exactly what ``alibabacloud_tea_openapi.utils.Utils.get_authorization`` gives.
"""

import hashlib
import json
import random

import pytest


from ansible_collections.alicloud.pai.plugins.module_utils._client import (  # noqa: E402
    PaiClient,
    authorization_header,
    percent_encode,
    query_value,
)
from ansible_collections.alicloud.pai.plugins.module_utils._credentials import Credentials  # noqa: E402

sdk_client = pytest.importorskip("alibabacloud_aiworkspace20210204.client")
sdk_models = pytest.importorskip("alibabacloud_aiworkspace20210204.models")
open_api_models = pytest.importorskip("alibabacloud_tea_openapi.models")
sdk_utils = pytest.importorskip("alibabacloud_tea_openapi.utils")
dara_core = pytest.importorskip("darabonba.core")
dara_request = pytest.importorskip("darabonba.request")

Utils = sdk_utils.Utils
ALGORITHM = "ACS3-HMAC-SHA256"

AK_ID = "LTAI5tTestAccessKeyId01"
AK_SECRET = "TestAccessKeySecret0123456789abc"
DATE = "2025-01-15T08:30:00Z"
E0 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
JSON_CT = "application/json; charset=utf-8"
SDK_USER_AGENT = "AlibabaCloud (Linux; x86_64) Python/3.11.7 Core/0.4.3 TeaDSL/2"
MINIMAL = "x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"


def sdk_authorization(method, path, query, headers, secret=AK_SECRET, access_key_id=AK_ID):
    """The official SDK's Authorization for a request, built the way ``do_request`` builds it."""
    request = dara_request.DaraRequest()
    request.method = method
    request.pathname = path
    request.query = dict(query)
    request.headers = dict(headers)
    return Utils.get_authorization(request, ALGORITHM, headers["x-acs-content-sha256"], access_key_id, secret)


def canonical_sha(canonical):
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- M1-M4: minimal header sets ----------------------------------------------------------------------

M_VECTORS = {
    "M1": dict(
        method="GET", path="/api/v1/models",
        query={"WorkspaceId": "12345", "ModelName": "my model", "PageNumber": "1", "PageSize": "50",
               "Tag": '[{"Key":"env","Value":"prod"}]'},
        headers={"host": "aiworkspace.cn-hangzhou.aliyuncs.com", "x-acs-action": "ListModels",
                 "x-acs-version": "2021-02-04", "x-acs-date": DATE,
                 "x-acs-signature-nonce": "6a1f0c9e2b8d4e7fa3c5b1d9e0f27a46", "x-acs-content-sha256": E0},
        body=None,
        canonical_sha="b11d9e4a3ef577e25b8243c16f3ffc109522a1cd777a24145e77d2e9a56ad76d",
        authorization="ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId01,SignedHeaders=host;" + MINIMAL
                      + ",Signature=dd51b1ebeae02512ab702d7953c12ba990f36664ad86fb0402b97cf0aa931043"),
    "M2": dict(
        method="PUT", path="/api/v1/models/model-abc123", query={},
        headers={"host": "aiworkspace.cn-shanghai.aliyuncs.com", "x-acs-action": "UpdateModel",
                 "x-acs-version": "2021-02-04", "x-acs-date": DATE,
                 "x-acs-signature-nonce": "d41d8cd98f00b204e9800998ecf8427e", "content-type": JSON_CT,
                 "x-acs-content-sha256": "f693a93007fb1ba154a20709d51efccd6ee4674243d6be51942074c4fea4711d"},
        body=b'{"ModelDescription":"updated desc","Accessibility":"PUBLIC"}',
        canonical_sha="889b65dbed10131223e203ee27ddb13cc94c269fe425d65e950d7b41fb73dc77",
        authorization="ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId01,SignedHeaders=content-type;host;"
                      + MINIMAL + ",Signature=9c33251f611550ba7598799faa35f3b5fb5dc894a07c8f1d703afb38b46e1d39"),
    "M3": dict(
        method="DELETE", path="/api/v1/connections/conn-xyz789", query={},
        headers={"host": "aiworkspace.cn-beijing.aliyuncs.com", "x-acs-action": "DeleteConnection",
                 "x-acs-version": "2021-02-04", "x-acs-date": DATE,
                 "x-acs-signature-nonce": "0123456789abcdef0123456789abcdef", "x-acs-content-sha256": E0,
                 "x-acs-security-token": "CAIS.exampleStsToken=="},
        body=None,
        canonical_sha="071f495db92491e0f2d22d5951be2c71c364eff75cbb09510a64dafd31394ac9",
        authorization="ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId01,SignedHeaders=host;x-acs-action;"
                      "x-acs-content-sha256;x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version,"
                      "Signature=1400af1130f4e0cfd24f1fd9b4caaa74104161fadfd11013c4533b8d1dec4d2e"),
    "M4": dict(
        method="POST", path="/api/v1/models/model-abc123/labels", query={},
        headers={"host": "aiworkspace.cn-hangzhou.aliyuncs.com", "x-acs-action": "CreateModelLabels",
                 "x-acs-version": "2021-02-04", "x-acs-date": DATE,
                 "x-acs-signature-nonce": "ffffffffffffffffffffffffffffffff", "content-type": JSON_CT,
                 "x-acs-content-sha256": "439ef48d631384c41bdd39067ab1563085c2977a707c0aef5d49fe502d6af634"},
        body=u'{"Labels":[{"Key":"team","Value":"数据"}]}'.encode("utf-8"),
        canonical_sha="90cdcc06640201d9a0b89230937f0ad41920a7da218fdf7c2b9cf6f193e12038",
        authorization="ACS3-HMAC-SHA256 Credential=LTAI5tTestAccessKeyId01,SignedHeaders=content-type;host;"
                      + MINIMAL + ",Signature=259dfe71281d175ab1431164abb18301d9e5aa48b2200acf22d989a02325751c"),
}


@pytest.mark.parametrize("name", sorted(M_VECTORS))
def test_minimal_vectors(name):
    vector = M_VECTORS[name]
    if vector["body"] is not None:
        assert hashlib.sha256(vector["body"]).hexdigest() == vector["headers"]["x-acs-content-sha256"]
    ours, canonical = authorization_header(vector["method"], vector["path"], vector["query"], vector["headers"],
                                           AK_ID, AK_SECRET)
    sdk = sdk_authorization(vector["method"], vector["path"], vector["query"], vector["headers"])
    assert ours == vector["authorization"]
    assert sdk == vector["authorization"]
    assert canonical_sha(canonical) == vector["canonical_sha"]


# --- S1-S4: the SDK client end to end ----------------------------------------------------------------

class Captured(Exception):
    """Raised instead of sending: the SDK request has been captured."""


@pytest.fixture
def sdk_capture(monkeypatch):
    """Run the real SDK client with a fixed date, nonce and user agent; return the request it would send."""
    captured = []
    state = {}

    def do_action(request, runtime_option=None):
        captured.append(request)
        raise Captured()

    monkeypatch.setattr(dara_core.DaraCore, "do_action", staticmethod(do_action))
    monkeypatch.setattr(Utils, "get_timestamp", staticmethod(lambda: DATE))
    monkeypatch.setattr(Utils, "get_nonce", staticmethod(lambda: state["nonce"]))
    monkeypatch.setattr(Utils, "get_user_agent", staticmethod(lambda user_agent=None: SDK_USER_AGENT))

    def run(nonce, call, security_token=None):
        state["nonce"] = nonce
        config = open_api_models.Config(access_key_id=AK_ID, access_key_secret=AK_SECRET,
                                        security_token=security_token, region_id="cn-hangzhou")
        client = sdk_client.Client(config)
        del captured[:]
        with pytest.raises(Exception):
            call(client)
        assert len(captured) == 1
        return captured[0]

    return run


def split_authorization(value):
    head, dummy, rest = value.partition(" ")
    fields = dict(part.split("=", 1) for part in rest.split(","))
    return head, fields["Credential"], fields["SignedHeaders"], fields["Signature"]


def ours_for(request):
    """Our signer over exactly what the SDK signed (its headers minus Authorization)."""
    headers = dict((name, value) for name, value in request.headers.items() if name != "Authorization")
    return authorization_header(request.method, request.pathname, request.query, headers, AK_ID, AK_SECRET)


SDK_COMMON = "host;user-agent;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;x-acs-date;" \
             "x-acs-signature-nonce;x-acs-version"


def test_s1_list_connections(sdk_capture):
    request = sdk_capture("3b9f2c1e8d7a4f60b5e4c3d2a1f09e8d", lambda client: client.list_connections(
        sdk_models.ListConnectionsRequest(workspace_id="12345", connection_types=["OpenLLMConnection",
                                                                                  "MilvusConnection"],
                                          max_results=10, connection_name="my conn*")))
    assert request.method == "GET"
    assert request.pathname == "/api/v1/connections"
    assert request.query == {"ConnectionName": "my conn*", "ConnectionTypes": "OpenLLMConnection,MilvusConnection",
                             "MaxResults": "10", "WorkspaceId": "12345"}
    assert request.headers["x-acs-credentials-provider"] == "static_ak"
    sdk = request.headers["Authorization"]
    assert split_authorization(sdk) == (ALGORITHM, AK_ID, "accept;" + SDK_COMMON,
                                        "8a96c8a6b97a756e339047f278de2e79eb2e8398067379fdf0a378de6d2d1657")
    ours, canonical = ours_for(request)
    assert ours == sdk
    assert canonical.split("\n")[2] == ("ConnectionName=my%20conn%2A&ConnectionTypes=OpenLLMConnection%2C"
                                        "MilvusConnection&MaxResults=10&WorkspaceId=12345")
    assert canonical_sha(canonical) == "dd0b52fb60263dbb12714b38351e3aa0933f47e7506b6a78ff91f6d0bf792935"
    # our query conversion gives the SDK's values for the same inputs
    assert query_value(["OpenLLMConnection", "MilvusConnection"]) == request.query["ConnectionTypes"]
    assert query_value(10) == request.query["MaxResults"]


S2_BODY = (b'{"Accessibility":"PRIVATE","Configs":{"baseUrl":"http://example.com/v1"},"ConnectionName":"llm-conn",'
           b'"ConnectionType":"OpenLLMConnection","Models":[{"DisplayName":"Qwen Max","Model":"qwen-max",'
           b'"ModelType":"LLM","ToolCall":true}],"Secrets":{"apiKey":"sk-xyz"},"WorkspaceId":"12345"}')


def test_s2_create_connection(sdk_capture):
    request = sdk_capture("0f1e2d3c4b5a69788796a5b4c3d2e1f0", lambda client: client.create_connection(
        sdk_models.CreateConnectionRequest(
            accessibility="PRIVATE", configs={"baseUrl": "http://example.com/v1"}, connection_name="llm-conn",
            connection_type="OpenLLMConnection", secrets={"apiKey": "sk-xyz"}, workspace_id="12345",
            models=[sdk_models.CreateConnectionRequestModels(display_name="Qwen Max", model="qwen-max",
                                                             model_type="LLM", tool_call=True)])))
    assert request.method == "POST"
    assert request.pathname == "/api/v1/connections"
    assert request.body.encode("utf-8") == S2_BODY
    assert request.headers["x-acs-content-sha256"] == hashlib.sha256(S2_BODY).hexdigest()
    assert request.headers["x-acs-content-sha256"] == \
        "82280e2f06c4b96ecc0b9589740017ab9795ad6555fc4847d67b0cb40192ed3d"
    sdk = request.headers["Authorization"]
    assert split_authorization(sdk) == (ALGORITHM, AK_ID, "accept;content-type;" + SDK_COMMON,
                                        "3b0125881a6feab3290e1fc897c1a3017c98ca9cb9dbf24fb800f8aef3fef9f4")
    ours, canonical = ours_for(request)
    assert ours == sdk
    assert canonical_sha(canonical) == "ebb665d0d6692162f59ae4e665a611b0a00101561b5aa3a965097e66ff118d33"


def test_s2_our_client_sends_the_same_body_bytes():
    """Given the fields in the SDK's order, our client serialises the body byte for byte like the SDK."""
    calls = []

    class Session(object):
        def request(self, method, url, data=None, headers=None, **kwargs):
            calls.append((data, headers))
            raise Captured()

    body = json.loads(S2_BODY.decode("utf-8"))
    client = PaiClient(Credentials(AK_ID, AK_SECRET), "https://aiworkspace.cn-hangzhou.aliyuncs.com",
                       session=Session())
    with pytest.raises(Captured):
        client.call("CreateConnection", body=body)
    assert calls[0][0] == S2_BODY
    assert calls[0][1]["x-acs-content-sha256"] == "82280e2f06c4b96ecc0b9589740017ab9795ad6555fc4847d67b0cb40192ed3d"


def test_s3_get_connection_with_sts(sdk_capture):
    token = "STS.testSecurityToken123"
    request = sdk_capture("aaaabbbbccccddddeeeeffff00001111", lambda client: client.get_connection(
        "conn-abc123", sdk_models.GetConnectionRequest()), security_token=token)
    assert request.pathname == "/api/v1/connections/conn-abc123"
    assert request.headers["x-acs-security-token"] == token
    assert request.headers["x-acs-accesskey-id"] == AK_ID
    assert request.headers["x-acs-credentials-provider"] == "static_sts"
    sdk = request.headers["Authorization"]
    assert split_authorization(sdk) == (
        ALGORITHM, AK_ID,
        "accept;host;user-agent;x-acs-accesskey-id;x-acs-action;x-acs-content-sha256;x-acs-credentials-provider;"
        "x-acs-date;x-acs-security-token;x-acs-signature-nonce;x-acs-version",
        "801426439c4b16aa10e26e3f6a7d56b30132eef9b4d9145b6739c03fe3c1bc45")
    ours, canonical = ours_for(request)
    assert ours == sdk
    assert canonical_sha(canonical) == "8347b2957e6807847ba3a51794b35026f4dd26c35e7e104909833a16c3e32d79"


def test_s4_delete_model_labels(sdk_capture):
    request = sdk_capture("11112222333344445555666677778888", lambda client: client.delete_model_labels(
        "model-1a2b", sdk_models.DeleteModelLabelsRequest(label_keys="k1,k2")))
    assert request.method == "DELETE"
    assert request.pathname == "/api/v1/models/model-1a2b/labels"
    assert request.query == {"LabelKeys": "k1,k2"}
    sdk = request.headers["Authorization"]
    assert split_authorization(sdk)[3] == "9fa419aa86e320b5dc095d4e7f7445886f11ceeb08aabbe9bd6754335eeeb34c"
    ours, canonical = ours_for(request)
    assert ours == sdk
    assert canonical.split("\n")[2] == "LabelKeys=k1%2Ck2"
    assert canonical_sha(canonical) == "ddc624e6f7c516e6db49b9008afc640d205946e9db0443e70981362076019680"
    assert query_value(["k1", "k2"]) == "k1,k2"


def test_sdk_path_encoding_matches_ours(sdk_capture):
    """The SDK encodes path parameters with get_encode_param; so do we (percent_encode)."""
    raw = u"conn/with space*~+%=&数"
    request = sdk_capture("22223333444455556666777788889999", lambda client: client.get_connection(
        raw, sdk_models.GetConnectionRequest()))
    assert request.pathname == "/api/v1/connections/" + percent_encode(raw)
    assert request.pathname == "/api/v1/connections/conn%2Fwith%20space%2A~%2B%25%3D%26%E6%95%B0"
    assert ours_for(request)[0] == request.headers["Authorization"]


# --- randomized --------------------------------------------------------------------------------------

SEED = 20250115
RANDOM_CASES = 300
# Characters that make encoding bugs show: reserved and sub-delims, percent, plus, unicode (BMP and
# astral), whitespace inside values, and the unreserved ones that must stay as they are.
TRICKY = u" *~/+%=&?#,;:@!$'()[]\"\\-_.数据é\u00a0\U0001F600"
ALPHANUMERIC = u"abcXYZ0129"
# Query parameter names: the SDK does not percent-encode names, the published V3 rules do; for the
# characters below both agree (see test_query_names_outside_unreserved_differ).
NAME_CHARS = u"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"


def random_text(rng, alphabet, low=0, high=12):
    return u"".join(rng.choice(alphabet) for dummy in range(rng.randint(low, high)))


def random_value(rng):
    return random_text(rng, TRICKY + ALPHANUMERIC * 2)


def random_json(rng, depth=0):
    kind = rng.randint(0, 5 if depth < 2 else 3)
    if kind == 0:
        return random_value(rng)
    if kind == 1:
        return rng.choice([True, False, None, 0, -7, 2 ** 40, 1.5])
    if kind == 2:
        return random_value(rng)
    if kind == 3:
        return rng.randint(0, 1000)
    if kind == 4:
        return [random_json(rng, depth + 1) for dummy in range(rng.randint(0, 3))]
    return dict((random_value(rng), random_json(rng, depth + 1)) for dummy in range(rng.randint(0, 4)))


def random_request(index):
    """Case ``index`` of the seeded series: the same case every run and in every test."""
    rng = random.Random("%d-%d" % (SEED, index))
    method = rng.choice(["GET", "POST", "PUT", "DELETE"])
    segments = [rng.choice(["api", "v1", "connections", "models", "labels"]) for dummy in range(rng.randint(1, 3))]
    segments.extend(percent_encode(random_text(rng, TRICKY + ALPHANUMERIC, 1, 10))
                    for dummy in range(rng.randint(0, 2)))
    path = "/" + "/".join(segments)
    query = {}
    for dummy in range(rng.randint(0, 6)):
        query[random_text(rng, NAME_CHARS, 1, 10)] = random_value(rng)
    if rng.random() < 0.2:
        query[random_text(rng, NAME_CHARS, 1, 5)] = query_value(
            [{"Key": random_value(rng), "Value": random_value(rng)}])
    headers = {
        "host": rng.choice(["aiworkspace.cn-hangzhou.aliyuncs.com", "127.0.0.1:8765", "aiworkspace.aliyuncs.com"]),
        "x-acs-action": rng.choice(["ListConnections", "CreateModel", "UpdateConnection", "DeleteModelLabels"]),
        "x-acs-version": "2021-02-04",
        "x-acs-date": "2025-%02d-%02dT%02d:%02d:%02dZ" % (rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23),
                                                          rng.randint(0, 59), rng.randint(0, 59)),
        "x-acs-signature-nonce": "%032x" % rng.getrandbits(128),
    }
    body = b""
    if method in ("POST", "PUT") and rng.random() < 0.9:
        body = json.dumps(random_json(rng, 1) if rng.random() < 0.3 else
                          dict((random_value(rng), random_json(rng, 1)) for dummy in range(rng.randint(0, 5))),
                          separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        headers["content-type"] = JSON_CT
    headers["x-acs-content-sha256"] = hashlib.sha256(body).hexdigest()
    if rng.random() < 0.3:
        headers["x-acs-security-token"] = random_text(rng, ALPHANUMERIC + u"+/=.", 10, 40)
        headers["x-acs-accesskey-id"] = "STS.%d" % index
    if rng.random() < 0.3:
        # extra headers, with surrounding whitespace and characters that need no escaping in the signature
        headers["X-Acs-Extra-%d" % rng.randint(0, 9)] = u"  %s \t" % random_value(rng)
    if rng.random() < 0.2:
        headers["user-agent"] = u"agent/%s" % random_value(rng)
    secret = random_text(rng, ALPHANUMERIC + u"+/=", 16, 40)
    key_id = random_text(rng, ALPHANUMERIC, 8, 24)
    raw_path_param = random_value(rng)
    return method, path, query, headers, secret, key_id, body, raw_path_param


def test_randomized_requests_match_the_sdk():
    seen = set()
    for index in range(RANDOM_CASES):
        method, path, query, headers, secret, key_id, body, raw = random_request(index)
        ours, dummy = authorization_header(method, path, query, headers, key_id, secret)
        sdk = sdk_authorization(method, path, query, headers, secret=secret, access_key_id=key_id)
        assert ours == sdk, (index, method, path, query, headers)
        seen.add(ours)
        # the SDK's path-parameter encoder agrees with ours on the same raw text
        assert Utils.get_encode_param(raw) == percent_encode(raw), raw
    assert len(seen) == RANDOM_CASES  # every case produced a distinct signature: the inputs really varied


def test_randomized_cases_cover_the_tricky_characters():
    """Guard against a generator that silently stops producing the characters the test is about."""
    values, paths, bodies, names = u"", u"", b"", set()
    for index in range(RANDOM_CASES):
        method, path, query, headers, secret, key_id, body, raw = random_request(index)
        names.update(header.lower() for header in headers)
        values += u"".join(query.values())
        paths += path
        bodies += body
    for char in u" *~/+%=&数\U0001F600":
        assert char in values
        assert char.encode("utf-8") in bodies
    for escaped in ("%20", "%2A", "~", "%2F", "%2B", "%25", "%3D", "%26", "%E6%95%B0"):
        assert escaped in paths
    assert set(["content-type", "x-acs-security-token", "x-acs-accesskey-id", "user-agent"]) <= names


def test_query_names_outside_unreserved_differ():
    """A known, deliberate difference that no AIWorkSpace request can hit.

    The SDK puts query parameter *names* into the canonical query string unencoded; the published V3
    rules (and the emulator) percent-encode names like values. Every AIWorkSpace parameter name is
    plain ASCII letters, so both give the same result for every request the collection sends; this
    test pins the difference so that a change on either side is noticed.
    """
    headers = dict(M_VECTORS["M1"]["headers"])
    plain = {"PageSize": "1", "Name-_.~": "a b"}
    assert authorization_header("GET", "/", plain, headers, AK_ID, AK_SECRET)[0] == \
        sdk_authorization("GET", "/", plain, headers)
    odd = {"a b": "1"}
    ours, canonical = authorization_header("GET", "/", odd, headers, AK_ID, AK_SECRET)
    assert canonical.split("\n")[2] == "a%20b=1"
    assert ours != sdk_authorization("GET", "/", odd, headers)


def test_boolean_query_values_differ_only_in_case():
    """The Python SDK sends str(True) == 'True'; the collection sends 'true' (pai-api.md section 2)."""
    assert query_value(True) == "true"
    assert Utils.query({"ToolCall": True}) == {"ToolCall": "True"}
    assert query_value(True).lower() == Utils.query({"ToolCall": True})["ToolCall"].lower()
