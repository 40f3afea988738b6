# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Results as data, against the in-process emulator under every behaviour switch: a check-mode diff is the real
run's diff (as text, non-ASCII as written), and ``module_args`` fed back as options changes nothing."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.alicloud.pai.plugins.module_utils._connection import Connection
from ansible_collections.alicloud.pai.plugins.module_utils._model import Model
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.engine_fakes import diff_data
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.test_data_safety import (  # noqa: F401 pylint: disable=unused-import
    API_KEY,
    BEHAVIOURS,
    QWEN,
    api,
    behaviour_id,
    connection_params,
    model_params,
)

CHINESE = u"镇元资源的连接"

# each change in order: (description, options); the connection ones then the model ones
CONNECTION_CHANGES = [
    ("create with the least it needs", dict(configs={"base_url": "https://dashscope.example/v1"})),
    ("description in Chinese", dict(description=CHINESE)),
    ("models without tool_call", dict(models=[{"model": "qwen-plus", "model_type": "LLM"}, {"model": "qwen-max"}])),
    ("models replaced, one with capabilities", dict(models=[QWEN])),
    ("configs changed", dict(configs={"base_url": "https://dashscope.example/v2", "region": "cn-hangzhou"})),
    ("a secret added", dict(secrets={"api_key": API_KEY})),
    ("a secret changed", dict(secrets={"api_key": API_KEY + "-2"})),
    ("replaced with force", dict(accessibility="PUBLIC", force=True, secrets={"api_key": API_KEY + "-2"})),
    ("deleted", dict(state="absent")),
]
MODEL_CHANGES = [
    ("create with labels", dict(description=CHINESE, labels={"stage": "dev", u"团队": u"搜索"})),
    ("labels changed and added", dict(labels={"stage": "prod", "owner": "search"}, purge_labels=False)),
    ("labels purged", dict(labels={"owner": "search"})),
    ("fields changed", dict(domain="nlp", task="text-generation", order_number=3, extra_info={"license": "Apache-2.0"})),
    ("deleted", dict(state="absent")),
]


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=behaviour_id)
def test_check_mode_diff_is_the_real_diff_for_every_change(api, behaviour):
    api.admin.behave(**behaviour)
    for kind, changes, params, resource in (("connection", CONNECTION_CHANGES, connection_params, Connection),
                                            ("model", MODEL_CHANGES, model_params, Model)):
        for what, options in changes:
            before = api.admin.state(plain=True)
            checked = api.task(resource, params(**options), check_mode=True)
            assert api.admin.state(plain=True) == before, "check mode wrote something: %s %s" % (kind, what)
            applied = api.task(resource, params(**options))
            assert not applied.get("failed"), (kind, what, applied.get("msg"))
            assert checked["changed"] and applied["changed"], (kind, what)
            assert checked["diff"] == applied["diff"], (kind, what, checked["diff"], applied["diff"])
            assert "\\u" not in applied["diff"]["before"] + applied["diff"]["after"]
            assert API_KEY not in json.dumps(applied) + json.dumps(checked)


def test_a_diff_is_json_text_showing_what_the_task_manages(api):
    created = api.connection(description=CHINESE, configs={"base_url": "u"})
    assert created["diff"]["before"] == ""
    assert CHINESE in created["diff"]["after"] and created["diff"]["after"].endswith("}\n")
    # the id is PAI's choice: not in a create's diff; the fields the task did not set are not either
    assert diff_data(created, "after") == {"configs": {"base_url": "u"}, "connection_name": "llm",
                                           "connection_type": "DashScopeConnection", "description": CHINESE,
                                           "workspace_id": "10001"}
    updated = api.connection(description="plain")
    assert sorted(diff_data(updated, "before")) == ["connection_id", "connection_name", "connection_type",
                                                    "description", "workspace_id"]
    assert diff_data(updated, "before")["description"] == CHINESE
    deleted = api.connection(state="absent")
    assert diff_data(deleted, "after") == {}
    assert diff_data(deleted, "before")["configs"] == {"base_url": "u"}  # a delete shows everything it removes


def test_module_args_fed_back_change_nothing_and_cost_one_read(api):
    created = api.connection(description=CHINESE, accessibility="PUBLIC", models=[QWEN],
                             configs={"base_url": "https://dashscope.example/v1"},
                             resource_meta={"instance_id": "i-1", "instance_name": None, "extra": {"vpc": ["a", "b"]}})
    args = created["connection"]["module_args"]
    assert args == {"name": "llm", "workspace_id": "10001", "connection_type": "DashScopeConnection",
                    "accessibility": "PUBLIC", "description": CHINESE,
                    "configs": {"base_url": "https://dashscope.example/v1"}, "models": [QWEN],
                    "resource_meta": {"instance_id": "i-1", "extra": {"vpc": ["a", "b"]}}}
    api.admin.clear_requests()
    again = api.task(Connection, connection_params(**args))
    assert not again["changed"] and api.actions() == ["ListConnections"]
    assert again["connection"]["module_args"] == args
    model = api.model(labels={"a": "1"}, extra_info={"k": [1, 2]}, order_number=4)["model"]
    assert model["module_args"]["labels"] == {"a": "1"} and model["module_args"]["extra_info"] == {"k": [1, 2]}
    assert model["tags"] is None or isinstance(model["tags"], dict)
    api.admin.clear_requests()
    again = api.task(Model, model_params(**model["module_args"]))
    assert not again["changed"] and api.actions() == ["ListModels"]


def test_module_args_mask_secrets_and_a_mask_fed_back_is_refused_naming_each(api):
    created = api.connection(secrets={"api_key": API_KEY, "token": API_KEY + "-token"})
    assert created["connection"]["module_args"]["secrets"] == {"api_key": "********", "token": "********"}
    api.admin.clear_requests()
    refused = api.connection(**created["connection"]["module_args"])
    assert refused["failed"] and refused["msg"].startswith("secrets.api_key and secrets.token are a mask")
    assert api.actions() == []


def test_a_model_diff_holds_only_what_the_task_manages(api):
    created = api.model(description="d")
    assert sorted(diff_data(created, "after")) == ["model_description", "model_name", "workspace_id"]
    assert "tags" in created["model"]  # a result has the key on every lookup path; a diff does not
