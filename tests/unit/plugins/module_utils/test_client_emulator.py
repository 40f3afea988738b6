# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The API client against the local PAI emulator (tests/emulator), started in-process on a free port.

Proves that what the client signs and sends is what the emulator verifies, and that retries, the
create-is-sent-once rule and paging behave against a real HTTP server with injected faults.
"""

import json
import time

import pytest

from ansible_collections.alicloud.pai.plugins.module_utils._client import (
    PaiApiError,
    PaiClient,
    PaiConnectionError,
    endpoint_url,
)
from ansible_collections.alicloud.pai.plugins.module_utils._credentials import Credentials

KEY_ID = "emulator-access-key-id"
KEY_SECRET = "emulator-access-key-secret"
WORKSPACE = "10001"


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(emulator, sleeps):
    return make_client(emulator, sleeps)


def make_client(emulator, sleeps, key_id=KEY_ID, secret=KEY_SECRET, token=None, **kwargs):
    kwargs.setdefault("max_retries", 4)
    return PaiClient(Credentials(key_id, secret, token), endpoint_url(emulator.url), sleep=sleeps.append,
                     read_timeout=10, **kwargs)


def connection_body(name, **extra):
    body = {
        "WorkspaceId": WORKSPACE,
        "ConnectionName": name,
        "ConnectionType": "OpenLLMConnection",
        "Accessibility": "PRIVATE",
        "Description": u"LLM 数据 connection",
        "Configs": {"baseUrl": "http://llm.example.com/v1"},
        "Secrets": {"apiKey": "sk-emulator-secret"},
        "Models": [{"Model": "qwen-max", "ModelType": "LLM", "DisplayName": "Qwen Max", "ToolCall": True}],
    }
    body.update(extra)
    return body


# --- round trip --------------------------------------------------------------------------------------

def test_connection_round_trip(client, admin):
    created = client.call("CreateConnection", body=connection_body("llm-conn"))
    connection_id = created["ConnectionId"]
    assert connection_id.startswith("conn-")
    assert created["RequestId"]

    got = client.call("GetConnection", path_params={"ConnectionId": connection_id},
                      query={"EncryptOption": "PlainText"})
    assert got["ConnectionId"] == connection_id
    assert got["ConnectionName"] == "llm-conn"
    assert got["ConnectionType"] == "OpenLLMConnection"
    assert got["WorkspaceId"] == WORKSPACE
    assert got["Description"] == u"LLM 数据 connection"
    assert got["Configs"] == {"baseUrl": "http://llm.example.com/v1"}
    assert got["Secrets"] == {"apiKey": "sk-emulator-secret"}
    assert got["Models"] == [{"Model": "qwen-max", "ModelType": "LLM", "DisplayName": "Qwen Max", "ToolCall": True}]

    listed = list(client.paginate("ListConnections", query={"WorkspaceId": WORKSPACE, "ConnectionName": "llm"}))
    assert [item["ConnectionId"] for item in listed] == [connection_id]

    client.call("UpdateConnection", path_params={"ConnectionId": connection_id},
                body={"Description": "updated", "Configs": {"baseUrl": "http://other.example.com/v1"}})
    got = client.call("GetConnection", path_params={"ConnectionId": connection_id})
    assert got["Description"] == "updated"
    assert got["Configs"] == {"baseUrl": "http://other.example.com/v1"}

    client.call("DeleteConnection", path_params={"ConnectionId": connection_id})
    with pytest.raises(PaiApiError) as info:
        client.call("GetConnection", path_params={"ConnectionId": connection_id})
    assert info.value.is_not_found is True
    assert info.value.http_status == 404
    assert info.value.code == "RequestFailedErrorProblem"
    assert list(client.paginate("ListConnections", query={"WorkspaceId": WORKSPACE})) == []

    log = admin.requests()
    assert [(entry["action"], entry["status"]) for entry in log] == [
        ("CreateConnection", 200), ("GetConnection", 200), ("ListConnections", 200), ("UpdateConnection", 200),
        ("GetConnection", 200), ("DeleteConnection", 200), ("GetConnection", 404), ("ListConnections", 200)]
    assert [entry["mutated"] for entry in log] == [True, False, False, True, False, True, False, False]


def test_token_paging_through_the_emulator(client, admin):
    ids = set(client.call("CreateConnection", body=connection_body("page-%d" % index))["ConnectionId"]
              for index in range(5))
    listed = list(client.paginate("ListConnections", query={"WorkspaceId": WORKSPACE}, page_size=2))
    assert sorted(item["ConnectionId"] for item in listed) == sorted(ids)
    log = admin.requests("ListConnections")
    assert [entry["query"].get("NextToken") for entry in log] == [None, "2", "4"]
    assert all(entry["query"]["MaxResults"] == "2" for entry in log)
    default = list(client.paginate("ListConnections", query={"WorkspaceId": WORKSPACE}))
    assert len(default) == 5
    assert admin.requests("ListConnections")[-1]["query"]["MaxResults"] == "100"


def test_page_paging_through_the_emulator(client, admin):
    ids = set(client.call("CreateModel", body={"WorkspaceId": WORKSPACE, "ModelName": "model-%d" % index})["ModelId"]
              for index in range(5))
    listed = list(client.paginate("ListModels", query={"WorkspaceId": WORKSPACE}, page_size=2))
    assert sorted(item["ModelId"] for item in listed) == sorted(ids)
    log = admin.requests("ListModels")
    assert [(entry["query"]["PageNumber"], entry["query"]["PageSize"]) for entry in log] == [
        ("1", "2"), ("2", "2"), ("3", "2")]


def test_special_characters_in_path_and_query_are_signed_consistently(client, admin):
    with pytest.raises(PaiApiError) as info:
        client.call("GetConnection", path_params={"ConnectionId": u"conn/with space*~+数"})
    assert info.value.code == "RequestFailedErrorProblem"
    name = u"数据 *~/+%&=,"
    assert list(client.paginate("ListConnections", query={"WorkspaceId": WORKSPACE, "ConnectionName": name,
                                                          "ConnectionTypes": ["OpenLLMConnection", "RDSConnection"],
                                                          "ToolCall": True})) == []
    entry = admin.requests("ListConnections")[0]
    assert entry["status"] == 200
    assert entry["query"]["ConnectionName"] == name
    assert entry["query"]["ConnectionTypes"] == "OpenLLMConnection,RDSConnection"
    assert entry["query"]["ToolCall"] == "true"


# --- faults ------------------------------------------------------------------------------------------

def test_throttling_is_retried_until_success(client, admin, sleeps):
    admin.fault(action="ListConnections", count=2, type="throttling")
    assert list(client.paginate("ListConnections", query={"WorkspaceId": WORKSPACE})) == []
    log = admin.requests("ListConnections")
    assert len(log) == 3
    assert [(entry["status"], entry["code"], entry["fault"]) for entry in log] == [
        (400, "Throttling.User", "throttling"), (400, "Throttling.User", "throttling"), (200, None, None)]
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5
    assert 0.5 <= sleeps[1] <= 1.0


def test_retry_after_from_the_emulator_is_used(client, admin, sleeps):
    admin.fault(action="GetDefaultWorkspace", count=1, type="throttling", retry_after=1200)
    assert client.call("GetDefaultWorkspace")["WorkspaceId"] == WORKSPACE
    assert sleeps == [1.2]


def test_throttling_beyond_max_retries_raises_the_last_error(emulator, admin, sleeps):
    client = make_client(emulator, sleeps, max_retries=2)
    admin.fault(action="ListModels", count=5, type="throttling")
    with pytest.raises(PaiApiError) as info:
        client.call("ListModels")
    assert info.value.code == "Throttling.User"
    assert info.value.http_status == 400
    log = admin.requests("ListModels")
    assert len(log) == 3
    assert info.value.request_id
    assert len(sleeps) == 2


def test_dropped_create_is_not_resent(client, admin, sleeps):
    admin.fault(action="CreateConnection", count=1, type="drop")
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateConnection", body=connection_body("dropped"))
    assert info.value.request_sent is True
    assert info.value.action == "CreateConnection"
    log = admin.requests("CreateConnection")
    assert len(log) == 1
    assert log[0]["fault"] == "drop"
    assert admin.state()["connections"] == []
    assert sleeps == []


def test_create_applied_then_dropped_is_not_resent(client, admin, sleeps):
    admin.fault(action="CreateConnection", count=1, type="apply_then_drop")
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateConnection", body=connection_body("applied"))
    assert info.value.request_sent is True
    log = admin.requests("CreateConnection")
    assert len(log) == 1
    assert log[0]["fault"] == "apply_then_drop"
    assert log[0]["mutated"] is True
    assert [conn["ConnectionName"] for conn in admin.state()["connections"]] == ["applied"]
    assert sleeps == []


def test_internal_error_on_create_is_not_retried(client, admin):
    admin.fault(action="CreateModel", count=1, type="error")
    with pytest.raises(PaiApiError) as info:
        client.call("CreateModel", body={"ModelName": "m"})
    assert (info.value.http_status, info.value.code) == (500, "InternalError")
    assert len(admin.requests("CreateModel")) == 1
    assert admin.state()["models"] == []


def test_unavailable_on_create_is_retried(client, admin):
    admin.fault(action="CreateModel", count=1, type="unavailable")
    created = client.call("CreateModel", body={"ModelName": "m"})
    assert created["ModelId"].startswith("model-")
    assert [entry["status"] for entry in admin.requests("CreateModel")] == [503, 200]
    assert len(admin.state()["models"]) == 1


@pytest.mark.parametrize("fault_type", ["unavailable", "error"])
def test_server_errors_on_get_put_delete_are_absorbed(client, admin, fault_type):
    connection_id = client.call("CreateConnection", body=connection_body("absorb"))["ConnectionId"]
    params = {"ConnectionId": connection_id}
    for action in ("GetConnection", "UpdateConnection", "DeleteConnection"):
        admin.fault(action=action, count=2, type=fault_type)
    assert client.call("GetConnection", path_params=params)["ConnectionName"] == "absorb"
    client.call("UpdateConnection", path_params=params, body={"Description": "after faults"})
    assert admin.state()["connections"][0]["Description"] == "after faults"
    client.call("DeleteConnection", path_params=params)
    assert admin.state()["connections"] == []
    expected = 503 if fault_type == "unavailable" else 500
    for action in ("GetConnection", "UpdateConnection", "DeleteConnection"):
        assert [entry["status"] for entry in admin.requests(action)] == [expected, expected, 200]


def test_dropped_get_is_retried(client, admin):
    admin.fault(action="GetDefaultWorkspace", count=2, type="drop")
    assert client.call("GetDefaultWorkspace")["WorkspaceId"] == WORKSPACE
    assert [entry["fault"] for entry in admin.requests("GetDefaultWorkspace")] == ["drop", "drop", None]


def test_delay_beyond_the_read_timeout_on_create(emulator, admin, sleeps):
    client = PaiClient(Credentials(KEY_ID, KEY_SECRET), emulator.url, sleep=sleeps.append, read_timeout=0.2)
    admin.fault(action="CreateConnection", count=1, type="delay", seconds=0.6)
    with pytest.raises(PaiConnectionError) as info:
        client.call("CreateConnection", body=connection_body("slow"))
    assert info.value.request_sent is True
    assert sleeps == []
    # the server goes on with the request the client gave up on: it was sent once, and applied
    deadline = time.time() + 10
    while not admin.requests("CreateConnection") and time.time() < deadline:
        time.sleep(0.05)
    log = admin.requests("CreateConnection")
    assert [(entry["fault"], entry["mutated"]) for entry in log] == [("delay", True)]
    assert [conn["ConnectionName"] for conn in admin.state()["connections"]] == ["slow"]


# --- authentication ----------------------------------------------------------------------------------

def test_wrong_secret_is_a_readable_signature_error(emulator, admin, sleeps):
    secret = "this-is-the-wrong-secret"
    client = make_client(emulator, sleeps, secret=secret)
    with pytest.raises(PaiApiError) as info:
        client.call("ListConnections", query={"WorkspaceId": WORKSPACE})
    error = info.value
    assert (error.http_status, error.code) == (400, "SignatureDoesNotMatch")
    assert "Specified signature is not matched" in error.message
    assert error.request_id
    assert str(error).startswith("ListConnections failed: HTTP 400, SignatureDoesNotMatch: Specified signature")
    assert "request id %s" % error.request_id in str(error)
    for text in (str(error), repr(error), json.dumps(error.to_dict()), repr(error.args), repr(client)):
        assert secret not in text
    assert sleeps == []
    assert len(admin.requests()) == 1


def test_unknown_access_key(emulator, admin, sleeps):
    client = make_client(emulator, sleeps, key_id="LTAI-does-not-exist")
    with pytest.raises(PaiApiError) as info:
        client.call("GetDefaultWorkspace")
    assert (info.value.http_status, info.value.code) == (404, "InvalidAccessKeyId.NotFound")
    assert info.value.is_not_found is False
    assert sleeps == []


def test_sts_credentials(emulator, admin, sleeps):
    admin.seed(credentials=[{"access_key_id": "STS.emulator", "access_key_secret": "sts-secret-value",
                             "security_token": "sts-token-value"}])
    client = make_client(emulator, sleeps, key_id="STS.emulator", secret="sts-secret-value",
                         token="sts-token-value")
    connection_id = client.call("CreateConnection", body=connection_body("sts-conn"))["ConnectionId"]
    assert client.call("GetConnection", path_params={"ConnectionId": connection_id})["ConnectionName"] == "sts-conn"
    assert [entry["status"] for entry in admin.requests()] == [200, 200]

    wrong = make_client(emulator, sleeps, key_id="STS.emulator", secret="sts-secret-value", token="other-token")
    with pytest.raises(PaiApiError) as info:
        wrong.call("GetDefaultWorkspace")
    assert info.value.code.startswith("InvalidSecurityToken")
    assert "other-token" not in str(info.value)

    missing = make_client(emulator, sleeps, key_id="STS.emulator", secret="sts-secret-value")
    with pytest.raises(PaiApiError) as info:
        missing.call("GetDefaultWorkspace")
    assert info.value.code.startswith("InvalidSecurityToken")
    assert sleeps == []


def test_unknown_route_is_not_a_not_found_object(emulator, sleeps):
    client = PaiClient(Credentials(KEY_ID, KEY_SECRET), endpoint_url(emulator.url + "/nothing-here/"),
                       sleep=sleeps.append)
    with pytest.raises(PaiApiError) as info:
        client.call("GetDefaultWorkspace")
    assert info.value.code == "InvalidAction.NotFound"
    assert info.value.is_not_found is False
