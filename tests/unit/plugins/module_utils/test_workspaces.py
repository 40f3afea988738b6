# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Workspaces through the engine against the emulator in-process: waits for the asynchronous status (slow and
failing transitions, timeouts), the reserved-name error, updates and the resource group, deleting a workspace with
what lives in it, and ``workspace`` by name in the other modules with its request cost."""

import pytest

from ansible_collections.alicloud.pai.plugins.module_utils._connection import Connection
from ansible_collections.alicloud.pai.plugins.module_utils._model import Model, ModelVersion
from ansible_collections.alicloud.pai.plugins.module_utils._workspace import Workspace
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.engine_fakes import diff_data
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.test_data_safety import (
    WORKSPACE,
    Api,
    connection_params,
    model_params,
)
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.test_model_versions import version_params


def workspace_params(**overrides):
    params = dict(state="present", name="llm_prod", workspace=None, workspace_id=None, display_name=None,
                  description=None, env_types=None, resource_group_id=None, wait=True, wait_timeout=30, force=False,
                  recovery_timeout=5)
    params.update(overrides)
    return params


class WorkspaceApi(Api):
    def workspace(self, check_mode=False, **options):
        return self.task(Workspace, workspace_params(**options), check_mode)

    def stored(self, name="llm_prod"):
        return [item for item in self.admin.state()["workspaces"] if item["WorkspaceName"] == name]

    def writes(self):
        return [entry["action"] for entry in self.log() if entry["method"] != "GET"]

    def reads(self):
        return [entry["action"] for entry in self.log()]


@pytest.fixture
def api(admin):
    return WorkspaceApi(admin)


PROD = dict(env_types=["dev", "prod"], display_name="LLM production", description="models of the LLM platform")


def test_create_check_mode_create_rerun_update_delete(api):
    checked = api.workspace(check_mode=True, **PROD)
    assert checked["changed"] and checked["workspace"]["workspace_id"] is None
    assert checked["workspace"]["status"] == "ENABLED" and diff_data(checked, "before") == {}
    assert api.writes() == [] and api.stored() == []
    created = api.workspace(**PROD)
    assert created["changed"] and created["workspace"]["status"] == "ENABLED"
    workspace_id = created["workspace"]["workspace_id"]
    api.admin.clear_requests()
    assert not api.workspace(**PROD)["changed"]
    assert api.reads() == ["ListWorkspaces"]
    api.admin.clear_requests()
    assert not api.workspace(workspace_id=workspace_id, name=None, **PROD)["changed"]
    assert api.reads() == ["GetWorkspace"]
    api.admin.clear_requests()
    checked = api.workspace(check_mode=True, description="LLM platform, production")
    assert checked["changed"] and diff_data(checked, "after")["description"] == "LLM platform, production"
    assert api.writes() == []
    updated = api.workspace(description="LLM platform, production", resource_group_id="rg-acfmwp7rkyq4xyz")
    assert updated["changed"] and updated["workspace"]["resource_group_id"] == "rg-acfmwp7rkyq4xyz"
    assert api.writes() == ["UpdateWorkspace", "ChangeResourceGroup"]
    (stored,) = api.stored()
    assert stored["DisplayName"] == "LLM production" and stored["Description"] == "LLM platform, production"
    api.admin.clear_requests()
    # found by name, the list item's lower-camel resourceGroupId compares like the read's ResourceGroupId
    assert not api.workspace(resource_group_id="rg-acfmwp7rkyq4xyz")["changed"]
    deleted = api.workspace(state="absent")
    assert deleted["changed"] and deleted["connections"] == [] and deleted["models"] == []
    assert not api.workspace(state="absent")["changed"]


def test_create_only_fields_fail_naming_both_values_even_with_force(api):
    api.workspace(**PROD)
    api.admin.clear_requests()
    for force in (False, True):
        result = api.workspace(env_types=["prod"], force=force)
        assert result["failed"] and not result["changed"]
        assert 'env_types is ["dev", "prod"], wanted ["prod"]' in result["msg"]
        assert "reserved for 14 days" in result["msg"]
    assert api.writes() == []


def test_slow_transitions_are_waited_for_both_ways(api):
    api.admin.behave(workspace_transitions="slow")
    created = api.workspace(**PROD)
    assert created["changed"] and created["workspace"]["status"] == "ENABLED", created
    assert api.reads().count("GetWorkspace") >= 2  # read again until ready
    deleted = api.workspace(state="absent")
    assert deleted["changed"] and not deleted.get("failed"), deleted
    assert api.stored() == []


def test_without_waiting_the_create_returns_at_once_and_a_rerun_waits(api):
    api.admin.behave(workspace_transitions="slow")
    created = api.workspace(wait=False, **PROD)
    assert created["changed"] and created["workspace"]["status"] == "INITIALIZING"
    again = api.workspace(**PROD)
    assert not again["changed"] and again["workspace"]["status"] == "ENABLED"


def test_a_wait_that_times_out_fails_changed_naming_the_status(api):
    api.admin.behave(workspace_transitions="slow")
    result = api.workspace(wait_timeout=1, **PROD)
    assert result["failed"] and result["changed"]
    assert "INITIALIZING" in result["msg"] and "wait_timeout" in result["msg"]


def test_a_failed_creation_fails_the_task(api):
    api.admin.behave(workspace_transitions="failing")
    result = api.workspace(**PROD)
    assert result["failed"] and result["changed"] and "FAILURE" in result["msg"]


def test_a_reserved_name_says_why(api):
    api.workspace(**PROD)
    api.workspace(state="absent")
    result = api.workspace(**PROD)
    assert result["failed"] and result["error"]["code"] == "100400009"
    assert "reserved for 14 days" in result["msg"]


def test_bad_input_fails_before_any_request(api):
    for options, words in ((dict(name="1bad"), "not a workspace name"), (dict(env_types=["dev"]), "env_types must"),
                           (dict(description="x" * 81), "at most 80")):
        api.admin.clear_requests()
        result = api.workspace(**dict(PROD, **options))
        assert result["failed"] and words in result["msg"]
        assert api.log() == []
    result = api.workspace(name="newspace")
    assert result["failed"] and "env_types is required" in result["msg"]


def test_a_workspace_with_contents_is_deleted_only_with_force(api):
    workspace_id = api.workspace(**PROD)["workspace"]["workspace_id"]
    api.task(Connection, connection_params(workspace_id=workspace_id, name="llm"))
    model = api.task(Model, model_params(workspace_id=workspace_id, name="resnet"))
    api.task(ModelVersion, version_params(model_id=model["model"]["model_id"], uri="oss://b/m/"))
    api.admin.clear_requests()
    refused = api.workspace(state="absent")
    assert refused["failed"] and not refused["changed"]
    assert "1 connection: llm (" in refused["msg"] and "1 model: resnet (" in refused["msg"]
    assert api.writes() == []
    checked = api.workspace(check_mode=True, state="absent", force=True)
    assert checked["changed"] and diff_data(checked, "before")["models"] == checked["models"]
    assert api.writes() == []
    deleted = api.workspace(state="absent", force=True)
    assert deleted["changed"] and not deleted.get("failed"), deleted
    assert sorted(api.writes()) == ["DeleteConnection", "DeleteModel", "DeleteModelVersion", "DeleteWorkspace"]
    assert api.stored() == [] and api.connections() == [] and api.models() == []


# -- workspace by name in every module --------------------------------------------------------------------------

def test_workspace_by_name_costs_one_list_and_works_in_every_module(api):
    workspace_id = api.workspace(**PROD)["workspace"]["workspace_id"]
    created = api.task(Connection, connection_params(workspace_id=None, workspace="llm_prod", name="llm"))
    assert created["changed"] and created["connection"]["workspace_id"] == workspace_id
    api.admin.clear_requests()
    assert not api.task(Connection, connection_params(workspace_id=None, workspace="llm_prod", name="llm"))["changed"]
    assert api.reads() == ["ListWorkspaces", "ListConnections"]
    model = api.task(Model, model_params(workspace_id=None, workspace="llm_prod", name="resnet"))
    assert model["model"]["workspace_id"] == workspace_id
    version = api.task(ModelVersion, version_params(model_name="resnet", workspace="llm_prod", uri="oss://b/m/"))
    assert version["changed"] and version["model_version"]["model_id"] == model["model"]["model_id"]
    api.admin.clear_requests()
    again = api.task(ModelVersion, version_params(model_name="resnet", workspace="llm_prod", uri="oss://b/m/"))
    assert not again["changed"] and api.reads() == ["ListWorkspaces", "ListModels", "ListModelVersions"]
    gone = api.task(Connection, connection_params(workspace_id=None, workspace="llm_prod", name="llm", state="absent"))
    assert gone["changed"] and api.connections("llm") == []


def test_a_missing_workspace_name_fails_listing_them_except_for_absent(api):
    api.admin.clear_requests()
    absent = api.task(Model, model_params(workspace_id=None, workspace="nope", name="resnet", state="absent"))
    assert not absent["changed"] and not absent.get("failed")
    present = api.task(Model, model_params(workspace_id=None, workspace="nope", name="resnet"))
    assert present["failed"] and "no workspace is named 'nope'" in present["msg"]
    assert "ansible_demo (%s)" % WORKSPACE in present["msg"]
    assert api.writes() == []


def test_a_model_id_with_another_workspace_is_refused(api):
    other = api.workspace(**PROD)["workspace"]["workspace_id"]
    model = api.task(Model, model_params(name="resnet"))
    api.admin.clear_requests()
    result = api.task(ModelVersion, version_params(model_id=model["model"]["model_id"], workspace_id=other,
                                                   uri="oss://b/m/"))
    assert result["failed"] and "workspace_id" in result["msg"] and "Nothing was changed" in result["msg"]
    assert api.writes() == []


def test_check_mode_predicts_a_connection_in_a_workspace_an_earlier_task_would_create(api):
    result = api.task(Connection, connection_params(workspace_id=None, workspace="llm_next", name="llm"),
                      check_mode=True)
    assert result["changed"] and not result.get("failed"), result
    assert any("no workspace named 'llm_next' exists" in warning for warning in result["warnings"])
    assert api.writes() == []
    info_like = api.task(Connection, connection_params(workspace_id=None, workspace="llm_next", name="llm"))
    assert info_like["failed"] and "no workspace is named 'llm_next'" in info_like["msg"]
