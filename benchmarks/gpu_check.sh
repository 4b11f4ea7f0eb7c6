#!/usr/bin/env bash
# The GPU check: one command, at most 8 minutes on one GPU, that says what ganlab's training
# does on an accelerator. Run it from the repository root on a machine where TensorFlow
# sees a GPU (pip install -e '.[gpu,book,dev]', or Colab/Kaggle with ganlab installed):
#
#     bash benchmarks/gpu_check.sh OUT_DIR
#
# It writes into OUT_DIR:
#   throughput.json / .md       ganlab's fit against the plain tutorial loop at batch 256,
#                               float32 and mixed_float16, 1, 4, 16 and 64 steps per call
#   throughput_xla.json / .md   the same with XLA on, 4 and 16 steps per call
#   time_to_quality.json / .md  dcgan-mnist for 3 minutes, judged (embedded digits)
#   chapter2.log                chapter 2 in quick mode under nbval
#   gpu_check.json / .md        all of it in one table, with the GPU's name
# Each part has its own time limit, so one that hangs cannot take the others with it.
set -uo pipefail

out=${1:?usage: bash benchmarks/gpu_check.sh OUT_DIR}
python=${PYTHON:-python3}
mkdir -p "$out"
export GANLAB_OFFLINE=1 TF_CPP_MIN_LOG_LEVEL=2 PYTHONUNBUFFERED=1

if ! "$python" -c "import sys, tensorflow as tf; sys.exit(0 if tf.config.list_physical_devices('GPU') else 1)"; then
    echo "gpu_check: TensorFlow sees no GPU here; install ganlab[gpu] on a machine with one" >&2
    exit 2
fi

status=0
run() {  # run NAME SECONDS COMMAND...: keep going when one part fails, report it at the end
    local name=$1 seconds=$2
    shift 2
    echo "gpu_check: $name (at most ${seconds}s)"
    if ! timeout "$seconds" "$@" > "$out/$name.md" 2> "$out/$name.err"; then
        echo "gpu_check: $name failed or ran out of time; see $out/$name.err" >&2
        status=1
    fi
}

cases=(--cases dcgan-mnist:256 --steps 64 --repeats 5 --precisions float32 mixed_float16)
run throughput 80 "$python" benchmarks/throughput.py "${cases[@]}" --steps-per-execution 1 4 16 64 --json "$out/throughput.json"
run throughput_xla 60 "$python" benchmarks/throughput.py "${cases[@]}" --steps-per-execution 4 16 --jit-compile --json "$out/throughput_xla.json"
rm -rf "$out/ttq-runs"
run time_to_quality 230 "$python" benchmarks/time_to_quality.py --budgets 3 --presets dcgan-mnist \
    --out "$out/ttq-runs" --plot "$out/time_to_quality.png" --json "$out/time_to_quality.json"
echo "gpu_check: chapter 2 in quick mode under nbval (at most 110s)"
if ! GANLAB_QUICK=1 timeout 110 "$python" -m pytest -q -p no:cacheprovider --nbval-lax --nbval-current-env \
        --nbval-sanitize-with book/sanitize.cfg book/02_dcgan_mnist.ipynb > "$out/chapter2.log" 2>&1; then
    echo "gpu_check: chapter 2 failed under nbval; see $out/chapter2.log" >&2
    status=1
fi
"$python" benchmarks/gpu_report.py "$out" || status=1
exit $status
