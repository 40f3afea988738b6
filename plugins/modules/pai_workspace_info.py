#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: pai_workspace_info
short_description: List Alibaba Cloud PAI workspaces
version_added: 0.1.0
description:
  - Returns the workspaces that match every filter given, from all pages of the API's answer (100 per page); or one
    workspace by id or by exact name; or the account's default workspace.
author:
  - alicloud.pai maintainers (@alicloud-pai)
options:
  workspace_id:
    description: Only this workspace, read by id (one request). An empty list when it does not exist.
    type: str
    aliases: [id]
  name:
    description:
      - Only the workspace with exactly this name. PAI's own name filter is fuzzy; this module keeps exact matches.
    type: str
    aliases: [workspace_name]
  workspace:
    description:
      - The same as O(name), so that a C(workspace) set in C(module_defaults) for C(group/alicloud.pai.pai) applies
        here too. O(name) takes precedence.
    type: str
  default:
    description: Return the account's default workspace (an empty list when there is none).
    type: bool
    default: false
  status:
    description: Only workspaces with this status.
    type: str
    choices: [ENABLED, INITIALIZING, FAILURE, DISABLED, FROZEN, UPDATING]
  resource_group_id:
    description: Only workspaces of this resource group.
    type: str
  verbose:
    description: Ask PAI for the detailed view (the owner, among others).
    type: bool
    default: false
  sort_by:
    description: The field to sort by.
    type: str
    choices: [GmtCreateTime, GmtModifiedTime]
  order:
    description: The sort order. PAI sorts oldest first (V(ASC)) by default.
    type: str
    choices: [ASC, DESC]
extends_documentation_fragment:
  - alicloud.pai.common
  - alicloud.pai.attributes.info_module
  - alicloud.pai.attributes.actiongroup_pai
seealso:
  - module: alicloud.pai.pai_workspace
"""

EXAMPLES = r"""
- name: Every workspace of the region
  alicloud.pai.pai_workspace_info:
  register: all_workspaces

- name: The workspace named llm_prod
  alicloud.pai.pai_workspace_info:
    name: llm_prod
  register: prod

- name: The default workspace
  alicloud.pai.pai_workspace_info:
    default: true
  register: default_workspace
"""

RETURN = r"""
workspaces:
  description: The matching workspaces; an empty list when none match.
  returned: always
  type: list
  elements: dict
  contains:
    workspace_id:
      description: The workspace id.
      type: str
      sample: "12345"
    workspace_name:
      description: The name.
      type: str
      sample: llm_prod
    display_name:
      description: The name shown in the console.
      type: str
    description:
      description: The description.
      type: str
    status:
      description: The status, V(ENABLED) when usable.
      type: str
      sample: ENABLED
    env_types:
      description: The environments.
      type: list
      elements: str
      sample: [prod]
    resource_group_id:
      description: The resource group.
      type: str
    is_default:
      description: Whether it is the default workspace of the account.
      type: bool
    creator:
      description: The user who created it.
      type: str
    admin_names:
      description: The workspace administrators.
      type: list
      elements: str
    owner:
      description: The owner, with O(verbose=true) only.
      type: dict
    extra_infos:
      description: More details, keys as stored.
      type: dict
    gmt_create_time:
      description: When it was created (UTC, ISO 8601).
      type: str
    gmt_modified_time:
      description: When it was last changed (UTC, ISO 8601).
      type: str
    module_args:
      description:
        - The workspace as the options of M(alicloud.pai.pai_workspace), with every field PAI returned (C(name),
          C(display_name), C(description), C(env_types), C(resource_group_id)), without the workspace id.
        - Pass it as the task keyword C(args) of M(alicloud.pai.pai_workspace); unchanged, it finds the workspace
          by name and changes nothing.
      returned: success
      type: dict
      sample:
        name: llm_prod
        display_name: LLM production
        env_types: [prod]
"""

from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule
from ansible_collections.alicloud.pai.plugins.module_utils._workspace import Workspace


def main():
    module = PaiModule(dict(
        workspace_id=dict(type="str", aliases=["id"]),
        name=dict(type="str", aliases=["workspace_name"]),
        workspace=dict(type="str"),
        default=dict(type="bool", default=False),
        status=dict(type="str", choices=["ENABLED", "INITIALIZING", "FAILURE", "DISABLED", "FROZEN", "UPDATING"]),
        resource_group_id=dict(type="str"),
        verbose=dict(type="bool", default=False),
        sort_by=dict(type="str", choices=["GmtCreateTime", "GmtModifiedTime"]),
        order=dict(type="str", choices=["ASC", "DESC"]),
    ))
    params = module.params
    name = params["name"] if params["name"] is not None else params["workspace"]
    query = {
        "WorkspaceName": name,
        "Status": params["status"],
        "ResourceGroupId": params["resource_group_id"],
        "Verbose": True if params["verbose"] else None,
        "SortBy": params["sort_by"],
        "Order": params["order"],
    }
    resource = Workspace(module)
    ids = [params["workspace_id"]] if params["workspace_id"] else None
    if params["default"]:
        ids = resource.default_ids
    resource.run_info("workspaces", query, ids=ids, name=name)


if __name__ == "__main__":
    main()
