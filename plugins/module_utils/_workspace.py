# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""The PAI workspace as the resource engine sees it; shared by pai_workspace and pai_workspace_info."""

import re

from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiApiError
from ansible_collections.alicloud.pai.plugins.module_utils._connection import Connection
from ansible_collections.alicloud.pai.plugins.module_utils._model import Model
from ansible_collections.alicloud.pai.plugins.module_utils._resource import Field, Resource, text

WORKSPACE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{2,22}$")
ENV_TYPES = (["prod"], ["dev", "prod"])


def env_types(value):
    """Environment lists compare as sets (``[prod, dev]`` is ``[dev, prod]``)."""
    return sorted(set(value or []))


class Workspace(Resource):
    result_key = kind = "workspace"
    id_option = "workspace_id"
    id_field = "WorkspaceId"
    name_field = list_name_filter = "WorkspaceName"
    actions = {"get": "GetWorkspace", "list": "ListWorkspaces", "create": "CreateWorkspace",
               "update": "UpdateWorkspace", "delete": "DeleteWorkspace", "resource_group": "ChangeResourceGroup"}
    status_field = "Status"
    ready_statuses = ("ENABLED",)
    failed_statuses = ("FAILURE",)
    pending_statuses = ("CREATING", "INITIALIZING", "UPDATING")
    conflict_codes = ("100400009",)
    conflict_hint = ("workspace names are unique in the region across PAI and DataWorks, and the name of a deleted "
                     "workspace stays reserved for 14 days: choose another name, or wait")
    keep_keys = ("ExtraInfos",)
    workspace_scoped = False  # the option workspace names the workspace itself (see pai_workspace)
    replaceable = False
    not_replaceable_reason = ("PAI keeps the name of a deleted workspace reserved for 14 days, so it cannot be "
                              "deleted and created again: create a new workspace with another name and move to it")
    fields = (
        Field("name", "WorkspaceName", immutable=True, identity=True),
        Field("env_types", "EnvTypes", immutable=True, normalize=env_types),
        Field("display_name", "DisplayName"),
        Field("description", "Description"),
        Field("resource_group_id", "ResourceGroupId", action="resource_group"),
    )

    def read_query(self, plain=False):
        return {"Verbose": True} if self.params.get("verbose") else {}

    def default_ids(self):
        """The id of the default workspace, as a list (empty when there is none)."""
        try:
            return [self.client.call("GetDefaultWorkspace").get("WorkspaceId")]
        except PaiApiError as error:
            if error.is_not_found:
                return []
            raise

    def child_kinds(self):
        return [Connection(self.module, {}), Model(self.module, {})]

    def validate(self):
        name = self.params.get("name")
        if name is not None and not WORKSPACE_NAME.match(name):
            self.module.fail("name %r is not a workspace name: 3 to 23 letters, digits and '_', starting with a "
                             "letter" % name)
        if self.params.get("env_types") is not None and env_types(self.params["env_types"]) not in ENV_TYPES:
            self.module.fail("env_types must be [prod] (basic mode) or [dev, prod] (standard mode), got %s"
                             % self.params["env_types"])
        description = self.params.get("description")
        if description is not None and len(description) > 80:
            self.module.fail("description must be at most 80 characters long, got %d" % len(description))

    def check_current(self, current):
        if current is None and self.params["state"] == "present" and not self.params.get("workspace_id"):
            if self.params.get("env_types") is None:
                self.module.fail("env_types is required to create a workspace: [prod] (basic mode) or [dev, prod] "
                                 "(standard mode)")
            if not self.params.get("description"):
                self.module.fail("description is required to create a workspace (PAI requires one, at most 80 "
                                 "characters)")

    def predicted(self, current, desired):
        obj = super(Workspace, self).predicted(current, desired)
        if current is None:
            obj[self.status_field] = "ENABLED" if self.params.get("wait", True) else "INITIALIZING"
        return obj

    def from_api(self, obj):
        """List items name the resource group ``resourceGroupId``; reads by id ``ResourceGroupId``."""
        if "resourceGroupId" in obj and "ResourceGroupId" not in obj:
            obj = dict(obj)
            obj["ResourceGroupId"] = obj.pop("resourceGroupId")
        return obj

    def action_body(self, field, object_id, value):
        return {"ResourceType": "workspace", "ResourceId": object_id, "NewResourceGroupId": text(value)}
