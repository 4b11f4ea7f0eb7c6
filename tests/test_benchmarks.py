"""Benchmarks are not run by the suite (they take minutes), but the throughput benchmark's
machinery must not rot: run it on a tiny case."""

import itertools
import sys
import time
import types
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import throughput  # noqa: E402


def fake_clock(monkeypatch, module, intervals):
    """Give ``module`` a ``time.perf_counter`` that moves on by the next of ``intervals``
    (cycled) seconds after each call, so that its rates are known exactly."""
    now, steps = [0.0], itertools.cycle(intervals)

    def perf_counter():
        value = now[0]
        now[0] += next(steps)
        return value

    monkeypatch.setattr(module, "time", types.SimpleNamespace(perf_counter=perf_counter))


# per epoch the throughput benchmark reads the clock 4 times: ganlab's epoch starts, ends,
# the reference repeat starts, ends; with this clock ganlab's epochs take 2 s, the reference's 4 s
THROUGHPUT_INTERVALS = [2.0, 0.0, 4.0, 0.0]


@pytest.mark.slow
def test_throughput_measures_both_trainers_on_the_same_steps(monkeypatch):
    fake_clock(monkeypatch, throughput, THROUGHPUT_INTERVALS)
    medians, per_call = throughput.measure("dcgan-mnist", batch_size=16, steps=6, repeats=2, steps_per_execution=4)
    # images per second: 6 steps of 16 images in 2 s and in 4 s
    assert medians == {"reference": 96 / 4, "ganlab": 96 / 2}
    assert per_call == 3  # the largest divisor of 6 not above 4


@pytest.mark.slow
def test_onednn_benchmark_times_a_child_process():
    import onednn

    started = time.perf_counter()
    rate = onednn.measure("dcgan-mnist", steps=2, onednn=True)
    elapsed = time.perf_counter() - started
    # steps per second of a part of the child's run: the 2 steps took less than the whole call
    assert 0 < 2 / rate < elapsed


def test_data_pipeline_benchmark_compares_the_same_images(monkeypatch):
    import data_pipeline

    # the three loaders, timed in this order, take 1 s, 2 s and 4 s by this clock
    fake_clock(monkeypatch, data_pipeline, [1.0, 0.0, 2.0, 0.0, 4.0, 0.0])
    result = data_pipeline.measure(count=12, repeats=1)
    assert result["rates"] == {"PIL loop": 12.0, "tf.data, first epoch": 6.0, "tf.data, later epochs (cache)": 3.0}
    # the two loaders produce the same pictures up to their resize filters
    assert result["difference"] < 4.0
    assert "vs PIL loop" in data_pipeline.table(result)


@pytest.mark.slow
def test_throughput_benchmark_can_compile_both_trainers_with_xla(monkeypatch):
    fake_clock(monkeypatch, throughput, THROUGHPUT_INTERVALS)
    medians, _ = throughput.measure("dcgan-mnist", batch_size=16, steps=4, repeats=1, steps_per_execution=2, jit_compile=True)
    assert medians == {"reference": 64 / 4, "ganlab": 64 / 2}  # both trained and timed a repeat of 4 x 16 images


@pytest.mark.slow
def test_throughput_benchmark_trains_both_under_mixed_precision(monkeypatch):
    fake_clock(monkeypatch, throughput, THROUGHPUT_INTERVALS)
    medians, _ = throughput.measure("dcgan-mnist", batch_size=16, steps=4, repeats=1, steps_per_execution=2, precision="mixed_float16")
    assert medians == {"reference": 64 / 4, "ganlab": 64 / 2}


def test_time_to_quality_reads_a_precision_after_the_preset():
    import pytest
    import time_to_quality

    assert time_to_quality.recipe_for("dcgan-mnist:mixed_bfloat16").precision == "mixed_bfloat16"
    assert time_to_quality.recipe_for("dcgan-mnist").precision == "float32"
    with pytest.raises(ValueError, match="precision must be one of"):
        time_to_quality.recipe_for("dcgan-mnist:float8")


def test_gpu_report_gathers_the_parts_into_one_table(tmp_path):
    import json

    import gpu_report

    (tmp_path / "throughput.json").write_text(json.dumps({"rows": [
        {"xla": False, "precision": "float32", "steps_per_call": 16, "plain_loop_images_per_second": 1000.0,
         "ganlab_images_per_second": 980.0, "ratio": 0.98}]}))
    (tmp_path / "time_to_quality.json").write_text(json.dumps({"runs": [
        {"run": "dcgan-mnist", "minutes": 3, "steps": 12345, "judge_fid": 41.25, "kid": 0.1, "judge_is": 8.5, "coverage": 10}]}))
    (tmp_path / "chapter2.log").write_text("....\n16 passed in 80.00s\n")
    everything, markdown = gpu_report.report(tmp_path, "NVIDIA H200")
    assert "| off | float32 | 16 | 1000 | 980 | 0.98 |" in markdown
    assert "dcgan-mnist after 3 minutes: 12,345 steps, judge-FID 41.2, judge-IS 8.50, 10/10 digits." in markdown
    assert markdown.rstrip().endswith("Chapter 2 in quick mode under nbval: 16 passed in 80.00s")
    assert everything["throughput_xla"] is None and everything["device"] == "NVIDIA H200"


@pytest.mark.slow
def test_gpu_check_says_plainly_when_there_is_no_gpu(tmp_path):
    import os
    import subprocess

    root = Path(__file__).resolve().parents[1]
    environment = dict(os.environ, PYTHON=sys.executable, CUDA_VISIBLE_DEVICES="")
    finished = subprocess.run(["bash", "benchmarks/gpu_check.sh", str(tmp_path / "out")], cwd=root, capture_output=True,
                              text=True, env=environment, timeout=120)
    assert finished.returncode == 2
    assert finished.stderr.strip().splitlines()[-1] == "gpu_check: TensorFlow sees no GPU here; install ganlab[gpu] on a machine with one"


@pytest.mark.slow
def test_celeba_memory_benchmark_scales_its_measurement_to_celeba(monkeypatch, capsys):
    import celeba_memory

    monkeypatch.setattr(sys, "argv", ["celeba_memory.py", "--images", "300", "--size", "16"])
    readings = iter([{"resident": 1.0, "peak": 1.0}, {"resident": 1.3, "peak": 1.4}, {"resident": 1.3, "peak": 1.6}])
    monkeypatch.setattr(celeba_memory, "memory_gb", lambda: next(readings))
    celeba_memory.main()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "300 images of 16x16x3: one uint8 array is 0.00 GB"
    # 0.3 GB above the start for 300 images is 1 MB an image: 202.6 GB for CelebA, 0.6 GB more at the peak
    assert lines[2] == "CelebA (202,599 images, array 0.16 GB): about 202.6 GB while training, 405.2 GB at the peak"



def test_memory_is_read_from_the_process_status():
    import celeba_memory

    reading = celeba_memory.memory_gb()
    assert 0.01 < reading["resident"] <= reading["peak"] < 24
