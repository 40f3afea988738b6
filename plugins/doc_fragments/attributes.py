# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment(object):
    # The attributes of a resource module (state present/absent); each module adds its own idempotent entry.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    description: Can run in check mode and return the changed status and the predicted object without changing anything.
    support: full
    details:
      - Check mode sends no request that changes anything; it reads the current object and reports what a real run would do.
  diff_mode:
    description: Will return details on what has changed (or would change) in C(diff), with C(before) and C(after).
    support: full
    details:
      - C(before) and C(after) are JSON text (indented by 4, keys sorted, non-ASCII text as written), an empty
        string for an object that does not exist; read them as data with C(from_json).
      - A create or update shows what the task manages - the identities (name, workspace), the fields the task
        sets, and the id when it is known before the write (not for a create, where PAI chooses it). So the diff
        of a check-mode run equals the diff of the real run. A delete shows the id and every managed field; deleting
        a model or a workspace with C(force=true) also lists the objects deleted with it.
      - Secret values never appear in the diff, only which secret keys were added or changed.
"""

    # The attributes of an info module.
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Can run in check mode; it only reads, so it behaves the same.
    support: full
  diff_mode:
    description: Returns no diff; it changes nothing.
    support: N/A
  idempotent:
    description: Only reads, so it never changes anything.
    support: full
"""

    # Membership of the action group pai (meta/runtime.yml); every module takes it. `nox -e extra-checks` checks
    # that the modules listing this fragment and the modules of the group are the same.
    ACTIONGROUP_PAI = r"""
attributes:
  action_group:
    description: Use C(group/alicloud.pai.pai) in C(module_defaults) to set the common options once.
    support: full
    membership:
      - alicloud.pai.pai
"""
