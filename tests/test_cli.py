import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ganlab import cli, config

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--max-images", "128", "--batch-size", "64"]


def run_cli(*args):
    """``python -m ganlab`` in a fresh process, as a user would run it."""
    environment = dict(os.environ, GANLAB_OFFLINE="1", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "ganlab", *map(str, args)], capture_output=True, text=True, env=environment, timeout=300
    )


def run_cli_here(capsys, *args):
    """``cli.main`` in this process, with what it printed: the same code as ``run_cli``
    without a TensorFlow start-up per call. For errors, whose checks are on the message."""
    capsys.readouterr()
    try:
        status = cli.main([str(arg) for arg in args])
    except SystemExit as stop:  # argparse's own usage errors
        status = stop.code
    printed = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, printed.out, printed.err)


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "run"
    assert cli.main(["train", "dcgan-mnist", "--epochs", "1", *TINY, "--out", str(out), "--quiet"]) == 0
    return out


@pytest.mark.slow
def test_train_writes_every_artifact(trained_run):
    for name in ["config.json", "run_info.json", "progress.gif", "losses.csv", "losses.png", "generator.keras"]:
        assert (trained_run / name).is_file(), name
    assert (trained_run / "grids" / "epoch_0001.png").is_file()
    assert (trained_run / "checkpoint").is_dir()


def test_sample_writes_the_documented_array_and_grid(trained_run, tmp_path):
    out = tmp_path / "samples.npz"
    assert cli.main(["sample", str(trained_run), "--n", "7", "--out", str(out), "--seed", "3", "--grid", str(tmp_path / "g.png")]) == 0
    with np.load(out) as saved:
        assert list(saved) == ["images"]
        images = saved["images"]
    assert images.shape == (7, 28, 28, 1) and images.dtype == np.float32
    # the run's generator in inference mode on the --seed's standard normal noise
    from ganlab import gans, runs

    generator = runs.load_generator(trained_run)
    expected = generator(gans.latent_vectors(7, generator.input_shape[-1], seed=3), training=False)
    np.testing.assert_allclose(images, np.asarray(expected), atol=1e-6)
    assert (tmp_path / "g.png").is_file()


@pytest.mark.slow
def test_same_command_again_resumes(trained_run, capsys):
    assert cli.main(["train", "dcgan-mnist", "--epochs", "2", *TINY, "--out", str(trained_run), "--quiet"]) == 0
    assert "2/2 epochs" in capsys.readouterr().out
    assert (trained_run / "grids" / "epoch_0002.png").is_file()


def test_presets_lists_the_recipes(capsys):
    assert cli.main(["presets"]) == 0
    listing = capsys.readouterr().out
    assert "dcgan-mnist " in listing and "dcgan-mnist-tutorial" in listing
    assert "dcgan-celeba" in listing and "64x64x3" in listing


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "stylegan", "--out", "{tmp}/x"], "unknown preset 'stylegan'"),
        (["train", "dcgan-mnist", "--epochs", "-3", "--out", "{tmp}/x"], "must be zero or more"),
        (["train", "dcgan-mnist", "--minutes", "0", "--out", "{tmp}/x"], "must be positive"),
        (["sample", "{tmp}/missing", "--n", "4", "--out", "{tmp}/s.npz"], "no run folder"),
        (["sample", "{run}", "--n", "4", "--out", "{tmp}/s.npz", "--label", "3"], "unconditional"),
        (["train", "dcgan-mnist-tutorial", "--out", "{run}"], "holds a 'dcgan-mnist' run"),
        (["train", "dcgan-mnist", "--batch-size", "32", "--out", "{run}"], "cannot change"),
        (["train", "dcgan-mnist", "--precision", "mixed_bfloat16", "--out", "{run}"], "precision='float32'"),
        (["train", "dcgan-mnist", "--precision", "float16", "--out", "{tmp}/x"], "invalid choice: 'float16'"),
        (["train", "dcgan-celeba", "--data-dir", "{tmp}/nothing", "--out", "{tmp}/x"], "no CelebA images under"),
        (["train", "dcgan-lfw", "--dataset", "folder", "--out", "{tmp}/x"], "dataset 'folder' needs data_dir"),
        (["train", "dcgan-lfw", "--dataset", "folder", "--data-dir", "{tmp}/nothing", "--out", "{tmp}/x"], "no image folder at"),
        (["train", "dcgan-mnist", "--set", "kl_weight=2", "--out", "{tmp}/x"], "a 'gan' recipe has no field kl_weight"),
        (["train", "dcgan-mnist", "--download", "--out", "{tmp}/x"], "for the CelebA presets (dcgan-celeba, vae-celeba, vaegan-celeba)"),
        (["train", "wgan-gp-mnist", "--set", "label_smoothing=0.1", "--out", "{tmp}/x"], "a 'wgan' recipe has no field label_smoothing"),
        (["train", "dcgan-mnist", "--set", "batch_size=lots", "--out", "{tmp}/x"], "--set batch_size: 'lots' is not a valid int"),
        (["train", "dcgan-mnist", "--set", "label_smoothing=2", "--out", "{tmp}/x"], "label_smoothing must be in [0, 1)"),
        (["train", "dcgan-mnist", "--batch-size", "32", "--set", "batch_size=16", "--out", "{tmp}/x"], "batch_size is given twice"),
        (["train", "dcgan-mnist", "--set", "label_smoothing=0", "--out", "{run}"], "cannot change it to 0"),
    ],
)
@pytest.mark.slow
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, trained_run, args, message, capsys):
    import keras

    args = [arg.format(tmp=tmp_path, run=trained_run) for arg in args]
    result = run_cli_here(capsys, *args)
    assert result.returncode == 2, result.stderr
    error_lines = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(error_lines) == 1 and message in error_lines[0], result.stderr
    assert keras.config.dtype_policy().name == "float32"  # a refused run changes no global setting


@pytest.mark.slow
def test_set_changes_any_recipe_field_and_the_run_records_and_draws_with_it(tmp_path, capsys):
    from ganlab import gans, runs

    out = tmp_path / "run"
    assignments = ["--set", "label_smoothing=0", "--set", "generator_widths=16,8,4", "--set", "noise_distribution=uniform"]
    assert cli.main(["train", "dcgan-mnist", "--epochs", "1", *TINY, *assignments, "--out", str(out), "--quiet"]) == 0
    saved = json.loads((out / "config.json").read_text())
    assert saved["generator_widths"] == [16, 8, 4] and saved["gan"]["label_smoothing"] == 0.0
    assert saved["gan"]["noise_distribution"] == "uniform"
    # sampled on the noise it trained on, and resumed by the same command
    np.testing.assert_array_equal(runs.sample(out, 4, seed=1), gans.generate_images(runs.load_generator(out), 4, seed=1, distribution="uniform"))
    assert cli.main(["train", "dcgan-mnist", "--epochs", "1", *TINY, *assignments, "--out", str(out), "--quiet"]) == 0


FAILING_INSIDE_A_LIBRARY = """
import sys
from ganlab import cli, runs

def sample(*args, **kwargs):
    raise ValueError("Input 0 of layer 'generator' is incompatible with the layer")  # as Keras words it

runs.sample = sample
sys.exit(cli.main(["sample", sys.argv[1], "--n", "2", "--out", sys.argv[2]]))
"""


@pytest.mark.slow
def test_an_error_inside_a_library_keeps_its_traceback_and_exits_1(tmp_path, trained_run):
    # before, every ValueError anywhere became "bad input", exit 2, its traceback dropped
    environment = dict(os.environ, GANLAB_OFFLINE="1", PYTHONPATH=str(ROOT))
    finished = subprocess.run([sys.executable, "-c", FAILING_INSIDE_A_LIBRARY, str(trained_run), str(tmp_path / "s.npz")],
                              capture_output=True, text=True, env=environment, timeout=300)
    assert finished.returncode == 1
    assert "Traceback (most recent call last)" in finished.stderr and "is incompatible with the layer" in finished.stderr
    assert "ganlab: error:" not in finished.stderr


def test_only_ganlabs_own_usage_errors_are_one_line(monkeypatch, capsys):
    from ganlab import errors

    assert issubclass(errors.UsageError, ValueError)  # callers that catch ValueError keep working
    monkeypatch.setattr(cli, "_presets", lambda args: (_ for _ in ()).throw(errors.UsageError("a usage error")))
    assert run_cli_here(capsys, "presets").returncode == 2
    monkeypatch.setattr(cli, "_presets", lambda args: (_ for _ in ()).throw(ValueError("from inside Keras")))
    with pytest.raises(ValueError, match="from inside Keras"):
        cli.main(["presets"])


def test_a_bad_recipe_is_refused_before_tensorflow_starts(tmp_path):
    script = (
        "import sys\nfrom ganlab import cli\n"
        f"status = cli.main(['train', 'dcgan-mnist', '--set', 'kl_weight=2', '--out', {str(tmp_path / 'x')!r}])\n"
        "print(status, 'tensorflow' in sys.modules)"
    )
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, timeout=120)
    assert finished.stdout.split() == ["2", "False"], finished.stderr
    assert "a 'gan' recipe has no field kl_weight" in finished.stderr


@pytest.mark.slow
def test_train_a_preset_on_any_folder_of_images(tmp_path):
    from ganlab import data, viz

    folder = tmp_path / "my-images"
    folder.mkdir()
    for index, face in enumerate(data.load_images(config.get_preset("dcgan-lfw")).images(16)):
        viz.save_image(viz.to_uint8(face)[..., 0], folder / f"face_{index:02d}.png")
    out = tmp_path / "run"
    arguments = ["train", "dcgan-lfw", "--dataset", "folder", "--data-dir", str(folder), "--epochs", "1", "--out", str(out), "--quiet"]
    assert cli.main(arguments) == 0
    saved = json.loads((out / "config.json").read_text())
    assert saved["dataset"] == "folder" and saved["data_dir"] == str(folder)
    info = json.loads((out / "run_info.json").read_text())
    assert info["data_source"] == "folder" and info["num_images"] == 16 and info["status"] == "finished"


@pytest.mark.slow
def test_python_dash_m_ganlab_reports_bad_input_in_one_line_without_a_traceback(tmp_path, trained_run):
    # the cases above run in this process; one as a user would run it, from the shell
    result = run_cli("train", "dcgan-mnist", "--batch-size", "32", "--out", trained_run)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    # one line in all: TensorFlow's C++ start-up lines (which say "round-off errors") are kept off stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ganlab: error:") and "cannot change" in lines[0], result.stderr


@pytest.mark.slow
def test_score_a_run_writes_metrics_and_names_the_extractor(trained_run, capsys):
    import json

    assert cli.main(["score", str(trained_run)]) == 0
    printed = capsys.readouterr().out
    assert "judge-FID" in printed and "not Inception-v3" in printed
    saved = json.loads((trained_run / "metrics.json").read_text())
    assert saved["extractor"] == "ganlab MNIST judge" and saved["sample_size"] == 1000
    assert set(saved["scores"]) == {"generated", "real"}
    assert saved["scores"]["real"]["coverage"] == 10


@pytest.mark.slow
def test_score_an_npz_of_samples(tmp_path):
    import json

    from ganlab import judge, runs

    _, real_digits, _ = judge.reference_digits()
    runs.save_samples(real_digits, tmp_path / "real.npz")
    assert cli.main(["score", str(tmp_path / "real.npz")]) == 0
    saved = json.loads((tmp_path / "real.metrics.json").read_text())
    assert saved["scores"]["generated"]["coverage"] == 10


def test_score_rejects_images_the_judge_cannot_read(tmp_path, capsys):
    from ganlab import runs

    runs.save_samples(np.zeros((1000, 32, 32, 3), "float32"), tmp_path / "faces.npz")
    assert cli.main(["score", str(tmp_path / "faces.npz")]) == 2
    assert "MNIST-shaped" in capsys.readouterr().err
    assert cli.main(["score", str(tmp_path / "missing.npz")]) == 2


@pytest.mark.slow
def test_conditional_run_samples_the_requested_label(tmp_path, capsys):
    out = tmp_path / "acgan"
    assert cli.main(["train", "acgan-mnist", "--epochs", "1", *TINY, "--out", str(out), "--quiet"]) == 0
    assert cli.main(["sample", str(out), "--n", "6", "--label", "3", "--out", str(tmp_path / "threes.npz")]) == 0
    with np.load(tmp_path / "threes.npz") as saved:
        assert saved["images"].shape == (6, 28, 28, 1)
    result = run_cli_here(capsys, "sample", out, "--n", "2", "--label", "12", "--out", tmp_path / "x.npz")
    assert result.returncode == 2 and "labels must be in 0..9, got [12]" in result.stderr


@pytest.mark.slow
def test_face_run_from_the_command_line_scores_with_pixel_statistics(tmp_path, capsys):
    out = tmp_path / "faces"
    tiny = ["--epochs", "1", "--batch-size", "50", "--quiet"]
    assert cli.main(["train", "dcgan-lfw", *tiny, "--out", str(out)]) == 0
    assert cli.main(["sample", str(out), "--n", "4", "--out", str(tmp_path / "faces.npz")]) == 0
    with np.load(tmp_path / "faces.npz") as saved:
        assert saved["images"].shape == (4, 32, 32, 1) and saved["images"].dtype == np.float32
    capsys.readouterr()
    assert cli.main(["score", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "checkerboard" in printed and "No judge" in printed and (out / "metrics.json").exists()


@pytest.mark.slow
def test_vaegan_trains_resumes_samples_and_scores_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "vaegan"
    tiny = ["--epochs", "1", *TINY, "--out", str(out), "--quiet"]
    assert cli.main(["train", "vaegan-mnist", *tiny]) == 0
    assert (out / "encoder.keras").is_file() and (out / "generator.keras").is_file()
    assert cli.main(["train", "vaegan-mnist", *tiny[2:], "--epochs", "2"]) == 0
    assert "2/2 epochs" in capsys.readouterr().out
    assert cli.main(["sample", str(out), "--n", "4", "--out", str(tmp_path / "s.npz")]) == 0
    with np.load(tmp_path / "s.npz") as saved:
        assert saved["images"].shape == (4, 28, 28, 1)
    assert cli.main(["score", str(out)]) == 0 and "judge" in capsys.readouterr().out
    assert cli.main(["presets"]) == 0
    assert any(line.startswith("vae-mnist ") and " vae " in line for line in capsys.readouterr().out.splitlines())


def _epochs_in_history(run_dir: Path) -> int:
    path = run_dir / "losses.csv"
    return max(0, len(path.read_text().splitlines()) - 1) if path.exists() else 0


@pytest.mark.slow
def test_a_run_killed_mid_epoch_resumes_and_matches_an_uninterrupted_one(tmp_path):
    """SIGKILL, not a clean stop: no handler runs, whatever was being written is cut off.
    The same command again must continue from the last completed epoch with networks,
    optimizers and random states restored, and keep each epoch once in the history,
    the grids and the GIF."""
    import signal
    import time

    import imageio.v3 as iio

    from ganlab import callbacks

    command = ["train", "dcgan-mnist", "--epochs", "5", "--max-images", "1024", "--batch-size", "64", "--seed", "3", "--quiet"]
    straight, killed = tmp_path / "straight", tmp_path / "killed"
    # the uninterrupted run and the resume run in this process; only the killed ones need their own
    assert cli.main([*command, "--out", str(straight)]) == 0

    environment = dict(os.environ, GANLAB_OFFLINE="1", PYTHONPATH=str(ROOT))
    # twice: right as epoch 1 is recorded (while its grid and checkpoint are being
    # written), then 0.3 s into the epoch after epoch 3 (an epoch is 16 steps, ~0.5 s)
    for recorded, delay in ((1, 0.0), (3, 0.3)):
        process = subprocess.Popen([sys.executable, "-m", "ganlab", *command, "--out", str(killed)], env=environment,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 240
            while _epochs_in_history(killed) < recorded and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(delay)
            assert process.poll() is None, "the run ended before it could be killed"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == -signal.SIGKILL
        assert recorded <= _epochs_in_history(killed) < 5

    assert cli.main([*command, "--out", str(killed)]) == 0
    first, second = callbacks.read_history(straight / "losses.csv"), callbacks.read_history(killed / "losses.csv")
    assert second["epoch"] == first["epoch"] == [0, 1, 2, 3, 4]  # each epoch once
    for name in ("d_loss", "g_loss", "real_accuracy", "fake_accuracy"):
        np.testing.assert_allclose(second[name], first[name], rtol=1e-4, atol=1e-5)
    assert sorted(path.name for path in (killed / "grids").glob("*.png")) == [f"epoch_{epoch:04d}.png" for epoch in range(1, 6)]
    assert len(iio.imread(killed / "progress.gif", index=None)) == 5
    for name in ("epoch_0002.png", "epoch_0005.png"):
        np.testing.assert_array_equal(iio.imread(killed / "grids" / name), iio.imread(straight / "grids" / name))


@pytest.mark.slow
def test_damaged_files_and_unusable_folders_are_one_line_errors(tmp_path, trained_run, capsys):
    import shutil

    (tmp_path / "a_file").write_text("not a folder")
    result = run_cli_here(capsys, "train", "dcgan-mnist", *TINY, "--out", tmp_path / "a_file" / "run")
    assert result.returncode == 2 and "cannot create the run folder" in result.stderr and "Traceback" not in result.stderr

    damaged = tmp_path / "damaged"
    shutil.copytree(trained_run, damaged)
    generator = damaged / "generator.keras"
    generator.write_bytes(generator.read_bytes()[:500])  # a copy cut short
    result = run_cli_here(capsys, "sample", damaged, "--n", "4", "--out", tmp_path / "s.npz")
    assert result.returncode == 2 and "cannot be read as a Keras model" in result.stderr and "Traceback" not in result.stderr

    for name in ("latest.weights.h5", "latest.weights.h5.bkp"):
        path = damaged / "checkpoint" / name
        if path.exists():
            path.write_bytes(path.read_bytes()[:1000])
    recorded = callbacks_history_rows(damaged)
    result = run_cli_here(capsys, "train", "dcgan-mnist", "--epochs", str(recorded + 1), *TINY, "--out", damaged, "--quiet")
    assert result.returncode == 2 and "both of its copies are damaged" in result.stderr and "Traceback" not in result.stderr
    # the underlying error is named, not dropped
    assert "(OSError: " in result.stderr or "(ValueError: " in result.stderr
    assert callbacks_history_rows(damaged) == recorded  # nothing was trained over the damage

    # the same damage in a checkpoint that another Keras version wrote: the message says so
    info_path = damaged / "run_info.json"
    info = json.loads(info_path.read_text())
    info["versions"]["keras"] = "3.0.0"
    info_path.write_text(json.dumps(info))
    result = run_cli_here(capsys, "train", "dcgan-mnist", "--epochs", str(recorded + 1), *TINY, "--out", damaged, "--quiet")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "written by other library versions (keras 3.0.0 -> " in result.stderr and "copies are damaged" not in result.stderr


def test_without_tensorflow_train_is_one_line_naming_the_extras(tmp_path):
    # `pip install ganlab` without an extra: keras is there, TensorFlow is not
    program = (
        "import sys; sys.modules['tensorflow'] = None; from ganlab.cli import main; "
        f"raise SystemExit(main(['train', 'dcgan-mnist', '--out', {str(tmp_path / 'run')!r}]))"
    )
    environment = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=environment, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"ganlab: error: {cli.MISSING_TENSORFLOW}"]
    assert "pip install 'ganlab[cpu]' or 'ganlab[gpu]'" in cli.MISSING_TENSORFLOW


def test_a_failing_tensorflow_import_keeps_what_it_printed(tmp_path):
    # the command line keeps TensorFlow's start-up lines off stderr, but not when the import
    # fails: then they may be the only clue (a missing CUDA library, a broken wheel)
    fake = tmp_path / "fake" / "tensorflow"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('import os\nos.write(2, b"libfake.so: cannot open shared object\\n")\nraise ImportError("broken")\n')
    program = f"from ganlab.cli import main; raise SystemExit(main(['train', 'dcgan-mnist', '--out', {str(tmp_path / 'run')!r}]))"
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([str(fake.parent), str(ROOT)]))
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=environment, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == ["libfake.so: cannot open shared object", f"ganlab: error: {cli.MISSING_TENSORFLOW}"]


def callbacks_history_rows(run_dir):
    from ganlab import callbacks

    return len(callbacks.read_history(run_dir / "losses.csv").get("epoch", []))


def test_a_diverged_run_exits_with_status_3_and_one_line(monkeypatch, capsys, tmp_path):
    from ganlab import runs

    def diverge(*args, **kwargs):
        raise runs.RunDiverged("training diverged: g_loss became nan in epoch 3. The last good checkpoint (epoch 2) is kept")

    monkeypatch.setattr(runs, "train", diverge)
    assert cli.main(["train", "dcgan-mnist", "--out", str(tmp_path / "run"), "--on-divergence", "restore"]) == cli.EXIT_DIVERGED == 3
    assert capsys.readouterr().err.strip().endswith("The last good checkpoint (epoch 2) is kept")


@pytest.mark.slow
def test_train_with_a_mirrored_strategy(tmp_path, capsys):
    # one CPU here: the same code path Kaggle's two T4s take, on one replica
    result = run_cli_here(capsys, "train", "dcgan-mnist", "--epochs", "1", *TINY, "--strategy", "mirrored", "--out", tmp_path / "run", "--quiet")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ganlab: mirrored over 1 device(s): device:CPU:0" in result.stdout
    assert (tmp_path / "run" / "generator.keras").is_file()


def test_a_celeba_preset_without_celeba_ends_with_one_line_naming_the_ways_to_get_it(tmp_path, monkeypatch, capsys):
    from ganlab import data

    monkeypatch.setenv("GANLAB_OFFLINE", "0")
    monkeypatch.delenv("GANLAB_CELEBA_DIR", raising=False)
    monkeypatch.setattr(data.faces, "KAGGLE_INPUT", str(tmp_path / "no-kaggle"))
    out = tmp_path / "celeba-run"
    assert cli.main(["train", "dcgan-celeba", "--epochs", "1", "--out", str(out), "--quiet"]) == cli.EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("ganlab: error: no copy of CelebA was found")
    for way in ("--download", "Add data", "--data-dir", "--data-source embedded"):
        assert way in error
    assert not (out / "checkpoint").exists()
    # --download fetches Kaggle's copy first and trains on what it fetched
    fetched = []
    monkeypatch.setattr(data, "download_celeba", lambda: fetched.append(True) or str(tmp_path / "kagglehub-cache"))
    assert cli.main(["train", "dcgan-celeba", "--download", "--epochs", "1", "--out", str(out), "--quiet"]) == cli.EXIT_BAD_INPUT
    assert fetched == [True] and "no CelebA images under" in capsys.readouterr().err


@pytest.mark.slow
def test_a_celeba_preset_trains_on_the_offline_faces_only_when_asked(tmp_path, monkeypatch, capsys):
    from ganlab import data

    monkeypatch.setenv("GANLAB_OFFLINE", "0")
    monkeypatch.setattr(data.faces, "KAGGLE_INPUT", str(tmp_path / "no-kaggle"))
    out = tmp_path / "faces"
    args = ["train", "dcgan-celeba", "--data-source", "embedded", "--epochs", "1", "--batch-size", "50", "--out", str(out), "--quiet"]
    assert cli.main(args) == 0
    assert json.loads((out / "run_info.json").read_text())["data_source"] == "lfw-subset"


def test_the_command_line_lets_tensorflow_grow_gpu_memory_before_training(monkeypatch, tmp_path):
    from ganlab import devices

    order = []
    monkeypatch.setattr(devices, "allow_memory_growth", lambda: order.append("memory growth") or ())
    monkeypatch.setattr(cli, "_sample", lambda args: order.append("sample") or 0)
    assert cli.main(["sample", str(tmp_path), "--n", "1", "--out", str(tmp_path / "s.npz")]) == 0
    assert order == ["memory growth", "sample"]
