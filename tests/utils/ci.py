# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The CI runner: ``make test`` runs every CI step in order, fail-fast, with a summary table and ``N passed, N failed``.

Every other command runs one step after a quick, idempotent set-up. Most steps are nox sessions (``noxfile.py``,
``antsibull-nox.toml``). This file keeps what nothing else does here: the interpreter links and .venv, the suites that
use the emulator or the built collection, docs/modules, acceptance, the benchmark, the newcomer test, the oldest-core
lane and the summary (docs/docsite/rst/guide_contributing.rst says why). The try-it commands (``make demo``, ``env``
...) are in try_it.py; paths and running commands, which both use, in shell.py.
"""

from __future__ import annotations

import argparse
import fcntl
import functools
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import uuid
import xml.etree.ElementTree as ET

import local_emulator
from shell import (BUILD, COLLECTION, DEV_REQUIREMENTS, LOGS, PYTHON_LINKS, ROOT, WORK, StepFailed, banner, collections_path_for_checkout,
                   find_interpreter, flag, format_duration, is_shim_dir, rel, remove, run, say, stop_on_sigterm, stop_process_group)
from try_it import DEMO_VENV, EMULATOR_STATE, ensure_demo_venv

DIST = os.path.join(BUILD, 'dist')
VENV = os.path.join(ROOT, '.venv')
REQUIREMENTS = [DEV_REQUIREMENTS, os.path.join(ROOT, 'tests', 'conformance', 'requirements.txt')]
DOCS_MODULES = os.path.join(ROOT, 'docs', 'modules')
ACCEPTANCE = os.path.join('tests', 'acceptance')
PYTHON_VERSIONS = ('3.9', '3.10', '3.11', '3.12', '3.13')
DEV_PYTHON = '3.12'
KEEP_GOING = flag('KEEP_GOING')  # run the remaining steps after a failed one (the run still fails)
PARALLEL = flag('PARALLEL', '1')  # 0: the background lane (oldest-core steps, newcomer test) runs last instead of beside the main integration tests


class Step:
    """One line of the summary."""

    def __init__(self, key, title, function):
        self.key, self.title, self.function = key, title, function
        self.status, self.note = 'not run', ''
        self.passed = self.failed = self.skipped = self.duration = None

    def counts(self, passed=0, failed=0, skipped=0):
        """Add test counts to this step."""
        self.passed = (self.passed or 0) + passed
        self.failed = (self.failed or 0) + failed
        self.skipped = (self.skipped or 0) + skipped


# ---------------------------------------------------------------------------------------------------------------------
# interpreters and .venv


def setup(log=None):
    """Link ``build/python/python3.X`` to every real interpreter (ansible-test runs ``python3.X`` in a cleaned
    environment, where pyenv's shims fail; noxfile.py puts them first on PATH) and create .venv. Idempotent."""
    found = {}
    os.makedirs(PYTHON_LINKS, exist_ok=True)
    for version in PYTHON_VERSIONS:
        link, target = os.path.join(PYTHON_LINKS, 'python' + version), find_interpreter(version)
        if os.path.lexists(link) and os.readlink(link) != target:
            os.unlink(link)
        if target:
            found[version] = target
            if not os.path.lexists(link):
                os.symlink(target, link)
    say('Python interpreters: ' + ', '.join(f'{version} ({path})' for version, path in found.items()))
    missing = [version for version in PYTHON_VERSIONS if version not in found]
    if missing:
        say(f"WARNING: no usable interpreter for Python {', '.join(missing)}; ansible-test skips those versions.")
    if DEV_PYTHON not in found:
        raise StepFailed(f'Python {DEV_PYTHON} is required but was not found (looked in pyenv and on PATH)')
    # .venv is made again when the interpreter or a requirements file changed.
    marker, digest = os.path.join(VENV, '.alicloud-pai-requirements'), hashlib.sha256(found[DEV_PYTHON].encode('utf-8'))
    for path in REQUIREMENTS:
        with open(path, 'rb') as handle:
            digest.update(path.encode('utf-8') + handle.read())
    if os.path.exists(marker) and os.access(tool('python'), os.X_OK):
        with open(marker, encoding='utf-8') as handle:
            if handle.read() == digest.hexdigest():
                say('.venv is up to date')
                return
    remove(VENV)
    run([found[DEV_PYTHON], '-m', 'venv', VENV], log=log)
    run([tool('python'), '-m', 'pip', 'install', '--disable-pip-version-check'] + [arg for path in REQUIREMENTS for arg in ('-r', rel(path))],
        log=log)
    with open(marker, 'w', encoding='utf-8') as handle:
        handle.write(digest.hexdigest())


def tool_env(**extra):
    """Environment for the tools: interpreter links and .venv/bin first, pyenv shims removed."""
    env = dict(os.environ)
    path = [PYTHON_LINKS, os.path.join(VENV, 'bin')]
    path += [entry for entry in env.get('PATH', '').split(os.pathsep) if entry and not is_shim_dir(entry) and entry not in path]
    for name in ('PYTHONPATH', 'PYTHONHOME'):
        env.pop(name, None)
    env.setdefault('ANSIBLE_NOCOLOR', '1')
    env.update(PATH=os.pathsep.join(path), VIRTUAL_ENV=VENV, ANSIBLE_FORCE_COLOR='0', PYTHONDONTWRITEBYTECODE='1', **extra)
    return env


def tool(name):
    """Path of an executable installed in .venv."""
    return os.path.join(VENV, 'bin', name)


# ---------------------------------------------------------------------------------------------------------------------
# counting


def count_cases(element):
    """``(passed, failed, skipped)`` of the junit testcases under ``element``."""
    passed = failed = skipped = 0
    for case in element.iter('testcase'):
        if case.find('failure') is not None or case.find('error') is not None:
            failed += 1
        elif case.find('skipped') is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def count_ansible_test(output):
    """``(passed, failed, skipped)`` of ansible-test: sanity tests, unit tests (pytest's closing lines), targets."""
    sanity = len(re.findall(r'^Running sanity test ', output, re.M))
    if sanity:
        match = re.search(r'The (\d+) sanity test\(s\) listed below \(out of \d+\) failed', output)
        failed = int(match.group(1)) if match else 0
        return sanity - failed, failed, len(set(re.findall(r'^WARNING: Skipping sanity test .*', output, re.M)))  # repeated at the end
    totals = {'passed': 0, 'failed': 0, 'skipped': 0}
    for line in re.findall(r'^=+ (\d+ .*) in [\d.]+s.* =+$', output, re.M):
        for number, word in re.findall(r'(\d+) (\w+)', line):
            key = {'error': 'failed', 'errors': 'failed', 'xfailed': 'skipped', 'xpassed': 'passed'}.get(word, word)
            totals[key] = totals.get(key, 0) + int(number)
    targets = len(re.findall(r'^Running \S+ integration test (?:role|script)', output, re.M))
    return totals['passed'] + targets, totals['failed'], totals['skipped']


# ---------------------------------------------------------------------------------------------------------------------
# steps


def step_setup(step):
    """Step: interpreter links and .venv."""
    setup(log=os.path.join(LOGS, 'setup.log'))
    step.note = 'python links, .venv'


def nox_step(*sessions, posargs=()):
    """A step that runs nox sessions. antsibull-nox's junit report counts each check its sessions run; ansible-test is
    counted from its output; any other session counts as one."""

    def step_nox(step):
        report, junit = (os.path.join(BUILD, 'nox', step.key + suffix) for suffix in ('.json', '.xml'))
        for path in (report, junit):
            remove(path)
        os.makedirs(os.path.dirname(report), exist_ok=True)
        returncode, output = run([tool('nox'), '--reuse-venv', 'yes', '--report', report, '-e', *sessions] + (['--', *posargs] if posargs else []),
                                 env=tool_env(ANTSIBULL_NOX_OUTPUT_JUNIT_XML_PATH=junit), log=os.path.join(LOGS, step.key + '.log'), check=False)
        suites = {suite.get('name'): suite for suite in ET.parse(junit).getroot().iter('testsuite')} if os.path.exists(junit) else {}
        results = []
        if os.path.exists(report):
            with open(report, encoding='utf-8') as handle:
                results = json.load(handle)['sessions']
        for result in results:
            counts = count_cases(suites[result['name']]) if result['name'] in suites else (0, 0, 0)
            if result['name'].startswith('ansible-test-'):
                counts = count_ansible_test(output)
            if result['result'] != 'success' and not counts[1]:
                counts = (counts[0], 1, counts[2])
            elif not any(counts) and result['name'] != 'lint':  # lint: antsibull-nox's meta session; its checks count
                counts = (1, 0, 0)
            step.counts(*counts)
        # The importer's findings are only warnings for antsibull-nox; any ERROR or WARNING line of its log fails here.
        problems = re.findall(r'^\s*(?:ERROR|WARNING)\b.*$', output.partition('python -m galaxy_importer.main')[2], re.M)
        if problems:
            step.counts(failed=1)
            raise StepFailed(f'galaxy-importer reported {len(problems)} problem(s):\n  ' + '\n  '.join(problems))
        if returncode or not results:
            raise StepFailed(f"nox -e {' '.join(sessions)} failed")
        step.note = 'nox -e ' + ' '.join(sessions)

    return step_nox


# ---------------------------------------------------------------------------------------------------------------------
# steps in .venv: the suites that use the built collection, docs/modules, acceptance


FORBIDDEN_IN_TARBALL = re.compile(r'(^|/)(\.git|\.ci|\.nox|\.venv[^/]*|build|\.ansible|__pycache__|\.pytest_cache)(/|$)|'
                                  r'^tests/output/|^tests/integration/(inventory|integration_config\.yml|cloud-config-)|\.tar\.gz$|\.pyc$')


@functools.lru_cache(maxsize=None)
def collection_tarball():
    """The collection built from the checkout into build/dist (once per run), for the suites that install it
    (``PAI_COLLECTION_TARBALL``). Fails on files that galaxy.yml's build_ignore should keep out."""
    remove(DIST)
    run([tool('ansible-galaxy'), 'collection', 'build', '--output-path', DIST, ROOT], env=tool_env(), log=os.path.join(LOGS, 'tarball.log'))
    tarball = glob.glob(os.path.join(DIST, 'alicloud-pai-*.tar.gz'))[0]
    with tarfile.open(tarball) as archive:
        leaked = [name for name in archive.getnames() if FORBIDDEN_IN_TARBALL.search(name)]
    if leaked:
        raise StepFailed('the tarball contains files that build_ignore should exclude: ' + ', '.join(leaked[:20]))
    return tarball


def pytest_step(name, paths, collection=False):
    """A step: pytest on ``paths`` in .venv, counted from its junit report (``collection``: give it the tarball)."""

    def step_pytest(step):
        junit, base, log = os.path.join(BUILD, 'junit', name + '.xml'), os.path.join(BUILD, 'pytest', name), os.path.join(LOGS, name + '.log')
        for path in (junit, base):
            remove(path)
            os.makedirs(os.path.dirname(path), exist_ok=True)
        env = tool_env(PAI_COLLECTION_TARBALL=collection_tarball()) if collection else tool_env()
        returncode, output = run([tool('python'), '-m', 'pytest', *paths, '-p', 'no:cacheprovider', '-ra', '--junit-xml', junit,
                                  '--basetemp', base], env=env, log=log, check=False)
        passed, failed, skipped = count_cases(ET.parse(junit).getroot()) if os.path.exists(junit) else (0, 0, 0)
        step.counts(passed, failed or (1 if returncode else 0), skipped)
        if returncode:
            raise StepFailed(f"pytest {' '.join(paths)} " + ('collected no tests' if returncode == 5 else 'failed'))
        xfailed = re.findall(r'^XFAIL \S+?(?:\[(.+?)\])? - ', output, re.M)
        if xfailed:
            step.note = f"{len(xfailed)} xfailed ({', '.join(sorted({param or '?' for param in xfailed}))}), see build/logs/{name}.log"
        remove(base)

    return step_pytest


# Parses RST pages with docutils and fails on any warning (the pages use no Sphinx roles).
RST_CHECK = '''import sys, docutils.core, docutils.utils
bad = 0
for path in sys.argv[1:]:
    try:
        docutils.core.publish_doctree(open(path, encoding="utf-8").read(), source_path=path, settings_overrides={
            "halt_level": 2, "report_level": 2, "warning_stream": sys.stdout, "input_encoding": "utf-8"})
    except docutils.utils.SystemMessage as ex:
        bad += 1
        print("%s: %s" % (path, ex))
sys.exit(1 if bad else 0)
'''


def _files_under(directory):
    found = {}
    for current, _dirs, files in os.walk(directory):
        for name in files:
            with open(os.path.join(current, name), 'rb') as handle:
                found[os.path.relpath(os.path.join(current, name), directory)] = handle.read()
    return found


def step_docs(step, write):
    """Step: generate the pages into build/docs-modules; ``write``: update docs/modules, else fail when it differs.
    Either way every page must parse without docutils warnings."""
    log, out = os.path.join(LOGS, step.key + '.log'), os.path.join(BUILD, 'docs-modules')
    remove(out)
    os.makedirs(out, mode=0o700)  # antsibull-docs only writes into a directory that only its owner can write to
    run([tool('antsibull-docs'), 'collection', '--use-current', '--output-format', 'simplified-rst', '--squash-hierarchy',
         '--no-add-antsibull-docs-version', '--fail-on-error', '--dest-dir', out, COLLECTION],
        env=tool_env(ANSIBLE_COLLECTIONS_PATH=collections_path_for_checkout()), log=log)
    # antsibull-docs copies the guides into docsite/; the index links to the sources instead of a second copy.
    unknown = set(os.listdir(os.path.join(out, 'docsite'))) - set(os.listdir(os.path.join(ROOT, 'docs', 'docsite', 'rst')))
    if unknown:
        raise StepFailed(f"antsibull-docs wrote docsite/{', '.join(sorted(unknown))}, not a guide in docs/docsite/rst")
    remove(os.path.join(out, 'docsite'))
    with open(os.path.join(out, 'index.rst'), encoding='utf-8') as handle:
        index = re.sub(r'<docsite/([\w.-]+\.rst)>', r'<../docsite/rst/\1>', handle.read())
    with open(os.path.join(out, 'index.rst'), 'w', encoding='utf-8') as handle:
        handle.write(index)
    generated, current = _files_under(out), _files_under(DOCS_MODULES)
    stale = sorted(name for name in set(generated) | set(current) if generated.get(name) != current.get(name))
    if write:
        remove(DOCS_MODULES)
        shutil.copytree(out, DOCS_MODULES)
        say(f'docs/modules: {len(stale)} file(s) changed, {len(generated)} in all')
    elif stale:
        for name in stale:
            say(f"  docs/modules/{name}: {'missing' if name not in current else 'not generated any more' if name not in generated else 'differs'}")
        step.counts(len(generated) - len(stale), len(stale))
        raise StepFailed(f'docs/modules is out of date with the module docs ({len(stale)} file(s)); run `make docs` and commit docs/modules')
    pages = sorted(rel(path) for path in glob.glob(os.path.join(out, '*.rst')))
    _returncode, output = run([tool('python'), '-c', RST_CHECK, *pages], env=tool_env(), log=log, check=False)
    bad = len(re.findall(r'^\S+\.rst: ', output, re.M)) or (1 if _returncode else 0)
    step.counts(len(generated) - bad, bad)
    if bad:
        raise StepFailed('docutils found problems in the generated pages')
    step.note = f"{len([page for page in pages if page.endswith('_module.rst')])} module pages, " + \
        (f'{len(stale)} file(s) changed' if write else 'up to date, valid RST')


def acceptance_run(step, target_env, emulator):
    """The acceptance lifecycle playbook, then the behaviour probe, against ``target_env`` (endpoint, credentials,
    PAI_WORKSPACE_ID). Everything is created under a unique prefix and removed again, even after a failure. Against
    the emulator the probe must report every default behaviour."""
    prefix, fake_key = f'ansible-acc-{uuid.uuid4().hex[:8]}', f'acceptance-fake-key-{uuid.uuid4().hex}'  # never a real key
    env = tool_env(**target_env, PAI_ACCEPTANCE_PREFIX=prefix, PAI_ACCEPTANCE_FAKE_KEY=fake_key, ANSIBLE_RETRY_FILES_ENABLED='False',
                   ANSIBLE_COLLECTIONS_PATH=collections_path_for_checkout(), ANSIBLE_LOCALHOST_WARNING='False',
                   ANSIBLE_INVENTORY_UNPARSED_WARNING='False')
    log, failures = os.path.join(LOGS, 'acceptance.log'), []
    returncode, playbook_output = run([tool('ansible-playbook'), os.path.join(ACCEPTANCE, 'lifecycle.yml'), '-vvv'], env=env, log=log, check=False)
    if returncode:
        failures.append(f'the lifecycle playbook failed (see {rel(log)})')
    probe = [tool('python'), os.path.join(ACCEPTANCE, 'probe.py'), '--workspace-id', env['PAI_WORKSPACE_ID'], '--prefix', prefix + '-probe',
             '--report', os.path.join(BUILD, 'acceptance')] + (['--expect', 'default', '--page-objects', '51'] if emulator else [])
    returncode, probe_output = run(probe, env=env, log=log, check=False)
    if returncode:
        failures.append(f'the behaviour probe failed or showed unexpected behaviours (see {rel(log)})')
    if fake_key in playbook_output + probe_output:
        failures.append(f'the fake secret of the run appears in the output (see {rel(log)})')
    step.counts(passed=3 - len(failures), failed=len(failures))
    say('behaviour report: build/acceptance/behaviours.md')
    if failures:
        raise StepFailed('; '.join(failures))
    step.note = 'against ' + ('the emulator' if emulator else target_env.get('ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE') or 'the region endpoint')
    step.note += '; report in build/acceptance'


def step_acceptance_emulator(step):
    """Step: the behaviour probe's own tests, then the acceptance suite against the emulator's default behaviours."""
    pytest_step('acceptance-probe', [ACCEPTANCE])(step)
    with local_emulator.running() as url:
        acceptance_run(step, local_emulator.environment(url), emulator=True)


def step_acceptance(step):
    """Step: the acceptance suite against the account the environment names (PAI_WORKSPACE_ID set), else the emulator."""
    if not os.environ.get('PAI_WORKSPACE_ID'):
        say('PAI_WORKSPACE_ID is not set: running against the local emulator (see docs/docsite/rst/guide_acceptance.rst)')
        step_acceptance_emulator(step)
        return
    acceptance_run(step, {name: value for name, value in os.environ.items() if name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'PAI_WORKSPACE_ID'))},
                   emulator=False)


def step_bench(step):
    """Step: tests/bench/bench.py against the emulator. Small (make test): request counts of the module and the SDK must
    be equal, the report goes to build/bench. BENCH_SIZE=full (make bench): the report and plots in docs/bench."""
    size = os.environ.get('BENCH_SIZE') or 'small'
    output = os.path.join(ROOT, 'docs', 'bench') if size == 'full' else os.path.join(BUILD, 'bench')
    returncode, _output = run([tool('python'), 'tests/bench/bench.py', '--size', size, '--output', output], env=tool_env(),
                              log=os.path.join(LOGS, step.key + '.log'), check=False)
    step.counts(0 if returncode else 1, 1 if returncode else 0)
    if returncode:
        raise StepFailed(f'the benchmark failed, see build/logs/{step.key}.log')
    step.note = f'{size} size; report in {rel(output)}'


def step_newcomer(step):
    """Step: the README's and the guides' try-it commands (the blocks marked newcomer-test), run as written in one bash
    session on a fresh clone, reusing build/demo-venv (tests/utils/newcomer.py); each command is one test case."""
    ensure_demo_venv()
    junit, log = os.path.join(BUILD, 'junit', 'newcomer.xml'), os.path.join(LOGS, 'newcomer.log')
    remove(junit)
    returncode, _output = run([sys.executable, os.path.join('tests', 'utils', 'newcomer.py'), '--demo-venv', DEMO_VENV, '--junit', junit],
                              log=log, check=False)
    passed, failed, skipped = count_cases(ET.parse(junit).getroot()) if os.path.exists(junit) else (0, 0, 0)
    step.counts(passed, failed or (1 if returncode else 0), skipped)
    if returncode:
        raise StepFailed(f'a try-it command failed on the fresh clone (see {rel(log)})')
    step.note = f'{passed} commands on a fresh clone'


# ---------------------------------------------------------------------------------------------------------------------
# the run: steps in order, the oldest-core lane, the summary


class BackgroundLane:
    """``ci.py background-lane`` (the oldest-core steps, then the newcomer test) in a child process, started with the
    main integration tests (each mostly waits on one process at a time, so on two cores they overlap well); its steps
    are collected when the run reaches them."""

    def __init__(self):
        self.process, self.results = None, None
        self.output, self.report = os.path.join(LOGS, 'background-lane.out'), os.path.join(BUILD, 'background-lane.json')

    def start(self):
        """Start the child process."""
        remove(self.report)
        with open(self.output, 'w', encoding='utf-8') as output:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [sys.executable, os.path.abspath(__file__), 'background-lane', '--lane-report', self.report], cwd=ROOT, stdin=subprocess.DEVNULL,
                stdout=output, stderr=subprocess.STDOUT, start_new_session=True)

    def collect(self, step):
        """Step: wait for the child, print its output (once), take over its result for ``step``."""
        if self.results is None:
            if self.process.poll() is None:
                say('(waiting for the steps running in the background)')
            self.process.wait()
            with open(self.output, encoding='utf-8') as handle:
                sys.stdout.write(handle.read())
            self.results = {}
            if os.path.exists(self.report):
                with open(self.report, encoding='utf-8') as handle:
                    self.results = json.load(handle)
        result = self.results.get(step.key) or {'status': 'failed', 'note': f'the background run ended early (see {rel(self.output)})'}
        for name, value in result.items():
            setattr(step, name, value)
        if step.status == 'failed':
            raise StepFailed(step.note)

    def stop(self):
        """Stop the child if it still runs."""
        if self.process and self.process.poll() is None:
            stop_process_group(self.process)


def execute(step):
    """Run one step; True when it passed."""
    banner(f'{step.key}: {step.title}')
    remove(os.path.join(LOGS, step.key + '.log'))
    start = time.monotonic()
    try:
        step.function(step)
        step.status = 'passed'
    except StepFailed as ex:
        step.status, step.note, step.failed = 'failed', str(ex), step.failed or 1
        say(f'FAILED: {step.title}: {ex}')
    except KeyboardInterrupt:
        step.status, step.note = 'stopped', 'interrupted'
        raise
    finally:
        step.duration = time.monotonic() - start if step.duration is None else step.duration
    return step.status == 'passed'


def summary(steps, elapsed, overlapped):
    """Print the summary table and the closing ``N passed, N failed`` line; True when everything passed."""
    width = max(len(step.title) for step in steps) + 2

    def row(title, result, counts, duration, note=''):
        say(' '.join([title.ljust(width), result.ljust(8)] + [str('-' if value is None else value).rjust(7) for value in counts])
            + duration.rjust(10) + '  ' + note.split('\n', 1)[0])

    say(f"\n{'=' * 100}\nSummary (logs in {rel(LOGS)})")
    row('step', 'result', ('passed', 'failed', 'skipped'), 'time', 'note')
    for step in steps:
        row(step.title, step.status, (step.passed, step.failed, step.skipped), format_duration(step.duration), step.note)
    passed, failed = sum(step.passed or 0 for step in steps), sum(step.failed or 0 for step in steps)
    row('total', '', (passed, failed, ''), format_duration(elapsed),
        'wall clock' + ('; the oldest-core steps and the newcomer test ran beside the main integration tests' if overlapped else ''))
    say(f"{'=' * 100}\n{passed} passed, {failed} failed")
    return failed == 0 and all(step.status == 'passed' for step in steps)


def run_all(plan, lane_report=None):
    """Run ``plan`` fail-fast (KEEP_GOING=1: all of it), print the summary or write ``lane_report``; the exit code."""
    started, steps = time.monotonic(), [Step(*entry) for entry in plan]
    lane = BackgroundLane() if PARALLEL and {'integration', *BACKGROUND} <= {step.key for step in steps} else None
    code = 0
    try:
        for step in steps:
            if lane and step.key == 'integration':
                lane.start()
            if lane and step.key in BACKGROUND:
                step.function = lane.collect
            if not execute(step) and (step.key == 'setup' or not KEEP_GOING):
                break
    except KeyboardInterrupt:
        code = 130
    finally:
        if lane:
            lane.stop()
    if lane_report:
        with open(lane_report, 'w', encoding='utf-8') as handle:
            json.dump({step.key: {name: getattr(step, name) for name in ('status', 'passed', 'failed', 'skipped', 'duration', 'note')}
                       for step in steps}, handle)
    ok = all(step.status == 'passed' for step in steps) if lane_report else summary(steps, time.monotonic() - started, bool(lane and lane.process))
    return code or (0 if ok else 1)


TARGETS = os.environ.get('TARGETS', '').split()  # `make integration TARGETS="pai_model"` runs only those targets
# The oldest core runs every target but the behaviour matrix, whose subject (the engine under each emulator switch)
# does not depend on ansible-core: the oldest-core units run the same switches (test_data_safety.py, part B).
OLDEST_TARGETS = TARGETS or ['--exclude', 'pai_behaviours']
STEPS = {
    'sanity': [('sanity', 'ansible-test sanity (py3.9-3.13)', nox_step('ansible-test-sanity'))],
    'units': [('units', 'ansible-test units (py3.9-3.13)', nox_step('ansible-test-units'))],
    'integration': [('integration', 'ansible-test integration (py3.12)', nox_step('ansible-test-integration', posargs=TARGETS))],
    'conformance': [('conformance', 'SDK conformance (pytest)', pytest_step('conformance', ['tests/conformance']))],
    'bench': [('bench', 'benchmark against the emulator (tests/bench)', step_bench)],
    'lint': [(key, f'nox: {session}', nox_step(session)) for key, session in (
        ('lint', 'lint'), ('extra-checks', 'extra-checks'), ('ansible-lint', 'ansible-lint'), ('docs-lint', 'docs-check'),
        ('changelog-lint', 'changelog-lint'))],
    'build': [('build', 'nox: build-import-check', nox_step('build-import-check'))],
    'docs': [('docs-write', 'antsibull-docs -> docs/modules', lambda step: step_docs(step, write=True))],
    'docs-check': [('docs-check', 'docs/modules up to date', lambda step: step_docs(step, write=False))],
    'ee': [('ee', 'execution environment (ansible-builder create)', pytest_step('ee', ['tests/awx/test_execution_environment.py'], True))],
    'module-docs': [('module-docs', 'ansible-doc + module EXAMPLES run', pytest_step('module-docs', ['tests/docs'], True))],
    'awx': [('awx', 'AWX-style jobs (ansible-runner)', pytest_step('awx', ['tests/awx/test_awx_job.py'], True))],
    'acceptance': [('acceptance', 'acceptance suite + behaviour probe', step_acceptance)],
    'acceptance-emulator': [('acceptance', 'acceptance suite + behaviour probe (emulator)', step_acceptance_emulator)],
    'newcomer': [('newcomer', 'try-it commands of README + guides (fresh clone)', step_newcomer)],
    'oldest': [('oldest-units', 'oldest core 2.15: units (py3.11)', nox_step('ansible-test-units-2.15')),
               ('oldest-integration', 'oldest core 2.15: integration (py3.11)', nox_step('ansible-test-integration-2.15', posargs=OLDEST_TARGETS))],
}
STEPS.update({name: [entry for entry in STEPS['lint'] if entry[0] == name] for name in ('ansible-lint', 'docs-lint', 'changelog-lint')})
STEPS['docs'] += STEPS['docs-lint']
STEPS['background-lane'] = STEPS['oldest'] + STEPS['newcomer']  # `test` runs these beside the main integration tests
BACKGROUND = tuple(key for key, dummy, dummy in STEPS['background-lane'])
TEST_ORDER = ('sanity', 'units', 'integration', 'conformance', 'bench', 'lint', 'build', 'docs-check', 'ee', 'module-docs', 'awx',
              'acceptance-emulator', 'newcomer', 'oldest')
NO_SETUP = ('newcomer',)  # commands that need no .venv of their own


def plan_for(command, with_setup=True):
    """The ``(key, title, function)`` list of a command."""
    plan = [('setup', 'set-up', step_setup)] if with_setup and command not in NO_SETUP else []
    for name in TEST_ORDER if command == 'test' else () if command == 'setup' else (command,):
        plan += STEPS[name]
    return plan


# ---------------------------------------------------------------------------------------------------------------------
# clean and main


def command_clean():
    """Remove everything the Makefile and nox created in the checkout."""
    if local_emulator.stop_background(EMULATOR_STATE):
        say('stopped the background emulator')
    for path in (WORK, BUILD, VENV, '.nox', 'tests/output', '.pytest_cache', '.ansible', 'tests/integration/integration_config.yml',
                 'changelogs/.plugin-cache.yaml', *glob.glob('**/__pycache__', recursive=True)):
        if os.path.lexists(path):
            say(f'removing {rel(path)}')
            remove(path)
    return 0


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('command', choices=['test', 'setup', 'clean', *STEPS])
    parser.add_argument('--lane-report', help=argparse.SUPPRESS)  # the background lane of `test` (BackgroundLane)
    args = parser.parse_args(argv)
    stop_on_sigterm()
    os.chdir(ROOT)
    if not args.lane_report:
        # One command at a time per checkout: they share build/, .venv and nox's venvs.
        lock = open(WORK + '.lock', 'a+', encoding='utf-8')  # pylint: disable=consider-using-with
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            say(f'Another run in this checkout holds {WORK}.lock; waiting for it to finish ...')
            fcntl.flock(lock, fcntl.LOCK_EX)
    if args.command == 'clean':
        return command_clean()
    os.makedirs(LOGS, exist_ok=True)
    return run_all(plan_for(args.command, with_setup=not args.lane_report), args.lane_report)


if __name__ == '__main__':
    sys.exit(main())
