# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a new user sees of each module: ``ansible-doc`` renders it, and its EXAMPLES run as written.

The collection is installed from its tarball. For every module in ``plugins/modules``:

* ``ansible-doc -t module alicloud.pai.<module>`` exits 0, warns about nothing and shows every option (sub-options
  included), the examples and the return values;
* the module's EXAMPLES, taken from ``ansible-doc --json``, run unchanged as the tasks of one play
  (``hosts: localhost``, ``gather_facts: false``) against a fresh emulator with a key pair of its own. The
  endpoint and the credentials come from the environment (``ALIBABA_CLOUD_*``), as the authentication guide
  describes; the variables the examples use without defining them (``dashscope_api_key`` ...) are given as extra
  variables. Every task must succeed and none may be skipped; each task of a resource module changes something
  (the workspace starts empty), no task of an info module does.
"""

import importlib.util
import json
import os
import re
import subprocess
import sys

import pytest

import yaml

from collection_fixtures import venv_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATOR_PATH = os.path.join(ROOT, 'tests', 'emulator', 'pai_emulator.py')
MODULES = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                 if name.endswith('.py') and not name.startswith('_'))

ACCESS_KEY_ID = 'LTAI5tModuleDocsKeyId03'
ACCESS_KEY_SECRET = 'moduledocs-ACCESS-KEY-SECRET-2a9f'

# Values for the variables the EXAMPLES use without setting them (a user's vault variables).
EXAMPLE_VARS = {
    'dashscope_api_key': 'sk-moduledocs-example-key',
    'milvus_password': 'moduledocs-milvus-password',
}


def _load_emulator():
    if 'pai_emulator' not in sys.modules:
        spec = importlib.util.spec_from_file_location('pai_emulator', EMULATOR_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules['pai_emulator'] = module
        spec.loader.exec_module(module)
    return sys.modules['pai_emulator']


@pytest.fixture(scope='module')
def tool_env(collections_path):
    """The environment for ansible-doc and ansible-playbook: only the installed collection, no PAI settings of the caller."""
    env = dict((name, value) for name, value in os.environ.items()
               if not name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'AIWORKSPACE_', 'PAI_', 'DASHSCOPE_', 'ANSIBLE_')))
    env.update(ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False',
               ANSIBLE_RETRY_FILES_ENABLED='False', ANSIBLE_DEPRECATION_WARNINGS='True')
    return env


@pytest.fixture(scope='module')
def doc_json(tool_env):
    """``ansible-doc --json`` of every module, in one call."""
    result = subprocess.run([venv_tool('ansible-doc'), '-t', 'module', '--json'] + ['alicloud.pai.' + name for name in MODULES],
                            env=tool_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), 'ansible-doc --json warned:\n' + result.stderr
    return json.loads(result.stdout)


def option_names(options):
    """Every option and sub-option name of an ``options`` dict."""
    names = []
    for name, spec in (options or {}).items():
        names.append(name)
        names.extend(option_names(spec.get('suboptions')))
    return names


def test_ansible_doc_lists_every_module(tool_env):
    result = subprocess.run([venv_tool('ansible-doc'), '-t', 'module', '-l', 'alicloud.pai'], env=tool_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert result.returncode == 0, result.stderr
    listed = sorted(re.findall(r'^alicloud\.pai\.(\S+)\s', result.stdout, re.M))
    assert listed == MODULES


@pytest.mark.parametrize('module', MODULES)
def test_ansible_doc_renders(tool_env, doc_json, module):
    result = subprocess.run([venv_tool('ansible-doc'), '-t', 'module', 'alicloud.pai.' + module], env=tool_env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), 'ansible-doc warned:\n' + result.stderr
    text = result.stdout
    assert text.startswith('> MODULE alicloud.pai.%s ' % module), text[:200]
    doc = doc_json['alicloud.pai.' + module]
    missing = [name for name in option_names(doc['doc']['options']) if not re.search(r'(^|\s)%s(\s|$)' % re.escape(name), text, re.M)]
    assert not missing, 'options not shown by ansible-doc: %s' % missing
    for heading in ('OPTIONS', 'ATTRIBUTES', 'REQUIREMENTS', 'EXAMPLES', 'RETURN VALUES'):
        assert re.search(r'^%s\b' % heading, text, re.M), 'no %s section' % heading
    assert doc['examples'].strip().splitlines()[0] in text


def undefined_variables(tasks):
    """Top-level variables the tasks use but do not register."""
    registered = set(task['register'] for task in tasks if 'register' in task)
    used = set(re.findall(r'\{\{\s*([A-Za-z_]\w*)', yaml.safe_dump(tasks, allow_unicode=True, width=10000)))
    return used - registered - {'lookup', 'query', 'q', 'omit'}


@pytest.mark.parametrize('module', MODULES)
def test_examples_run_as_written(tmp_path, tool_env, doc_json, module):
    tasks = yaml.safe_load(doc_json['alicloud.pai.' + module]['examples'])
    assert isinstance(tasks, list) and tasks, 'EXAMPLES of %s is not a list of tasks' % module
    unknown = undefined_variables(tasks) - set(EXAMPLE_VARS)
    assert not unknown, 'EXAMPLES of %s use variables the test does not know: %s (add them to EXAMPLE_VARS)' % (module, sorted(unknown))
    playbook = tmp_path / 'examples.yml'
    playbook.write_text(yaml.safe_dump([{'name': 'EXAMPLES of alicloud.pai.' + module, 'hosts': 'localhost', 'gather_facts': False,
                                         'tasks': tasks}], allow_unicode=True, sort_keys=False), encoding='utf-8')
    extra_vars = tmp_path / 'vars.json'
    extra_vars.write_text(json.dumps(dict(EXAMPLE_VARS, ansible_python_interpreter=sys.executable)), encoding='utf-8')
    with _load_emulator().serve_in_thread(host='127.0.0.1', port=0, access_key_id=ACCESS_KEY_ID, access_key_secret=ACCESS_KEY_SECRET) as emulator:
        env = dict(tool_env, ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE=emulator.url, ALIBABA_CLOUD_ACCESS_KEY_ID=ACCESS_KEY_ID,
                   ALIBABA_CLOUD_ACCESS_KEY_SECRET=ACCESS_KEY_SECRET)
        result = subprocess.run([venv_tool('ansible-playbook'), '-i', 'localhost,', '-c', 'local', str(playbook), '-e', '@' + str(extra_vars)],
                                cwd=str(tmp_path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, check=False)
    output = result.stdout
    assert result.returncode == 0, output[-6000:]
    recap = re.search(r'^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)', output, re.M)
    assert recap, output[-3000:]
    ok, changed, unreachable, failed, skipped = (int(value) for value in recap.groups())
    assert (ok, unreachable, failed, skipped) == (len(tasks), 0, 0, 0), output[-6000:]
    # On an empty workspace every task of a resource module's examples makes a change; info modules make none.
    assert changed == (0 if module.endswith('_info') else len(tasks)), output[-6000:]
    assert '[WARNING]' not in output and '[DEPRECATION WARNING]' not in output, output[-6000:]
