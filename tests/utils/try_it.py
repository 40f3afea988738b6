# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``make demo``, ``env``, ``collection``, ``emulator-start`` and ``emulator-stop``: the README's and guides' try-it commands.

They need neither ``.venv`` nor nox: ansible-playbook comes from ``build/demo-venv`` (ansible-core and requests, pinned
as in tests/requirements-dev.txt), the collection is this checkout, the emulator runs in the background or for one
run. ``env`` and ``collection`` print only shell lines on stdout, exports and a comment (``eval "$(make -s env)"``);
their other messages go to stderr. ``make newcomer`` (ci.py) runs these commands as the docs write them.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import glob
import hashlib
import json
import os
import re
import shlex
import sys
import time

import local_emulator
from shell import (BUILD, DEV_REQUIREMENTS, LOGS, ROOT, StepFailed, banner, collections_path_for_checkout, find_interpreter, flag,
                   format_duration, rel, remove, run, say, stop_on_sigterm)

# `make demo`, `make env` and the newcomer test: only what a playbook needs, pinned as in tests/requirements-dev.txt.
DEMO_VENV = os.path.join(BUILD, 'demo-venv')
DEMO_PACKAGES = ('ansible-core', 'requests')
DEMO_PYTHONS = ('3.12', '3.13')  # ansible-core 2.21 needs 3.12 or later on the controller
EMULATOR_STATE = os.path.join(BUILD, 'emulator', 'emulator.json')  # the background emulator (make emulator-start, KEEP=1)
EMULATOR_LOG = os.path.join(LOGS, 'emulator.log')
KEEP = flag('KEEP')  # make demo: leave the emulator running


def demo_requirements():
    """The lines of tests/requirements-dev.txt that pin DEMO_PACKAGES (one place for the versions)."""
    with open(DEV_REQUIREMENTS, encoding='utf-8') as handle:
        pins = [line.strip() for line in handle if re.match(r'^(%s)\s*[<>=!~;]' % '|'.join(map(re.escape, DEMO_PACKAGES)), line.strip(), re.I)]
    if len(pins) != len(DEMO_PACKAGES):
        raise StepFailed(f"{rel(DEV_REQUIREMENTS)} must pin each of {', '.join(DEMO_PACKAGES)} once (found: {pins})")
    return pins


def ensure_demo_venv():
    """Create build/demo-venv (ansible-core and requests only) unless it is there for the same interpreter and pins.
    A lock keeps two commands from building it at once."""
    os.makedirs(BUILD, exist_ok=True)
    with open(DEMO_VENV + '.lock', 'a+', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        pins = demo_requirements()
        python = next(filter(None, map(find_interpreter, DEMO_PYTHONS)), None)
        if not python:
            raise StepFailed(f"the demo needs Python {' or '.join(DEMO_PYTHONS)} (looked in pyenv and on PATH)")
        marker, digest = os.path.join(DEMO_VENV, '.alicloud-pai-demo'), hashlib.sha256('\n'.join([python, *pins]).encode('utf-8')).hexdigest()
        if os.path.exists(marker) and os.access(os.path.join(DEMO_VENV, 'bin', 'ansible-playbook'), os.X_OK):
            with open(marker, encoding='utf-8') as handle:
                if handle.read() == digest:
                    say(f'{rel(DEMO_VENV)} is up to date ({", ".join(pins)})')
                    return
        started, log = time.monotonic(), os.path.join(LOGS, 'demo-venv.log')
        os.makedirs(LOGS, exist_ok=True)
        say(f"Creating {rel(DEMO_VENV)} with {python}: {', '.join(pins)} (log: {rel(log)})")
        remove(DEMO_VENV)
        run([python, '-m', 'venv', DEMO_VENV], log=log)
        run([os.path.join(DEMO_VENV, 'bin', 'python'), '-m', 'pip', 'install', '--disable-pip-version-check', *pins], log=log)
        with open(marker, 'w', encoding='utf-8') as handle:
            handle.write(digest)
        say(f'{rel(DEMO_VENV)} ready in {format_duration(time.monotonic() - started)}')


def demo_env(**extra):
    """Environment for ansible-playbook from build/demo-venv."""
    env = {name: value for name, value in os.environ.items() if name not in ('PYTHONPATH', 'PYTHONHOME') and not name.startswith('ANSIBLE_')}
    env.update(PATH=os.pathsep.join([os.path.join(DEMO_VENV, 'bin'), env.get('PATH', '')]), VIRTUAL_ENV=DEMO_VENV, ANSIBLE_NOCOLOR='1',
               ANSIBLE_FORCE_COLOR='0', **extra)
    return env


def emulator_port():
    """The port of `make emulator`, `make emulator-start` and `KEEP=1 make demo`: PORT, else 8765."""
    port = os.environ.get('PORT') or '8765'
    if not port.isdigit():
        raise StepFailed(f'PORT must be a number, not {port!r}')
    return int(port)


def start_emulator_in_background():
    """The emulator as a process of its own on PORT (state in build/emulator); replaces one this checkout left running."""
    previous = local_emulator.stop_background(EMULATOR_STATE)
    if previous:
        say(f"Stopped the emulator a previous command left running (pid {previous['pid']}, {previous['url']})")
    try:
        return local_emulator.start_background(EMULATOR_STATE, EMULATOR_LOG, emulator_port(), cwd=ROOT)
    except RuntimeError as ex:
        raise StepFailed(f'{ex}; PORT=... picks another port') from ex


def emulator_exports(url):
    """``export`` lines for a shell: the emulator's endpoint, its fake key pair, region and workspace."""
    return [f'export {name}={shlex.quote(value)}' for name, value in local_emulator.environment(url).items()]


def print_kept_emulator(state):
    """What KEEP=1 and `make emulator-start` leave running, and how to use and stop it."""
    say(f"\nThe emulator keeps running in the background: {state['url']} (pid {state['pid']}, log {rel(state['log'])}).")
    say('Use it from this shell with the collection of this checkout and ansible-playbook from build/demo-venv:')
    say('  eval "$(make -s env)"')
    say('which runs these exports:')
    for line in [f'export ANSIBLE_COLLECTIONS_PATH={shlex.quote(collections_path_for_checkout())}',
                 f"export PATH={shlex.quote(os.path.join(DEMO_VENV, 'bin'))}:\"$PATH\""] + emulator_exports(state['url']):
        say('  ' + line)
    say('then for example: ansible-playbook examples/connections.yml --check --diff')
    say(f"Stop it with: make emulator-stop (or kill {state['pid']})")


def command_demo():
    """Run examples/*.yml against a fresh emulator: check+diff, for real, then again expecting changed=0. KEEP=1 leaves
    the emulator running; otherwise the end is a summary of its request log."""
    started, kept = time.monotonic(), None
    ensure_demo_venv()
    setup_time = time.monotonic() - started
    log, vars_file, results = os.path.join(LOGS, 'demo.log'), os.path.join(BUILD, 'demo', 'emulator-vars.yml'), []
    remove(log)
    with contextlib.ExitStack() as stack:
        if KEEP:
            kept = start_emulator_in_background()
            url = kept['url']
            say(f'emulator: {url} (pid {kept["pid"]}, KEEP=1: left running)')
        else:
            url = stack.enter_context(local_emulator.running())
        local_emulator.write_variables(vars_file, url, 'Written by `make demo`: the emulator of this run.')
        env = demo_env(**local_emulator.environment(url), ANSIBLE_COLLECTIONS_PATH=collections_path_for_checkout(),
                       ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_RETRY_FILES_ENABLED='False')
        for playbook in sorted(glob.glob(os.path.join('examples', '*.yml'))):
            for phase, extra in (('check+diff', ['--check', '--diff']), ('apply', ['--diff']), ('re-apply', [])):
                banner(f'{playbook}: {phase}')
                returncode, output = run([os.path.join(DEMO_VENV, 'bin', 'ansible-playbook'), playbook, '-e', '@' + rel(vars_file), *extra], env=env,
                                         log=log, check=False)
                changed = sum(int(value) for value in re.findall(r'\bchanged=(\d+)', output.rpartition('PLAY RECAP')[2]))
                ok = returncode == 0 and not (phase == 're-apply' and changed)
                results.append((playbook, phase, ok, f'changed={changed}' + ('' if returncode or ok else ' (expected changed=0: not idempotent)')))
                if not ok:
                    break
            if not results[-1][2]:
                break
        requests_file = os.path.join(BUILD, 'demo', 'requests.json')
        try:
            entries = local_emulator.request_log(url)
            with open(requests_file, 'w', encoding='utf-8') as handle:
                json.dump(entries, handle, indent=1)
            request_lines = local_emulator.summarize_requests(entries)
        except (OSError, ValueError) as ex:
            request_lines = ['no request log', f'  (it could not be read: {ex})']
    say('\nDemo summary')
    for playbook, phase, ok, detail in results:
        say(f"  {playbook:<40} {phase:<11} {'ok' if ok else 'FAILED':<6} {detail}")
    say(f'\nThe emulator saw {request_lines[0]} (each one in {rel(requests_file)}, from GET /_emulator/requests):')
    for line in request_lines[1:]:
        say(line)
    say(f'\nset-up {format_duration(setup_time)}, total {format_duration(time.monotonic() - started)}; the full output is in {rel(log)}')
    if kept:
        print_kept_emulator(kept)
    else:
        say('KEEP=1 make demo leaves the emulator running with these objects, to look at them yourself.')
    passed = sum(1 for result in results if result[2])
    say(f'{passed} passed, {len(results) - passed} failed')
    return 0 if passed == len(results) else 1


def command_collection():
    """Make this checkout usable as alicloud.pai: print the export line for ANSIBLE_COLLECTIONS_PATH (stdout: eval it)."""
    print(f'export ANSIBLE_COLLECTIONS_PATH={shlex.quote(collections_path_for_checkout())}')
    return 0


def command_env():
    """Print the exports (stdout) that point ansible-playbook from build/demo-venv, with this checkout as alicloud.pai,
    at the emulator: the background one of this checkout, else 127.0.0.1:PORT. Set-up messages go to stderr."""
    with contextlib.redirect_stdout(sys.stderr):
        ensure_demo_venv()
        state = local_emulator.background_status(EMULATOR_STATE)
    url = state['url'] if state else f'http://127.0.0.1:{emulator_port()}'
    if not state:
        print(f'# No background emulator of this checkout is running: {url} is assumed (make emulator-start starts one).')
    print(f'export ANSIBLE_COLLECTIONS_PATH={shlex.quote(collections_path_for_checkout())}')
    print(f"export PATH={shlex.quote(os.path.join(DEMO_VENV, 'bin'))}:\"$PATH\"")
    print('\n'.join(emulator_exports(url)))
    return 0


def command_emulator_start():
    """Start the emulator in the background on PORT (8765), replacing the one this checkout left running."""
    print_kept_emulator(start_emulator_in_background())
    return 0


def command_emulator_stop():
    """Stop the background emulator of this checkout."""
    state = local_emulator.stop_background(EMULATOR_STATE)
    say(f"Stopped the emulator at {state['url']} (pid {state['pid']})." if state else 'No background emulator of this checkout is running.')
    return 0


COMMANDS = {'demo': command_demo, 'env': command_env, 'collection': command_collection, 'emulator-start': command_emulator_start,
            'emulator-stop': command_emulator_stop}


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('command', choices=list(COMMANDS))
    args = parser.parse_args(argv)
    stop_on_sigterm()
    os.chdir(ROOT)
    # No lock around the commands: build/demo-venv has one of its own, and they use neither .venv nor nox's venvs.
    os.makedirs(LOGS, exist_ok=True)
    try:
        return COMMANDS[args.command]()
    except StepFailed as ex:
        print(f'FAILED: {ex}', file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
