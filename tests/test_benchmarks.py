"""Benchmarks are not run by the suite (they take minutes), but the throughput benchmark's
machinery must not rot: run it on a tiny case."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import throughput  # noqa: E402


def test_throughput_measures_both_trainers_on_the_same_steps():
    medians, per_call = throughput.measure("dcgan-mnist", batch_size=16, steps=6, repeats=2, steps_per_execution=4)
    assert set(medians) == {"reference", "ganlab"}
    assert all(rate > 0 for rate in medians.values())
    assert per_call == 3  # the largest divisor of 6 not above 4


def test_onednn_benchmark_times_a_child_process():
    import onednn

    assert onednn.measure("dcgan-mnist", steps=2, onednn=True) > 0


def test_data_pipeline_benchmark_compares_the_same_images():
    import data_pipeline

    result = data_pipeline.measure(count=12, repeats=1)
    assert set(result["rates"]) == {"PIL loop", "tf.data, first epoch", "tf.data, later epochs (cache)"}
    assert all(rate > 0 for rate in result["rates"].values())
    # the two loaders produce the same pictures up to their resize filters
    assert result["difference"] < 4.0
    assert "vs PIL loop" in data_pipeline.table(result)


def test_throughput_benchmark_can_compile_both_trainers_with_xla():
    medians, _ = throughput.measure("dcgan-mnist", batch_size=16, steps=4, repeats=1, steps_per_execution=2, jit_compile=True)
    assert all(rate > 0 for rate in medians.values())


def test_throughput_benchmark_trains_both_under_mixed_precision():
    medians, _ = throughput.measure("dcgan-mnist", batch_size=16, steps=4, repeats=1, steps_per_execution=2, precision="mixed_float16")
    assert all(rate > 0 for rate in medians.values())


def test_time_to_quality_reads_a_precision_after_the_preset():
    import pytest
    import time_to_quality

    assert time_to_quality.recipe_for("dcgan-mnist:mixed_bfloat16").precision == "mixed_bfloat16"
    assert time_to_quality.recipe_for("dcgan-mnist").precision == "float32"
    with pytest.raises(ValueError, match="precision must be one of"):
        time_to_quality.recipe_for("dcgan-mnist:float8")
