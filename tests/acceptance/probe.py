# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Find out how a PAI endpoint behaves where the API reference is silent, and write a report.

Each probe creates objects whose names start with a unique prefix, asks one question with raw API calls (through
the collection's own client and credential resolution), and deletes what it created, even after a failure. The
report names, for each emulator behaviour switch (tests/emulator/README.md, "Behaviour switches"), the value the
endpoint showed, with the evidence.

    python3 tests/acceptance/probe.py --workspace-id 12345 [--prefix ansible-acc-x] [--report build/acceptance]
                                      [--page-objects 51] [--expect default | --expect name=value,...]

Credentials, region and endpoint come from the environment exactly as for the modules (ALIBABA_CLOUD_* and the
legacy ALICLOUD_* variables, or the CLI profile). Only the standard library, ansible-core and requests are needed.
"""

import argparse
import json
import os
import sys
import tempfile
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _import_collection():
    """Make ``ansible_collections.alicloud.pai`` importable from this checkout (a symlinked collections path)."""
    try:
        import ansible_collections.alicloud.pai.plugins.module_utils._client  # noqa: F401 pylint: disable=unused-import
        return
    except ImportError:
        pass
    base = os.path.join(tempfile.gettempdir(), 'alicloud-pai-probe-collections')
    link = os.path.join(base, 'ansible_collections', 'alicloud', 'pai')
    if not os.path.islink(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(ROOT, link)
    sys.path.insert(0, base)


_import_collection()

from ansible_collections.alicloud.pai.plugins.module_utils import _credentials  # noqa: E402
from ansible_collections.alicloud.pai.plugins.module_utils._client import (  # noqa: E402
    PaiApiError,
    PaiClient,
    PaiError,
    endpoint_url,
)

DEFAULTS = {'update_fields': 'merge', 'model_labels_create': 'upsert', 'plain_text': 'honoured',
            'page_size': 'max100', 'duplicate_names': 'allowed', 'model_workspace': 'default',
            'model_delete_with_versions': 'cascade'}


class Probe(object):
    """Raw API questions; every object created is remembered and deleted by ``cleanup``."""

    def __init__(self, client, workspace_id, prefix, page_objects=0):
        self.client = client
        self.page_objects = page_objects
        self.workspace_id = workspace_id
        self.prefix = prefix
        self.created = []  # (kind, id), in creation order
        self.findings = {}

    def name(self, what):
        return '%s-%s' % (self.prefix, what)

    # -- objects ---------------------------------------------------------------------------------------------

    def connection(self, what, **fields):
        body = {'WorkspaceId': self.workspace_id, 'ConnectionName': self.name(what),
                'ConnectionType': 'CustomConnection', 'Configs': {'endpoint': 'http://probe.invalid'}}
        body.update(fields)
        connection_id = self.client.call('CreateConnection', body=body)['ConnectionId']
        self.created.append(('connection', connection_id))
        return connection_id

    def model(self, what, with_workspace=True, **fields):
        body = {'ModelName': self.name(what)}
        if with_workspace:
            body['WorkspaceId'] = self.workspace_id
        body.update(fields)
        model_id = self.client.call('CreateModel', body=body)['ModelId']
        self.created.append(('model', model_id))
        return model_id

    def get_connection(self, connection_id, option='Secret'):
        return self.client.call('GetConnection', {'ConnectionId': connection_id}, {'EncryptOption': option})

    def get_model(self, model_id):
        return self.client.call('GetModel', {'ModelId': model_id})

    def found(self, name, value, evidence):
        self.findings[name] = {'value': value, 'evidence': evidence}

    # -- the questions ---------------------------------------------------------------------------------------

    def update_fields(self):
        connection_id = self.connection('update', Description='probe description')
        self.client.call('UpdateConnection', {'ConnectionId': connection_id},
                         body={'Configs': {'endpoint': 'http://probe-2.invalid'}})
        description = self.get_connection(connection_id).get('Description')
        model_id = self.model('update', ModelDescription='probe description', Domain='nlp')
        self.client.call('UpdateModel', {'ModelId': model_id}, body={'ModelName': self.name('update')})
        model = self.get_model(model_id)
        kept = [description == 'probe description', model.get('ModelDescription') == 'probe description']
        value = 'merge' if all(kept) else 'replace' if not any(kept) else 'mixed'
        self.found('update_fields', value, 'UpdateConnection without Description left %r; UpdateModel with only '
                   'ModelName left ModelDescription %r' % (description, model.get('ModelDescription')))

    def model_labels_create(self):
        model_id = self.model('labels', Labels=[{'Key': 'a', 'Value': '1'}, {'Key': 'b', 'Value': '2'}])
        try:
            self.client.call('CreateModelLabels', {'ModelId': model_id}, body={'Labels': [{'Key': 'a', 'Value': '9'}]})
        except PaiApiError as error:
            self.found('model_labels_create', 'reject_existing', 'CreateModelLabels of an existing key: %s %s'
                       % (error.code, error.message))
            return
        labels = dict((label['Key'], label['Value']) for label in self.get_model(model_id).get('Labels') or [])
        shapes = {'{"a": "9", "b": "2"}': 'upsert', '{"a": "9"}': 'replace'}
        value = shapes.get(json.dumps(labels, sort_keys=True), 'other')
        self.found('model_labels_create', value, 'labels a=1,b=2, then CreateModelLabels a=9: %s'
                   % json.dumps(labels, sort_keys=True))

    def plain_text(self):
        secret = 'probe-%s' % uuid.uuid4().hex
        connection_id = self.connection('secrets', Secrets={'token': secret})
        plain = self.get_connection(connection_id, 'PlainText').get('Secrets', {}).get('token', '')
        default = self.client.call('GetConnection', {'ConnectionId': connection_id}).get('Secrets', {}).get('token', '')

        def shape(value):
            return 'plain text' if value == secret else 'a mask' if value and not value.strip('*') else 'ciphertext'
        value = 'honoured' if plain == secret else 'ignored' if shape(plain) == 'a mask' else 'ciphertext'
        self.found('plain_text', value, 'EncryptOption=PlainText gave %s; no EncryptOption gave %s'
                   % (shape(plain), shape(default)))

    def page_size(self):
        for index in range(self.page_objects):  # more than 50 objects make the answer conclusive
            self.connection('page-%03d' % index)
            self.model('page-%03d' % index)
        results = []
        for action, parameter, key in (('ListConnections', 'MaxResults', 'Connections'),
                                       ('ListModels', 'PageSize', 'Models')):
            query = {'WorkspaceId': self.workspace_id, parameter: 100}
            if parameter == 'PageSize':
                query['PageNumber'] = 1
            try:
                page = self.client.call(action, query=query)
            except PaiApiError as error:
                results.append(('reject_above50' if error.code == 'InvalidParameter' else 'error',
                                '%s %s=100: %s %s' % (action, parameter, error.code, error.message)))
                continue
            items, total = len(page.get(key) or []), int(page.get('TotalCount') or 0)
            echoed = page.get('MaxResults')
            if (echoed and int(echoed) < 100) or (items < min(100, total)):
                results.append(('capped%d' % max(items, int(echoed or 0)),
                                '%s %s=100 gave %d of %d items%s' % (action, parameter, items, total,
                                                                     ', MaxResults=%s' % echoed if echoed else '')))
            elif total <= 50:
                results.append(('max100 (inconclusive: only %d objects)' % total,
                                '%s %s=100 gave all %d items' % (action, parameter, total)))
            else:
                results.append(('max100', '%s %s=100 gave %d of %d items' % (action, parameter, items, total)))
        values = sorted(set(value for value, dummy in results))
        self.found('page_size', values[0] if len(values) == 1 else 'mixed: ' + ', '.join(values),
                   '; '.join(evidence for dummy, evidence in results))

    def duplicate_names(self):
        self.connection('twin')
        try:
            self.connection('twin')
        except PaiApiError as error:
            self.found('duplicate_names', 'rejected', 'a second CreateConnection of one name: %s %s'
                       % (error.code, error.message))
            return
        self.found('duplicate_names', 'allowed', 'two connections of one name were created')

    def model_workspace(self):
        try:
            model_id = self.model('no-workspace', with_workspace=False)
        except PaiApiError as error:
            self.found('model_workspace', 'required', 'CreateModel without WorkspaceId: %s %s'
                       % (error.code, error.message))
            return
        self.found('model_workspace', 'default', 'CreateModel without WorkspaceId went to workspace %s'
                   % self.get_model(model_id).get('WorkspaceId'))

    def model_delete_with_versions(self):
        model_id = self.model('versions')
        self.client.call('CreateModelVersion', {'ModelId': model_id}, body={'Uri': 'oss://probe.invalid/model/'})
        try:
            self.client.call('DeleteModel', {'ModelId': model_id})
        except PaiApiError as error:
            self.found('model_delete_with_versions', 'refuse', 'DeleteModel of a model with a version: %s %s'
                       % (error.code, error.message))
            return
        self.found('model_delete_with_versions', 'cascade', 'DeleteModel of a model with a version succeeded')

    def capabilities(self):
        connection_id = self.connection('capabilities', ConnectionType='OpenLLMConnection', Models=[
            {'Model': 'probe-model', 'ModelType': 'LLM', 'ToolCall': False, 'MaxModelLength': 4096}])
        models = self.get_connection(connection_id).get('Models') or [{}]
        self.found('model_capabilities_returned', 'yes' if models[0].get('MaxModelLength') == 4096 else 'no',
                   'GetConnection model entry: %s' % json.dumps(models[0], sort_keys=True))

    # -- clean-up --------------------------------------------------------------------------------------------

    def cleanup(self):
        """Delete what this run created, newest first, then anything else carrying the prefix."""
        problems = []
        for kind, object_id in reversed(self.created):
            action, field = ('DeleteConnection', 'ConnectionId') if kind == 'connection' else ('DeleteModel', 'ModelId')
            try:
                if kind == 'model':  # its versions first, for a service that refuses to delete a model with versions
                    for version in list(self.client.paginate('ListModelVersions', {}, {'ModelId': object_id})):
                        self.client.call('DeleteModelVersion', {'ModelId': object_id, 'VersionName': version['VersionName']})
                self.client.call(action, {field: object_id})
            except PaiApiError as error:
                if not error.is_not_found:
                    problems.append('%s %s: %s' % (action, object_id, error))
            except PaiError as error:
                problems.append('%s %s: %s' % (action, object_id, error))
        for action, filter_name, key, field, delete in (
                ('ListConnections', 'ConnectionName', 'Connections', 'ConnectionId', 'DeleteConnection'),
                ('ListModels', 'ModelName', 'Models', 'ModelId', 'DeleteModel')):
            try:
                leftovers = [item[field] for item in self.client.paginate(action, {filter_name: self.prefix})
                             if (item.get(filter_name) or '').startswith(self.prefix)]
                for object_id in leftovers:
                    self.client.call(delete, {field: object_id})
            except PaiError as error:
                problems.append('sweeping %s: %s' % (action, error))
        return problems


QUESTIONS = ('update_fields', 'model_labels_create', 'plain_text', 'page_size', 'duplicate_names',
             'model_workspace', 'model_delete_with_versions', 'capabilities')


def run(client, workspace_id, prefix, page_objects=0):
    """Ask every question; returns the report (a dict)."""
    probe = Probe(client, workspace_id, prefix, page_objects)
    errors = {}
    try:
        for question in QUESTIONS:
            try:
                getattr(probe, question)()
            except PaiError as error:
                errors[question] = str(error)
    finally:
        cleanup = probe.cleanup()
    return {'endpoint': client.base_url, 'workspace_id': workspace_id, 'prefix': prefix,
            'behaviours': probe.findings, 'errors': errors, 'cleanup_problems': cleanup,
            'objects_created': len(probe.created)}


def markdown(report):
    lines = ['# PAI behaviour report', '', 'Endpoint `%s`, workspace `%s`, prefix `%s`, %d objects created and '
             'deleted.' % (report['endpoint'], report['workspace_id'], report['prefix'], report['objects_created']),
             '', '| behaviour | value shown | evidence |', '|---|---|---|']
    for name, finding in sorted(report['behaviours'].items()):
        lines.append('| `%s` | %s | %s |' % (name, finding['value'], finding['evidence'].replace('|', '\\|')))
    for name, error in sorted(report['errors'].items()):
        lines.append('| `%s` | (probe failed) | %s |' % (name, error.replace('|', '\\|')))
    if report['cleanup_problems']:
        lines += ['', 'Clean-up problems (delete these by hand):', '']
        lines += ['- %s' % problem for problem in report['cleanup_problems']]
    return '\n'.join(lines) + '\n'


def expectations(text):
    if text == 'default':
        return dict(DEFAULTS)
    return dict(item.split('=', 1) for item in text.split(',') if item)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--workspace-id', default=os.environ.get('PAI_WORKSPACE_ID'), required=False)
    parser.add_argument('--prefix', default='ansible-acc-%s' % uuid.uuid4().hex[:8])
    parser.add_argument('--report', default=os.path.join(ROOT, 'build', 'acceptance'))
    parser.add_argument('--page-objects', type=int, default=0,
                        help='create this many extra connections and models (deleted again) so that the page-size '
                             'probe sees more than 50 objects; 51 suffices in an empty workspace')
    parser.add_argument('--expect', help='"default", or name=value,...: fail unless the endpoint showed these')
    args = parser.parse_args(argv)
    if not args.workspace_id:
        parser.error('give --workspace-id or set PAI_WORKSPACE_ID: the probe creates its objects there')
    try:
        credentials, region, endpoint = _credentials.resolve({})
        client = PaiClient(credentials, endpoint_url(endpoint, region))
    except PaiError as error:
        print('cannot set up a client: %s' % error, file=sys.stderr)
        return 2
    report = run(client, args.workspace_id, args.prefix, args.page_objects)
    os.makedirs(args.report, exist_ok=True)
    with open(os.path.join(args.report, 'behaviours.json'), 'w', encoding='utf-8') as handle:
        json.dump(report, handle, indent=2, sort_keys=True)
    text = markdown(report)
    with open(os.path.join(args.report, 'behaviours.md'), 'w', encoding='utf-8') as handle:
        handle.write(text)
    print(text)
    status = 1 if report['errors'] or report['cleanup_problems'] else 0
    if args.expect:
        wanted = expectations(args.expect)
        wrong = dict((name, (report['behaviours'].get(name, {}).get('value'), value))
                     for name, value in wanted.items() if report['behaviours'].get(name, {}).get('value') != value)
        if wrong:
            print('unexpected behaviours (shown, expected): %s' % json.dumps(wrong, sort_keys=True), file=sys.stderr)
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())
