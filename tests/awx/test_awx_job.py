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
"""

import base64
import importlib.util
import json
import os
import re
import shutil
import sys
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

    def admin(self, method, path):
        request = urllib.request.Request(self.url + '/_emulator/' + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read().decode('utf-8'))

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
    return set([secret, json.dumps(secret)[1:-1], base64.b64encode(secret.encode('utf-8')).decode('ascii')])


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
    with pytest.MonkeyPatch.context() as patch:
        # Nothing of the developer's own environment may stand in for the injected credential.
        for name in list(os.environ):
            if name.startswith(('ALIBABA_CLOUD_', 'ALICLOUD_', 'AIWORKSPACE_', 'PAI_', 'DASHSCOPE_', 'ANSIBLE_')):
                patch.delenv(name)
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


# ---------------------------------------------------------------------------------------------------
# the guide


def test_guide_lists_the_credential_type_the_same_way_twice(guide):
    """The UI configuration and the awx.awx.credential_type example of the guide describe the same credential type."""
    documented = guide_credential_type(guide)
    play = guide.yaml(contains='awx.awx.credential_type:')[0]
    as_code = play['tasks'][0]['awx.awx.credential_type']
    injectors = dict((name, re.sub(r'\{% (end)?raw %\}', '', value)) for name, value in as_code['injectors']['env'].items())
    assert injectors == documented['injectors']['env']

    def shape(inputs):
        return ([(field['id'], field['type'], bool(field.get('secret'))) for field in inputs['fields']], sorted(inputs['required']))

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


@pytest.mark.parametrize('playbook', job_params())
def test_run_job_makes_the_predicted_changes(awx_jobs, playbook):
    check, run = awx_jobs[playbook]['check'], awx_jobs[playbook]['run']
    assert run.rc == 0 and run.status == 'successful', run.describe()
    assert run.changed() == check.changed() == EXPECTED_CHANGED[playbook]
    assert [result['task'] for result in run.changed_results()] == [result['task'] for result in check.changed_results()]
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
