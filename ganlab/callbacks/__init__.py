"""Keras callbacks for GAN runs: a monitor of fixed samples, a loss history that survives
restarts, a wall-clock budget, an always-current saved generator, and the guards of a
dependable run (a divergence guard, a checkpoint that refuses to train over damage).

Introduced in book/02_dcgan_mnist. Checkpointing is Keras' ``BackupAndRestore`` (in
``Checkpoint``); the callbacks here are written so that a resumed run, even one killed
mid-epoch, records every epoch exactly once.

One module a role, in the order a run's session assembles them (``runs.session``):
``guards`` (time limit, divergence, checkpoint, learning-rate scale), ``measures`` (judge
and pixel scores), ``records`` (history, grids, saved networks) and ``progress``. Every
name is also here, as ``callbacks.LossHistory``.
"""

from ganlab.callbacks.guards import (
    Checkpoint,
    DivergenceGuard,
    ScaleLearningRates,
    TimeLimit,
    TrainingDiverged,
    unreadable_checkpoint_message,
)
from ganlab.callbacks.measures import DecisionSurfaceSnapshots, ImageStatistics, QualityMonitor
from ganlab.callbacks.progress import EpochProgress, ProgressBar
from ganlab.callbacks.records import (
    HISTORY_COLUMNS,
    GANMonitor,
    LossHistory,
    SaveGenerator,
    grid_path,
    network_to_save,
    read_history,
    sampling_generator,
    save_model_atomically,
    steps_taken,
    write_atomically,
)

__all__ = [
    "HISTORY_COLUMNS", "Checkpoint", "DecisionSurfaceSnapshots", "DivergenceGuard", "EpochProgress", "GANMonitor", "ImageStatistics",
    "LossHistory", "ProgressBar", "QualityMonitor", "SaveGenerator", "ScaleLearningRates", "TimeLimit", "TrainingDiverged",
    "grid_path", "network_to_save", "read_history", "sampling_generator", "save_model_atomically", "steps_taken",
    "unreadable_checkpoint_message", "write_atomically",
]
