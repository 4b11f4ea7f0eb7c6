"""Network builders: plain functions that return named Functional Keras models.

Introduced in book/02_dcgan_mnist. The same two builders serve 28x28 digits, 32x32 and
64x64 colour faces: the widths tuple sets the depth and the image shape sets the size.
A VAE's decoder is ``dcgan_generator`` (it maps latent vectors to images just as a
generator maps noise); its encoder is ``conv_encoder``.
"""

from __future__ import annotations

import contextlib

import keras
from keras import layers

from ganlab.errors import UsageError

# Each builder's output layer computes in float32 whatever the dtype policy: under mixed
# precision (``precision``) the losses, the sigmoid and the VAE's sampling then read
# float32 numbers, the placement Keras' mixed-precision guide recommends. Under the
# default float32 policy it changes nothing.
OUTPUT_DTYPE = "float32"


@contextlib.contextmanager
def precision(policy: str):
    """Build networks under Keras' dtype ``policy`` inside this block: ``"float32"``, or a
    mixed policy (``"mixed_float16"``, ``"mixed_bfloat16"``) whose layers compute in 16
    bits and keep their weights in float32. The previous policy is restored afterwards.
    Introduced in book/appendix_scaling."""
    previous = keras.config.dtype_policy()
    try:
        keras.config.set_dtype_policy(policy)
    except ValueError as error:
        raise UsageError(f"unknown precision {policy!r}: {error}") from error
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def count_upsamplings(image_size: int, max_upsamplings: int, min_start_size: int = 4) -> int:
    """How many stride-2 layers a generator needs: as many as ``image_size`` halves cleanly
    while the starting feature map stays at least ``min_start_size`` pixels wide."""
    upsamplings = 0
    size = image_size
    while upsamplings < max_upsamplings and size % 2 == 0 and size // 2 >= min_start_size:
        size //= 2
        upsamplings += 1
    return upsamplings


def _upsample(x, filters, kernel_size, stride, upsampling, name, activation=None, dtype=None):
    """One generator layer: a transposed convolution, or (``upsampling="resize"``, stride 2)
    nearest-neighbour doubling followed by a convolution. A transposed convolution whose
    kernel does not divide by its stride overlaps unevenly and paints checkerboards
    (Odena et al. 2016, "Deconvolution and Checkerboard Artifacts"); resizing first cannot."""
    if upsampling == "resize" and stride == 2:
        x = layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_resize")(x)
        return layers.Conv2D(filters, kernel_size, padding="same", use_bias=False, activation=activation, name=name, dtype=dtype)(x)
    if upsampling not in ("transpose", "resize"):
        raise UsageError(f"upsampling must be 'transpose' or 'resize', got {upsampling!r}")
    return layers.Conv2DTranspose(
        filters, kernel_size, strides=stride, padding="same", use_bias=False, activation=activation, name=name, dtype=dtype
    )(x)


def _generator_body(latent, image_shape, widths, kernel_size, upsampling="transpose"):
    """Dense projection to a small feature map, upsampling convolutions, tanh image.

    Batch norm is ``synchronized``: under a ``tf.distribute`` strategy its statistics are
    those of the whole batch rather than of each replica's share, so training on several
    devices computes what one device would (tests/test_gans.py checks it); on one device
    it changes nothing."""
    height, width, channels = image_shape
    if height != width:
        raise UsageError(f"square images only, got {image_shape}")
    if not widths:
        raise UsageError("widths needs at least one entry")
    upsamplings = count_upsamplings(height, max_upsamplings=len(widths))
    start_size = height // 2**upsamplings
    strides = [1] * (len(widths) - upsamplings) + [2] * upsamplings

    x = layers.Dense(start_size * start_size * widths[0], use_bias=False, name="project")(latent)
    x = layers.BatchNormalization(synchronized=True, name="project_bn")(x)
    x = layers.LeakyReLU(0.2, name="project_act")(x)
    x = layers.Reshape((start_size, start_size, widths[0]), name="to_feature_map")(x)
    for index, (filters, stride) in enumerate(zip(widths[1:], strides[:-1]), start=1):
        x = _upsample(x, filters, kernel_size, stride, upsampling, name=f"up{index}")
        x = layers.BatchNormalization(synchronized=True, name=f"up{index}_bn")(x)
        x = layers.LeakyReLU(0.2, name=f"up{index}_act")(x)
    return _upsample(x, channels, kernel_size, strides[-1], upsampling, name="to_image", activation="tanh", dtype=OUTPUT_DTYPE)


def dcgan_generator(
    latent_dim: int = 100,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    widths: tuple[int, ...] = (256, 128, 64),
    kernel_size: int = 5,
    name: str = "generator",
    upsampling: str = "transpose",
) -> keras.Model:
    """DCGAN generator (Radford et al. 2016): noise -> dense -> transposed convolutions -> tanh.

    A dense layer makes a small ``widths[0]``-channel feature map; each further width is a
    transposed convolution with batch norm and leaky ReLU; a last transposed convolution
    makes the image in [-1, 1]. The final layers use stride 2 (doubling the size) as often
    as the image size allows, the first ones stride 1. With the defaults this is exactly the
    TensorFlow DCGAN tutorial's generator for 28x28x1 digits. ``upsampling="resize"``
    replaces each stride-2 transposed convolution by resize-then-convolve (book/03_faces).
    """
    noise = keras.Input(shape=(latent_dim,), name="noise")
    image = _generator_body(noise, image_shape, widths, kernel_size, upsampling)
    return keras.Model(noise, image, name=name)


def conditional_generator(
    latent_dim: int = 100,
    num_classes: int = 10,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    widths: tuple[int, ...] = (128, 64, 32),
    kernel_size: int = 5,
    conditioning: str = "one_hot",
    name: str = "generator",
    upsampling: str = "transpose",
) -> keras.Model:
    """A DCGAN generator that also takes the class to draw: inputs ``[noise, label]``.

    Introduced in book/04_better_losses (CGAN and ACGAN). ``conditioning="one_hot"``
    appends the one-hot label to the noise (Mirza and Osindero 2014); ``"embedding"``
    multiplies the noise by a learned per-class vector (as in the ACGAN paper's Keras
    example), which keeps the latent size. The rest is the body of ``dcgan_generator``, with
    its ``upsampling``.
    """
    noise = keras.Input(shape=(latent_dim,), name="noise")
    label = keras.Input(shape=(), dtype="int32", name="label")
    if conditioning == "one_hot":
        latent = layers.Concatenate(name="noise_and_label")([noise, layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_one_hot")(label)])
    elif conditioning == "embedding":
        latent = layers.Multiply(name="noise_times_label")([noise, layers.Embedding(num_classes, latent_dim, name="label_embedding")(label)])
    else:
        raise UsageError(f"conditioning must be 'one_hot' or 'embedding', got {conditioning!r}")
    image = _generator_body(latent, image_shape, widths, kernel_size, upsampling)
    return keras.Model([noise, label], image, name=name)


def _discriminator_body(x, widths, kernel_size, dropout, batch_norm, with_features=False):
    """Stride-2 convolutions, flattened. ``with_features`` also returns the last block's
    activations before dropout, flattened (the VAE-GAN's learned similarity)."""
    if not widths:
        raise UsageError("widths needs at least one entry")
    for index, filters in enumerate(widths, start=1):
        x = layers.Conv2D(filters, kernel_size, strides=2, padding="same", name=f"down{index}")(x)
        if batch_norm:
            x = layers.BatchNormalization(synchronized=True, name=f"down{index}_bn")(x)
        x = layers.LeakyReLU(0.2, name=f"down{index}_act")(x)
        activations = x
        if dropout:
            x = layers.Dropout(dropout, name=f"down{index}_dropout")(x)
    flat = layers.Flatten(name="flatten")(x)
    if with_features:
        return flat, layers.Flatten(name="features", dtype=OUTPUT_DTYPE)(activations)
    return flat


def dcgan_discriminator(
    image_shape: tuple[int, int, int] = (28, 28, 1),
    widths: tuple[int, ...] = (64, 128),
    kernel_size: int = 5,
    dropout: float = 0.3,
    batch_norm: bool = False,
    num_classes: int | None = None,
    name: str = "discriminator",
    features: bool = False,
) -> keras.Model:
    """DCGAN discriminator: stride-2 convolutions with leaky ReLU, then one logit.

    It returns a logit, not a probability: the losses in ``ganlab.losses`` apply the
    sigmoid themselves, which is numerically stable (a Wasserstein critic or an LSGAN
    discriminator reads the same output as an unbounded score).

    ``batch_norm`` is off by default: it normalises each batch as a whole, so the
    discriminator's verdict on one image depends on the other images in the batch. That
    couples the real and generated halves, and it breaks the gradient penalty of WGAN-GP,
    which constrains the gradient with respect to each input image on its own (Gulrajani
    et al. 2017 use layer norm or nothing in the critic for this reason).

    ``num_classes`` adds the auxiliary classifier head of ACGAN (book/04_better_losses):
    the model then returns ``[logit, class_logits]``.

    ``features`` makes it return ``[logit, features]``, the last convolution block's
    activations (before dropout) as one vector per image: the layer in which the VAE-GAN
    measures reconstructions (book/05_vae_and_vaegan).
    """
    if num_classes and features:
        raise UsageError("a discriminator returns class logits (ACGAN) or features (VAE-GAN), not both")
    image = keras.Input(shape=tuple(image_shape), name="image")
    if features:
        flat, activations = _discriminator_body(image, widths, kernel_size, dropout, batch_norm, with_features=True)
        return keras.Model(image, [layers.Dense(1, name="logit", dtype=OUTPUT_DTYPE)(flat), activations], name=name)
    flat = _discriminator_body(image, widths, kernel_size, dropout, batch_norm)
    logit = layers.Dense(1, name="logit", dtype=OUTPUT_DTYPE)(flat)
    if num_classes:
        class_logits = layers.Dense(num_classes, name="class_logits", dtype=OUTPUT_DTYPE)(flat)
        return keras.Model(image, [logit, class_logits], name=name)
    return keras.Model(image, logit, name=name)


def conv_encoder(
    image_shape: tuple[int, int, int] = (28, 28, 1),
    latent_dim: int = 16,
    widths: tuple[int, ...] = (32, 64),
    kernel_size: int = 5,
    name: str = "encoder",
) -> keras.Model:
    """A VAE's encoder: the discriminator's stride-2 convolutions (without dropout), then
    two dense heads, the ``mean`` and the ``log_variance`` of a diagonal Gaussian over the
    latent space. Introduced in book/05_vae_and_vaegan.

    It outputs the log-variance rather than the variance or the standard deviation so
    that any real number is valid: the sampling layer takes ``exp(log_variance / 2)``.
    """
    if latent_dim <= 0:
        raise UsageError(f"latent_dim must be positive, got {latent_dim}")
    image = keras.Input(shape=tuple(image_shape), name="image")
    flat = _discriminator_body(image, widths, kernel_size, dropout=0.0, batch_norm=False)
    mean = layers.Dense(latent_dim, name="mean", dtype=OUTPUT_DTYPE)(flat)
    log_variance = layers.Dense(latent_dim, name="log_variance", dtype=OUTPUT_DTYPE)(flat)
    return keras.Model(image, [mean, log_variance], name=name)


def conditional_discriminator(
    image_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int = 10,
    widths: tuple[int, ...] = (32, 64),
    kernel_size: int = 5,
    dropout: float = 0.3,
    name: str = "discriminator",
) -> keras.Model:
    """The conditional GAN's discriminator: inputs ``[image, label]``, one logit.

    Introduced in book/04_better_losses. The one-hot label is spread over the image as
    ``num_classes`` constant channels, so the first convolution sees the pixels and the
    claimed class together: the question becomes "is this a real image *of this digit*?".
    """
    height, width, _ = image_shape
    image = keras.Input(shape=tuple(image_shape), name="image")
    label = keras.Input(shape=(), dtype="int32", name="label")
    one_hot = layers.CategoryEncoding(num_classes, output_mode="one_hot", name="label_one_hot")(label)
    label_planes = layers.UpSampling2D((height, width), name="label_planes")(layers.Reshape((1, 1, num_classes), name="label_pixel")(one_hot))
    x = layers.Concatenate(name="image_and_label")([image, label_planes])
    features = _discriminator_body(x, widths, kernel_size, dropout, batch_norm=False)
    logit = layers.Dense(1, name="logit", dtype=OUTPUT_DTYPE)(features)
    return keras.Model([image, label], logit, name=name)


def mlp_generator(
    latent_dim: int = 100,
    output_shape: tuple[int, ...] = (28, 28, 1),
    widths: tuple[int, ...] = (256, 512, 1024),
    output_activation: str | None = "tanh",
    name: str = "generator",
) -> keras.Model:
    """Fully connected generator: noise -> dense layers with leaky ReLU -> ``output_shape``.

    Introduced in book/01_artist_and_critic. With the defaults it is the fully connected
    MNIST generator of the original GAN chapter (tanh output in [-1, 1]); with
    ``output_shape=(2,)`` and ``output_activation=None`` it draws points in the plane.
    """
    if not widths:
        raise UsageError("widths needs at least one entry")
    noise = keras.Input(shape=(latent_dim,), name="noise")
    x = noise
    for index, units in enumerate(widths, start=1):
        x = layers.Dense(units, name=f"dense{index}")(x)
        x = layers.LeakyReLU(0.2, name=f"dense{index}_act")(x)
    size = 1
    for dimension in output_shape:
        size *= dimension
    x = layers.Dense(size, activation=output_activation, name="to_output", dtype=OUTPUT_DTYPE)(x)
    if len(output_shape) > 1:
        x = layers.Reshape(tuple(output_shape), name="to_image", dtype=OUTPUT_DTYPE)(x)
    return keras.Model(noise, x, name=name)


def mlp_discriminator(
    input_shape: tuple[int, ...] = (28, 28, 1),
    widths: tuple[int, ...] = (1024, 512, 256),
    dropout: float = 0.3,
    name: str = "discriminator",
) -> keras.Model:
    """Fully connected discriminator: flatten -> dense layers with leaky ReLU -> one logit.

    Introduced in book/01_artist_and_critic. Dropout after each hidden layer keeps the
    critic from memorising the few thousand real digits it sees.
    """
    if not widths:
        raise UsageError("widths needs at least one entry")
    inputs = keras.Input(shape=tuple(input_shape), name="image" if len(input_shape) > 1 else "point")
    x = layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    for index, units in enumerate(widths, start=1):
        x = layers.Dense(units, name=f"dense{index}")(x)
        x = layers.LeakyReLU(0.2, name=f"dense{index}_act")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dense{index}_dropout")(x)
    logit = layers.Dense(1, name="logit", dtype=OUTPUT_DTYPE)(x)
    return keras.Model(inputs, logit, name=name)


def apply_in_batches(model: keras.Model, inputs, batch_size: int = 256):
    """``model(inputs, training=False)`` in batches, as numpy (a list of arrays for a model
    with several outputs). ``inputs`` is an array, or a list of arrays for several inputs.

    Used instead of ``model.predict`` for the book's many small inference calls: predict
    compiles a graph per model, and with a new model per call (a loaded generator, a
    judge) TensorFlow warns about retracing and spends seconds tracing.
    """
    import numpy as np

    several = isinstance(inputs, (list, tuple))
    arrays = [np.asarray(part) for part in inputs] if several else [np.asarray(inputs)]
    if batch_size <= 0:
        raise UsageError(f"batch_size must be positive, got {batch_size}")
    if len({len(array) for array in arrays}) != 1:
        raise UsageError(f"inputs of different lengths: {[len(array) for array in arrays]}")
    pieces = []
    for start in range(0, len(arrays[0]), batch_size):
        chunk = [array[start : start + batch_size] for array in arrays]
        outputs = model(chunk if several else chunk[0], training=False)
        if isinstance(outputs, (list, tuple)):
            pieces.append([keras.ops.convert_to_numpy(output) for output in outputs])
        else:
            pieces.append(keras.ops.convert_to_numpy(outputs))
    if not pieces:
        raise UsageError("no inputs")
    if isinstance(pieces[0], list):
        return [np.concatenate(parts) for parts in zip(*pieces)]
    return np.concatenate(pieces)


def latent_size_of(generator: keras.Model) -> int:
    """The size of the latent vectors (noise, codes) a generator or decoder takes."""
    return int(generator.inputs[0].shape[-1])


def num_classes_of(generator: keras.Model) -> int | None:
    """How many classes a conditional generator (from ``conditional_generator``) draws;
    None for an unconditional one."""
    for layer in generator.layers:
        if layer.name == "label_one_hot":
            return int(layer.num_tokens)
        if layer.name == "label_embedding":
            return int(layer.input_dim)
    return None


def soft_label_generator(generator: keras.Model) -> keras.Model:
    """The same conditional generator (shared layers and weights) reading class *weights*
    instead of a class: inputs ``[noise, class_weights]`` with one row of ``num_classes``
    weights per image. A one-hot row draws that class exactly as ``generator`` does; a mix
    such as 0.5 * "3" + 0.5 * "8" lets the class change smoothly (book/06_latent_space).

    For ``conditioning="one_hot"`` the weights take the one-hot label's place; for
    ``"embedding"`` the per-class vector becomes the weighted mean of the class vectors.
    A generator that already reads class weights is returned as it is.
    """
    if len(generator.inputs) == 2 and generator.inputs[1].name == "class_weights":
        return generator
    num_classes = num_classes_of(generator)
    if num_classes is None:
        raise UsageError(f"{generator.name} is unconditional: it has no class input to mix")
    noise = keras.Input(shape=(latent_size_of(generator),), name="noise")
    class_weights = keras.Input(shape=(num_classes,), name="class_weights")
    names = [layer.name for layer in generator.layers]
    if "label_embedding" in names:
        table = generator.get_layer("label_embedding").embeddings
        merge = "noise_times_label"
        x = generator.get_layer(merge)([noise, keras.ops.matmul(class_weights, table)])
    else:
        merge = "noise_and_label"
        x = generator.get_layer(merge)([noise, class_weights])
    # the layers after the merge are the plain chain of _generator_body
    for layer in generator.layers[names.index(merge) + 1 :]:
        x = layer(x)
    return keras.Model([noise, class_weights], x, name=f"{generator.name}_soft_labels")
