#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: pai_model_info
short_description: List models of Alibaba Cloud PAI workspaces and public PAI models
version_added: 0.1.0
description:
  - Returns the models that match every filter given, from all pages of the API's answer.
author:
  - alicloud.pai maintainers (@alicloud-pai)
options:
  workspace_id:
    description: Only models of this workspace.
    type: str
  model_ids:
    description:
      - Only these models, read one by one; ids that do not exist are left out.
      - The server-side filters are not applied to them; O(name) and O(labels) are.
    type: list
    elements: str
  name:
    description:
      - Only models with exactly this name. PAI's own name filter is fuzzy; this module keeps exact matches.
    type: str
    aliases: [model_name]
  query:
    description: Models whose name, domain, task, label keys or label values contain this text.
    type: str
  label:
    description: Models with a label key or value containing this text.
    type: str
  labels:
    description: Only models carrying every one of these labels with exactly these values.
    type: dict
  model_type:
    description: Only models of this kind, for example V(Checkpoint).
    type: str
  origin:
    description: Only models from this origin, for example V(HuggingFace).
    type: str
  domain:
    description: Only models of this domain, for example V(nlp).
    type: str
  task:
    description: Only models for this task, for example V(text-classification).
    type: str
  provider:
    description:
      - List the public models of this provider, for example V(pai), instead of your own.
    type: str
  collections:
    description: Only models in one of these collections, for example V(QuickStart).
    type: list
    elements: str
  sort_by:
    description: The field to sort by.
    type: str
    choices: [GmtCreateTime]
  order:
    description: The sort order. PAI sorts oldest first (V(ASC)) by default.
    type: str
    choices: [ASC, DESC]
extends_documentation_fragment:
  - alicloud.pai.common
  - alicloud.pai.workspace
  - alicloud.pai.attributes.info_module
  - alicloud.pai.attributes.actiongroup_pai
seealso:
  - module: alicloud.pai.pai_model
"""

EXAMPLES = r"""
- name: Every model of the workspace
  alicloud.pai.pai_model_info:
    workspace_id: "10001"
  register: all_models

- name: The SD 1.5 checkpoints, newest first
  alicloud.pai.pai_model_info:
    workspace_id: "10001"
    model_type: Checkpoint
    labels:
      base_model: SD 1.5
    order: DESC
  register: checkpoints

- name: Public PAI models for text classification
  alicloud.pai.pai_model_info:
    provider: pai
    task: text-classification
  register: public_models
"""

RETURN = r"""
models:
  description: The matching models; an empty list when none match.
  returned: always
  type: list
  elements: dict
  contains:
    model_id:
      description: The model id.
      type: str
      sample: model-rbvg5wzljzjhxsks92
    model_name:
      description: The name.
      type: str
      sample: sd15-checkpoint
    workspace_id:
      description: The workspace id.
      type: str
      sample: "10001"
    accessibility:
      description: V(PUBLIC) or V(PRIVATE).
      type: str
    model_description:
      description: The description.
      type: str
    model_doc:
      description: The documentation URL.
      type: str
    model_type:
      description: The kind of model.
      type: str
    origin:
      description: Where the model comes from.
      type: str
    domain:
      description: The field the model works in.
      type: str
    task:
      description: The task the model solves.
      type: str
    order_number:
      description: The sort number.
      type: int
    parameter_size:
      description: The number of parameters, in millions.
      type: int
    provider:
      description: The provider of a public model, for example V(pai).
      type: str
    extra_info:
      description: Free-form information, keys as stored.
      type: dict
    labels:
      description: The labels as a map of key to value.
      type: dict
      sample: {"base_model": "SD 1.5"}
    tags:
      description:
        - The tags as a map of key to value when PAI returned them (its lists do); V(null) for the models read by
          id with O(model_ids), since GetModel returns no tags. The key is always there.
      type: dict
    latest_version:
      description: The newest version of the model, if it has one.
      type: dict
    gmt_create_time:
      description: When it was created (UTC, ISO 8601).
      type: str
    gmt_modified_time:
      description: When it was last changed (UTC, ISO 8601).
      type: str
    module_args:
      description:
        - The model as the options of M(alicloud.pai.pai_model), with every field PAI returned (C(name),
          C(workspace_id), C(accessibility), C(description), C(model_doc), C(model_type), C(origin), C(domain),
          C(task), C(order_number), C(parameter_size), C(extra_info), C(labels) as a map), and without the model
          id, so that combined with another C(workspace_id) it creates a copy.
        - Pass it as the task keyword C(args) of M(alicloud.pai.pai_model); unchanged, it finds the model by name
          and changes nothing (see the README section "Results as data").
      returned: success
      type: dict
      sample:
        name: sd15-checkpoint
        workspace_id: "10001"
        accessibility: PRIVATE
        model_type: Checkpoint
        origin: Civitai
        task: text-to-image-synthesis
        labels: {"base_model": "SD 1.5"}
"""

from ansible_collections.alicloud.pai.plugins.module_utils._model import Model, labels_map
from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule


def main():
    module = PaiModule(dict(
        workspace_id=dict(type="str"),
        workspace=dict(type="str"),
        model_ids=dict(type="list", elements="str"),
        name=dict(type="str", aliases=["model_name"]),
        query=dict(type="str"),
        label=dict(type="str"),
        labels=dict(type="dict"),
        model_type=dict(type="str"),
        origin=dict(type="str"),
        domain=dict(type="str"),
        task=dict(type="str"),
        provider=dict(type="str"),
        collections=dict(type="list", elements="str"),
        sort_by=dict(type="str", choices=["GmtCreateTime"]),
        order=dict(type="str", choices=["ASC", "DESC"]),
    ), mutually_exclusive=[("workspace_id", "workspace")])
    params = module.params
    query = {
        "WorkspaceId": params["workspace_id"],
        "ModelName": params["name"],
        "Query": params["query"],
        "Label": params["label"],
        "ModelType": params["model_type"],
        "Origin": params["origin"],
        "Domain": params["domain"],
        "Task": params["task"],
        "Provider": params["provider"],
        "Collections": params["collections"],
        "SortBy": params["sort_by"],
        "Order": params["order"],
    }
    wanted = dict((str(key), str(value)) for key, value in (params["labels"] or {}).items())

    def has_labels(model):
        current = labels_map(model.get("Labels"))
        return all(current.get(key) == value for key, value in wanted.items())

    Model(module).run_info("models", query, ids=params["model_ids"], name=params["name"], keep=has_labels)


if __name__ == "__main__":
    main()
