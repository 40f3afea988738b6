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


class Exit(Exception):
    def __init__(self, result):
        super(Exit, self).__init__(result)
        self.result = result


class Failed(Exception):
    def __init__(self, result):
        super(Failed, self).__init__(result.get("msg"))
        self.result = result


class FakeAnsible(object):
    def __init__(self, diff):
        self._diff = diff
        self.warnings = []
        self.no_log_values = set()

    def warn(self, text):
        self.warnings.append(text)


class FakeModule(object):
    """What the engine uses of PaiModule."""

    def __init__(self, params, client, check_mode=False, diff=True):
        self.params = params
        self.client = client
        self.check_mode = check_mode
        self.ansible = FakeAnsible(diff)
        self.hidden = set()

    def hide(self, value):
        self.hidden.add(value)

    def fail(self, msg, **result):
        result["msg"] = msg
        raise Failed(result)

    def fail_error(self, error, **result):
        raise Failed(dict(result, msg=str(error), error=error.to_dict()))

    def exit(self, **result):
        raise Exit(result)


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


def run(resource):
    with pytest.raises((Exit, Failed)) as caught:
        resource.run()
    return caught.value.result


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


def test_unchanged_connection_costs_one_read_and_returns_masked_secrets():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]})
    module = FakeModule(connection_params(description="old", secrets={"api_key": "sk-old-secret"}), client)
    result = run(Connection(module))
    assert result["changed"] is False
    assert client.actions() == ["ListConnections"]
    assert client.calls[0][2]["EncryptOption"] == "PlainText"
    assert result["connection"]["secrets"] == {"api_key": _resource.MASK}
    assert "sk-old-secret" in module.hidden


def test_secrets_are_not_read_in_plain_text_unless_compared():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]})
    run(Connection(FakeModule(connection_params(secrets={"api_key": "x"}, update_secrets="on_create"), client)))
    assert client.calls[0][2]["EncryptOption"] == "Secret"


def test_changed_secret_is_sent_and_diff_names_the_key_only():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]}, answers={"GetConnection": dict(STORED)})
    module = FakeModule(connection_params(secrets={"api_key": "sk-new-secret"}), client)
    result = run(Connection(module))
    assert result["changed"] is True
    update = [call for call in client.calls if call[0] == "UpdateConnection"][0]
    assert update[3] == {"Secrets": {"api_key": "sk-new-secret"}, "Configs": STORED["Configs"]}
    assert result["diff"]["after"]["secrets"] == {"api_key": _resource.MASK + " (changed)"}
    assert "sk-new-secret" not in repr(result) and "sk-old-secret" not in repr(result)


@pytest.mark.parametrize("mode, changed", [("on_create", False), ("always", True), ("on_change", False)])
def test_update_secrets_modes(mode, changed):
    client = FakeClient(pages={"ListConnections": [dict(STORED)]}, answers={"GetConnection": dict(STORED)})
    result = run(Connection(FakeModule(connection_params(secrets={"api_key": "sk-old-secret"}, update_secrets=mode),
                                       client)))
    assert result["changed"] is changed
    assert ("UpdateConnection" in client.actions()) is changed


def test_check_mode_update_predicts_and_writes_nothing():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]})
    result = run(Connection(FakeModule(connection_params(description="new"), client, check_mode=True)))
    assert result["changed"] is True
    assert client.actions() == ["ListConnections"]
    assert result["connection"]["description"] == "new"
    assert result["diff"] == {
        "before": dict(result["diff"]["before"], description="old"),
        "after": dict(result["diff"]["before"], description="new")}


def test_check_mode_create_returns_predicted_object_without_id():
    client = FakeClient()
    result = run(Connection(FakeModule(connection_params(configs={"base_url": "u"}), client, check_mode=True)))
    assert result["changed"] is True and client.actions() == ["ListConnections"]
    assert result["connection"]["connection_id"] is None
    assert result["connection"]["configs"] == {"base_url": "u"}
    assert result["diff"]["before"] == {}


def test_immutable_difference_fails_naming_fields_unless_forced():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]})
    result = run(Connection(FakeModule(connection_params(accessibility="PUBLIC"), client)))
    assert "accessibility is \"PRIVATE\", wanted \"PUBLIC\"" in result["msg"]
    assert client.actions() == ["ListConnections"]

    masked = dict(STORED, Secrets={"api_key": "KMS-ENC:abc"})
    client = FakeClient(pages={"ListConnections": [masked]},
                        answers={"CreateConnection": {"ConnectionId": "conn-2"},
                                 "GetConnection": [dict(STORED),
                                                   dict(STORED, ConnectionId="conn-2", Accessibility="PUBLIC")]})
    result = run(Connection(FakeModule(connection_params(accessibility="PUBLIC", force=True), client)))
    # the stored secrets are read in plain text only now that a replacement carries them over
    assert client.actions() == ["ListConnections", "GetConnection", "DeleteConnection", "CreateConnection",
                                "GetConnection"]
    assert client.calls[0][2]["EncryptOption"] == "Secret"
    assert client.calls[1][2] == {"EncryptOption": "PlainText"}
    create_body = client.calls[3][3]
    assert create_body["Accessibility"] == "PUBLIC"
    assert create_body["Description"] == "old" and create_body["Secrets"] == STORED["Secrets"]
    assert result["changed"] and result["connection"]["connection_id"] == "conn-2"


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


def test_lost_create_response_adopts_the_object_found_by_name():
    lost = PaiConnectionError("dropped", request_sent=True, action="CreateConnection")
    client = FakeClient(answers={"CreateConnection": lost, "GetConnection": dict(STORED)})
    pages = [[], [dict(STORED)]]
    client.paginate = lambda action, query=None, path_params=None: (
        client.calls.append((action, None, query, None)) or iter(pages.pop(0)))
    module = FakeModule(connection_params(configs={}), client)
    result = run(Connection(module))
    assert client.actions() == ["ListConnections", "CreateConnection", "ListConnections", "GetConnection"]
    assert result["connection"]["connection_id"] == "conn-1"
    assert module.ansible.warnings and "lost" in module.ansible.warnings[0]


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


def test_models_update_drops_create_only_fields_and_warns():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]}, answers={"GetConnection": dict(STORED)})
    models = [dict(model="qwen-max", display_name=None, model_type="LLM", tool_call=None, max_model_length=8192,
                   support_reasoning=None, support_response_schema=None, support_vision=True)]
    module = FakeModule(connection_params(models=models), client)
    run(Connection(module))
    update = [call for call in client.calls if call[0] == "UpdateConnection"][0]
    assert update[3]["Models"] == [{"Model": "qwen-max", "ModelType": "LLM"}]
    assert "max_model_length" in module.ansible.warnings[0]


def test_absent_deletes_and_absent_again_is_unchanged():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]})
    result = run(Connection(FakeModule(connection_params(state="absent"), client)))
    assert result["changed"] and client.actions() == ["ListConnections", "DeleteConnection"]
    assert result["diff"]["after"] == {} and result["diff"]["before"]["connection_id"] == "conn-1"
    client = FakeClient()
    result = run(Connection(FakeModule(connection_params(state="absent"), client)))
    assert result == {"changed": False, "connection": None, "diff": {"before": {}, "after": {}}}


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
    assert result["diff"]["after"]["labels"] == {"keep": "1", "change": "new", "add": "2"}


def test_labels_without_purge_keep_unlisted_keys():
    client = FakeClient(pages={"ListModels": [dict(STORED_MODEL)]}, answers={"GetModel": dict(STORED_MODEL)})
    run(Model(FakeModule(model_params(labels={"add": "2"}, purge_labels=False), client)))
    assert client.actions() == ["ListModels", "CreateModelLabels", "GetModel"]
    assert client.calls[1][3] == {"Labels": [{"Key": "add", "Value": "2"}]}


def test_unchanged_model_with_reordered_extra_info_costs_one_read():
    client = FakeClient(pages={"ListModels": [dict(STORED_MODEL)]})
    result = run(Model(FakeModule(model_params(extra_info={"a": [1], "b": 1}, order_number=1, labels={
        "drop": "x", "keep": "1", "change": "old"}), client)))
    assert result["changed"] is False and client.actions() == ["ListModels"]


def test_rename_by_id_sends_update_model():
    client = FakeClient(answers={"GetModel": [dict(STORED_MODEL), dict(STORED_MODEL, ModelName="sd15-b")]})
    result = run(Model(FakeModule(model_params(model_id="model-1", name="sd15-b", workspace_id=None), client)))
    assert client.actions() == ["GetModel", "UpdateModel", "GetModel"]
    assert client.calls[1][3] == {"ModelName": "sd15-b"}
    assert result["model"]["model_name"] == "sd15-b"


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


def test_failed_create_after_the_delete_of_a_replacement_reports_the_change():
    client = FakeClient(pages={"ListConnections": [dict(STORED)]},
                        answers={"GetConnection": dict(STORED),
                                 "CreateConnection": PaiApiError("quota", 400, "QuotaExceeded", request_id="R2")})
    result = run(Connection(FakeModule(connection_params(accessibility="PUBLIC", force=True), client)))
    assert result["changed"] is True
    assert "this task had already done: DeleteConnection conn-1" in result["msg"]
    assert result["error"]["code"] == "QuotaExceeded"


def test_delete_already_gone_during_replacement_counts_as_deleted():
    gone = PaiApiError("gone", 404, "RequestFailedErrorProblem")
    client = FakeClient(pages={"ListConnections": [dict(STORED)]},
                        answers={"GetConnection": [dict(STORED), dict(STORED, ConnectionId="conn-2")],
                                 "DeleteConnection": gone, "CreateConnection": {"ConnectionId": "conn-2"}})
    result = run(Connection(FakeModule(connection_params(accessibility="PUBLIC", force=True), client)))
    assert result["changed"] is True and result["connection"]["connection_id"] == "conn-2"


def test_lost_create_of_a_replacement_by_id_looks_in_the_objects_workspace_only():
    lost = PaiConnectionError("dropped", request_sent=True, action="CreateConnection")
    client = FakeClient(answers={"GetConnection": [dict(STORED), dict(STORED)], "CreateConnection": lost})
    seen = []
    client.paginate = lambda action, query=None, path_params=None: seen.append(query) or iter([dict(STORED)])
    run(Connection(FakeModule(connection_params(connection_id="conn-1", name=None, workspace_id=None,
                                                accessibility="PUBLIC", force=True), client)))
    assert seen[0]["WorkspaceId"] == "10001"
    # the replaced object itself is not taken for the new one: the create is sent again
    assert client.actions().count("CreateConnection") == 2


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


def test_resource_meta_sub_options_not_given_are_kept_and_carried_over():
    stored = dict(STORED, ResourceMeta={"InstanceId": "c-1", "InstanceName": "inst-1", "Extra": '{"vpcId":"v"}'})
    client = FakeClient(pages={"ListConnections": [stored]})
    result = run(Connection(FakeModule(connection_params(resource_meta={"instance_id": "c-1"}), client)))
    assert result["changed"] is False

    client = FakeClient(pages={"ListConnections": [stored]},
                        answers={"GetConnection": [stored, dict(stored, ConnectionId="conn-2")],
                                 "CreateConnection": {"ConnectionId": "conn-2"}})
    run(Connection(FakeModule(connection_params(resource_meta={"instance_id": "c-1"}, accessibility="PUBLIC",
                                                force=True), client)))
    create_body = [call for call in client.calls if call[0] == "CreateConnection"][0][3]
    assert create_body["ResourceMeta"] == stored["ResourceMeta"]


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
