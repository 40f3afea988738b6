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
import re
import time

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


def labels_to_api(labels):
    """A label dict as the API's ``[{Key, Value}]`` list."""
    return [{"Key": key, "Value": value} for key, value in labels.items()]


def labels_map(labels):
    """``[{Key, Value}]`` as a dict (the API keeps one value per key)."""
    return dict((entry.get("Key"), entry.get("Value")) for entry in labels or [])


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


_SNAKE_NAMES = {}


def snake_name(name):
    """``GmtCreateTime`` -> ``gmt_create_time``, as ansible-core converts AWS-style names.

    Each name is converted once per run: the conversion is three regular expressions, and a list of thousands of
    objects repeats the same few dozen names."""
    try:
        return _SNAKE_NAMES[name]
    except KeyError:
        snake = _SNAKE_NAMES[name] = camel_dict_to_snake_dict({name: None}).popitem()[0]
        return snake


def plain_copy(value):
    """A copy of JSON data, dicts and lists copied all the way down (``copy.deepcopy`` does the same, slowly)."""
    if isinstance(value, dict):
        return {key: plain_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_copy(item) for item in value]
    return value


def snake_keys(value, keep_keys):
    """A copy of ``value`` with every key snake-cased, except below the keys in ``keep_keys`` (user data keeps
    its keys).

    ``camel_dict_to_snake_dict``'s own ignore_list only applies at the top level.
    """
    if isinstance(value, dict):
        return {snake_name(key): plain_copy(item) if key in keep_keys else snake_keys(item, keep_keys)
                for key, item in value.items()}
    if isinstance(value, list):
        return [snake_keys(item, keep_keys) for item in value]
    return value


def present_object(obj, keep_keys=(), secret_keys=()):
    """An API object as modules return it, a copy sharing nothing with ``obj``: snake_case keys, the maps in
    ``keep_keys`` with their keys untouched, every value of the maps in ``secret_keys`` masked."""
    obj = dict(obj)
    obj.pop("RequestId", None)
    for key in secret_keys:
        if isinstance(obj.get(key), dict):
            obj[key] = dict.fromkeys(obj[key], MASK)
    return snake_keys(obj, keep_keys)


class Field(object):
    """One option of a resource module and the API field it sets.

    ``immutable`` fields cannot be changed in place (a difference fails the task, or
    replaces the object with ``force``); ``identity`` fields (name, workspace) must agree
    with an object found by id; ``secret`` fields hold values that are masked in every
    output; ``labels`` marks the key/value list written through the label actions
    instead of the update action; ``action`` names the action (a key of the resource's
    ``actions``) that changes this field alone, instead of the update action (a workspace's
    resource group); ``to_api`` turns the option value into the API value, ``from_api`` an API value back
    into the option value (for ``module_args`` in results), and ``normalize`` turns an API value into
    something comparable with ``==``.
    """

    def __init__(self, option, api, immutable=False, identity=False, secret=False, labels=False, to_api=None,
                 from_api=None, normalize=text, action=None):
        self.option = option
        self.api = api
        self.action = action
        self.immutable = immutable
        self.identity = identity
        self.secret = secret
        self.labels = labels
        self.to_api = to_api or (lambda value: value)
        self.from_api = from_api or (labels_map if labels else lambda value: value)
        self.normalize = normalize


class LostAnswer(PaiError):
    """A write whose answer never came: it may or may not have been applied."""

    def __init__(self, error):
        super(LostAnswer, self).__init__(error.message)
        self.error = error


def maybe_applied(error):
    """Whether a failed write may still have changed something (its answer was lost, or the server broke)."""
    if isinstance(error, PaiConnectionError):
        return error.request_sent
    return (isinstance(error, PaiApiError) and (error.http_status or 0) >= 500 and error.http_status != 503
            and error.code != "ServiceUnavailable")


# ids go into URL paths: letters, digits, "-" and "_" only, so "..", "/" or "?" can never reach another path
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")
UPDATE_ROUNDS = 3
RECOVERY_POLL_CAP = 4.0
STATUS_POLL_CAP = 10.0


class Resource(object):
    """Base class of a resource description; ``run()`` is the whole engine.

    Data-safety rules kept here for every resource (DESIGN section 7): a create that may
    have reached the service is never sent again; every identity the task gives agrees
    before any write; update bodies are complete (stored values with the desired ones
    over them); every write is verified by reading the object back; a lost answer is
    settled by reading back; ``changed`` is true whenever a write may have been applied.
    """

    result_key = None  # result key, e.g. "connection"
    kind = None  # what users call it, e.g. "connection"
    id_option = None  # option holding the object id, e.g. "connection_id"
    id_field = None  # API field of the id, e.g. "ConnectionId"
    id_pattern = ID_PATTERN  # what an id looks like, checked before any request
    id_rule = "ids hold only letters, digits, '-' and '_'"  # the pattern in words, for the error message
    id_settable = False  # whether a create may choose the id (a version name), so a task may create by id
    name_field = None  # API field of the name, e.g. "ConnectionName"
    lookup_field = None  # API field that finds the object among its siblings without an id; default name_field
    list_name_filter = None  # list query parameter filtering by the lookup field on the server (fuzzy), if any
    # the Resource class this one lives in (a model version's model): its id is part of every path, and
    # ``parent_options`` maps the parent's options to this module's (to find the parent by name)
    parent = None
    parent_options = {}
    plural = None  # result and diff key of these objects when they live in one being deleted ("versions")
    # whether an immutable change may replace the object (delete, then create) with ``force``; if not, why
    replaceable = True
    not_replaceable_reason = ""
    # asynchronous objects (a workspace): the API field of their status, the statuses meaning ready and failed;
    # creates wait until ready and deletes until gone, as the options ``wait`` and ``wait_timeout`` say
    status_field = None
    ready_statuses = ()
    failed_statuses = ()
    pending_statuses = ()  # an existing object in one of these is waited for too (one in another status is not)
    parent_missing_codes = ()  # error codes of a read that mean the parent does not exist
    # error codes besides the generic ones (HTTP 409, "already exists") that mean a create was refused because
    # the name is taken, and what to tell the user when no object of the name can be found
    conflict_codes = ()
    conflict_hint = ""
    workspace_scoped = True  # whether the option ``workspace`` (a name) stands for ``workspace_id``
    # "get", "list", "create", "update", "delete" (and "create_labels", "delete_labels") -> action name
    actions = {}
    fields = ()
    keep_keys = ()  # API fields whose values are user maps: their keys are never snake_cased

    def __init__(self, module, params=None):
        self.module = module
        self.params = module.params if params is None else params
        self.client = None
        self.scope = {}  # the path parameters of the parent; None when the parent does not exist
        self.parent_where = ""  # "model model-1", in messages
        self.applied = []  # the writes this task made (or may have made), to report them if a later step fails
        self.at_risk = []  # stored values a later write was meant to restore, named if that write fails
        self.sleep = time.sleep
        self.clock = time.monotonic

    # -- hooks a resource may override ---------------------------------------------------------------

    def validate(self):
        """Check the options before any request; call ``self.module.fail`` on bad input."""

    def read_query(self, plain=False):
        """Query parameters of every read; ``plain`` asks for secret values in plain text (by id only)."""
        return {}

    def compares_secrets(self):
        """Whether the task compares stored secret values (which needs one plain-text read by id)."""
        return False

    def check_current(self, current):
        """Called with the object found (or None) before anything is written."""

    def child_kinds(self):
        """Descriptions of the kinds of objects living in this one (a model's versions; a workspace's connections
        and models). Deleting this object deletes them only with ``force``: without it, the task fails naming
        them, whether the service would delete them along or refuse."""
        return ()

    def differs(self, field, current, desired):
        """Whether the user-set ``field`` needs a change."""
        return field.normalize(current.get(field.api)) != field.normalize(desired[field.api])

    def create_body(self, desired, current=None):
        """The create request body. When re-creating ``current``, every stored value the user did not set is
        carried over."""
        body = {}
        if current is not None:
            body = dict((field.api, current[field.api]) for field in self.fields if current.get(field.api) is not None)
        body.update(desired)
        return body

    def update_body(self, current, desired):
        """The complete update body: every stored updatable value, with the desired ones over it, so that a
        service which clears omitted fields loses nothing."""
        body = {}
        for field in self.updatable_fields():
            value = desired.get(field.api, current.get(field.api))
            if value is not None:
                body[field.api] = value
        return body

    def after_write(self, obj):
        """Called with the object after it was created or updated (not in check mode)."""

    def from_api(self, obj):
        """An object as read (by id or in a list), with the API's quirks smoothed for comparison."""
        return obj

    def action_body(self, field, object_id, value):
        """The body of the request that changes ``field`` alone (see ``Field.action``)."""
        raise NotImplementedError(field.action)

    def present(self, obj):
        """The object as the module returns it: snake_case keys, user maps kept, secrets masked, labels as a
        map, the parent's id (a model version's ``model_id``), which the API leaves out, and ``module_args``."""
        obj = dict(self.scope or {}, **obj)
        args = self.module_args(obj)
        for field in self.fields:
            if field.labels and isinstance(obj.get(field.api), list):
                obj[field.api] = labels_map(obj[field.api])
        shown = present_object(obj, self.keep_keys, [field.api for field in self.fields if field.secret])
        shown["module_args"] = args
        return shown

    def module_args(self, obj):
        """The object as this module's own options (the parent's id, the id when a create may choose it, every
        field PAI returned), so that a result or an info item fed back as ``args`` finds the object and changes
        nothing. Secret values are masks, which every module refuses as input: a copy must supply them. An empty
        secret map is left out (giving it would make the task read secrets in plain text to compare nothing)."""
        args = {}
        if self.parent is not None and obj.get(self.parent.id_field) is not None:
            args[self.parent.id_option] = obj[self.parent.id_field]
        for field in self.fields:
            value = obj.get(field.api)
            if value is None or (field.secret and not value):
                continue
            args[field.option] = dict((key, MASK) for key in value) if field.secret else field.from_api(value)
        return args

    # -- the engine ----------------------------------------------------------------------------------

    def run(self):
        try:
            self.validate_identity_options()
            self.validate()
            self.client = self.module.client
            self.resolve_workspace()
            self.resolve_scope()
            result = self.ensure()
        except PaiError as error:
            error = getattr(error, "error", error)
            error.message += self.outcome()
            self.module.fail_error(error, changed=bool(self.applied))
        self.module.exit(**result)

    def validate_identity_options(self):
        """Every id the task gives (the parent's too) is checked before any request: ids go into URL paths."""
        described = [self] + ([self.parent(self.module, self.parent_params())] if self.parent else [])
        for resource in described:
            object_id = self.params.get(resource.id_option)
            if object_id is None:
                continue
            if object_id == "":
                self.module.fail("%s is empty; in check mode an object created by an earlier task has no id yet"
                                 % resource.id_option)
            if not resource.id_pattern.match(object_id):
                self.module.fail("%s %r is not a %s id: %s" % (resource.id_option, object_id, resource.kind,
                                                               resource.id_rule))

    def resolve_workspace(self, info=False):
        """The option ``workspace`` (a name) as ``workspace_id``: one list of workspaces by name, exact matches
        only. No such workspace: nothing to delete with ``state=absent``, an error listing the workspaces
        otherwise; several: an error listing their ids."""
        name = self.params.get("workspace")
        if not self.workspace_scoped or name is None:
            return
        query = {"WorkspaceName": name}
        matches = [item for item in self.client.paginate("ListWorkspaces", query) if item.get("WorkspaceName") == name]
        if len(matches) == 1:
            self.params["workspace_id"] = matches[0]["WorkspaceId"]
            return
        if not matches and not info and (self.params.get("state") == "absent" or self.module.check_mode):
            self.scope = None  # nothing can exist in it (in check mode, an earlier task may create it)
            self.parent_where = "no workspace named %r" % name
            return
        if matches:
            self.fail("%d workspaces are named %r: %s; give workspace_id instead"
                      % (len(matches), name, ", ".join(item["WorkspaceId"] for item in matches)))
        known = ["%s (%s)" % (item.get("WorkspaceName"), item.get("WorkspaceId"))
                 for item in self.client.paginate("ListWorkspaces", {})]
        self.fail("no workspace is named %r; the workspaces are: %s" % (name, ", ".join(known) or "none"))

    def parent_params(self):
        """The options of this task as the parent's description reads them (``model_name`` as ``name``)."""
        params = dict(self.params)
        for parent_option, option in self.parent_options.items():
            params[parent_option] = self.params.get(option)
        return params

    def resolve_scope(self):
        """Find the parent and put its id in every path: by id alone, no request; by name, one list; by id with
        other identities (a workspace), one read to check them. ``scope`` is None when no such parent exists."""
        if self.parent is None or self.scope is None:
            return
        parent = self.parent(self.module, self.parent_params())
        parent.client = self.client
        parent_id = parent.params.get(parent.id_option)
        identities = [field for field in parent.fields if field.identity and parent.params.get(field.option)]
        if not parent_id or identities:
            # by name; or by id with other identities (a workspace from module_defaults), which must agree
            found = parent.find()
            parent.check_identity(found)
            if found is None:
                self.scope = None
                self.parent_where = "no %s %s" % (parent.kind, parent_id or parent.where(parent.lookup_body()))
                return
            parent_id = found[parent.id_field]
        self.scope = parent.path(parent_id)
        self.parent_where = "%s %s" % (parent.kind, parent_id)

    def outcome(self):
        """What a failure message adds: the writes already done (or maybe done) and what may be lost."""
        notes = []
        if self.applied:
            notes.append("this task had already done: %s" % ", ".join(self.applied))
        if self.at_risk:
            notes.append("may be lost: %s" % "; ".join(self.at_risk))
        return " (%s)" % "; ".join(notes) if notes else ""

    def fail(self, msg, **result):
        """Fail the task; ``changed`` is true when a write of this task may have been applied."""
        result.setdefault("changed", bool(self.applied))
        self.module.fail(msg + self.outcome(), **result)

    def write(self, action, object_id=None, query=None, body=None):
        """Send a request that changes something, and remember that it did (or may have)."""
        what = "%s %s" % (action, object_id or "")
        try:
            answer = self.client.call(action, self.path(object_id) if object_id else self.scope or None, query, body)
        except PaiError as error:
            if maybe_applied(error):
                self.applied.append("%s (answer lost, may have been applied)" % what.strip())
                raise LostAnswer(error)
            raise
        self.applied.append(what.strip() if object_id else "%s %s" % (action, answer.get(self.id_field, "")))
        return answer

    def run_info(self, result_key, query, ids=None, name=None, keep=None):
        """The info module engine: the objects with ``ids`` (one read each) or else every listed
        object, narrowed to the exact ``name`` and to those ``keep`` accepts, then presented."""
        try:
            if callable(ids):  # ids that need the API (the default workspace)
                self.client = self.module.client
                ids = [object_id for object_id in ids() if object_id]
            for object_id in ids or ():
                if not self.id_pattern.match(object_id):
                    self.module.fail("%r is not a %s id: %s" % (object_id, self.kind, self.id_rule))
            self.validate_identity_options()
            self.client = self.module.client
            self.resolve_workspace(info=True)
            if "WorkspaceId" in query and self.params.get("workspace_id"):
                query["WorkspaceId"] = self.params["workspace_id"]
            self.resolve_scope()
            found = []
            if self.scope is not None and ids:
                found = [obj for obj in (self.get(object_id) for object_id in ids) if obj is not None]
            elif self.scope is not None:
                try:
                    found = [self.from_api(item) for item in self.client.paginate(self.actions["list"], query,
                                                                                  self.scope or None)]
                except PaiApiError as error:
                    if not (self.scope and error.is_not_found):
                        raise  # only a parent that does not exist means "nothing to list"
            found = [self.present(obj) for obj in found
                     if (name is None or obj.get(self.name_field) == name) and (keep is None or keep(obj))]
        except PaiError as error:
            self.module.fail_error(error)
        self.module.exit(changed=False, **{result_key: found})

    def path(self, object_id):
        return dict(self.scope or {}, **{self.id_field: object_id})

    def updatable_fields(self):
        return [field for field in self.fields if not field.immutable and not field.labels and not field.action]

    def get(self, object_id, query=None):
        """The object, or None when it does not exist; when the service says its parent does not exist (a model
        version's model), ``scope`` becomes None too."""
        try:
            obj = self.client.call(self.actions["get"], self.path(object_id), query or self.read_query())
        except PaiApiError as error:
            if error.code in self.parent_missing_codes and not self.applied:
                self.parent_where = "no %s %s" % (self.parent.kind, ", ".join(self.scope.values()))
                self.scope = None
            if error.is_not_found:
                return None
            raise
        self.hide_secrets(obj)
        return self.from_api(obj)

    def lookup(self):
        """The API field that finds the object among its siblings without an id (its name), and its option."""
        field = self.lookup_field or self.name_field
        return field, [item.option for item in self.fields if item.api == field][0]

    def lookup_body(self):
        """The task's lookup value (and workspace) in API space, as a create body carries them."""
        field, option = self.lookup()
        body = {field: self.params.get(option)}
        body.update((item.api, self.params.get(item.option)) for item in self.fields if item.api == "WorkspaceId")
        return body

    def where(self, body):
        """``named 'x' in workspace 10001``, ``with uri 'oss://...' in model model-1``: how the objects like
        ``body`` are looked for, in words."""
        field, option = self.lookup()
        if self.id_settable and body.get(self.id_field):
            field = self.id_field
        place = ("workspace %s" % body["WorkspaceId"]) if "WorkspaceId" in body else self.parent_where
        named = "named" if field == self.name_field else "with %s" % option
        return "%s %r%s" % (named, body[field], " in " + place if place else "")

    def find_matches(self, body):
        """Objects whose lookup field (the name) equals ``body``'s, in its workspace (the server filter, if
        any, is fuzzy), oldest first. Lists never ask for plain-text secrets."""
        field = self.lookup()[0]
        query = {"SortBy": "GmtCreateTime", "Order": "ASC"}
        if "WorkspaceId" in body:
            query["WorkspaceId"] = body["WorkspaceId"]
        if self.list_name_filter:
            query[self.list_name_filter] = body[field]
        query.update(self.read_query())
        try:
            listed = self.client.paginate(self.actions["list"], query, self.scope or None)
            matches = [self.from_api(item) for item in listed if item.get(field) == body[field]]
        except PaiApiError as error:
            if error.code not in self.parent_missing_codes or self.applied:
                raise
            self.parent_where = "no %s %s" % (self.parent.kind, ", ".join(self.scope.values()))
            self.scope = None
            return []
        for item in matches:
            self.hide_secrets(item)
        return matches

    def siblings(self, body, replaced=None):
        """The objects a create with ``body`` may have made: the one of its id when the create names it (a
        version name), else those with its name, the replaced object excepted."""
        if self.id_settable and body.get(self.id_field):
            found = self.get(body[self.id_field])
            return [found] if found is not None else []
        return [item for item in self.find_matches(body) if item[self.id_field] != replaced]

    def find(self):
        """The current object or None: by id when given, else by exact name (lookup field) within the workspace.
        Plain-text secrets, when compared, are read by id for the one object found."""
        object_id = self.params.get(self.id_option)
        if object_id:
            return self.get(object_id, self.read_query(plain=self.compares_secrets()))
        body = self.lookup_body()
        matches = self.find_matches(body)
        if len(matches) > 1:
            self.module.fail("%d %ss %s: %s. Give %s to choose one."
                             % (len(matches), self.kind, self.where(body),
                                ", ".join(item[self.id_field] for item in matches), self.id_option))
        return self.read_current(matches[0]) if matches else None

    def read_current(self, listed):
        """A listed object as the comparison needs it: read again by id, in plain text, only when secrets are
        compared (lists never carry plain text)."""
        if not self.compares_secrets():
            return listed
        return self.get(listed[self.id_field], self.read_query(plain=True)) or listed

    def check_identity(self, current):
        """An object found by id must be the one the task's name and workspace name too: no write may touch
        an object the task did not identify."""
        if current is None or not self.params.get(self.id_option):
            return
        problems = []
        for field in self.fields:
            given = self.params.get(field.option)
            if not field.identity or given is None or text(given) == text(current.get(field.api)):
                continue
            if self.params["state"] == "present" and not field.immutable:
                continue  # an updatable name given with the id is a rename
            problems.append("%s is %r, the task says %r" % (field.option, current.get(field.api), given))
        if problems:
            self.fail("%s %s does not match the task: %s. Nothing was changed; give only %s, or the "
                      "object's own values" % (self.kind, current[self.id_field], "; ".join(problems), self.id_option))

    def hide_secrets(self, obj):
        """Mask every secret value read from the API in all output (the API's own masks excepted)."""
        for field in self.fields:
            if field.secret:
                for value in (obj.get(field.api) or {}).values():
                    if isinstance(value, str) and value.strip("*"):
                        self.module.hide(value)

    def desired(self, current):
        """The API fields the user set; ``current`` (None when absent) for options relative to it. Labels are
        the stored ones plus those given when ``purge_labels`` is false."""
        desired = dict((field.api, field.to_api(self.params[field.option]))
                       for field in self.fields if self.params.get(field.option) is not None)
        for field in self.fields:
            if field.labels and field.api in desired and current is not None and not self.params["purge_labels"]:
                merged = labels_map(current.get(field.api))
                merged.update(labels_map(desired[field.api]))
                desired[field.api] = labels_to_api(merged)
        return desired

    def ensure(self):
        current = self.find() if self.scope is not None else None
        if self.scope is None:
            return self.ensure_without_parent()
        self.check_identity(current)
        self.check_current(current)
        if self.params["state"] == "absent":
            return self.ensure_absent(current)
        desired = self.desired(current)
        if current is None:
            if self.params.get(self.id_option) and not self.id_settable:
                self.module.fail("%s %s does not exist; to create a %s, give name and workspace_id without %s"
                                 % (self.kind, self.params[self.id_option], self.kind, self.id_option))
            created = self.create(desired)
            if created.get("adopted"):
                return self.ensure_existing(created["object"], self.desired(created["object"]), adopted=True)
            return self.finish(None, created["object"], desired)
        return self.ensure_existing(current, desired)

    def ensure_without_parent(self):
        """The parent (a workspace, a model) does not exist: nothing to delete; nothing can be created in it, except
        in check mode, where an earlier task of the play may create the parent: the create is predicted."""
        if self.params["state"] == "absent":
            return {"changed": False, self.result_key: None}
        if not self.module.check_mode:
            self.fail("%s exists, so the %s cannot be created" % (self.parent_where, self.kind))
        self.check_current(None)
        self.module.warn("%s exists; check mode predicts the %s as if an earlier task created it, but a real run "
                         "fails unless one does" % (self.parent_where, self.kind))
        desired = self.desired(None)
        return self.finish(None, self.create(desired)["object"], desired)

    def ensure_existing(self, current, desired, adopted=False):
        current = self.await_ready(current, created=adopted)
        changed = [field for field in self.fields if field.api in desired and self.differs(field, current, desired)]
        immutable = [field for field in changed if field.immutable]
        if immutable and not (self.params.get("force") and self.replaceable):
            reasons = ["%s is %s, wanted %s" % (field.option, self.shown(field, current.get(field.api)),
                                                self.shown(field, desired[field.api])) for field in immutable]
            if not self.replaceable:
                advice = " " + self.not_replaceable_reason
            else:
                advice = " Set force=true to delete and re-create it." if "force" in self.params else ""
            self.fail("%s %s cannot be changed in place: %s.%s"
                      % (self.kind, current[self.id_field], "; ".join(reasons), advice),
                      **{self.result_key: self.present(current)})
        if immutable:
            final = self.replace(current, desired)
        elif changed:
            final = self.update(current, desired, changed)
        else:
            final = current
        result = self.finish(current, final, desired, changed)
        if adopted:  # the object did not exist when the task started
            result["changed"] = True
            if "diff" in result:
                result["diff"]["before"] = ""
        return result

    def shown(self, field, value):
        """A field value for a message, in the shape results show it."""
        if field.secret:
            return MASK
        shown = self.present({field.api: value}).get(snake_name(field.api))
        return json.dumps(shown, ensure_ascii=False, sort_keys=True)

    def ensure_absent(self, current):
        result = {"changed": current is not None, self.result_key: None}
        contents = self.contents(current) if current is not None else []
        found = ["%d %s%s: %s" % (len(items), child.kind, "" if len(items) == 1 else "s",
                                  ", ".join(child.label(item) for item in items)) for child, items in contents if items]
        if found and not self.params.get("force"):
            self.fail("%s %s still has %s. Nothing was deleted; delete them first, or set force=true to delete them "
                      "with it" % (self.kind, current[self.id_field], "; ".join(found)))
        for child, items in contents:
            result[child.plural] = [child.label(item) for item in items]
        if current is not None and not self.module.check_mode:
            self.delete_tree(current, contents)
        if self.module.ansible._diff:
            before = self.diff_view(current)
            before.update((child.plural, result[child.plural]) for child, items in contents if items)
            result["diff"] = self.diff(before, {})
        return result

    def contents(self, current):
        """``[(description, objects)]``: the objects living in ``current``, one list (every page) per kind. A
        child kind addressed under this one's path (a model's versions) gets the id in its path, the others
        (a workspace's connections) in the list query."""
        contents = []
        for child in self.child_kinds():
            child.client, child.applied = self.client, self.applied
            query = dict(child.read_query())
            if child.parent is not None:
                child.scope = self.path(current[self.id_field])
            else:
                query[self.id_field] = current[self.id_field]
            child.parent_where = "%s %s" % (self.kind, current[self.id_field])
            contents.append((child, list(self.client.paginate(child.actions["list"], query, child.scope or None))))
        return contents

    def delete_tree(self, current, contents):
        """Delete what lives in ``current`` (and what lives in that), then ``current``, each confirmed gone."""
        for child, items in contents:
            for item in items:
                child.delete_tree(item, child.contents(item))
        self.delete(current)

    def label(self, obj):
        """``name (id)``, or the id when it is the name: how a message names an object."""
        name = obj.get(self.name_field)
        return obj[self.id_field] if not name or name == obj[self.id_field] else "%s (%s)" % (name, obj[self.id_field])

    def delete(self, current):
        """Delete ``current`` and read back that it is gone; one already gone counts as deleted. An asynchronous
        object is waited for until it is gone (or, with ``wait=false``, its deletion only started)."""
        object_id = current[self.id_field]
        for dummy in range(2):
            try:
                self.write(self.actions["delete"], object_id)
            except LostAnswer:
                pass  # settled by the read below
            except PaiApiError as error:
                if not error.is_not_found:
                    raise
            if self.get(object_id) is None:
                return
            if self.status_field:
                if self.params.get("wait", True):
                    self.poll(object_id, lambda obj: obj is None, "to be gone")
                return
        self.fail("%s %s was deleted, but reading it back still finds it" % (self.kind, object_id))

    def await_ready(self, obj, created=True):
        """An asynchronous object once its status is ready (read again until then, up to ``wait_timeout``); a
        failed status fails the task. An object the task did not create is waited for only while its status is
        pending (a disabled one is left as it is). Without a status, or with ``wait=false``, ``obj`` as it is."""
        if not self.status_field or self.module.check_mode or not self.params.get("wait", True):
            return obj

        def settled(found):
            status = None if found is None else found.get(self.status_field)
            return (found is None or status in self.ready_statuses + self.failed_statuses
                    or (not created and status not in self.pending_statuses))

        if not settled(obj):
            obj = self.poll(obj[self.id_field], settled, "to become %s" % self.ready_statuses[0])
        if obj is None:
            self.fail("%s disappeared while waiting for it to become ready" % self.kind)
        if obj.get(self.status_field) in self.failed_statuses:
            self.fail("%s %s has the status %s: PAI could not make it ready"
                      % (self.kind, obj[self.id_field], obj[self.status_field]),
                      **{self.result_key: self.present(obj)})
        return obj

    def poll(self, object_id, done, what):
        """Read the object again, at 1, 2, 4, then every 10 seconds, until ``done(object or None)`` or
        ``wait_timeout``; returns the last read."""
        deadline = self.clock() + self.params.get("wait_timeout", 600)
        delay = 1.0
        while True:
            found = self.get(object_id)
            if done(found):
                return found
            if self.clock() + delay > deadline:
                status = found.get(self.status_field) if found else None
                self.fail("waited %s seconds for %s %s %s; its status is still %s. It may still change: run the task "
                          "again later, or raise wait_timeout" % (self.params.get("wait_timeout", 600), self.kind,
                                                                  object_id, what, status))
            self.sleep(delay)
            delay = min(delay * 2, STATUS_POLL_CAP)

    def reread(self, object_id):
        """The object as the API has it after this task wrote it."""
        obj = self.get(object_id)
        if obj is None:
            self.fail("%s %s was written, but reading it back found nothing; run the task again to check it"
                      % (self.kind, object_id))
        return obj

    def predicted(self, current, desired):
        obj = copy.deepcopy(current) if current else {self.id_field: None}
        obj.update(copy.deepcopy(desired))
        return obj

    # -- create --------------------------------------------------------------------------------------

    def create(self, desired, current=None):
        """Create the object (re-create ``current`` when replacing). Returns ``{"object", "adopted"}``:
        ``adopted`` when the object kept is not the one this request made (a lost answer, a race, a
        service that refuses a second object of the name). An asynchronous object is waited for."""
        body = self.create_body(desired, current)
        if self.module.check_mode:
            return {"object": self.predicted(None, body), "adopted": False}
        created = self.send_create(body, current[self.id_field] if current else None)
        created["object"] = self.await_ready(created["object"])
        return created

    def send_create(self, body, replaced):
        try:
            answer = self.write(self.actions["create"], body=body)
        except LostAnswer as lost:
            return {"object": self.recover_lost_create(body, replaced, lost.error), "adopted": True}
        except PaiApiError as error:
            if not (error.is_conflict or error.code in self.conflict_codes):
                raise
            matches = self.siblings(body, replaced)
            if not matches and self.conflict_hint:
                error.message += " (%s)" % self.conflict_hint
            if len(matches) != 1:
                raise
            self.module.warn("PAI refused to create a second %s %s (%s); kept the existing %s %s"
                             % (self.kind, self.where(body), error.code, self.kind, matches[0][self.id_field]))
            return {"object": self.read_current(matches[0]), "adopted": True}
        return self.settle_create(body.get(self.id_field) or answer[self.id_field], body, replaced)

    def recover_lost_create(self, body, replaced, error):
        """The create may have happened: look for it by name, waiting a bounded time because it may still be
        in flight; never send it again."""
        if isinstance(error, PaiConnectionError):
            what = "the answer to %s was lost" % self.actions["create"]
        else:
            what = "%s failed after reaching PAI, so it may have been applied" % self.actions["create"]
        deadline = self.clock() + self.params.get("recovery_timeout", 30)
        delay = 0.5
        while True:
            matches = self.siblings(body, replaced)
            if matches or self.clock() + delay > deadline:
                break
            self.sleep(delay)
            delay = min(delay * 2, RECOVERY_POLL_CAP)
        if not matches:
            self.fail("%s (%s) and no %s %s appeared within %s seconds; the create may still happen. Run the "
                      "task again later: it will find the %s rather than create a second one"
                      % (what, error.message, self.kind, self.where(body), self.params.get("recovery_timeout", 30),
                         self.kind), changed=True)
        kept = matches[0]
        if len(matches) > 1:
            self.module.warn("%s and %d %ss %s exist now (%s); kept the oldest, %s. Which one this task "
                             "made cannot be told, so none was deleted"
                             % (what, len(matches), self.kind, self.where(body),
                                ", ".join(item[self.id_field] for item in matches), kept[self.id_field]))
        else:
            self.module.warn("%s; found the new %s %s by name and kept it" % (what, self.kind, kept[self.id_field]))
        return self.read_current(kept)

    def settle_create(self, created_id, body, replaced):
        """One list by name after the create: when another run made an object of this name first (a race),
        delete only the object this task made and keep the older one. The list also verifies the create. A
        create that names the id (a version name) is read back by it: the service keeps ids unique."""
        matches = self.siblings(body, replaced)
        ids = [item[self.id_field] for item in matches]
        own = matches[ids.index(created_id)] if created_id in ids else self.reread(created_id)
        older = matches[:ids.index(created_id)] if created_id in ids else []
        if older:
            self.delete(own)
            self.module.warn("another run created %s %s %s first; deleted the %s this task had just created (%s) "
                             "and kept the older one" % (self.kind, older[0][self.id_field], self.where(body),
                                                         self.kind, created_id))
            return {"object": self.read_current(older[0]), "adopted": True}
        newer = [item for item in ids if item != created_id]
        if newer:
            self.module.warn("%s %s %s appeared after this task created %s; it was made by another run, "
                             "which should remove it (this task only deletes what it made)"
                             % (self.kind, ", ".join(newer), self.where(body), created_id))
        self.verify(own, body, "created")
        self.after_write(own)
        return {"object": own, "adopted": False}

    # -- update --------------------------------------------------------------------------------------

    def update_requests(self, current, desired, changed, all_labels=False):
        """``(action, query, body)`` requests that bring ``current`` to ``desired``: one complete update body
        when an updatable field changed, then the label changes at key level (removed and changed keys
        deleted, added and changed keys created; every desired label when ``all_labels``, for a service
        whose label create replaces the whole set)."""
        requests = []
        if any(not field.labels and not field.action for field in changed):
            requests.append((self.actions["update"], None, self.update_body(current, desired)))
        for field in changed:
            if field.action:
                requests.append((self.actions[field.action], None,
                                 self.action_body(field, current[self.id_field], desired[field.api])))
        for field in self.fields:
            if field.labels and field.api in desired and (field in changed or all_labels):
                old, new = labels_map(current.get(field.api)), labels_map(desired[field.api])
                stale = [key for key in old if key not in new or old[key] != new[key]]
                fresh = [key for key in new if all_labels or key not in old or old[key] != new[key]]
                if stale:
                    requests.append((self.actions["delete_labels"], {"LabelKeys": stale}, None))
                if fresh:
                    requests.append((self.actions["create_labels"], None,
                                     {"Labels": [{"Key": key, "Value": new[key]} for key in fresh]}))
        return requests

    def expected(self, requests, desired):
        """What a read must show after ``requests``: every field of the update body, the desired labels."""
        expected = {}
        for action, dummy, body in requests:
            if action == self.actions["update"]:
                expected.update(body)
        for field in self.fields:
            if (field.labels or field.action) and field.api in desired:
                expected[field.api] = desired[field.api]
        return expected

    def mismatches(self, obj, expected):
        """The fields whose value read back differs from the value written (secrets: by key)."""
        wrong = []
        for field in self.fields:
            if field.api not in expected:
                continue
            if field.secret:
                same = sorted(obj.get(field.api) or {}) == sorted(expected[field.api] or {})
            else:
                same = field.normalize(obj.get(field.api)) == field.normalize(expected[field.api])
            if not same:
                wrong.append(field)
        return wrong

    def verify(self, obj, expected, what):
        wrong = self.mismatches(obj, expected)
        if wrong:
            differences = ["%s is %s, sent %s" % (field.option, self.shown(field, obj.get(field.api)),
                                                  self.shown(field, expected[field.api])) for field in wrong]
            self.fail("%s %s was %s, but reading it back differs from what was sent: %s"
                      % (self.kind, obj[self.id_field], what, "; ".join(differences)),
                      **{self.result_key: self.present(obj)})

    def update(self, current, desired, changed):
        """Send the update, read it back and compare. A lost answer, or a service that applied the labels
        differently (replacing the set), is settled by planning again from what was read, a bounded number
        of rounds; then any difference left fails the task naming the field."""
        if self.module.check_mode:
            # planned in check mode too: a refusal (stored secrets without plain text) is predicted, not written
            self.update_requests(current, desired, changed)
            return self.predicted(current, dict((field.api, desired[field.api]) for field in changed))
        object_id = current[self.id_field]
        obj, all_labels = current, False
        for dummy in range(UPDATE_ROUNDS):
            requests = self.update_requests(obj, desired, changed, all_labels)
            expected = self.expected(requests, desired)
            lost = labels_created = False
            for action, query, body in requests:
                try:
                    self.write(action, object_id, query, body)
                except LostAnswer:
                    lost = True
                    break
                self.note_at_risk(action, query, obj)
                labels_created = labels_created or action == self.actions.get("create_labels")
            obj = self.reread(object_id)
            wrong = self.mismatches(obj, expected)
            if not wrong:
                self.at_risk = []
                self.after_write(obj)
                return obj
            if not lost and not (labels_created and any(field.labels for field in wrong)):
                break
            all_labels = all_labels or (labels_created and not lost)
            changed = [field for field in self.fields if field.api in desired and self.differs(field, obj, desired)]
        self.verify(obj, expected, "updated")

    def note_at_risk(self, action, query, current):
        """Labels deleted only to be written again with a new value are at risk until the create succeeds."""
        if action == self.actions.get("delete_labels"):
            old = dict((key, value) for field in self.fields if field.labels
                       for key, value in labels_map(current.get(field.api)).items())
            self.at_risk = ["label %s=%s (deleted, not yet written again)" % (key, old.get(key))
                            for key in query["LabelKeys"]]
        elif action == self.actions.get("create_labels"):
            self.at_risk = []

    # -- replace -------------------------------------------------------------------------------------

    def replace(self, current, desired):
        """Delete, then create with every stored value carried over (names need not be unique in PAI, but
        creating first would fail where they are). A create that fails restores the deleted object; if that
        fails too, the message names everything needed to re-create it."""
        if self.module.check_mode:
            return self.create(desired, current)["object"]
        self.delete(current)
        try:
            return self.create(desired, current)["object"]
        except PaiError as error:
            if any(entry.startswith(self.actions["create"]) for entry in self.applied):
                raise  # the new object exists (or may): restoring would make a second one
            self.restore(current, error)

    def restore(self, current, error):
        old_id = current[self.id_field]
        try:
            restored = self.create({}, current)["object"]
        except PaiError as second:
            self.fail("%s %s was deleted to be re-created, but the create failed (%s), and restoring it failed "
                      "too (%s). It is gone; to create it again you need: %s"
                      % (self.kind, old_id, getattr(error, "message", error), getattr(second, "message", second),
                         self.recreate_recipe(current)), changed=True)
        self.fail("%s %s was deleted to be re-created, but the create failed (%s); the old settings were "
                  "restored as %s %s%s" % (self.kind, old_id, error.message, self.kind, restored[self.id_field],
                                           "" if self.id_settable else " (a new id)"),
                  changed=True, **{self.result_key: self.present(restored)})

    def recreate_recipe(self, current):
        """Every stored setting of ``current`` by option name; secret keys by name, never their values."""
        parts = []
        for field in self.fields:
            value = current.get(field.api)
            if value in (None, "", [], {}):
                continue
            if field.secret:
                parts.append("%s with the keys %s (values not shown)" % (field.option, ", ".join(sorted(value))))
            else:
                parts.append("%s=%s" % (field.option, self.shown(field, value)))
        return "; ".join(parts)

    # -- results -------------------------------------------------------------------------------------

    def diff_view(self, obj, desired=None):
        """What a diff shows of ``obj``, as the result shows it (``{}`` when absent). For a delete, its id and
        every managed field. For a create or update, what the task manages: the identities and the fields the
        task set (the others are carried over untouched), and the id when it is known before the write. So a
        check-mode diff equals the real run's: neither shows values only the service chooses (an id, defaults
        of fields the task did not set)."""
        if obj is None:
            return {}
        fields = [field for field in self.fields if desired is None or field.identity or field.api in desired]
        names = [field.api for field in fields]
        if desired is None or obj.get(self.id_field) is not None:
            names.append(self.id_field)
        keys = set(snake_name(name) for name in names)
        shown = self.present(dict((name, obj[name]) for name in names if name in obj))
        return dict((key, value) for key, value in shown.items() if key in keys)

    def diff(self, before, after):
        """The result's ``diff``: both sides as JSON text, as Ansible's callback would render data, but with
        non-ASCII text as written (the callback escapes it as \\uXXXX), and an absent object as nothing."""
        def render(view):
            if not view:
                return ""
            return json.dumps(view, indent=4, sort_keys=True, ensure_ascii=False, separators=(",", ": ")) + "\n"
        return {"before": render(before), "after": render(after)}

    def finish(self, current, final, desired, changed=()):
        changed = list(changed) if current is not None else list(self.fields)
        result = {"changed": current is None or bool(changed), self.result_key: self.present(final)}
        if self.module.ansible._diff:
            new_id = current is None or final.get(self.id_field) != current.get(self.id_field)  # created, replaced
            if new_id and not (self.id_settable and desired.get(self.id_field)):
                final = dict(final, **{self.id_field: None})  # chosen by PAI: check mode cannot show it
            before, after = self.diff_view(current, desired), self.diff_view(final, desired)
            for field in self.fields:
                if field.secret and field in changed and field.api in desired:
                    self.mark_secret_changes(field, current, desired, after)
            result["diff"] = self.diff(before, after)
        return result

    def mark_secret_changes(self, field, current, desired, after):
        """Say in the diff which secret keys were added or changed, without their values.

        A stored value that was not read in plain text cannot be compared: it is "(sent)".
        """
        old = (current or {}).get(field.api) or {}
        new = desired[field.api] or {}
        plain = self.compares_secrets()

        def mark(name):
            if name not in old:
                return MASK + " (added)"
            if not plain:
                return MASK + " (sent)"
            return MASK if old[name] == new[name] else MASK + " (changed)"

        after[snake_name(field.api)] = dict((name, mark(name)) for name in new)
