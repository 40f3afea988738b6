# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Local emulator of the Alibaba Cloud PAI "AIWorkSpace" OpenAPI, version 2021-02-04.

Standard library only (Python 3.9+). It verifies ACS3-HMAC-SHA256 and legacy ROA ("acs AK:sig")
signatures, routes by method and path, and implements connections, models (with labels), model versions
(with labels) and workspaces (with their asynchronous status) with the response shapes of the official SDK.
On the same address it also serves the credential services automation uses: STS (AssumeRole, AssumeRoleWithOIDC)
at "/", the ECS instance metadata service under /latest/ and a credentials URI at /_credentials.
Admin endpoints under /_emulator/ inspect the request log, reset or seed the state, inject faults and switch
between plausible behaviours where the real service's behaviour is unknown ("behaviours"). See README.md next
to this file.

    python3 tests/emulator/pai_emulator.py [--host 127.0.0.1] [--port 8765]
                                           [--access-key-id ID] [--access-key-secret SECRET]
                                           [--behaviour NAME=VALUE ...]

In-process use (tests), with tests/emulator on sys.path or this file loaded by its path::

    server = pai_emulator.serve_in_thread(host='127.0.0.1', port=0, behaviours={'page_size': 'capped50'})
    ... server.url ...
    server.stop()

This file is the entry point only: the emulator lives in the package paiemu/ next to it, one file per
resource. The names below are re-exported so that pai_emulator.X keeps working for tests.
"""

import os
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)  # this file is also loaded by its path (importlib), so make paiemu importable

from paiemu import (  # noqa: E402
    admin, auth, connections, core, metadata, model_versions, models, server, state, sts, workspaces,
)
from paiemu.admin import ADMIN_ROUTES, FAULT_ERRORS, FAULT_TYPES  # noqa: E402
from paiemu.auth import ApiRequest, authenticate  # noqa: E402
from paiemu.connections import CONNECTION_MODEL_TYPES, CONNECTION_TYPES, DEFAULT_CONNECTION_TYPE  # noqa: E402
from paiemu.core import (  # noqa: E402
    ACCESSIBILITIES,
    BEHAVIOURS,
    DEFAULT_ACCESS_KEY_ID,
    DEFAULT_ACCESS_KEY_SECRET,
    DEFAULT_BEHAVIOURS,
    DEFAULT_WORKSPACE_ID,
    DEFAULT_WORKSPACE_NAME,
    LOG_SECRET_MASK,
    ORDERS,
    PAGE_SIZE_LIMIT,
    PRODUCT,
    SECRET_MASK,
    SMALL_PAGE_SIZE_LIMIT,
    TIME_WINDOW_SECONDS,
    ApiError,
    Call,
    DropConnection,
    Route,
    account_id_for,
    behaviour_problem,
    check_behaviours,
    format_time,
    known_behaviours,
    mask_secrets_for_log,
    parse_behaviour_flag,
)
from paiemu.model_versions import APPROVAL_STATUSES, METRICS_MAX_BYTES, SOURCE_TYPES  # noqa: E402
from paiemu.server import (  # noqa: E402
    ROUTES,
    EmulatorHTTPServer,
    EmulatorRequestHandler,
    RunningEmulator,
    is_loopback,
    main,
    match_route,
    parse_args,
    parse_json_object,
    serve_in_thread,
)
from paiemu.state import PaiState  # noqa: E402

__all__ = [
    # the package's modules, for anything not re-exported by name
    'admin', 'auth', 'connections', 'core', 'metadata', 'model_versions', 'models', 'server', 'state', 'sts',
    'workspaces',
    'time',  # tests pin the clock back with pai_emulator.time.time
    'ADMIN_ROUTES', 'FAULT_ERRORS', 'FAULT_TYPES', 'ApiRequest', 'authenticate',
    'CONNECTION_MODEL_TYPES', 'CONNECTION_TYPES', 'DEFAULT_CONNECTION_TYPE',
    'ACCESSIBILITIES', 'BEHAVIOURS', 'DEFAULT_ACCESS_KEY_ID', 'DEFAULT_ACCESS_KEY_SECRET', 'DEFAULT_BEHAVIOURS',
    'DEFAULT_WORKSPACE_ID', 'DEFAULT_WORKSPACE_NAME', 'LOG_SECRET_MASK', 'ORDERS', 'PAGE_SIZE_LIMIT', 'PRODUCT',
    'SECRET_MASK', 'SMALL_PAGE_SIZE_LIMIT', 'TIME_WINDOW_SECONDS', 'ApiError', 'Call', 'DropConnection', 'Route',
    'account_id_for', 'behaviour_problem', 'check_behaviours', 'format_time', 'known_behaviours',
    'mask_secrets_for_log', 'parse_behaviour_flag',
    'APPROVAL_STATUSES', 'METRICS_MAX_BYTES', 'SOURCE_TYPES',
    'ROUTES', 'EmulatorHTTPServer', 'EmulatorRequestHandler', 'RunningEmulator', 'is_loopback', 'main',
    'match_route', 'parse_args', 'parse_json_object', 'serve_in_thread',
    'PaiState',
]

if __name__ == '__main__':
    raise SystemExit(main())
