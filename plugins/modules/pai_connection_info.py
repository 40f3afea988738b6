#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: pai_connection_info
short_description: List connections of Alibaba Cloud PAI workspaces
version_added: 0.1.0
description:
  - Returns the connections that match every filter given, from all pages of the API's answer.
  - Secrets are never read in plain text (the module asks PAI for ciphertext); each secret key is shown with a
    fixed mask.
author:
  - alicloud.pai maintainers (@alicloud-pai)
options:
  workspace_id:
    description: Only connections of this workspace.
    type: str
  connection_ids:
    description: Only these connections.
    type: list
    elements: str
  name:
    description:
      - Only connections with exactly this name. PAI's own name filter is fuzzy; this module keeps exact matches.
    type: str
    aliases: [connection_name]
  connection_types:
    description: Only connections of these types, for example V(DashScopeConnection).
    type: list
    elements: str
  model_types:
    description: Only connections offering models of these kinds.
    type: list
    elements: str
    choices: [LLM, Embedding, ReRank]
  model:
    description: Only connections offering this model identifier.
    type: str
  tool_call:
    description: Only connections whose models do (V(true)) or do not (V(false)) support tool calling.
    type: bool
  accessibility:
    description: Only connections with this visibility.
    type: str
    choices: [PUBLIC, PRIVATE]
  creator:
    description: Only connections created by this account id.
    type: str
extends_documentation_fragment:
  - alicloud.pai.common
  - alicloud.pai.workspace
  - alicloud.pai.attributes.info_module
  - alicloud.pai.attributes.actiongroup_pai
seealso:
  - module: alicloud.pai.pai_connection
"""

EXAMPLES = r"""
- name: Every connection of the workspace
  alicloud.pai.pai_connection_info:
    workspace_id: "10001"
  register: all_connections

- name: The model-service connections that offer tool calling
  alicloud.pai.pai_connection_info:
    workspace_id: "10001"
    connection_types: [DashScopeConnection, OpenLLMConnection]
    tool_call: true
  register: tool_connections

- name: One connection by name
  alicloud.pai.pai_connection_info:
    workspace_id: "10001"
    name: dashscope-prod
  register: found

- name: Show its id
  ansible.builtin.debug:
    msg: "{{ found.connections[0].connection_id if found.connections else 'not found' }}"
"""

RETURN = r"""
connections:
  description: The matching connections, newest first; an empty list when none match.
  returned: always
  type: list
  elements: dict
  contains:
    connection_id:
      description: The connection id.
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
      sample: PRIVATE
    description:
      description: The description.
      type: str
    configs:
      description: The configuration map, keys as stored.
      type: dict
      sample: {"base_url": "https://dashscope.aliyuncs.com/compatible-mode/v1"}
    secrets:
      description: The secret keys, each with a fixed mask instead of its value.
      type: dict
      sample: {"api_key": "********"}
    models:
      description:
        - The models of a model-service connection (C(model), C(display_name), C(model_type), C(tool_call), and the
          capabilities C(max_model_length), C(support_reasoning), C(support_response_schema), C(support_vision)
          where PAI returns them).
      type: list
      elements: dict
    resource_meta:
      description: The cloud resource behind the connection (C(instance_id), C(instance_name), C(extra)).
      type: dict
    creator:
      description: The account that created the connection.
      type: str
    gmt_create_time:
      description: When it was created (UTC, ISO 8601).
      type: str
    gmt_modified_time:
      description: When it was last changed (UTC, ISO 8601).
      type: str
    module_args:
      description:
        - The connection as the options of M(alicloud.pai.pai_connection), with every field PAI returned
          (C(name), C(workspace_id), C(connection_type), C(accessibility), C(description), C(configs), C(models) as
          the option's list of dicts, C(resource_meta) with C(extra) decoded, C(secrets)), and without the
          connection id, so that combined with another C(workspace_id) it creates a copy.
        - Secret values are masks, which M(alicloud.pai.pai_connection) refuses as input; combine C(secrets) with
          the real values. An empty secrets map is left out.
        - Pass it as the task keyword C(args) of M(alicloud.pai.pai_connection); for a connection without secrets
          it changes nothing. The README section "Results as data" shows a copy loop.
      returned: success
      type: dict
      sample:
        name: dashscope-prod
        workspace_id: "10001"
        connection_type: DashScopeConnection
        accessibility: PRIVATE
        configs: {"base_url": "https://dashscope.aliyuncs.com/compatible-mode/v1"}
        models: [{"model": "qwen-plus", "model_type": "LLM", "tool_call": true}]
        secrets: {"api_key": "********"}
"""

from ansible_collections.alicloud.pai.plugins.module_utils._connection import Connection
from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule


def main():
    module = PaiModule(dict(
        workspace_id=dict(type="str"),
        workspace=dict(type="str"),
        connection_ids=dict(type="list", elements="str"),
        name=dict(type="str", aliases=["connection_name"]),
        connection_types=dict(type="list", elements="str"),
        model_types=dict(type="list", elements="str", choices=["LLM", "Embedding", "ReRank"]),
        model=dict(type="str"),
        tool_call=dict(type="bool"),
        accessibility=dict(type="str", choices=["PUBLIC", "PRIVATE"]),
        creator=dict(type="str"),
    ), mutually_exclusive=[("workspace_id", "workspace")])
    params = module.params
    query = {
        "WorkspaceId": params["workspace_id"],
        "ConnectionIds": params["connection_ids"],
        "ConnectionName": params["name"],
        "ConnectionTypes": params["connection_types"],
        "ModelTypes": params["model_types"],
        "Model": params["model"],
        "ToolCall": params["tool_call"],
        "Accessibility": params["accessibility"],
        "Creator": params["creator"],
        "EncryptOption": "Secret",  # never ask for secrets in plain text here
    }
    Connection(module).run_info("connections", query, name=params["name"])


if __name__ == "__main__":
    main()
