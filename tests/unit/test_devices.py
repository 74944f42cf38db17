"""Which execution providers a --device asks ONNX Runtime for, on machines of every kind."""

import pytest

from flux_ask.config import DEVICE_NAMES
from flux_ask.embed.bundle import DEVICES, providers_for

CPU = ["CPUExecutionProvider"]
MAC = ["CoreMLExecutionProvider", "CPUExecutionProvider"]
NVIDIA = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]


@pytest.mark.parametrize("device, available, providers, fell_back", [
    ("auto", MAC, ["CoreMLExecutionProvider", "CPUExecutionProvider"], False),
    ("auto", NVIDIA, ["CUDAExecutionProvider", "CPUExecutionProvider"], False),
    ("auto", CPU, CPU, False),
    ("cpu", MAC, CPU, False),
    ("coreml", MAC, ["CoreMLExecutionProvider", "CPUExecutionProvider"], False),
    ("cuda", CPU, CPU, True),  # asked for, not there: the CPU, said in one line
    ("coreml", NVIDIA, CPU, True),
])
def test_the_device_chooses_the_providers(device, available, providers, fell_back):
    chosen, said = providers_for(device, available)
    assert chosen == providers and (said is not None) == fell_back
    assert not said or said.endswith("running on the CPU") and device in said


def test_every_device_the_flags_offer_is_known():
    assert set(DEVICE_NAMES) == {"auto", *DEVICES}
