"""Training a run: ``train`` resumes or starts a run folder and drives ``fit``.

Introduced in book/02_dcgan_mnist. One call of ``train`` is one or more *sessions* (a
diverged session may be restarted from its last good checkpoint); each session builds
the trainer, assembles ganlab's callbacks by role, and writes the run record.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from pathlib import Path

from ganlab.errors import UsageError
from ganlab.recipe import Recipe
from ganlab.runs import folder, plan

# how often a diverged run is restarted with halved learning rates before giving up
MAX_RESTORES = 3


class RunDiverged(RuntimeError):
    """A run stopped because a loss became NaN or infinite; the message says where and
    what was kept."""


@dataclasses.dataclass
class RunResult:
    """What one call of ``train`` did."""

    out_dir: Path
    config: Recipe
    first_epoch: int
    epochs_done: int
    stopped_by_time_limit: bool
    seconds: float
    history: dict


@dataclasses.dataclass
class TrainingOptions:
    """How ``train`` runs, beyond the recipe (see ``train`` for each option)."""

    minutes: float | None = None
    data_source: str = "auto"
    verbose: object = "auto"
    extra_callbacks: list | None = None
    quality_every: int | None = None
    quality_sample_size: int = 1000
    progress_every: int | None = None
    on_divergence: str = "stop"
    strategy: object = None
    images: object = None

    def check(self, config: Recipe) -> None:
        """Raise ``UsageError`` for options that cannot work with ``config``."""
        if self.quality_every and not config.judged:
            raise UsageError(f"quality_every needs the MNIST judge; this run is on {config.dataset!r}")
        if self.minutes is not None and self.minutes <= 0:
            raise UsageError(f"minutes must be positive, got {self.minutes}")
        if self.on_divergence not in ("stop", "restore"):
            raise UsageError(f"on_divergence must be 'stop' or 'restore', got {self.on_divergence!r}")


def train(config: Recipe, out_dir: str | Path, minutes: float | None = None, data_source: str = "auto", verbose="auto", **options) -> RunResult:
    """Train (or resume) the run in ``out_dir`` for ``config.epochs`` epochs or ``minutes``.

    Everything listed in ``runs.folder`` is written into ``out_dir``. Running it again
    with the same folder resumes from the last completed epoch. Further options
    (``TrainingOptions``): ``extra_callbacks`` run after ganlab's own records and before
    the checkpoint is written. ``quality_every`` (MNIST only) scores
    ``quality_sample_size`` generated digits with the judge every that many epochs and
    records the scores in the history. ``progress_every`` replaces Keras' progress bar by
    one line every that many epochs (0: about ten lines).

    A NaN or infinite loss stops the run at once, before the broken epoch is recorded or
    checkpointed, and raises ``RunDiverged`` naming the epoch and the last good
    checkpoint. ``on_divergence="restore"`` instead restarts from that checkpoint (or from
    the start, when no epoch was completed) with half the learning rates, at most
    ``MAX_RESTORES`` times, within what is left of ``minutes``; the divergences and the
    lowered rate are kept in the run record and apply when the run is resumed later.

    ``strategy`` (a ``tf.distribute`` strategy: ``MirroredStrategy`` for the GPUs of one
    machine, ``TPUStrategy``, ``MultiWorkerMirroredStrategy``) builds the trainer in its
    scope; ``fit`` then splits every batch between the replicas. The batch size stays
    the global one, so the recipe, and the run's numbers, do not depend on the device count.

    ``images``: the training images, already loaded by ``data.load_training_data`` (or
    ``data.load_images``) for this recipe, so that a notebook which has looked at them
    does not decode a folder of 200,000 JPEGs a second time. Without it the run loads
    them once, also across restarts.
    """
    options = TrainingOptions(minutes=minutes, data_source=data_source, verbose=verbose, **options)
    config.validate()
    options.check(config)
    from ganlab import data

    data.check_image_source(config)
    if config.precision == "mixed_float16" and not _has_gpu():
        warnings.warn(
            "mixed_float16 without a GPU: a CPU computes float16 in software, about 100x slower than "
            "float32 (benchmarks/throughput.py --precisions); use float32, or mixed_bfloat16 on a recent CPU",
            RuntimeWarning,
            stacklevel=2,
        )
    out_dir = folder.prepare_folder(config, Path(out_dir))
    while True:
        session = _Session(config, out_dir, options)
        try:
            return session.fit()
        except _Restart as restart:
            # the restart spends what is left of the time budget, not a new one
            options = dataclasses.replace(options, minutes=restart.minutes_left)


class _Restart(Exception):
    """A diverged session that ``train`` restarts from its last good checkpoint."""

    def __init__(self, minutes_left: float | None):
        super().__init__()
        self.minutes_left = minutes_left


# The order in which ganlab's callbacks run at the end of every epoch, by role:
# - guard: stop a broken or overdue epoch before anything records it (a NaN loss, the
#   time budget);
# - measure: add scores to the epoch's logs, so that the records below include them;
# - record: the history, the progress display, the grid of fixed samples, the saved
#   networks, and the caller's extra callbacks;
# - persist: the checkpoint, written only once the epoch's records are, so that a kill in
#   between repeats the epoch instead of losing its record; then the learning-rate
#   scale, applied after the checkpoint's restore has brought back the saved rates.
CALLBACK_ROLES = ("guard", "measure", "record", "persist")


class _Session:
    """One call of ``fit`` on a run folder: its data, trainer, callbacks and record."""

    def __init__(self, config: Recipe, out_dir: Path, options: TrainingOptions):
        import keras

        from ganlab import data

        self.config, self.out_dir, self.options = config, out_dir, options
        keras.utils.set_random_seed(config.seed)
        self.first_epoch = folder.completed_epochs(out_dir)
        # loaded once per train() call: a restarted session finds them in its options
        if options.images is None:
            options.images = data.load_training_data(config, source=options.data_source, verbose=options.verbose != 0)
        self.images = options.images
        if tuple(self.images.image_shape) != tuple(config.image_shape):
            raise UsageError(f"{config.dataset} images have shape {tuple(self.images.image_shape)}, config says {config.image_shape}")
        if self.first_epoch:
            folder.check_same_data(out_dir, self.images.source, len(self.images))
        # a WGAN step eats n_critic batches: the pipeline hands them over together
        self.batches_per_pass = plan.batches_per_pass(len(self.images), config)
        self.steps_per_epoch = self.batches_per_pass * config.passes_per_epoch
        self.gan = self._build_trainer()
        # The run record is read whatever the epoch: a run that diverged in its first
        # epoch has no checkpoint, but its divergences and lowered rates must count.
        self.earlier = folder.RunInfo.read(out_dir)
        self.learning_rate_scale = float(self.earlier.learning_rate_scale)
        self.callbacks = [callback for role in CALLBACK_ROLES for callback in self.callbacks_by_role()[role]]
        self.info = self._start_info()

    def _build_trainer(self):
        if self.options.strategy is None:
            return plan.build_gan(self.config, self.steps_per_epoch)
        # one step per call: Keras' multi-step loop fails inside a MirroredStrategy
        # ("You must feed a value for placeholder tensor"), and an accelerator per
        # replica has little per-call overhead to save anyway
        with self.options.strategy.scope():
            return plan.build_gan(self.config)

    def callbacks_by_role(self) -> dict[str, list]:
        """ganlab's callbacks for this session, by role (``CALLBACK_ROLES`` says why the
        roles run in that order); made once, the same objects on every call."""
        if getattr(self, "_roles", None) is None:
            self._roles = self._make_callbacks()
        return self._roles

    def _make_callbacks(self) -> dict[str, list]:
        from ganlab import callbacks, gans

        config, options, out_dir = self.config, self.options, self.out_dir
        distribution = getattr(config.section, "noise_distribution", "normal")
        fixed_noise = gans.latent_vectors(config.monitor_images, config.latent_dim, seed=config.seed + 1, distribution=distribution)
        fixed_labels = folder.monitor_labels(config.monitor_images, config.num_classes) if config.conditional else None
        # the GIF is written by _finish, also when a run is interrupted
        self.monitor = callbacks.GANMonitor(fixed_noise, out_dir / "grids", columns=10 if config.conditional else None, labels=fixed_labels)
        self.time_limit = callbacks.TimeLimit(options.minutes) if options.minutes else None
        measure = [callbacks.QualityMonitor(options.quality_every, options.quality_sample_size, seed=config.seed)] if options.quality_every else []
        if not config.judged:  # no judge for faces: track checkerboards and collapse instead
            measure.append(callbacks.ImageStatistics(seed=config.seed))
        if options.progress_every is not None:
            progress = [callbacks.EpochProgress(options.progress_every or None)]
        else:
            progress = [callbacks.ProgressBar(options.verbose)] if options.verbose else []
        saved = [callbacks.SaveGenerator(out_dir / file_name, network=network) for file_name, network in self.gan.saved_networks]
        written_by, running = (self.earlier.versions or None) if self.first_epoch else None, _library_versions()
        return {
            "guard": [callbacks.DivergenceGuard(), *([self.time_limit] if self.time_limit else [])],
            "measure": measure,
            "record": [callbacks.LossHistory(out_dir / folder.HISTORY_FILE), *progress, self.monitor, *saved, *(options.extra_callbacks or [])],
            "persist": [
                callbacks.Checkpoint(out_dir / folder.CHECKPOINT_DIR, written_by=written_by, running=running),
                callbacks.ScaleLearningRates(self.gan.optimizers_with_rates(config), self.learning_rate_scale),
            ],
        }

    def _start_info(self) -> folder.RunInfo:
        info = folder.RunInfo(
            data_source=self.images.source, num_images=int(len(self.images)), steps_per_epoch=self.steps_per_epoch,
            versions=_library_versions(), status="training", epochs_done=self.first_epoch, started_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
            learning_rate_scale=self.learning_rate_scale, divergences=list(self.earlier.divergences),
        )
        info.write(self.out_dir)
        return info

    def fit(self) -> RunResult:
        """Train until the epochs or the minutes run out; see ``train``."""
        from ganlab import callbacks

        config, options = self.config, self.options
        if options.verbose:
            print(_plan_line(config, self.first_epoch, self.steps_per_epoch, len(self.images), options.minutes, self.out_dir))
        batches = self.images.dataset(
            config.images_per_step, seed=config.seed, repeat=True, skip_epochs=self.first_epoch * config.passes_per_epoch,
            batches_per_pass=self.batches_per_pass,
        )
        started = time.perf_counter()
        try:
            self.gan.fit(
                batches, epochs=config.epochs, steps_per_epoch=self.steps_per_epoch, callbacks=self.callbacks,
                shuffle=False,  # the pipeline shuffles, seeded per epoch
                verbose=0,  # the progress display is one of the callbacks, safe for asynchronous steps
            )
        except KeyboardInterrupt:
            # Every completed epoch is checkpointed; leave the pictures and the status current.
            self._finish("interrupted", time.perf_counter() - started)
            raise
        except callbacks.TrainingDiverged as diverged:
            self._diverged(diverged, time.perf_counter() - started)
        stopped = bool(self.time_limit and self.time_limit.stopped)
        seconds = time.perf_counter() - started
        history = self._finish("stopped by time limit" if stopped else "finished", seconds)
        for file_name, network in self.gan.saved_networks:
            if not (self.out_dir / file_name).exists():  # zero epochs trained: save the initial one
                callbacks.save_model_atomically(callbacks.network_to_save(self.gan, network), self.out_dir / file_name)
        return RunResult(self.out_dir, config, self.first_epoch, self.info.epochs_done, stopped, seconds, history)

    def _finish(self, status: str, seconds: float) -> dict:
        """Write the GIF, the loss plot and the final run record; return the history."""
        import matplotlib.pyplot as plt

        from ganlab import files, viz

        self.monitor.write_gif(self.out_dir / "progress.gif")
        history = folder.read_history(self.out_dir)
        if history:
            figure = viz.plot_losses(history, title=self.config.name)
            with files.atomic_path(self.out_dir / "losses.png") as partial:
                figure.savefig(partial, dpi=100)
            plt.close(figure)
        self.info.status, self.info.epochs_done = status, folder.completed_epochs(self.out_dir)
        self.info.seconds_this_session = round(seconds, 1)
        self.info.write(self.out_dir)
        return history

    def _diverged(self, diverged, seconds: float):
        """Record a divergence, then raise ``_Restart`` (``on_divergence="restore"``, while
        restores are left) or ``RunDiverged``."""
        out_dir, options = self.out_dir, self.options
        self.info.divergences.append(
            {"epoch": diverged.epoch + 1, "loss": diverged.name, "value": str(diverged.value), "learning_rate_scale": self.learning_rate_scale}
        )
        self._finish("diverged", seconds)
        good = folder.completed_epochs(out_dir)
        if options.on_divergence == "restore" and len(self.info.divergences) <= MAX_RESTORES:
            self.info.learning_rate_scale = self.learning_rate_scale * 0.5
            self.info.write(out_dir)
            if options.verbose:
                print(f"ganlab: {diverged}; restarting from epoch {good} with the learning rates x{self.info.learning_rate_scale:g}")
            raise _Restart(None if options.minutes is None else max(options.minutes - seconds / 60, 1 / 60))
        advice = (f"it diverged again after lowering the learning rate {MAX_RESTORES} times" if options.on_divergence == "restore"
                  else "run the same command with --on-divergence restore (or on_divergence='restore') to restart from it with half the learning rates")
        kept = (f"The last good checkpoint (epoch {good}) is kept in {out_dir / folder.CHECKPOINT_DIR}, with the generator of that epoch"
                if good else "No epoch was completed, so there is no checkpoint to go back to")
        raise RunDiverged(f"training diverged: {diverged}. {kept}; {advice}") from None


def _library_versions() -> dict:
    import keras
    import tensorflow as tf

    import ganlab

    return {"ganlab": ganlab.__version__, "keras": keras.__version__, "tensorflow": tf.__version__}


def _has_gpu() -> bool:
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def _plan_line(config, first_epoch, steps_per_epoch, num_images, minutes, out_dir) -> str:
    if first_epoch >= config.epochs:
        return f"ganlab: {config.name}: all {config.epochs} epochs already done in {out_dir}"
    resuming = f"resuming after epoch {first_epoch}, " if first_epoch else ""
    budget = f", at most {minutes:g} min of training" if minutes else ""
    return (
        f"ganlab: {config.name}: {resuming}epochs {first_epoch + 1}..{config.epochs}, "
        f"{steps_per_epoch} steps each on {num_images:,} images{budget}"
    )
