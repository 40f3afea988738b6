# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A fresh local PAI emulator for one test run, and what points the modules at it (noxfile.py and ci.py use it).

``running()``: the emulator (tests/emulator, standard library only) runs in a thread of the calling process on a
free port of 127.0.0.1 and is stopped when the ``with`` block ends, also after a failure.

``start_background()`` / ``stop_background()``: the emulator as a process of its own that outlives the caller
(``make emulator-start``, ``KEEP=1 make demo``), found again through a small JSON state file with its URL and PID.
"""

import collections
import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

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


def _alive(pid):
    """True when ``pid`` is a running emulator (its command line names pai_emulator.py: not a recycled PID)."""
    try:
        with open(f'/proc/{pid}/cmdline', 'rb') as handle:
            return b'pai_emulator.py' in handle.read()
    except OSError:
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def background_status(state_file):
    """``{'url', 'pid', 'log'}`` of the background emulator that ``state_file`` records, or None when it is not running
    (a stale state file is removed)."""
    try:
        with open(state_file, encoding='utf-8') as handle:
            state = json.load(handle)
    except (OSError, ValueError):
        return None
    if _alive(state.get('pid', 0)):
        return state
    os.unlink(state_file)
    return None


def start_background(state_file, log_file, port, cwd=None, timeout=30):
    """Start the emulator in a process (and session) of its own on 127.0.0.1:``port``, output to ``log_file``; wait until
    it listens; record it in ``state_file``. Returns the state. Raises RuntimeError when it does not start."""
    for path in (state_file, log_file):
        os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
    with open(log_file, 'w', encoding='utf-8') as log:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, os.path.abspath(EMULATOR), '--host', '127.0.0.1', '--port', str(port)], cwd=cwd, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log_file, encoding='utf-8', errors='replace') as handle:
            output = handle.read()
        if 'PAI emulator listening on ' in output:
            state = {'url': output.split('PAI emulator listening on ', 1)[1].split()[0], 'pid': process.pid, 'log': log_file}
            with open(state_file, 'w', encoding='utf-8') as handle:
                json.dump(state, handle)
            return state
        if process.poll() is not None:
            raise RuntimeError(f'the emulator exited with {process.returncode} before listening: {output.strip()[-500:]}')
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f'the emulator did not listen within {timeout} s (see {log_file})')


def stop_background(state_file, timeout=10):
    """Stop the background emulator that ``state_file`` records (SIGTERM, SIGKILL after ``timeout`` s); its state, or
    None when none was running."""
    state = background_status(state_file)
    if state:
        os.kill(state['pid'], signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(state['pid']) and time.monotonic() < deadline:
            time.sleep(0.1)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(state['pid'], os.WNOHANG)  # our own child when started by this process
        if _alive(state['pid']):
            os.kill(state['pid'], signal.SIGKILL)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(state_file)
    return state


def request_log(url, timeout=10):
    """The emulator's request log (``GET /_emulator/requests``): one dict per PAI API request."""
    with urllib.request.urlopen(url.rstrip('/') + '/_emulator/requests', timeout=timeout) as response:  # nosec: loopback
        return json.load(response)


def summarize_requests(entries):
    """Lines that sum up a request log: the totals, then the requests per action."""
    per_action = collections.Counter(entry.get('action') or f"{entry.get('method')} {entry.get('path')}" for entry in entries)
    writes = sum(1 for entry in entries if entry.get('mutated'))
    errors = sum(1 for entry in entries if (entry.get('status') or 0) >= 400)
    lines = [f'{len(entries)} PAI API requests: {writes} changed something, {errors} answered with an error']
    width = max((len(action) for action in per_action), default=0)
    lines += [f'  {action:<{width}}  {count:>4}' for action, count in sorted(per_action.items(), key=lambda item: (-item[1], item[0]))]
    return lines
