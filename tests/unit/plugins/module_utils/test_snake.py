# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""How results are shaped: ``snake_name`` gives exactly ansible-core's names for every field name the API returns
(the emulator's answers, and the documented names), and ``present_object`` returns the same as it did with
``copy.deepcopy`` and per-key conversion, sharing nothing with the object it was given."""

import copy

import pytest

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.alicloud.pai.plugins.module_utils import _resource
from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiClient, endpoint_url
from ansible_collections.alicloud.pai.plugins.module_utils._credentials import Credentials

# Field names from the AIWorkSpace API reference, the emulator does not return all of them; those with runs of
# capitals, digits or plurals of abbreviations are the ones a hand-written converter would get wrong.
DOCUMENTED_NAMES = [
    "AccessibleRoleIdList", "AllowAccessDLCFullLog", "AllowAccessDLCWebTerminal", "AllowExportModel",
    "AllowedMountAccessLevels", "ApprovalStatus", "ArtifactUri", "CategoryName", "CodeRepoAccessToken",
    "CodeSourceId", "CommonResourceConfig", "CompressionSpec", "CredentialsURI", "DLCAutoRecycle",
    "DLCPriorityConfig", "DSWPriorityConfig", "DataCount", "DataSourceTypes", "DatasetIds", "DistillationSpec",
    "EnvTypes", "EvaluationSpec", "ExtraInfo", "ExtraInfos", "FormatType", "FrameworkType", "GmtCreateTime",
    "GmtLatestVersionModifiedTime", "GmtModifiedTime", "Id", "ImageUri", "InferenceSpec", "IsDefault",
    "IsSecureMode", "LatestVersion", "MaxModelLength", "MaxResults", "ModelId", "MountAccessReadWriteRoleIdList",
    "NextPageToken", "NextToken", "OwnerId", "PageNumber", "ParameterSize", "QuotaIds", "RequestId",
    "ResourceGroupId", "ResourceIds", "SourceId", "SupportReasoning", "SupportResponseSchema", "SupportVision",
    "TotalCount", "TrainingSpec", "URL", "Uri", "UserMetricsEndpoints", "VersionLabels", "WorkspaceIds",
    # shapes ansible-core treats specially, and names that are already snake_case or odd
    "TargetGroupARNs", "HTTPEndpoint", "ID", "IDs", "ABCs", "A", "a", "", "base_url", "apiKey", "x-acs-trace",
    "Model2Name", "V2Spec", u"名称", "_Private",
]


def core_name(name):
    return camel_dict_to_snake_dict({name: None}).popitem()[0]


def keys_of(value, found):
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            keys_of(item, found)
    elif isinstance(value, list):
        for item in value:
            keys_of(item, found)
    return found


def old_present_object(obj, keep_keys=(), secret_keys=()):
    """``present_object`` as it was: a deep copy, then ansible-core's converter key by key."""
    obj = copy.deepcopy(obj)
    obj.pop("RequestId", None)
    for key in secret_keys:
        if isinstance(obj.get(key), dict):
            obj[key] = dict((name, _resource.MASK) for name in obj[key])

    def snake(value):
        if isinstance(value, dict):
            return dict((core_name(key), item if key in keep_keys else snake(item)) for key, item in value.items())
        if isinstance(value, list):
            return [snake(item) for item in value]
        return value

    return snake(obj)


@pytest.fixture(scope="module")
def answers(emulator):
    """Every kind of object as the emulator answers get and list actions, each with every field it can have."""
    client = PaiClient(Credentials("emulator-access-key-id", "emulator-access-key-secret"), endpoint_url(emulator.url))
    connection = client.call("CreateConnection", body={
        "WorkspaceId": "10001", "ConnectionName": "snake-all-fields", "ConnectionType": "OpenLLMConnection",
        "Accessibility": "PRIVATE", "Description": "every field", "Configs": {"base_url": "https://x.example.com/v1"},
        "Secrets": {"api_key": "sk-snake-secret"},
        "ResourceMeta": {"InstanceId": "i-1", "InstanceName": "one", "Extra": '{"vpcId": "vpc-1"}'},
        "Models": [{"Model": "qwen-plus", "DisplayName": "Qwen", "ModelType": "LLM", "ToolCall": True,
                    "MaxModelLength": 8192, "SupportReasoning": True, "SupportResponseSchema": False,
                    "SupportVision": True}]})["ConnectionId"]
    model = client.call("CreateModel", body={
        "WorkspaceId": "10001", "ModelName": "snake-all-fields", "ModelDescription": "every field", "ModelDoc": "https://d",
        "ModelType": "Checkpoint", "Origin": "Civitai", "Domain": "aigc", "Task": "text-to-image-synthesis",
        "Accessibility": "PRIVATE", "OrderNumber": 1, "ParameterSize": 7, "ExtraInfo": {"someKey": "v"},
        "Labels": [{"Key": "team", "Value": "vision"}]})["ModelId"]
    version = client.call("CreateModelVersion", {"ModelId": model}, body={
        "Uri": "oss://bucket/snake/", "VersionDescription": "every field", "FormatType": "SavedModel",
        "FrameworkType": "TensorFlow", "SourceType": "Custom", "SourceId": "run-1", "ApprovalStatus": "Pending",
        "Options": '{"a": 1}', "ExtraInfo": {"k": "v"}, "InferenceSpec": {"processor": "tf"},
        "TrainingSpec": {"epochs": 1}, "EvaluationSpec": {"dataset": "d"}, "CompressionSpec": {"bits": 8},
        "DistillationSpec": {"teacher": "t"}, "Metrics": {"top1": 0.9}, "Labels": [{"Key": "run", "Value": "1"}]})
    version_path = {"ModelId": model, "VersionName": version["VersionName"]}
    return [
        client.call("GetConnection", {"ConnectionId": connection}, {"EncryptOption": "PlainText"}),
        client.call("ListConnections", query={"WorkspaceId": "10001", "MaxResults": 100}),
        client.call("GetModel", {"ModelId": model}),
        client.call("ListModels", query={"WorkspaceId": "10001", "PageSize": 100}),
        client.call("GetModelVersion", version_path),
        client.call("ListModelVersions", {"ModelId": model}, {"PageSize": 100}),
        client.call("GetWorkspace", {"WorkspaceId": "10001"}, {"Verbose": "true"}),
        client.call("ListWorkspaces", query={"PageSize": 100, "Verbose": "true"}),
        client.call("GetDefaultWorkspace", query={"Verbose": "true"}),
    ]


def test_every_field_name_the_api_returns_is_named_as_ansible_core_names_it(answers):
    names = keys_of(answers, set())
    assert {"ConnectionId", "MaxModelLength", "InstanceName", "GmtCreateTime", "VersionName", "EnvTypes"} <= names
    for name in sorted(names) + DOCUMENTED_NAMES:
        assert _resource.snake_name(name) == core_name(name), name
        assert _resource.snake_name(name) == core_name(name), name  # from the cache too


@pytest.mark.parametrize("keep_keys, secret_keys", [
    (("Configs", "Secrets", "Extra"), ("Secrets",)),  # connections
    (("ExtraInfo", "Labels", "InferenceSpec", "Metrics"), ()),
    ((), ()),
])
def test_present_object_returns_what_the_deep_copy_and_the_core_converter_returned(answers, keep_keys, secret_keys):
    for answer in answers:
        for obj in [answer] + [item for value in answer.values() if isinstance(value, list) for item in value]:
            if isinstance(obj, dict):
                assert _resource.present_object(obj, keep_keys, secret_keys) == \
                    old_present_object(obj, keep_keys, secret_keys)


def containers(value, found):
    if isinstance(value, (dict, list)):
        found.append(value)
        for item in value.values() if isinstance(value, dict) else value:
            containers(item, found)
    return found


def test_present_object_shares_no_dict_or_list_with_the_object():
    obj = {"RequestId": "R", "Configs": {"base_url": "u", "nested": {"a": ["b"]}}, "Secrets": {"api_key": "sk-1"},
           "ResourceMeta": {"Extra": {"vpcId": ["v"]}}, "Models": [{"ModelType": "LLM", "Tags": ["x"]}]}
    before = copy.deepcopy(obj)
    shown = _resource.present_object(obj, ("Configs", "Secrets", "Extra"), ("Secrets",))
    assert obj == before  # the object is not changed
    ids = set(id(value) for value in containers(obj, []))
    assert not [value for value in containers(shown, []) if id(value) in ids]
    assert shown == {"configs": {"base_url": "u", "nested": {"a": ["b"]}}, "secrets": {"api_key": _resource.MASK},
                     "resource_meta": {"extra": {"vpcId": ["v"]}}, "models": [{"model_type": "LLM", "tags": ["x"]}]}


def test_present_object_masks_secrets_at_every_size():
    obj = {"Secrets": dict(("key%d" % index, "sk-%d" % index) for index in range(50))}
    shown = _resource.present_object(obj, ("Secrets",), ("Secrets",))
    assert set(shown["secrets"].values()) == set([_resource.MASK])
    assert sorted(shown["secrets"]) == sorted(obj["Secrets"])
