# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""``make bench``: what the modules cost against the local emulator, in time and in API requests.

    .venv/bin/python tests/bench/bench.py [--size small|full] [--output DIR] [--runs N]

Three measurements, each against a fresh emulator state:

1. per task: one playbook of N rounds of a bare ``ansible.builtin.uri`` task against the emulator, a
   ``pai_connection_info`` by id and an unchanged ``pai_connection``; the median wall time of each kind of task (the
   first round, which fills Ansible's caches, is left out);
2. listing 100 ... 10,000 connections: ``ansible-playbook`` with one ``pai_connection_info`` task against a fresh
   Python process running the official SDK's ListConnections paging loop with the same page size (100, the API's
   maximum), both as whole runs, the median of ``--runs`` runs each, and the requests each sent;
3. requests per operation (create, unchanged, update, info, delete) of every resource module, from the emulator's
   request log.

It writes ``README.md`` and PNG plots into ``--output`` (docs/bench for the full size, build/bench for the small one,
which CI runs). It fails when a run fails, when a listing returns another number of objects than there are, when the
module and the SDK send different numbers of requests for one listing, or when an operation reports another
``changed`` than it should. Timing ratios are reported, never asserted: CI machines are noisy.
"""

import argparse
import datetime
import http.client
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'utils'))

import local_emulator  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(os.path.abspath(sys.executable))
WORKSPACE_ID = local_emulator.WORKSPACE_ID
PAGE_SIZE = 100  # what the info modules ask for: the API's maximum
SIZES = {
    'small': {'listing': (100, 500), 'runs': 1, 'rounds': 3},
    'full': {'listing': (100, 1000, 5000, 10000), 'runs': 5, 'rounds': 20},
}
TARGET_RATIO, TARGET_OBJECTS = 1.5, 5000  # issue 12: the listing of 5,000 within 1.5x of the SDK loop


class BenchError(Exception):
    """The benchmark cannot give a valid number."""


# ---------------------------------------------------------------------------------------------------------------------
# the emulator and the processes


class Admin:
    """The emulator's admin endpoints (/_emulator/, no signature)."""

    def __init__(self, url):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port = parts.hostname, parts.port

    def call(self, method, path, body=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=300)
        try:
            data = None if body is None else json.dumps(body).encode('utf-8')
            connection.request(method, '/_emulator/' + path, body=data, headers={'content-type': 'application/json'})
            response = connection.getresponse()
            answer = json.loads(response.read().decode('utf-8'))
        finally:
            connection.close()
        if response.status != 200:
            raise BenchError(f'{method} /_emulator/{path}: {response.status} {answer}')
        return answer

    def reset(self, connections=0):
        """A fresh state (workspace 10001 only), then ``connections`` connections in it; their ids."""
        self.call('POST', 'reset')
        if not connections:
            return []
        return self.call('POST', 'seed', {'connections': [connection_spec(index) for index in range(connections)]})['connections']

    def requests(self):
        """The PAI API requests since the last call (the log is cleared)."""
        entries = self.call('GET', 'requests')
        self.call('DELETE', 'requests')
        return entries


def connection_spec(index):
    """A connection as users have them: a base URL, an API key, two models."""
    return {
        'ConnectionName': f'bench-{index:05d}', 'ConnectionType': 'OpenLLMConnection', 'WorkspaceId': WORKSPACE_ID,
        'Description': f'benchmark connection {index}', 'Accessibility': 'PRIVATE',
        'Configs': {'base_url': f'https://llm-{index}.example.com/v1'},
        'Secrets': {'api_key': f'sk-bench-{index:08d}'},
        'Models': [{'Model': 'qwen-plus', 'DisplayName': 'Qwen Plus', 'ModelType': 'LLM', 'ToolCall': True},
                   {'Model': 'text-embedding-v3', 'ModelType': 'Embedding', 'ToolCall': False}],
    }


def cpu_of_children():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd, env):
    """Run ``cmd``; its wall time in seconds, its output, and the CPU seconds it and its descendants used (the
    emulator, a thread of this process, not included). A failure raises BenchError."""
    start, cpu = time.perf_counter(), cpu_of_children()
    process = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    seconds = time.perf_counter() - start
    if process.returncode:
        raise BenchError(f"{' '.join(cmd)} failed ({process.returncode}):\n{process.stdout[-4000:]}")
    return seconds, process.stdout, cpu_of_children() - cpu


class Context:
    """One benchmark: the emulator, a work directory, and the collection measured (linked into a collections path)."""

    def __init__(self, url, work, collection):
        self.url, self.admin, self.work = url, Admin(url), work
        self.collections = os.path.join(work, 'collections')
        link = os.path.join(self.collections, 'ansible_collections', 'alicloud', 'pai')
        os.makedirs(os.path.dirname(link))
        os.symlink(collection, link)


def environment(ctx, callback=False):
    """The environment of ansible-playbook and of the SDK process: the emulator's key pair and endpoint, the
    collection measured, and the benchmark's callback when asked."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(('ANSIBLE_', 'ALIBABA_CLOUD_', 'ALICLOUD_'))}
    env.pop('PYTHONPATH', None)
    env.update(local_emulator.environment(ctx.url))
    env.update(PATH=BIN + os.pathsep + env.get('PATH', ''), ANSIBLE_COLLECTIONS_PATH=ctx.collections, ANSIBLE_NOCOLOR='1',
               ANSIBLE_LOCALHOST_WARNING='False', ANSIBLE_INVENTORY_UNPARSED_WARNING='False', ANSIBLE_RETRY_FILES_ENABLED='False')
    if callback:
        env.update(ANSIBLE_CALLBACK_PLUGINS=os.path.join(HERE, 'callback_plugins'), ANSIBLE_CALLBACKS_ENABLED='bench_tasks',
                   BENCH_TASKS_FILE=os.path.join(ctx.work, 'tasks.json'))
    return env


def write_playbook(work, name, tasks, play_vars=None):
    """A playbook of ``tasks`` on localhost (JSON, which is YAML); its path."""
    path = os.path.join(work, name)
    with open(path, 'w', encoding='utf-8') as handle:
        json.dump([{'name': name, 'hosts': 'localhost', 'gather_facts': False, 'vars': play_vars or {}, 'tasks': tasks}], handle, indent=1)
    return path


def task(name, action, args, **keywords):
    return dict({'name': name, action: args}, **keywords)


def run_with_callback(ctx, playbook, count_requests):
    """Run ``playbook`` with the bench_tasks callback; its tasks as the callback recorded them."""
    env = environment(ctx, callback=True)
    if count_requests:
        env['BENCH_EMULATOR_URL'] = ctx.url
    run([os.path.join(BIN, 'ansible-playbook'), playbook], env)
    with open(env['BENCH_TASKS_FILE'], encoding='utf-8') as handle:
        tasks = json.load(handle)
    failed = [entry['name'] for entry in tasks if entry['status'] not in ('ok', 'skipped')]
    if failed:
        raise BenchError(f'{playbook}: tasks did not succeed: {failed}')
    return tasks


# ---------------------------------------------------------------------------------------------------------------------
# the three measurements

PER_TASK_KINDS = ('ansible.builtin.uri', 'pai_connection_info by id', 'pai_connection unchanged')


def bench_per_task(ctx, rounds):
    """The median wall time of each kind of task (PER_TASK_KINDS) over ``rounds`` rounds."""
    connection_id = ctx.admin.reset(connections=1)[0]
    spec = connection_spec(0)
    tasks = []
    for round_number in range(rounds + 1):  # round 0 fills Ansible's caches and is left out
        tasks += [
            task(f'ansible.builtin.uri #{round_number}', 'ansible.builtin.uri', {'url': ctx.url + '/_emulator/behaviours'}),
            task(f'pai_connection_info by id #{round_number}', 'alicloud.pai.pai_connection_info',
                 {'workspace_id': WORKSPACE_ID, 'connection_ids': [connection_id]}),
            task(f'pai_connection unchanged #{round_number}', 'alicloud.pai.pai_connection',
                 {'workspace_id': WORKSPACE_ID, 'connection_id': connection_id, 'description': spec['Description'],
                  'configs': {'base_url': spec['Configs']['base_url']}}),
        ]
    playbook = write_playbook(ctx.work, 'per-task.yml', tasks)
    start = time.perf_counter()
    recorded = run_with_callback(ctx, playbook, count_requests=False)
    whole = time.perf_counter() - start
    changed = [entry['name'] for entry in recorded if entry.get('changed')]
    if changed:
        raise BenchError(f'tasks that should change nothing reported changed: {changed}')
    seconds = {kind: [entry['seconds'] for entry in recorded if entry['name'].startswith(kind + ' #') and not entry['name'].endswith(' #0')]
               for kind in PER_TASK_KINDS}
    return {'rounds': rounds, 'whole_run_seconds': whole, 'tasks': len(recorded),
            'median_seconds': {kind: statistics.median(values) for kind, values in seconds.items()},
            'seconds': seconds}


def bench_listing(ctx, sizes, runs):
    """Whole runs listing every connection: the module (ansible-playbook, one task) against the SDK's loop."""
    env, admin, work = environment(ctx), ctx.admin, ctx.work
    module_cmd = [os.path.join(BIN, 'ansible-playbook'), write_playbook(work, 'listing.yml', [
        task('List every connection of the workspace', 'alicloud.pai.pai_connection_info', {'workspace_id': WORKSPACE_ID})])]
    check_cmd = [os.path.join(BIN, 'ansible-playbook'), write_playbook(work, 'listing-check.yml', [
        task('List every connection of the workspace', 'alicloud.pai.pai_connection_info', {'workspace_id': WORKSPACE_ID},
             register='listed'),
        task('Every connection is listed once, its secrets masked', 'ansible.builtin.assert', {'that': [
            'listed.connections | length == expected | int',
            'listed.connections | map(attribute="connection_id") | unique | list | length == expected | int',
            'listed.connections | map(attribute="secrets") | map("dict2items") | flatten | map(attribute="value") | unique == ["********"]',
        ]})])]
    sdk_cmd = [sys.executable, os.path.join(HERE, 'sdk_list.py'), urllib.parse.urlsplit(ctx.url).netloc, WORKSPACE_ID, str(PAGE_SIZE)]
    rows = []
    for size in sizes:
        admin.reset(connections=size)
        # untimed: the module returns every object (this also fills Ansible's caches), the SDK finds them all
        run(check_cmd + ['-e', f'expected={size}'], env)
        listed = run(sdk_cmd, env)[1].strip()
        if listed != str(size):
            raise BenchError(f'the SDK loop listed {listed} connections, not {size}')
        admin.requests()
        times, cpu, requests = {'module': [], 'sdk': []}, {'module': [], 'sdk': []}, {'module': set(), 'sdk': set()}
        for dummy in range(runs):
            for kind, cmd in (('module', module_cmd), ('sdk', sdk_cmd)):
                seconds, dummy, cpu_seconds = run(cmd, env)
                times[kind].append(seconds)
                cpu[kind].append(cpu_seconds)
                requests[kind].add(len(admin.requests()))
        if len(requests['module']) != 1 or requests['module'] != requests['sdk']:
            raise BenchError(f'listing {size} connections: the module sent {sorted(requests["module"])} requests per run, '
                             f'the SDK {sorted(requests["sdk"])}')
        module, sdk = statistics.median(times['module']), statistics.median(times['sdk'])
        rows.append({'objects': size, 'module_seconds': module, 'sdk_seconds': sdk, 'ratio': module / sdk,
                     'module_cpu': statistics.median(cpu['module']), 'sdk_cpu': statistics.median(cpu['sdk']),
                     'requests': requests['module'].pop(), 'module_runs': times['module'], 'sdk_runs': times['sdk']})
        say(f'  {size:>6} connections: module {module:.2f} s, SDK {sdk:.2f} s, ratio {module / sdk:.2f}, '
            f'{rows[-1]["requests"]} requests each')
    return rows


OPERATIONS = ('create', 'unchanged', 'update', 'info', 'delete')


def operation_tasks():
    """Every resource module through create, unchanged, update, info and delete; ``setup`` tasks are not counted.
    Each task name is ``MODULE OPERATION``; the expected ``changed`` of each operation is checked."""
    ws = {'workspace_id': WORKSPACE_ID}
    connection = dict(ws, name='bench-op-connection', connection_type='OpenLLMConnection',
                      configs={'base_url': 'https://llm.example.com/v1'}, secrets={'api_key': 'sk-bench-operation'},
                      models=[{'model': 'qwen-plus', 'model_type': 'LLM', 'tool_call': True}], description='first')
    model = dict(ws, name='bench-op-model', domain='nlp', task='text-generation', labels={'team': 'bench'}, description='first')
    version = {'model_id': '{{ versioned.model.model_id }}', 'uri': 'oss://bench-bucket/models/v1/', 'format_type': 'SavedModel',
               'framework_type': 'TensorFlow', 'labels': {'run': '1'}, 'version_description': 'first'}
    workspace = {'name': 'bench_op_workspace', 'display_name': 'bench', 'description': 'first', 'env_types': ['prod']}
    tasks = []
    for module, args, info_args in (
            ('pai_connection', connection, dict(ws, name=connection['name'])),
            ('pai_model', model, dict(ws, name=model['name'])),
            ('pai_model_version', version, {'model_id': version['model_id']}),
            ('pai_workspace', workspace, {'name': workspace['name']})):
        if module == 'pai_model_version':
            tasks.append(task('setup: the model of the versions', 'alicloud.pai.pai_model', dict(ws, name='bench-op-versioned'),
                              register='versioned'))
        changed_args = dict(args, **({'version_description': 'second'} if 'version_description' in args else {'description': 'second'}))
        identity = {key: args[key] for key in ('workspace_id', 'model_id', 'name', 'uri') if key in args}
        for operation, action, task_args, changed in (
                ('create', module, args, True), ('unchanged', module, args, False), ('update', module, changed_args, True),
                ('info', module + '_info', info_args, False), ('delete', module, dict(identity, state='absent'), True)):
            tasks.append(task(f'{module} {operation}', 'alicloud.pai.' + action, task_args, register='result'))
            tasks.append(task(f'check: {module} {operation}', 'ansible.builtin.assert', {'that': [
                f'result.changed == {changed}'] + (['result[result | dict2items | map(attribute="key") | select("match", ".*s$") | first] '
                                                   '| length == 1'] if operation == 'info' else [])}))
        if module == 'pai_model_version':
            tasks.append(task('setup: delete the model', 'alicloud.pai.pai_model',
                              dict(ws, name='bench-op-versioned', state='absent')))
    return tasks


def bench_operations(ctx):
    """``{module: {operation: [actions]}}`` from the request log of each task."""
    ctx.admin.reset()
    recorded = run_with_callback(ctx, write_playbook(ctx.work, 'operations.yml', operation_tasks()), count_requests=True)
    table = {}
    for entry in recorded:
        module, dummy, operation = entry['name'].partition(' ')
        if operation in OPERATIONS:
            table.setdefault(module, {})[operation] = entry['requests']
    return table


# ---------------------------------------------------------------------------------------------------------------------
# the report


def say(text):
    print(text, flush=True)


def machine(collection):
    """What the numbers were measured on."""
    cpu, memory = platform.processor() or platform.machine(), None
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            cpu = next((line.split(':', 1)[1].strip() for line in handle if line.startswith('model name')), cpu)
        with open('/proc/meminfo', encoding='utf-8') as handle:
            memory = next((int(line.split()[1]) // 1024 // 1024 for line in handle if line.startswith('MemTotal')), None)
    except OSError:
        pass
    versions = {}
    for package in ('ansible-core', 'requests', 'alibabacloud-aiworkspace20210204', 'alibabacloud-tea-openapi'):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = 'not installed'
    try:
        commit = subprocess.run(['git', 'describe', '--always', '--dirty'], cwd=collection, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        commit = ''
    return {'cpu': cpu, 'cpus': os.cpu_count(), 'memory_gib': memory, 'os': platform.platform(), 'python': platform.python_version(),
            'versions': versions, 'commit': commit or 'unknown'}


def load():
    return '%.2f %.2f %.2f' % os.getloadavg()


def plot(results, output):
    """listing.png, per-task.png and requests.png in ``output``; the names written."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel

    written = []
    listing = results['listing']
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    objects = [row['objects'] for row in listing]
    left.plot(objects, [row['module_seconds'] for row in listing], 'o-', label='pai_connection_info (ansible-playbook)')
    left.plot(objects, [row['sdk_seconds'] for row in listing], 's-', label='official SDK loop (python)')
    left.set(xlabel='connections listed', ylabel='seconds, whole run (median)', title='Listing every connection')
    left.legend()
    left.grid(alpha=0.3)
    right.plot(objects, [row['ratio'] for row in listing], 'o-', color='tab:red')
    right.axhline(TARGET_RATIO, color='grey', linestyle='--', label=f'target {TARGET_RATIO}x')
    right.set(xlabel='connections listed', ylabel='module / SDK', title='Ratio of the whole runs', ylim=(0, None))
    right.legend()
    right.grid(alpha=0.3)
    left.set_ylim(0, None)
    for axes in (left, right):
        axes.set_xscale('log')
        axes.minorticks_off()
        axes.set_xticks(objects, [f'{count:,}' for count in objects])
    figure.tight_layout()
    figure.savefig(os.path.join(output, 'listing.png'), dpi=90)
    plt.close(figure)
    written.append('listing.png')

    per_task = results['per_task']['median_seconds']
    figure, axes = plt.subplots(figsize=(7, 3))
    kinds = list(PER_TASK_KINDS)
    axes.barh(kinds[::-1], [per_task[kind] * 1000 for kind in kinds[::-1]], color=['tab:blue', 'tab:blue', 'tab:grey'])
    axes.set(xlabel='milliseconds per task (median)', title='One task against the emulator')
    axes.grid(alpha=0.3, axis='x')
    figure.tight_layout()
    figure.savefig(os.path.join(output, 'per-task.png'), dpi=90)
    plt.close(figure)
    written.append('per-task.png')

    operations = results['operations']
    figure, axes = plt.subplots(figsize=(9, 3.5))
    width = 0.8 / len(operations)
    for index, (module, counts) in enumerate(sorted(operations.items())):
        axes.bar([position + index * width for position in range(len(OPERATIONS))],
                 [len(counts.get(operation, [])) for operation in OPERATIONS], width, label=module)
    axes.set_xticks([position + width * (len(operations) - 1) / 2 for position in range(len(OPERATIONS))], OPERATIONS)
    axes.set(ylabel='API requests', title='Requests per operation')
    axes.legend(fontsize='small')
    axes.grid(alpha=0.3, axis='y')
    figure.tight_layout()
    figure.savefig(os.path.join(output, 'requests.png'), dpi=90)
    plt.close(figure)
    written.append('requests.png')
    return written


def actions_summary(actions):
    counts = {}
    for action in actions:
        counts[action] = counts.get(action, 0) + 1
    return ', '.join(f'{action} x{count}' if count > 1 else action for action, count in counts.items()) or '-'


def report(results, plots):
    """The Markdown report."""
    env, listing, per_task = results['machine'], results['listing'], results['per_task']
    lines = [
        '# Benchmark: what the modules cost',
        '',
        f"Measured {results['date']} with `{results['command']}` ({results['size']} size), commit `{env['commit']}`.",
        'Everything runs against the local emulator (tests/emulator) in the benchmark\'s own process, on one machine: the',
        'numbers compare the collection with the official SDK and with a bare `uri` task under the same conditions; they',
        'say nothing about the latency of the real service. The script is `tests/bench/bench.py`; `make bench` runs it at',
        'full size (this report), `make bench SIZE=small` at a small size (CI does, writing to build/bench).',
        '',
        '## Machine',
        '',
        '| | |',
        '|---|---|',
        f"| CPU | {env['cpu']}, {env['cpus']} CPUs |",
        f"| memory | {env['memory_gib']} GiB |",
        f"| OS | {env['os']} |",
        f"| Python | {env['python']} |",
    ] + [f'| {package} | {version} |' for package, version in env['versions'].items()] + [
        f"| load average (1, 5, 15 min) | before: {results['load_before']}; after: {results['load_after']} |",
        '',
    ]
    if results['busy']:
        lines += [f"**The machine was busy** (load average above {results['cpus_busy']:.1f} before or after the run): other work "
                  'shared the CPUs, so the times are higher and noisier than on an idle machine; request counts are exact.', '']
    lines += [
        '## Listing connections: pai_connection_info against the official SDK',
        '',
        'One `ansible-playbook` run with a single `alicloud.pai.pai_connection_info` task (`workspace_id` only) against a',
        'fresh `python tests/bench/sdk_list.py` process running the SDK\'s `ListConnections` loop (`MaxResults` 100,',
        '`NextToken`) that turns every connection into a dict (`to_map()`). Whole runs, start to exit, so both include',
        'their start-up (the playbook\'s: Ansible itself, building and starting the module; the SDK\'s: its imports).',
        f"Median of {results['runs']} runs each, taken alternately; every connection has a description, a base URL, an API",
        'key and two models. Before the timed runs, one untimed run checks that the module returns every connection once',
        'with its secrets masked. Requests are counted from the emulator\'s request log in every run.',
        '',
        'The CPU columns are the CPU time (user + system) of the run and its child processes (Ansible\'s worker and the',
        'module), without the emulator, which serves both alike: unlike wall time, they hardly change on a busy machine.',
        '',
        '| connections | module (s) | SDK loop (s) | module / SDK | module CPU (s) | SDK CPU (s) | requests (module = SDK) |',
        '|---:|---:|---:|---:|---:|---:|---:|',
    ] + [f"| {row['objects']:,} | {row['module_seconds']:.2f} | {row['sdk_seconds']:.2f} | {row['ratio']:.2f} | {row['module_cpu']:.2f} "
         f"| {row['sdk_cpu']:.2f} | {row['requests']} |" for row in listing] + ['']
    if 'listing.png' in plots:
        lines += ['![listing times and ratio](listing.png)', '']
    lines += ['All runs (seconds):', '']
    lines += [f"- {row['objects']:,}: module {', '.join('%.2f' % value for value in row['module_runs'])}; "
              f"SDK {', '.join('%.2f' % value for value in row['sdk_runs'])}" for row in listing]
    lines += ['', results['listing_note'], '']
    if len(listing) > 1:
        first, last = listing[0], listing[-1]
        extra = last['objects'] - first['objects']
        lines += [
            '### Where the time goes',
            '',
            f"Fixed cost, the run listing {first['objects']:,}: the module's run uses {first['module_cpu']:.2f} CPU seconds",
            "(Ansible's start-up, building and starting the module, importing ansible-core's module_utils), the SDK's",
            f"{first['sdk_cpu']:.2f}. Each further connection (from {first['objects']:,} to {last['objects']:,}) costs the module's",
            f"run {(last['module_cpu'] - first['module_cpu']) / extra * 1000:.2f} ms of CPU, the SDK's "
            f"{(last['sdk_cpu'] - first['sdk_cpu']) / extra * 1000:.2f} ms.",
            'Most of the per-connection cost is ansible-core\'s own work on the result, value by value: in the module,',
            '`exit_json` runs `remove_values` over the whole result (whether or not there are no_log values) and encodes it',
            'with its JSON profile; in the controller, the worker decodes it with its JSON profile and the callbacks get',
            'native types back (`transform_to_native_types`). Each listed connection carries about twice the values of the',
            'connection itself, because it also carries `module_args` (the connection as the module\'s own options). The',
            'collection\'s own share (reading the pages, shaping each object) is a small part (`present_object` needs',
            'about 7 microseconds of CPU per connection).',
            '',
            'A profile of the run listing 5,000 connections, measured by hand, and why 1.5 times the SDK loop is out of reach',
            'for a module: [profile.md](profile.md).',
            '',
        ]
    lines += [
        '## One task: module tasks against a bare uri task',
        '',
        f"One playbook of {per_task['rounds']} rounds of three tasks (plus a first round, left out, that fills Ansible's",
        'caches): `ansible.builtin.uri` GET of the emulator\'s `/_emulator/behaviours`, `pai_connection_info` with',
        '`connection_ids` (one GetConnection), and an unchanged `pai_connection` by `connection_id` (one GetConnection).',
        'The time of a task is from its start to its result, as the callback `tests/bench/callback_plugins/bench_tasks.py`',
        f"sees it in the controller. The whole playbook ({per_task['tasks']} tasks) took {per_task['whole_run_seconds']:.1f} s.",
        '',
        '| task | median (ms) | over uri (ms) |',
        '|---|---:|---:|',
    ]
    base = per_task['median_seconds']['ansible.builtin.uri']
    lines += [f"| {kind} | {per_task['median_seconds'][kind] * 1000:.0f} | {(per_task['median_seconds'][kind] - base) * 1000:+.0f} |"
              for kind in PER_TASK_KINDS] + ['']
    if 'per-task.png' in plots:
        lines += ['![time per task](per-task.png)', '']
    lines += [
        '## Requests per operation',
        '',
        'Every resource module through create, an unchanged re-run, an update (the description), its info module by name',
        '(a model version: all versions of its model) and a delete, one task each, counted from the emulator\'s request log.',
        'Each task is found by name (a model version by its `uri`, its model by id), with `workspace_id`; the connection has',
        'an API key, so its unchanged run compares secrets (one plain-text read by id). The README\'s "What it costs" says',
        'what each request is for.',
        '',
        '| module | ' + ' | '.join(OPERATIONS) + ' |',
        '|---|' + '---:|' * len(OPERATIONS),
    ]
    operations = results['operations']
    for module in sorted(operations):
        lines.append(f'| {module} | ' + ' | '.join(str(len(operations[module].get(operation, []))) for operation in OPERATIONS) + ' |')
    lines += ['']
    if 'requests.png' in plots:
        lines += ['![requests per operation](requests.png)', '']
    lines += ['The requests, in order:', '', '| module | operation | requests |', '|---|---|---|']
    for module in sorted(operations):
        for operation in OPERATIONS:
            lines.append(f'| {module} | {operation} | {actions_summary(operations[module].get(operation, []))} |')
    lines += ['', f"The whole benchmark took {results['seconds']:.0f} s.", '']
    return '\n'.join(lines)


def listing_note(listing):
    row = next((row for row in listing if row['objects'] == TARGET_OBJECTS), None)
    if row is None:
        return f'(The {TARGET_OBJECTS:,}-object target of issue 12 is measured at full size only.)'
    verdict = 'within' if row['ratio'] <= TARGET_RATIO else 'not within'
    return (f"At {TARGET_OBJECTS:,} connections the module's whole run takes {row['ratio']:.2f}x the SDK loop's: {verdict} the "
            f'{TARGET_RATIO}x target of issue 12, with the same number of requests.')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--size', choices=sorted(SIZES), default='full')
    parser.add_argument('--output', help='where README.md and the plots go (default: docs/bench at full size, build/bench at small)')
    parser.add_argument('--runs', type=int, help='timed runs of each listing (default: 5 at full size, 1 at small)')
    parser.add_argument('--listing', type=int, nargs='+', metavar='COUNT', help='list these numbers of connections instead')
    parser.add_argument('--collection', default=ROOT,
                        help='the collection to measure (default: this checkout), e.g. a `git worktree` of another commit')
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    runs, listing_sizes, collection = args.runs or size['runs'], args.listing or size['listing'], os.path.abspath(args.collection)
    output = os.path.abspath(args.output or os.path.join(ROOT, 'docs' if args.size == 'full' else 'build', 'bench'))
    if not os.path.exists(os.path.join(BIN, 'ansible-playbook')):
        raise BenchError(f'no ansible-playbook beside {sys.executable}: run this with .venv/bin/python (make setup)')
    started, load_before = time.perf_counter(), os.getloadavg()
    say(f'bench: {args.size} size, load average {load()}')
    work = tempfile.mkdtemp(prefix='pai-bench-')
    try:
        with local_emulator.running() as url:
            ctx = Context(url, work, collection)
            say('requests per operation ...')
            operations = bench_operations(ctx)
            say(f"per-task cost ({size['rounds']} rounds) ...")
            per_task = bench_per_task(ctx, size['rounds'])
            say(f"listing {', '.join(str(count) for count in listing_sizes)} connections ({runs} runs each) ...")
            listing = bench_listing(ctx, listing_sizes, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()
    cpus = os.cpu_count() or 1
    results = {
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), 'size': args.size, 'runs': runs,
        'command': 'make bench' + ('' if args.size == 'full' else f' SIZE={args.size}') if argv is None and not args.listing and not args.runs
                   and collection == ROOT else ' '.join(['python tests/bench/bench.py'] + list(sys.argv[1:] if argv is None else argv)),
        'machine': machine(collection), 'load_before': '%.2f %.2f %.2f' % load_before, 'load_after': '%.2f %.2f %.2f' % load_after,
        'busy': max(load_before[0], load_after[0]) > cpus * 0.5, 'cpus_busy': cpus * 0.5,
        'operations': operations, 'per_task': per_task, 'listing': listing, 'listing_note': listing_note(listing),
        'seconds': time.perf_counter() - started,
    }
    os.makedirs(output, exist_ok=True)
    plots = plot(results, output)
    with open(os.path.join(output, 'README.md'), 'w', encoding='utf-8') as handle:
        handle.write(report(results, plots))
    with open(os.path.join(output, 'results.json'), 'w', encoding='utf-8') as handle:
        json.dump(results, handle, indent=1, sort_keys=True)
    say(f"per task (median): {', '.join('%s %.0f ms' % (kind, value * 1000) for kind, value in per_task['median_seconds'].items())}")
    for module in sorted(operations):
        say(f"requests of {module}: {', '.join('%s %d' % (operation, len(operations[module].get(operation, []))) for operation in OPERATIONS)}")
    say(results['listing_note'])
    say(f"report: {os.path.relpath(os.path.join(output, 'README.md'), ROOT)} ({results['seconds']:.0f} s, load average {load()})")
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except BenchError as error:
        print(f'bench FAILED: {error}', file=sys.stderr)
        sys.exit(1)
