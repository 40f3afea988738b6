# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PaiState: every emulated resource plus credentials, nonces, the request log, queued faults and behaviours."""

import copy
import random
import threading
import time

from paiemu import connections, model_versions, models, sts, workspaces
from paiemu.core import (
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_BEHAVIOURS,
    DEFAULT_WORKSPACE_ID,
    DEFAULT_WORKSPACE_NAME,
    ID_ALPHABET,
    TIME_WINDOW_SECONDS,
    ApiError,
    as_str,
    check_behaviours,
    invalid_parameter,
    name_already_exists,
)


class PaiState:
    """All emulated resources plus credentials, nonces, the request log, queued faults and behaviour switches.

    The resources are dicts keyed by id, in creation order: workspaces, connections, models, and
    model_versions ({ModelId: {VersionName: version}}); deleted_workspaces keeps the names of the workspaces
    deleted since the last reset reserved. Their logic lives in the resource files. sts holds the credential
    services' state (sts.py, metadata.py).
    """

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
            self.workspaces, self.connections, self.models, self.model_versions = {}, {}, {}, {}
            self.deleted_workspaces = {}  # {WorkspaceId: {WorkspaceId, WorkspaceName, GmtDeleteTime}}: names reserved
            self.nonces, self.requests, self.faults = {}, [], []
            self._seq = 0
            self._request_seq = 0
            sts.reset(self)  # state.sts: issued STS pairs, roles, OIDC providers and tokens, the instance role
            workspaces.add_workspace(self, {
                'WorkspaceId': DEFAULT_WORKSPACE_ID, 'WorkspaceName': DEFAULT_WORKSPACE_NAME,
                'DisplayName': DEFAULT_WORKSPACE_NAME, 'IsDefault': True,
                'Description': 'Default workspace of the PAI emulator'})

    def resources(self):
        """The stored resources, for an all-or-nothing change (POST /_emulator/seed)."""
        return (self.workspaces, self.connections, self.models, self.model_versions, self.credentials)

    def restore(self, resources):
        self.workspaces, self.connections, self.models, self.model_versions, self.credentials = resources

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

    def take_fault(self, action, wildcard=True):
        """The next queued fault for action (or for "*" when wildcard), counted down; None when there is none."""
        with self.lock:
            for fault in self.faults:
                if fault['action'] == action or (wildcard and fault['action'] == '*'):
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

    # dumps ------------------------------------------------------------------------------------

    def dump(self, plain_secrets):
        """GET /_emulator/state: every stored field; connection secrets masked unless plain_secrets."""
        return {
            'workspaces': workspaces.dump(self),
            'deleted_workspaces': workspaces.dump_deleted(self),
            'connections': connections.dump(self, plain_secrets),
            'models': models.dump(self),
            'model_versions': model_versions.dump(self),
        }
