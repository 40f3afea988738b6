# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""nox sessions of alicloud.pai (`nox -l` lists them; docs/docsite/rst/guide_contributing.rst explains them).

antsibull-nox.toml configures antsibull-nox's checks. The ansible-test sessions are defined here with antsibull-nox's
``add_ansible_test_session`` and ``--venv``: the ones its config file adds always pass ``--docker``, and this machine has
no container engine. They need `make setup` first (interpreter links in build/python), and they cache a get-pip
stand-in for ansible-test, which cannot download get-pip here. `make test` runs all sessions and the rest of CI.
"""

# /// script
# dependencies = ["nox>=2026.10.20", "antsibull-nox>=1.10.0,<1.11"]
# ///

import contextlib
import glob
import os
import re
import shutil
import sys

import nox

try:
    import antsibull_nox
except ImportError:
    print('antsibull-nox must be installed beside nox: `make setup` puts both into .venv (use .venv/bin/nox).')
    sys.exit(1)

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))
import local_emulator  # noqa: E402 pylint: disable=wrong-import-position

antsibull_nox.load_antsibull_nox_toml()

# ansible-test runs `python3.X` in a cleaned environment, where pyenv's shims fail: the links `make setup` writes into
# build/python go first on PATH, and the shims go.
PYTHON_LINKS = os.path.join(ROOT, 'build', 'python')
if not os.path.isdir(PYTHON_LINKS):
    print('build/python does not exist: run `make setup` before the ansible-test sessions.')
PATH = [entry for entry in os.environ.get('PATH', '').split(os.pathsep) if entry and os.path.basename(entry.rstrip('/')) != 'shims']
os.environ['PATH'] = os.pathsep.join([PYTHON_LINKS] + [entry for entry in PATH if entry != PYTHON_LINKS])


@nox.session(name='changelog-lint', default=True)
def changelog_lint(session: nox.Session) -> None:
    """Run antsibull-changelog lint on the fragments and lint-changelog-yaml --strict on changelogs/changelog.yaml."""
    session.install('antsibull-changelog>=0.36.0,<0.37')
    session.run('antsibull-changelog', 'lint')
    session.run('antsibull-changelog', 'lint-changelog-yaml', '--strict', 'changelogs/changelog.yaml')


def cache_get_pip_standins():
    """ansible-test reads ~/.ansible/test/cache/get_pip_<pip version>.py before it downloads get-pip from a host this
    machine cannot reach: put tests/utils/get_pip_standin.py there for the pip pin of every ansible-test under .nox."""
    cache = os.path.expanduser('~/.ansible/test/cache')
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(ROOT, 'tests', 'utils', 'get_pip_standin.py'), encoding='utf-8') as handle:
        standin = handle.read()
    for path in glob.glob(os.path.join(ROOT, '.nox', '*', 'lib', 'python*', 'site-packages', 'ansible_test', '_internal', 'python_requirements.py')):
        with open(path, encoding='utf-8') as handle:
            for pin in re.findall(r"\bpip='(\d+(?:\.\d+)*)'", handle.read()):
                target = os.path.join(cache, f"get_pip_{pin.replace('.', '_')}.py")
                with open(target + f'.{os.getpid()}', 'w', encoding='utf-8') as out:  # replaced in one step: two sessions may run at once
                    out.write(standin)
                os.replace(target + f'.{os.getpid()}', target)


def no_sanity_ignores():
    """The bar is zero entries in tests/sanity/ignore-*.txt."""
    for path in glob.glob('tests/sanity/ignore-*.txt'):
        with open(path, encoding='utf-8') as handle:
            entries = [line.strip() for line in handle if line.strip() and not line.startswith('#')]
        if entries:
            raise ValueError(f'{path}: sanity ignore entries are not allowed: {entries}')


def oldest_unit_constraints():
    """ansible-core 2.15 runs unit tests with pytest --forked, and pytest-forked fails every test under pytest 9."""
    with open('tests/unit/constraints.txt', 'a', encoding='utf-8') as handle:
        handle.write('\n# added by noxfile.py for ansible-core 2.15\npytest < 9\n')


def add_ansible_test(name, core, command, python=None, before=None, emulator=False):
    """An ansible-test session with --venv; it runs in antsibull-nox's copy of the collection."""
    stack = contextlib.ExitStack()

    def callback_before():
        cache_get_pip_standins()
        if before:
            before()
        if emulator:
            url = stack.enter_context(local_emulator.running())
            local_emulator.write_variables('tests/integration/integration_config.yml', url, 'Written by noxfile.py: the emulator of this run.')

    def callback_after():
        stack.close()
        # ansible-test --venv keeps its virtual environments there; antsibull-nox would copy them into the checkout.
        shutil.rmtree('tests/output/.tmp', ignore_errors=True)

    params = [command, '--venv', '--color', 'no'] + (['--python', python] if python else [])
    antsibull_nox.add_ansible_test_session(
        name=name, description=f"Run ansible-test {' '.join(params)} with ansible-core {core}" + (' against the emulator' if emulator else ''),
        default=False, ansible_core_version=core, ansible_core_source='pypi', ansible_test_params=params,
        callback_before=callback_before, callback_after=callback_after)


add_ansible_test('ansible-test-sanity', '2.21', 'sanity', before=no_sanity_ignores)
add_ansible_test('ansible-test-units', '2.21', 'units')
add_ansible_test('ansible-test-integration', '2.21', 'integration', python='3.12', emulator=True)
# The oldest ansible-core meta/runtime.yml allows.
add_ansible_test('ansible-test-units-2.15', '2.15', 'units', python='3.11', before=oldest_unit_constraints)
add_ansible_test('ansible-test-integration-2.15', '2.15', 'integration', python='3.11', emulator=True)


if __name__ == '__main__':
    nox.main()
