# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""The PAI connection as the resource engine sees it; shared by pai_connection and pai_connection_info."""

import json

from ansible_collections.alicloud.pai.plugins.module_utils._resource import Field, Resource, data, parse_json, string_map, text

KNOWN_TYPES = (
    "DashScopeConnection", "OpenLLMConnection", "MilvusConnection", "OpenSearchConnection", "LindormConnection",
    "ElasticsearchConnection", "HologresConnection", "RDSConnection", "CustomConnection", "DeepSeekConnection",
    "FunctionAIMCPConnection", "CustomMCPConnection",
)
VALIDATABLE_TYPES = ("DashScopeConnection", "DeepSeekConnection", "FunctionAIMCPConnection", "CustomMCPConnection")

# model option -> API field; the SDK lists the last four (capabilities) for CreateConnection only, but the
# service stores them, so they are carried into every update and re-create body like any stored value
MODEL_FIELDS = (
    ("model", "Model"), ("display_name", "DisplayName"), ("model_type", "ModelType"), ("tool_call", "ToolCall"),
    ("max_model_length", "MaxModelLength"), ("support_reasoning", "SupportReasoning"),
    ("support_response_schema", "SupportResponseSchema"), ("support_vision", "SupportVision"),
)
CAPABILITY_FIELDS = ("MaxModelLength", "SupportReasoning", "SupportResponseSchema", "SupportVision")


def models_to_api(models):
    return [dict((api, entry[option]) for option, api in MODEL_FIELDS if entry.get(option) is not None)
            for entry in models]


def models_key(models):
    """Models compare as a set keyed by ``Model``; capabilities compare where they are set."""
    return sorted(json.dumps(dict(
        [("Model", text(entry.get("Model"))), ("DisplayName", text(entry.get("DisplayName"))),
         ("ModelType", text(entry.get("ModelType"))), ("ToolCall", bool(entry.get("ToolCall")))]
        + [(key, entry[key]) for key in CAPABILITY_FIELDS if entry.get(key) is not None]), sort_keys=True)
        for entry in models or [])


def is_mask(value):
    """A value made only of ``*``: what results, info modules and a service that hides secrets show."""
    return isinstance(value, str) and bool(value) and not value.strip("*")


def models_merged(current, desired):
    """The desired models, each completed with the stored sub-options the user did not give; a new model's
    ``ToolCall`` is PAI's default, false (sent, so that a check-mode diff shows what the service will store)."""
    stored = dict((entry.get("Model"), entry) for entry in current or [])
    merged = []
    for entry in desired:
        model = {"ToolCall": False}
        model.update(stored.get(entry["Model"], {}))
        model.update(entry)
        merged.append(model)
    return merged


def resource_meta_to_api(meta):
    api = {"InstanceId": meta.get("instance_id"), "InstanceName": meta.get("instance_name")}
    if meta.get("extra") is not None:
        api["Extra"] = json.dumps(meta["extra"], separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return dict((key, value) for key, value in api.items() if value is not None)


def models_from_api(models):
    return [dict((option, entry[api]) for option, api in MODEL_FIELDS if entry.get(api) is not None)
            for entry in models]


def resource_meta_from_api(meta):
    options = {"instance_id": meta.get("InstanceId"), "instance_name": meta.get("InstanceName"),
               "extra": parse_json(meta.get("Extra"))}
    return dict((key, value) for key, value in options.items() if value not in (None, "", {}))


def resource_meta_key(meta):
    meta = meta or {}
    return text(meta.get("InstanceId")), text(meta.get("InstanceName")), data(meta.get("Extra"))


class Connection(Resource):
    result_key = kind = "connection"
    plural = "connections"
    id_option = "connection_id"
    id_field = "ConnectionId"
    name_field = "ConnectionName"
    list_name_filter = "ConnectionName"
    actions = {"get": "GetConnection", "list": "ListConnections", "create": "CreateConnection",
               "update": "UpdateConnection", "delete": "DeleteConnection"}
    keep_keys = ("Configs", "Secrets", "Extra")
    fields = (
        Field("name", "ConnectionName", immutable=True, identity=True),
        Field("workspace_id", "WorkspaceId", immutable=True, identity=True),
        Field("connection_type", "ConnectionType", immutable=True),
        Field("accessibility", "Accessibility", immutable=True),
        Field("resource_meta", "ResourceMeta", immutable=True, to_api=resource_meta_to_api,
              from_api=resource_meta_from_api, normalize=resource_meta_key),
        Field("description", "Description"),
        Field("configs", "Configs", normalize=string_map),
        Field("models", "Models", to_api=models_to_api, from_api=models_from_api, normalize=models_key),
        Field("secrets", "Secrets", secret=True, normalize=string_map),
    )

    def __init__(self, module, params=None):
        super(Connection, self).__init__(module, params)
        self.plain_secrets = None  # the stored secrets in plain text, once read for an update or re-creation
        self.plain_unavailable = False

    def validate(self):
        params = self.params
        if not params["connection_id"] and not params["workspace_id"] and not params.get("workspace"):
            self.module.fail("workspace_id or workspace is required to find a connection by name (or give "
                             "connection_id)")
        for option in ("configs", "secrets"):
            for key, value in (params[option] or {}).items():
                if not isinstance(value, str):
                    self.module.fail("%s.%s must be a string, got %s; quote the value in YAML"
                                     % (option, key, type(value).__name__))
        masks = sorted(key for key, value in (params["secrets"] or {}).items() if is_mask(value))
        if masks:
            self.module.fail("%s %s a mask (only '*'), as results, module_args and pai_connection_info show stored "
                             "secrets; give the real value%s (a copy of a connection must supply its secrets). A mask "
                             "is never sent" % (" and ".join("secrets." + key for key in masks),
                                                "is" if len(masks) == 1 else "are", "" if len(masks) == 1 else "s"))
        for key, value in (params["secrets"] or {}).items():
            if 0 < len(value) < 6:
                self.module.warn("secrets.%s is shorter than 6 characters: Ansible hides every occurrence of a "
                                 "secret value in the task's output, so unrelated text that contains it will show "
                                 "masked; use a longer secret" % key)
        names = [entry["model"] for entry in params["models"] or []]
        duplicates = sorted(set(name for name in names if names.count(name) > 1))
        if duplicates:
            self.module.fail("models lists the same model more than once: %s" % ", ".join(duplicates))
        kind = params["connection_type"]
        if kind and kind not in KNOWN_TYPES:
            self.module.warn("connection_type %r is not one of the known types (%s); sending it as given"
                             % (kind, ", ".join(KNOWN_TYPES)))
        if params["validate"] and kind and kind not in VALIDATABLE_TYPES:
            self.module.fail("validate=true is only possible for connection_type %s, not %s"
                             % (", ".join(VALIDATABLE_TYPES), kind))

    def read_query(self, plain=False):
        # Plain text only when asked for (by id, for the one connection changed); otherwise ciphertext.
        return {"EncryptOption": "PlainText" if plain else "Secret"}

    def compares_secrets(self):
        return (self.params["state"] == "present" and self.params["secrets"] is not None
                and self.params["update_secrets"] == "on_change" and not self.plain_unavailable)

    def desired(self, current):
        """Sub-options the user did not give (of resource_meta, of each model) keep their stored values;
        with update_secrets=on_create, the secrets of an existing connection are not touched."""
        desired = super(Connection, self).desired(current)
        if "Models" in desired:
            desired["Models"] = models_merged((current or {}).get("Models"), desired["Models"])
        if current is not None:
            if self.params["update_secrets"] == "on_create":
                desired.pop("Secrets", None)
            if "ResourceMeta" in desired:
                desired["ResourceMeta"] = dict(current.get("ResourceMeta") or {}, **desired["ResourceMeta"])
        return desired

    def check_current(self, current):
        if current is None and self.params["state"] == "present" and not self.params["connection_id"]:
            missing = [option for option in ("name", "connection_type") if not self.params[option]]
            if missing:
                self.module.fail("%s %s required to create connection %r in workspace %s" % (
                    " and ".join(missing), "is" if len(missing) == 1 else "are", self.params["name"],
                    self.params["workspace_id"]))
        if (current is not None and self.params["state"] == "present" and self.params["validate"]
                and (self.params["connection_type"] or current.get("ConnectionType")) not in VALIDATABLE_TYPES):
            self.module.fail("validate=true is only possible for connection_type %s, not %s"
                             % (", ".join(VALIDATABLE_TYPES), current.get("ConnectionType")))

    def differs(self, field, current, desired):
        if field.api == "Secrets":
            if self.params["update_secrets"] == "always":
                return True
            if any(is_mask(value) for value in (current.get("Secrets") or {}).values()):
                self.plain_unavailable = True
                self.module.warn("PAI did not return the secrets of connection %s in plain text, so they cannot be "
                                 "compared; the secrets given are sent on every run (update_secrets=on_create "
                                 "avoids that)" % current["ConnectionId"])
                return True
        return super(Connection, self).differs(field, current, desired)

    def stored_secrets(self, current):
        """The stored secrets in plain text, to send them again in a complete update or re-create body: read
        by id for this connection only. Where PAI does not give plain text, nothing that could clear them is
        sent: the task fails before any write."""
        if self.plain_secrets is None:
            stored = current.get("Secrets") or {}
            if stored and not self.compares_secrets():
                stored = (self.get(current["ConnectionId"], self.read_query(plain=True)) or {}).get("Secrets") or {}
            unreadable = sorted(key for key, value in stored.items() if is_mask(value))
            if unreadable:
                self.fail("connection %s has stored secrets (%s) that PAI did not return in plain text; changing the "
                          "connection without them could clear them, so nothing was changed. Give every secret in "
                          "the task (secrets, with update_secrets on_change or always)"
                          % (current["ConnectionId"], ", ".join(unreadable)))
            self.plain_secrets = stored
        return self.plain_secrets

    def replace(self, current, desired):
        # Secrets the task does not give are carried over, read in plain text by id, for this only.
        if "Secrets" not in desired:
            current = dict(current, Secrets=self.stored_secrets(current))
        return super(Connection, self).replace(current, desired)

    def create_body(self, desired, current=None):
        body = super(Connection, self).create_body(desired, current)
        if isinstance(body.get("ResourceMeta"), dict):
            body["ResourceMeta"] = dict((key, value) for key, value in body["ResourceMeta"].items() if value)
        body.setdefault("Configs", {})  # required by CreateConnection, even when empty
        return body

    def update_body(self, current, desired):
        """Configs, description, every model (capabilities included) and the secrets, always complete."""
        body = super(Connection, self).update_body(current, desired)
        body.setdefault("Configs", {})
        body.setdefault("Models", [])
        if "Secrets" not in desired:
            body["Secrets"] = self.stored_secrets(current)
        return body

    def after_write(self, obj):
        if not self.params["validate"]:
            return
        answer = self.client.call("ValidateConnection", body={
            "WorkspaceId": obj["WorkspaceId"], "ConnectionId": obj["ConnectionId"],
            "ConnectionType": obj["ConnectionType"], "ValidateType": "Connectivity"})
        if answer.get("Status") != "success":
            self.fail("connection %s failed validation: %s: %s (request id %s)"
                      % (obj["ConnectionId"], answer.get("Code"), answer.get("Message"), answer.get("RequestId")),
                      validation=dict((key.lower(), answer.get(key)) for key in ("Status", "Code", "Message", "Details")),
                      connection=self.present(obj), changed=True)

    def present(self, obj):
        """``ResourceMeta.Extra`` decoded from its JSON string."""
        obj = dict(obj)
        if isinstance(obj.get("ResourceMeta"), dict) and "Extra" in obj["ResourceMeta"]:
            obj["ResourceMeta"] = dict(obj["ResourceMeta"], Extra=parse_json(obj["ResourceMeta"]["Extra"]))
        return super(Connection, self).present(obj)
