#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: pai_model_version
short_description: Register, update, promote and delete versions of a model in an Alibaba Cloud PAI workspace
version_added: 0.1.0
description:
  - Manage the versions of a model in the PAI model registry. A version holds the artefact location
    (O(uri)), its format and framework, the specifications for inference and training, metrics, labels and an
    approval status that gates deployment.
  - The model is given by O(model_id), or by O(model_name) within O(workspace_id) or O(workspace) (one more
    request, a list of the workspace's models by name).
  - The version is found by O(version_name) when given (one read). Without O(version_name), the version whose
    O(uri) equals the given one is used, so a pipeline can register an artefact and re-runs change nothing; PAI
    then names a new version itself (V(0.1.0), V(0.2.0), ...) and the result returns the name. If several versions
    have this O(uri), the task fails listing them.
  - Only the options you set are compared with the version. O(uri), O(format_type), O(framework_type) and the
    name cannot change in place; a difference fails the task naming the current and wanted values, or, with
    O(force=true), deletes the version and creates it again under the same name with every other stored value.
  - Every write is read back and compared with what was sent; update bodies carry every stored value, so fields
    you leave out are kept whether PAI merges or replaces update bodies. See the data-safety guarantees in the
    collection README.
author:
  - alicloud.pai maintainers (@alicloud-pai)
options:
  state:
    description:
      - V(present) registers the version or brings it to the options given; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  model_id:
    description:
      - The id of the model, for example V(model-rbvg5wzljzjhxsks92). Mutually exclusive with O(model_name).
      - With O(workspace_id) or O(workspace) too (for example from C(module_defaults)), the model is read once more
        to check that it is in that workspace; otherwise the task fails before any change.
    type: str
  model_name:
    description:
      - The exact name of the model within O(workspace_id), instead of O(model_id). When no model has this name,
        O(state=absent) changes nothing and O(state=present) fails; when several have it, the task fails listing
        their ids.
    type: str
  workspace_id:
    description:
      - The workspace of the model. Required with O(model_name) (or O(workspace)); with O(model_id) it must be the
        model's own.
    type: str
  version_name:
    description:
      - The version name, V(major.minor.patch) with an optional suffix after C(_), for example V(1.0.0) or
        V(2.3.4_beta). Checked before any request.
      - When given, the version is found by this name, and created with it when it does not exist.
      - When not given, the version is found by O(uri) and PAI names a new one.
    type: str
  uri:
    description:
      - Where the model artefact is, for example V(oss://mybucket.oss-cn-beijing.aliyuncs.com/models/resnet/) or
        an HTTPS URL. Required to create a version. Cannot change in place (see O(force)).
    type: str
  version_description:
    description: A description of the version.
    type: str
    aliases: [description]
  format_type:
    description:
      - The artefact format. The SDK documents V(OfflineModel), V(SavedModel), V(Keras H5), V(Frozen Pb),
        V(Caffe Prototxt), V(TorchScript), V(XGBoost), V(PMML), V(AlinkModel) and V(ONNX); other values are sent
        as given. Cannot change in place (see O(force)).
    type: str
  framework_type:
    description:
      - The framework. The SDK documents V(Pytorch), V(XGBoost), V(Keras), V(Caffe), V(Alink), V(Xflow) and
        V(TensorFlow); PAI also accepts other spellings such as V(PyTorch), so values are sent as given and
        compared exactly. Cannot change in place (see O(force)).
    type: str
  source_type:
    description:
      - What produced the version. PAI stores V(Custom) when none is given.
    type: str
    choices: [Custom, PAIFlow, TrainingService]
  source_id:
    description:
      - The producer's id. Free-form for V(Custom). For V(PAIFlow) and V(TrainingService) it must have the form
        C(region=<region>,workspaceId=<workspace id>,kind=<PipelineRun or ServiceJob>,id=<id>), checked before
        any request when O(source_type) is given.
    type: str
  approval_status:
    description:
      - Whether the version may be deployed. Promoting a version is one update request.
    type: str
    choices: [Pending, Approved, Rejected]
  options:
    description:
      - Extended settings. PAI stores them as a JSON string; they are compared as data (key order does not matter).
    type: dict
  extra_info:
    description: Free-form information, for example C(CoverUris). Compared as data; keys are kept as given.
    type: dict
  inference_spec:
    description:
      - The inference settings used when the version is deployed to EAS, for example a C(processor) key naming
        the EAS processor. Compared as data.
    type: dict
  training_spec:
    description: Settings for fine-tuning or incremental training. Compared as data.
    type: dict
  evaluation_spec:
    description: Evaluation settings. Compared as data.
    type: dict
  compression_spec:
    description: Compression settings. Compared as data.
    type: dict
  distillation_spec:
    description: Distillation settings. Compared as data.
    type: dict
  metrics:
    description:
      - The version's metrics. At most 8,192 bytes as compact JSON, checked before any request. Compared as data.
    type: dict
  labels:
    description:
      - Labels as a map of key to value. Keys and values are strings of at most 128 bytes without C(=) or C(,).
      - Only changed labels are sent; an unchanged label set costs no request.
    type: dict
  purge_labels:
    description:
      - Whether labels not in O(labels) are removed. Only has an effect when O(labels) is given.
    type: bool
    default: true
  force:
    description:
      - Replace the version (delete it, then create it under the same name with every stored value carried over)
        when O(uri), O(format_type) or O(framework_type) differ. If the create fails, the old version is restored.
    type: bool
    default: false
extends_documentation_fragment:
  - alicloud.pai.common
  - alicloud.pai.workspace
  - alicloud.pai.attributes
  - alicloud.pai.attributes.actiongroup_pai
attributes:
  idempotent:
    description: When run twice in a row with the same options, the second run reports no change.
    support: full
notes:
  - An unchanged version costs one request when found by O(version_name), or one list of the model's versions
    (100 per page) when found by O(uri); O(model_name) adds one list of models.
seealso:
  - module: alicloud.pai.pai_model_version_info
  - module: alicloud.pai.pai_model
"""

EXAMPLES = r"""
- name: The model that holds the versions
  alicloud.pai.pai_model:
    workspace_id: "10001"
    name: resnet50-classifier
    task: image-classification
  register: model

- name: Register the artefact a training run produced (PAI names the version; re-runs change nothing)
  alicloud.pai.pai_model_version:
    model_name: resnet50-classifier
    workspace_id: "10001"
    uri: oss://mybucket.oss-cn-hangzhou.aliyuncs.com/models/resnet50/run-42/
    format_type: SavedModel
    framework_type: TensorFlow
    source_type: TrainingService
    source_id: region=cn-hangzhou,workspaceId=10001,kind=ServiceJob,id=dlc-42
    approval_status: Pending
    metrics:
      top1: 0.912
      top5: 0.987
    labels:
      run: "42"
  register: registered

- name: Promote it after the evaluation gate
  alicloud.pai.pai_model_version:
    model_id: "{{ registered.model_version.model_id }}"
    version_name: "{{ registered.model_version.version_name }}"
    approval_status: Approved

- name: A named version with its inference settings
  alicloud.pai.pai_model_version:
    model_id: "{{ model.model.model_id }}"
    version_name: 1.0.0
    uri: oss://mybucket.oss-cn-hangzhou.aliyuncs.com/models/resnet50/1.0.0/
    inference_spec:
      processor: tensorflow_gpu_1.12
    options:
      quantized: false

- name: Delete a version
  alicloud.pai.pai_model_version:
    model_id: "{{ model.model.model_id }}"
    version_name: 1.0.0
    state: absent
"""

RETURN = r"""
model_version:
  description:
    - The version after the task, as PAI returns it plus its C(model_id); in check mode, the version the task
      would produce. V(null) when O(state=absent).
  returned: always
  type: dict
  contains:
    model_id:
      description: The id of the model.
      type: str
      sample: model-rbvg5wzljzjhxsks92
    version_name:
      description: The version name; V(null) in check mode before PAI names a new version.
      type: str
      sample: 0.1.0
    uri:
      description: Where the artefact is.
      type: str
      sample: oss://mybucket.oss-cn-hangzhou.aliyuncs.com/models/resnet50/run-42/
    version_description:
      description: The description.
      type: str
    format_type:
      description: The artefact format.
      type: str
      sample: SavedModel
    framework_type:
      description: The framework.
      type: str
      sample: TensorFlow
    source_type:
      description: What produced the version.
      type: str
      sample: TrainingService
    source_id:
      description: The producer's id.
      type: str
    approval_status:
      description: V(Pending), V(Approved) or V(Rejected).
      type: str
      sample: Approved
    labels:
      description: The labels as a map of key to value.
      type: dict
      sample: {"run": "42"}
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
      sample: {"top1": 0.912}
    owner_id:
      description: The owning account.
      type: str
    user_id:
      description: The user who created the version.
      type: str
    gmt_create_time:
      description: When it was created (UTC, ISO 8601).
      type: str
      sample: "2021-01-30T12:51:33.028Z"
    gmt_modified_time:
      description: When it was last changed (UTC, ISO 8601).
      type: str
      sample: "2021-01-30T12:51:33.028Z"
    module_args:
      description:
        - The version as this module's own options, with every field PAI returned - O(model_id), O(version_name),
          O(uri), O(format_type), O(framework_type), O(version_description), O(approval_status), O(source_type),
          O(source_id), O(options), O(extra_info), the specifications, O(metrics) (as data) and O(labels) (as a
          map).
        - Pass it as the task keyword C(args) of this module; unchanged, it finds the version by name and changes
          nothing. Combined with another O(model_id), it registers the same artefact under that model.
      returned: always
      type: dict
      sample:
        model_id: model-rbvg5wzljzjhxsks92
        version_name: 0.1.0
        uri: oss://mybucket.oss-cn-hangzhou.aliyuncs.com/models/resnet50/run-42/
        format_type: SavedModel
        framework_type: TensorFlow
        source_type: TrainingService
        approval_status: Approved
        metrics: {"top1": 0.912}
        labels: {"run": "42"}
diff:
  description:
    - What the task manages, before and after, as JSON text (indented by 4, keys sorted, non-ASCII text as
      written); an empty string for a version that does not exist. Use C(from_json) to read a side as data.
    - A create or update shows the model id, the fields the task sets, and the version name when it is known
      before the write (not for a version PAI names itself), so check mode shows the same diff as the real run. A
      delete shows the version name and every managed field.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The version before the task, as JSON text.
      type: str
      sample: |
        {
            "approval_status": "Pending",
            "model_id": "model-rbvg5wzljzjhxsks92",
            "version_name": "0.1.0"
        }
    after:
      description: The version after the task, as JSON text.
      type: str
      sample: |
        {
            "approval_status": "Approved",
            "model_id": "model-rbvg5wzljzjhxsks92",
            "version_name": "0.1.0"
        }
error:
  description: The API error that failed the task.
  returned: on an API error
  type: dict
  contains:
    http_status:
      description: The HTTP status.
      type: int
      sample: 404
    code:
      description: The PAI error code.
      type: str
      sample: "201900003"
    message:
      description: The PAI error message.
      type: str
    request_id:
      description: The request id to give Alibaba Cloud support.
      type: str
"""

from ansible_collections.alicloud.pai.plugins.module_utils._model import ModelVersion
from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule


def main():
    module = PaiModule(
        dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            model_id=dict(type="str"),
            model_name=dict(type="str"),
            workspace_id=dict(type="str"),
            workspace=dict(type="str"),
            version_name=dict(type="str"),
            uri=dict(type="str"),
            version_description=dict(type="str", aliases=["description"]),
            format_type=dict(type="str"),
            framework_type=dict(type="str"),
            source_type=dict(type="str", choices=["Custom", "PAIFlow", "TrainingService"]),
            source_id=dict(type="str"),
            approval_status=dict(type="str", choices=["Pending", "Approved", "Rejected"]),
            options=dict(type="dict"),
            extra_info=dict(type="dict"),
            inference_spec=dict(type="dict"),
            training_spec=dict(type="dict"),
            evaluation_spec=dict(type="dict"),
            compression_spec=dict(type="dict"),
            distillation_spec=dict(type="dict"),
            metrics=dict(type="dict"),
            labels=dict(type="dict"),
            purge_labels=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
        ),
        required_one_of=[("model_id", "model_name"), ("version_name", "uri")],
        mutually_exclusive=[("model_id", "model_name"), ("workspace_id", "workspace")],
    )
    ModelVersion(module).run()


if __name__ == "__main__":
    main()
