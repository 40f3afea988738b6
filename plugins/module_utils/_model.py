# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""The PAI model as the resource engine sees it; shared by pai_model and pai_model_info."""

import json
import re

from ansible_collections.alicloud.pai.plugins.module_utils._resource import (
    Field,
    Resource,
    data,
    integer,
    labels_map,
    labels_to_api,
    parse_json,
)

LABEL_LIMIT_BYTES = 128
METRICS_LIMIT_BYTES = 8192
VERSION_NAME = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(_[A-Za-z0-9_]+)?$")
# SourceId of a version made by a PAI pipeline run or training job
PAI_SOURCE_ID = re.compile(r"^region=[^,=]+,workspaceId=[^,=]+,kind=(PipelineRun|ServiceJob),id=[^,=]+$")
PAI_SOURCE_TYPES = ("PAIFlow", "TrainingService")
SPEC_FIELDS = (("extra_info", "ExtraInfo"), ("inference_spec", "InferenceSpec"), ("training_spec", "TrainingSpec"),
               ("evaluation_spec", "EvaluationSpec"), ("compression_spec", "CompressionSpec"),
               ("distillation_spec", "DistillationSpec"), ("metrics", "Metrics"))


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
    plural = "models"
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
        Field("extra_info", "ExtraInfo", from_api=parse_json, normalize=data),
        Field("labels", "Labels", labels=True, to_api=labels_to_api, normalize=labels_map),
    )

    def validate(self):
        if not self.params.get("model_id") and not self.params.get("workspace_id") and not self.params.get("workspace"):
            self.module.fail("workspace_id or workspace is required to find a model by name (or give model_id)")
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

    def child_kinds(self):
        return [ModelVersion(self.module, {})]

    def present(self, obj):
        """Tags, and the latest version's labels, as key/value maps (the model's labels are the engine's). GetModel
        does not return tags (lists do): then ``tags`` is null, so that every lookup path gives the same keys."""
        obj = dict(obj)
        obj.setdefault("Tags", None)
        if isinstance(obj.get("Tags"), list):
            obj["Tags"] = labels_map(obj["Tags"])
        latest = obj.get("LatestVersion")
        if isinstance(latest, dict) and isinstance(latest.get("Labels"), list):
            obj["LatestVersion"] = dict(latest, Labels=labels_map(latest["Labels"]))
        return super(Model, self).present(obj)


def check_model_options(module, params):
    """A model given by name needs its workspace (the version modules' options)."""
    if params.get("model_name") and not params.get("workspace_id") and not params.get("workspace"):
        module.fail("workspace_id or workspace is required with model_name (or give model_id)")


def compact_json(value):
    """``value`` as the compact JSON text the API measures and stores (``Options`` is such a string)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


class ModelVersion(Resource):
    """A version of a model: addressed by the model id and the version name; the name is chosen by the task
    or, when the task gives only ``uri``, by PAI (``0.1.0``, ``0.2.0``, ...), and then the version is found
    again by its ``uri``."""

    result_key = "model_version"
    kind = "model version"
    plural = "versions"
    id_option = "version_name"
    id_field = name_field = "VersionName"
    id_pattern = VERSION_NAME
    id_rule = "version names are major.minor.patch with an optional _suffix, for example 1.0.0 or 2.3.4_beta"
    id_settable = True
    lookup_field = "Uri"
    parent = Model
    parent_missing_codes = ("201900002",)
    parent_options = {"name": "model_name"}
    actions = {"get": "GetModelVersion", "list": "ListModelVersions", "create": "CreateModelVersion",
               "update": "UpdateModelVersion", "delete": "DeleteModelVersion",
               "create_labels": "CreateModelVersionLabels", "delete_labels": "DeleteModelVersionLabels"}
    keep_keys = ("Labels", "Options") + tuple(api for dummy, api in SPEC_FIELDS)
    fields = (
        Field("version_name", "VersionName", immutable=True),
        Field("uri", "Uri", immutable=True),
        Field("format_type", "FormatType", immutable=True),
        Field("framework_type", "FrameworkType", immutable=True),
        Field("version_description", "VersionDescription"),
        Field("approval_status", "ApprovalStatus"),
        Field("source_type", "SourceType"),
        Field("source_id", "SourceId"),
        Field("options", "Options", to_api=compact_json, from_api=parse_json, normalize=data),
    ) + tuple(Field(option, api, from_api=parse_json, normalize=data) for option, api in SPEC_FIELDS) + (
        Field("labels", "Labels", labels=True, to_api=labels_to_api, normalize=labels_map),
    )

    def validate(self):
        params = self.params
        check_model_options(self.module, params)
        metrics = params.get("metrics")
        if metrics is not None:
            size = len(compact_json(metrics).encode("utf-8"))
            if size > METRICS_LIMIT_BYTES:
                self.module.fail("metrics is %d bytes as JSON; PAI accepts at most %d" % (size, METRICS_LIMIT_BYTES))
        if params.get("source_type") in PAI_SOURCE_TYPES:
            if params.get("source_id") is not None and not PAI_SOURCE_ID.match(params["source_id"]):
                self.module.fail("source_id %r does not match the form PAI needs for source_type %s: "
                                 "region=<region>,workspaceId=<workspace id>,kind=<PipelineRun or ServiceJob>,id=<id>"
                                 % (params["source_id"], params["source_type"]))
        problems = label_problems(params.get("labels"))
        if problems:
            self.module.fail("invalid labels: %s" % "; ".join(problems))

    def check_current(self, current):
        if current is None and self.params["state"] == "present" and not self.params.get("uri"):
            self.module.fail("uri is required to create a model version: there is no version %s"
                             % self.where({"VersionName": self.params["version_name"]}))

    def present(self, obj):
        """``Options`` decoded from its JSON string."""
        if isinstance(obj.get("Options"), str):
            obj = dict(obj, Options=parse_json(obj["Options"]))
        return super(ModelVersion, self).present(obj)
