# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The resource engine and the connection/model descriptions, driven with a fake module and client."""

import pytest

from ansible_collections.alicloud.pai.plugins.module_utils import _resource
from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiApiError, PaiConnectionError
from ansible_collections.alicloud.pai.plugins.module_utils._connection import Connection, models_key, resource_meta_to_api
from ansible_collections.alicloud.pai.plugins.module_utils._model import Model, label_problems
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.engine_fakes import FakeModule, run, diff_data


class FakeClient(object):
    """Answers calls from a table and records them."""

    def __init__(self, answers=None, pages=None):
        self.answers = answers or {}
        self.pages = pages or {}
        self.calls = []

    def call(self, action, path_params=None, query=None, body=None):
        self.calls.append((action, path_params, query, body))
        answer = self.answers.get(action, {})
        if isinstance(answer, list):
            answer = answer.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def paginate(self, action, query=None, path_params=None):
        self.calls.append((action, path_params, query, None))
        return iter(self.pages.get(action, []))

    def actions(self):
        return [call[0] for call in self.calls]


def connection_params(**overrides):
    params = dict(state="present", name="llm", connection_id=None, workspace_id="10001",
                  connection_type="DashScopeConnection", accessibility=None, description=None, configs=None,
                  secrets=None, update_secrets="on_change", models=None, resource_meta=None, validate=False,
                  force=False)
    params.update(overrides)
    return params


def model_params(**overrides):
    params = dict(state="present", name="sd15", model_id=None, workspace_id="10001", accessibility=None,
                  description=None, model_doc=None, model_type=None, origin=None, domain=None, task=None,
                  order_number=None, parameter_size=None, extra_info=None, labels=None, purge_labels=True,
                  force=False)
    params.update(overrides)
    return params


STORED = {
    "ConnectionId": "conn-1", "ConnectionName": "llm", "WorkspaceId": "10001",
    "ConnectionType": "DashScopeConnection", "Accessibility": "PRIVATE", "Description": "old",
    "Configs": {"base_url": "https://example.com/v1"}, "Secrets": {"api_key": "sk-old-secret"},
    "Models": [{"Model": "qwen-plus", "DisplayName": "Qwen", "ModelType": "LLM", "ToolCall": True}],
}


def test_snake_keys_keeps_user_maps_at_any_depth():
    obj = {"ResourceMeta": {"InstanceId": "i-1", "Extra": {"vpcId": "v"}}, "Configs": {"baseUrl": "x"}}
    assert _resource.snake_keys(obj, ("Configs", "Extra")) == {
        "resource_meta": {"instance_id": "i-1", "extra": {"vpcId": "v"}}, "configs": {"baseUrl": "x"}}


def test_present_masks_secret_values_and_drops_request_id():
    shown = _resource.present_object({"RequestId": "R", "Secrets": {"apiKey": "sk"}}, ("Secrets",), ("Secrets",))
    assert shown == {"secrets": {"apiKey": _resource.MASK}}


@pytest.mark.parametrize("left, right", [
    ({"b": [1, 2], "a": 1}, {"a": 1, "b": [1, 2]}),
    ('{"a": 1}', {"a": 1}),
    (None, {}),
])
def test_data_normalizes_equal_content(left, right):
    assert _resource.data(left) == _resource.data(right)


def test_integer_and_text_normalizers():
    assert _resource.integer("7") == _resource.integer(7) == 7
    assert _resource.integer(None) == _resource.integer("") == 0
    assert _resource.text(None) == _resource.text("") == ""


def test_models_compare_as_a_set_with_defaults():
    api = [{"Model": "b", "ModelType": "LLM"}, {"Model": "a", "DisplayName": "A", "ToolCall": False}]
    same = [{"Model": "a", "DisplayName": "A"}, {"Model": "b", "ModelType": "LLM", "ToolCall": None}]
    assert models_key(api) == models_key(same)
    assert models_key(api) != models_key([{"Model": "a", "DisplayName": "A", "ToolCall": True}, api[0]])


def test_resource_meta_extra_is_a_json_string():
    assert resource_meta_to_api({"instance_id": "i", "instance_name": None, "extra": {"vpcId": "v"}}) == {
        "InstanceId": "i", "Extra": '{"vpcId":"v"}'}


def test_secrets_are_not_read_in_plain_text_unless_compared():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]})
    run(Connection(FakeModule(connection_params(secrets={"api_key": "x"}, update_secrets="on_create"), client)))
    assert client.calls[0][2]["EncryptOption"] == "Secret"


@pytest.mark.parametrize("mode, changed", [("on_create", False), ("always", True), ("on_change", False)])
def test_update_secrets_modes(mode, changed):
    client = FakeClient(pages={"ListConnections": [dict(STORED)]}, answers={"GetConnection": dict(STORED)})
    result = run(Connection(FakeModule(connection_params(secrets={"api_key": "sk-old-secret"}, update_secrets=mode),
                                       client)))
    assert result["changed"] is changed
    assert ("UpdateConnection" in client.actions()) is changed


def test_check_mode_create_returns_predicted_object_without_id():
    client = FakeClient()
    result = run(Connection(FakeModule(connection_params(configs={"base_url": "u"}), client, check_mode=True)))
    assert result["changed"] is True and client.actions() == ["ListConnections"]
    assert result["connection"]["connection_id"] is None
    assert result["connection"]["configs"] == {"base_url": "u"}
    assert diff_data(result, "before") == {}


def test_ambiguous_name_lists_ids():
    client = FakeClient(pages={"ListConnections": [dict(STORED), dict(STORED, ConnectionId="conn-9")]})
    result = run(Connection(FakeModule(connection_params(), client)))
    assert "conn-1" in result["msg"] and "conn-9" in result["msg"] and "connection_id" in result["msg"]


def test_fuzzy_server_matches_are_not_taken_for_the_object():
    client = FakeClient(pages={"ListConnections": [dict(STORED, ConnectionName="llm-2")]},
                        answers={"CreateConnection": {"ConnectionId": "conn-3"},
                                 "GetConnection": dict(STORED, ConnectionId="conn-3")})
    result = run(Connection(FakeModule(connection_params(configs={}), client)))
    assert "CreateConnection" in client.actions() and result["changed"]


def test_create_not_sent_is_not_looked_up():
    client = FakeClient(answers={"CreateConnection": PaiConnectionError("refused", request_sent=False)})
    result = run(Connection(FakeModule(connection_params(configs={}), client)))
    assert client.actions() == ["ListConnections", "CreateConnection"]
    assert result["error"]["code"] == "ConnectionError"


def test_missing_type_to_create_is_an_error_naming_it():
    client = FakeClient()
    result = run(Connection(FakeModule(connection_params(connection_type=None), client)))
    assert result["msg"].startswith("connection_type is required to create connection 'llm'")


def test_api_error_is_returned_structured():
    error = PaiApiError("Workspace not exists", 404, "100400027", request_id="REQ-1", action="ListConnections")
    client = FakeClient()
    client.paginate = lambda *args, **kwargs: (item for item in ()).throw(error)
    result = run(Connection(FakeModule(connection_params(), client)))
    assert result["error"] == {"http_status": 404, "code": "100400027", "message": "Workspace not exists",
                               "request_id": "REQ-1"}
    assert "REQ-1" in result["msg"]


STORED_MODEL = {"ModelId": "model-1", "ModelName": "sd15", "WorkspaceId": "10001", "Origin": "Civitai",
                "OrderNumber": 1, "ExtraInfo": {"b": 1, "a": [1]},
                "Labels": [{"Key": "keep", "Value": "1"}, {"Key": "change", "Value": "old"},
                           {"Key": "drop", "Value": "x"}]}


def test_label_changes_are_minimal():
    after = dict(STORED_MODEL, Labels=[{"Key": "keep", "Value": "1"}, {"Key": "change", "Value": "new"},
                                       {"Key": "add", "Value": "2"}])
    client = FakeClient(pages={"ListModels": [dict(STORED_MODEL)]}, answers={"GetModel": after})
    result = run(Model(FakeModule(model_params(labels={"keep": "1", "change": "new", "add": "2"}), client)))
    assert client.actions() == ["ListModels", "DeleteModelLabels", "CreateModelLabels", "GetModel"]
    assert client.calls[1][2] == {"LabelKeys": ["change", "drop"]}
    assert client.calls[2][3] == {"Labels": [{"Key": "change", "Value": "new"}, {"Key": "add", "Value": "2"}]}
    assert diff_data(result, "after")["labels"] == {"keep": "1", "change": "new", "add": "2"}


def test_unchanged_model_with_reordered_extra_info_costs_one_read():
    client = FakeClient(pages={"ListModels": [dict(STORED_MODEL)]})
    result = run(Model(FakeModule(model_params(extra_info={"a": [1], "b": 1}, order_number=1, labels={
        "drop": "x", "keep": "1", "change": "old"}), client)))
    assert result["changed"] is False and client.actions() == ["ListModels"]


def test_model_by_unknown_id_is_an_error_for_present():
    client = FakeClient(answers={"GetModel": PaiApiError("not found", 404, "201900002")})
    result = run(Model(FakeModule(model_params(model_id="model-x"), client)))
    assert "model-x does not exist" in result["msg"]


@pytest.mark.parametrize("labels, text", [
    ({"k": "x" * 129}, "longer than 128 bytes"),
    ({"k=v": "x"}, "contains '=' or ','"),
    ({"k": "a,b"}, "contains '=' or ','"),
    ({"k": 1}, "labels.k must be a string"),
    ({"": "x"}, "keys must not be empty"),
])
def test_label_problems(labels, text):
    assert any(text in problem for problem in label_problems(labels))


def test_label_limit_counts_bytes_not_characters():
    assert label_problems({"k": "数" * 42}) == []  # 126 bytes
    assert label_problems({"k": "数" * 43})  # 129 bytes


def test_partial_model_update_reports_what_was_applied():
    failure = PaiApiError("boom", 400, "InvalidParameter")
    client = FakeClient(pages={"ListModels": [dict(STORED_MODEL)]},
                        answers={"CreateModelLabels": failure})
    result = run(Model(FakeModule(model_params(description="new", labels={"keep": "1", "add": "2"}), client)))
    assert result["changed"] is True
    assert "UpdateModel model-1" in result["msg"] and "DeleteModelLabels model-1" in result["msg"]


def test_object_missing_after_write_is_a_changed_failure():
    client = FakeClient(answers={"CreateModel": {"ModelId": "model-9"},
                                 "GetModel": PaiApiError("not found", 404, "201900002")})
    result = run(Model(FakeModule(model_params(), client)))
    assert result["changed"] is True and "model-9 was written, but reading it back found nothing" in result["msg"]


def test_extra_that_is_not_json_is_shown_and_compared_as_a_string():
    stored = dict(STORED, ResourceMeta={"InstanceId": "c-1", "Extra": "vpc-123"})
    client = FakeClient(pages={"ListConnections": [stored]})
    result = run(Connection(FakeModule(connection_params(resource_meta={"instance_id": "c-1"}), client)))
    assert result["changed"] is False
    assert result["connection"]["resource_meta"] == {"instance_id": "c-1", "extra": "vpc-123"}


def test_model_sub_options_not_given_keep_their_stored_values():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]})
    models = [dict(model="qwen-plus", display_name=None, model_type=None, tool_call=None, max_model_length=None,
                   support_reasoning=None, support_response_schema=None, support_vision=None)]
    result = run(Connection(FakeModule(connection_params(models=models), client)))
    assert result["changed"] is False


def test_latest_version_user_data_keeps_its_keys():
    obj = dict(STORED_MODEL, LatestVersion={"VersionName": "0.1.0", "Metrics": {"F1Score": 1},
                                            "InferenceSpec": {"metadata": {"instanceType": "x"}},
                                            "Labels": [{"Key": "Stage", "Value": "prod"}]})
    shown = Model(FakeModule(model_params(), FakeClient())).present(obj)
    assert shown["latest_version"] == {"version_name": "0.1.0", "metrics": {"F1Score": 1},
                                       "inference_spec": {"metadata": {"instanceType": "x"}},
                                       "labels": {"Stage": "prod"}}
    assert shown["labels"] == {"keep": "1", "change": "old", "drop": "x"}


def test_empty_id_is_named_before_any_request():
    client = FakeClient()
    result = run(Model(FakeModule(model_params(model_id="", name=None, workspace_id=None), client)))
    assert result["msg"].startswith("model_id is empty") and client.calls == []
