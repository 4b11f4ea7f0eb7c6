import dataclasses
import json

import pytest

from ganlab import config


def test_presets_include_default_and_tutorial_recipes():
    assert {"dcgan-mnist", "dcgan-mnist-wide", "dcgan-mnist-tutorial"} <= set(config.PRESETS)
    tutorial = config.get_preset("dcgan-mnist-tutorial")
    assert (tutorial.batch_size, tutorial.generator_learning_rate, tutorial.beta_1) == (256, 1e-4, 0.9)
    assert tutorial.generator_widths == (256, 128, 64) and tutorial.label_smoothing == 0.0
    default = config.get_preset("dcgan-mnist")
    assert (default.generator_learning_rate, default.discriminator_learning_rate, default.beta_1, default.batch_size) == (4e-4, 4e-4, 0.5, 32)
    assert default.generator_average_decay == 0.999
    assert default.generator_widths == (128, 64, 32) and default.label_smoothing == 0.1
    wide = config.get_preset("dcgan-mnist-wide")
    assert wide.generator_widths == tutorial.generator_widths
    # the default recipe on wider networks, nothing else: chapter 2 separates width from recipe
    differences = {field for field, value in wide.to_dict().items() if value != default.to_dict()[field]}
    assert differences == {"name", "generator_widths", "discriminator_widths", "epochs"}


def test_preset_names_match_their_keys():
    for name, preset in config.PRESETS.items():
        assert preset.name == name


def test_get_preset_returns_a_copy():
    first = config.get_preset("dcgan-mnist")
    first.epochs = 999
    assert config.get_preset("dcgan-mnist").epochs != 999


def test_unknown_preset_lists_choices():
    with pytest.raises(ValueError, match="choose from"):
        config.get_preset("stylegan")


def test_round_trip_through_json(tmp_path):
    recipe = config.get_preset("dcgan-mnist").replace(epochs=3, max_images=500)
    recipe.save(tmp_path / "config.json")
    loaded = config.Recipe.load(tmp_path / "config.json")
    assert loaded == recipe
    assert isinstance(loaded.generator_widths, tuple)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"epochs": -1}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"label_smoothing": 1.5}, "label_smoothing"),
        ({"max_images": 10}, "max_images"),
        ({"generator_learning_rate": 0.0}, "generator_learning_rate"),
        ({"image_shape": (28, 28)}, "image_shape"),
        ({"precision": "float16"}, "precision must be one of"),
    ],
)
def test_validate_rejects_nonsense(change, message):
    with pytest.raises(ValueError, match=message):
        config.get_preset("dcgan-mnist").replace(**change)


def test_replace_ignores_none_and_from_dict_rejects_unknown_fields():
    recipe = config.get_preset("dcgan-mnist")
    assert recipe.replace(epochs=None) == recipe
    values = dataclasses.asdict(recipe) | {"learning_rate": 1.0}
    with pytest.raises(ValueError, match="learning_rate"):
        config.Recipe.from_dict(values)


def test_chapter_4s_presets_change_the_game_and_not_how_it_is_trained():
    default = config.get_preset("dcgan-mnist").to_dict()
    game = {"name", "model", "generator_loss", "discriminator_loss", "label_smoothing", "conditioning"}
    for name in ("lsgan-mnist", "cgan-mnist", "acgan-mnist"):
        recipe = config.get_preset(name).to_dict()
        assert {field for field, value in recipe.items() if value != default[field]} <= game, name
    for name in ("wgan-clip-mnist", "wgan-gp-mnist"):  # their papers' optimisers, the default's average
        recipe = config.get_preset(name)
        assert recipe.generator_average_decay == default["generator_average_decay"]
        assert recipe.generator_widths == tuple(default["generator_widths"]) and recipe.discriminator_widths == tuple(default["discriminator_widths"])


def test_optimizer_description_names_only_the_settings_the_optimizer_uses():
    assert config.get_preset("dcgan-mnist").optimizer_description == "Adam(0.0004, beta_1=0.5, beta_2=0.999)"
    assert config.get_preset("wgan-gp-mnist").optimizer_description == "Adam(0.0001, beta_1=0, beta_2=0.9)"
    # RMSprop has no betas: a beta_1 left in the recipe must not appear
    assert config.get_preset("wgan-clip-mnist").optimizer_description == "RMSprop(5e-05)"
    unequal = config.get_preset("dcgan-mnist").replace(discriminator_learning_rate=1e-3)
    assert unequal.optimizer_description == "Adam(G 0.0004, D 0.001, beta_1=0.5, beta_2=0.999)"


def test_presets_for_every_trainer_are_valid():
    for name in ("lsgan-mnist", "wgan-clip-mnist", "wgan-gp-mnist", "cgan-mnist", "acgan-mnist"):
        assert config.get_preset(name).validate().name == name
    assert config.get_preset("wgan-clip-mnist").images_per_step == 64 * 5
    assert config.get_preset("acgan-mnist").conditional and not config.get_preset("lsgan-mnist").conditional


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"model": "stylegan"}, "model must be one of"),
        ({"optimizer": "sgd"}, "optimizer must be one of"),
        ({"model": "wgan"}, "exactly one of"),
        ({"model": "wgan", "clip_value": 0.01, "gradient_penalty_weight": 10.0}, "exactly one of"),
        ({"n_critic": 5}, "for model='wgan'"),
        ({"model": "wgan", "clip_value": 0.01, "n_critic": 0}, "n_critic"),
        ({"model": "acgan", "num_classes": 1}, "num_classes"),
    ],
)
def test_trainer_fields_are_checked(changes, message):
    with pytest.raises(ValueError, match=message):
        config.get_preset("dcgan-mnist").replace(**changes)


def test_face_presets_and_their_checks():
    lfw, celeba = config.get_preset("dcgan-lfw"), config.get_preset("dcgan-celeba")
    assert lfw.image_shape == (32, 32, 1) and lfw.dataset == "lfw" and lfw.flip and lfw.passes_per_epoch == 20
    assert celeba.image_shape == (64, 64, 3) and celeba.dataset == "celeba"
    with pytest.raises(ValueError, match="needs data_dir"):
        lfw.replace(dataset="folder")
    with pytest.raises(ValueError, match="class labels"):
        lfw.replace(model="acgan")
    with pytest.raises(ValueError, match="dataset must be one of"):
        lfw.replace(dataset="cifar10")
    with pytest.raises(ValueError, match="upsampling must be one of"):
        lfw.replace(upsampling="pixelshuffle")
    with pytest.raises(ValueError, match="passes_per_epoch"):
        lfw.replace(passes_per_epoch=0)


def test_autoencoder_presets_and_their_checks():
    vae_recipe, hybrid = config.get_preset("vae-mnist"), config.get_preset("vaegan-mnist")
    assert vae_recipe.autoencoder and hybrid.autoencoder and not config.get_preset("dcgan-mnist").autoencoder
    assert hybrid.dropout == 0.0  # dropout would make the learned similarity noisy
    for name in ("vae-celeba", "vaegan-celeba"):
        assert config.get_preset(name).image_shape == (64, 64, 3)
    with pytest.raises(ValueError, match="reconstruction must be one of"):
        vae_recipe.replace(reconstruction="l1")
    with pytest.raises(ValueError, match="kl_weight and feature_weight"):
        hybrid.replace(kl_weight=-1.0)
    with pytest.raises(ValueError, match="encoder_widths"):
        vae_recipe.replace(encoder_widths=())
    with pytest.raises(ValueError, match="encoder_learning_rate"):
        hybrid.replace(encoder_learning_rate=0.0)
    assert config.Recipe.from_dict(hybrid.to_dict()) == hybrid


def test_recipes_saved_by_ganlab_0_1_still_load(tmp_path):
    # ganlab 0.1 called the class DCGANConfig and its config.json had no precision,
    # upsampling, encoder or critic fields yet: they take today's defaults
    old = {"name": "dcgan-mnist", "dataset": "mnist", "image_shape": [28, 28, 1], "latent_dim": 100,
           "generator_widths": [128, 64, 32], "discriminator_widths": [32, 64], "kernel_size": 5, "dropout": 0.3,
           "batch_size": 64, "epochs": 100, "generator_learning_rate": 2e-4, "discriminator_learning_rate": 2e-4,
           "beta_1": 0.5, "generator_loss": "nonsaturating", "discriminator_loss": "minimax", "label_smoothing": 0.1,
           "max_images": None, "steps_per_execution": 4, "monitor_images": 100, "seed": 0}
    (tmp_path / "config.json").write_text(json.dumps(old))
    recipe = config.Recipe.load(tmp_path / "config.json")
    # that was the default recipe of its day: today's base recipe, without the averaged generator
    assert recipe == config.Recipe() and recipe.generator_average_decay == 0.0
    assert config.DCGANConfig is config.Recipe
