# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fresh local PAI emulator for one test run, and what points the modules at it (noxfile.py and ci.py use it).

The emulator (tests/emulator, standard library only) runs in a thread of the calling process on a free port of
127.0.0.1 and is stopped when the ``with`` block ends, also after a failure.
"""

import contextlib
import importlib.util
import json
import os

EMULATOR = os.environ.get('PAI_EMULATOR') or os.path.join(os.path.dirname(__file__), '..', 'emulator', 'pai_emulator.py')
KEY_ID, KEY_SECRET, WORKSPACE_ID, REGION = 'emulator-access-key-id', 'emulator-access-key-secret', '10001', 'cn-hangzhou'


@contextlib.contextmanager
def running():
    """Start an emulator; yield its URL."""
    spec = importlib.util.spec_from_file_location('pai_emulator', EMULATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with module.serve_in_thread('127.0.0.1', 0, KEY_ID, KEY_SECRET) as server:
        print(f'emulator: {server.url}', flush=True)
        yield server.url
    print(f'emulator stopped: {server.url}', flush=True)


def variables(url):
    """The ``pai_*`` variables the integration targets and the examples read."""
    return {'pai_endpoint': url, 'pai_emulator_url': url, 'pai_access_key_id': KEY_ID, 'pai_access_key_secret': KEY_SECRET,
            'pai_region': REGION, 'pai_workspace_id': WORKSPACE_ID}


def environment(url):
    """The environment variables the modules fall back to."""
    return {'ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE': url, 'ALIBABA_CLOUD_ACCESS_KEY_ID': KEY_ID, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET': KEY_SECRET,
            'ALIBABA_CLOUD_REGION_ID': REGION, 'PAI_WORKSPACE_ID': WORKSPACE_ID}


def write_variables(path, url, comment):
    """Write the ``pai_*`` variables into a YAML file (JSON values are YAML)."""
    os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(f'---\n# {comment}\n' + ''.join(f'{key}: {json.dumps(value)}\n' for key, value in variables(url).items()))
