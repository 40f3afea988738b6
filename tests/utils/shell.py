# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the commands of this checkout share: its paths, and running commands with their output.

``ci.py`` (the CI runner, ``make test`` and the step targets) and ``try_it.py`` (``make demo``, ``make env`` and the
other try-it commands) import these; nothing here knows about steps or the demo. Standard library only.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, 'build')
LOGS = os.path.join(BUILD, 'logs')
PYTHON_LINKS = os.path.join(BUILD, 'python')  # ci.py's links to the real interpreters, which find_interpreter skips
# Outside the checkout: the collections path that links to it (below), ci.py's lock.
WORK = os.environ.get('PAI_TEST_WORKDIR') or os.path.join(
    tempfile.gettempdir(), 'alicloud-pai-test-' + hashlib.sha256(ROOT.encode('utf-8')).hexdigest()[:12])
DEV_REQUIREMENTS = os.path.join(ROOT, 'tests', 'requirements-dev.txt')  # .venv's pins; the demo venv takes its own from here
COLLECTION = 'alicloud.pai'


def flag(name, default=''):
    """True when the environment variable ``name`` (else ``default``) is set to something other than '', 0, false, no."""
    return os.environ.get(name, default) not in ('', '0', 'false', 'no')


VERBOSE = flag('VERBOSE')

# pip's chatter and docker's, hidden from the terminal (it stays in build/logs/*.log) unless VERBOSE=1.
NOISE = re.compile(
    r"^\s*(WARNING: Location '.*' is ignored|Looking in (indexes|links):|Collecting |Downloading |Using cached |"
    r"Requirement already satisfied|Installing collected packages|Successfully installed|Attempting uninstall|"
    r"Found existing installation|Uninstalling |Successfully uninstalled|Processing /|Obtaining |Building wheel|"
    r"Created wheel|Stored in directory|Preparing metadata|Getting requirements|Installing build dependencies|"
    r"Building wheels for|Running setup.py|Using legacy|[\u2501\u2578\u257a ]+ [\d.]+/[\d.]+ [kMG]?B|"
    # `ansible-test env` (antsibull-nox runs it first) asks the docker CLI, and there is no engine
    r'>>> Standard (Error|Output)|\{"ID":""|Cannot connect to the Docker daemon)')


class StepFailed(Exception):
    """A step or command failed; the message says why."""


def stop_on_sigterm():
    """Make SIGTERM raise KeyboardInterrupt, so that a stopped command cleans up (emulators, child process groups)."""

    def interrupt(signum, _frame):
        raise KeyboardInterrupt(f'signal {signum}')

    signal.signal(signal.SIGTERM, interrupt)


# ---------------------------------------------------------------------------------------------------------------------
# output and commands


def say(message=''):
    """Print a line of the driver's own output."""
    print(message, flush=True)


def banner(text):
    """Print a step banner."""
    say(f"\n{'=' * 100}\n== {text}\n{'=' * 100}")


def format_duration(seconds):
    """``1m02s`` / ``4.2s``."""
    if seconds is None:
        return '-'
    return '%dm%02ds' % divmod(int(round(seconds)), 60) if seconds >= 60 else f'{seconds:.1f}s'


def rel(path):
    """``path`` relative to the checkout when it is inside it."""
    return os.path.relpath(path, ROOT) if os.path.abspath(path).startswith(ROOT + os.sep) else path


def run(cmd, env=None, log=None, check=True):
    """Run a command in the checkout, output (minus noise) to the terminal and ``log``; ``(returncode, output)``."""
    say(f"$ {' '.join(cmd)}")
    lines = []
    with open(log or os.devnull, 'a', encoding='utf-8') as log_file:
        log_file.write(f"$ {' '.join(cmd)}\n")
        # Its own session, so that an interrupted run stops the command with everything it started.
        with subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, errors='replace', bufsize=1, start_new_session=True) as process:
            try:
                for line in process.stdout:
                    lines.append(line)
                    log_file.write(line)
                    if VERBOSE or not NOISE.match(line):
                        sys.stdout.write(line)
                        sys.stdout.flush()
                returncode = process.wait()
            except BaseException:
                stop_process_group(process)
                raise
    if check and returncode != 0:
        raise StepFailed(f'{os.path.basename(cmd[0])} exited with {returncode}')
    return returncode, ''.join(lines)


def stop_process_group(process):
    """SIGTERM the process group of ``process``, SIGKILL it if still there after 10 seconds."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
            process.wait(wait)
            return
        except OSError:
            return
        except subprocess.TimeoutExpired:
            continue


def remove(path):
    """Remove a file, link or directory tree if it exists."""
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


# ---------------------------------------------------------------------------------------------------------------------
# interpreters and the collection


def is_shim_dir(path):
    """True for a pyenv shims directory (its ``python3.X`` fail in a cleaned environment)."""
    return os.path.basename(os.path.normpath(path)) == 'shims'


def find_interpreter(version):
    """The real (non-shim) ``python<version>`` with ``venv`` and ``ensurepip``: pyenv's newest, else one on PATH."""
    pyenv = os.environ.get('PYENV_ROOT') or os.path.expanduser('~/.pyenv')
    candidates = sorted(glob.glob(os.path.join(pyenv, 'versions', version + '.*', 'bin', 'python' + version)), reverse=True,
                        key=lambda path: [int(part) for part in re.findall(r'\d+', path.rsplit('versions', 1)[1])[:3]])
    candidates += [os.path.join(directory, 'python' + version) for directory in os.environ.get('PATH', '').split(os.pathsep)
                   + ['/usr/local/bin', '/usr/bin'] if directory and not is_shim_dir(directory) and os.path.abspath(directory) != PYTHON_LINKS]
    probe = 'import ensurepip, sys, venv; print("%d.%d" % sys.version_info[:2])'
    for candidate in candidates:
        try:
            result = subprocess.run([candidate, '-c', probe], env={'PATH': '/usr/bin:/bin'}, stdin=subprocess.DEVNULL,
                                    capture_output=True, text=True, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            continue
        if result.returncode == 0 and result.stdout.strip() == version:
            return os.path.realpath(candidate)
    return None


def collections_path_for_checkout():
    """A collections path outside the checkout whose ``ansible_collections/alicloud/pai`` links to the checkout."""
    path = os.path.join(WORK, 'collections')
    link = os.path.join(path, 'ansible_collections', *COLLECTION.split('.'))
    if not (os.path.islink(link) and os.readlink(link) == ROOT):
        remove(link)
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    return path
