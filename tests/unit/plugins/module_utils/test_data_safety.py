# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""DESIGN section 7 (data safety) proved against the local PAI emulator, run in-process.

The engine runs with the real client, so every request is signed, sent and logged by the emulator. Each test
named ``test_a<N>_...`` pins a defect of issue 8 part A; the ``test_b_...`` tests run the connection and model
lifecycles under every value of every emulator behaviour switch (issue 8 part B).
"""

import json
import threading

import pytest

from ansible_collections.alicloud.pai.plugins.module_utils._client import PaiClient
from ansible_collections.alicloud.pai.plugins.module_utils._connection import Connection
from ansible_collections.alicloud.pai.plugins.module_utils._credentials import Credentials
from ansible_collections.alicloud.pai.plugins.module_utils._model import Model
from ansible_collections.alicloud.pai.plugins.module_utils._module import PaiModule
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.engine_fakes import FakeAnsible, FakeModule, run

KEY_ID = "emulator-access-key-id"
KEY_SECRET = "emulator-access-key-secret"
WORKSPACE = "10001"
API_KEY = "sk-data-safety-0123456789"
PASSWORD = "pw-data-safety-9876543210"


class Api(object):
    """Tasks run against the emulator, and what the emulator then holds and logged."""

    def __init__(self, admin):
        self.admin = admin

    def log(self, action=None):
        return self.admin.requests(action)

    def actions(self):
        return [entry["action"] for entry in self.log()]

    def connections(self, name=None):
        return [item for item in self.admin.state(plain=True)["connections"]
                if name is None or item["ConnectionName"] == name]

    def models(self, name=None):
        return [item for item in self.admin.state()["models"] if name is None or item["ModelName"] == name]

    def client(self, timeout=10):
        return PaiClient(Credentials(KEY_ID, KEY_SECRET), self.admin.url, read_timeout=timeout, max_retries=2,
                         sleep=lambda seconds: None)

    def task(self, resource, params, check_mode=False, timeout=10):
        module = FakeModule(params, self.client(timeout), check_mode=check_mode)
        return run(resource(module))

    def connection(self, check_mode=False, timeout=10, **options):
        return self.task(Connection, connection_params(**options), check_mode, timeout)

    def model(self, check_mode=False, timeout=10, **options):
        return self.task(Model, model_params(**options), check_mode, timeout)

    def race(self, task, delay=1.5):
        """Run ``task`` twice at once: the first run's create arrives ``delay`` seconds late. Returns both results."""
        self.admin.fault(action="CreateConnection", type="delay", seconds=delay)
        results = {}
        first = threading.Thread(target=lambda: results.update(first=task("first")))
        first.start()
        threading.Event().wait(0.5)
        results["second"] = task("second")
        first.join()
        return results


@pytest.fixture
def api(admin):
    return Api(admin)


def connection_params(**overrides):
    params = dict(state="present", name="llm", connection_id=None, workspace_id=WORKSPACE,
                  connection_type="DashScopeConnection", accessibility=None, description=None, configs=None,
                  secrets=None, update_secrets="on_change", models=None, resource_meta=None, validate=False,
                  force=False, recovery_timeout=10)
    params.update(overrides)
    return params


def model_params(**overrides):
    params = dict(state="present", name="sd15", model_id=None, workspace_id=WORKSPACE, accessibility=None,
                  description=None, model_doc=None, model_type=None, origin=None, domain=None, task=None,
                  order_number=None, parameter_size=None, extra_info=None, labels=None, purge_labels=True,
                  force=False, recovery_timeout=10)
    params.update(overrides)
    return params


QWEN = {"model": "qwen-plus", "display_name": "Qwen Plus", "model_type": "LLM", "tool_call": True,
        "max_model_length": 131072, "support_vision": True}
FULL_CONNECTION = dict(description="support bot", configs={"base_url": "https://dashscope.example/v1"},
                       secrets={"api_key": API_KEY}, models=[QWEN])


def leaks(result, *values):
    text = json.dumps(result, sort_keys=True)
    return [value for value in values if value in text]


# -- part A -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["connection", "model"])
def test_a1_create_answer_timing_out_is_never_sent_again_and_the_object_is_adopted(api, kind):
    action = "CreateConnection" if kind == "connection" else "CreateModel"
    api.admin.fault(action=action, type="delay", seconds=2.5)
    result = getattr(api, kind)(timeout=1, recovery_timeout=10)
    stored = api.connections("llm") if kind == "connection" else api.models("sd15")
    assert len(stored) == 1
    assert len(api.log(action)) == 1
    assert result["changed"] and not result.get("failed")
    assert result[kind]["%s_id" % kind] == stored[0]["ConnectionId" if kind == "connection" else "ModelId"]
    assert any("answer to %s was lost" % action in warning for warning in result["warnings"])
    again = getattr(api, kind)()
    assert not again["changed"] and not again.get("failed")


def test_a1_create_that_never_appears_fails_changed_saying_it_may_still_happen(api):
    api.admin.fault(action="CreateConnection", type="drop")
    result = api.connection(recovery_timeout=1)
    assert result["failed"] and result["changed"]
    assert "may still happen" in result["msg"]
    assert len(api.log("CreateConnection")) == 1
    assert api.connections("llm") == []


def test_a1_two_runs_racing_to_create_one_name_leave_one_object(api):
    results = api.race(lambda run: api.connection(configs={"run": run}))
    stored = api.connections("llm")
    assert len(stored) == 1
    assert results["first"]["connection"]["connection_id"] == results["second"]["connection"]["connection_id"]
    assert any("another run created" in warning for warning in results["first"]["warnings"])
    assert len(api.log("DeleteConnection")) == 1
    # the late run adopted the older object and brought it to its own options
    assert stored[0]["Configs"] == {"run": "first"}


def test_a1_service_refusing_a_second_name_means_adopt(api):
    api.admin.behave(duplicate_names="rejected")
    results = api.race(lambda run: api.connection(configs={"run": run}))
    assert len(api.connections("llm")) == 1
    assert not results["first"].get("failed") and results["first"]["changed"]
    assert any("refused to create a second" in warning for warning in results["first"]["warnings"])


@pytest.mark.parametrize("state", ["absent", "present"])
@pytest.mark.parametrize("mismatch", [{"workspace_id": "10002"}, {"name": "another"}])
def test_a2_an_id_whose_object_the_other_identities_do_not_match_is_never_written(api, state, mismatch):
    api.admin.seed(workspaces=[{"WorkspaceId": "10002", "WorkspaceName": "other"}])
    created = api.connection(**FULL_CONNECTION)["connection"]
    api.admin.clear_requests()
    params = dict(connection_id=created["connection_id"], state=state, force=True, description="changed")
    params.update(mismatch)
    result = api.connection(**params)
    assert result["failed"] and not result["changed"]
    assert "does not match the task" in result["msg"]
    assert [entry for entry in api.log() if entry["mutated"]] == []
    assert api.connections("llm")[0]["Description"] == "support bot"


def test_a2_model_absent_by_id_with_another_name_deletes_nothing(api):
    created = api.model()["model"]
    result = api.model(model_id=created["model_id"], name="other", state="absent")
    assert result["failed"] and "does not match the task" in result["msg"]
    assert len(api.models("sd15")) == 1


def test_a3_create_only_model_capabilities_survive_an_update_and_a_replacement(api):
    api.connection(**FULL_CONNECTION)
    result = api.connection(models=[{"model": "qwen-plus", "display_name": "Qwen Plus 2"}])
    assert result["changed"]
    (stored,) = api.connections("llm")
    assert stored["Models"][0]["DisplayName"] == "Qwen Plus 2"
    assert stored["Models"][0]["MaxModelLength"] == 131072 and stored["Models"][0]["SupportVision"] is True
    result = api.connection(accessibility="PUBLIC", force=True)
    assert result["changed"] and not result.get("failed")
    (stored,) = api.connections("llm")
    assert stored["Accessibility"] == "PUBLIC"
    assert stored["Models"][0]["MaxModelLength"] == 131072 and stored["Models"][0]["SupportVision"] is True
    assert stored["Secrets"] == {"api_key": API_KEY}


def test_a4_a_mask_given_as_a_secret_is_refused_before_any_request(api):
    api.connection(**FULL_CONNECTION)
    api.admin.clear_requests()
    result = api.connection(secrets={"api_key": "********"})
    assert result["failed"] and "secrets.api_key is a mask" in result["msg"]
    assert api.log() == []
    assert api.connections("llm")[0]["Secrets"] == {"api_key": API_KEY}


def test_a5_plain_text_secrets_are_read_by_id_for_the_exact_match_only(api):
    api.admin.seed(connections=[
        {"ConnectionName": "llm-decoy", "WorkspaceId": WORKSPACE, "Configs": {}, "Secrets": {"api_key": PASSWORD}},
        {"ConnectionName": "my-llm", "WorkspaceId": WORKSPACE, "Configs": {}, "Secrets": {"api_key": PASSWORD}}])
    created = api.connection(**FULL_CONNECTION)["connection"]
    api.admin.clear_requests()
    result = api.connection(secrets={"api_key": API_KEY})
    assert not result["changed"]
    log = api.log()
    assert [entry["action"] for entry in log] == ["ListConnections", "GetConnection"]
    assert log[0]["query"].get("EncryptOption") != "PlainText"
    assert log[1]["path"].endswith(created["connection_id"]) and log[1]["query"]["EncryptOption"] == "PlainText"
    assert all(entry["query"].get("EncryptOption") != "PlainText"
               for entry in api.log("ListConnections"))


def test_a6_a_failed_forced_replacement_restores_what_it_deleted(api):
    api.connection(**FULL_CONNECTION)
    api.admin.fault(action="CreateConnection", type="error", status=400, code="InvalidParameter", message="no")
    result = api.connection(accessibility="PUBLIC", force=True)
    assert result["failed"] and result["changed"]
    assert "restored as connection" in result["msg"]
    (stored,) = api.connections("llm")
    assert stored["Accessibility"] == "PRIVATE"
    assert stored["Secrets"] == {"api_key": API_KEY}
    assert stored["Models"][0]["MaxModelLength"] == 131072
    assert leaks(result, API_KEY) == []


def test_a6_when_the_restore_fails_too_the_message_names_everything_needed(api):
    api.connection(**FULL_CONNECTION)
    api.admin.fault(action="CreateConnection", type="error", status=400, code="InvalidParameter", message="no", count=2)
    result = api.connection(accessibility="PUBLIC", force=True)
    assert result["failed"] and result["changed"]
    assert api.connections("llm") == []
    for words in ("It is gone", "configs=", "models=", "secrets with the keys api_key", "connection_type="):
        assert words in result["msg"]
    assert leaks(result, API_KEY) == []


def test_a7_a_lost_create_answer_then_a_failed_lookup_is_reported_changed(api):
    api.admin.fault(action="CreateConnection", type="delay", seconds=1)
    breaking = threading.Timer(0.3, lambda: api.admin.fault(
        action="ListConnections", type="error", status=400, code="InvalidParameter", message="no", count=20))
    breaking.start()  # the lookups after the lost answer fail
    result = api.connection(timeout=0.6)
    breaking.join()
    api.admin.clear_faults()
    for dummy in range(50):  # let the late create land, so that it cannot leak into the next test
        if api.connections("llm"):
            break
        threading.Event().wait(0.1)
    assert result["failed"] and result["changed"]
    assert "CreateConnection (answer lost, may have been applied)" in result["msg"]


def test_a7_a_dropped_label_answer_is_settled_by_reading_back(api):
    api.model(labels={"env": "dev"})
    api.admin.fault(action="CreateModelLabels", type="apply_then_drop")
    result = api.model(labels={"env": "dev", "team": "nlp"})
    assert result["changed"] and not result.get("failed")
    assert result["model"]["labels"] == {"env": "dev", "team": "nlp"}
    assert len(api.log("CreateModelLabels")) == 1  # applied, so not sent again


def test_a7_a_label_deleted_for_a_new_value_is_named_when_the_create_fails(api):
    api.model(labels={"env": "dev"})
    api.admin.fault(action="CreateModelLabels", type="error", status=400, code="InvalidParameter", message="no")
    result = api.model(labels={"env": "prod"})
    assert result["failed"] and result["changed"]
    assert "may be lost: label env=dev" in result["msg"]


def test_a8_a_warning_never_echoes_a_secret_value():
    module = PaiModule.__new__(PaiModule)  # only warn() is used: no argument parsing needed
    module.ansible = FakeAnsible(diff=False)
    module.ansible.no_log_values.update([API_KEY, "sk"])
    module.warn("connection_type %r is not one of the known types" % API_KEY)
    assert module.ansible.warnings == ["connection_type '********' is not one of the known types"]


def test_a8_short_secrets_are_warned_about_without_their_value(api):
    result = api.connection(secrets={"api_key": "abc"}, configs={})
    assert any("secrets.api_key is shorter than 6 characters" in warning for warning in result["warnings"])
    assert leaks(result["warnings"], "abc") == []


@pytest.mark.parametrize("bad_id", [".", "..", "a/b", "x?y", "conn 1"])
def test_a8_ids_with_path_characters_are_refused_before_any_request(api, bad_id):
    result = api.connection(connection_id=bad_id, state="absent")
    assert result["failed"] and "is not a connection id" in result["msg"]
    assert api.log() == []


def test_deleting_never_reads_secrets_in_plain_text(api):
    api.connection(**FULL_CONNECTION)
    api.admin.clear_requests()
    result = api.connection(state="absent", secrets={"api_key": API_KEY})
    assert result["changed"] and api.connections("llm") == []
    assert all(entry["query"].get("EncryptOption") != "PlainText" for entry in api.log())


def test_a_failed_validation_after_a_write_says_what_was_done(api):
    result = api.connection(configs={"base_url": "https://unreachable.example"}, secrets={"api_key": API_KEY},
                            validate=True)
    assert result["failed"] and result["changed"]
    assert "failed validation" in result["msg"] and "this task had already done: CreateConnection conn-" in result["msg"]


# -- costs ----------------------------------------------------------------------------------------------------------

def test_costs_unchanged_is_one_read_update_is_writes_plus_one_verifying_read(api):
    api.connection(**FULL_CONNECTION)
    api.admin.clear_requests()
    assert not api.connection(description="support bot")["changed"]
    assert api.actions() == ["ListConnections"]
    api.admin.clear_requests()
    assert not api.connection(secrets={"api_key": API_KEY})["changed"]
    assert api.actions() == ["ListConnections", "GetConnection"]  # secrets compared: one by-id plain read
    api.admin.clear_requests()
    assert api.connection(description="new", secrets={"api_key": API_KEY})["changed"]
    assert api.actions() == ["ListConnections", "GetConnection", "UpdateConnection", "GetConnection"]
    api.admin.clear_requests()
    assert api.connection(description="newer")["changed"]  # secrets re-sent: one by-id plain read
    assert api.actions() == ["ListConnections", "GetConnection", "UpdateConnection", "GetConnection"]
    assert api.connections("llm")[0]["Secrets"] == {"api_key": API_KEY}


# -- part B: every behaviour switch ---------------------------------------------------------------------------------

BEHAVIOURS = [
    {"update_fields": "merge"}, {"update_fields": "replace"},
    {"plain_text": "honoured"}, {"plain_text": "ignored"},
    {"page_size": "max100"}, {"page_size": "capped50"}, {"page_size": "reject_above50"},
    {"duplicate_names": "allowed"}, {"duplicate_names": "rejected"},
    {"model_workspace": "default"}, {"model_workspace": "required"},
    {"model_labels_create": "upsert"}, {"model_labels_create": "replace"}, {"model_labels_create": "reject_existing"},
    {"model_delete_with_versions": "cascade"}, {"model_delete_with_versions": "refuse"},
]


def behaviour_id(values):
    return ",".join("%s=%s" % item for item in sorted(values.items()))


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=behaviour_id)
def test_b_connection_lifecycle_keeps_every_other_field(api, behaviour):
    api.admin.behave(**behaviour)
    plain = behaviour.get("plain_text") != "ignored"
    assert api.connection(**FULL_CONNECTION)["changed"]
    changes = [dict(description="described again"), dict(configs={"base_url": "https://other.example/v1"}),
               dict(models=[dict(QWEN, display_name="Qwen Plus 2")]), dict(secrets={"api_key": PASSWORD})]
    expected = dict(Description="support bot", Configs=FULL_CONNECTION["configs"], Secrets={"api_key": API_KEY},
                    DisplayName="Qwen Plus")
    for change in changes:
        result = api.connection(**change)
        if not plain and "secrets" not in change:
            # the stored secrets cannot be read back, so a change that could clear them is refused
            assert result["failed"] and not result["changed"] and "nothing was changed" in result["msg"]
            continue
        assert result["changed"] and not result.get("failed"), result
        expected.update(Description=change.get("description", expected["Description"]),
                        Configs=change.get("configs", expected["Configs"]),
                        Secrets=change.get("secrets", expected["Secrets"]),
                        DisplayName=change.get("models", [{"display_name": expected["DisplayName"]}])[0]["display_name"])
        (stored,) = api.connections("llm")
        assert stored["Description"] == expected["Description"]
        assert stored["Configs"] == expected["Configs"]
        assert stored["Secrets"] == expected["Secrets"]
        assert stored["Models"][0]["DisplayName"] == expected["DisplayName"]
        assert stored["Models"][0]["MaxModelLength"] == 131072
        assert leaks(result, API_KEY, PASSWORD) == []
    again = api.connection(description=expected["Description"])
    assert not again["changed"]


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=behaviour_id)
def test_b_model_lifecycle_and_labels(api, behaviour):
    api.admin.behave(**behaviour)
    full = dict(description="diffusion", origin="Civitai", domain="aigc", order_number=3, extra_info={"a": 1},
                labels={"env": "dev", "team": "cv", "tier": "1"})
    assert api.model(**full)["changed"]
    steps = [dict(description="described again"), dict(domain="cv"), dict(extra_info={"b": 2}),
             dict(labels={"env": "prod", "team": "cv", "tier": "1"}),       # a changed value
             dict(labels={"env": "prod", "team": "cv"}),                    # a removed key
             dict(labels={"owner": "ml"}, purge_labels=False),              # an added key, others kept
             dict(name="sd15", accessibility="PUBLIC")]
    expected = dict(ModelDescription="diffusion", Origin="Civitai", Domain="aigc", OrderNumber=3,
                    ExtraInfo={"a": 1}, Labels={"env": "dev", "team": "cv", "tier": "1"})
    for step in steps:
        result = api.model(**step)
        assert result["changed"] and not result.get("failed"), result
        for option, field in (("description", "ModelDescription"), ("domain", "Domain"), ("extra_info", "ExtraInfo")):
            if option in step:
                expected[field] = step[option]
        if "labels" in step:
            expected["Labels"] = (dict(expected["Labels"], **step["labels"]) if step.get("purge_labels") is False
                                  else step["labels"])
        (stored,) = api.models("sd15")
        for field, value in expected.items():
            got = dict((label["Key"], label["Value"]) for label in stored["Labels"]) if field == "Labels" else stored.get(field)
            assert got == value, (step, field)
        assert not api.model(**step)["changed"]


@pytest.mark.parametrize("behaviour", [{"page_size": "max100"}, {"page_size": "capped50"},
                                       {"page_size": "reject_above50"}], ids=behaviour_id)
def test_b_lists_reach_every_object_under_every_page_size(api, behaviour):
    api.admin.behave(**behaviour)
    api.admin.seed(
        connections=[{"ConnectionName": "c%03d" % index, "WorkspaceId": WORKSPACE, "Configs": {}} for index in range(120)],
        models=[{"ModelName": "m%03d" % index, "WorkspaceId": WORKSPACE} for index in range(120)])
    client = api.client()
    assert len(list(client.paginate("ListConnections", {"WorkspaceId": WORKSPACE}))) == 120
    assert len(list(client.paginate("ListModels", {"WorkspaceId": WORKSPACE}))) == 120
    # the last of 120 by name is found (paging to the end)
    assert not api.connection(name="c119", connection_type=None)["changed"]
