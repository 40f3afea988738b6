# -*- coding: utf-8 -*-
# Copyright (c) 2026, alicloud.pai contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Model versions (a child of a model, addressed by two ids) through the engine, against the emulator in-process:
identity by name or by uri, costs, create-only changes, labels, lost answers, and deleting a model with versions
under both plausible service behaviours."""

import json

import pytest

from ansible_collections.alicloud.pai.plugins.module_utils._model import ModelVersion
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.engine_fakes import FakeModule, run, diff_data
from ansible_collections.alicloud.pai.tests.unit.plugins.module_utils.test_data_safety import (
    BEHAVIOURS,
    WORKSPACE,
    Api,
    behaviour_id,
)

URI = "oss://models.oss-cn-hangzhou.aliyuncs.com/resnet/run-42/"
OTHER_URI = "oss://models.oss-cn-hangzhou.aliyuncs.com/resnet/run-43/"
SOURCE_ID = "region=cn-hangzhou,workspaceId=10001,kind=ServiceJob,id=dlc-42"


def version_params(**overrides):
    params = dict(state="present", model_id=None, model_name=None, workspace_id=None, version_name=None, uri=None,
                  version_description=None, format_type=None, framework_type=None, source_type=None, source_id=None,
                  approval_status=None, options=None, extra_info=None, inference_spec=None, training_spec=None,
                  evaluation_spec=None, compression_spec=None, distillation_spec=None, metrics=None, labels=None,
                  purge_labels=True, force=False, recovery_timeout=5)
    params.update(overrides)
    return params


class VersionApi(Api):
    def __init__(self, admin):
        super(VersionApi, self).__init__(admin)
        created = self.model(name="resnet50")
        assert created["changed"], created
        self.model_id = created["model"]["model_id"]
        admin.clear_requests()

    def version(self, check_mode=False, **options):
        if "model_name" not in options:
            options.setdefault("model_id", self.model_id)
        return self.task(ModelVersion, version_params(**options), check_mode)

    def versions(self):
        """The stored versions of the model, by name."""
        state = self.admin.state()
        return dict((item["VersionName"], item) for item in state["model_versions"]
                    if item.get("ModelId") == self.model_id)

    def writes(self):
        return [entry["action"] for entry in self.log() if entry["method"] != "GET"]


@pytest.fixture
def api(admin):
    return VersionApi(admin)


def registration(**overrides):
    options = dict(uri=URI, format_type="SavedModel", framework_type="TensorFlow", source_type="TrainingService",
                   source_id=SOURCE_ID, approval_status="Pending", metrics={"top1": 0.91},
                   options={"quantized": False}, labels={"run": "42", "team": "cv"})
    options.update(overrides)
    return options


def test_registering_by_uri_lets_pai_name_the_version_and_a_rerun_is_one_list(api):
    checked = api.version(check_mode=True, **registration())
    assert checked["changed"] and checked["model_version"]["version_name"] is None
    assert api.writes() == [] and api.versions() == {}
    created = api.version(**registration())
    assert created["changed"] and created["model_version"]["version_name"] == "0.1.0"
    assert created["model_version"]["model_id"] == api.model_id
    assert created["model_version"]["options"] == {"quantized": False}
    assert created["model_version"]["labels"] == {"run": "42", "team": "cv"}
    api.admin.clear_requests()
    again = api.version(**registration())
    assert not again["changed"], again
    assert [entry["action"] for entry in api.log()] == ["ListModelVersions"]
    api.admin.clear_requests()
    by_name = api.version(model_name="resnet50", workspace_id=WORKSPACE, **registration())
    assert not by_name["changed"]
    assert [entry["action"] for entry in api.log()] == ["ListModels", "ListModelVersions"]
    second = api.version(**registration(uri=OTHER_URI))
    assert second["model_version"]["version_name"] == "0.2.0"
    assert sorted(api.versions()) == ["0.1.0", "0.2.0"]


def test_a_named_version_is_one_read_when_unchanged_and_promotion_is_one_write(api):
    created = api.version(version_name="1.0.0", **registration())
    assert created["changed"] and created["model_version"]["version_name"] == "1.0.0"
    api.admin.clear_requests()
    assert not api.version(version_name="1.0.0", **registration())["changed"]
    assert [entry["action"] for entry in api.log()] == ["GetModelVersion"]
    for behaviour in ("merge", "replace"):
        api.admin.behave(update_fields=behaviour)
        status = "Approved" if behaviour == "merge" else "Rejected"
        api.admin.clear_requests()
        promoted = api.version(version_name="1.0.0", approval_status=status)
        assert promoted["changed"] and diff_data(promoted, "after")["approval_status"] == status
        assert diff_data(promoted, "before")["approval_status"] != status
        assert api.writes() == ["UpdateModelVersion"]
        stored = api.versions()["1.0.0"]
        assert stored["ApprovalStatus"] == status
        # everything else survives, whether PAI merges or replaces update bodies
        assert stored["Metrics"] == {"top1": 0.91} and stored["SourceId"] == SOURCE_ID
        assert stored["Uri"] == URI and stored["FormatType"] == "SavedModel"


def test_check_mode_update_predicts_without_writing(api):
    api.version(version_name="1.0.0", **registration())
    api.admin.clear_requests()
    checked = api.version(check_mode=True, version_name="1.0.0", approval_status="Approved",
                          metrics={"top1": 0.95})
    assert checked["changed"] and checked["model_version"]["approval_status"] == "Approved"
    assert diff_data(checked, "after")["metrics"] == {"top1": 0.95}
    assert api.writes() == [] and api.versions()["1.0.0"]["ApprovalStatus"] == "Pending"


@pytest.mark.parametrize("behaviour", ["upsert", "replace", "reject_existing"])
def test_labels_change_at_key_level_under_every_label_behaviour(api, behaviour):
    api.admin.behave(model_labels_create=behaviour)
    api.version(version_name="1.0.0", **registration())
    steps = [({"run": "42", "team": "nlp"}, True), ({"run": "42"}, True), ({"gate": "passed"}, False)]
    expected = {"run": "42", "team": "cv"}
    for labels, purge in steps:
        result = api.version(version_name="1.0.0", labels=labels, purge_labels=purge)
        assert result["changed"] and not result.get("failed"), result
        expected = labels if purge else dict(expected, **labels)
        stored = api.versions()["1.0.0"]
        assert dict((item["Key"], item["Value"]) for item in stored["Labels"]) == expected
        assert stored["Metrics"] == {"top1": 0.91}
        assert not api.version(version_name="1.0.0", labels=labels, purge_labels=purge)["changed"]


def test_a_create_only_change_fails_naming_both_values_or_replaces_under_the_same_name_with_force(api):
    api.version(version_name="1.0.0", **registration())
    api.admin.clear_requests()
    refused = api.version(version_name="1.0.0", uri=OTHER_URI)
    assert refused["failed"] and not refused["changed"]
    assert "uri is \"%s\", wanted \"%s\"" % (URI, OTHER_URI) in refused["msg"] and "force" in refused["msg"]
    assert api.writes() == []
    replaced = api.version(version_name="1.0.0", uri=OTHER_URI, force=True)
    assert replaced["changed"] and not replaced.get("failed"), replaced
    assert api.writes() == ["DeleteModelVersion", "CreateModelVersion"]
    stored = api.versions()["1.0.0"]
    assert stored["Uri"] == OTHER_URI
    # every other stored value carried over into the new version
    assert stored["Metrics"] == {"top1": 0.91} and stored["SourceId"] == SOURCE_ID
    assert dict((item["Key"], item["Value"]) for item in stored["Labels"]) == {"run": "42", "team": "cv"}


def test_a_version_found_by_uri_is_replaced_under_its_pai_given_name(api):
    api.version(**registration())
    replaced = api.version(force=True, **registration(framework_type="PyTorch"))
    assert replaced["changed"] and replaced["model_version"]["version_name"] == "0.1.0"
    assert replaced["model_version"]["framework_type"] == "PyTorch"
    assert list(api.versions()) == ["0.1.0"]


def test_several_versions_of_one_uri_fail_listing_them(api):
    api.version(version_name="1.0.0", **registration())
    api.version(version_name="1.1.0", **registration())
    api.admin.clear_requests()
    result = api.version(**registration(approval_status="Approved"))
    assert result["failed"] and "1.0.0, 1.1.0" in result["msg"] and "version_name" in result["msg"]
    assert api.writes() == []


@pytest.mark.parametrize("named", [False, True], ids=["by-uri", "named"])
def test_a_lost_create_answer_is_never_sent_again_and_the_version_is_kept(api, named):
    api.admin.fault(action="CreateModelVersion", type="apply_then_drop")
    options = registration(version_name="2.0.0") if named else registration()
    result = api.version(**options)
    assert result["changed"] and not result.get("failed"), result
    assert len(api.versions()) == 1
    assert api.writes() == ["CreateModelVersion"]
    assert any("lost" in warning for warning in result["warnings"])
    assert not api.version(**options)["changed"]


def test_a_name_taken_between_the_read_and_the_create_is_adopted(api):
    api.version(version_name="1.0.0", **registration())
    module = FakeModule(version_params(model_id=api.model_id, version_name="1.0.0", **registration()), api.client())
    resource = ModelVersion(module)
    resource.get = lambda *args, **kwargs: None  # the first read misses it, as in a race
    real_get = ModelVersion.get
    resource.siblings = lambda body, replaced=None: [real_get(resource, body["VersionName"])]
    result = run(resource)
    assert not result.get("failed"), result
    assert any("refused to create a second" in warning for warning in result["warnings"])
    assert list(api.versions()) == ["1.0.0"]


@pytest.mark.parametrize("options, words", [
    (dict(version_name="1.0"), "version names are major.minor.patch"),
    (dict(version_name="../1.0.0"), "version names are major.minor.patch"),
    (dict(model_id="model/../x", version_name="1.0.0"), "ids hold only"),
    (dict(metrics={"values": "x" * 8200}), "metrics is 8"),
    (dict(source_type="PAIFlow", source_id="run-1"), "region=<region>,workspaceId="),
    (dict(labels={"a=b": "c"}), "contains '=' or ','"),
])
def test_bad_input_fails_before_any_request(api, options, words):
    api.admin.clear_requests()
    result = api.version(**registration(**options))
    assert result["failed"] and words in result["msg"], result
    assert api.log() == []


def test_a_missing_named_version_without_uri_says_uri_is_needed(api):
    result = api.version(version_name="3.0.0")
    assert result["failed"] and "uri is required" in result["msg"] and "3.0.0" in result["msg"]
    assert api.writes() == []


def test_a_model_that_does_not_exist_by_name(api):
    api.admin.clear_requests()
    absent = api.version(model_name="nope", workspace_id=WORKSPACE, uri=URI, state="absent")
    assert not absent["changed"] and absent["model_version"] is None
    present = api.version(model_name="nope", workspace_id=WORKSPACE, uri=URI)
    assert present["failed"] and "no model named 'nope' in workspace 10001 exists" in present["msg"]
    assert api.writes() == []


def test_delete_and_delete_again(api):
    api.version(version_name="1.0.0", **registration())
    checked = api.version(check_mode=True, version_name="1.0.0", state="absent")
    assert checked["changed"] and "1.0.0" in api.versions()
    deleted = api.version(version_name="1.0.0", state="absent")
    assert deleted["changed"] and diff_data(deleted, "before")["version_name"] == "1.0.0"
    assert diff_data(deleted, "after") == {} and api.versions() == {}
    assert not api.version(version_name="1.0.0", state="absent")["changed"]
    api.version(**registration())
    assert api.version(uri=URI, state="absent")["changed"] and api.versions() == {}


@pytest.mark.parametrize("service", ["cascade", "refuse"])
def test_a_model_with_versions_is_deleted_only_with_force_under_either_service(api, service):
    api.admin.behave(model_delete_with_versions=service)
    api.version(version_name="1.0.0", **registration())
    api.version(version_name="1.1.0", **registration(uri=OTHER_URI))
    api.admin.clear_requests()
    refused = api.model(model_id=api.model_id, name=None, state="absent")
    assert refused["failed"] and not refused["changed"]
    assert "1.0.0, 1.1.0" in refused["msg"] and "force=true" in refused["msg"]
    assert api.writes() == [] and len(api.versions()) == 2
    checked = api.model(check_mode=True, model_id=api.model_id, name=None, state="absent", force=True)
    assert checked["changed"] and checked["versions"] == ["1.0.0", "1.1.0"]
    assert diff_data(checked, "before")["versions"] == ["1.0.0", "1.1.0"]
    assert api.writes() == []
    deleted = api.model(model_id=api.model_id, name=None, state="absent", force=True)
    assert deleted["changed"] and not deleted.get("failed"), deleted
    assert api.writes() == ["DeleteModelVersion", "DeleteModelVersion", "DeleteModel"]
    assert api.models("resnet50") == [] and api.versions() == {}
    assert not api.model(model_id=api.model_id, name=None, state="absent", force=True)["changed"]


def test_a_model_without_versions_is_deleted_without_force(api):
    deleted = api.model(model_id=api.model_id, name=None, state="absent")
    assert deleted["changed"] and deleted["versions"] == []
    assert api.models("resnet50") == []


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=behaviour_id)
def test_b_version_lifecycle_under_every_behaviour(api, behaviour):
    """Each updatable field changed alone keeps every other; labels at key level; the model deleted with force."""
    api.admin.behave(**behaviour)
    assert api.version(**registration())["changed"]
    steps = [dict(version_description="candidate"), dict(approval_status="Approved"),
             dict(metrics={"top1": 0.93}), dict(inference_spec={"processor": "tensorflow_gpu_1.12"}),
             dict(options={"quantized": True}), dict(labels={"run": "42", "team": "nlp"}),
             dict(labels={"gate": "passed"}, purge_labels=False), dict(labels={"run": "42"})]
    expected = dict(VersionDescription=None, ApprovalStatus="Pending", Metrics={"top1": 0.91}, InferenceSpec=None,
                    Options='{"quantized":false}', SourceId=SOURCE_ID, FormatType="SavedModel",
                    Labels={"run": "42", "team": "cv"})
    fields = dict(version_description="VersionDescription", approval_status="ApprovalStatus", metrics="Metrics",
                  inference_spec="InferenceSpec", options="Options")
    for step in steps:
        result = api.version(uri=URI, **step)
        assert result["changed"] and not result.get("failed"), (step, result)
        for option, field in fields.items():
            if option in step:
                expected[field] = step[option] if option != "options" else '{"quantized":true}'
        if "labels" in step:
            expected["Labels"] = (dict(expected["Labels"], **step["labels"]) if step.get("purge_labels") is False
                                  else step["labels"])
        (stored,) = api.versions().values()
        for field, value in expected.items():
            got = stored.get(field)
            if field == "Labels":
                got = dict((item["Key"], item["Value"]) for item in got)
            if field == "Options":
                got, value = json.loads(got), json.loads(value)
            assert got == value, (step, field)
        assert not api.version(uri=URI, **step)["changed"], step
    refused = api.model(model_id=api.model_id, name=None, state="absent")
    assert refused["failed"] and "0.1.0" in refused["msg"]
    assert api.model(model_id=api.model_id, name=None, state="absent", force=True)["changed"]
    assert api.models("resnet50") == [] and api.versions() == {}


def test_a_model_id_that_does_not_exist_is_found_out_before_any_write(api):
    api.admin.clear_requests()
    present = api.version(model_id="model-doesnotexist", version_name="1.0.0", uri=URI)
    assert present["failed"] and "no model model-doesnotexist exists" in present["msg"]
    assert api.writes() == []
    by_uri = api.version(model_id="model-doesnotexist", uri=URI)
    assert by_uri["failed"] and "no model model-doesnotexist exists" in by_uri["msg"]
    absent = api.version(model_id="model-doesnotexist", version_name="1.0.0", state="absent")
    assert not absent["changed"] and not absent.get("failed")
    assert api.writes() == []


def test_check_mode_predicts_a_version_of_a_model_an_earlier_task_would_create(api):
    api.admin.clear_requests()
    result = api.version(check_mode=True, model_name="not-yet", workspace_id=WORKSPACE, **registration())
    assert result["changed"] and not result.get("failed"), result
    assert result["model_version"]["uri"] == URI and diff_data(result, "before") == {}
    assert any("check mode predicts the model version" in warning for warning in result["warnings"])
    assert api.writes() == []
