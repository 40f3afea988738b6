#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r"""
module: pai_model
short_description: Manage models in the model registry of an Alibaba Cloud PAI workspace
version_added: 0.1.0
description:
  - Create, update, rename and delete models of a PAI (Platform for AI) workspace, with their labels.
  - The model is found by O(model_id) when given, else by its exact O(name) within O(workspace_id).
  - Only the options you set are compared with the model, so fields you leave out are never changed.
  - A model never moves between workspaces. With O(model_id), a given O(workspace_id) must be the model's own
    workspace, for O(state=present) and O(state=absent) alike; otherwise the task fails before any change.
  - Every write is read back and compared with what was sent; update bodies carry every stored value, so fields
    you leave out are kept whether PAI merges or replaces update bodies. See the data-safety guarantees in the
    collection README.
author:
  - alicloud.pai maintainers (@alicloud-pai)
options:
  state:
    description:
      - V(present) creates the model or brings it to the options given; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - The model name, 1 to 127 characters. Required to create a model, and to find one when O(model_id) is not
        given.
      - With O(model_id) and O(state=present), a different name renames the model. With O(state=absent), a name
        given with O(model_id) must be the model's own, or nothing is deleted.
      - Names are not unique in PAI; when several models of the workspace have this exact name the task fails
        listing their ids.
    type: str
    aliases: [model_name]
  model_id:
    description:
      - The id of an existing model, for example V(model-rbvg5wzljzjhxsks92). When given, the model is found by id;
        a model that does not exist is then an error for O(state=present).
    type: str
    aliases: [id]
  workspace_id:
    description:
      - The id of the workspace the model belongs to. Required to create a model and to find one by name.
    type: str
  accessibility:
    description:
      - Who in the workspace can see the model. PAI defaults to V(PRIVATE).
    type: str
    choices: [PUBLIC, PRIVATE]
  description:
    description: A description of the model.
    type: str
    aliases: [model_description]
  model_doc:
    description: The URL of the model's documentation.
    type: str
  model_type:
    description: The kind of model, for example V(Checkpoint) or V(LoRA).
    type: str
  origin:
    description: Where the model comes from, for example V(ModelScope), V(HuggingFace) or V(Civitai).
    type: str
  domain:
    description: The field the model works in, for example V(nlp), V(cv) or V(aigc).
    type: str
  task:
    description: The task the model solves, for example V(text-classification) or V(text-to-image-synthesis).
    type: str
  order_number:
    description: A number for sorting models your own way. V(0) and no number compare as the same.
    type: int
  parameter_size:
    description: The number of parameters, in millions.
    type: int
  extra_info:
    description:
      - Free-form information about the model, compared as data (key order does not matter). Keys are kept as given.
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
      - With O(state=absent), also delete the model's versions. Without it, deleting a model that still has
        versions fails naming them and nothing is deleted, whether PAI would delete the versions along with the
        model or refuse.
      - To know whether versions exist, O(state=absent) on an existing model costs one more request (a list of
        its versions). Check mode and diff mode show the versions that would be deleted.
      - Has no effect with O(state=present).
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
seealso:
  - module: alicloud.pai.pai_model_info
"""

EXAMPLES = r"""
- name: A text-to-image checkpoint from Civitai
  alicloud.pai.pai_model:
    workspace_id: "10001"
    name: sd15-checkpoint
    origin: Civitai
    task: text-to-image-synthesis
    domain: aigc
    model_type: Checkpoint
    accessibility: PRIVATE
    order_number: 1
    description: Stable Diffusion 1.5 base checkpoint
    labels:
      base_model: SD 1.5
  register: checkpoint

- name: Add a label and keep the others
  alicloud.pai.pai_model:
    workspace_id: "10001"
    name: sd15-checkpoint
    labels:
      reviewed: "yes"
    purge_labels: false

- name: Rename it by id
  alicloud.pai.pai_model:
    model_id: "{{ checkpoint.model.model_id }}"
    name: sd15-base-checkpoint

- name: Delete it, and its versions if it has any
  alicloud.pai.pai_model:
    model_id: "{{ checkpoint.model.model_id }}"
    state: absent
    force: true
"""

RETURN = r"""
model:
  description:
    - The model after the task, as PAI returns it; in check mode, the model the task would produce.
    - V(null) when O(state=absent).
  returned: always
  type: dict
  contains:
    model_id:
      description: The model id; V(null) in check mode before creation.
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
      sample: PRIVATE
    model_description:
      description: The description.
      type: str
    model_doc:
      description: The documentation URL.
      type: str
    model_type:
      description: The kind of model.
      type: str
      sample: Checkpoint
    origin:
      description: Where the model comes from.
      type: str
      sample: Civitai
    domain:
      description: The field the model works in.
      type: str
      sample: aigc
    task:
      description: The task the model solves.
      type: str
      sample: text-to-image-synthesis
    order_number:
      description: The sort number.
      type: int
      sample: 1
    parameter_size:
      description: The number of parameters, in millions.
      type: int
    provider:
      description: The provider of a public model, for example V(pai); empty for your own models.
      type: str
    extra_info:
      description: Free-form information, keys as stored.
      type: dict
    labels:
      description: The labels as a map of key to value.
      type: dict
      sample: {"base_model": "SD 1.5"}
    latest_version:
      description: The newest version of the model, if it has one.
      type: dict
    owner_id:
      description: The owning account.
      type: str
    user_id:
      description: The user who created the model.
      type: str
    gmt_create_time:
      description: When it was created (UTC, ISO 8601).
      type: str
      sample: "2021-01-30T12:51:33.028Z"
    gmt_modified_time:
      description: When it was last changed (UTC, ISO 8601).
      type: str
      sample: "2021-01-30T12:51:33.028Z"
    tags:
      description:
        - The tags as a map of key to value when PAI returned them (its lists do); V(null) when the model was read
          by id (GetModel returns no tags), as with O(model_id) or after an update, which is read back by id. The
          key is always there, so every lookup gives the same keys.
        - To read tags, use M(alicloud.pai.pai_model_info) without
          O(alicloud.pai.pai_model_info#module:model_ids).
      type: dict
    module_args:
      description:
        - The model as this module's own options, with every field PAI returned - O(name), O(workspace_id),
          O(accessibility), O(description), O(model_doc), O(model_type), O(origin), O(domain), O(task),
          O(order_number), O(parameter_size), O(extra_info) and O(labels) (as a map).
        - O(model_id) is left out, so that the same dict combined with another O(workspace_id) creates a copy.
        - Pass it as the task keyword C(args) of this module; unchanged, it finds the model by name and changes
          nothing.
      returned: always
      type: dict
      sample:
        name: sd15-checkpoint
        workspace_id: "10001"
        accessibility: PRIVATE
        description: Stable Diffusion 1.5 base checkpoint
        model_type: Checkpoint
        origin: Civitai
        domain: aigc
        task: text-to-image-synthesis
        order_number: 1
        labels: {"base_model": "SD 1.5"}
versions:
  description:
    - With O(state=absent), the names of the model's versions, deleted with it (O(force=true)); in check mode,
      those that would be deleted. The diff's C(before) lists them too.
  returned: when O(state=absent) and the model existed
  type: list
  elements: str
  sample: ["0.1.0", "0.2.0"]
diff:
  description:
    - What the task manages, before and after, as JSON text (indented by 4, keys sorted, non-ASCII text as
      written); an empty string for a model that does not exist. Use C(from_json) to read a side as data.
    - A create or update shows O(name), O(workspace_id), the fields the task sets, and the model id when it is
      known before the write (not for a create, where PAI chooses it), so check mode shows the same diff as the
      real run. A delete shows the id and every managed field, and with O(force=true) the versions deleted with
      the model.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: The model before the task, as JSON text.
      type: str
      sample: |
        {
            "labels": {
                "stage": "dev"
            },
            "model_id": "model-rbvg5wzljzjhxsks92",
            "model_name": "sd15-checkpoint",
            "workspace_id": "10001"
        }
    after:
      description: The model after the task, as JSON text.
      type: str
      sample: |
        {
            "labels": {
                "stage": "prod"
            },
            "model_id": "model-rbvg5wzljzjhxsks92",
            "model_name": "sd15-checkpoint",
            "workspace_id": "10001"
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
      sample: "201900002"
    message:
      description: The PAI error message.
      type: str
    request_id:
      description: The request id to give Alibaba Cloud support.
      type: str
"""

from ansible_collections.alicloud.pai.plugins.module_utils._model import Model
from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule


def main():
    module = PaiModule(
        dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            name=dict(type="str", aliases=["model_name"]),
            model_id=dict(type="str", aliases=["id"]),
            workspace_id=dict(type="str"),
            workspace=dict(type="str"),
            accessibility=dict(type="str", choices=["PUBLIC", "PRIVATE"]),
            description=dict(type="str", aliases=["model_description"]),
            model_doc=dict(type="str"),
            model_type=dict(type="str"),
            origin=dict(type="str"),
            domain=dict(type="str"),
            task=dict(type="str"),
            order_number=dict(type="int"),
            parameter_size=dict(type="int"),
            extra_info=dict(type="dict"),
            labels=dict(type="dict"),
            purge_labels=dict(type="bool", default=True),
            force=dict(type="bool", default=False),
        ),
        required_one_of=[("name", "model_id")],
        mutually_exclusive=[("workspace_id", "workspace")],
    )
    Model(module).run()


if __name__ == "__main__":
    main()
