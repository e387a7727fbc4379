"""The SageMaker nested stack (inference/sagemaker-llm.yaml) as CloudFormation would read it with
the parameters given: which container runs, with which settings, how it scales, and what the
worker is told about it."""

from __future__ import annotations

from typing import Any

from socialcare_local.cfn_template import ROOT, Template

NESTED = ROOT / "inference" / "sagemaker-llm.yaml"
NO_VALUE = {"Ref": "AWS::NoValue"}


def _value(template: Template, value: Any) -> Any:
    """Fn::If, AWS::NoValue (None) and Fn::Join over Fn::Split, then the template's resolver."""
    while isinstance(value, dict) and "Fn::If" in value:
        condition, if_true, if_false = value["Fn::If"]
        value = if_true if template.condition(condition) else if_false
    if value == NO_VALUE:
        return None
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, split = value["Fn::Join"]
        delimiter, source = split["Fn::Split"]
        return separator.join(str(template.resolve(source)).split(delimiter))
    return template.resolve(value)


def _container(**parameters: str) -> tuple[str, dict[str, Any]]:
    template = Template(NESTED)
    template.parameters.update({"ModelId": "Qwen/Qwen2.5-7B-Instruct", **parameters})
    container = template.resources["Model"]["Properties"]["PrimaryContainer"]
    environment = {k: _value(template, v) for k, v in container["Environment"].items()}
    image = _value(template, container["Image"])
    return image, {k: str(v) for k, v in environment.items() if v is not None}


def test_the_default_engine_is_awss_vllm_container_with_the_context_the_budget_fits() -> None:
    """GIVEN only a model id THEN the endpoint runs AWS's vLLM container for SageMaker with that
    model and a 4,096-token context, no TGI setting, and tells the worker it is vLLM."""
    image, environment = _container()

    assert image == "763104351884.dkr.ecr.us-east-1.amazonaws.com/vllm:server-sagemaker-cuda-v1"
    assert environment == {
        "SM_VLLM_MODEL": "Qwen/Qwen2.5-7B-Instruct",
        "SM_VLLM_MAX_MODEL_LEN": "4096",
        "SM_VLLM_TENSOR_PARALLEL_SIZE": "1",
    }
    assert Template(NESTED).data["Outputs"]["Engine"]["Value"] == {"Ref": "Engine"}


def test_the_worker_prompt_and_reply_fit_the_endpoints_context() -> None:
    root, nested = Template(), Template(NESTED)
    used = int(root.parameters["LlmMaxInputTokens"]) + int(root.parameters["LlmMaxTokens"])
    assert used <= int(nested.parameters["MaxTotalTokens"])


def test_lora_adapters_are_loaded_by_name_for_requests_to_pick() -> None:
    """GIVEN two adapters as name=hub-id pairs THEN vLLM enables LoRA with both, by name (the
    worker's LLM_MODEL names one), with room for the recipes' rank."""
    _, environment = _container(LoraAdapters="support=lumen/support-lora,tone=lumen/tone-lora")

    assert environment["SM_VLLM_ENABLE_LORA"] == "true"
    assert environment["SM_VLLM_LORA_MODULES"] == "support=lumen/support-lora tone=lumen/tone-lora"
    assert int(environment["SM_VLLM_MAX_LORA_RANK"]) >= 16


def test_tgi_stays_a_parameter_value_with_its_own_settings() -> None:
    image, environment = _container(Engine="tgi", LoraAdapters="lumen/support-lora")

    assert "/huggingface-pytorch-tgi-inference:" in image
    assert environment["HF_MODEL_ID"] == "Qwen/Qwen2.5-7B-Instruct"
    assert environment["MESSAGES_API_ENABLED"] == "true"
    assert environment["LORA_ADAPTERS"] == "lumen/support-lora"
    assert not [name for name in environment if name.startswith("SM_VLLM_")]


def test_the_endpoint_scales_on_invocations_per_instance() -> None:
    template = Template(NESTED)
    target = template.resources["ScalableTarget"]["Properties"]
    policy = template.resources["InvocationsScaling"]["Properties"]
    tracking = policy["TargetTrackingScalingPolicyConfiguration"]

    assert target["ScalableDimension"] == "sagemaker:variant:DesiredInstanceCount"
    assert target["ResourceId"] == {
        "Fn::Sub": "endpoint/${Endpoint.EndpointName}/variant/AllTraffic"
    }
    assert (target["MinCapacity"], target["MaxCapacity"]) == (
        {"Ref": "MinInstances"},
        {"Ref": "MaxInstances"},
    )
    assert tracking["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
    }


def test_the_worker_is_told_the_engine_it_asks_for_the_reply_schema() -> None:
    """GIVEN the application's template THEN the worker's LLM_ENGINE is the nested stack's
    engine when it deploys one, else LlmEngine; and the nested stack gets InferenceEngine."""
    root = Template()
    (worker,) = [f for f in root.functions() if f.logical_id == "WorkerFunction"]
    inference = root.resources["Inference"]["Properties"]

    assert worker.environment["LLM_ENGINE"] == {
        "Fn::If": [
            "DeployInference",
            {"Fn::GetAtt": ["Inference", "Outputs.Engine"]},
            {"Ref": "LlmEngine"},
        ]
    }
    assert inference["Location"] == "inference/sagemaker-llm.yaml"
    assert inference["Parameters"]["Engine"] == {"Ref": "InferenceEngine"}
    assert root.parameters["InferenceEngine"] == "vllm"
