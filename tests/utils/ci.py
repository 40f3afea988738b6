# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Test and demo driver behind the Makefile (standard library only, Python 3.9+).

``python3 tests/utils/ci.py test`` runs every CI step in order, stops at the first failing step and
always ends with a summary table and one ``N passed, N failed`` line. Every other command runs one
step (after a quick, idempotent set-up), see ``--help``.

How ansible-test is run here (no container engine, no route to ansible-test's download host):

* ``.venv`` (Python 3.12) holds the current tool set (``tests/requirements-dev.txt``), ``.venv-oldest``
  (Python 3.11) the oldest supported ansible-core (``tests/utils/requirements-oldest.txt``).
* ``build/python/`` holds links ``python3.9`` ... ``python3.13`` to the real interpreters; it comes first
  on PATH and pyenv's shims are dropped from PATH, because ansible-test runs ``python3.X`` with a
  cleaned environment in which the shims fail.
* ``tests/utils/get_pip_standin.py`` is cached as ``~/.ansible/test/cache/get_pip_<version>.py`` for
  every pip version the installed ansible-core releases pin.
* ansible-test runs inside a copy of the collection at
  ``$TMPDIR/alicloud-pai-test-<hash of the checkout path>/<name>/ansible_collections/alicloud/pai``
  (it refuses a symlinked tree, and inside this checkout it would list the checkout's files). The copy holds the
  files ``git ls-files -co --exclude-standard`` lists, so uncommitted new files are tested too; its
  ``tests/output`` is kept between runs, so ansible-test's virtual environments stay warm.
* Integration tests run against the local PAI emulator, started on a free port before
  ``ansible-test integration`` and stopped afterwards, even when the tests fail.
* The steps that use the built collection (``ee``, ``module-docs``, ``awx``: pytest suites in ``tests/awx`` and
  ``tests/docs``) get the tarball of ``build/dist`` through ``PAI_COLLECTION_TARBALL``; it is rebuilt when the
  collection's files changed since the build step made it.
* ``docs/modules`` holds the generated module pages: ``docs`` writes them, ``docs-check`` (in ``test``) fails when
  they differ from what antsibull-docs generates now.
* In ``test``, the oldest-core steps run in a background lane beside the main integration tests (both
  mostly wait on one process at a time); their output is printed when the run reaches them.
"""

from __future__ import annotations

import argparse
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import uuid
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, 'build')
LOGS = os.path.join(BUILD, 'logs')
PYTHON_LINKS = os.path.join(BUILD, 'python')
# The ansible-test copies live outside the checkout: ansible-test walks up from the collection to the
# nearest .git and would list this repository's files (where build/ is ignored) instead of the copy's.
WORK = os.environ.get('PAI_TEST_WORKDIR') or os.path.join(
    tempfile.gettempdir(), 'alicloud-pai-test-' + hashlib.sha256(ROOT.encode('utf-8')).hexdigest()[:12])
VENV = os.path.join(ROOT, '.venv')
VENV_OLDEST = os.path.join(ROOT, '.venv-oldest')
DEV_REQUIREMENTS = os.path.join(ROOT, 'tests', 'requirements-dev.txt')
OLDEST_REQUIREMENTS = os.path.join(ROOT, 'tests', 'utils', 'requirements-oldest.txt')
CONFORMANCE_DIR = os.path.join(ROOT, 'tests', 'conformance')
CONFORMANCE_REQUIREMENTS = os.path.join(CONFORMANCE_DIR, 'requirements.txt')
GET_PIP_STANDIN = os.path.join(ROOT, 'tests', 'utils', 'get_pip_standin.py')
GET_PIP_CACHE = os.path.expanduser('~/.ansible/test/cache')
EMULATOR = os.environ.get('PAI_EMULATOR') or os.path.join(ROOT, 'tests', 'emulator', 'pai_emulator.py')

NAMESPACE = 'alicloud'
COLLECTION = 'pai'
PYTHON_VERSIONS = ('3.9', '3.10', '3.11', '3.12', '3.13')
DEV_PYTHON = '3.12'
OLDEST_PYTHON = '3.11'

EMULATOR_KEY_ID = 'emulator-access-key-id'
EMULATOR_KEY_SECRET = 'emulator-access-key-secret'
EMULATOR_WORKSPACE_ID = '10001'
EMULATOR_REGION = 'cn-hangzhou'
EMULATOR_START_TIMEOUT = 30

VERBOSE = os.environ.get('VERBOSE', '') not in ('', '0', 'false', 'no')
# KEEP_GOING=1 runs the remaining steps after a failed one (the run still fails); for local debugging.
KEEP_GOING = os.environ.get('KEEP_GOING', '') not in ('', '0', 'false', 'no')
# PARALLEL=0 runs the oldest-core steps after the others instead of beside the main integration tests.
PARALLEL = os.environ.get('PARALLEL', '1') not in ('', '0', 'false', 'no')

# pip's chatter, hidden from the terminal (it stays in build/logs/*.log) unless VERBOSE=1.
NOISE = re.compile(
    r"^\s*("
    r"WARNING: Location '.*' is ignored|Looking in (indexes|links):|Collecting |Downloading |Using cached |"
    r"Requirement already satisfied|Installing collected packages|Successfully installed|Attempting uninstall|"
    r"Found existing installation|Uninstalling |Successfully uninstalled|Processing /|Obtaining |"
    r"Building wheel|Created wheel|Stored in directory|Preparing metadata|Getting requirements|"
    r"Installing build dependencies|Building wheels for|Running setup.py|Using legacy|"
    r"[\u2501\u2578\u257a ]+ [\d.]+/[\d.]+ [kMG]?B"
    r")"
)


class StepFailed(Exception):
    """A step failed; the message says why."""


class Step:
    """One line of the summary."""

    def __init__(self, key, title):
        self.key = key
        self.title = title
        self.status = 'not run'
        self.passed = None
        self.failed = None
        self.skipped = None
        self.duration = None
        self.note = ''

    def counts(self, passed=0, failed=0, skipped=0):
        """Add test counts to this step."""
        self.passed = (self.passed or 0) + passed
        self.failed = (self.failed or 0) + failed
        self.skipped = (self.skipped or 0) + skipped


# ---------------------------------------------------------------------------------------------------
# output helpers


# Output of a step that runs in a background lane is collected and printed when the lane is joined.
_THREAD = threading.local()


def _write(text):
    lane = getattr(_THREAD, 'lane', None)
    if lane is not None:
        lane.output.append(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def say(message=''):
    """Print a line of the driver's own output."""
    _write(message + '\n')


def banner(text):
    """Print a step banner."""
    say('')
    say('=' * 100)
    say('== %s' % text)
    say('=' * 100)


def format_duration(seconds):
    """Return ``1m02s`` / ``4.2s``."""
    if seconds is None:
        return '-'
    if seconds >= 60:
        return '%dm%02ds' % divmod(int(round(seconds)), 60)
    return '%.1fs' % seconds


def run(cmd, cwd=ROOT, env=None, log=None, check=True, quiet=False):
    """Run a command, stream its output (minus pip noise) and return ``(returncode, output)``."""
    if cwd == ROOT:
        say('$ %s' % ' '.join(cmd))
    else:
        say('$ (cd %s && %s)' % (os.path.relpath(cwd, ROOT) if cwd.startswith(ROOT + os.sep) else cwd, ' '.join(cmd)))
    lines = []
    log_file = open(log, 'a', encoding='utf-8') if log else None  # pylint: disable=consider-using-with
    try:
        if log_file:
            log_file.write('$ %s\n' % ' '.join(cmd))
        lane = getattr(_THREAD, 'lane', None)
        if lane is not None and lane.cancelled.is_set():
            raise StepFailed('cancelled')
        # Its own session, so that an interrupted run can stop the command with everything it started.
        with subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, errors='replace', bufsize=1, start_new_session=True) as process:
            if lane is not None:
                lane.processes.add(process)
            try:
                for line in process.stdout:
                    lines.append(line)
                    if log_file:
                        log_file.write(line)
                    if not quiet and (VERBOSE or not NOISE.match(line)):
                        _write(line)
                returncode = process.wait()
            except BaseException:
                _stop_process_group(process)
                raise
            finally:
                if lane is not None:
                    lane.processes.discard(process)
    finally:
        if log_file:
            log_file.close()
    output = ''.join(lines)
    if check and returncode != 0:
        if quiet:
            _write(output)
        raise StepFailed('%s exited with %d' % (os.path.basename(cmd[0]), returncode))
    return returncode, output


def _stop_process_group(process):
    """SIGTERM the process group of ``process``, SIGKILL it if still there after 10 seconds."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except OSError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


# ---------------------------------------------------------------------------------------------------
# interpreters, virtual environments, get-pip stand-ins


def _is_shim_dir(path):
    return os.path.basename(os.path.normpath(path)) == 'shims'


def _version_key(path):
    match = re.search(r'(\d+)\.(\d+)\.(\d+)', path)
    return tuple(int(part) for part in match.groups()) if match else (0, 0, 0)


def find_interpreter(version):
    """Return the path of a real (non-shim) ``python<version>`` that has ``venv`` and ``ensurepip``."""
    candidates = []
    pyenv_root = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    installs = glob.glob(os.path.join(pyenv_root, 'versions', version + '.*', 'bin', 'python' + version))
    candidates.extend(sorted(installs, key=_version_key, reverse=True))
    for directory in os.environ.get('PATH', '').split(os.pathsep) + ['/usr/local/bin', '/usr/bin']:
        if directory and not _is_shim_dir(directory) and os.path.abspath(directory) != PYTHON_LINKS:
            candidates.append(os.path.join(directory, 'python' + version))
    probe = 'import ensurepip, sys, venv; print("%d.%d" % sys.version_info[:2])'
    for candidate in candidates:
        if not os.access(candidate, os.X_OK):
            continue
        try:
            result = subprocess.run([candidate, '-c', probe], env={'PATH': '/usr/bin:/bin'}, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                                    timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if result.returncode == 0 and result.stdout.strip() == version:
            return os.path.realpath(candidate)
    return None


def ensure_python_links():
    """Link ``build/python/python3.X`` to every real interpreter found; return ``{version: path}``."""
    found = {}
    os.makedirs(PYTHON_LINKS, exist_ok=True)
    for version in PYTHON_VERSIONS:
        link = os.path.join(PYTHON_LINKS, 'python' + version)
        target = find_interpreter(version)
        if os.path.lexists(link) and (not target or os.readlink(link) != target):
            os.unlink(link)
        if target:
            found[version] = target
            if not os.path.lexists(link):
                os.symlink(target, link)
    missing = [version for version in PYTHON_VERSIONS if version not in found]
    listing = ', '.join('%s (%s)' % (version, found[version]) for version in PYTHON_VERSIONS if version in found)
    say('Python interpreters: %s' % listing)
    if missing:
        say('WARNING: no usable interpreter for Python %s; ansible-test skips those versions.' % ', '.join(missing))
    return found


def _hash_files(paths, extra=''):
    digest = hashlib.sha256(extra.encode('utf-8'))
    for path in paths:
        digest.update(path.encode('utf-8'))
        with open(path, 'rb') as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def ensure_venv(venv, interpreter, requirement_files, log):
    """Create ``venv`` with ``interpreter`` and install the requirement files, unless already up to date."""
    marker = os.path.join(venv, '.alicloud-pai-requirements')
    wanted = _hash_files(requirement_files, extra=interpreter)
    python = os.path.join(venv, 'bin', 'python')
    if os.path.exists(marker) and os.access(python, os.X_OK):
        with open(marker, encoding='utf-8') as handle:
            if handle.read().strip() == wanted:
                say('%s is up to date' % os.path.relpath(venv, ROOT))
                return python
    if os.access(python, os.X_OK):
        current = subprocess.run([python, '-c', 'import sys; print(sys._base_executable)'], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, universal_newlines=True, check=False).stdout.strip()
        if os.path.realpath(current) != os.path.realpath(interpreter):
            shutil.rmtree(venv)
    if not os.path.exists(python):
        run([interpreter, '-m', 'venv', venv], log=log)
    command = [python, '-m', 'pip', 'install', '--disable-pip-version-check']
    for path in requirement_files:
        command.extend(['-r', os.path.relpath(path, ROOT)])
    run(command, log=log)
    with open(marker, 'w', encoding='utf-8') as handle:
        handle.write(wanted + '\n')
    return python


def pip_pins(venv):
    """Return the pip versions the ansible-test in ``venv`` bootstraps its environments with."""
    pattern = os.path.join(venv, 'lib', 'python*', 'site-packages', 'ansible_test', '_internal', 'python_requirements.py')
    pins = set()
    for path in glob.glob(pattern):
        with open(path, encoding='utf-8') as handle:
            pins.update(re.findall(r"\bpip='(\d+(?:\.\d+)*)'", handle.read()))
    if not pins:
        raise StepFailed('could not find the pip pin of ansible-test in %s' % venv)
    return sorted(pins, key=lambda pin: [int(part) for part in pin.split('.')])


def ensure_get_pip_standins(venv):
    """Cache the get-pip stand-in under every name the ansible-test in ``venv`` looks for."""
    with open(GET_PIP_STANDIN, 'rb') as handle:
        content = handle.read()
    os.makedirs(GET_PIP_CACHE, exist_ok=True)
    for pin in pip_pins(venv):
        path = os.path.join(GET_PIP_CACHE, 'get_pip_%s.py' % pin.replace('.', '_'))
        current = None
        if os.path.exists(path):
            with open(path, 'rb') as handle:
                current = handle.read()
        if current != content:
            with open(path, 'wb') as handle:
                handle.write(content)
            say('wrote the get-pip stand-in for pip %s: %s' % (pin, path))
        else:
            say('get-pip stand-in for pip %s is in place: %s' % (pin, path))


def setup(oldest=False, log=None):
    """Set up interpreters, .venv (and .venv-oldest) and the get-pip stand-ins. Idempotent."""
    found = ensure_python_links()
    needed = [DEV_PYTHON] + ([OLDEST_PYTHON] if oldest else [])
    for version in needed:
        if version not in found:
            raise StepFailed('Python %s is required but was not found (looked in pyenv and on PATH)' % version)
    requirements = [DEV_REQUIREMENTS]
    if os.path.exists(CONFORMANCE_REQUIREMENTS):
        requirements.append(CONFORMANCE_REQUIREMENTS)
    start = time.monotonic()
    ensure_venv(VENV, found[DEV_PYTHON], requirements, log)
    ensure_get_pip_standins(VENV)
    say('(.venv ready in %s)' % format_duration(time.monotonic() - start))
    if oldest:
        start = time.monotonic()
        ensure_venv(VENV_OLDEST, found[OLDEST_PYTHON], [OLDEST_REQUIREMENTS], log)
        ensure_get_pip_standins(VENV_OLDEST)
        say('(.venv-oldest ready in %s)' % format_duration(time.monotonic() - start))


def tool_env(venv=VENV):
    """Environment for the tools: interpreter links and ``venv/bin`` first, pyenv shims removed."""
    env = dict(os.environ)
    path = [PYTHON_LINKS, os.path.join(venv, 'bin')]
    path.extend(entry for entry in env.get('PATH', '').split(os.pathsep) if entry and not _is_shim_dir(entry) and entry not in path)
    env['PATH'] = os.pathsep.join(path)
    env['VIRTUAL_ENV'] = venv
    env.pop('PYTHONPATH', None)
    env.pop('PYTHONHOME', None)
    env.setdefault('ANSIBLE_NOCOLOR', '1')
    env['ANSIBLE_FORCE_COLOR'] = '0'
    env['PYTHONDONTWRITEBYTECODE'] = '1'
    return env


def venv_tool(name, venv=VENV):
    """Path of an executable installed in ``venv``."""
    return os.path.join(venv, 'bin', name)


# ---------------------------------------------------------------------------------------------------
# collection copies


def collection_files():
    """Relative paths of the files that belong to the collection checkout (tracked or new, not ignored)."""
    try:
        result = subprocess.run(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], cwd=ROOT,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        names = [name for name in result.stdout.decode('utf-8', 'surrogateescape').split('\0') if name]
    except (OSError, subprocess.CalledProcessError):
        names = []
        skip = {'.git', '.venv', 'build', '.ansible', '.pytest_cache', '__pycache__'}
        for directory, dirs, files in os.walk(ROOT):
            rel_dir = os.path.relpath(directory, ROOT)
            dirs[:] = [d for d in dirs if d not in skip and not d.startswith('.venv')
                       and os.path.normpath(os.path.join(rel_dir, d)) != os.path.join('tests', 'output')]
            names.extend(os.path.normpath(os.path.join(rel_dir, name)) for name in files)
    return sorted(name for name in set(names) if os.path.isfile(os.path.join(ROOT, name)) or os.path.islink(os.path.join(ROOT, name)))


def sync_copy(name):
    """Refresh ``<WORK>/<name>/ansible_collections/alicloud/pai`` from the checkout; keep its tests/output."""
    dest = os.path.join(WORK, name, 'ansible_collections', NAMESPACE, COLLECTION)
    os.makedirs(dest, exist_ok=True)
    keep = os.path.join(dest, 'tests', 'output')
    for entry in os.listdir(dest):
        path = os.path.join(dest, entry)
        if entry == 'tests' and os.path.isdir(path) and not os.path.islink(path):
            for sub in os.listdir(path):
                sub_path = os.path.join(path, sub)
                if sub_path != keep:
                    _remove(sub_path)
        else:
            _remove(path)
    for rel in collection_files():
        source = os.path.join(ROOT, rel)
        target = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
    for stale in ('junit', 'bot', 'coverage', 'reports', 'results'):
        _remove(os.path.join(keep, stale))
    return dest


def collections_path_for_checkout():
    """A collections path whose ``ansible_collections/alicloud/pai`` is a symlink to this checkout.

    ansible-playbook and ansible-lint accept the symlink (ansible-test does not). It lives outside the checkout so
    that nothing walking the checkout meets a link back to it.
    """
    path = os.path.join(WORK, 'collections')
    link = os.path.join(path, 'ansible_collections', NAMESPACE, COLLECTION)
    if not (os.path.islink(link) and os.readlink(link) == ROOT):
        _remove(link)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return path


def _remove(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


# ---------------------------------------------------------------------------------------------------
# emulator


class Emulator:
    """The local PAI emulator on a free port; a context manager that always stops it."""

    def __init__(self, log, port=0):
        self.log = log
        self.port = port
        self.process = None
        self.url = None
        self._drain = None

    def __enter__(self):
        if not os.path.exists(EMULATOR):
            raise StepFailed('the emulator %s does not exist' % os.path.relpath(EMULATOR, ROOT))
        python = os.path.join(VENV, 'bin', 'python')
        cmd = [python, EMULATOR, '--host', '127.0.0.1', '--port', str(self.port)]
        say('$ %s' % ' '.join(cmd))
        log_file = open(self.log, 'a', encoding='utf-8')  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,  # pylint: disable=consider-using-with
                                        stderr=subprocess.STDOUT, universal_newlines=True, bufsize=1)
        ready = threading.Event()

        def drain():
            for line in self.process.stdout:
                log_file.write(line)
                log_file.flush()
                match = re.search(r'PAI emulator listening on (http://\S+?)/?\s*$', line)
                if match and not ready.is_set():
                    self.url = match.group(1)
                    ready.set()
            log_file.close()
            ready.set()

        self._drain = threading.Thread(target=drain, daemon=True)
        self._drain.start()
        if not ready.wait(EMULATOR_START_TIMEOUT) or not self.url:
            self.stop()
            raise StepFailed('the emulator did not report "PAI emulator listening on ..." within %ds (see %s)'
                             % (EMULATOR_START_TIMEOUT, os.path.relpath(self.log, ROOT)))
        say('emulator: %s (pid %d, log %s)' % (self.url, self.process.pid, os.path.relpath(self.log, ROOT)))
        return self

    def stop(self):
        """Stop the emulator: SIGTERM, then SIGKILL after 10 seconds."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            say('emulator stopped (pid %d)' % self.process.pid)
        if self._drain:
            self._drain.join(5)

    def __exit__(self, *exc_info):
        self.stop()

    def variables(self):
        """The ``pai_*`` variables the integration targets and examples read."""
        return {
            'pai_endpoint': self.url,
            'pai_emulator_url': self.url,
            'pai_access_key_id': EMULATOR_KEY_ID,
            'pai_access_key_secret': EMULATOR_KEY_SECRET,
            'pai_region': EMULATOR_REGION,
            'pai_workspace_id': EMULATOR_WORKSPACE_ID,
        }

    def environment(self):
        """The environment variables the modules fall back to."""
        return {
            'ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE': self.url,
            'ALIBABA_CLOUD_ACCESS_KEY_ID': EMULATOR_KEY_ID,
            'ALIBABA_CLOUD_ACCESS_KEY_SECRET': EMULATOR_KEY_SECRET,
            'ALIBABA_CLOUD_REGION_ID': EMULATOR_REGION,
            'PAI_WORKSPACE_ID': EMULATOR_WORKSPACE_ID,
        }


def write_integration_config(copy, emulator):
    """Write tests/integration/integration_config.yml into the ansible-test copy."""
    path = os.path.join(copy, 'tests', 'integration', 'integration_config.yml')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('---\n# Written by tests/utils/ci.py for this run; points the targets at the local emulator.\n')
        for key, value in emulator.variables().items():
            handle.write('%s: %s\n' % (key, json.dumps(value)))


# ---------------------------------------------------------------------------------------------------
# result parsing


def parse_junit(paths):
    """Return ``(passed, failed, skipped)`` summed over junit XML files."""
    passed = failed = skipped = 0
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (ET.ParseError, OSError):
            continue
        for case in root.iter('testcase'):
            if case.find('failure') is not None or case.find('error') is not None:
                failed += 1
            elif case.find('skipped') is not None:
                skipped += 1
            else:
                passed += 1
    return passed, failed, skipped


def parse_sanity(output, returncode):
    """Return ``(passed, failed, skipped)`` from ansible-test sanity output."""
    ran = len(re.findall(r'^Running sanity test ', output, re.M))
    skipped = len(re.findall(r'^WARNING: Skipping sanity test ', output, re.M))
    match = re.search(r'The (\d+) sanity test\(s\) listed below \(out of \d+\) failed', output)
    failed = int(match.group(1)) if match else (1 if returncode else 0)
    return max(ran - failed, 0), failed, skipped


def parse_integration(output, returncode):
    """Return ``(passed, failed, skipped)`` counting integration targets."""
    ran = len(re.findall(r'^Running \S+ integration test (?:role|script)', output, re.M))
    failed = 1 if returncode else 0
    return max(ran - failed, 0), failed, 0


# ---------------------------------------------------------------------------------------------------
# steps


class Driver:
    """Runs steps, records their results, prints the summary."""

    def __init__(self):
        self.steps = []
        os.makedirs(LOGS, exist_ok=True)

    def add(self, key, title):
        """Register a step (shown as "not run" until it runs)."""
        step = Step(key, title)
        self.steps.append(step)
        return step

    def execute(self, step, function):
        """Run one step; return True when it passed or was skipped."""
        banner('%s: %s' % (step.key, step.title))
        for stale in glob.glob(os.path.join(LOGS, step.key + '.log')) + glob.glob(os.path.join(LOGS, step.key + '-*.log')):
            os.unlink(stale)
        start = time.monotonic()
        try:
            function(step)
            if step.status == 'not run':
                step.status = 'passed'
        except StepFailed as ex:
            step.status = 'failed'
            step.note = str(ex)
            if not step.failed:
                step.failed = 1
            say('FAILED: %s: %s' % (step.title, ex))
        except KeyboardInterrupt:
            step.status = 'stopped'
            step.note = 'interrupted'
            raise
        finally:
            step.duration = time.monotonic() - start
        return step.status != 'failed'

    def summary(self, elapsed, overlapped=False):
        """Print the summary table and the closing ``N passed, N failed`` line."""
        width = max([len(step.title) for step in self.steps] + [5]) + 2

        def row(title, result, passed, failed, skipped, duration, note=''):
            cells = [title.ljust(width), result.ljust(8)] + [str('-' if value is None else value).rjust(7) for value in (passed, failed, skipped)]
            say(' '.join(cells) + duration.rjust(10) + '  ' + note.split('\n', 1)[0])

        say('')
        say('=' * 100)
        say('Summary (logs in %s)' % os.path.relpath(LOGS, ROOT))
        row('step', 'result', 'passed', 'failed', 'skipped', 'time', 'note')
        passed = failed = 0
        for step in self.steps:
            passed += step.passed or 0
            failed += step.failed or 0
            row(step.title, step.status, step.passed, step.failed, step.skipped, format_duration(step.duration), step.note)
        row('total', '', passed, failed, '', format_duration(elapsed),
            'wall clock; the oldest-core steps ran beside the main integration tests' if overlapped else 'wall clock')
        say('=' * 100)
        say('%d passed, %d failed' % (passed, failed))
        return failed == 0 and all(step.status in ('passed', 'skipped') for step in self.steps)

    def run_all(self, plan):
        """Run ``plan`` fail-fast, print the summary and return the exit code (0, 1 or 130).

        ``plan`` is a list of ``(key, title, function, starts_with)``. Steps whose ``starts_with`` names another
        step of the plan run in a background lane that starts with that step; their output is printed when the
        plan reaches them, and a failure there stops the plan at the next step boundary.
        """
        started = time.monotonic()
        registered = [(self.add(key, title), function, starts_with) for key, title, function, starts_with in plan]
        keys = set(step.key for step, _function, _starts_with in registered)
        lanes = {}
        for step, function, starts_with in registered:
            if PARALLEL and starts_with in keys:
                lanes.setdefault(starts_with, Lane(self)).steps.append((step, function))
        lane_of = dict((step.key, lane) for lane in lanes.values() for step, _function in lane.steps)
        interrupted = False
        try:
            for step, function, _starts_with in registered:
                if step.key in lanes:
                    lanes[step.key].start()
                lane = lane_of.get(step.key)
                if lane is not None:
                    lane.finish()
                    if step.status == 'failed' and not KEEP_GOING:
                        break
                    continue
                failed_lanes = [lane for lane in lanes.values() if lane.failed()]
                if failed_lanes and not KEEP_GOING:
                    for lane in failed_lanes:
                        lane.finish()
                    break
                if not self.execute(step, function) and (step.key == 'setup' or not KEEP_GOING):
                    break
        except KeyboardInterrupt:
            interrupted = True
        finally:
            for lane in lanes.values():
                lane.cancel()
        ok = self.summary(time.monotonic() - started, overlapped=any(lane.ident is not None for lane in lanes.values()))
        if interrupted:
            return 130
        return 0 if ok else 1


class Lane(threading.Thread):
    """Steps that run one after the other in a background thread, beside the main steps."""

    def __init__(self, driver):
        super().__init__(daemon=True)
        self.driver = driver
        self.steps = []
        self.output = []
        self.processes = set()
        self.cancelled = threading.Event()
        self.printed = False

    def run(self):
        _THREAD.lane = self
        for step, function in self.steps:
            if self.cancelled.is_set() or not self.driver.execute(step, function):
                break

    def failed(self):
        """True once a step of this lane has failed."""
        return any(step.status == 'failed' for step, _function in self.steps)

    def finish(self):
        """Wait for the lane and print what it printed (once)."""
        if self.printed:
            return
        if self.is_alive():
            say('')
            say('(waiting for the steps running in the background: %s)' % ', '.join(step.title for step, _function in self.steps))
        self.join()
        self.printed = True
        sys.stdout.write(''.join(self.output))
        sys.stdout.flush()

    def cancel(self):
        """Stop the lane if it still runs; its unfinished steps show as stopped."""
        if not self.is_alive():
            return
        self.cancelled.set()
        for process in list(self.processes):
            _stop_process_group(process)
        self.join()
        # A lane that was still running ends on this cancellation, not on a failure of its own.
        for step, _function in self.steps:
            if step.status == 'failed':
                step.status, step.note, step.passed, step.failed, step.skipped = 'stopped', 'stopped early', None, None, None


def step_setup(step, oldest):
    """Step: interpreters, virtual environments, get-pip stand-ins."""
    setup(oldest=oldest, log=os.path.join(LOGS, 'setup.log'))
    step.note = 'python links, .venv%s, get-pip stand-ins' % (', .venv-oldest' if oldest else '')


def check_no_sanity_ignores():
    """Fail if any tests/sanity/ignore-*.txt has an entry: the bar is zero."""
    entries = []
    for path in sorted(glob.glob(os.path.join(ROOT, 'tests', 'sanity', 'ignore-*.txt'))):
        with open(path, encoding='utf-8') as handle:
            for number, line in enumerate(handle, 1):
                if line.strip() and not line.lstrip().startswith('#'):
                    entries.append('%s:%d: %s' % (os.path.relpath(path, ROOT), number, line.strip()))
    if entries:
        raise StepFailed('sanity ignore entries are not allowed:\n  ' + '\n  '.join(entries))


def step_sanity(step):
    """Step: ansible-test sanity on every Python."""
    check_no_sanity_ignores()
    copy = sync_copy('ansible-test')
    returncode, output = run([venv_tool('ansible-test'), 'sanity', '--venv', '--color', 'no'], cwd=copy,
                             env=tool_env(), log=os.path.join(LOGS, 'sanity.log'), check=False)
    step.counts(*parse_sanity(output, returncode))
    if returncode:
        raise StepFailed('ansible-test sanity failed')


def _units(step, venv, copy_name, python, log_name, extra_constraints=''):
    copy = sync_copy(copy_name)
    if extra_constraints:
        constraints = os.path.join(copy, 'tests', 'unit', 'constraints.txt')
        os.makedirs(os.path.dirname(constraints), exist_ok=True)
        with open(constraints, 'a', encoding='utf-8') as handle:
            handle.write('\n# added by tests/utils/ci.py for this run\n' + extra_constraints)
    cmd = [venv_tool('ansible-test', venv), 'units', '--venv', '--color', 'no']
    if python:
        cmd.extend(['--python', python])
    returncode, output = run(cmd, cwd=copy, env=tool_env(venv), log=os.path.join(LOGS, log_name), check=False)
    junit = glob.glob(os.path.join(copy, 'tests', 'output', 'junit', 'python*-units.xml'))
    passed, failed, skipped = parse_junit(junit)
    if returncode and not failed:
        failed = 1
    step.counts(passed, failed, skipped)
    if returncode:
        raise StepFailed('ansible-test units failed')
    if not junit:
        if re.search(r'All targets skipped|No (unit )?tests? (were )?found|No targets', output, re.I) or not _has_unit_tests():
            step.note = 'no unit tests yet'
        else:
            raise StepFailed('ansible-test units wrote no junit results')
    else:
        versions = set(re.sub(r'^python([\d.]+)-.*', r'\1', os.path.basename(path)) for path in junit)
        step.note = 'python ' + ', '.join(sorted(versions, key=lambda version: _version_key(version + '.0')))


def _has_unit_tests():
    return bool(glob.glob(os.path.join(ROOT, 'tests', 'unit', '**', 'test_*.py'), recursive=True))


def step_units(step):
    """Step: ansible-test units on every Python."""
    _units(step, VENV, 'ansible-test', None, 'units.log')


def _integration(step, venv, copy_name, python, log_name):
    copy = sync_copy(copy_name)
    with Emulator(os.path.join(LOGS, log_name.replace('.log', '-emulator.log'))) as emulator:
        write_integration_config(copy, emulator)
        targets = os.environ.get('TARGETS', '').split()  # `make integration TARGETS="pai_model"` runs only those
        returncode, output = run([venv_tool('ansible-test', venv), 'integration', '--venv', '--python', python, '--color', 'no']
                                 + targets, cwd=copy, env=tool_env(venv), log=os.path.join(LOGS, log_name), check=False)
    step.counts(*parse_integration(output, returncode))
    if returncode:
        raise StepFailed('ansible-test integration failed')
    if not step.passed:
        raise StepFailed('ansible-test integration ran no target')
    step.note = 'against the emulator'


def step_integration(step):
    """Step: ansible-test integration on Python 3.12 against the emulator."""
    _integration(step, VENV, 'ansible-test', DEV_PYTHON, 'integration.log')


def step_conformance(step):
    """Step: the official-SDK conformance tests (pytest in .venv)."""
    tests = [path for path in glob.glob(os.path.join(CONFORMANCE_DIR, '**', '*.py'), recursive=True)
             if re.match(r'(test_.*|.*_test)\.py$', os.path.basename(path))]
    if not tests:
        say('tests/conformance has no tests yet: skipped')
        step.status = 'skipped'
        step.note = 'no tests in tests/conformance yet'
        return
    junit = os.path.join(BUILD, 'junit', 'conformance.xml')
    os.makedirs(os.path.dirname(junit), exist_ok=True)
    _remove(junit)
    returncode, _output = run([os.path.join(VENV, 'bin', 'python'), '-m', 'pytest', os.path.relpath(CONFORMANCE_DIR, ROOT),
                               '-p', 'no:cacheprovider', '-ra', '--junit-xml', junit],
                              env=tool_env(), log=os.path.join(LOGS, 'conformance.log'), check=False)
    passed, failed, skipped = parse_junit([junit])
    if returncode and not failed:
        failed = 1
    step.counts(passed, failed, skipped)
    if returncode == 5:
        raise StepFailed('pytest collected no tests in tests/conformance')
    if returncode:
        raise StepFailed('pytest tests/conformance failed')


def step_ansible_lint(_step):
    """Step: ansible-lint, production profile, offline."""
    # Its syntax checks run ansible-playbook, which must resolve alicloud.pai (and group/alicloud.pai.pai).
    env = dict(tool_env(), ANSIBLE_COLLECTIONS_PATH=collections_path_for_checkout())
    run([venv_tool('ansible-lint'), '--profile', 'production', '--offline'], env=env, log=os.path.join(LOGS, 'ansible-lint.log'))


def step_docs_lint(_step):
    """Step: antsibull-docs lint-collection-docs with plugin docs."""
    copy = sync_copy('docs-lint')
    run([venv_tool('antsibull-docs'), 'lint-collection-docs', '--plugin-docs', '--validate-collection-refs', 'all',
         '--disallow-unknown-collection-refs', '--check-extra-docs-refs', '.'],
        cwd=copy, env=tool_env(), log=os.path.join(LOGS, 'docs-lint.log'))


def step_changelog_lint(_step):
    """Step: antsibull-changelog lint (fragments and changelog.yaml)."""
    log = os.path.join(LOGS, 'changelog-lint.log')
    run([venv_tool('antsibull-changelog'), 'lint'], env=tool_env(), log=log)
    run([venv_tool('antsibull-changelog'), 'lint-changelog-yaml', '--strict', os.path.join('changelogs', 'changelog.yaml')],
        env=tool_env(), log=log)


FORBIDDEN_IN_TARBALL = re.compile(
    r'(^|/)(\.git|\.ci|\.venv[^/]*|build|\.ansible|__pycache__|\.pytest_cache)(/|$)|'
    r'^tests/output/|^tests/integration/(inventory|integration_config\.yml|cloud-config-)|\.tar\.gz$|\.pyc$'
)


DIST = os.path.join(BUILD, 'dist')
DIST_FINGERPRINT = os.path.join(DIST, '.collection-files')


def _collection_fingerprint():
    """Names, sizes and modification times of the collection's files: changes when the tarball would change."""
    digest = hashlib.sha256()
    for rel in collection_files():
        info = os.lstat(os.path.join(ROOT, rel))
        digest.update(('%s\0%d\0%d\n' % (rel, info.st_size, info.st_mtime_ns)).encode('utf-8', 'surrogateescape'))
    return digest.hexdigest()


def build_tarball(log):
    """``ansible-galaxy collection build`` of the checkout's files into build/dist; return the tarball's path."""
    fingerprint = _collection_fingerprint()
    _remove(os.path.join(WORK, 'export'))
    export = sync_copy('export')
    _remove(DIST)
    os.makedirs(DIST)
    run([venv_tool('ansible-galaxy'), 'collection', 'build', '--force', '--output-path', DIST], cwd=export, env=tool_env(), log=log)
    tarballs = glob.glob(os.path.join(DIST, '%s-%s-*.tar.gz' % (NAMESPACE, COLLECTION)))
    if len(tarballs) != 1:
        raise StepFailed('expected one collection tarball in build/dist, found %d' % len(tarballs))
    tarball = tarballs[0]
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    leaked = [name for name in names if FORBIDDEN_IN_TARBALL.search(name)]
    if leaked:
        raise StepFailed('the tarball contains files that build_ignore should exclude: %s' % ', '.join(leaked[:20]))
    with open(DIST_FINGERPRINT, 'w', encoding='utf-8') as handle:
        handle.write(fingerprint + '\n')
    say('built %s (%d files)' % (os.path.relpath(tarball, ROOT), len(names)))
    return tarball


def current_tarball(log):
    """The tarball in build/dist when it was built from the checkout as it is now (by the build step), else a new one."""
    tarballs = glob.glob(os.path.join(DIST, '%s-%s-*.tar.gz' % (NAMESPACE, COLLECTION)))
    if len(tarballs) == 1 and os.path.exists(DIST_FINGERPRINT):
        with open(DIST_FINGERPRINT, encoding='utf-8') as handle:
            if handle.read().strip() == _collection_fingerprint():
                say('using %s (built from the current files)' % os.path.relpath(tarballs[0], ROOT))
                return tarballs[0]
    return build_tarball(log)


def step_build(step):
    """Step: ansible-galaxy collection build + install, ansible-builder introspect, galaxy-importer."""
    log = os.path.join(LOGS, 'build.log')
    env = tool_env()
    tarball = build_tarball(log)

    install = os.path.join(BUILD, 'install')
    _remove(install)
    install_env = dict(env, ANSIBLE_COLLECTIONS_PATH=install)
    run([venv_tool('ansible-galaxy'), 'collection', 'install', '--force', '--offline', '-p', install, tarball], env=install_env, log=log)
    _returncode, listing = run([venv_tool('ansible-galaxy'), 'collection', 'list', '-p', install, '%s.%s' % (NAMESPACE, COLLECTION)],
                               env=install_env, log=log)
    if '%s.%s' % (NAMESPACE, COLLECTION) not in listing:
        raise StepFailed('the installed collection is not listed by ansible-galaxy collection list')
    _returncode, introspect = run([venv_tool('ansible-builder'), 'introspect', install], env=env, log=log)
    if not re.search(r'''^\s*-\s*['"]?requests\b''', introspect, re.M):
        raise StepFailed('ansible-builder introspect does not list the requests dependency')

    config = os.path.join(BUILD, 'galaxy-importer.cfg')
    with open(config, 'w', encoding='utf-8') as handle:
        handle.write('[galaxy-importer]\nRUN_ANSIBLE_TEST = False\nRUN_ANSIBLE_LINT = True\nRUN_FLAKE8 = False\n')
    importer_output = os.path.join(BUILD, 'galaxy-importer')
    _remove(importer_output)
    os.makedirs(importer_output)
    _returncode, output = run([venv_tool('python'), '-m', 'galaxy_importer.main', '--output-path', importer_output, tarball],
                              cwd=BUILD, env=dict(env, GALAXY_IMPORTER_CONFIG=config), log=log)
    problems = [line for line in output.splitlines() if re.match(r'^\s*(ERROR|WARNING)\b', line)]
    if problems:
        raise StepFailed('galaxy-importer reported %d problem(s):\n  %s' % (len(problems), '\n  '.join(problems)))
    step.note = os.path.basename(tarball)


# The module reference pages: antsibull-docs' simplified RST (readable where the repository is browsed), written by
# `make docs` into docs/modules and checked in; `make test` regenerates them and fails when they differ.
DOCS_MODULES = os.path.join(ROOT, 'docs', 'modules')
# Parses RST pages with docutils and fails on any warning (the pages use no Sphinx roles, so plain docutils suffices).
RST_CHECK = (
    'import sys, docutils.core, docutils.utils\n'
    'bad = 0\n'
    'for path in sys.argv[1:]:\n'
    '    with open(path, encoding="utf-8") as handle:\n'
    '        text = handle.read()\n'
    '    try:\n'
    '        docutils.core.publish_doctree(text, source_path=path, settings_overrides={\n'
    '            "halt_level": 2, "report_level": 2, "warning_stream": sys.stdout, "input_encoding": "utf-8"})\n'
    '    except docutils.utils.SystemMessage as ex:\n'
    '        bad += 1\n'
    '        print("%s: %s" % (path, ex))\n'
    'print("%d of %d pages parse without warnings" % (len(sys.argv) - 1 - bad, len(sys.argv) - 1))\n'
    'sys.exit(1 if bad else 0)\n'
)


def generate_module_docs(log):
    """Write the module reference pages into build/docs-modules (a new directory) and return it."""
    out = os.path.join(BUILD, 'docs-modules')
    _remove(out)
    os.makedirs(out, mode=0o700)  # antsibull-docs only writes into a directory that only its owner can write to
    env = dict(tool_env(), ANSIBLE_COLLECTIONS_PATH=collections_path_for_checkout())
    run([venv_tool('antsibull-docs'), 'collection', '--use-current', '--output-format', 'simplified-rst', '--squash-hierarchy',
         '--no-add-antsibull-docs-version', '--fail-on-error', '--dest-dir', out, '%s.%s' % (NAMESPACE, COLLECTION)], env=env, log=log)
    # antsibull-docs copies the guides (docs/docsite/rst) into docsite/; link the index to the sources instead of
    # keeping a second copy of every guide in the repository.
    copies = os.path.join(out, 'docsite')
    if os.path.isdir(copies):
        for name in os.listdir(copies):
            if not os.path.exists(os.path.join(ROOT, 'docs', 'docsite', 'rst', name)):
                raise StepFailed('antsibull-docs wrote docsite/%s, which is not a guide in docs/docsite/rst' % name)
        _remove(copies)
    index = os.path.join(out, 'index.rst')
    with open(index, encoding='utf-8') as handle:
        text = handle.read()
    with open(index, 'w', encoding='utf-8') as handle:
        handle.write(re.sub(r'<docsite/([\w.-]+\.rst)>', r'<../docsite/rst/\1>', text))
    return out


def _files_under(directory):
    """``{relative path: content}`` of the files under ``directory``."""
    found = {}
    for current, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(current, name)
            with open(path, 'rb') as handle:
                found[os.path.relpath(path, directory)] = handle.read()
    return found


def _check_module_pages(directory, log):
    """Parse the pages with docutils: ``(pages, bad, module pages)``."""
    pages = sorted(os.path.relpath(os.path.join(directory, name), ROOT) for name in os.listdir(directory) if name.endswith('.rst'))
    script = os.path.join(BUILD, 'rst-check.py')
    with open(script, 'w', encoding='utf-8') as handle:
        handle.write(RST_CHECK)
    returncode, output = run([venv_tool('python'), os.path.relpath(script, ROOT)] + pages, env=tool_env(), log=log, check=False)
    bad = len(re.findall(r'^\S+\.rst: ', output, re.M)) or (1 if returncode else 0)
    return len(pages), bad, len([page for page in pages if page.endswith('_module.rst')])


def step_docs_write(step):
    """Step: regenerate docs/modules."""
    log = os.path.join(LOGS, 'docs-write.log')
    generated = _files_under(generate_module_docs(log))
    current = _files_under(DOCS_MODULES) if os.path.isdir(DOCS_MODULES) else {}
    written = removed = 0
    for rel in sorted(set(current) - set(generated)):
        os.unlink(os.path.join(DOCS_MODULES, rel))
        removed += 1
    for rel, content in sorted(generated.items()):
        if current.get(rel) != content:
            target = os.path.join(DOCS_MODULES, rel)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, 'wb') as handle:
                handle.write(content)
            written += 1
    for current_dir, dirs, files in os.walk(DOCS_MODULES, topdown=False):
        if not dirs and not files and current_dir != DOCS_MODULES:
            os.rmdir(current_dir)
    say('docs/modules: %d file(s) written, %d removed, %d unchanged' % (written, removed, len(generated) - written))
    pages, bad, modules = _check_module_pages(DOCS_MODULES, log)
    step.counts(pages - bad, bad)
    if bad:
        raise StepFailed('docutils found problems in the generated pages')
    step.note = '%d module pages; %d file(s) written, %d removed' % (modules, written, removed)


def step_docs_check(step):
    """Step: docs/modules is what antsibull-docs generates from the module docs now, and valid RST."""
    log = os.path.join(LOGS, 'docs-check.log')
    out = generate_module_docs(log)
    generated = _files_under(out)
    current = _files_under(DOCS_MODULES) if os.path.isdir(DOCS_MODULES) else {}
    stale = sorted(rel for rel in set(generated) | set(current) if generated.get(rel) != current.get(rel))
    if stale:
        for rel in stale:
            state = 'missing' if rel not in current else 'not generated any more' if rel not in generated else 'differs'
            say('  docs/modules/%s: %s' % (rel, state))
        step.counts(len(generated) - len(stale), len(stale))
        raise StepFailed('docs/modules is out of date with the module docs (%d file(s)); run `make docs` and commit docs/modules'
                         % len(stale))
    say('docs/modules matches the generated pages (%d files)' % len(generated))
    _pages, bad, modules = _check_module_pages(out, log)
    step.counts(len(generated) - bad, bad)
    if bad:
        raise StepFailed('docutils found problems in the generated pages')
    step.note = '%d module pages up to date, valid RST' % modules


def _pytest(step, name, paths, env):
    """Run pytest on ``paths`` in .venv with a junit report; count its tests into ``step``."""
    junit = os.path.join(BUILD, 'junit', name + '.xml')
    os.makedirs(os.path.dirname(junit), exist_ok=True)
    _remove(junit)
    base = os.path.join(BUILD, 'pytest', name)
    _remove(base)
    os.makedirs(os.path.dirname(base), exist_ok=True)
    cmd = [venv_tool('python'), '-m', 'pytest'] + paths + ['-p', 'no:cacheprovider', '-ra', '--junit-xml', junit, '--basetemp', base]
    returncode, output = run(cmd, env=env, log=os.path.join(LOGS, name + '.log'), check=False)
    passed, failed, skipped = parse_junit([junit])
    if returncode and not failed:
        failed = 1
    step.counts(passed, failed, skipped)
    if returncode == 5:
        raise StepFailed('pytest collected no tests in %s' % ' '.join(paths))
    if returncode:
        raise StepFailed('pytest %s failed' % ' '.join(paths))
    xfailed = re.findall(r'^XFAIL \S+?(?:\[(.+?)\])? - ', output, re.M)
    if xfailed:
        step.note = '%d xfailed (%s), see build/logs/%s.log' % (len(xfailed), ', '.join(sorted(set(param or '?' for param in xfailed))), name)
    _remove(base)


def _collection_test_env(name):
    """Environment for the pytest suites that use the built collection (they install it themselves)."""
    return dict(tool_env(), PAI_COLLECTION_TARBALL=current_tarball(os.path.join(LOGS, name + '.log')))


def step_ee(step):
    """Step: ansible-builder create of docs/ee with the built tarball; the image's install and introspect steps."""
    _pytest(step, 'ee', [os.path.join('tests', 'awx', 'test_execution_environment.py')], _collection_test_env('ee'))


def step_module_docs(step):
    """Step: ansible-doc renders every module, and every module's EXAMPLES run against the emulator."""
    _pytest(step, 'module-docs', [os.path.join('tests', 'docs')], _collection_test_env('module-docs'))


def step_awx(step):
    """Step: examples/ as AWX jobs through ansible-runner (check+diff, run, run again), no secret in the artifacts."""
    _pytest(step, 'awx', [os.path.join('tests', 'awx', 'test_awx_job.py')], _collection_test_env('awx'))


ACCEPTANCE_DIR = os.path.join(ROOT, 'tests', 'acceptance')


def _acceptance_run(step, target_env, emulator):
    """The acceptance lifecycle playbook, then the behaviour probe, against ``target_env`` (endpoint, credentials,
    PAI_WORKSPACE_ID). Everything is created under a unique prefix and removed again, even after a failure. Against
    the emulator the probe must report every default behaviour."""
    prefix = 'ansible-acc-%s' % uuid.uuid4().hex[:8]
    fake_key = 'acceptance-fake-key-%s' % uuid.uuid4().hex  # never a real key; must not appear in any output
    env = tool_env()
    env.update(target_env)
    env.update(PAI_ACCEPTANCE_PREFIX=prefix, PAI_ACCEPTANCE_FAKE_KEY=fake_key,
               ANSIBLE_COLLECTIONS_PATH=collections_path_for_checkout(), ANSIBLE_LOCALHOST_WARNING='False',
               ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_RETRY_FILES_ENABLED='False')
    log = os.path.join(LOGS, 'acceptance.log')
    report = os.path.join(BUILD, 'acceptance')
    outputs, failures = [], []
    returncode, output = run([venv_tool('ansible-playbook'), os.path.relpath(os.path.join(ACCEPTANCE_DIR, 'lifecycle.yml'), ROOT),
                              '-vvv'], env=env, log=log, check=False)
    outputs.append(output)
    if returncode:
        failures.append('the lifecycle playbook failed (see %s)' % os.path.relpath(log, ROOT))
    probe = [venv_tool('python'), os.path.relpath(os.path.join(ACCEPTANCE_DIR, 'probe.py'), ROOT),
             '--workspace-id', env['PAI_WORKSPACE_ID'], '--prefix', prefix + '-probe', '--report', report]
    if emulator:
        probe += ['--expect', 'default', '--page-objects', '51']
    returncode, output = run(probe, env=env, log=log, check=False)
    outputs.append(output)
    if returncode:
        failures.append('the behaviour probe failed or showed unexpected behaviours (see %s)' % os.path.relpath(log, ROOT))
    if any(fake_key in text for text in outputs):
        failures.append('the fake secret of the run appears in the output (see %s)' % os.path.relpath(log, ROOT))
    step.counts(passed=3 - len(failures), failed=len(failures))
    say('behaviour report: %s' % os.path.relpath(os.path.join(report, 'behaviours.md'), ROOT))
    if failures:
        raise StepFailed('; '.join(failures))
    step.note = 'against %s; report in build/acceptance' % ('the emulator' if emulator else target_env.get(
        'ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE') or 'the region endpoint')


def step_acceptance_emulator(step):
    """Step: the acceptance suite against the emulator with its default behaviours, and the probe's own tests."""
    _pytest(step, 'acceptance-probe', [os.path.relpath(ACCEPTANCE_DIR, ROOT)], tool_env())
    with Emulator(os.path.join(LOGS, 'acceptance-emulator.log')) as emulator:
        _acceptance_run(step, emulator.environment(), emulator=True)


def step_acceptance(step):
    """Step: the acceptance suite against the account the environment names (PAI_WORKSPACE_ID set), else the emulator."""
    if not os.environ.get('PAI_WORKSPACE_ID'):
        say('PAI_WORKSPACE_ID is not set: running against the local emulator (see docs/docsite/rst/guide_acceptance.rst)')
        step_acceptance_emulator(step)
        return
    target = dict((name, value) for name, value in os.environ.items() if name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_')))
    target['PAI_WORKSPACE_ID'] = os.environ['PAI_WORKSPACE_ID']
    _acceptance_run(step, target, emulator=False)


# Extra pip constraints for the unit tests of the oldest ansible-core, added to tests/unit/constraints.txt in its copy
# only: ansible-core 2.15 runs pytest with --forked, and pytest-forked makes every test fail ("EXITED with status 3")
# under pytest 9.
OLDEST_UNIT_CONSTRAINTS = 'pytest < 9  # pytest-forked (used by ansible-core 2.15 units) fails every test on pytest 9\n'


def step_oldest_units(step):
    """Step: units on the oldest supported ansible-core."""
    _units(step, VENV_OLDEST, 'ansible-test-oldest', OLDEST_PYTHON, 'oldest-units.log', OLDEST_UNIT_CONSTRAINTS)
    step.note = _core_version(VENV_OLDEST) + (', ' + step.note if step.note else '')


def step_oldest_integration(step):
    """Step: integration on the oldest supported ansible-core, against a fresh emulator."""
    _integration(step, VENV_OLDEST, 'ansible-test-oldest', OLDEST_PYTHON, 'oldest-integration.log')
    step.note = _core_version(VENV_OLDEST) + ', against a fresh emulator'


def _core_version(venv):
    pattern = os.path.join(venv, 'lib', 'python*', 'site-packages', 'ansible_core-*.dist-info')
    for path in glob.glob(pattern):
        return 'ansible-core ' + os.path.basename(path)[len('ansible_core-'):-len('.dist-info')]
    return 'ansible-core ?'


def plan_for(command):
    """The ``(key, title, function, starts_with)`` list for a command (see ``Driver.run_all``)."""
    oldest = command in ('test', 'oldest', 'setup')
    plan = [('setup', 'set-up', lambda step: step_setup(step, oldest), None)]
    steps = {
        'sanity': [('sanity', 'ansible-test sanity (py3.9-3.13)', step_sanity, None)],
        'units': [('units', 'ansible-test units (py3.9-3.13)', step_units, None)],
        'integration': [('integration', 'ansible-test integration (py3.12)', step_integration, None)],
        'conformance': [('conformance', 'SDK conformance (pytest)', step_conformance, None)],
        'ansible-lint': [('ansible-lint', 'ansible-lint --profile production', step_ansible_lint, None)],
        'docs-lint': [('docs-lint', 'antsibull-docs lint-collection-docs', step_docs_lint, None)],
        'changelog-lint': [('changelog-lint', 'antsibull-changelog lint', step_changelog_lint, None)],
        'build': [('build', 'build + install + galaxy-importer', step_build, None)],
        'docs': [('docs-write', 'antsibull-docs -> docs/modules', step_docs_write, None)],
        'docs-check': [('docs-check', 'docs/modules up to date', step_docs_check, None)],
        'ee': [('ee', 'execution environment (ansible-builder create)', step_ee, None)],
        'module-docs': [('module-docs', 'ansible-doc + module EXAMPLES run', step_module_docs, None)],
        'awx': [('awx', 'AWX-style jobs (ansible-runner)', step_awx, None)],
        'acceptance': [('acceptance', 'acceptance suite + behaviour probe', step_acceptance, None)],
        'acceptance-emulator': [('acceptance', 'acceptance suite + behaviour probe (emulator)',
                                 step_acceptance_emulator, None)],
        # Integration tests mostly wait on one process at a time, so on two cores the oldest core's steps run
        # beside the main integration tests (they start together); PARALLEL=0 runs them last instead.
        'oldest': [('oldest-units', 'oldest core: units (py3.11)', step_oldest_units, 'integration'),
                   ('oldest-integration', 'oldest core: integration (py3.11)', step_oldest_integration, 'integration')],
    }
    steps['lint'] = steps['ansible-lint'] + steps['docs-lint'] + steps['changelog-lint']
    steps['docs'] = steps['docs'] + steps['docs-lint']
    order = ('sanity', 'units', 'integration', 'conformance', 'ansible-lint', 'docs-lint', 'changelog-lint', 'build', 'docs-check',
             'ee', 'module-docs', 'awx', 'acceptance-emulator', 'oldest')
    if command == 'test':
        for name in order:
            plan.extend(steps[name])
    elif command != 'setup':
        plan.extend(steps[command])
    return plan


# ---------------------------------------------------------------------------------------------------
# emulator and demo commands


def command_emulator(port):
    """Run the emulator in the foreground."""
    if not os.path.exists(EMULATOR):
        say('the emulator %s does not exist yet' % os.path.relpath(EMULATOR, ROOT))
        return 1
    python = os.path.join(VENV, 'bin', 'python')
    if not os.access(python, os.X_OK):
        python = sys.executable
    say('Starting the PAI emulator on 127.0.0.1:%d (Ctrl-C stops it).' % port)
    say('Key pair: %s / %s, workspace %s' % (EMULATOR_KEY_ID, EMULATOR_KEY_SECRET, EMULATOR_WORKSPACE_ID))
    os.execv(python, [python, EMULATOR, '--host', '127.0.0.1', '--port', str(port)])
    return 1  # not reached


def _is_playbook(path):
    with open(path, encoding='utf-8') as handle:
        text = handle.read()
    # a top-level list whose plays name their hosts or import other playbooks
    return bool(re.search(r'^(-\s+|\s+)(hosts|(ansible\.builtin\.)?import_playbook)\s*:', text, re.M)) and bool(re.search(r'^-\s', text, re.M))


def _recap_changed(output):
    """Return the list of ``changed=N`` numbers in the PLAY RECAP."""
    recap = output.rsplit('PLAY RECAP', 1)
    if len(recap) != 2:
        return None
    return [int(value) for value in re.findall(r'\bchanged=(\d+)', recap[1])]


def command_demo():
    """Run examples/*.yml against a fresh emulator: check+diff, for real, then again expecting changed=0."""
    playbooks = sorted(path for path in glob.glob(os.path.join(ROOT, 'examples', '*.yml')) + glob.glob(os.path.join(ROOT, 'examples', '*.yaml'))
                       if _is_playbook(path))
    if not playbooks:
        say('examples/ has no playbooks yet; nothing to demo.')
        return 0
    setup(log=os.path.join(LOGS, 'setup.log'))
    demo_dir = os.path.join(BUILD, 'demo')
    _remove(demo_dir)
    os.makedirs(demo_dir)
    collections = collections_path_for_checkout()
    log = os.path.join(LOGS, 'demo.log')
    _remove(log)
    results = []
    with Emulator(os.path.join(LOGS, 'demo-emulator.log')) as emulator:
        vars_file = os.path.join(demo_dir, 'emulator-vars.yml')
        with open(vars_file, 'w', encoding='utf-8') as handle:
            handle.write('---\n')
            for key, value in emulator.variables().items():
                handle.write('%s: %s\n' % (key, json.dumps(value)))
        env = tool_env()
        env.update(emulator.environment())
        env.update(ANSIBLE_COLLECTIONS_PATH=collections, ANSIBLE_LOCALHOST_WARNING='False',
                   ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_RETRY_FILES_ENABLED='False')
        for playbook in playbooks:
            name = os.path.relpath(playbook, ROOT)
            base = [venv_tool('ansible-playbook'), name, '-e', '@' + os.path.relpath(vars_file, ROOT)]
            for phase, extra in (('check+diff', ['--check', '--diff']), ('apply', ['--diff']), ('re-apply', [])):
                banner('%s: %s' % (name, phase))
                returncode, output = run(base + extra, env=env, log=log, check=False)
                changed = _recap_changed(output)
                ok = returncode == 0
                detail = 'changed=%s' % (sum(changed) if changed else 0)
                if ok and phase == 're-apply' and changed and any(changed):
                    ok = False
                    detail += ' (expected changed=0: not idempotent)'
                results.append((name, phase, ok, detail))
                if not ok:
                    break
            if not results[-1][2]:
                break
    say('')
    say('Demo summary')
    for name, phase, ok, detail in results:
        say('  %-40s %-11s %-6s %s' % (name, phase, 'ok' if ok else 'FAILED', detail))
    passed = sum(1 for result in results if result[2])
    failed = len(results) - passed
    say('%d passed, %d failed' % (passed, failed))
    return 0 if failed == 0 else 1


def command_clean():
    """Remove everything the Makefile created in the checkout."""
    for path in (WORK, BUILD, VENV, VENV_OLDEST, os.path.join(ROOT, 'tests', 'output'), os.path.join(ROOT, '.pytest_cache'),
                 os.path.join(ROOT, '.ansible'), os.path.join(ROOT, 'tests', 'integration', 'integration_config.yml'),
                 os.path.join(ROOT, 'changelogs', '.plugin-cache.yaml')):
        if os.path.lexists(path):
            say('removing %s' % (os.path.relpath(path, ROOT) if path.startswith(ROOT) else path))
            _remove(path)
    for directory, dirs, _files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d != '.git']
        if os.path.basename(directory) == '__pycache__':
            shutil.rmtree(directory)
            dirs[:] = []
    return 0


# ---------------------------------------------------------------------------------------------------


_HELD_LOCKS = []


def _lock_checkout():
    """Serialise the commands of this checkout: they share build/, the venvs and the ansible-test copies.

    Returns the open lock file; the lock goes with the process.
    """
    path = WORK + '.lock'
    handle = open(path, 'a+', encoding='utf-8')  # pylint: disable=consider-using-with
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or 'another process'
        say('Another run in this checkout holds %s (%s); waiting for it to finish ...' % (path, holder))
        fcntl.flock(handle, fcntl.LOCK_EX)
    handle.seek(0)
    handle.truncate()
    handle.write('pid %d: %s\n' % (os.getpid(), ' '.join(sys.argv)))
    handle.flush()
    return handle


def _terminate(signum, _frame):
    raise KeyboardInterrupt('signal %d' % signum)


def main(argv=None):
    """Command line entry point."""
    commands = ('test', 'setup', 'sanity', 'units', 'integration', 'conformance', 'lint', 'ansible-lint', 'docs-lint',
                'changelog-lint', 'build', 'docs', 'docs-check', 'ee', 'module-docs', 'awx', 'acceptance', 'oldest', 'emulator', 'demo',
                'clean')
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('command', choices=commands)
    parser.add_argument('--port', type=int, default=8765, help='port for the "emulator" command (default 8765)')
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    os.chdir(ROOT)
    if args.command != 'emulator':
        _HELD_LOCKS.append(_lock_checkout())

    if args.command == 'clean':
        return command_clean()
    os.makedirs(LOGS, exist_ok=True)
    if args.command == 'emulator':
        return command_emulator(args.port)
    if args.command == 'demo':
        try:
            return command_demo()
        except StepFailed as ex:
            say('FAILED: %s' % ex)
            return 1
    return Driver().run_all(plan_for(args.command))


if __name__ == '__main__':
    sys.exit(main())
