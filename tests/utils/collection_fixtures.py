# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pytest fixtures shared by tests/awx and tests/docs: the collection installed from its tarball, as a user
(or an execution environment) installs it.

``PAI_COLLECTION_TARBALL`` (set by ``tests/utils/ci.py``) names the tarball to install; without it the tarball is
built from the checkout with ``ansible-galaxy collection build``. Each conftest imports these fixtures.
"""

import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # tests/utils/ -> root


def venv_tool(name):
    """The ``name`` executable next to the running interpreter (the venv's), else the one on PATH."""
    path = os.path.join(os.path.dirname(sys.executable), name)
    return path if os.access(path, os.X_OK) else name


@pytest.fixture(scope='session')
def collection_tarball(tmp_path_factory):
    """Path of the collection tarball under test."""
    tarball = os.environ.get('PAI_COLLECTION_TARBALL')
    if tarball:
        assert os.path.isfile(tarball), 'PAI_COLLECTION_TARBALL=%s does not exist' % tarball
        return tarball
    dist = tmp_path_factory.mktemp('dist')
    subprocess.run([venv_tool('ansible-galaxy'), 'collection', 'build', '--output-path', str(dist), ROOT],
                   check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    tarballs = glob.glob(os.path.join(str(dist), 'alicloud-pai-*.tar.gz'))
    assert len(tarballs) == 1, tarballs
    return tarballs[0]


@pytest.fixture(scope='session')
def collections_path(tmp_path_factory, collection_tarball):
    """A collections path holding only the collection installed from the tarball."""
    path = str(tmp_path_factory.mktemp('collections'))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=path)
    subprocess.run([venv_tool('ansible-galaxy'), 'collection', 'install', '--offline', '-p', path, collection_tarball],
                   check=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert os.path.isfile(os.path.join(path, 'ansible_collections', 'alicloud', 'pai', 'MANIFEST.json'))
    return path
