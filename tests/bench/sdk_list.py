# Copyright (c) alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The baseline of the listing benchmark: the official SDK's ListConnections paging loop, as a fresh process.

    python tests/bench/sdk_list.py ENDPOINT WORKSPACE_ID PAGE_SIZE

Lists every connection of the workspace, page by page (MaxResults / NextToken), turns each into a dict (the SDK's
``to_map``) and prints how many there were. The key pair comes from ALIBABA_CLOUD_ACCESS_KEY_ID /
ALIBABA_CLOUD_ACCESS_KEY_SECRET; ENDPOINT is host:port, spoken over plain HTTP (the emulator).
"""

import os
import sys

from alibabacloud_aiworkspace20210204 import models
from alibabacloud_aiworkspace20210204.client import Client
from alibabacloud_tea_openapi.models import Config


def main(endpoint, workspace_id, page_size):
    client = Client(Config(access_key_id=os.environ['ALIBABA_CLOUD_ACCESS_KEY_ID'],
                           access_key_secret=os.environ['ALIBABA_CLOUD_ACCESS_KEY_SECRET'],
                           endpoint=endpoint, protocol='http'))
    connections, token = [], None
    while True:
        body = client.list_connections(models.ListConnectionsRequest(
            workspace_id=workspace_id, max_results=int(page_size), next_token=token)).body
        connections.extend(connection.to_map() for connection in body.connections or [])
        token = body.next_token
        if not token or not body.connections:
            break
    print(len(connections))


if __name__ == '__main__':
    main(*sys.argv[1:])
