#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: pai_connection
short_description: Manage connections of an Alibaba Cloud PAI workspace
version_added: 0.1.0
description:
  - Create, update and delete connections of a PAI (Platform for AI) workspace. A connection links the workspace
    to a model service (DashScope, an OpenAI-compatible LLM service) or to a store such as Milvus, Elasticsearch,
    OpenSearch, Lindorm, Hologres or RDS.
  - The connection is found by O(connection_id) when given, else by its exact O(name) within O(workspace_id).
  - Only the options you set are compared with the connection, so fields you leave out are never changed.
  - O(name), O(workspace_id), O(connection_type), O(accessibility) and O(resource_meta) cannot be changed on an
    existing connection. A difference fails the task naming each field, unless O(force=true), which deletes the
    connection and creates it again (a new connection id).
author:
  - alicloud.pai contributors
options:
  state:
    description:
      - V(present) creates the connection or brings it to the options given; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The connection name. Required to create a connection, and to find one when O(connection_id) is not given.
      - Names are not unique in PAI; when several connections of the workspace have this exact name the task fails
        listing their ids.
    type: str
    aliases: [connection_name]
  connection_id:
    description:
      - The id of an existing connection, for example V(conn-x2wz5zvvbyf2420fi9). When given, the connection is
        found by id; a connection that does not exist is then an error for O(state=present).
    type: str
    aliases: [id]
  workspace_id:
    description:
      - The id of the workspace the connection belongs to. Required to create a connection and to find one by name.
    type: str
  connection_type:
    description:
      - The type of the connection. Required to create one.
      - Known values are V(DashScopeConnection), V(OpenLLMConnection), V(MilvusConnection), V(OpenSearchConnection),
        V(LindormConnection), V(ElasticsearchConnection), V(HologresConnection), V(RDSConnection),
        V(CustomConnection), V(DeepSeekConnection), V(FunctionAIMCPConnection) and V(CustomMCPConnection).
        Other values are passed to the API with a warning, since PAI adds types over time.
    type: str
  accessibility:
    description:
      - Who in the workspace can see the connection. PAI defaults to V(PRIVATE).
    type: str
    choices: [PUBLIC, PRIVATE]
  description:
    description:
      - A description of the connection.
    type: str
  configs:
    description:
      - The complete configuration map of the connection; its keys depend on the type, for example C(base_url) for
        model services, or C(uri) and C(username) for Milvus. Values must be strings.
      - Keys not listed are removed from the connection.
    type: dict
  secrets:
    description:
      - Sensitive settings such as C(api_key) or C(password), as a complete map of strings.
      - Values never appear in results, diffs, warnings or errors; the returned connection shows each secret key
        with a fixed mask.
      - How they are compared and sent is chosen by O(update_secrets).
    type: dict
  update_secrets:
    description:
      - V(on_change) reads the stored secrets in plain text (in memory only) and updates them only when they differ
        from O(secrets).
      - V(on_create) sends O(secrets) only when the connection is created; an existing connection's secrets are
        never compared or changed.
      - V(always) sends O(secrets) on every run, so the task always reports a change (not idempotent).
    type: str
    choices: [on_change, on_create, always]
    default: on_change
  models:
    description:
      - The complete list of models a model-service connection offers, compared as a set keyed by O(models[].model).
        An empty list removes all models.
      - O(models[].max_model_length), O(models[].support_reasoning), O(models[].support_response_schema) and
        O(models[].support_vision) are only accepted by PAI when the connection is created. PAI does not return
        them, so they are never compared, and an update of O(models) cannot change them (the module warns when
        such an update is sent); re-create the connection to change them.
    type: list
    elements: dict
    suboptions:
      model:
        description: The model identifier, for example V(qwen-plus).
        type: str
        required: true
      display_name:
        description: The name shown for the model.
        type: str
      model_type:
        description: The kind of model.
        type: str
        choices: [LLM, Embedding, ReRank]
      tool_call:
        description: Whether the model supports tool calling. Unset means V(false).
        type: bool
      max_model_length:
        description: The longest context the model accepts, in tokens. Create only.
        type: int
      support_reasoning:
        description: Whether the model supports reasoning. Create only.
        type: bool
      support_response_schema:
        description: Whether the model supports a response schema. Create only.
        type: bool
      support_vision:
        description: Whether the model accepts images. Create only.
        type: bool
  resource_meta:
    description:
      - The cloud resource behind the connection, typically for database types. Cannot be changed after creation.
    type: dict
    suboptions:
      instance_id:
        description: The instance id, for example V(c-b1c5222fba7cxxxx).
        type: str
      instance_name:
        description: The instance name.
        type: str
      extra:
        description: Extra settings, for example C({"vpcId": "vpc-xxxx"}); sent to PAI as a JSON string.
        type: dict
  validate:
    description:
      - After the connection was created or updated, ask PAI to check that it can connect (ValidateConnection).
        A failed check fails the task with PAI's code and message; the connection is kept.
      - Only V(DashScopeConnection), V(DeepSeekConnection), V(FunctionAIMCPConnection) and V(CustomMCPConnection)
        can be checked; other types are an error. Not done in check mode, nor when nothing changed.
    type: bool
    default: false
  force:
    description:
      - Delete and re-create the connection when a field that cannot be changed in place differs.
      - Settings you did not give are carried over from the old connection, secrets included.
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.pai.common
  - alicloud.pai.attributes
attributes:
  idempotent:
    description: When run twice in a row with the same options, the second run reports no change.
    support: partial
    details:
      - Not with O(update_secrets=always), which sends the secrets and reports a change on every run.
seealso:
  - module: alicloud.pai.pai_connection_info
"""

EXAMPLES = r"""
- name: A DashScope connection with two models
  alicloud.pai.pai_connection:
    workspace_id: "10001"
    name: dashscope-prod
    connection_type: DashScopeConnection
    accessibility: PUBLIC
    description: Model Studio for the support bot
    configs:
      base_url: https://dashscope.aliyuncs.com/compatible-mode/v1
    secrets:
      api_key: "{{ dashscope_api_key }}"
    models:
      - model: qwen-plus
        display_name: Qwen Plus
        model_type: LLM
        tool_call: true
      - model: text-embedding-v3
        model_type: Embedding
  register: dashscope

- name: A Milvus connection bound to its instance
  alicloud.pai.pai_connection:
    workspace_id: "10001"
    name: vectors
    connection_type: MilvusConnection
    configs:
      uri: http://c-b1c5222fba7cxxxx.milvus.aliyuncs.com:19530
      username: root
    secrets:
      password: "{{ milvus_password }}"
    update_secrets: on_create
    resource_meta:
      instance_id: c-b1c5222fba7cxxxx
      instance_name: example_inst

- name: Change the description of a connection found by id
  alicloud.pai.pai_connection:
    connection_id: "{{ dashscope.connection.connection_id }}"
    description: Model Studio for the support bot and the search page

- name: Delete a connection
  alicloud.pai.pai_connection:
    workspace_id: "10001"
    name: vectors
    state: absent
"""

RETURN = r"""
connection:
  description:
    - The connection after the task, as PAI returns it; in check mode, the connection the task would produce.
    - V(null) when O(state=absent).
  returned: always
  type: dict
  contains:
    connection_id:
      description: The connection id; V(null) in check mode before creation.
      type: str
      sample: conn-x2wz5zvvbyf2420fi9
    connection_name:
      description: The name.
      type: str
      sample: dashscope-prod
    connection_type:
      description: The type.
      type: str
      sample: DashScopeConnection
    workspace_id:
      description: The workspace id.
      type: str
      sample: "10001"
    accessibility:
      description: V(PUBLIC) or V(PRIVATE).
      type: str
      sample: PUBLIC
    description:
      description: The description.
      type: str
      sample: Model Studio for the support bot
    configs:
      description: The configuration map, keys as stored.
      type: dict
      sample: {"base_url": "https://dashscope.aliyuncs.com/compatible-mode/v1"}
    secrets:
      description: The secret keys, each with a fixed mask instead of its value.
      type: dict
      sample: {"api_key": "********"}
    models:
      description: The models of a model-service connection.
      type: list
      elements: dict
      contains:
        model:
          description: The model identifier.
          type: str
          sample: qwen-plus
        display_name:
          description: The display name.
          type: str
          sample: Qwen Plus
        model_type:
          description: V(LLM), V(Embedding) or V(ReRank).
          type: str
          sample: LLM
        tool_call:
          description: Whether tool calling is supported.
          type: bool
          sample: true
    resource_meta:
      description: The cloud resource behind the connection.
      type: dict
      contains:
        instance_id:
          description: The instance id.
          type: str
        instance_name:
          description: The instance name.
          type: str
        extra:
          description: Extra settings, decoded from PAI's JSON string.
          type: dict
    creator:
      description: The account that created the connection.
      type: str
    gmt_create_time:
      description: When it was created (UTC, ISO 8601).
      type: str
      sample: "2025-03-07T07:54:56Z"
    gmt_modified_time:
      description: When it was last changed (UTC, ISO 8601).
      type: str
      sample: "2025-03-07T07:54:56Z"
diff:
  description: The managed fields before and after, when diff mode is on. Secret values are masked.
  returned: when diff mode is on
  type: dict
  sample: {"before": {"description": "old"}, "after": {"description": "new"}}
error:
  description: The API error that failed the task.
  returned: on an API error
  type: dict
  contains:
    http_status:
      description: The HTTP status.
      type: int
      sample: 404
    code:
      description: The PAI error code.
      type: str
      sample: "100400027"
    message:
      description: The PAI error message.
      type: str
      sample: Workspace not exists
    request_id:
      description: The request id to give Alibaba Cloud support.
      type: str
      sample: 5A14FA81-DD4E-4E1B-9C2D-6343FE44B941
"""

import json

from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule
from ansible_collections.alicloud.pai.plugins.module_utils._resource import Field, Resource, data, present, string_map, text

KNOWN_TYPES = (
    "DashScopeConnection", "OpenLLMConnection", "MilvusConnection", "OpenSearchConnection", "LindormConnection",
    "ElasticsearchConnection", "HologresConnection", "RDSConnection", "CustomConnection", "DeepSeekConnection",
    "FunctionAIMCPConnection", "CustomMCPConnection",
)
VALIDATABLE_TYPES = ("DashScopeConnection", "DeepSeekConnection", "FunctionAIMCPConnection", "CustomMCPConnection")

# model option -> API field; the last four are only accepted by CreateConnection
MODEL_FIELDS = (
    ("model", "Model"), ("display_name", "DisplayName"), ("model_type", "ModelType"), ("tool_call", "ToolCall"),
    ("max_model_length", "MaxModelLength"), ("support_reasoning", "SupportReasoning"),
    ("support_response_schema", "SupportResponseSchema"), ("support_vision", "SupportVision"),
)
CREATE_ONLY_MODEL_FIELDS = ("MaxModelLength", "SupportReasoning", "SupportResponseSchema", "SupportVision")


def models_to_api(models):
    return [dict((api, entry[option]) for option, api in MODEL_FIELDS if entry.get(option) is not None)
            for entry in models]


def models_key(models):
    return sorted((text(entry.get("Model")), text(entry.get("DisplayName")), text(entry.get("ModelType")),
                   bool(entry.get("ToolCall"))) for entry in models or [])


def resource_meta_to_api(meta):
    api = {"InstanceId": meta.get("instance_id"), "InstanceName": meta.get("instance_name")}
    if meta.get("extra") is not None:
        api["Extra"] = json.dumps(meta["extra"], separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return dict((key, value) for key, value in api.items() if value is not None)


def resource_meta_key(meta):
    meta = meta or {}
    return text(meta.get("InstanceId")), text(meta.get("InstanceName")), data(meta.get("Extra"))


class Connection(Resource):
    result_key = kind = "connection"
    id_option = "connection_id"
    id_field = "ConnectionId"
    name_field = "ConnectionName"
    list_name_filter = "ConnectionName"
    actions = {"get": "GetConnection", "list": "ListConnections", "create": "CreateConnection",
               "update": "UpdateConnection", "delete": "DeleteConnection"}
    keep_keys = ("Configs", "Secrets", "Extra")
    fields = (
        Field("name", "ConnectionName", immutable=True),
        Field("workspace_id", "WorkspaceId", immutable=True),
        Field("connection_type", "ConnectionType", immutable=True),
        Field("accessibility", "Accessibility", immutable=True),
        Field("resource_meta", "ResourceMeta", immutable=True, to_api=resource_meta_to_api,
              normalize=resource_meta_key),
        Field("description", "Description"),
        Field("configs", "Configs", normalize=string_map),
        Field("models", "Models", to_api=models_to_api, normalize=models_key),
        Field("secrets", "Secrets", secret=True, normalize=string_map),
    )

    def validate(self):
        params = self.params
        if not params["connection_id"] and not params["workspace_id"]:
            self.module.fail("workspace_id is required to find a connection by name (or give connection_id)")
        for option in ("configs", "secrets"):
            for key, value in (params[option] or {}).items():
                if not isinstance(value, str):
                    self.module.fail("%s.%s must be a string, got %s; quote the value in YAML"
                                     % (option, key, type(value).__name__))
        names = [entry["model"] for entry in params["models"] or []]
        duplicates = sorted(set(name for name in names if names.count(name) > 1))
        if duplicates:
            self.module.fail("models lists the same model more than once: %s" % ", ".join(duplicates))
        kind = params["connection_type"]
        if kind and kind not in KNOWN_TYPES:
            self.module.ansible.warn("connection_type %r is not one of the known types (%s); sending it as given"
                                     % (kind, ", ".join(KNOWN_TYPES)))
        if params["validate"] and kind and kind not in VALIDATABLE_TYPES:
            self.module.fail("validate=true is only possible for connection_type %s, not %s"
                             % (", ".join(VALIDATABLE_TYPES), kind))

    def read_query(self):
        # Plain-text secrets are read only when they are compared or must be carried over by force.
        if (self.params["secrets"] is not None and self.params["update_secrets"] == "on_change") or self.params["force"]:
            return {"EncryptOption": "PlainText"}
        return {}

    def check_current(self, current):
        if current is None and self.params["state"] == "present" and not self.params["connection_id"]:
            missing = [option for option in ("name", "connection_type") if not self.params[option]]
            if missing:
                self.module.fail("%s %s required to create connection %r in workspace %s" % (
                    " and ".join(missing), "is" if len(missing) == 1 else "are", self.params["name"],
                    self.params["workspace_id"]))
        if current is not None and self.params["validate"] and current.get("ConnectionType") not in VALIDATABLE_TYPES:
            self.module.fail("validate=true is only possible for connection_type %s, not %s"
                             % (", ".join(VALIDATABLE_TYPES), current.get("ConnectionType")))

    def differs(self, field, current, desired):
        if field.api == "Secrets" and self.params["update_secrets"] != "on_change":
            return self.params["update_secrets"] == "always"
        return super(Connection, self).differs(field, current, desired)

    def create_body(self, desired, current=None):
        body = {}
        if current is not None:  # replacement: keep what the user did not set
            body = dict((field.api, current[field.api]) for field in self.fields if current.get(field.api))
            if isinstance(body.get("ResourceMeta"), dict):
                body["ResourceMeta"] = dict((key, value) for key, value in body["ResourceMeta"].items() if value)
        body.update(desired)
        body.setdefault("Configs", {})
        return body

    def update_requests(self, current, desired, changed):
        body = dict((field.api, desired[field.api]) for field in changed)
        body.setdefault("Configs", desired.get("Configs", current.get("Configs") or {}))
        if "Models" in body:
            if any(key in entry for entry in body["Models"] for key in CREATE_ONLY_MODEL_FIELDS):
                self.module.ansible.warn(
                    "models of connection %s are updated, but max_model_length, support_reasoning, "
                    "support_response_schema and support_vision are only accepted when a connection is created; "
                    "they were not sent" % current["ConnectionId"])
            body["Models"] = [dict((key, value) for key, value in entry.items() if key not in CREATE_ONLY_MODEL_FIELDS)
                              for entry in body["Models"]]
        return [(self.actions["update"], None, body)]

    def after_write(self, obj):
        if not self.params["validate"]:
            return
        answer = self.client.call("ValidateConnection", body={
            "WorkspaceId": obj["WorkspaceId"], "ConnectionId": obj["ConnectionId"],
            "ConnectionType": obj["ConnectionType"], "ValidateType": "Connectivity"})
        if answer.get("Status") != "success":
            self.module.fail("connection %s failed validation: %s: %s (request id %s)"
                             % (obj["ConnectionId"], answer.get("Code"), answer.get("Message"), answer.get("RequestId")),
                             validation=dict((key, answer.get(key)) for key in ("Status", "Code", "Message", "Details")),
                             connection=self.present(obj), changed=True)

    def present(self, obj):
        meta = obj.get("ResourceMeta")
        if isinstance(meta, dict) and isinstance(meta.get("Extra"), str):
            obj = dict(obj, ResourceMeta=dict(meta, Extra=json.loads(meta["Extra"]) if meta["Extra"] else {}))
        return present(obj, self.keep_keys, ["Secrets"])


def main():
    module = PaiModule(
        dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            name=dict(type="str", aliases=["connection_name"]),
            connection_id=dict(type="str", aliases=["id"]),
            workspace_id=dict(type="str"),
            connection_type=dict(type="str"),
            accessibility=dict(type="str", choices=["PUBLIC", "PRIVATE"]),
            description=dict(type="str"),
            configs=dict(type="dict"),
            secrets=dict(type="dict", no_log=True),
            update_secrets=dict(type="str", choices=["on_change", "on_create", "always"], default="on_change"),
            models=dict(type="list", elements="dict", options=dict(
                model=dict(type="str", required=True),
                display_name=dict(type="str"),
                model_type=dict(type="str", choices=["LLM", "Embedding", "ReRank"]),
                tool_call=dict(type="bool"),
                max_model_length=dict(type="int"),
                support_reasoning=dict(type="bool"),
                support_response_schema=dict(type="bool"),
                support_vision=dict(type="bool"),
            )),
            resource_meta=dict(type="dict", options=dict(
                instance_id=dict(type="str"),
                instance_name=dict(type="str"),
                extra=dict(type="dict"),
            )),
            validate=dict(type="bool", default=False),
            force=dict(type="bool", default=False),
        ),
        required_one_of=[("name", "connection_id")],
    )
    Connection(module).run()


if __name__ == "__main__":
    main()
