#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: pai_workspace
short_description: Manage Alibaba Cloud PAI workspaces
version_added: 0.1.0
description:
  - Create, update and delete PAI (Platform for AI) workspaces, and move them to another resource group.
  - The workspace is found by O(workspace_id) when given, else by its exact O(name) (names are unique in a region).
  - Creating a workspace takes a while; the task waits until PAI reports it C(ENABLED), and a delete waits until it
    is gone (see O(wait)).
  - Only the options you set are compared, so fields you leave out are never changed. O(name) and O(env_types)
    cannot change; a difference fails the task naming the current and wanted values. There is no replacement,
    PAI keeps the name of a deleted workspace reserved for 14 days, so it could not be created again.
  - Deleting a workspace that still has connections or models fails naming them, unless O(force=true).
author:
  - alicloud.pai maintainers (@alicloud-pai)
options:
  state:
    description:
      - V(present) creates the workspace or brings it to the options given; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The workspace name, 3 to 23 letters, digits and C(_), starting with a letter. Unique in the region, across
        PAI and DataWorks; the name of a deleted workspace stays reserved for 14 days.
      - Required to create a workspace, and to find one when neither O(workspace_id) nor O(workspace) is given.
    type: str
    aliases: [workspace_name]
  workspace:
    description:
      - The name of the workspace when neither O(name) nor O(workspace_id) is given, so that a C(workspace) set in
        C(module_defaults) for C(group/alicloud.pai.pai) selects the workspace here too. O(name) and O(workspace_id)
        take precedence.
    type: str
  workspace_id:
    description:
      - The id of an existing workspace. With O(name) too, the name must be the workspace's own.
    type: str
    aliases: [id]
  display_name:
    description: The name shown in the console. PAI uses O(name) when none is given.
    type: str
  description:
    description:
      - A description, at most 80 characters. Required to create a workspace (PAI requires one; whether it accepts
        an empty one is not documented).
    type: str
  env_types:
    description:
      - The environments. V([prod]) is the basic mode, V([dev, prod]) the standard mode, with a development
        environment beside production. Required to create a workspace; cannot change.
    type: list
    elements: str
    choices: [dev, prod]
  resource_group_id:
    description:
      - The resource group the workspace belongs to, for example V(rg-acfmwp7rkyq4xyz). A change moves the workspace
        with the ChangeResourceGroup action.
    type: str
  wait:
    description:
      - Whether to wait for a new workspace to become C(ENABLED) (also for an existing one still being created or
        updated), and for a deleted one to be gone.
      - A status of C(FAILURE) fails the task. Check mode never waits.
    type: bool
    default: true
  wait_timeout:
    description:
      - How long to wait, in seconds. When it passes, the task fails saying the status it saw; the change goes on
        in PAI, and running the task again picks it up.
    type: int
    default: 600
  force:
    description:
      - With O(state=absent), also delete the workspace's connections and models (with their versions). Check mode
        and diff mode list them first.
      - Has no effect with O(state=present).
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.pai.common
  - alicloud.pai.attributes
  - alicloud.pai.attributes.actiongroup_pai
attributes:
  idempotent:
    description: When run twice in a row with the same options, the second run reports no change.
    support: full
notes:
  - An unchanged workspace costs one request. Deleting an existing workspace costs two more (a list of its
    connections and one of its models, so that nothing is deleted silently), and waiting reads it again at 1, 2, 4
    and then every 10 seconds.
seealso:
  - module: alicloud.pai.pai_workspace_info
"""

EXAMPLES = r"""
- name: A production workspace with a development environment
  alicloud.pai.pai_workspace:
    name: llm_prod
    display_name: LLM production
    description: Models and connections of the LLM platform
    env_types: [dev, prod]
  register: prod

- name: A staging workspace, returned without waiting for it
  alicloud.pai.pai_workspace:
    name: llm_staging
    description: Staging of the LLM platform
    env_types: [prod]
    wait: false

- name: Describe it
  alicloud.pai.pai_workspace:
    workspace_id: "{{ prod.workspace.workspace_id }}"
    description: LLM platform, production

- name: Delete the staging workspace with everything in it
  alicloud.pai.pai_workspace:
    name: llm_staging
    state: absent
    force: true
"""

RETURN = r"""
workspace:
  description:
    - The workspace after the task, as PAI returns it; in check mode, the workspace the task would produce.
    - V(null) when O(state=absent).
  returned: always
  type: dict
  contains:
    workspace_id:
      description: The workspace id; V(null) in check mode before creation.
      type: str
      sample: "12345"
    workspace_name:
      description: The name.
      type: str
      sample: llm_prod
    display_name:
      description: The name shown in the console.
      type: str
      sample: LLM production
    description:
      description: The description.
      type: str
    status:
      description: V(ENABLED) when usable; V(INITIALIZING) while being created, V(FAILURE) when creation failed.
      type: str
      sample: ENABLED
    env_types:
      description: The environments.
      type: list
      elements: str
      sample: [dev, prod]
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
    extra_infos:
      description: More details, keys as stored (for example C(TenantId)).
      type: dict
    gmt_create_time:
      description: When it was created (UTC, ISO 8601).
      type: str
      sample: "2021-01-30T12:51:33.028Z"
    gmt_modified_time:
      description: When it was last changed (UTC, ISO 8601).
      type: str
    module_args:
      description:
        - The workspace as this module's own options, with every field PAI returned - O(name), O(display_name),
          O(description), O(env_types) and O(resource_group_id). O(workspace_id) is left out.
        - Pass it as the task keyword C(args) of this module; unchanged, it finds the workspace by name and
          changes nothing.
      returned: always
      type: dict
      sample:
        name: llm_prod
        display_name: LLM production
        description: Models and connections of the LLM platform
        env_types: [dev, prod]
        resource_group_id: rg-acfmykd63gtrgxa
connections:
  description:
    - With O(state=absent), the connections of the workspace, as C(name (id)), deleted with it (O(force=true)); in
      check mode, those that would be deleted.
  returned: when O(state=absent) and the workspace existed
  type: list
  elements: str
models:
  description:
    - With O(state=absent), the models of the workspace, as C(name (id)), deleted with it and their versions
      (O(force=true)); in check mode, those that would be deleted.
  returned: when O(state=absent) and the workspace existed
  type: list
  elements: str
diff:
  description:
    - What the task manages, before and after, as JSON text (indented by 4, keys sorted, non-ASCII text as
      written); an empty string for a workspace that does not exist. Use C(from_json) to read a side as data.
    - A create or update shows O(name), the fields the task sets, and the workspace id when it is known before
      the write (not for a create, where PAI chooses it), so check mode shows the same diff as the real run. A
      delete shows the id and every managed field, and with O(force=true) the connections and models deleted with
      the workspace.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The workspace before the task, as JSON text.
      type: str
      sample: |
        {
            "description": "",
            "workspace_id": "12345",
            "workspace_name": "llm_prod"
        }
    after:
      description: The workspace after the task, as JSON text.
      type: str
      sample: |
        {
            "description": "LLM platform",
            "workspace_id": "12345",
            "workspace_name": "llm_prod"
        }
error:
  description: The API error that failed the task.
  returned: on an API error
  type: dict
  contains:
    http_status:
      description: The HTTP status.
      type: int
      sample: 400
    code:
      description: The PAI error code.
      type: str
      sample: "100400009"
    message:
      description: The PAI error message.
      type: str
    request_id:
      description: The request id to give Alibaba Cloud support.
      type: str
"""

from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule
from ansible_collections.alicloud.pai.plugins.module_utils._workspace import Workspace


def main():
    module = PaiModule(
        dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            name=dict(type="str", aliases=["workspace_name"]),
            workspace=dict(type="str"),
            workspace_id=dict(type="str", aliases=["id"]),
            display_name=dict(type="str"),
            description=dict(type="str"),
            env_types=dict(type="list", elements="str", choices=["dev", "prod"]),
            resource_group_id=dict(type="str"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
            force=dict(type="bool", default=False),
        ),
        required_one_of=[("name", "workspace", "workspace_id")],
    )
    if module.params["name"] is None and module.params["workspace_id"] is None:
        module.params["name"] = module.params["workspace"]
    if module.params["wait_timeout"] <= 0:
        module.fail("wait_timeout must be more than 0 seconds, got %s" % module.params["wait_timeout"])
    Workspace(module).run()


if __name__ == "__main__":
    main()
