"""Local emulator of the Alibaba Cloud PAI "AIWorkSpace" OpenAPI, version 2021-02-04.

Standard library only (Python 3.9+). It verifies ACS3-HMAC-SHA256 and legacy ROA ("acs AK:sig")
signatures, routes by method and path, and implements connections, models (with labels) and workspace
look-ups with the response shapes of the official SDK. Admin endpoints under /_emulator/ inspect the
request log, reset or seed the state, inject faults and switch between plausible behaviours where the real
service's behaviour is unknown ("behaviours"). See README.md next to this file.

    python3 tests/emulator/pai_emulator.py [--host 127.0.0.1] [--port 8765]
                                           [--access-key-id ID] [--access-key-secret SECRET]
                                           [--behaviour NAME=VALUE ...]

In-process use (tests)::

    server = pai_emulator.serve_in_thread(host='127.0.0.1', port=0, behaviours={'page_size': 'capped50'})
    ... server.url ...
    server.stop()
"""

from __future__ import annotations

import argparse
import base64
import copy
import datetime
import email.utils
import hashlib
import hmac
import ipaddress
import json
import os
import random
import signal
import string
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

PRODUCT = 'AIWorkSpace'
DEFAULT_ACCESS_KEY_ID = 'emulator-access-key-id'
DEFAULT_ACCESS_KEY_SECRET = 'emulator-access-key-secret'
DEFAULT_WORKSPACE_ID = '10001'
DEFAULT_WORKSPACE_NAME = 'ansible_demo'
TIME_WINDOW_SECONDS = 15 * 60
SECRET_MASK = '******'
LOG_SECRET_MASK = '***'
ID_ALPHABET = string.ascii_lowercase + string.digits

CONNECTION_TYPES = (
    'DashScopeConnection', 'OpenLLMConnection', 'MilvusConnection', 'OpenSearchConnection',
    'LindormConnection', 'ElasticsearchConnection', 'HologresConnection', 'RDSConnection',
    'CustomConnection', 'DeepSeekConnection', 'FunctionAIMCPConnection', 'CustomMCPConnection',
)
DEFAULT_CONNECTION_TYPE = 'CustomConnection'
VALIDATABLE_CONNECTION_TYPES = (
    'DashScopeConnection', 'DeepSeekConnection', 'FunctionAIMCPConnection', 'CustomMCPConnection',
)
VALIDATE_TYPES = ('Connectivity',)
CONNECTION_MODEL_TYPES = ('LLM', 'Embedding', 'ReRank')
ACCESSIBILITIES = ('PUBLIC', 'PRIVATE')
ORDERS = ('ASC', 'DESC')
ENCRYPT_OPTIONS = ('PlainText', 'Secret')
WORKSPACE_OPTIONS = ('GetWorkspaces', 'GetResourceLimits', 'CheckWorkspaceExists')
WORKSPACE_STATUSES = ('ENABLED', 'INITIALIZING', 'FAILURE', 'DISABLED', 'FROZEN', 'UPDATING')
CONDITION_COLUMNS = ('ParameterSize', 'OrderNumber')
CONDITION_OPERATORS = {
    'LessThan': lambda a, b: a < b,
    'LessThanOrEqual': lambda a, b: a <= b,
    'GreaterThan': lambda a, b: a > b,
    'GreaterThanOrEqual': lambda a, b: a >= b,
    'Equal': lambda a, b: a == b,
    'NotEqual': lambda a, b: a != b,
}
MODEL_STRING_FIELDS = ('ModelDescription', 'ModelDoc', 'ModelType', 'Origin', 'Domain', 'Task')
MODEL_INT_FIELDS = ('OrderNumber', 'ParameterSize')
MODEL_UPDATABLE_FIELDS = ('ModelName', 'Accessibility', 'ExtraInfo') + MODEL_STRING_FIELDS + MODEL_INT_FIELDS
MODEL_RESPONSE_FIELDS = (
    'ModelId', 'ModelName', 'WorkspaceId', 'Accessibility', 'ModelDescription', 'ModelDoc', 'ModelType',
    'Origin', 'Domain', 'Task', 'OrderNumber', 'ParameterSize', 'Provider', 'ExtraInfo', 'Labels',
    'OwnerId', 'UserId', 'GmtCreateTime', 'GmtModifiedTime',
)
CONNECTION_RESPONSE_FIELDS = (
    'ConnectionId', 'ConnectionName', 'ConnectionType', 'WorkspaceId', 'Accessibility', 'Description',
    'Creator', 'GmtCreateTime', 'GmtModifiedTime', 'Configs', 'ResourceMeta',
)
CONNECTION_MODEL_FIELDS = ('DisplayName', 'Model', 'ModelType', 'ToolCall')
CONNECTION_MODEL_CAPABILITIES = {
    'MaxModelLength': int, 'SupportReasoning': bool, 'SupportResponseSchema': bool, 'SupportVision': bool,
}
WORKSPACE_RESPONSE_FIELDS = (
    'WorkspaceId', 'WorkspaceName', 'DisplayName', 'Description', 'Status', 'EnvTypes', 'IsDefault',
    'Creator', 'AdminNames', 'ExtraInfos', 'ResourceGroupId', 'GmtCreateTime', 'GmtModifiedTime',
)
# Switches for service behaviours the API reference leaves open: name -> allowed values, the default first.
BEHAVIOURS = {
    'update_fields': ('merge', 'replace'),
    'model_labels_create': ('upsert', 'replace', 'reject_existing'),
    'plain_text': ('honoured', 'ignored'),
    'page_size': ('max100', 'capped50', 'reject_above50'),
    'duplicate_names': ('allowed', 'rejected'),
    'model_workspace': ('default', 'required'),
}
DEFAULT_BEHAVIOURS = {name: values[0] for name, values in BEHAVIOURS.items()}
PAGE_SIZE_LIMIT = 100  # page_size=max100
SMALL_PAGE_SIZE_LIMIT = 50  # page_size=capped50 and reject_above50
FAULT_TYPES = ('throttling', 'error', 'unavailable', 'drop', 'delay', 'apply_then_drop')
FAULT_ERRORS = {
    'throttling': (400, 'Throttling.User', 'Request was denied due to user flow control.'),
    'error': (500, 'InternalError',
              'The request processing has failed due to some unknown error, exception or failure.'),
    'unavailable': (503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server.'),
}


# --------------------------------------------------------------------------------------------------
# Errors and small helpers

class ApiError(Exception):
    """An API error answered as {RequestId, HostId, Code, Message, Recommend}."""

    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class DropConnection(Exception):
    """Close the TCP connection without writing a response."""


def missing_parameter(name):
    return ApiError(400, 'MissingParameter',
                    'The input parameter "%s" that is mandatory for processing this request is not supplied.' % name)


def invalid_parameter(name, detail):
    return ApiError(400, 'InvalidParameter', 'The parameter "%s" is invalid: %s' % (name, detail))


def connection_not_found(connection_id):
    return ApiError(404, 'RequestFailedErrorProblem', 'The connection does not exist: %s' % connection_id)


def name_already_exists(kind, name, workspace_id):
    return ApiError(400, 'NameAlreadyExists',
                    "A %s named '%s' already exists in workspace %s." % (kind, name, workspace_id))


def model_not_found(model_id):
    return ApiError(404, '201900002', 'Model not exists: %s' % model_id)


def workspace_not_found():
    return ApiError(404, '100400027', 'Workspace not exists')


def signature_mismatch(detail):
    return ApiError(400, 'SignatureDoesNotMatch',
                    'Specified signature is not matched with our calculation. ' + detail)


def internal_error(exc):
    traceback.print_exc()
    return ApiError(500, 'InternalError', 'The emulator failed unexpectedly: %r' % exc)


def incomplete_signature(detail):
    return ApiError(400, 'IncompleteSignature',
                    'The request signature does not conform to Aliyun standards. ' + detail)


def format_time(ts, millis):
    moment = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc)
    if millis:
        return moment.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (moment.microsecond // 1000)
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ')


def account_id_for(access_key_id):
    """A stable 16-digit account id per access key id (used as Creator/OwnerId/UserId)."""
    digest = int(hashlib.sha256(access_key_id.encode('utf-8')).hexdigest(), 16)
    return str(1000000000000000 + digest % 9000000000000000)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def rfc3986(text):
    return quote(text, safe='-_.~')


def mask_secrets_for_log(value):
    """Replace every value under a "Secrets" key by "***" (recursively)."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            if key == 'Secrets':
                masked[key] = ({k: LOG_SECRET_MASK for k in item} if isinstance(item, dict) else LOG_SECRET_MASK)
            else:
                masked[key] = mask_secrets_for_log(item)
        return masked
    if isinstance(value, list):
        return [mask_secrets_for_log(item) for item in value]
    return value


# --------------------------------------------------------------------------------------------------
# Behaviour switches

def known_behaviours():
    """'update_fields (merge, replace), ...': every behaviour with its values, the default first."""
    return ', '.join('%s (%s)' % (name, ', '.join(values)) for name, values in BEHAVIOURS.items())


def behaviour_problem(name, value):
    """None when NAME=VALUE is a known behaviour and one of its values, else a message saying what is allowed."""
    if name not in BEHAVIOURS:
        return 'Unknown behaviour "%s". Known behaviours: %s.' % (name, known_behaviours())
    if not isinstance(value, str) or value not in BEHAVIOURS[name]:
        return 'The behaviour "%s" does not accept the value %s. Allowed values: %s.' % (
            name, json.dumps(value), ', '.join(BEHAVIOURS[name]))
    return None


def check_behaviours(values):
    """Validate a {name: value} map as a whole; return a copy or raise ValueError naming what is allowed."""
    if not isinstance(values, dict):
        raise ValueError('The behaviours must be a JSON object of {name: value}. Known behaviours: %s.'
                         % known_behaviours())
    for name, value in values.items():
        problem = behaviour_problem(name, value)
        if problem:
            raise ValueError(problem)
    return dict(values)


def parse_behaviour_flag(text):
    """argparse type of --behaviour NAME=VALUE; returns (name, value)."""
    name, sep, value = text.partition('=')
    name, value = name.strip(), value.strip()
    if not sep or not name:
        raise argparse.ArgumentTypeError('expected NAME=VALUE, got "%s". Known behaviours: %s.'
                                         % (text, known_behaviours()))
    problem = behaviour_problem(name, value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return name, value


# --------------------------------------------------------------------------------------------------
# Parameter validation (body values and query strings)

def as_str(value, name, required=False, max_len=None):
    if value is None or (required and value == ''):
        if required:
            raise missing_parameter(name)
        return None
    if not isinstance(value, str):
        raise invalid_parameter(name, 'must be a string')
    if max_len is not None and len(value) > max_len:
        raise invalid_parameter(name, 'must be at most %d characters long' % max_len)
    return value


def as_enum(value, name, allowed, default=None):
    if value is None or value == '':
        return default
    if value not in allowed:
        raise invalid_parameter(name, 'the value "%s" is not allowed. Valid values: %s' % (value, ', '.join(allowed)))
    return value


def as_int(value, name, default=None, low=None, high=None):
    if value is None or value == '':
        return default
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise invalid_parameter(name, 'must be an integer')
    try:
        number = int(value)
    except ValueError:
        raise invalid_parameter(name, 'must be an integer') from None
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = 'between %s and %s' % (low, high) if high is not None else 'at least %s' % low
        raise invalid_parameter(name, 'must be %s' % bounds)
    return number


def as_bool(value, name):
    """Booleans from JSON or from the query string (true/false/True/False)."""
    if value is None or value == '':
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ('true', 'false'):
        return value.lower() == 'true'
    raise invalid_parameter(name, 'must be true or false')


def as_str_map(value, name, required=False):
    if value is None:
        if required:
            raise missing_parameter(name)
        return None
    if not isinstance(value, dict):
        raise invalid_parameter(name, 'must be an object of string values')
    for key, item in value.items():
        if not isinstance(item, str):
            raise invalid_parameter('%s.%s' % (name, key), 'must be a string')
    return dict(value)


def as_str_list(value, name):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid_parameter(name, 'must be a list of strings')
    return list(value)


def as_object(value, name):
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid_parameter(name, 'must be a JSON object')
    return copy.deepcopy(value)


def as_csv(value):
    return [item.strip() for item in (value or '').split(',') if item.strip()]


def as_json_list(value, name):
    if value is None or value == '':
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        raise invalid_parameter(name, 'must be a JSON array') from None
    if not isinstance(parsed, list) or not all(isinstance(item, dict) for item in parsed):
        raise invalid_parameter(name, 'must be a JSON array of objects')
    return parsed


def as_labels(value, name):
    """Validate [{Key, Value}] (key and value at most 128 bytes, without '=' or ',')."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid_parameter(name, 'must be an array of {Key, Value} objects')
    labels = []
    for index, item in enumerate(value, 1):
        if not isinstance(item, dict):
            raise invalid_parameter('%s.%d' % (name, index), 'must be a {Key, Value} object')
        key, val = item.get('Key'), item.get('Value', '')
        if not isinstance(key, str) or not key:
            raise invalid_parameter('%s.%d.Key' % (name, index), 'must be a non-empty string')
        for part, text in (('Key', key), ('Value', val)):
            if not isinstance(text, str):
                raise invalid_parameter('%s.%d.%s' % (name, index, part), 'must be a string')
            if len(text.encode('utf-8')) > 128 or '=' in text or ',' in text:
                raise invalid_parameter('%s.%d.%s' % (name, index, part),
                                        'must be at most 128 bytes and must not contain "=" or ","')
        labels.append({'Key': key, 'Value': val})
    return labels


def upsert_labels(existing, new):
    """Replace the value of an existing key in place; append new keys in order."""
    for label in new:
        for current in existing:
            if current['Key'] == label['Key']:
                current['Value'] = label['Value']
                break
        else:
            existing.append(dict(label))
    return existing


def as_connection_models(value, with_capabilities):
    if value is None:
        return None
    if not isinstance(value, list):
        raise invalid_parameter('Models', 'must be an array of objects')
    models = []
    for index, item in enumerate(value, 1):
        name = 'Models.%d' % index
        if not isinstance(item, dict):
            raise invalid_parameter(name, 'must be an object')
        model = {}
        for field in ('DisplayName', 'Model'):
            if as_str(item.get(field), '%s.%s' % (name, field)) is not None:
                model[field] = item[field]
        model_type = as_enum(item.get('ModelType'), name + '.ModelType', CONNECTION_MODEL_TYPES)
        if model_type is not None:
            model['ModelType'] = model_type
        tool_call = item.get('ToolCall')
        if tool_call is not None and not isinstance(tool_call, bool):
            raise invalid_parameter(name + '.ToolCall', 'must be a boolean')
        model['ToolCall'] = bool(tool_call)
        if with_capabilities:
            for field, kind in CONNECTION_MODEL_CAPABILITIES.items():
                flag = item.get(field)
                if flag is None:
                    continue
                if kind is bool and not isinstance(flag, bool):
                    raise invalid_parameter('%s.%s' % (name, field), 'must be a boolean')
                model[field] = flag if kind is bool else as_int(flag, '%s.%s' % (name, field), low=0)
        models.append(model)
    return models


def as_resource_meta(value):
    meta = as_object(value, 'ResourceMeta')
    if not meta:
        return None
    result = {}
    for field in ('InstanceId', 'InstanceName', 'Extra'):
        if as_str(meta.get(field), 'ResourceMeta.' + field):
            result[field] = meta[field]
    return result or None


# --------------------------------------------------------------------------------------------------
# State

class PaiState:
    """All emulated resources plus credentials, nonces, the request log, queued faults and behaviour switches."""

    def __init__(self, access_key_id=DEFAULT_ACCESS_KEY_ID, access_key_secret=DEFAULT_ACCESS_KEY_SECRET,
                 behaviours=None):
        self.lock = threading.RLock()
        self.clock = time.time  # tests may replace it to check fixed-date signature vectors
        self.default_access_key_id = access_key_id
        self._start_credentials = {access_key_id: {'secret': access_key_secret, 'token': None, 'expires_at': None}}
        self._start_behaviours = dict(DEFAULT_BEHAVIOURS, **check_behaviours(behaviours or {}))
        self._random = random.SystemRandom()
        self.reset()

    def reset(self):
        with self.lock:
            self.behaviours = dict(self._start_behaviours)
            self.credentials = copy.deepcopy(self._start_credentials)
            self.workspaces, self.connections, self.models = {}, {}, {}
            self.nonces, self.requests, self.faults = {}, [], []
            self._seq = 0
            self._request_seq = 0
            self.add_workspace({'WorkspaceId': DEFAULT_WORKSPACE_ID, 'WorkspaceName': DEFAULT_WORKSPACE_NAME,
                                'DisplayName': DEFAULT_WORKSPACE_NAME, 'IsDefault': True,
                                'Description': 'Default workspace of the PAI emulator'})

    def next_seq(self):
        self._seq += 1
        return self._seq

    def new_id(self, prefix, existing):
        while True:
            candidate = prefix + ''.join(self._random.choice(ID_ALPHABET) for dummy in range(20))
            if candidate not in existing:
                return candidate

    def now(self):
        return self.clock()

    def behaviour(self, name):
        return self.behaviours[name]

    def check_unique_name(self, kind, records, name_field, record):
        """With duplicate_names=rejected: NameAlreadyExists when another record of the workspace has the name."""
        if self.behaviour('duplicate_names') != 'rejected':
            return
        id_field = 'ConnectionId' if kind == 'connection' else 'ModelId'
        for other in records.values():
            if (other[id_field] != record.get(id_field) and other['WorkspaceId'] == record['WorkspaceId']
                    and other[name_field] == record[name_field]):
                raise name_already_exists(kind, record[name_field], record['WorkspaceId'])

    # credentials and nonces -------------------------------------------------------------------

    def credential(self, access_key_id):
        cred = self.credentials.get(access_key_id)
        if cred is None:
            raise ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.')
        return cred

    def add_credential(self, spec):
        access_key_id = as_str(spec.get('access_key_id'), 'access_key_id', required=True)
        secret = as_str(spec.get('access_key_secret'), 'access_key_secret', required=True)
        token = as_str(spec.get('security_token'), 'security_token')
        expires_in = spec.get('expires_in')
        if expires_in is not None and (isinstance(expires_in, bool) or not isinstance(expires_in, (int, float))):
            raise invalid_parameter('expires_in', 'must be a number of seconds')
        self.credentials[access_key_id] = {
            'secret': secret, 'token': token,
            'expires_at': None if expires_in is None else self.now() + expires_in,
        }

    def use_nonce(self, access_key_id, nonce):
        now = self.now()
        seen = self.nonces.setdefault(access_key_id, {})
        for old in [key for key, stamp in seen.items() if now - stamp > TIME_WINDOW_SECONDS]:
            del seen[old]
        if nonce in seen:
            raise ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.')
        seen[nonce] = now

    # faults and request log -----------------------------------------------------------------

    def take_fault(self, action):
        with self.lock:
            for fault in self.faults:
                if fault['action'] in ('*', action):
                    fault['count'] -= 1
                    if fault['count'] <= 0:
                        self.faults.remove(fault)
                    return dict(fault)
        return None

    def next_request_seq(self):
        with self.lock:
            self._request_seq += 1
            return self._request_seq

    def log_request(self, entry):
        with self.lock:
            self.requests.append(entry)
            self.requests.sort(key=lambda item: item['seq'])

    # workspaces -------------------------------------------------------------------------------

    def workspace(self, workspace_id):
        workspace = self.workspaces.get(str(workspace_id))
        if workspace is None:
            raise workspace_not_found()
        return workspace

    def workspace_id_or_default(self, value):
        if value is None or value == '':
            return self.default_workspace()['WorkspaceId']
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise invalid_parameter('WorkspaceId', 'must be a string')
        return self.workspace(value)['WorkspaceId']

    def default_workspace(self):
        for workspace in self.workspaces.values():
            if workspace['IsDefault']:
                return workspace
        raise workspace_not_found()

    def add_workspace(self, spec):
        name = as_str(spec.get('WorkspaceName'), 'WorkspaceName', required=True)
        workspace_id = as_str(None if spec.get('WorkspaceId') is None else str(spec['WorkspaceId']), 'WorkspaceId')
        if workspace_id is None:
            workspace_id = str(max([int(w) for w in self.workspaces if w.isdigit()] + [10000]) + 1)
        elif workspace_id in self.workspaces:
            raise invalid_parameter('WorkspaceId', 'workspace %s already exists' % workspace_id)
        is_default = as_bool(spec.get('IsDefault'), 'IsDefault') or False
        if is_default:
            for other in self.workspaces.values():
                other['IsDefault'] = False
        creator = account_id_for(self.default_access_key_id)
        stamp = format_time(self.now(), millis=True)
        self.workspaces[workspace_id] = {
            'WorkspaceId': workspace_id,
            'WorkspaceName': name,
            'DisplayName': as_str(spec.get('DisplayName'), 'DisplayName') or name,
            'Description': as_str(spec.get('Description'), 'Description') or '',
            'Status': as_enum(spec.get('Status'), 'Status', WORKSPACE_STATUSES, 'ENABLED'),
            'EnvTypes': as_str_list(spec.get('EnvTypes'), 'EnvTypes') or ['prod'],
            'IsDefault': is_default,
            'Creator': creator,
            'AdminNames': as_str_list(spec.get('AdminNames'), 'AdminNames'),
            'ExtraInfos': {'TenantId': creator},
            'ResourceGroupId': as_str(spec.get('ResourceGroupId'), 'ResourceGroupId')
            or 'rg-acfm' + sha256_hex(workspace_id.encode())[:11],
            'GmtCreateTime': stamp,
            'GmtModifiedTime': stamp,
            '_seq': self.next_seq(),
        }
        return workspace_id

    # connections ------------------------------------------------------------------------------

    def connection(self, connection_id):
        conn = self.connections.get(connection_id)
        if conn is None:
            raise connection_not_found(connection_id)
        return conn

    def add_connection(self, body, creator, connection_id=None, unique_name=False):
        """Validate and store a connection; unique_name applies the duplicate_names behaviour (API creates)."""
        name = as_str(body.get('ConnectionName'), 'ConnectionName', required=True)
        configs = as_str_map(body.get('Configs'), 'Configs', required=True)
        if connection_id is None:
            connection_id = self.new_id('conn-', self.connections)
        elif connection_id in self.connections:
            raise invalid_parameter('ConnectionId', 'connection %s already exists' % connection_id)
        stamp = format_time(self.now(), millis=False)
        record = {
            'ConnectionId': connection_id,
            'ConnectionName': name,
            'ConnectionType': as_enum(body.get('ConnectionType'), 'ConnectionType', CONNECTION_TYPES,
                                      DEFAULT_CONNECTION_TYPE),
            'WorkspaceId': self.workspace_id_or_default(body.get('WorkspaceId')),
            'Accessibility': as_enum(body.get('Accessibility'), 'Accessibility', ACCESSIBILITIES, 'PRIVATE'),
            'Description': as_str(body.get('Description'), 'Description') or '',
            'Creator': creator,
            'GmtCreateTime': stamp,
            'GmtModifiedTime': stamp,
            'Configs': configs,
            'Secrets': as_str_map(body.get('Secrets'), 'Secrets') or {},
            'ResourceMeta': as_resource_meta(body.get('ResourceMeta')),
            'Models': as_connection_models(body.get('Models'), with_capabilities=True) or [],
        }
        if unique_name:
            self.check_unique_name('connection', self.connections, 'ConnectionName', record)
        record['_seq'] = self.next_seq()
        self.connections[connection_id] = record
        return connection_id

    # models -----------------------------------------------------------------------------------

    def model(self, model_id):
        model = self.models.get(model_id)
        if model is None:
            raise model_not_found(model_id)
        return model

    def add_model(self, body, owner, model_id=None, unique_name=False):
        """Validate and store a model; unique_name applies the duplicate_names behaviour (API creates)."""
        as_str(body.get('ModelName'), 'ModelName', required=True)
        labels = as_labels(body.get('Labels'), 'Labels') or []
        tags = as_labels(body.get('Tag'), 'Tag') or []
        if model_id is None:
            model_id = self.new_id('model-', self.models)
        elif model_id in self.models:
            raise invalid_parameter('ModelId', 'model %s already exists' % model_id)
        stamp = format_time(self.now(), millis=True)
        model = {
            'ModelId': model_id,
            'WorkspaceId': self.workspace_id_or_default(body.get('WorkspaceId')),
            'Accessibility': 'PRIVATE',
            'Labels': upsert_labels([], labels),
            'Tags': upsert_labels([], tags),
            'Provider': None,
            'Collections': [],
            'OwnerId': owner,
            'UserId': owner,
            'GmtCreateTime': stamp,
            'GmtModifiedTime': stamp,
        }
        apply_model_fields(model, body)
        if unique_name:
            self.check_unique_name('model', self.models, 'ModelName', model)
        model['_seq'] = self.next_seq()
        self.models[model_id] = model
        return model_id

    # dumps ------------------------------------------------------------------------------------

    def dump(self, plain_secrets):
        def public(record):
            return {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith('_')}

        connections = []
        for conn in self.connections.values():
            item = public(conn)
            if not plain_secrets:
                item['Secrets'] = {k: SECRET_MASK for k in item['Secrets']}
            connections.append(item)
        return {
            'workspaces': [public(w) for w in self.workspaces.values()],
            'connections': connections,
            'models': [public(m) for m in self.models.values()],
        }


def apply_model_fields(model, body):
    """Set the updatable model fields present (and not null) in body, validating each."""
    for field in MODEL_UPDATABLE_FIELDS:
        value = body.get(field)
        if value is None:
            continue
        if field == 'ModelName':
            model[field] = as_str(value, field, required=True, max_len=127)
        elif field == 'Accessibility':
            model[field] = as_enum(value, field, ACCESSIBILITIES)
        elif field == 'ExtraInfo':
            model[field] = as_object(value, field)
        elif field in MODEL_INT_FIELDS:
            model[field] = as_int(value, field)
        else:
            model[field] = as_str(value, field)


# --------------------------------------------------------------------------------------------------
# Signature verification

class ApiRequest:
    """The parts of an HTTP request that authentication and handlers need."""

    def __init__(self, method, raw_path, raw_query, headers, body):
        self.method = method
        self.raw_path = raw_path or '/'
        self.query_pairs = parse_qsl(raw_query, keep_blank_values=True)
        self.query = dict(self.query_pairs)
        self.headers = headers
        self.body = body
        self.host = headers.get('host', '')

    def header(self, name):
        values = self.headers.get_all(name)
        if not values:
            return None
        return ','.join(sorted(value.strip() for value in values))


def check_date(state, value, name, parse):
    if value is None:
        raise missing_parameter(name)
    try:
        stamp = parse(value)
    except (TypeError, ValueError):
        raise ApiError(400, 'InvalidTimeStamp.Format',
                       'Specified time stamp or date value is not well formatted: %s' % value) from None
    if abs(state.now() - stamp) > TIME_WINDOW_SECONDS:
        raise ApiError(400, 'InvalidTimeStamp.Expired',
                       'Specified time stamp or date value is expired (more than 15 minutes off the server time).')


def parse_acs_date(value):
    moment = datetime.datetime.strptime(value, '%Y-%m-%dT%H:%M:%SZ')
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


def parse_http_date(value):
    moment = email.utils.parsedate_to_datetime(value)
    if moment is None or moment.tzinfo is None:
        raise ValueError(value)
    return moment.timestamp()


def check_security_token(state, cred, req, signed_headers):
    token = req.header('x-acs-security-token')
    if cred['token'] is None:
        if token is not None:
            raise ApiError(400, 'InvalidSecurityToken.MisMatch',
                           'A security token was sent with an access key that is not an STS key.')
        return
    if token is None:
        raise ApiError(400, 'InvalidSecurityToken.Missing',
                       'The x-acs-security-token header is required for an STS access key.')
    if signed_headers is not None and 'x-acs-security-token' not in signed_headers:
        raise incomplete_signature('The header x-acs-security-token must be signed.')
    if not hmac.compare_digest(token.encode('utf-8'), cred['token'].encode('utf-8')):
        raise ApiError(400, 'InvalidSecurityToken.MisMatch', 'Specified SecurityToken is mismatched.')
    if cred['expires_at'] is not None and state.now() >= cred['expires_at']:
        raise ApiError(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.')


def v3_string_to_sign(req, signed_headers):
    """CanonicalRequest -> StringToSign of ACS3-HMAC-SHA256 (pai-api.md section 3.2)."""
    canonical_query = '&'.join('%s=%s' % (rfc3986(k), rfc3986(v))
                               for k, v in sorted(req.query_pairs, key=lambda pair: pair[0]))
    canonical_headers = ''.join('%s:%s\n' % (name, req.header(name) or '') for name in signed_headers)
    canonical_request = '\n'.join([
        req.method, req.raw_path, canonical_query, canonical_headers, ';'.join(signed_headers),
        req.header('x-acs-content-sha256') or '',
    ])
    return 'ACS3-HMAC-SHA256\n' + sha256_hex(canonical_request.encode('utf-8'))


def verify_v3(state, req, authorization):
    """ACS3-HMAC-SHA256 (pai-api.md sections 3.2 and 3.5); returns the AccessKeyId."""
    algorithm, dummy, rest = authorization.partition(' ')
    if algorithm != 'ACS3-HMAC-SHA256':
        raise incomplete_signature('Unsupported signature algorithm "%s".' % algorithm)
    fields = {}
    for part in rest.split(','):
        key, dummy, value = part.strip().partition('=')
        fields[key] = value
    if not all(fields.get(key) for key in ('Credential', 'SignedHeaders', 'Signature')):
        raise incomplete_signature('Authorization must carry Credential, SignedHeaders and Signature.')
    cred = state.credential(fields['Credential'])
    check_date(state, req.header('x-acs-date'), 'x-acs-date', parse_acs_date)
    signed_headers = sorted({name.strip().lower() for name in fields['SignedHeaders'].split(';') if name.strip()})
    for name in ('host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'):
        if req.header(name) is None:
            raise missing_parameter(name)
        if name not in signed_headers:
            raise incomplete_signature('The header %s must be signed.' % name)
    check_security_token(state, cred, req, signed_headers)
    if req.header('x-acs-content-sha256').lower() != sha256_hex(req.body):
        raise signature_mismatch('The x-acs-content-sha256 header does not match the SHA-256 of the request body.')
    string_to_sign = v3_string_to_sign(req, signed_headers)
    expected = hmac.new(cred['secret'].encode('utf-8'), string_to_sign.encode('utf-8'), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, fields['Signature'].lower()):
        raise signature_mismatch('server string to sign is:' + string_to_sign)
    return fields['Credential']


def roa_string_to_sign(req, path):
    """Legacy ROA StringToSign (pai-api.md section 3.6)."""
    lines = [req.method] + [req.header(name) or '' for name in ('accept', 'content-md5', 'content-type', 'date')]
    acs_headers = sorted({name.lower() for name in req.headers.keys() if name.lower().startswith('x-acs-')})
    resource = path
    if req.query_pairs:
        resource += '?' + '&'.join(k if v == '' else '%s=%s' % (k, v)
                                   for k, v in sorted(req.query_pairs, key=lambda pair: pair[0]))
    return '\n'.join(lines) + '\n' + ''.join('%s:%s\n' % (name, req.header(name)) for name in acs_headers) + resource


def verify_roa(state, req, authorization):
    """Legacy ROA "acs AK:signature" (pai-api.md section 3.6); returns the AccessKeyId."""
    access_key_id, sep, signature = authorization[4:].strip().partition(':')
    if not sep or not access_key_id or not signature:
        raise incomplete_signature('Expected "acs <AccessKeyId>:<Signature>".')
    cred = state.credential(access_key_id)
    check_date(state, req.header('date'), 'Date', parse_http_date)
    if req.header('x-acs-signature-nonce') is None:
        raise missing_parameter('x-acs-signature-nonce')
    check_security_token(state, cred, req, None)
    secret = cred['secret'].encode('utf-8')
    # Terraform signs the unencoded path; accept either the raw or the decoded form.
    candidates = []
    for path in dict.fromkeys([req.raw_path, unquote(req.raw_path)]):
        string_to_sign = roa_string_to_sign(req, path)
        digest = hmac.new(secret, string_to_sign.encode('utf-8'), hashlib.sha1).digest()
        if hmac.compare_digest(base64.b64encode(digest).decode('ascii'), signature):
            return access_key_id
        candidates.append(string_to_sign)
    raise signature_mismatch('server string to sign is:' + candidates[0])


def authenticate(state, req):
    """Verify the request signature and use up its nonce; returns the AccessKeyId."""
    authorization = req.header('authorization')
    if not authorization:
        raise ApiError(400, 'MissingAuthorization', 'The Authorization header is required.')
    if authorization.startswith('ACS3-'):
        access_key_id = verify_v3(state, req, authorization)
    elif authorization.startswith('acs '):
        access_key_id = verify_roa(state, req, authorization)
    else:
        raise incomplete_signature('Unknown Authorization scheme.')
    state.use_nonce(access_key_id, req.header('x-acs-signature-nonce'))
    return access_key_id


# --------------------------------------------------------------------------------------------------
# Action handlers. Each takes a Call and returns the response body without RequestId.

class Call:
    def __init__(self, state, req, params, access_key_id, body):
        self.state = state
        self.params = params
        self.query = req.query
        self.body = body
        self.account = account_id_for(access_key_id)
        self.mutated = False


def render_secrets(secrets, encrypt_option):
    if encrypt_option == 'PlainText':
        return dict(secrets)
    if encrypt_option == 'Secret':
        return {key: 'KMS-ENC:' + base64.b64encode(os.urandom(24)).decode('ascii') for key in secrets}
    return {key: SECRET_MASK for key in secrets}


def render_connection_model(model):
    """Every stored field of a connection's model: the SDK's four first, then the capabilities that are set."""
    ordered = [k for k in CONNECTION_MODEL_FIELDS + tuple(CONNECTION_MODEL_CAPABILITIES) if k in model]
    return {k: copy.deepcopy(model[k]) for k in ordered + [k for k in model if k not in ordered]}


def render_connection(conn, encrypt_option):
    result = {field: copy.deepcopy(conn[field]) for field in CONNECTION_RESPONSE_FIELDS if conn[field] is not None}
    result['Secrets'] = render_secrets(conn['Secrets'], encrypt_option)
    result['Models'] = [render_connection_model(m) for m in conn['Models']]
    return result


def encrypt_option(call):
    """EncryptOption of a read; with plain_text=ignored, PlainText counts as no option (masked secrets)."""
    option = as_enum(call.query.get('EncryptOption'), 'EncryptOption', ENCRYPT_OPTIONS)
    if option == 'PlainText' and call.state.behaviour('plain_text') == 'ignored':
        return None
    return option


def page_size(call, name, default):
    """MaxResults / PageSize of a list action under the page_size behaviour."""
    mode = call.state.behaviour('page_size')
    if mode == 'max100':
        return as_int(call.query.get(name), name, default, 1, PAGE_SIZE_LIMIT)
    size = as_int(call.query.get(name), name, default, 1)
    if size > SMALL_PAGE_SIZE_LIMIT:
        if mode == 'reject_above50':
            raise ApiError(400, 'InvalidParameter',
                           'The parameter %s must be at most %d.' % (name, SMALL_PAGE_SIZE_LIMIT))
        size = SMALL_PAGE_SIZE_LIMIT
    return size


def render_model(model, with_tags):
    result = {field: copy.deepcopy(model[field]) for field in MODEL_RESPONSE_FIELDS if model.get(field) is not None}
    if with_tags:
        result['Tags'] = copy.deepcopy(model['Tags'])
    return result


def render_workspace(workspace, verbose, group_key='ResourceGroupId'):
    result = {field: copy.deepcopy(workspace[field]) for field in WORKSPACE_RESPONSE_FIELDS}
    result[group_key] = result.pop('ResourceGroupId')
    if verbose:
        result['Owner'] = {'UserId': workspace['Creator'], 'UserKp': workspace['Creator'],
                           'UserName': 'emulator-user', 'DisplayName': 'emulator-user'}
    return result


def sort_records(records, order):
    return sorted(records, key=lambda r: (r['GmtCreateTime'], r['_seq']), reverse=(order == 'DESC'))


def create_connection(call):
    connection_id = call.state.add_connection(call.body, call.account, unique_name=True)
    call.mutated = True
    return {'ConnectionId': connection_id}


def get_connection(call):
    option = encrypt_option(call)
    return render_connection(call.state.connection(call.params['ConnectionId']), option)


def update_connection(call):
    conn = call.state.connection(call.params['ConnectionId'])
    body = call.body
    changes = {
        'Configs': as_str_map(body.get('Configs'), 'Configs'),
        'Secrets': as_str_map(body.get('Secrets'), 'Secrets'),
        'Description': as_str(body.get('Description'), 'Description'),
        'Models': as_connection_models(body.get('Models'), with_capabilities=True),
    }
    if call.state.behaviour('update_fields') == 'replace':
        cleared = {'Configs': {}, 'Secrets': {}, 'Description': '', 'Models': []}
        conn.update({field: cleared[field] if value is None else value for field, value in changes.items()})
    else:
        conn.update({field: value for field, value in changes.items() if value is not None})
    conn['GmtModifiedTime'] = format_time(call.state.now(), millis=False)
    call.mutated = True
    return {}


def delete_connection(call):
    call.state.connection(call.params['ConnectionId'])
    del call.state.connections[call.params['ConnectionId']]
    call.mutated = True
    return {}


def connection_matches(conn, query):
    name = query.get('ConnectionName')
    if name and name.lower() not in conn['ConnectionName'].lower():
        return False
    for field, param in (('ConnectionId', 'ConnectionIds'), ('ConnectionType', 'ConnectionTypes')):
        wanted = as_csv(query.get(param))
        if wanted and conn[field] not in wanted:
            return False
    for field in ('WorkspaceId', 'Accessibility', 'Creator'):
        if query.get(field) and conn[field] != query[field]:
            return False
    # Model-level filters must all hold for one and the same model of the connection.
    model_types = as_csv(query.get('ModelTypes'))
    model_name = query.get('Model')
    tool_call = as_bool(query.get('ToolCall'), 'ToolCall')
    if not model_types and not model_name and tool_call is None:
        return True
    return any((not model_types or m.get('ModelType') in model_types)
               and (not model_name or m.get('Model') == model_name)
               and (tool_call is None or m['ToolCall'] == tool_call)
               for m in conn['Models'])


def list_connections(call):
    query = call.query
    if query.get('WorkspaceId'):
        call.state.workspace(query['WorkspaceId'])
    max_results = page_size(call, 'MaxResults', 10)
    offset = as_int(query.get('NextToken'), 'NextToken', 0, 0)
    as_enum(query.get('SortBy'), 'SortBy', ('GmtCreateTime',))
    order = as_enum(query.get('Order'), 'Order', ORDERS, 'DESC')
    option = encrypt_option(call)
    as_enum(query.get('Accessibility'), 'Accessibility', ACCESSIBILITIES)
    as_bool(query.get('ToolCall'), 'ToolCall')
    for model_type in as_csv(query.get('ModelTypes')):
        as_enum(model_type, 'ModelTypes', CONNECTION_MODEL_TYPES)
    matches = sort_records([c for c in call.state.connections.values() if connection_matches(c, query)], order)
    result = {
        'Connections': [render_connection(c, option) for c in matches[offset:offset + max_results]],
        'MaxResults': max_results,
        'TotalCount': len(matches),
    }
    if offset + max_results < len(matches):
        result['NextToken'] = str(offset + max_results)
    return result


def validate_connection(call):
    body = call.body
    if body.get('WorkspaceId') in (None, ''):
        raise missing_parameter('WorkspaceId')
    workspace_id = call.state.workspace_id_or_default(body['WorkspaceId'])
    as_enum(body.get('ValidateType'), 'ValidateType', VALIDATE_TYPES)
    configs = as_str_map(body.get('Configs'), 'Configs') or {}
    secrets = as_str_map(body.get('Secrets'), 'Secrets') or {}
    connection_type = as_str(body.get('ConnectionType'), 'ConnectionType')
    connection_id = as_str(body.get('ConnectionId'), 'ConnectionId')
    if connection_id:
        stored = call.state.connection(connection_id)
        configs = dict(stored['Configs'], **configs)
        secrets = dict(stored['Secrets'], **secrets)
        connection_type = connection_type or stored['ConnectionType']
    if not connection_type:
        raise missing_parameter('ConnectionType')
    as_enum(connection_type, 'ConnectionType', VALIDATABLE_CONNECTION_TYPES)
    base_url = configs.get('base_url')
    details = {'ConnectionType': connection_type, 'WorkspaceId': workspace_id, 'ValidateType': 'Connectivity'}
    if not base_url:
        failure = 'The Configs have no base_url.'
    elif 'unreachable' in base_url:
        failure = 'Could not connect to %s.' % base_url
    elif any(value == '' for value in secrets.values()):
        failure = 'Empty secret values: %s.' % ', '.join(sorted(k for k, v in secrets.items() if v == ''))
    else:
        details['BaseUrl'] = base_url
        return {'Status': 'success', 'Code': '', 'Message': '', 'Details': details}
    return {'Status': 'failed', 'Code': 'ConnectivityCheckFailed', 'Message': failure, 'Details': details}


def create_model(call):
    if call.state.behaviour('model_workspace') == 'required' and call.body.get('WorkspaceId') in (None, ''):
        raise missing_parameter('WorkspaceId')
    model_id = call.state.add_model(call.body, call.account, unique_name=True)
    call.mutated = True
    return {'ModelId': model_id}


def get_model(call):
    return render_model(call.state.model(call.params['ModelId']), with_tags=False)


def update_model(call):
    model = call.state.model(call.params['ModelId'])
    updated = dict(model)
    if call.state.behaviour('update_fields') == 'replace':
        if call.body.get('ModelName') is None:
            raise missing_parameter('ModelName')
        for field in MODEL_STRING_FIELDS + MODEL_INT_FIELDS + ('ExtraInfo',):
            updated.pop(field, None)
        updated['Accessibility'] = 'PRIVATE'
    apply_model_fields(updated, call.body)
    if updated['ModelName'] != model['ModelName']:
        call.state.check_unique_name('model', call.state.models, 'ModelName', updated)
    updated['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
    model.clear()
    model.update(updated)
    call.mutated = True
    return {}


def delete_model(call):
    call.state.model(call.params['ModelId'])
    del call.state.models[call.params['ModelId']]
    call.mutated = True
    return {}


def create_model_labels(call):
    model = call.state.model(call.params['ModelId'])
    labels = as_labels(call.body.get('Labels'), 'Labels')
    if labels is None:
        raise missing_parameter('Labels')
    mode = call.state.behaviour('model_labels_create')
    if mode == 'replace':
        model['Labels'] = upsert_labels([], labels)
    else:
        if mode == 'reject_existing':
            existing = {label['Key'] for label in model['Labels']}
            clashes = [key for key in dict.fromkeys(label['Key'] for label in labels) if key in existing]
            if clashes:
                raise ApiError(400, 'LabelKeyAlreadyExists', 'The model %s already has the label key(s): %s.'
                               % (model['ModelId'], ', '.join(clashes)))
        upsert_labels(model['Labels'], labels)
    model['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
    call.mutated = True
    return {}


def delete_model_labels(call):
    model = call.state.model(call.params['ModelId'])
    keys = as_csv(call.query.get('LabelKeys'))
    if not keys:
        raise missing_parameter('LabelKeys')
    kept = [label for label in model['Labels'] if label['Key'] not in keys]
    if len(kept) != len(model['Labels']):
        model['Labels'] = kept
        model['GmtModifiedTime'] = format_time(call.state.now(), millis=True)
        call.mutated = True
    return {}


def parse_conditions(value):
    """ListModels Conditions -> [(column, comparison, integer value)]."""
    conditions = []
    for index, condition in enumerate(as_json_list(value, 'Conditions'), 1):
        name = 'Conditions.%d' % index
        for field in ('Column', 'Operator', 'Value'):
            if condition.get(field) in (None, ''):
                raise missing_parameter('%s.%s' % (name, field))
        column = as_enum(condition['Column'], name + '.Column', CONDITION_COLUMNS)
        operator = as_enum(condition['Operator'], name + '.Operator', tuple(CONDITION_OPERATORS))
        conditions.append((column, CONDITION_OPERATORS[operator], as_int(condition['Value'], name + '.Value')))
    return conditions


def model_matches(model, query, tags, conditions):
    provider = query.get('Provider') or None
    if model.get('Provider') != provider:
        return False
    if not provider and query.get('WorkspaceId') and model['WorkspaceId'] != query['WorkspaceId']:
        return False
    label_texts = [text.lower() for label in model['Labels'] for text in (label['Key'], label['Value'])]
    name = (query.get('ModelName') or '').lower()
    if name and name not in model['ModelName'].lower():
        return False
    text = (query.get('Query') or '').lower()
    searchable = [model['ModelName'].lower(), (model.get('Domain') or '').lower(),
                  (model.get('Task') or '').lower()] + label_texts
    if text and not any(text in item for item in searchable):
        return False
    label = (query.get('Label') or '').lower()
    if label and not any(label in item for item in label_texts):
        return False
    for field in ('ModelType', 'Origin', 'Domain', 'Task'):
        if query.get(field) and model.get(field) != query[field]:
            return False
    if any({'Key': t.get('Key'), 'Value': t.get('Value')} not in model['Tags'] for t in tags):
        return False
    collections = as_csv(query.get('Collections'))
    if collections and not set(collections) & set(model['Collections']):
        return False
    return all(model.get(column) is not None and compare(model[column], value)
               for column, compare, value in conditions)


def list_models(call):
    query = call.query
    if query.get('WorkspaceId'):
        call.state.workspace(query['WorkspaceId'])
    page_number = as_int(query.get('PageNumber'), 'PageNumber', 1, 1)
    size = page_size(call, 'PageSize', 10)
    as_enum(query.get('SortBy'), 'SortBy', ('GmtCreateTime',))
    order = as_enum(query.get('Order'), 'Order', ORDERS, 'ASC')
    tags = as_json_list(query.get('Tag'), 'Tag')
    conditions = parse_conditions(query.get('Conditions'))
    matches = sort_records([m for m in call.state.models.values() if model_matches(m, query, tags, conditions)],
                           order)
    start = (page_number - 1) * size
    return {'Models': [render_model(m, with_tags=True) for m in matches[start:start + size]],
            'TotalCount': len(matches)}


def get_workspace(call):
    workspace = call.state.workspace(call.params['WorkspaceId'])
    return render_workspace(workspace, as_bool(call.query.get('Verbose'), 'Verbose'))


def list_workspaces(call):
    query = call.query
    option = as_enum(query.get('Option'), 'Option', WORKSPACE_OPTIONS, 'GetWorkspaces')
    page_number = as_int(query.get('PageNumber'), 'PageNumber', 1, 1)
    size = page_size(call, 'PageSize', 20)
    sort_by = as_enum(query.get('SortBy'), 'SortBy', ('GmtCreateTime', 'GmtModifiedTime'), 'GmtCreateTime')
    order = as_enum(query.get('Order'), 'Order', ORDERS, 'ASC')
    as_bool(query.get('Verbose'), 'Verbose')
    workspaces = list(call.state.workspaces.values())
    if option == 'GetResourceLimits':
        return {'ResourceLimits': {'MaxWorkspaceCount': 100, 'WorkspaceCount': len(workspaces)}}
    name = query.get('WorkspaceName') or ''
    if option == 'CheckWorkspaceExists':
        if not name:
            raise missing_parameter('WorkspaceName')
        matches = [w for w in workspaces if w['WorkspaceName'] == name]
    else:
        ids = as_csv(query.get('WorkspaceIds'))
        matches = [w for w in workspaces
                   if name.lower() in w['WorkspaceName'].lower()
                   and (not ids or w['WorkspaceId'] in ids)
                   and (not query.get('Status') or w['Status'] == query['Status'])
                   and (not query.get('ResourceGroupId') or w['ResourceGroupId'] == query['ResourceGroupId'])]
    matches.sort(key=lambda w: (w[sort_by], w['_seq']), reverse=(order == 'DESC'))
    start = (page_number - 1) * size
    return {'Workspaces': [render_workspace(w, False, 'resourceGroupId') for w in matches[start:start + size]],
            'TotalCount': len(matches)}


def get_default_workspace(call):
    workspace = render_workspace(call.state.default_workspace(), as_bool(call.query.get('Verbose'), 'Verbose'))
    for field in ('IsDefault', 'AdminNames', 'ExtraInfos', 'ResourceGroupId'):
        workspace.pop(field)
    workspace['Conditions'] = []
    return workspace


class Route:
    def __init__(self, method, template, action, handler):
        self.method = method
        self.segments = template.strip('/').split('/')
        self.action = action
        self.handler = handler

    def match(self, method, segments):
        if method != self.method or len(segments) != len(self.segments):
            return None
        params = {}
        for pattern, segment in zip(self.segments, segments):
            if pattern.startswith('{'):
                if not segment:
                    return None
                params[pattern[1:-1]] = segment
            elif pattern != segment:
                return None
        return params


ROUTES = [
    Route('POST', '/api/v1/connections/validate', 'ValidateConnection', validate_connection),
    Route('POST', '/api/v1/connections', 'CreateConnection', create_connection),
    Route('GET', '/api/v1/connections', 'ListConnections', list_connections),
    Route('GET', '/api/v1/connections/{ConnectionId}', 'GetConnection', get_connection),
    Route('PUT', '/api/v1/connections/{ConnectionId}', 'UpdateConnection', update_connection),
    Route('DELETE', '/api/v1/connections/{ConnectionId}', 'DeleteConnection', delete_connection),
    Route('POST', '/api/v1/models', 'CreateModel', create_model),
    Route('GET', '/api/v1/models', 'ListModels', list_models),
    Route('GET', '/api/v1/models/{ModelId}', 'GetModel', get_model),
    Route('PUT', '/api/v1/models/{ModelId}', 'UpdateModel', update_model),
    Route('DELETE', '/api/v1/models/{ModelId}', 'DeleteModel', delete_model),
    Route('POST', '/api/v1/models/{ModelId}/labels', 'CreateModelLabels', create_model_labels),
    Route('DELETE', '/api/v1/models/{ModelId}/labels', 'DeleteModelLabels', delete_model_labels),
    Route('GET', '/api/v1/workspaces', 'ListWorkspaces', list_workspaces),
    Route('GET', '/api/v1/workspaces/{WorkspaceId}', 'GetWorkspace', get_workspace),
    Route('GET', '/api/v1/defaultWorkspaces', 'GetDefaultWorkspace', get_default_workspace),
]


def match_route(method, raw_path):
    """Split the raw path on '/' first, then unquote each segment (ids may contain '%2F')."""
    segments = [unquote(segment) for segment in raw_path.strip('/').split('/')]
    for route in ROUTES:
        params = route.match(method, segments)
        if params is not None:
            return route, params
    return None, None


# --------------------------------------------------------------------------------------------------
# Admin endpoints (/_emulator/...): no signature, loopback clients only

def admin_requests(state, body, query):
    return [dict(entry) for entry in state.requests]


def admin_clear_requests(state, body, query):
    state.requests = []
    return {'cleared': True}


def admin_reset(state, body, query):
    state.reset()
    return {'reset': True}


def seed_specs(body, kind):
    specs = body.get(kind) or []
    if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
        raise invalid_parameter(kind, 'must be a list of objects')
    return specs


def admin_seed(state, body, query):
    snapshot = copy.deepcopy((state.workspaces, state.connections, state.models, state.credentials))
    created = {'workspaces': [], 'connections': [], 'models': []}
    default_account = account_id_for(state.default_access_key_id)
    try:
        for spec in seed_specs(body, 'credentials'):
            state.add_credential(spec)
        for spec in seed_specs(body, 'workspaces'):
            created['workspaces'].append(state.add_workspace(spec))
        for spec in seed_specs(body, 'connections'):
            creator = as_str(spec.get('Creator'), 'Creator') or default_account
            created['connections'].append(
                state.add_connection(spec, creator, as_str(spec.get('ConnectionId'), 'ConnectionId')))
        for spec in seed_specs(body, 'models'):
            owner = as_str(spec.get('OwnerId'), 'OwnerId') or default_account
            model_id = state.add_model(spec, owner, as_str(spec.get('ModelId'), 'ModelId'))
            model = state.models[model_id]
            model['Provider'] = as_str(spec.get('Provider'), 'Provider') or None
            model['Collections'] = as_str_list(spec.get('Collections'), 'Collections')
            created['models'].append(model_id)
    except ApiError:
        state.workspaces, state.connections, state.models, state.credentials = snapshot
        raise
    return created


def admin_list_faults(state, body, query):
    return copy.deepcopy(state.faults)


def admin_add_fault(state, body, query):
    kind = as_enum(body.get('type'), 'type', FAULT_TYPES)
    if kind is None:
        raise missing_parameter('type')
    fault = {
        'action': as_str(body.get('action'), 'action') or '*',
        'count': as_int(body.get('count'), 'count', 1, 1),
        'type': kind,
        'status': as_int(body.get('status'), 'status', None, 100, 599),
        'code': as_str(body.get('code'), 'code'),
        'message': as_str(body.get('message'), 'message'),
        'seconds': body.get('seconds', 1.0),
        'retry_after': as_int(body.get('retry_after'), 'retry_after', None, 1),
    }
    if isinstance(fault['seconds'], bool) or not isinstance(fault['seconds'], (int, float)) or fault['seconds'] < 0:
        raise invalid_parameter('seconds', 'must be a non-negative number')
    state.faults.append(fault)
    return copy.deepcopy(state.faults)


def admin_clear_faults(state, body, query):
    state.faults = []
    return []


def admin_state(state, body, query):
    return state.dump(plain_secrets=query.get('secrets') == 'plain')


def admin_get_behaviours(state, body, query):
    return dict(state.behaviours)


def admin_set_behaviours(state, body, query):
    """Set some behaviours ({name: value, ...}); all or nothing. Returns the whole map."""
    try:
        changes = check_behaviours(body)
    except ValueError as exc:
        raise ApiError(400, 'InvalidParameter', str(exc)) from None
    state.behaviours.update(changes)
    return dict(state.behaviours)


ADMIN_ROUTES = {
    ('GET', 'requests'): admin_requests,
    ('DELETE', 'requests'): admin_clear_requests,
    ('POST', 'reset'): admin_reset,
    ('POST', 'seed'): admin_seed,
    ('GET', 'faults'): admin_list_faults,
    ('POST', 'faults'): admin_add_fault,
    ('DELETE', 'faults'): admin_clear_faults,
    ('GET', 'state'): admin_state,
    ('GET', 'behaviours'): admin_get_behaviours,
    ('POST', 'behaviours'): admin_set_behaviours,
}


def fault_error(fault):
    status, code, message = FAULT_ERRORS[fault['type']]
    headers = {}
    if fault['retry_after'] is not None:
        headers['x-acs-retry-after'] = str(fault['retry_after'])
    return ApiError(fault['status'] or status, fault['code'] or code, fault['message'] or message, headers)


# --------------------------------------------------------------------------------------------------
# HTTP server

def is_loopback(address):
    try:
        ip = ipaddress.ip_address(address.split('%')[0])
    except ValueError:
        return False
    mapped = getattr(ip, 'ipv4_mapped', None)
    return (mapped or ip).is_loopback


def parse_json_object(body):
    if not body:
        return {}
    try:
        parsed = json.loads(body.decode('utf-8'))
    except ValueError:
        raise ApiError(400, 'InvalidParameter', 'The request body is not valid JSON.') from None
    if not isinstance(parsed, dict):
        raise ApiError(400, 'InvalidParameter', 'The request body must be a JSON object.')
    return parsed


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'PAIEmulator/1.0'
    timeout = 120  # idle keep-alive connections are closed after this many seconds
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    def log_message(self, format, *args):  # noqa: A002 (signature of the base class)
        """Silent: the request log is available at GET /_emulator/requests."""

    def _dispatch(self):
        url = urlsplit(self.path)
        body = self._read_body()
        if url.path.startswith('/_emulator/'):
            self._handle_admin(url, body)
        else:
            self._handle_api(url, body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def _read_body(self):
        if 'chunked' in (self.headers.get('transfer-encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get('content-length') or 0))

    def _send_json(self, status, payload, request_id, extra_headers=None):
        data = json.dumps(payload, ensure_ascii=False).encode('utf-8')
        self.send_response(status)
        self.send_header('Content-Type', 'application/json;charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        self.send_header('x-acs-request-id', request_id)
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error_body(self, err, request_id):
        return {
            'RequestId': request_id,
            'HostId': self.headers.get('host', ''),
            'Code': err.code,
            'Message': err.message,
            'Recommend': 'https://api.aliyun.com/troubleshoot?q=%s&product=%s&requestId=%s'
                         % (err.code, PRODUCT, request_id),
        }

    def _handle_admin(self, url, body):
        state = self.server.state
        request_id = str(uuid.uuid4()).upper()
        try:
            if not is_loopback(self.client_address[0]):
                raise ApiError(403, 'Forbidden', 'The emulator admin API only accepts loopback clients.')
            handler = ADMIN_ROUTES.get((self.command, url.path[len('/_emulator/'):].strip('/')))
            if handler is None:
                raise ApiError(404, 'NotFound', 'Unknown admin endpoint %s %s' % (self.command, url.path))
            with state.lock:
                payload = handler(state, parse_json_object(body), dict(parse_qsl(url.query)))
            self._send_json(200, payload, request_id)
        except Exception as exc:  # ApiError, or an emulator bug answered as InternalError
            err = exc if isinstance(exc, ApiError) else internal_error(exc)
            self._send_json(err.status, self._error_body(err, request_id), request_id, err.headers)

    def _handle_api(self, url, body):
        state = self.server.state
        request_id = str(uuid.uuid4()).upper()
        req = ApiRequest(self.command, url.path, url.query, self.headers, body)
        route, params = match_route(self.command, req.raw_path)
        try:
            logged_body = mask_secrets_for_log(json.loads(body.decode('utf-8'))) if body else None
        except ValueError:
            logged_body = None
        entry = {'seq': state.next_request_seq(), 'method': self.command, 'path': req.raw_path,
                 'query': dict(req.query), 'action': route.action if route else None, 'status': None,
                 'code': None, 'mutated': False, 'fault': None, 'body': logged_body}
        headers = {}
        try:
            payload = self._call_api(state, req, route, params, entry)
            payload['RequestId'] = request_id
            entry['status'] = 200
        except DropConnection:
            state.log_request(entry)
            self.close_connection = True
            return
        except Exception as exc:  # ApiError, or an emulator bug answered as InternalError
            err = exc if isinstance(exc, ApiError) else internal_error(exc)
            payload, headers = self._error_body(err, request_id), err.headers
            entry['status'], entry['code'] = err.status, err.code
        state.log_request(entry)
        self._send_json(entry['status'], payload, request_id, headers)

    def _call_api(self, state, req, route, params, entry):
        with state.lock:
            access_key_id = authenticate(state, req)
        action_header = req.header('x-acs-action')
        if route is None:
            raise ApiError(404, 'InvalidAction.NotFound',
                           'Specified api is not found, please check your url and method: %s %s'
                           % (req.method, req.raw_path))
        if action_header and action_header != route.action:
            raise ApiError(400, 'InvalidAction.Mismatch',
                           'The x-acs-action "%s" does not match the action %s of %s %s.'
                           % (action_header, route.action, req.method, req.raw_path))
        fault = state.take_fault(route.action)
        kind = fault['type'] if fault else None
        entry['fault'] = kind
        if kind in FAULT_ERRORS:
            raise fault_error(fault)
        if kind == 'drop':
            raise DropConnection()
        if kind == 'delay':
            time.sleep(fault['seconds'])
        call = Call(state, req, params, access_key_id, parse_json_object(req.body))
        with state.lock:  # handlers return fresh copies, never the stored objects
            payload = route.handler(call)
            entry['mutated'] = call.mutated
        if kind == 'apply_then_drop':
            raise DropConnection()
        return payload


class EmulatorHTTPServer(ThreadingHTTPServer):
    def __init__(self, address, state):
        self.state = state
        super().__init__(address, EmulatorRequestHandler)


class RunningEmulator:
    """Handle returned by serve_in_thread(): .url, .host, .port, .state, .stop()."""

    def __init__(self, server, host):
        self.server = server
        self.state = server.state
        self.host = host
        self.port = server.server_address[1]
        self.url = 'http://%s:%d' % (host, self.port)
        self._thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.1},
                                        name='pai-emulator', daemon=True)
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()


def serve_in_thread(host='127.0.0.1', port=0, access_key_id=DEFAULT_ACCESS_KEY_ID,
                    access_key_secret=DEFAULT_ACCESS_KEY_SECRET, behaviours=None):
    """Start the emulator in a background thread and return a RunningEmulator.

    behaviours: {name: value} start values of behaviour switches (see BEHAVIOURS); the others keep their
    defaults. POST /_emulator/reset returns to these values. An unknown name or value raises ValueError.
    """
    state = PaiState(access_key_id, access_key_secret, behaviours)
    server = EmulatorHTTPServer((host, port), state)
    return RunningEmulator(server, host)


def parse_args(argv=None):
    """The command line; args.behaviours is the {name: value} map of the --behaviour flags."""
    parser = argparse.ArgumentParser(description='Local emulator of the Alibaba Cloud PAI AIWorkSpace API.')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=8765, help='0 picks a free port')
    parser.add_argument('--access-key-id', default=DEFAULT_ACCESS_KEY_ID)
    parser.add_argument('--access-key-secret', default=DEFAULT_ACCESS_KEY_SECRET)
    parser.add_argument('--behaviour', dest='behaviour_flags', metavar='NAME=VALUE', action='append', default=[],
                        type=parse_behaviour_flag,
                        help='start value of a behaviour switch; repeatable, the last one of a name wins. '
                             'Switches (default first): %s' % known_behaviours().replace('%', '%%'))
    args = parser.parse_args(argv)
    args.behaviours = dict(args.behaviour_flags)
    return args


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    running = serve_in_thread(args.host, args.port, args.access_key_id, args.access_key_secret,
                              behaviours=args.behaviours)
    print('PAI emulator listening on %s' % running.url, flush=True)
    while not stop.wait(0.2):
        pass
    running.stop()
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
