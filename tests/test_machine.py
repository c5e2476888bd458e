"""The one machine description (course_kit.machine): CPU model and flags from /proc/cpuinfo."""

from __future__ import annotations

import platform

from course_kit import machine

CPUINFO = ("processor\t: 0\nmodel name\t: AMD EPYC 9B14\n"
           "flags\t\t: fpu sse2 avx fma avx2 avx512f avx512bw avx512_bf16 amx_bf16 sha_ni\n\n"
           "processor\t: 1\nmodel name\t: AMD EPYC 9B14\n"
           "flags\t\t: fpu sse2 avx fma avx2 avx512f avx512bw avx512_bf16 amx_bf16 sha_ni\n")


def test_cpu_model_and_flags_come_from_cpuinfo() -> None:
    assert machine.cpu_model(CPUINFO) == "AMD EPYC 9B14"
    assert machine.cpu_flags(CPUINFO) == ["fma", "avx2", "avx512f", "avx512bw", "avx512_bf16", "amx_bf16"]


def test_without_cpuinfo_there_are_no_flags_and_platform_names_the_cpu() -> None:
    assert machine.cpu_flags("") == []
    assert machine.cpu_model("") == (platform.processor() or platform.machine())


def test_the_description_names_cpu_cores_accelerator_backend_platform_python() -> None:
    described = machine.describe_machine()
    assert list(described) == ["cpu", "cores", "accelerator", "keras_backend", "platform", "python"]
    assert described["cpu"] == machine.cpu_model() and described["python"] == platform.python_version()
    assert isinstance(described["accelerator"], str) and described["cores"] >= 1
