"""Drawing from and scoring a finished run, and reading samples to score.

Introduced in book/02_dcgan_mnist (``sample``, ``score``) and book/04_better_losses
(``summary``). ``score_generator`` is the one place that scores a generator: ``score``,
``summary`` and ``tools/export_pretrained.py`` all call it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganlab import files
from ganlab.errors import UsageError
from ganlab.recipe import Recipe
from ganlab.runs import folder


def sample(run_dir: str | Path, num_images: int, seed: int = 0, label: int | None = None) -> np.ndarray:
    """``num_images`` images from a run's generator, float32 in [-1, 1], NHWC, drawn on the
    noise the run trained with.

    ``label`` asks a conditional generator (CGAN, ACGAN) for one class; without it the
    classes take turns. For an unconditional generator a label is an error rather than
    silently ignored.
    """
    if num_images <= 0:
        raise UsageError(f"the number of images must be positive, got {num_images}")
    folder.network_path(run_dir)
    recipe = _recipe_if_saved(Path(run_dir))
    # decided from config.json when it is there, before TensorFlow starts
    if label is not None and recipe is not None and not recipe.conditional:
        raise UsageError(f"{run_dir} holds an unconditional generator; --label needs a conditional model (cgan, acgan)")
    from ganlab import gans

    distribution = getattr(recipe.section, "noise_distribution", "normal") if recipe else "normal"
    # generate_images checks the label against the generator itself
    return gans.generate_images(folder.load_generator(run_dir), num_images, seed=seed, labels=label, distribution=distribution)


def _recipe_if_saved(run_dir: Path) -> Recipe | None:
    return Recipe.load(run_dir / folder.CONFIG_FILE) if (run_dir / folder.CONFIG_FILE).exists() else None


def score_generator(generator, recipe: Recipe, seed: int = 0, encoder=None, real_images: np.ndarray | None = None) -> dict:
    """Score a generator as every ganlab table does: ``judge.SAMPLE_SIZE`` samples drawn
    with ``seed`` on the recipe's noise (a conditional generator's classes in turn).

    Digits get the judge's scores (``judge.score_mnist``), with the judge's accuracy on the
    requested classes for a conditional generator; other images get pixel statistics
    (``metrics.pixel_scores``) against ``real_images``, their own kind of real images.
    Given an autoencoder's ``encoder``, the reconstruction error of real images
    (``vae.reconstruction_error``; the judge's held-out digits for MNIST) is added."""
    from ganlab import gans, judge, metrics

    distribution = getattr(recipe.section, "noise_distribution", "normal")
    images = gans.generate_images(generator, judge.SAMPLE_SIZE, seed=seed, distribution=distribution)
    if recipe.judged:
        scores = judge.score_mnist(images)
        real_images = judge.reference_digits()[1][: judge.SAMPLE_SIZE]
        if recipe.conditional:
            requested = gans.class_labels(len(images), recipe.num_classes)
            scores["generated"]["conditional_accuracy"] = judge.conditional_accuracy(images, requested)
    else:
        if real_images is None:
            raise UsageError(f"scoring {recipe.dataset!r} images needs real images of the same kind to compare with")
        scores = metrics.pixel_scores(images, real_images)
    if encoder is not None:
        from ganlab import vae

        scores["generated"]["reconstruction_error"] = vae.reconstruction_error(encoder, generator, real_images)
    return scores


def score(target: str | Path, seed: int = 0) -> tuple[dict, Path]:
    """Score a run folder (``score_generator`` on its generator), an ``.npz`` of samples or
    a folder of PNG/JPEG samples (the judge: digits only); write the scores as JSON and
    return them with the file's path.

    A run's scores go to ``RUN_DIR/metrics.json`` (with the epoch they describe, so that
    ``summary`` notices a run trained further since); an ``.npz``'s to
    ``FILE.metrics.json``; a sample folder's to ``FOLDER/metrics.json``. Samples are read
    by ``read_samples``.
    """
    target = Path(target)
    if target.is_dir() and (target / folder.CONFIG_FILE).exists():
        return _score_run(target, seed)
    from ganlab import judge

    images = read_samples(target)
    written = target / folder.METRICS_FILE if target.is_dir() else target.with_name(target.stem + ".metrics.json")
    if images.shape[1:] != (28, 28, 1):
        raise UsageError(
            f"only MNIST-shaped images (N, 28, 28, 1) can be judged offline, got {images.shape}; "
            "score face samples through their run folder"
        )
    scores = judge.score_mnist(images)
    folder.write_json(written, {"scores": scores, "sample_size": len(images), "extractor": "ganlab MNIST judge",
                                "judge": judge.judge_record()})
    return scores, written


def _score_run(run_dir: Path, seed: int) -> tuple[dict, Path]:
    from ganlab import judge

    recipe = folder.read_recipe(run_dir)
    encoder = folder.load_encoder(run_dir) if recipe.autoencoder else None
    real = None if recipe.judged else training_images(run_dir, recipe)
    real_images = None if real is None else real.images(judge.SAMPLE_SIZE)
    scores = score_generator(folder.load_generator(run_dir), recipe, seed=seed, encoder=encoder, real_images=real_images)
    if recipe.judged:
        record = {"scores": scores, "sample_size": judge.SAMPLE_SIZE, "extractor": "ganlab MNIST judge", "judge": judge.judge_record()}
    else:
        record = {"scores": scores, "sample_size": judge.SAMPLE_SIZE, "extractor": "pixels (no judge for this dataset)",
                  "data_source": real.source}
    record["epochs_done"] = folder.completed_epochs(run_dir)
    written = run_dir / folder.METRICS_FILE
    folder.write_json(written, record)
    return scores, written


def summary(run_dir: str | Path) -> dict:
    """One row describing a finished run, for comparison tables: its recipe name and
    trainer, minutes of training, epochs, generator steps, and the scores of ``score``
    (computed and written now if ``metrics.json`` is missing or was written at another
    epoch), with the conditional accuracy for a conditional run and the
    ``reconstruction_error`` of a VAE or VAE-GAN. Introduced in book/04_better_losses."""
    run_dir = Path(run_dir)
    recipe = folder.read_recipe(run_dir)
    history = folder.read_history(run_dir)
    saved = folder.read_json(run_dir / folder.METRICS_FILE)
    # scores of an earlier epoch (the run was resumed since) would describe another generator
    current = saved.get("epochs_done") == folder.completed_epochs(run_dir)
    # an autoencoder's record from before reconstruction errors were part of its scores
    current = current and (not recipe.autoencoder or "reconstruction_error" in saved["scores"]["generated"])
    scores = saved["scores"] if saved and current else score(run_dir)[0]
    generated = scores["generated"]
    return {
        "recipe": recipe.name,
        "model": recipe.model,
        "minutes": sum(history.get("seconds", [])) / 60,
        "epochs": len(history.get("epoch", [])),
        "steps": int(sum(history.get("steps", []))),
        **{key: generated[key] for key in ("judge_fid", "kid", "judge_is", "coverage", "sharpness") if key in generated},
        **({"conditional_accuracy": generated.get("conditional_accuracy", "-")} if recipe.judged else {}),
        **{key: generated[key] for key in ("checkerboard", "diversity", "nearest_real") if key in generated},
        **({"reconstruction_error": generated["reconstruction_error"]} if "reconstruction_error" in generated else {}),
    }


def training_images(run_dir: Path, recipe: Recipe):
    """The images a run without a judge (faces) trained on, for its pixel scores (the
    offline faces if it fell back to them)."""
    from ganlab import data

    source = folder.RunInfo.read(run_dir).data_source
    return data.load_images(recipe, source="embedded" if source == "lfw-subset" else "auto", verbose=False)


def save_samples(images: np.ndarray, path: str | Path) -> None:
    """Write ``images`` to an ``.npz`` (array ``images``), atomically."""
    path = Path(path)
    if path.suffix != ".npz":
        raise UsageError(f"sample files are .npz, got {path.name}")
    if not path.parent.is_dir():
        raise UsageError(f"folder {path.parent} does not exist")
    with files.atomic_path(path) as partial, partial.open("wb") as handle:
        np.savez_compressed(handle, images=images.astype(np.float32))


def read_samples(path: str | Path) -> np.ndarray:
    """Samples to score, as float32 NHWC in [-1, 1]: an ``.npz`` with an ``images`` array
    (floats in [-1, 1], or uint8 pixels 0..255; ``(N, H, W)`` counts as grayscale), or a
    folder of PNG/JPEG files of one size (how many GAN libraries save samples). Floats
    outside [-1, 1] are an error, not rescaled: a guess would silently change the score."""
    path = Path(path)
    if path.is_dir():
        return _read_image_files(path)
    if path.suffix != ".npz" or not path.is_file():
        raise UsageError(f"no samples at {path}: give a run folder, an .npz with an 'images' array, or a folder of PNG/JPEG files")
    with np.load(path) as saved:
        if "images" not in saved:
            raise UsageError(f"{path} has no 'images' array")
        images = saved["images"]
    return _as_unit_range(images, str(path))


def _as_unit_range(images: np.ndarray, where: str) -> np.ndarray:
    """uint8 0..255 or floats in [-1, 1], NHW or NHWC, as float32 NHWC in [-1, 1]."""
    from ganlab import data

    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or len(images) == 0:
        raise UsageError(f"{where}: images must be (N, H, W) or (N, H, W, C), got shape {images.shape}")
    if images.dtype == np.uint8:
        return data.scale_to_unit_range(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise UsageError(f"{where}: images must be uint8 pixels 0..255 or floats in [-1, 1], got dtype {images.dtype}")
    low, high = float(images.min()), float(images.max())
    if low < -1.0 - 1e-3 or high > 1.0 + 1e-3 or not np.isfinite([low, high]).all():
        raise UsageError(f"{where}: float images must lie in [-1, 1], these span [{low:g}, {high:g}]; save uint8 pixels 0..255, or scale to [-1, 1]")
    return np.clip(images, -1.0, 1.0).astype(np.float32)


def _read_image_files(directory: Path) -> np.ndarray:
    """Every image file in ``directory`` (by name), grayscale when all its channels agree."""
    from PIL import Image

    from ganlab import data

    try:
        names = data.list_image_files(directory)
    except ValueError:
        raise UsageError(f"{directory} is neither a run folder (it has no {folder.CONFIG_FILE}) nor a folder of PNG/JPEG samples") from None
    pictures = []
    for name in names:
        with Image.open(name) as picture:
            pixels = np.asarray(picture.convert("RGB"))
        pictures.append(pixels)
    sizes = {pixels.shape for pixels in pictures}
    if len(sizes) > 1:
        raise UsageError(f"{directory}: the images differ in size ({', '.join(map(str, sorted(sizes)))}); scores need one size")
    images = np.stack(pictures)
    if (images == images[..., :1]).all():
        images = images[..., :1]
    return _as_unit_range(images, str(directory))
