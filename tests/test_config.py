import json
from pathlib import Path

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
    differences = {field for field, value in wide.flat().items() if value != default.flat()[field]}
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
    values = recipe.to_dict() | {"learning_rate": 1.0}
    with pytest.raises(ValueError, match="learning_rate"):
        config.Recipe.from_dict(values)


def test_chapter_4s_presets_change_the_game_and_not_how_it_is_trained():
    default = config.get_preset("dcgan-mnist").flat()
    game = {"name", "model", "generator_loss", "discriminator_loss", "label_smoothing", "conditioning", "num_classes",
            "fake_class_weight"}
    for name in ("lsgan-mnist", "cgan-mnist", "acgan-mnist"):
        recipe = config.get_preset(name).flat()
        assert {field for field, value in recipe.items() if value != default.get(field)} <= game, name
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
        ({"n_critic": 5}, "a 'gan' recipe has no field n_critic"),
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
    # upsampling, encoder or critic fields yet: they take the values 0.1 trained with
    old = {"name": "dcgan-mnist", "dataset": "mnist", "image_shape": [28, 28, 1], "latent_dim": 100,
           "generator_widths": [128, 64, 32], "discriminator_widths": [32, 64], "kernel_size": 5, "dropout": 0.3,
           "batch_size": 64, "epochs": 100, "generator_learning_rate": 2e-4, "discriminator_learning_rate": 2e-4,
           "beta_1": 0.5, "generator_loss": "nonsaturating", "discriminator_loss": "minimax", "label_smoothing": 0.1,
           "max_images": None, "steps_per_execution": 4, "monitor_images": 100, "seed": 0}
    (tmp_path / "config.json").write_text(json.dumps(old))
    with pytest.warns(config.RecipeUpgraded, match="generator_average_decay=0.0"):
        recipe = config.Recipe.load(tmp_path / "config.json")
    # that was the default recipe of its day: today's, at batch 64 and 2e-4, without the average
    assert recipe == config.Recipe(batch_size=64, generator_learning_rate=2e-4, discriminator_learning_rate=2e-4, generator_average_decay=0.0)
    assert config.DCGANConfig is config.Recipe


CONFIGS = Path(__file__).parent / "data" / "configs"


def test_recipe_means_the_default_preset_and_every_preset_states_how_it_trains():
    assert config.Recipe() == config.get_preset("dcgan-mnist")
    for name, fields in config.PRESET_FIELDS.items():
        expected = set(config.TRAINING_FIELDS)
        if config.get_preset(name).adversarial:
            expected |= set(config.TRAINING_FIELDS_ADVERSARIAL)
        if fields["optimizer"] == "adam":
            expected |= {"beta_1", "beta_2"}
        assert expected <= set(fields), f"{name} relies on defaults for {sorted(expected - set(fields))}"


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: config.Recipe(model="wgan", clip_value=0.01, label_smoothing=0.1), "a 'wgan' recipe has no field label_smoothing"),
        (lambda: config.get_preset("dcgan-mnist").replace(kl_weight=2.0), "its trainer \\(ganlab.gans.GAN\\) does not use it; it is a field of vae, vaegan"),
        (lambda: config.get_preset("vae-mnist").replace(generator_average_decay=0.9), "a 'vae' recipe has no field generator_average_decay"),
        (lambda: config.get_preset("wgan-gp-mnist").replace(generator_loss="minimax"), "a 'wgan' recipe has no field generator_loss"),
        (lambda: config.Recipe(model="stylegan"), "model must be one of"),
    ],
)
def test_a_field_the_trainer_does_not_use_is_refused_by_name(build, message):
    with pytest.raises(config.UsageError, match=message):
        build()


def test_a_section_field_reads_and_writes_as_an_attribute_and_only_for_its_trainer():
    recipe = config.get_preset("wgan-clip-mnist")
    assert (recipe.n_critic, recipe.clip_value, recipe.images_per_step) == (5, 0.01, 64 * 5)
    recipe.clip_value = 0.02
    assert recipe.section.clip_value == 0.02
    with pytest.raises(AttributeError, match="a 'wgan' recipe has no field label_smoothing"):
        _ = recipe.label_smoothing
    with pytest.raises(AttributeError, match="no field kl_weight"):
        recipe.kl_weight = 1.0


def test_config_json_holds_the_shared_fields_and_only_the_runs_section(tmp_path):
    recipe = config.get_preset("wgan-gp-mnist")
    record = recipe.to_dict()
    assert record["format"] == 2 and record["model"] == "wgan"
    assert set(record["wgan"]) == set(config.SECTIONS["wgan"].field_names())
    assert not {"label_smoothing", "kl_weight", "generator_loss", "num_classes"} & (set(record) | set(record["wgan"]))
    recipe.save(tmp_path / "config.json")
    assert config.Recipe.load(tmp_path / "config.json") == recipe
    newer = record | {"format": 3}
    with pytest.raises(config.UsageError, match="newer format"):
        config.Recipe.from_dict(newer)


def test_rmsprop_has_no_betas_and_a_folder_is_only_for_the_datasets_that_read_one():
    clipped = config.get_preset("wgan-clip-mnist")
    assert (clipped.beta_1, clipped.beta_2) == (None, None) and clipped.optimizer_description == "RMSprop(5e-05)"
    with pytest.raises(config.UsageError, match="beta_1 is Adam's; optimizer='rmsprop' has no betas"):
        clipped.replace(beta_1=0.9)
    # switching the optimizer takes the new one's betas
    assert (clipped.replace(optimizer="adam").beta_1, config.Recipe().replace(optimizer="rmsprop").beta_1) == (0.5, None)
    with pytest.raises(config.UsageError, match="a 'mnist' recipe reads no folder"):
        config.Recipe().replace(data_dir="my-digits")


def test_changing_the_trainer_keeps_only_the_fields_the_new_one_has():
    wgan = config.get_preset("dcgan-mnist").replace(model="wgan", clip_value=0.01)
    assert wgan.discriminator_widths == (32, 64) and wgan.generator_average_decay == 0.999
    assert "label_smoothing" not in wgan.flat()
    with pytest.raises(config.UsageError, match="no field label_smoothing"):
        config.get_preset("dcgan-mnist").replace(model="wgan", clip_value=0.01, label_smoothing=0.1)


@pytest.mark.parametrize(
    "release, preset, added, dropped",
    [
        ("0.1", "dcgan-mnist", "generator_average_decay=0.0", None),
        ("0.2", "wgan-gp-mnist", "noise_distribution='normal'", "label_smoothing=0.0"),
        ("0.3", "wgan-clip-mnist", "noise_distribution='normal'", "beta_1=0.5"),
        ("0.3", "acgan-mnist", "noise_distribution='normal'", "generator_loss='nonsaturating'"),
        ("0.3", "vaegan-mnist", None, "reconstruction='bernoulli'"),
    ],
)
def test_config_files_of_every_earlier_release_load_through_one_upgrade(release, preset, added, dropped):
    path = CONFIGS / f"ganlab-{release}_{preset}.json"
    with pytest.warns(config.RecipeUpgraded) as caught:
        recipe = config.Recipe.load(path)
    note = str(caught[0].message)
    assert "upgraded from format 1" in note
    assert added is None or added in note.split("dropped")[0]
    assert dropped is None or dropped in note.split("dropped")[1]
    saved = json.loads(path.read_text())
    # the upgraded recipe trains as its release did: every value it kept is the saved one
    for field, value in recipe.flat().items():
        if field in saved and value is not None:  # None: a value the release never used (RMSprop's betas)
            assert value == (tuple(saved[field]) if isinstance(saved[field], list) else saved[field]), field
    if release == "0.3":  # ganlab 0.3 wrote today's presets
        assert recipe == config.get_preset(preset)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("batch_size=64", ("batch_size", 64)),
        ("label_smoothing=0", ("label_smoothing", 0.0)),
        ("generator_widths=64,32,16", ("generator_widths", (64, 32, 16))),
        ("flip=true", ("flip", True)),
        ("max_images=none", ("max_images", None)),
        ("noise_distribution=uniform", ("noise_distribution", "uniform")),
    ],
)
def test_set_field_value_is_typed_by_the_field(text, expected):
    assert config.parse_assignment(config.Recipe(), text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("batch_size", "--set takes FIELD=VALUE"),
        ("batch_size=many", "--set batch_size: 'many' is not a valid int"),
        ("kl_weight=2", "a 'gan' recipe has no field kl_weight"),
        ("flip=maybe", "not a valid bool"),
    ],
)
def test_set_refuses_unknown_fields_and_bad_values_in_one_line(text, message):
    with pytest.raises(config.UsageError, match=message):
        config.parse_assignment(config.Recipe(), text)
