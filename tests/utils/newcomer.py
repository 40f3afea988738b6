# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The newcomer test: the try-it commands of the README and the guides, run as written on a fresh clone.

A console block is run when the line ``<!-- newcomer-test -->`` (README.md) or the comment ``.. newcomer-test``
(docs/docsite/rst/*.rst) comes before it; blocks without the mark (install from Galaxy, a real account, ``make
test``) are left out on purpose. Each file's marked blocks run in order in one bash session in the clone (README
first, then the guides by name), with a newcomer's environment: no virtual environment, no ANSIBLE_* or
ALIBABA_CLOUD_* variables, no make variables. Every ``$ `` line is one test case; a non-zero exit, a PLAY RECAP
with failed or unreachable hosts, or one with changes after a comment that promises ``changed=0`` fails it and ends
the session.

What the test changes, and why:
- ``PORT`` is a free port and every ``8765`` in a command becomes that port, so that the test can run beside an
  emulator someone started on the default port.
- A command that starts a server in the foreground (``make emulator``, ``pai_emulator.py``) runs with ``&``, as the
  docs say to run it in the background; the test waits for its ``listening`` line, and the server is stopped at the
  end of its block (as Ctrl-C would).
- ``--demo-venv``: the clone's ``build/demo-venv`` is a link to an existing, current one, so the test does not
  install ansible-core again (``make demo`` still checks that it is current and builds its own otherwise).
- Uncommitted changes of the checkout (modified and new files that git does not ignore) are copied over the clone,
  so that what you are about to commit is tested; ``--committed`` tests HEAD alone.

Nothing is left behind: the session runs in a process group of its own, which is stopped at the end, and so is any
process still running from inside the clone (an emulator started in the background); then the clone is removed.
Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCUMENTS = ['README.md'] + sorted(os.path.relpath(path, ROOT) for path in glob.glob(os.path.join(ROOT, 'docs', 'docsite', 'rst', '*.rst')))
MARK_MD, MARK_RST = '<!-- newcomer-test -->', '.. newcomer-test'
DEFAULT_PORT = '8765'
FOREGROUND_SERVER = re.compile(r'^(?:\S+=\S+\s+)*(?:make\s+(?:\S+=\S+\s+)*emulator(?:\s+\S+=\S+)*|\S*python3?\S*\s+\S*pai_emulator\.py\b.*)$')
LISTENING = 'PAI emulator listening on '
MARKER = '@@newcomer-result'
COMMAND_TIMEOUT, SERVER_TIMEOUT = 600, 30
# What a newcomer's shell would not have: our own virtual environment, tool and make settings of the caller.
DROPPED_ENV = re.compile(r'^(ANSIBLE_|ALIBABA_CLOUD_|ALICLOUD_|PAI_|MAKE|MFLAGS$|VIRTUAL_ENV$|PYTHONPATH$|PYTHONHOME$|PORT$|KEEP$|NOX_)')


def say(message=''):
    """Print a line."""
    print(message, flush=True)


def extract(path):
    """``[(block_line, [command, ...]), ...]`` of the marked console blocks of ``path`` (relative to the root)."""
    with open(path, encoding='utf-8') as handle:
        lines = handle.read().splitlines()
    blocks, index = [], 0
    while index < len(lines):
        if lines[index].strip() not in (MARK_MD, MARK_RST):
            index += 1
            continue
        index += 1
        while index < len(lines) and not lines[index].strip():
            index += 1
        opening = lines[index].strip() if index < len(lines) else ''
        if opening not in ('```console', '.. code-block:: console'):
            raise ValueError(f'{path}:{index + 1}: a newcomer-test mark must come right before a console block, not {opening!r}')
        start, commands, index = index + 1, [], index + 1
        while index < len(lines):
            line = lines[index]
            if (opening.startswith('```') and line.strip() == '```') or (opening.startswith('..') and line.strip() and not line.startswith(' ')):
                break
            text = line.strip()
            if text.startswith('$ '):
                command = text[2:]
                while command.endswith('\\') and index + 1 < len(lines):
                    index += 1
                    command = command[:-1] + ' ' + lines[index].strip()
                commands.append(command)
            index += 1
        if not commands:
            raise ValueError(f'{path}:{start}: the marked console block has no `$ ` command')
        blocks.append((start, commands))
    return blocks


def free_port():
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def newcomer_env(work, port):
    """The environment of a newcomer's shell."""
    env = {name: value for name, value in os.environ.items() if not DROPPED_ENV.match(name)}
    env['PATH'] = os.pathsep.join(entry for entry in env.get('PATH', '').split(os.pathsep)
                                  if entry and not os.path.abspath(entry).startswith(ROOT + os.sep))
    env.update(PORT=port, PAI_TEST_WORKDIR=work, HOME=env.get('HOME', os.path.expanduser('~')), TERM='dumb', LC_NUMERIC='C')
    return env


def shell_script(blocks, port, server_log):
    """One bash script for the blocks of a document: each command, then a marker line with its number, exit code
    and duration; it stops after the first failure. Foreground servers run in the background until their block ends."""
    quote = "'\\''"
    lines = ['set +e', 'newcomer_servers=()']
    number = 0
    for _start, commands in blocks:
        for command in commands:
            number += 1
            command = command.replace(DEFAULT_PORT, port)
            lines.append(f"printf '%s\\n' '$ {command.replace(chr(39), quote)}'")
            lines.append('newcomer_started=$EPOCHREALTIME')
            if FOREGROUND_SERVER.match(command):
                # `&`: in the background, as the docs say; ready when it prints its line, stopped at the end of the block.
                log = f'{server_log}.{number}'
                lines.append(f"{command} > '{log}' 2>&1 &")
                lines.append('newcomer_servers+=($!)')
                lines.append(f'newcomer_rc=1; for newcomer_i in $(seq {SERVER_TIMEOUT * 10}); do '
                             f"if grep -q '{LISTENING}' '{log}'; then newcomer_rc=0; break; fi; "
                             f'kill -0 $! 2>/dev/null || break; sleep 0.1; done; cat \'{log}\'')
            else:
                lines.append(command)
                lines.append('newcomer_rc=$?')
            lines.append(f"printf '\\n{MARKER} {number} %s %s %s\\n' \"$newcomer_rc\" \"$newcomer_started\" \"$EPOCHREALTIME\"")
            lines.append('[ "$newcomer_rc" -eq 0 ] || exit "$newcomer_rc"')
        # The end of a block: its foreground servers stop, as Ctrl-C would stop them (make, then what make started).
        lines.append('for newcomer_pid in "${newcomer_servers[@]}"; do pkill -TERM -P "$newcomer_pid" 2>/dev/null; '
                     'kill "$newcomer_pid" 2>/dev/null; wait "$newcomer_pid" 2>/dev/null; done; newcomer_servers=()')
    return '\n'.join(lines) + '\n'


def processes_in(directory):
    """PIDs of the processes whose working directory or command line is inside ``directory`` (Linux /proc)."""
    found = []
    for entry in os.listdir('/proc') if os.path.isdir('/proc') else ():
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            cwd = os.readlink(f'/proc/{entry}/cwd')
            with open(f'/proc/{entry}/cmdline', 'rb') as handle:
                cmdline = handle.read().decode('utf-8', 'replace')
        except OSError:
            continue
        if cwd == directory or cwd.startswith(directory + os.sep) or directory + os.sep in cmdline:
            found.append(int(entry))
    return found


def stop(pids):
    """SIGTERM ``pids``, SIGKILL those still there after 10 seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        deadline = time.monotonic() + 10
        while any(os.path.exists(f'/proc/{pid}') and not _zombie(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)


def _zombie(pid):
    try:
        with open(f'/proc/{pid}/stat', encoding='utf-8') as handle:
            return handle.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except (OSError, IndexError):
        return True


def run_session(document, blocks, clone, env, temp):
    """Run the blocks of ``document`` in one bash session in ``clone``; ``[(command, ok, seconds, output, reason)]``."""
    commands = [command for _start, block in blocks for command in block]
    script = shell_script(blocks, env['PORT'], os.path.join(temp, 'server.log'))
    with open(os.path.join(temp, 'session.sh'), 'w', encoding='utf-8') as handle:
        handle.write(script)
    say(f'\n== {document}: {len(commands)} command(s) from {len(blocks)} marked block(s), in one bash session')
    output, timed_out = [], False
    with subprocess.Popen(['bash', os.path.join(temp, 'session.sh')], cwd=clone, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors='replace', start_new_session=True) as process:
        deadline = time.monotonic() + COMMAND_TIMEOUT * max(1, len(commands))
        try:
            for line in process.stdout:
                output.append(line)
                if not line.startswith(MARKER):
                    sys.stdout.write('   ' + line)
                    sys.stdout.flush()
                if time.monotonic() > deadline:
                    timed_out = True
                    break
        finally:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    results, text, position = [], ''.join(output), 0
    for match in re.finditer(rf'^{MARKER} (\d+) (\d+) ([\d.]+) ([\d.]+)$', text, re.M):
        number, returncode = int(match.group(1)), int(match.group(2))
        own = text[position:match.start()]
        position = match.end()
        recap = own.rpartition('PLAY RECAP')[2] if 'PLAY RECAP' in own else ''
        bad_hosts = re.findall(r'^\S+\s+: .*\b(?:failed|unreachable)=[1-9]', recap, re.M)
        reason = f'exit code {returncode}' if returncode else 'a play failed: ' + bad_hosts[0].split()[0] if bad_hosts else ''
        changed = sum(int(value) for value in re.findall(r'\bchanged=(\d+)', recap))
        if not reason and re.search(r'#.*\bchanged=0\b', commands[number - 1]) and (not recap or changed):
            reason = f'the comment promises changed=0, the PLAY RECAP says changed={changed}'
        results.append((commands[number - 1], not reason, float(match.group(4)) - float(match.group(3)), own, reason))
        if reason:
            break
    if len(results) < len(commands) and (not results or results[-1][1]):
        reason = 'timed out' if timed_out else 'the session ended before this command finished'
        results.append((commands[len(results)], False, 0.0, text[position:], reason))
    return results


def prepare_clone(temp, committed, demo_venv):
    """A fresh clone of the checkout in ``temp``, with the uncommitted changes unless ``committed``."""
    clone = os.path.join(temp, 'alicloud.pai')
    subprocess.run(['git', 'clone', '--quiet', ROOT, clone], check=True, stdin=subprocess.DEVNULL)
    if not committed:
        listing = subprocess.run(['git', 'ls-files', '-z', '--modified', '--others', '--exclude-standard'], cwd=ROOT, check=True,
                                 capture_output=True, text=True).stdout.split('\0')
        copied = 0
        for name in filter(None, listing):
            source, target = os.path.join(ROOT, name), os.path.join(clone, name)
            if os.path.isfile(source):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(source, target)
                copied += 1
            elif os.path.lexists(target) and not os.path.lexists(source):
                os.unlink(target)
                copied += 1
        say(f'fresh clone in {clone}' + (f', with {copied} uncommitted file(s) of the checkout copied over' if copied else ''))
    else:
        say(f'fresh clone of HEAD in {clone}')
    if demo_venv:
        os.makedirs(os.path.join(clone, 'build'), exist_ok=True)
        os.symlink(os.path.abspath(demo_venv), os.path.join(clone, 'build', 'demo-venv'))
        say(f'build/demo-venv of the clone links to {demo_venv}')
    return clone


def write_junit(path, cases):
    """A junit report: one testcase per command."""
    suite = ET.Element('testsuite', name='newcomer', tests=str(len(cases)), failures=str(sum(1 for case in cases if not case[2])))
    for document, command, ok, seconds, output, reason in cases:
        case = ET.SubElement(suite, 'testcase', classname=document, name=command, time=f'{seconds:.3f}')
        if not ok:
            ET.SubElement(case, 'failure', message=reason).text = output[-20000:]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    ET.ElementTree(suite).write(path, encoding='utf-8', xml_declaration=True)


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--demo-venv', help='an existing build/demo-venv for the clone to reuse (else make demo builds one)')
    parser.add_argument('--committed', action='store_true', help='test HEAD only, without the uncommitted changes')
    parser.add_argument('--junit', help='write a junit report, one test case per command')
    parser.add_argument('--keep-clone', action='store_true', help='leave the clone for a look (its processes are stopped all the same)')
    args = parser.parse_args(argv)
    started, cases, left_behind = time.monotonic(), [], []
    temp = tempfile.mkdtemp(prefix='alicloud-pai-newcomer-')
    try:
        clone = prepare_clone(temp, args.committed, args.demo_venv)
        port = free_port()
        env = newcomer_env(os.path.join(temp, 'work'), port)
        say(f'PORT={port}: the emulator commands use this free port; every {DEFAULT_PORT} in a command becomes {port}')
        for document in DOCUMENTS:
            blocks = extract(os.path.join(clone, document))
            if not blocks:
                continue
            results = run_session(document, blocks, clone, env, temp)
            cases += [(document, *result) for result in results]
            pids = processes_in(clone)
            if pids:
                left_behind += pids
                stop(pids)
            if not all(result[1] for result in results):
                break
    except (ValueError, subprocess.CalledProcessError) as ex:
        cases.append(('newcomer', 'set-up', False, 0.0, str(ex), str(ex)))
    finally:
        leftover = processes_in(temp)
        if leftover:
            left_behind += leftover
            stop(leftover)
        if args.keep_clone:
            say(f'the clone stays in {temp}')
        else:
            shutil.rmtree(temp, ignore_errors=True)
    if args.junit:
        write_junit(args.junit, cases)
    say('\nNewcomer test summary')
    for document, command, ok, seconds, _output, reason in cases:
        say(f"  {'ok' if ok else 'FAILED':<6} {seconds:6.1f}s  {document}: $ {command}" + (f'  ({reason})' if reason else ''))
    if left_behind:
        say(f"  stopped {len(left_behind)} process(es) the commands left running: {', '.join(map(str, sorted(set(left_behind))))}")
    passed = sum(1 for case in cases if case[2])
    say(f'took {time.monotonic() - started:.1f}s')
    say(f'{passed} passed, {len(cases) - passed} failed')
    return 0 if cases and passed == len(cases) else 1


if __name__ == '__main__':
    sys.exit(main())
