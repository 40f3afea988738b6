# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# This module_utils file is PRIVATE to the alicloud.pai collection. It may change at any time.

"""The resource engine: present/absent for one PAI object described by data.

A resource module describes its object with a ``Resource`` subclass: which actions
read and write it, and a list of ``Field`` entries mapping each option to its API
field (updatable or not, how to normalise it for comparison). The engine finds the
current object (by id, or by exact name within a workspace), builds the desired API
fields from the options the user set, compares only those, and then creates,
updates, replaces or deletes, honouring check mode and returning ``diff`` only in
diff mode. Everything leaves through ``present()``, which masks secret values.

All comparison happens in API space (PascalCase field names, API value shapes), so
the request body, the predicted object and the diff come from the same data.
"""

import copy
import json

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiApiError, PaiConnectionError, PaiError

MASK = "********"


def text(value):
    """Strings compare with None and "" as the same (the API omits empty fields)."""
    return "" if value is None else str(value)


def integer(value):
    """Numbers compare as integers; an absent number is 0 (the API may omit zeros)."""
    return 0 if value in (None, "") else int(value)


def string_map(value):
    return dict((str(key), text(item)) for key, item in (value or {}).items())


def parse_json(value):
    """A JSON string as data; a string that is not JSON stays the string it is."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value) if value.strip() else {}
    except ValueError:
        return value


def data(value):
    """Free-form JSON data compares by content, not by key order (JSON strings are decoded first)."""
    return json.dumps(parse_json(value) or {}, sort_keys=True)


def snake_name(name):
    """``GmtCreateTime`` -> ``gmt_create_time``, as ansible-core converts AWS-style names."""
    return camel_dict_to_snake_dict({name: None}).popitem()[0]


def snake_keys(value, keep_keys):
    """Snake-case every key, except below the keys in ``keep_keys`` (user data keeps its keys).

    ``camel_dict_to_snake_dict``'s own ignore_list only applies at the top level.
    """
    if isinstance(value, dict):
        return dict((snake_name(key), item if key in keep_keys else snake_keys(item, keep_keys))
                    for key, item in value.items())
    if isinstance(value, list):
        return [snake_keys(item, keep_keys) for item in value]
    return value


def present_object(obj, keep_keys=(), secret_keys=()):
    """An API object as modules return it: snake_case keys, the maps in ``keep_keys`` with
    their keys untouched, every value of the maps in ``secret_keys`` masked."""
    obj = copy.deepcopy(obj)
    obj.pop("RequestId", None)
    for key in secret_keys:
        if isinstance(obj.get(key), dict):
            obj[key] = dict((name, MASK) for name in obj[key])
    return snake_keys(obj, keep_keys)


class Field(object):
    """One option of a resource module and the API field it sets.

    ``immutable`` fields cannot be changed in place (a difference fails the task, or
    replaces the object with ``force``); ``secret`` fields hold values that are masked
    in every output; ``to_api`` turns the option value into the API value and
    ``normalize`` turns an API value into something comparable with ``==``.
    """

    def __init__(self, option, api, immutable=False, secret=False, to_api=None, normalize=text):
        self.option = option
        self.api = api
        self.immutable = immutable
        self.secret = secret
        self.to_api = to_api or (lambda value: value)
        self.normalize = normalize


class Resource(object):
    """Base class of a resource description; ``run()`` is the whole engine."""

    result_key = None  # result key, e.g. "connection"
    kind = None  # what users call it, e.g. "connection"
    id_option = None  # option holding the object id, e.g. "connection_id"
    id_field = None  # API field of the id, e.g. "ConnectionId"
    name_field = None  # API field of the name, e.g. "ConnectionName"
    list_name_filter = None  # list query parameter filtering by name
    actions = {}  # "get", "list", "create", "update", "delete" -> action name
    fields = ()
    keep_keys = ()  # API fields whose values are user maps: their keys are never snake_cased

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.client = None
        self.applied = []  # the writes this task made, to report them if a later step fails

    # -- hooks a resource may override ---------------------------------------------------------------

    def validate(self):
        """Check the options before any request; call ``self.module.fail`` on bad input."""

    def read_query(self):
        """Extra query parameters for the reads that feed the comparison."""
        return {}

    def reads_plain_secrets(self):
        """Whether ``read_query`` returns secret values in plain text (else they cannot be compared)."""
        return False

    def check_current(self, current):
        """Called with the object found (or None) before anything is written."""

    def differs(self, field, current, desired):
        """Whether the user-set ``field`` needs a change."""
        return field.normalize(current.get(field.api)) != field.normalize(desired[field.api])

    def create_body(self, desired, current=None):
        """The create request body. When replacing ``current``, what the user did not set is carried over."""
        body = {}
        if current is not None:
            body = dict((field.api, current[field.api]) for field in self.fields if current.get(field.api) is not None)
        body.update(desired)
        return body

    def update_requests(self, current, desired, changed):
        """``(action, query, body)`` requests that bring ``current`` to ``desired`` for the ``changed`` fields."""
        body = dict((field.api, desired[field.api]) for field in changed)
        return [(self.actions["update"], None, body)]

    def after_write(self, obj):
        """Called with the object after it was created or updated (not in check mode)."""

    def present(self, obj):
        """The object as the module returns it: snake_case keys, user maps kept, secrets masked."""
        return present_object(obj, self.keep_keys, [field.api for field in self.fields if field.secret])

    # -- the engine ----------------------------------------------------------------------------------

    def run(self):
        try:
            if self.params.get(self.id_option) == "":
                self.module.fail("%s is empty; in check mode an object created by an earlier task has no id yet"
                                 % self.id_option)
            self.validate()
            self.client = self.module.client
            result = self.ensure()
        except PaiError as error:
            if self.applied:
                error.message = "%s (this task had already done: %s)" % (error.message, ", ".join(self.applied))
            self.module.fail_error(error, changed=bool(self.applied))
        self.module.exit(**result)

    def write(self, action, object_id=None, query=None, body=None):
        """Send a request that changes something, and remember that it did."""
        answer = self.client.call(action, self.path(object_id) if object_id else None, query, body)
        self.applied.append("%s %s" % (action, object_id or answer.get(self.id_field, "")))
        return answer

    def run_info(self, result_key, query, ids=None, name=None, keep=None):
        """The info module engine: the objects with ``ids`` (one read each) or else every listed
        object, narrowed to the exact ``name`` and to those ``keep`` accepts, then presented."""
        try:
            self.client = self.module.client
            if ids:
                found = [obj for obj in (self.get(object_id) for object_id in ids) if obj is not None]
            else:
                found = self.client.paginate(self.actions["list"], query)
            found = [self.present(obj) for obj in found
                     if (name is None or obj.get(self.name_field) == name) and (keep is None or keep(obj))]
        except PaiError as error:
            self.module.fail_error(error)
        self.module.exit(changed=False, **{result_key: found})

    def path(self, object_id):
        return {self.id_field: object_id}

    def get(self, object_id, query=None):
        try:
            obj = self.client.call(self.actions["get"], self.path(object_id), query)
        except PaiApiError as error:
            if error.is_not_found:
                return None
            raise
        self.hide_secrets(obj)
        return obj

    def find_by_name(self, name, workspace_id, query=None):
        """Objects with exactly this name in the workspace (the server filter is fuzzy)."""
        list_query = {"WorkspaceId": workspace_id, self.list_name_filter: name}
        list_query.update(query or {})
        matches = [item for item in self.client.paginate(self.actions["list"], list_query)
                   if item.get(self.name_field) == name]
        for item in matches:
            self.hide_secrets(item)
        return matches

    def find(self):
        """The current object or None: by id when given, else by exact name within the workspace."""
        object_id = self.params.get(self.id_option)
        if object_id:
            return self.get(object_id, self.read_query())
        matches = self.find_by_name(self.params["name"], self.params["workspace_id"], self.read_query())
        if len(matches) > 1:
            self.module.fail(
                "%d %ss are named %r in workspace %s: %s. Give %s to choose one."
                % (len(matches), self.kind, self.params["name"], self.params["workspace_id"],
                   ", ".join(item[self.id_field] for item in matches), self.id_option))
        return matches[0] if matches else None

    def hide_secrets(self, obj):
        """Mask every secret value read from the API in all output (the API's own masks excepted)."""
        for field in self.fields:
            if field.secret:
                for value in (obj.get(field.api) or {}).values():
                    if isinstance(value, str) and value.strip("*"):
                        self.module.hide(value)

    def desired(self, current):
        """The API fields the user set; ``current`` (None when absent) for options relative to it."""
        return dict((field.api, field.to_api(self.params[field.option]))
                    for field in self.fields if self.params.get(field.option) is not None)

    def ensure(self):
        current = self.find()
        self.check_current(current)
        if self.params["state"] == "absent":
            return self.ensure_absent(current)
        desired = self.desired(current)
        if current is None:
            if self.params.get(self.id_option):
                self.module.fail("%s %s does not exist; to create a %s, give name and workspace_id without %s"
                                 % (self.kind, self.params[self.id_option], self.kind, self.id_option))
            return self.finish(None, self.create(desired), desired)
        changed = [field for field in self.fields if field.api in desired and self.differs(field, current, desired)]
        immutable = [field for field in changed if field.immutable]
        if immutable and not self.params.get("force"):
            reasons = ["%s is %s, wanted %s" % (field.option, self.shown(field, current.get(field.api)),
                                                self.shown(field, desired[field.api])) for field in immutable]
            self.module.fail("%s %s cannot be changed in place: %s. Set force=true to delete and re-create it."
                             % (self.kind, current[self.id_field], "; ".join(reasons)),
                             **{self.result_key: self.present(current)})
        if immutable:
            return self.finish(current, self.replace(current, desired), desired, changed)
        if changed:
            return self.finish(current, self.update(current, desired, changed), desired, changed)
        return self.finish(current, current, desired)

    def shown(self, field, value):
        """A field value for a message, in the shape results show it."""
        if field.secret:
            return MASK
        shown = self.present({field.api: value}).get(snake_name(field.api))
        return json.dumps(shown, ensure_ascii=False, sort_keys=True)

    def ensure_absent(self, current):
        result = {"changed": current is not None, self.result_key: None}
        if current is not None and not self.module.check_mode:
            self.delete(current)
        if self.module.ansible._diff:
            result["diff"] = {"before": self.diff_view(current), "after": {}}
        return result

    def delete(self, current):
        """Delete ``current``; one that is already gone (a retried DELETE, say) counts as deleted."""
        try:
            self.write(self.actions["delete"], current[self.id_field])
        except PaiApiError as error:
            if not error.is_not_found:
                raise

    def reread(self, object_id):
        """The object as the API has it after this task wrote it."""
        obj = self.get(object_id)
        if obj is None:
            self.module.fail("%s %s was written, but reading it back found nothing; run the task again to check it"
                             % (self.kind, object_id), changed=True)
        return obj

    def predicted(self, current, desired):
        obj = copy.deepcopy(current) if current else {self.id_field: None}
        obj.update(copy.deepcopy(desired))
        return obj

    def create(self, desired, current=None):
        body = self.create_body(desired, current)
        if self.module.check_mode:
            return self.predicted(None, body)
        try:
            answer = self.write(self.actions["create"], body=body)
        except PaiConnectionError as error:
            if not error.request_sent:
                raise
            # The request may have been applied: adopt what it made rather than create twice.
            # Nothing of that name existed before (or it was the object being replaced, now deleted).
            replaced = current[self.id_field] if current else None
            matches = [item for item in self.find_by_name(body[self.name_field], body.get("WorkspaceId"))
                       if item[self.id_field] != replaced]
            if len(matches) > 1:
                raise
            if matches:
                self.module.ansible.warn("the %s response was lost; found the new %s %s by name and kept it"
                                         % (self.actions["create"], self.kind, matches[0][self.id_field]))
                self.applied.append("%s %s" % (self.actions["create"], matches[0][self.id_field]))
                answer = matches[0]
            else:
                answer = self.write(self.actions["create"], body=body)
        obj = self.reread(answer[self.id_field])
        self.after_write(obj)
        return obj

    def update(self, current, desired, changed):
        requests = self.update_requests(current, desired, changed)  # planned in check mode too (warnings)
        if self.module.check_mode:
            return self.predicted(current, dict((field.api, desired[field.api]) for field in changed))
        for action, query, body in requests:
            self.write(action, current[self.id_field], query, body)
        obj = self.reread(current[self.id_field])
        self.after_write(obj)
        return obj

    def replace(self, current, desired):
        """Delete, then create. Names need not be unique in PAI, but creating first would fail where they are."""
        if not self.module.check_mode:
            self.delete(current)
        return self.create(desired, current)

    # -- results -------------------------------------------------------------------------------------

    def diff_view(self, obj):
        """The managed fields of ``obj`` as the result shows them, ``{}`` when absent."""
        if obj is None:
            return {}
        shown = self.present(obj)
        keys = set(snake_name(name) for name in [self.id_field] + [field.api for field in self.fields])
        return dict((key, value) for key, value in shown.items() if key in keys)

    def finish(self, current, final, desired, changed=()):
        changed = list(changed) if current is not None else list(self.fields)
        result = {"changed": current is None or bool(changed), self.result_key: self.present(final)}
        if self.module.ansible._diff:
            before, after = self.diff_view(current), self.diff_view(final)
            for field in self.fields:
                if field.secret and field in changed and field.api in desired:
                    self.mark_secret_changes(field, current, desired, after)
            result["diff"] = {"before": before, "after": after}
        return result

    def mark_secret_changes(self, field, current, desired, after):
        """Say in the diff which secret keys were added or changed, without their values.

        A stored value that was not read in plain text cannot be compared: it is "(sent)".
        """
        old = (current or {}).get(field.api) or {}
        new = desired[field.api] or {}
        plain = self.reads_plain_secrets()

        def mark(name):
            if name not in old:
                return MASK + " (added)"
            if not plain:
                return MASK + " (sent)"
            return MASK if old[name] == new[name] else MASK + " (changed)"

        after[snake_name(field.api)] = dict((name, mark(name)) for name in new)
