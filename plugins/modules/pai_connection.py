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
  - alicloud.pai maintainers (@alicloud-pai)
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
      - Whatever the mode, an update body always carries the secrets (PAI may clear what an update omits). When
        the task sends none, the stored ones are read in plain text by id, for this connection only, and sent
        again. If PAI does not return them in plain text, the update is refused before any write, naming the
        secret keys; give the secrets in the task then. With V(on_change) and no plain text available, the secrets
        given cannot be compared, so they are sent on every run, with a warning.
      - A value made only of C(*) (a mask, as results, C(module_args) and M(alicloud.pai.pai_connection_info) show
        secrets) fails the task before any request, naming every masked key at once; a mask is never stored as a
        secret.
    type: str
    choices: [on_change, on_create, always]
    default: on_change
  models:
    description:
      - The complete list of models a model-service connection offers, compared as a set keyed by O(models[].model).
        Models not listed are removed; an empty list removes all models. Sub-options you leave out of a listed
        model keep their stored values.
      - O(models[].max_model_length), O(models[].support_reasoning), O(models[].support_response_schema) and
        O(models[].support_vision) are the model's capabilities. The SDK documents them for creation only; the
        module sends them on updates too and carries every stored value you do not give into each update and
        re-create body, so changing another sub-option never drops them. They are compared where PAI returns
        them. If PAI does not return them, a capability you do not list cannot be known to the module and is not
        carried over; list the capabilities in the task to keep them.
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
        description: The longest context the model accepts, in tokens.
        type: int
      support_reasoning:
        description: Whether the model supports reasoning.
        type: bool
      support_response_schema:
        description: Whether the model supports a response schema.
        type: bool
      support_vision:
        description: Whether the model accepts images.
        type: bool
  resource_meta:
    description:
      - The cloud resource behind the connection, typically for database types. Cannot be changed after creation.
      - Only the sub-options given are compared.
    type: dict
    suboptions:
      instance_id:
        description: The instance id, for example V(c-b1c5222fba7cxxxx).
        type: str
      instance_name:
        description: The instance name.
        type: str
      extra:
        description: 'Extra settings, for example C({"vpcId": "vpc-xxxx"}); sent to PAI as a JSON string.'
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
      - Settings you did not give are carried over from the old connection, secrets included (read in plain text
        for this, only when a replacement happens).
      - The old connection is deleted first, since PAI may not allow two connections of one name. If creating the
        new one then fails, the old connection is created again from everything it stored (a new id) and the task
        fails saying so; if that fails too, the message names every setting needed to re-create it (secret keys by
        name, never their values).
      - With O(connection_id), a given O(name) or O(workspace_id) must be the connection's own; O(force) never
        moves or renames a connection found by id.
      - Where PAI does not return stored secrets in plain text, a replacement that would have to carry secrets the
        task does not give is refused before anything is deleted.
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.pai.common
  - alicloud.pai.workspace
  - alicloud.pai.attributes
  - alicloud.pai.attributes.actiongroup_pai
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
        max_model_length:
          description: The longest context the model accepts, in tokens, when PAI returns it.
          type: int
          sample: 131072
        support_reasoning:
          description: Whether the model supports reasoning, when PAI returns it.
          type: bool
        support_response_schema:
          description: Whether the model supports a response schema, when PAI returns it.
          type: bool
        support_vision:
          description: Whether the model accepts images, when PAI returns it.
          type: bool
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
    module_args:
      description:
        - The connection as this module's own options, with every field PAI returned - O(name), O(workspace_id),
          O(connection_type), O(accessibility), O(description), O(configs), O(models) (the option's list of dicts),
          O(resource_meta) (C(instance_id), C(instance_name), C(extra) decoded) and O(secrets).
        - O(connection_id) is left out, so that the same dict combined with another O(workspace_id) creates a copy.
        - Secret values are masks, which this module refuses as input; a task that passes the dict back must
          supply them (combine O(secrets) with the real values). An empty secrets map is left out.
        - Pass it as the task keyword C(args); for a connection without secrets it changes nothing. See the
          examples of M(alicloud.pai.pai_connection_info).
      returned: always
      type: dict
      sample:
        name: dashscope-prod
        workspace_id: "10001"
        connection_type: DashScopeConnection
        accessibility: PUBLIC
        description: Model Studio for the support bot
        configs: {"base_url": "https://dashscope.aliyuncs.com/compatible-mode/v1"}
        models: [{"model": "qwen-plus", "display_name": "Qwen Plus", "model_type": "LLM", "tool_call": true}]
        secrets: {"api_key": "********"}
validation:
  description: PAI's answer to the connectivity check, when O(validate=true) and the check failed.
  returned: when the validation failed
  type: dict
  contains:
    status:
      description: V(failed).
      type: str
    code:
      description: The reason code, for example V(ConnectivityCheckFailed).
      type: str
    message:
      description: What went wrong.
      type: str
    details:
      description: Details given by PAI.
      type: dict
diff:
  description:
    - What the task manages, before and after, as JSON text (indented by 4, keys sorted, non-ASCII text as
      written); an empty string for a connection that does not exist. Use C(from_json) to read a side as data.
    - A create or update shows O(name), O(workspace_id), the fields the task sets, and the connection id when it
      is known before the write (not for a create, where PAI chooses it), so check mode shows the same diff as the
      real run. A new model's C(tool_call) shows V(false), PAI's default, which the module sends when not given.
      A delete shows the id and every managed field.
    - Secret values never appear. A secret key the task adds or changes shows "******** (added)" or
      "******** (changed)", or "******** (sent)" where the stored value could not be read to compare.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The connection before the task, as JSON text.
      type: str
      sample: |
        {
            "connection_id": "conn-x2wz5zvvbyf2420fi9",
            "connection_name": "dashscope-prod",
            "description": "old",
            "workspace_id": "10001"
        }
    after:
      description: The connection after the task, as JSON text.
      type: str
      sample: |
        {
            "connection_id": "conn-x2wz5zvvbyf2420fi9",
            "connection_name": "dashscope-prod",
            "description": "new",
            "workspace_id": "10001"
        }
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

from ansible_collections.alicloud.pai.plugins.module_utils._connection import Connection
from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule


def main():
    module = PaiModule(
        dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            name=dict(type="str", aliases=["connection_name"]),
            connection_id=dict(type="str", aliases=["id"]),
            workspace_id=dict(type="str"),
            workspace=dict(type="str"),
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
        mutually_exclusive=[("workspace_id", "workspace")],
    )
    Connection(module).run()


if __name__ == "__main__":
    main()
