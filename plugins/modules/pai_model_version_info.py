#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: pai_model_version_info
short_description: List the versions of a model in an Alibaba Cloud PAI workspace
version_added: 0.1.0
description:
  - Returns one version of a model by name, or every version that matches all filters given, from all pages of
    the API's answer (100 per page).
  - The model is given by O(model_id), or by O(model_name) within O(workspace_id) (one more request). When no model
    has that name, the list is empty.
author:
  - alicloud.pai maintainers (@alicloud-pai)
options:
  model_id:
    description: The id of the model. Mutually exclusive with O(model_name).
    type: str
  model_name:
    description:
      - The exact name of the model within O(workspace_id). When several models have it, the task fails listing
        their ids.
    type: str
  workspace_id:
    description:
      - The workspace of the model. Required with O(model_name) (or O(workspace)); with O(model_id) it must be the
        model's own (one more request).
    type: str
  version_name:
    description:
      - Only this version, read by name (one request; the server-side filters are not applied, O(labels) is).
        An empty list when it does not exist.
    type: str
  approval_status:
    description: Only versions with this approval status.
    type: str
    choices: [Pending, Approved, Rejected]
  format_type:
    description: Only versions of this artefact format, for example V(SavedModel).
    type: str
  framework_type:
    description: Only versions of this framework, for example V(TensorFlow).
    type: str
  source_type:
    description: Only versions produced this way.
    type: str
    choices: [Custom, PAIFlow, TrainingService]
  source_id:
    description: Only versions with this producer id.
    type: str
  label:
    description: Versions with a label key or value containing this text (PAI's own filter).
    type: str
  labels:
    description: Only versions carrying every one of these labels with exactly these values.
    type: dict
  order:
    description:
      - The order by creation time. PAI lists oldest first (V(ASC)) by default; V(DESC) puts the newest first.
    type: str
    choices: [ASC, DESC]
extends_documentation_fragment:
  - alicloud.pai.common
  - alicloud.pai.workspace
  - alicloud.pai.attributes.info_module
  - alicloud.pai.attributes.actiongroup_pai
seealso:
  - module: alicloud.pai.pai_model_version
  - module: alicloud.pai.pai_model_info
"""

EXAMPLES = r"""
- name: Every version of a model, newest first
  alicloud.pai.pai_model_version_info:
    model_name: resnet50-classifier
    workspace_id: "10001"
    order: DESC
  register: versions

- name: The approved versions from the training service
  alicloud.pai.pai_model_version_info:
    model_id: model-rbvg5wzljzjhxsks92
    approval_status: Approved
    source_type: TrainingService
  register: approved

- name: One version by name
  alicloud.pai.pai_model_version_info:
    model_id: model-rbvg5wzljzjhxsks92
    version_name: 1.0.0
  register: one
"""

RETURN = r"""
versions:
  description: The matching versions; an empty list when none match.
  returned: always
  type: list
  elements: dict
  contains:
    model_id:
      description: The id of the model.
      type: str
      sample: model-rbvg5wzljzjhxsks92
    version_name:
      description: The version name.
      type: str
      sample: 0.1.0
    uri:
      description: Where the artefact is.
      type: str
    version_description:
      description: The description.
      type: str
    format_type:
      description: The artefact format.
      type: str
    framework_type:
      description: The framework.
      type: str
    source_type:
      description: What produced the version.
      type: str
    source_id:
      description: The producer's id.
      type: str
    approval_status:
      description: V(Pending), V(Approved) or V(Rejected).
      type: str
    labels:
      description: The labels as a map of key to value.
      type: dict
    options:
      description: The extended settings, decoded from PAI's JSON string.
      type: dict
    extra_info:
      description: Free-form information, keys as stored.
      type: dict
    inference_spec:
      description: The inference settings, keys as stored.
      type: dict
    training_spec:
      description: The training settings, keys as stored.
      type: dict
    evaluation_spec:
      description: The evaluation settings, keys as stored.
      type: dict
    compression_spec:
      description: The compression settings, keys as stored.
      type: dict
    distillation_spec:
      description: The distillation settings, keys as stored.
      type: dict
    metrics:
      description: The metrics, keys as stored.
      type: dict
    owner_id:
      description: The owning account.
      type: str
    user_id:
      description: The user who created the version.
      type: str
    gmt_create_time:
      description: When it was created (UTC, ISO 8601).
      type: str
    gmt_modified_time:
      description: When it was last changed (UTC, ISO 8601).
      type: str
    module_args:
      description:
        - The version as the options of M(alicloud.pai.pai_model_version), with every field PAI returned
          (C(model_id), C(version_name), C(uri), C(format_type), C(framework_type), C(version_description),
          C(approval_status), C(source_type), C(source_id), C(options), C(extra_info), the specifications,
          C(metrics) as data, C(labels) as a map).
        - Pass it as the task keyword C(args) of M(alicloud.pai.pai_model_version); unchanged, it finds the
          version by name and changes nothing.
      returned: success
      type: dict
      sample:
        model_id: model-rbvg5wzljzjhxsks92
        version_name: 0.1.0
        uri: oss://mybucket.oss-cn-hangzhou.aliyuncs.com/models/resnet50/run-42/
        approval_status: Approved
        metrics: {"top1": 0.912}
        labels: {"run": "42"}
"""

from ansible_collections.alicloud.pai.plugins.module_utils._model import ModelVersion, check_model_options
from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule
from ansible_collections.alicloud.pai.plugins.module_utils._resource import labels_map


def main():
    module = PaiModule(
        dict(
            model_id=dict(type="str"),
            model_name=dict(type="str"),
            workspace_id=dict(type="str"),
            workspace=dict(type="str"),
            version_name=dict(type="str"),
            approval_status=dict(type="str", choices=["Pending", "Approved", "Rejected"]),
            format_type=dict(type="str"),
            framework_type=dict(type="str"),
            source_type=dict(type="str", choices=["Custom", "PAIFlow", "TrainingService"]),
            source_id=dict(type="str"),
            label=dict(type="str"),
            labels=dict(type="dict"),
            order=dict(type="str", choices=["ASC", "DESC"]),
        ),
        required_one_of=[("model_id", "model_name")],
        mutually_exclusive=[("model_id", "model_name"), ("workspace_id", "workspace")],
    )
    params = module.params
    check_model_options(module, params)
    query = {
        "ApprovalStatus": params["approval_status"],
        "FormatType": params["format_type"],
        "FrameworkType": params["framework_type"],
        "SourceType": params["source_type"],
        "SourceId": params["source_id"],
        "Label": params["label"],
        "SortBy": "GmtCreateTime" if params["order"] else None,
        "Order": params["order"],
    }
    wanted = dict((str(key), str(value)) for key, value in (params["labels"] or {}).items())

    def has_labels(version):
        current = labels_map(version.get("Labels"))
        return all(current.get(key) == value for key, value in wanted.items())

    ids = [params["version_name"]] if params["version_name"] else None
    ModelVersion(module).run_info("versions", query, ids=ids, keep=has_labels)


if __name__ == "__main__":
    main()
