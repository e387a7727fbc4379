"""What template.yaml promises about data at rest, permissions, secrets and alarms, read from
the template itself."""

from __future__ import annotations

from typing import Any

import pytest

from socialcare_local.cfn_template import Template
from socialcare_local.credentials import DEV_CREDENTIALS, secret_values

pytestmark = pytest.mark.unit

DATA_KEY = {"Ref": "DataKey"}
DATA_KEY_ARN = {"Fn::GetAtt": ["DataKey", "Arn"]}


@pytest.fixture(scope="module")
def template() -> Template:
    return Template()


def test_every_table_queue_and_bucket_is_encrypted_with_the_customer_managed_key(
    template: Template,
) -> None:
    tables = template.of_type("AWS::DynamoDB::Table")
    queues = template.of_type("AWS::SQS::Queue")
    bucket = template.of_type("AWS::S3::Bucket")["KnowledgeBucket"]  # the console: public files

    assert tables and queues
    for props in tables.values():
        sse = props["SSESpecification"]
        assert (sse["SSEType"], sse["KMSMasterKeyId"]) == ("KMS", DATA_KEY)
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    for props in queues.values():
        assert props["KmsMasterKeyId"] == DATA_KEY
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"] == DATA_KEY_ARN
    assert template.resources["DataKey"]["Properties"]["EnableKeyRotation"] is True


def _statements(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in props["Policies"] for s in policy.get("Statement", [])]


def test_functions_may_use_the_key_only_to_decrypt_and_make_data_keys(template: Template) -> None:
    """GIVEN every function's policies THEN each names the data key alone, for kms:Decrypt (and
    kms:GenerateDataKey where it writes encrypted data), never kms:* or another key."""
    for logical, props in template.of_type("AWS::Serverless::Function").items():
        kms = [s for s in _statements(props) if "kms" in str(s["Action"])]
        assert len(kms) == 1, logical
        actions = kms[0]["Action"]
        assert set(actions) <= {"kms:Decrypt", "kms:GenerateDataKey"}, logical
        assert "kms:Decrypt" in actions
        assert kms[0]["Resource"] == DATA_KEY_ARN
    webhooks = [f for f in template.functions() if f.logical_id.startswith("Webhook")]
    for spec in webhooks:  # they write to the encrypted queue
        props = template.resources[spec.logical_id]["Properties"]
        (kms,) = [s for s in _statements(props) if "kms" in str(s["Action"])]
        assert "kms:GenerateDataKey" in kms["Action"]


def test_no_secret_value_is_in_any_functions_environment(template: Template) -> None:
    """GIVEN the local credentials (which stand in for the real secrets) THEN no function's
    environment holds one: functions get secret names, and the values from Secrets Manager."""
    values = {v for p in DEV_CREDENTIALS for v in secret_values(p).values() if len(v) > 6}
    for spec in template.functions():
        environment = str(spec.environment)
        assert not [v for v in values if v in environment], spec.logical_id
        assert all(not k.endswith(("_TOKEN", "_SECRET", "_KEY")) for k in spec.environment)


def test_a_message_in_the_dead_letter_queue_raises_an_alarm_to_the_on_call_topic(
    template: Template,
) -> None:
    alarms = template.of_type("AWS::CloudWatch::Alarm")
    alarm = alarms["DeadLetterAlarm"]
    assert all(a["AlarmActions"] == [{"Ref": "AlarmTopic"}] for a in alarms.values())

    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["InboundDeadLetterQueue", "QueueName"]}}
    ]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    topic = template.resources["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == DATA_KEY
    redrive = template.resources["InboundQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["InboundDeadLetterQueue", "Arn"]}
