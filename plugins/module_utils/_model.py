# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""The PAI model as the resource engine sees it; shared by pai_model and pai_model_info."""

from ansible_collections.alicloud.pai.plugins.module_utils._resource import (
    Field,
    Resource,
    data,
    integer,
    labels_map,
    labels_to_api,
)

LABEL_LIMIT_BYTES = 128


def label_problems(labels):
    """Why each label is unacceptable to PAI: keys and values of at most 128 bytes without ``=`` or ``,``."""
    problems = []
    for key, value in (labels or {}).items():
        if not isinstance(value, str):
            problems.append("labels.%s must be a string, got %s; quote the value in YAML" % (key, type(value).__name__))
            continue
        for what, item in (("key", key), ("value", value)):
            if not item and what == "key":
                problems.append("label keys must not be empty")
            if len(item.encode("utf-8")) > LABEL_LIMIT_BYTES:
                problems.append("label %s %r is longer than %d bytes" % (what, item, LABEL_LIMIT_BYTES))
            if "=" in item or "," in item:
                problems.append("label %s %r contains '=' or ','" % (what, item))
    return problems


class Model(Resource):
    result_key = kind = "model"
    id_option = "model_id"
    id_field = "ModelId"
    name_field = "ModelName"
    list_name_filter = "ModelName"
    actions = {"get": "GetModel", "list": "ListModels", "create": "CreateModel", "update": "UpdateModel",
               "delete": "DeleteModel", "create_labels": "CreateModelLabels", "delete_labels": "DeleteModelLabels"}
    # user data, returned with its keys as stored (the latest version's specs and metrics included)
    keep_keys = ("ExtraInfo", "Labels", "Tags", "Metrics", "Options", "InferenceSpec", "TrainingSpec",
                 "EvaluationSpec", "CompressionSpec", "DistillationSpec")
    fields = (
        Field("name", "ModelName", identity=True),
        Field("workspace_id", "WorkspaceId", immutable=True, identity=True),
        Field("accessibility", "Accessibility"),
        Field("description", "ModelDescription"),
        Field("model_doc", "ModelDoc"),
        Field("model_type", "ModelType"),
        Field("origin", "Origin"),
        Field("domain", "Domain"),
        Field("task", "Task"),
        Field("order_number", "OrderNumber", normalize=integer),
        Field("parameter_size", "ParameterSize", normalize=integer),
        Field("extra_info", "ExtraInfo", normalize=data),
        Field("labels", "Labels", labels=True, to_api=labels_to_api, normalize=labels_map),
    )

    def validate(self):
        if not self.params.get("model_id") and not self.params.get("workspace_id"):
            self.module.fail("workspace_id is required to find a model by name (or give model_id)")
        name = self.params.get("name")
        if name is not None and not 1 <= len(name) <= 127:
            self.module.fail("name must be 1 to 127 characters long, got %d" % len(name))
        problems = label_problems(self.params.get("labels"))
        if problems:
            self.module.fail("invalid labels: %s" % "; ".join(problems))

    def check_current(self, current):
        if current is None and self.params["state"] == "present" and not self.params["model_id"]:
            if not self.params["name"]:
                self.module.fail("name is required to create a model")

    def desired(self, current):
        desired = super(Model, self).desired(current)
        if "Labels" in desired and current is not None and not self.params["purge_labels"]:
            merged = labels_map(current.get("Labels"))
            merged.update(labels_map(desired["Labels"]))
            desired["Labels"] = labels_to_api(merged)
        return desired

    def present(self, obj):
        """Labels and tags (the latest version's too) as key/value maps."""
        obj = dict(obj)
        if isinstance(obj.get("LatestVersion"), dict):
            obj["LatestVersion"] = dict(obj["LatestVersion"])
        for holder in (obj, obj.get("LatestVersion") or {}):
            for key in ("Labels", "Tags"):
                if isinstance(holder.get(key), list):
                    holder[key] = labels_map(holder[key])
        return super(Model, self).present(obj)
