# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The execution environment of ``docs/ee/``: ``ansible-builder create`` builds its context, no container engine needed.

* ``docs/ee/execution-environment.yml`` and ``docs/ee/requirements.yml`` are the definition the AWX guide shows,
  and ``meta/execution-environment.yml`` / ``meta/ee-requirements.txt`` are what the guide says they are;
* ``ansible-builder create`` turns the definition, with the built collection tarball next to it, into a context
  whose ``_build/`` holds the tarball and the requirements;
* the context's galaxy stage (``ansible-galaxy collection install -r requirements.yml`` in ``_build``) and its
  builder stage (``_build/scripts/introspect.py``), run here without a container, install the collection and
  collect ``requests``, the collection's Python requirement, for the image.
"""

import os
import shutil
import subprocess
import sys
import tarfile

import pytest

import yaml

from collection_fixtures import venv_tool

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EE_DIR = os.path.join(ROOT, 'docs', 'ee')


def load_yaml(path):
    with open(path, encoding='utf-8') as handle:
        return yaml.safe_load(handle)


def requirement_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith('#')]


def run(cmd, cwd, env=None):
    result = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    assert result.returncode == 0, '%s exited with %d:\n%s' % (' '.join(cmd), result.returncode, result.stdout)
    return result.stdout


@pytest.fixture(scope='module')
def context(tmp_path_factory, collection_tarball):
    """``ansible-builder create`` of docs/ee with the tarball under collections/; returns the context directory."""
    work = str(tmp_path_factory.mktemp('ee'))
    for name in ('execution-environment.yml', 'requirements.yml'):
        shutil.copy(os.path.join(EE_DIR, name), work)
    definition = load_yaml(os.path.join(work, 'execution-environment.yml'))
    sources = [item['src'] for item in definition.get('additional_build_files', [])]
    assert sources == ['collections/' + os.path.basename(collection_tarball)], (
        'docs/ee/execution-environment.yml copies %s, but the collection builds as %s: update docs/ee and the AWX guide'
        % (sources, os.path.basename(collection_tarball)))
    os.makedirs(os.path.join(work, 'collections'))
    shutil.copy(collection_tarball, os.path.join(work, 'collections'))
    output = run([venv_tool('ansible-builder'), 'create', '--file', 'execution-environment.yml', '--context', 'context',
                  '--output-filename', 'Containerfile'], cwd=work)
    assert 'Complete!' in output, output
    return os.path.join(work, 'context')


def test_definition_is_the_one_the_guide_shows(guide):
    for name in ('execution-environment.yml', 'requirements.yml'):
        assert load_yaml(os.path.join(EE_DIR, name)) == guide.yaml(lead='``%s``:' % name), 'docs/ee/%s differs from the guide' % name


def test_collection_metadata_is_what_the_guide_says(guide):
    assert load_yaml(os.path.join(ROOT, 'meta', 'execution-environment.yml')) == guide.yaml(lead='``meta/execution-environment.yml``')
    with open(os.path.join(ROOT, 'meta', 'ee-requirements.txt'), encoding='utf-8') as handle:
        assert requirement_lines(handle.read()) == requirement_lines(guide.text(lead='``meta/ee-requirements.txt``'))


def test_create_writes_the_build_context(context, collection_tarball):
    with open(os.path.join(context, 'Containerfile'), encoding='utf-8') as handle:
        containerfile = handle.read()
    assert 'ARG EE_BASE_IMAGE="quay.io/ansible/awx-ee:latest"' in containerfile
    assert 'ansible-galaxy collection install $ANSIBLE_GALAXY_CLI_COLLECTION_OPTS -r requirements.yml' in containerfile
    assert '/output/scripts/introspect.py introspect' in containerfile
    copied = os.path.join(context, '_build', 'collections', os.path.basename(collection_tarball))
    with open(copied, 'rb') as first, open(collection_tarball, 'rb') as second:
        assert first.read() == second.read(), 'the context holds another tarball than the one built'
    assert load_yaml(os.path.join(context, '_build', 'requirements.yml')) == load_yaml(os.path.join(EE_DIR, 'requirements.yml'))


def test_collection_in_the_context_declares_requests(context, collection_tarball):
    with tarfile.open(os.path.join(context, '_build', 'collections', os.path.basename(collection_tarball))) as archive:
        meta = yaml.safe_load(archive.extractfile('meta/execution-environment.yml').read())
        assert meta['dependencies']['python'] == 'meta/ee-requirements.txt'
        pip = requirement_lines(archive.extractfile('meta/ee-requirements.txt').read().decode('utf-8'))
    assert [line for line in pip if line.startswith('requests')] == ['requests>=2.25.0'], pip


def test_image_build_steps_install_the_collection_and_collect_requests(tmp_path, context):
    """The galaxy and builder stages of the Containerfile, without a container: collection installed, requests collected."""
    build = os.path.join(context, '_build')
    collections = str(tmp_path / 'usr-share-ansible-collections')
    env = dict(os.environ, ANSIBLE_GALAXY_DISABLE_GPG_VERIFY='1', ANSIBLE_COLLECTIONS_PATH=collections)
    run([venv_tool('ansible-galaxy'), 'collection', 'install', '--offline', '-r', 'requirements.yml', '--collections-path', collections],
        cwd=build, env=env)
    assert os.path.isfile(os.path.join(collections, 'ansible_collections', 'alicloud', 'pai', 'MANIFEST.json'))
    pip = str(tmp_path / 'requirements.txt')
    bindep = str(tmp_path / 'bindep.txt')
    run([sys.executable, os.path.join(build, 'scripts', 'introspect.py'), 'introspect', '--write-pip', pip, '--write-bindep', bindep,
         collections], cwd=build)
    with open(pip, encoding='utf-8') as handle:
        assert requirement_lines(handle.read()) == ['requests>=2.25.0  # from collection alicloud.pai']
    assert not os.path.exists(bindep), 'the collection should need no system packages'
