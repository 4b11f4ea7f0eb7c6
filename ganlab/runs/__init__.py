"""Whole training runs: a preset in, a run folder out; and drawing from and scoring it.

Introduced in book/02_dcgan_mnist. One module a responsibility: ``folder`` (the run
folder and its records: recipe, run record, history, saved networks), ``plan`` (steps
per call, building the trainer), ``session`` (``train``: sessions, callbacks by role,
divergences) and ``scoring`` (``sample``, ``score``, ``summary``). The names the chapters
and the README use are all here, as ``runs.train`` or ``runs.sample``.
"""

from ganlab.recipe import Recipe
from ganlab.runs.folder import (
    CHECKPOINT_DIR,
    CONFIG_FILE,
    ENCODER_FILE,
    GENERATOR_FILE,
    HISTORY_FILE,
    METRICS_FILE,
    RESUMABLE_CHANGES,
    RUN_INFO_FILE,
    RunInfo,
    check_same_recipe,
    completed_epochs,
    load_autoencoder,
    load_encoder,
    load_generator,
    monitor_labels,
    prepare_config,
)
from ganlab.runs.plan import batches_per_pass, build_discriminator, build_encoder, build_gan, build_generator, steps_per_call
from ganlab.runs.scoring import read_samples, sample, save_samples, score, score_generator, summary
from ganlab.runs.session import MAX_RESTORES, RunDiverged, RunResult, TrainingOptions, train

__all__ = [
    "CHECKPOINT_DIR", "CONFIG_FILE", "ENCODER_FILE", "GENERATOR_FILE", "HISTORY_FILE", "MAX_RESTORES", "METRICS_FILE",
    "RESUMABLE_CHANGES", "RUN_INFO_FILE", "Recipe", "RunInfo", "RunDiverged", "RunResult", "TrainingOptions", "batches_per_pass",
    "build_discriminator", "build_encoder", "build_gan", "build_generator", "check_same_recipe", "completed_epochs",
    "load_autoencoder", "load_encoder", "load_generator", "monitor_labels", "prepare_config", "read_samples", "sample",
    "save_samples", "score", "score_generator", "summary", "steps_per_call", "train",
]
