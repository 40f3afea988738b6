# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The example playbooks as AWX jobs: ansible-runner, a private data directory laid out as AWX lays it out.

For each playbook in ``examples/``, and for the playbook of ``docs/docsite/rst/guide_awx.rst`` ("A playbook for
AWX", as ``pai.yml``, the name its job templates use), the test runs, against a fresh emulator with a key pair of
its own:

* the "dry run" job template of ``docs/docsite/rst/guide_awx.rst`` (job type check, Show Changes on),
* the "apply" job template (job type run, Show Changes on),
* the apply template again, launched with verbosity 3 (Debug): nothing may change;
* the dry run again with temporary credentials (STS key pair and token): nothing would change.

Every job gets a new private data directory: ``project/`` (a copy of ``examples/`` plus ``pai.yml``),
``inventory/hosts``, ``env/envvars``, ``env/extravars``, ``env/cmdline`` and ``env/settings``. The environment
is what the guide's credential type injects (its injector configuration is read from the guide and rendered as
AWX renders it, with Jinja2 in a sandbox, an optional field left empty becoming ``""``), plus the execution
environment's collections path. The DashScope API key comes from a second custom credential type as the guide
suggests, with an ``env`` injector (``DASHSCOPE_API_KEY``, read by ``examples/connections.yml``) and an
``extra_vars`` injector (``dashscope_api_key``, used by the guide's playbook). The collection comes from the built
tarball. ``--check`` and ``--diff`` come from the job templates' ``job_type`` and ``diff_mode``, the extra
variables from their ``extra_vars`` and the credentials' ``extra_vars`` injectors.

The assertions read ansible-runner's artifacts: ``rc``, ``status`` and the job events (changed task results,
their ``diff``, ``playbook_on_stats``), and the emulator's request log (no write during the check job). No
secret value (AccessKey secret, STS token, the DashScope API key) may appear in any file of the private data
directory apart from ``env/envvars`` and ``env/extravars`` (the input) and ansible-runner's
``artifacts/<ident>/command``, the record
of the process environment that ansible-runner always writes (AWX keeps its own copy of the environment with
secret fields masked, and removes the private data directory after the job).

The assumed-role jobs (``role_jobs``) run the guide's playbook with two credentials attached, as the guide's
assumed-role pattern has it: an ``Alibaba Cloud PAI`` credential (the key pair) and an ``Alibaba Cloud RAM role``
credential (the role ARN and session name of the guide's example credential, and an external id), both rendered
from the injectors the guide documents. The emulator's role requires that external id. The dry run, the apply
and the apply again (verbosity 3) must behave as with the key pair alone, and the emulator's STS record
(``/_emulator/sts``) and request log must show one ``AssumeRole`` per module task, each signed by the key pair
for the guide's role, session and external id, and every PAI request signed by the pair the ``AssumeRole`` before
it issued (the emulator runs in this process, so the test reads the signer of each PAI request and the issued
secrets and tokens from it). A job whose ``AssumeRole`` is refused (``sts_assume_role=denied``) fails at its first
task with a message naming ``AssumeRole`` and ``NoPermission``, and sends no PAI request. None of these jobs may
leave the key secret, an issued secret or token, or anything that looks like a signed STS request in its
artifacts.
"""

import base64
import importlib.util
import json
import os
import re
import contextlib
import shutil
import sys
import urllib.parse
import urllib.request

import ansible_runner
import jinja2.sandbox
import pytest
import yaml

# ansible-runner starts ansible-playbook through pexpect (forkpty), as in AWX; the emulator thread of this process
# holds no lock the child needs before it execs.
pytestmark = pytest.mark.filterwarnings('ignore:This process .* is multi-threaded, use of forkpty:DeprecationWarning')

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, 'examples')
EMULATOR_PATH = os.path.join(ROOT, 'tests', 'emulator', 'pai_emulator.py')

# Distinctive values, so that finding one of them in a file means it leaked; none of them is the emulator's default.
ACCESS_KEY_ID = 'LTAI5tAwxJobKeyId0001'
ACCESS_KEY_SECRET = 'awxjob-ACCESS-KEY-SECRET-6e1f0c9d'
STS_ACCESS_KEY_ID = 'STS.NUawxJobTemporaryKey0002'
STS_ACCESS_KEY_SECRET = 'awxjob-STS-KEY-SECRET-41b7a2e5'
STS_TOKEN = 'awxjob-STS-SECURITY-TOKEN-9d3c58aa'
DASHSCOPE_API_KEY = 'sk-awxjob-DASHSCOPE-SECRET-0b8e7f21'
REGION = 'cn-hangzhou'
WRITE_METHODS = ('POST', 'PUT', 'DELETE')

# The second credential type the guide suggests for a connection secret ("with an extra_vars injector, or an env
# injector read with lookup('ansible.builtin.env', ...)"): examples/connections.yml reads DASHSCOPE_API_KEY, the
# guide's playbook uses dashscope_api_key.
DASHSCOPE_CREDENTIAL_TYPE = {
    'inputs': {'fields': [{'id': 'api_key', 'type': 'string', 'label': 'DashScope API key', 'secret': True}],
               'required': ['api_key']},
    'injectors': {'env': {'DASHSCOPE_API_KEY': '{{ api_key }}'}, 'extra_vars': {'dashscope_api_key': '{{ api_key }}'}},
}

# The guide's playbook, under the name its job templates give.
GUIDE_PLAYBOOK = 'pai.yml'

# Changed tasks of one run on an empty workspace.
EXPECTED_CHANGED = {'connections.yml': 2, 'models.yml': 1, 'model_versions.yml': 3, 'workspaces.yml': 3, GUIDE_PLAYBOOK: 2}

# The assumed-role jobs: the playbook they run, the external id the role requires (not a secret: the guide's RAM
# role type does not mark it secret, and it may show in the job's environment) and the request actions of STS.
ROLE_PLAYBOOK = GUIDE_PLAYBOOK
ROLE_EXTERNAL_ID = 'awxjob-external-id-5f0e'
STS_ACTIONS = ('AssumeRole', 'AssumeRoleWithOIDC')
# What a leaked STS answer or signed STS request looks like, whatever its values: the answer's secret field, the
# query parameters of an AssumeRole signed with a temporary or a permanent key, the start of every STS token.
STS_LEAK_MARKERS = ('AccessKeySecret', 'SecurityToken=', 'Signature=', 'CAIS')

# Playbooks that cannot run as an AWX job with the documented credential type, and why. A fix makes the
# xfail(strict) tests below pass and so fail: then remove the entry.
NOT_AWX_READY = {}
# Playbooks that cannot run with temporary credentials (an STS key pair and token) injected by that credential type.
NOT_STS_READY = {}


def _load_emulator():
    if 'pai_emulator' not in sys.modules:
        spec = importlib.util.spec_from_file_location('pai_emulator', EMULATOR_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules['pai_emulator'] = module
        spec.loader.exec_module(module)
    return sys.modules['pai_emulator']


def playbooks():
    """The playbooks run as jobs: examples/*.yml and the guide's."""
    return sorted(name for name in os.listdir(EXAMPLES) if name.endswith(('.yml', '.yaml'))) + [GUIDE_PLAYBOOK]


def job_params(*known_failures):
    """The playbooks as test parameters; those in ``NOT_AWX_READY`` or ``known_failures`` are strict xfails."""
    params = []
    for name in playbooks():
        reasons = [known[name] for known in (NOT_AWX_READY,) + known_failures if name in known]
        marks = [pytest.mark.xfail(strict=True, reason='; '.join(reasons))] if reasons else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


# ---------------------------------------------------------------------------------------------------
# what the guide documents


def guide_credential_type(guide):
    """The custom credential type of the guide: ``{'inputs': ..., 'injectors': ...}``."""
    return {'inputs': guide.yaml(lead='Input configuration:'), 'injectors': guide.yaml(lead='Injector configuration:')}


def guide_role_credential_type(guide):
    """The guide's credential type for an assumed RAM role: ``{'inputs': ..., 'injectors': ...}``."""
    return {'inputs': guide.yaml(lead='Input configuration of the RAM role type:'),
            'injectors': guide.yaml(lead='Injector configuration of the RAM role type:')}


def guide_workload_credential_type(guide):
    """The guide's credential type for jobs that run as the node's or the pod's RAM role."""
    return {'inputs': guide.yaml(lead='Input configuration of the workload identity type:'),
            'injectors': guide.yaml(lead='Injector configuration of the workload identity type:')}


# The credential types of the guide by the name its awx.awx.credential_type example gives them.
GUIDE_CREDENTIAL_TYPES = {
    'Alibaba Cloud PAI': guide_credential_type,
    'Alibaba Cloud RAM role': guide_role_credential_type,
    'Alibaba Cloud PAI (workload identity)': guide_workload_credential_type,
}


def guide_as_code(guide):
    """The tasks of the guide's "credential types as code" play."""
    return guide.yaml(contains='awx.awx.credential_type:')[0]['tasks']


def guide_role_credential(guide):
    """The inputs of the guide's example credential of the RAM role type (``PAI production role``)."""
    found = [task['awx.awx.credential']['inputs'] for task in guide_as_code(guide)
             if task.get('awx.awx.credential', {}).get('credential_type') == 'Alibaba Cloud RAM role']
    assert len(found) == 1, 'expected one example credential of the RAM role type in the guide, found %d' % len(found)
    return found[0]


def guide_job_templates(guide):
    """``{job_type: job template options}`` of the guide's awx.awx.job_template example."""
    play = guide.yaml(contains='awx.awx.job_template:')[0]
    templates = [task['awx.awx.job_template'] for task in play['tasks']]
    return dict((template['job_type'], template) for template in templates)


def guide_playbook(guide):
    """The text of the guide's playbook for AWX."""
    return guide.text(contains='- name: PAI connections and models')


def render_injectors(credential_type, inputs, kind='env'):
    """What an AWX credential of ``credential_type`` with ``inputs`` injects as ``kind`` (``env`` or ``extra_vars``),
    rendered as AWX renders it."""
    fields = dict((field['id'], field) for field in credential_type['inputs']['fields'])
    unknown = set(inputs) - set(fields)
    assert not unknown, 'inputs the credential type does not have: %s' % sorted(unknown)
    missing = set(credential_type['inputs'].get('required', [])) - set(inputs)
    assert not missing, 'required inputs missing: %s' % sorted(missing)
    sandbox = jinja2.sandbox.ImmutableSandboxedEnvironment()
    return dict((name, sandbox.from_string(template).render(**inputs))
                for name, template in credential_type['injectors'].get(kind, {}).items())


def inject(*credentials):
    """``{'env': ..., 'extra_vars': ...}`` that the credentials, ``(credential type, inputs)`` pairs, inject together."""
    injected = {'env': {}, 'extra_vars': {}}
    for credential_type, inputs in credentials:
        for kind, values in injected.items():
            values.update(render_injectors(credential_type, inputs, kind))
    return injected


def cmdline_for(template):
    """The ansible-playbook options AWX adds for a job template's job type and Show Changes."""
    options = []
    if template['job_type'] == 'check':
        options.append('--check')
    if template.get('diff_mode'):
        options.append('--diff')
    return options


# ---------------------------------------------------------------------------------------------------
# running a job


class Job:
    """One finished ansible-runner job: its private data directory, artifacts, events and emulator requests."""

    def __init__(self, private_data_dir, ident, runner, requests):
        self.private_data_dir = private_data_dir
        self.ident = ident
        self.rc = runner.rc
        self.status = runner.status
        self.artifacts = os.path.join(private_data_dir, 'artifacts', ident)
        self.events = []
        events_dir = os.path.join(self.artifacts, 'job_events')
        for name in sorted(os.listdir(events_dir), key=lambda item: int(item.split('-', 1)[0])):
            with open(os.path.join(events_dir, name), encoding='utf-8') as handle:
                self.events.append(json.load(handle))
        self.requests = requests

    def stdout(self):
        with open(os.path.join(self.artifacts, 'stdout'), encoding='utf-8') as handle:
            return handle.read()

    def stats(self):
        stats = [event['event_data'] for event in self.events if event['event'] == 'playbook_on_stats']
        assert len(stats) == 1, 'expected one playbook_on_stats event, got %d' % len(stats)
        return stats[0]

    def changed(self):
        """Host ``localhost``'s changed count from the play recap event."""
        return self.stats().get('changed', {}).get('localhost', 0)

    def changed_results(self):
        return [event['event_data'] for event in self.events
                if event['event'] == 'runner_on_ok' and event['event_data'].get('res', {}).get('changed')]

    def writes(self):
        return [request for request in self.requests if request['method'] in WRITE_METHODS or request['mutated']]

    def diffs(self):
        """``(task, diff, warnings)`` of every change, one per changed item of a loop."""
        diffs = []
        for result in self.changed_results():
            res = result['res']
            items = [item for item in res['results'] if item.get('changed')] if 'results' in res else [res]
            diffs += [(result['task'], item.get('diff'), item.get('warnings') or []) for item in items]
        return diffs

    def module_runs(self):
        """How many times the job ran an ``alicloud.pai`` module: once per task result, once per item of a loop."""
        runs = {}
        for event in self.events:
            data = event.get('event_data', {})  # verbose output events have none
            action = data.get('resolved_action') or data.get('task_action') or ''
            if not action.startswith('alicloud.pai.'):
                continue
            task = runs.setdefault(data.get('task_uuid'), {'results': 0, 'items': 0})
            if event['event'] in ('runner_on_ok', 'runner_on_failed'):
                task['results'] += 1
            elif event['event'] in ('runner_item_on_ok', 'runner_item_on_failed'):
                task['items'] += 1
        return sum(task['items'] or task['results'] for task in runs.values())

    def sts_requests(self):
        return [request for request in self.requests if request['action'] in STS_ACTIONS]

    def pai_requests(self):
        return [request for request in self.requests if request['action'] not in STS_ACTIONS]

    def failures(self):
        return [event['event_data'] for event in self.events if event['event'] == 'runner_on_failed']

    def describe(self):
        failures = [event['event_data'].get('res', {}).get('msg') for event in self.events if event['event'] == 'runner_on_failed']
        return 'job %s: status %s, rc %s, failures %s; stdout:\n%s' % (self.ident, self.status, self.rc, failures, self.stdout()[-4000:])


class Emulator:
    """The emulator in this process, with a key pair of its own."""

    def __init__(self):
        self.server = _load_emulator().serve_in_thread(host='127.0.0.1', port=0, access_key_id=ACCESS_KEY_ID,
                                                       access_key_secret=ACCESS_KEY_SECRET)
        self.url = self.server.url
        self.server.state.add_credential({'access_key_id': STS_ACCESS_KEY_ID, 'access_key_secret': STS_ACCESS_KEY_SECRET,
                                          'security_token': STS_TOKEN})

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode('utf-8')
        request = urllib.request.Request(self.url + '/_emulator/' + path, data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode('utf-8'))

    def record_signers(self, patch):
        """From now on, append ``(method, raw path, AccessKeyId or None)`` for every PAI request the emulator
        authenticates (its request log does not say who signed) to the returned list, in arrival order.

        The emulator serves PAI requests from this process, so ``patch`` wraps the signature check its server
        calls; STS requests are checked elsewhere and not recorded."""
        server_module = sys.modules['paiemu.server']
        authenticate = server_module.authenticate
        signers = []

        def recording_authenticate(state, req):
            try:
                access_key_id = authenticate(state, req)
            except Exception:
                signers.append((req.method, req.raw_path, None))
                raise
            signers.append((req.method, req.raw_path, access_key_id))
            return access_key_id

        patch.setattr(server_module, 'authenticate', recording_authenticate)
        return signers

    def issued(self):
        """The STS record: ``[record]`` of every key pair the emulator issued, in issue order (no secrets)."""
        return list(self.admin('GET', 'sts')['issued'].values())

    def issued_secrets(self, access_key_id):
        """The secret and the security token of a key pair the emulator issued (read from its state)."""
        credential = self.server.state.credentials[access_key_id]
        return [credential['secret'], credential['token']]

    def stop(self):
        self.server.stop()


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(content)


def run_job(base, ident, playbook, template, injected, emulator, collections_path, guide_text, verbosity=0):
    """Lay out a private data directory as AWX does for a job of ``template`` and run it with ansible-runner."""
    private_data_dir = os.path.join(base, ident)
    shutil.copytree(EXAMPLES, os.path.join(private_data_dir, 'project'))
    write(os.path.join(private_data_dir, 'project', GUIDE_PLAYBOOK), guide_text)
    # AWX's inventory for localhost jobs: a local connection with the execution environment's Python.
    write(os.path.join(private_data_dir, 'inventory', 'hosts'),
          'localhost ansible_connection=local ansible_python_interpreter="{{ ansible_playbook_python }}"\n')
    envvars = {'ANSIBLE_COLLECTIONS_PATH': collections_path, 'ANSIBLE_LOCALHOST_WARNING': 'False'}
    envvars.update(injected['env'])
    extravars = dict(template.get('extra_vars') or {})
    extravars.update(injected['extra_vars'])
    write(os.path.join(private_data_dir, 'env', 'envvars'), yaml.safe_dump(envvars, default_flow_style=False))
    write(os.path.join(private_data_dir, 'env', 'extravars'), yaml.safe_dump(extravars, default_flow_style=False))
    write(os.path.join(private_data_dir, 'env', 'cmdline'), ' '.join(cmdline_for(template) + (['-' + 'v' * verbosity] if verbosity else [])))
    write(os.path.join(private_data_dir, 'env', 'settings'),
          yaml.safe_dump({'job_timeout': 300, 'idle_timeout': 120, 'pexpect_timeout': 5, 'suppress_ansible_output': True}))
    emulator.admin('DELETE', 'requests')
    runner = ansible_runner.run(private_data_dir=private_data_dir, playbook=playbook, ident=ident, quiet=True)
    return Job(private_data_dir, ident, runner, emulator.admin('GET', 'requests'))


# ---------------------------------------------------------------------------------------------------
# looking for secrets


def secret_forms(secret):
    """The ways a leaked value can be written: as it is, JSON-escaped, base64."""
    return set([secret, json.dumps(secret)[1:-1], base64.b64encode(secret.encode('utf-8')).decode('ascii'),
                urllib.parse.quote(secret, safe='')])


def find_markers(directory, markers, skip=()):
    """``[(relative path, marker)]`` for every file under ``directory`` (but ``skip``) that contains a marker as it is."""
    found = []
    for current, _dirs, files in os.walk(directory):
        for name in files:
            relative = os.path.relpath(os.path.join(current, name), directory)
            if relative in skip:
                continue
            with open(os.path.join(current, name), 'rb') as handle:
                data = handle.read()
            found.extend((relative, marker) for marker in markers if marker.encode('utf-8') in data)
    return found


def find_secrets(directory, secrets, skip=()):
    """``[(relative path, secret)]`` for every file under ``directory`` (but ``skip``) that contains a form of a secret."""
    found = []
    for current, _dirs, files in os.walk(directory):
        for name in files:
            path = os.path.join(current, name)
            relative = os.path.relpath(path, directory)
            if relative in skip:
                continue
            with open(path, 'rb') as handle:
                data = handle.read()
            for secret in secrets:
                if any(form.encode('utf-8') in data for form in secret_forms(secret)):
                    found.append((relative, secret))
    return found


def allowed_copies(job):
    """The files that hold the injected credentials by design: the job's input and ansible-runner's command record."""
    return (os.path.join('env', 'envvars'), os.path.join('env', 'extravars'), os.path.join('artifacts', job.ident, 'command'))


# ---------------------------------------------------------------------------------------------------
# fixtures


@contextlib.contextmanager
def clean_environment():
    """A ``MonkeyPatch`` context without the developer's own credentials: nothing of them may stand in for the
    injected credentials."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'AIWORKSPACE_', 'PAI_', 'DASHSCOPE_', 'ANSIBLE_')):
                patch.delenv(name)
        yield patch


@pytest.fixture(scope='module')
def templates(guide):
    found = guide_job_templates(guide)
    assert set(found) == {'check', 'run'}, 'the guide should document a check and a run job template, found %s' % sorted(found)
    assert set(template['playbook'] for template in found.values()) == {GUIDE_PLAYBOOK}
    return found


@pytest.fixture(scope='module')
def awx_jobs(tmp_path_factory, collections_path, guide, templates):
    """``{playbook: {'check': Job, 'run': Job, 'rerun': Job, 'sts-check': Job}}``, each against a fresh emulator."""
    credential_type = guide_credential_type(guide)
    guide_text = guide_playbook(guide)
    dashscope = (DASHSCOPE_CREDENTIAL_TYPE, {'api_key': DASHSCOPE_API_KEY})
    results = {}
    with clean_environment():
        for playbook in playbooks():
            emulator = Emulator()
            try:
                injected = inject((credential_type, {'access_key_id': ACCESS_KEY_ID, 'access_key_secret': ACCESS_KEY_SECRET,
                                                     'region': REGION, 'endpoint': emulator.url}), dashscope)
                base = str(tmp_path_factory.mktemp('awx-' + playbook.replace('.', '-')))
                jobs = {}
                for ident, job_type, verbosity in (('check', 'check', 0), ('run', 'run', 0), ('rerun', 'run', 3)):
                    jobs[ident] = run_job(base, ident, playbook, templates[job_type], injected, emulator, collections_path,
                                          guide_text, verbosity)
                # The same dry run with temporary credentials (an STS key and token) on the now populated workspace.
                sts = inject((credential_type, {'access_key_id': STS_ACCESS_KEY_ID, 'access_key_secret': STS_ACCESS_KEY_SECRET,
                                                'security_token': STS_TOKEN, 'region': REGION, 'endpoint': emulator.url}),
                             dashscope)
                jobs['sts-check'] = run_job(base, 'sts-check', playbook, templates['check'], sts, emulator, collections_path,
                                            guide_text)
                results[playbook] = jobs
            finally:
                emulator.stop()
    return results


@pytest.fixture(scope='module')
def role_credential(guide):
    """The inputs of the RAM role credential the assumed-role jobs use: the guide's example, with an external id."""
    inputs = dict(guide_role_credential(guide))
    assert '{{' in inputs.get('external_id', ''), 'the guide\'s example takes its external id from a variable'
    inputs['external_id'] = ROLE_EXTERNAL_ID
    return inputs


@pytest.fixture(scope='module')
def role_jobs(tmp_path_factory, collections_path, guide, templates, role_credential):
    """``{'check': Job, 'run': Job, 'rerun': Job, 'denied': Job}``: the guide's playbook with a key pair credential
    and a RAM role credential attached, against one emulator whose role requires the external id; the last job
    with every AssumeRole refused. Each job also has ``signers`` (see ``Emulator.record_signers``), ``issued``
    (the STS records of the pairs issued during the job) and ``sts_secrets`` (their secrets and tokens)."""
    injected_types = ((guide_credential_type(guide),
                       {'access_key_id': ACCESS_KEY_ID, 'access_key_secret': ACCESS_KEY_SECRET, 'region': REGION}),
                      (guide_role_credential_type(guide), role_credential),
                      (DASHSCOPE_CREDENTIAL_TYPE, {'api_key': DASHSCOPE_API_KEY}))
    guide_text = guide_playbook(guide)
    base = str(tmp_path_factory.mktemp('awx-role'))
    jobs = {}
    with clean_environment() as patch:
        emulator = Emulator()
        try:
            signers = emulator.record_signers(patch)
            emulator.admin('POST', 'sts', {'roles': [{'RoleArn': role_credential['role_arn'],
                                                      'ExternalId': ROLE_EXTERNAL_ID}]})
            key_type, key_inputs = injected_types[0]
            injected = inject((key_type, dict(key_inputs, endpoint=emulator.url)), *injected_types[1:])
            # The emulator's STS stands in for the real one (sts.aliyuncs.com, or sts.<region>.aliyuncs.com): in AWX
            # nothing injects this variable (the guide's role type leaves the STS endpoint out on purpose), the
            # modules reach the public STS by default.
            injected['env']['ALIBABA_CLOUD_STS_ENDPOINT'] = emulator.url
            runs = (('check', 'check', 0, {}), ('run', 'run', 0, {}), ('rerun', 'run', 3, {}),
                    ('denied', 'run', 0, {'sts_assume_role': 'denied'}))
            for ident, job_type, verbosity, behaviours in runs:
                if behaviours:
                    emulator.admin('POST', 'behaviours', behaviours)
                known = set(record['AccessKeyId'] for record in emulator.issued())
                del signers[:]
                job = run_job(base, ident, ROLE_PLAYBOOK, templates[job_type], injected, emulator, collections_path,
                              guide_text, verbosity)
                job.signers = list(signers)
                job.issued = [record for record in emulator.issued() if record['AccessKeyId'] not in known]
                job.sts_secrets = [secret for record in job.issued for secret in emulator.issued_secrets(record['AccessKeyId'])]
                jobs[ident] = job
        finally:
            emulator.stop()
    return jobs


# ---------------------------------------------------------------------------------------------------
# the guide


@pytest.mark.parametrize('name', sorted(GUIDE_CREDENTIAL_TYPES))
def test_guide_lists_the_credential_type_the_same_way_twice(guide, name):
    """The UI configuration and the awx.awx.credential_type example of the guide describe the same credential type."""
    documented = GUIDE_CREDENTIAL_TYPES[name](guide)
    found = [task['awx.awx.credential_type'] for task in guide_as_code(guide)
             if task.get('awx.awx.credential_type', {}).get('name') == name]
    assert len(found) == 1, 'expected one awx.awx.credential_type %r in the guide, found %d' % (name, len(found))
    as_code = found[0]
    injectors = dict((name, re.sub(r'\{% (end)?raw %\}', '', value)) for name, value in as_code['injectors']['env'].items())
    assert injectors == documented['injectors']['env']

    def shape(inputs):
        return ([(field['id'], field['type'], bool(field.get('secret'))) for field in inputs['fields']],
                sorted(inputs.get('required', [])))

    assert shape(as_code['inputs']) == shape(documented['inputs'])


def test_guide_credential_type_injects_what_the_modules_read(guide):
    documented = guide_credential_type(guide)
    secret_fields = sorted(field['id'] for field in documented['inputs']['fields'] if field.get('secret'))
    assert secret_fields == ['access_key_secret', 'security_token']
    assert sorted(documented['injectors']['env']) == sorted([
        'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN',
        'ALIBABA_CLOUD_REGION_ID', 'ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE'])
    # An optional field left empty is injected as an empty string (the guide relies on the modules ignoring it).
    rendered = render_injectors(documented, {'access_key_id': 'id', 'access_key_secret': 'secret'})
    assert rendered['ALIBABA_CLOUD_SECURITY_TOKEN'] == '' and rendered['ALIBABA_CLOUD_ENDPOINT_AIWORKSPACE'] == ''


def test_guide_role_credential_type_injects_what_the_modules_read(guide):
    documented = guide_role_credential_type(guide)
    # Nothing of it is secret: the role ARN, the session name and the external id grant nothing without a key.
    assert [field['id'] for field in documented['inputs']['fields'] if field.get('secret')] == []
    assert documented['inputs']['required'] == ['role_arn']
    assert sorted(documented['injectors']) == ['env']
    assert sorted(documented['injectors']['env']) == sorted([
        'ALICLOUD_ASSUME_ROLE_ARN', 'ALICLOUD_ASSUME_ROLE_SESSION_NAME', 'ALIBABA_CLOUD_EXTERNAL_ID'])
    rendered = render_injectors(documented, {'role_arn': 'acs:ram::1:role/r'})
    assert rendered == {'ALICLOUD_ASSUME_ROLE_ARN': 'acs:ram::1:role/r', 'ALICLOUD_ASSUME_ROLE_SESSION_NAME': '',
                        'ALIBABA_CLOUD_EXTERNAL_ID': ''}


def test_guide_job_templates(templates):
    assert cmdline_for(templates['check']) == ['--check', '--diff']
    assert cmdline_for(templates['run']) == ['--diff']
    for template in templates.values():
        assert template['playbook'] and template['credentials'] and 'pai_workspace_id' in template['extra_vars']


# ---------------------------------------------------------------------------------------------------
# the jobs


@pytest.mark.parametrize('playbook', job_params())
def test_check_job_predicts_changes_and_writes_nothing(awx_jobs, playbook):
    job = awx_jobs[playbook]['check']
    assert job.rc == 0 and job.status == 'successful', job.describe()
    assert job.changed() == EXPECTED_CHANGED[playbook], job.describe()
    for result in job.changed_results():
        res = result['res']  # a loop task has a diff per changed item
        diffs = [item.get('diff') for item in res['results'] if item.get('changed')] if 'results' in res else [res.get('diff')]
        assert diffs and all(diff and 'before' in diff and 'after' in diff for diff in diffs), \
            'changed task %r has no diff (Show Changes is on)' % result['task']
    assert job.requests, 'the check job sent no request to the emulator'
    assert not job.writes(), 'the check job changed something: %s' % job.writes()


def assert_same_diffs(check, run):
    """What Show Changes displays for the check job is what the run job then does, diff for diff; except where the
    check job predicted an object inside one an earlier task of the play would create (check mode creates nothing, so
    that prediction cannot know the parent's id or what it holds, and says so in a warning)."""
    compared = 0
    for (task, run_diff, dummy), (dummy, check_diff, warnings) in zip(run.diffs(), check.diffs()):
        if not any('as if an earlier task created it' in warning for warning in warnings):
            assert run_diff == check_diff, task
            compared += 1
    assert compared, 'no change could be compared'


@pytest.mark.parametrize('playbook', job_params())
def test_run_job_makes_the_predicted_changes(awx_jobs, playbook):
    check, run = awx_jobs[playbook]['check'], awx_jobs[playbook]['run']
    assert run.rc == 0 and run.status == 'successful', run.describe()
    assert run.changed() == check.changed() == EXPECTED_CHANGED[playbook]
    assert [result['task'] for result in run.changed_results()] == [result['task'] for result in check.changed_results()]
    assert_same_diffs(check, run)
    assert len(run.writes()) >= EXPECTED_CHANGED[playbook]  # at least one write per change (a promotion is a PUT)


@pytest.mark.parametrize('playbook', job_params())
def test_second_run_job_changes_nothing(awx_jobs, playbook):
    rerun = awx_jobs[playbook]['rerun']
    assert rerun.rc == 0 and rerun.status == 'successful', rerun.describe()
    assert rerun.changed() == 0, rerun.describe()
    assert not rerun.writes(), 'the unchanged run wrote: %s' % rerun.writes()


@pytest.mark.parametrize('playbook', job_params(NOT_STS_READY))
def test_check_job_with_temporary_credentials(awx_jobs, playbook):
    """The dry run with an STS key pair and token, after the run jobs: it sees the objects and predicts no change."""
    job = awx_jobs[playbook]['sts-check']
    assert job.rc == 0 and job.status == 'successful', job.describe()
    assert job.changed() == 0 and job.requests and not job.writes(), job.describe()


@pytest.mark.parametrize('playbook', playbooks())
def test_no_secret_in_the_job_output(awx_jobs, playbook):
    secrets = (ACCESS_KEY_SECRET, STS_ACCESS_KEY_SECRET, STS_TOKEN, DASHSCOPE_API_KEY)
    for job in awx_jobs[playbook].values():
        leaks = find_secrets(job.private_data_dir, secrets, skip=allowed_copies(job))
        assert not leaks, 'secret values in the output of job %s: %s' % (job.ident, leaks)
        # The scan reads what ansible-runner writes: it finds the injected secrets in runner's own record of the
        # process environment, which is left out above.
        command = os.path.join('artifacts', job.ident, 'command')
        assert (command, ACCESS_KEY_SECRET if job.ident != 'sts-check' else STS_ACCESS_KEY_SECRET) in \
            find_secrets(job.private_data_dir, secrets)


# ---------------------------------------------------------------------------------------------------
# the assumed-role jobs


@pytest.fixture(scope='module')
def role_module_tasks(guide):
    """The number of ``alicloud.pai`` tasks of the assumed-role jobs' playbook (it has no loop)."""
    assert ROLE_PLAYBOOK == GUIDE_PLAYBOOK
    tasks = [task for play in yaml.safe_load(guide_playbook(guide)) for task in play['tasks']]
    assert not any('loop' in task or 'with_items' in task for task in tasks)
    return len([task for task in tasks if any(key.startswith('alicloud.pai.') for key in task)])


def check_assumed_role(job, role, module_tasks):
    """One AssumeRole per module run, by the key pair, for the role, session and external id; every PAI request
    signed by the pair that the AssumeRole before it issued."""
    runs = job.module_runs()
    assert runs == module_tasks, 'the job ran %d module tasks, the playbook has %d' % (runs, module_tasks)
    assume = job.sts_requests()
    assert runs and [request['action'] for request in assume] == ['AssumeRole'] * runs, \
        'expected one AssumeRole per module task (%d), got %s' % (runs, [request['action'] for request in assume])
    for request in assume:
        query = request['query']
        assert request['status'] == 200, request
        assert query['AccessKeyId'] == ACCESS_KEY_ID and 'SecurityToken' not in query, query
        assert (query['RoleArn'], query['RoleSessionName'], query.get('ExternalId')) == (
            role['role_arn'], role['session_name'], ROLE_EXTERNAL_ID), query
    assert len(job.issued) == runs, job.issued
    for record in job.issued:
        assert record['Source'] == 'AssumeRole' and record['SourceAccessKeyId'] == ACCESS_KEY_ID, record
        assert record['SourceRoleArn'] is None and not record['Expired'], record
        assert (record['RoleArn'], record['RoleSessionName'], record['ExternalId']) == (
            role['role_arn'], role['session_name'], ROLE_EXTERNAL_ID), record
    pai = job.pai_requests()
    assert pai, 'the job sent no PAI request'
    assert [(method, path) for method, path, _key in job.signers] == [(request['method'], request['path']) for request in pai], \
        'the recorded signers do not match the logged PAI requests'
    pairs = iter(record['AccessKeyId'] for record in job.issued)
    signers = iter(key for _method, _path, key in job.signers)
    current = None
    for request in job.requests:
        if request['action'] in STS_ACTIONS:
            current = next(pairs)
            continue
        signer = next(signers)
        assert current is not None and signer == current, \
            '%s %s (%s) was signed by %s, not by the pair the AssumeRole before it issued (%s)' % (
                request['method'], request['path'], request['action'], signer, current)


def test_role_check_job_assumes_the_role_and_writes_nothing(role_jobs, role_credential, role_module_tasks):
    job = role_jobs['check']
    assert job.rc == 0 and job.status == 'successful', job.describe()
    assert job.changed() == EXPECTED_CHANGED[ROLE_PLAYBOOK], job.describe()
    assert not job.writes(), 'the check job changed something: %s' % job.writes()
    check_assumed_role(job, role_credential, role_module_tasks)


def test_role_run_job_makes_the_predicted_changes(role_jobs, role_credential, role_module_tasks):
    check, run = role_jobs['check'], role_jobs['run']
    assert run.rc == 0 and run.status == 'successful', run.describe()
    assert run.changed() == EXPECTED_CHANGED[ROLE_PLAYBOOK]
    assert [result['task'] for result in run.changed_results()] == [result['task'] for result in check.changed_results()]
    assert_same_diffs(check, run)
    assert len(run.writes()) >= EXPECTED_CHANGED[ROLE_PLAYBOOK]
    check_assumed_role(run, role_credential, role_module_tasks)


def test_role_second_run_job_changes_nothing(role_jobs, role_credential, role_module_tasks):
    rerun = role_jobs['rerun']
    assert rerun.rc == 0 and rerun.status == 'successful', rerun.describe()
    assert rerun.changed() == 0 and not rerun.writes(), rerun.describe()
    check_assumed_role(rerun, role_credential, role_module_tasks)


def test_role_job_fails_when_the_role_is_refused(role_jobs, role_credential):
    """AssumeRole answered 403 NoPermission: the first task fails saying so, and nothing reaches PAI."""
    job = role_jobs['denied']
    assert job.rc != 0 and job.status == 'failed', job.describe()
    failures = job.failures()
    assert len(failures) == 1, job.describe()
    message = failures[0].get('res', {}).get('msg') or ''
    assert 'AssumeRole' in message and 'NoPermission' in message and role_credential['role_arn'] in message, message
    assert [(request['action'], request['status'], request['code']) for request in job.requests] == [
        ('AssumeRole', 403, 'NoPermission')], job.requests
    assert not job.issued and not job.signers


@pytest.mark.parametrize('ident', ['check', 'run', 'rerun', 'denied'])
def test_no_secret_in_the_role_job_output(role_jobs, ident):
    job = role_jobs[ident]
    if ident != 'denied':
        # The issued secrets and tokens are read from the emulator: the scan below looks for the real values.
        assert job.sts_secrets and all(secret for secret in job.sts_secrets), job.issued
        assert all(token.startswith('CAIS') for token in job.sts_secrets[1::2])
    leaks = find_secrets(job.private_data_dir, (ACCESS_KEY_SECRET, DASHSCOPE_API_KEY), skip=allowed_copies(job))
    # No file may hold an issued secret or token, not even the input or the command record: the modules obtain them.
    leaks += find_secrets(job.private_data_dir, job.sts_secrets)
    leaks += find_markers(job.private_data_dir, STS_LEAK_MARKERS)
    assert not leaks, 'secret values in the output of job %s: %s' % (job.ident, leaks)
    # The external id and the role are not secret; they are in the job's input, which the scan did read.
    assert (os.path.join('env', 'envvars'), ROLE_EXTERNAL_ID) in find_markers(job.private_data_dir, [ROLE_EXTERNAL_ID])


def test_secret_scan_finds_a_planted_secret(tmp_path):
    """The scan finds a secret in a job event written as ansible-runner writes events (JSON, escaped)."""
    planted = 'awxjob-PLANTED-\u5bc6\u94a5-marker'
    event = {'event': 'runner_on_ok', 'event_data': {'res': {'msg': 'leaked %s here' % planted}}}
    write(str(tmp_path / 'artifacts' / 'x' / 'job_events' / '1-x.json'), json.dumps(event))
    write(str(tmp_path / 'artifacts' / 'x' / 'stdout'), 'ok: [localhost] => %s\n' % planted)
    assert sorted(find_secrets(str(tmp_path), [planted])) == [
        (os.path.join('artifacts', 'x', 'job_events', '1-x.json'), planted), (os.path.join('artifacts', 'x', 'stdout'), planted)]
    assert find_secrets(str(tmp_path), [planted], skip=[os.path.join('artifacts', 'x', 'stdout')]) == [
        (os.path.join('artifacts', 'x', 'job_events', '1-x.json'), planted)]
