"""Network builders: plain functions that return named Functional Keras models.

Introduced in book/02_dcgan_mnist. The same two builders serve 28x28 digits, 32x32 and
64x64 colour faces: the widths tuple sets the depth and the image shape sets the size.
"""

from __future__ import annotations

import keras
from keras import layers


def count_upsamplings(image_size: int, max_upsamplings: int, min_start_size: int = 4) -> int:
    """How many stride-2 layers a generator needs: as many as ``image_size`` halves cleanly
    while the starting feature map stays at least ``min_start_size`` pixels wide."""
    upsamplings = 0
    size = image_size
    while upsamplings < max_upsamplings and size % 2 == 0 and size // 2 >= min_start_size:
        size //= 2
        upsamplings += 1
    return upsamplings


def dcgan_generator(
    latent_dim: int = 100,
    image_shape: tuple[int, int, int] = (28, 28, 1),
    widths: tuple[int, ...] = (256, 128, 64),
    kernel_size: int = 5,
    name: str = "generator",
) -> keras.Model:
    """DCGAN generator (Radford et al. 2016): noise -> dense -> transposed convolutions -> tanh.

    A dense layer makes a small ``widths[0]``-channel feature map; each further width is a
    transposed convolution with batch norm and leaky ReLU; a last transposed convolution
    makes the image in [-1, 1]. The final layers use stride 2 (doubling the size) as often
    as the image size allows, the first ones stride 1. With the defaults this is exactly the
    TensorFlow DCGAN tutorial's generator for 28x28x1 digits.
    """
    height, width, channels = image_shape
    if height != width:
        raise ValueError(f"square images only, got {image_shape}")
    if not widths:
        raise ValueError("widths needs at least one entry")
    upsamplings = count_upsamplings(height, max_upsamplings=len(widths))
    start_size = height // 2**upsamplings
    strides = [1] * (len(widths) - upsamplings) + [2] * upsamplings

    noise = keras.Input(shape=(latent_dim,), name="noise")
    x = layers.Dense(start_size * start_size * widths[0], use_bias=False, name="project")(noise)
    x = layers.BatchNormalization(name="project_bn")(x)
    x = layers.LeakyReLU(0.2, name="project_act")(x)
    x = layers.Reshape((start_size, start_size, widths[0]), name="to_feature_map")(x)
    for index, (filters, stride) in enumerate(zip(widths[1:], strides[:-1]), start=1):
        x = layers.Conv2DTranspose(
            filters, kernel_size, strides=stride, padding="same", use_bias=False, name=f"up{index}"
        )(x)
        x = layers.BatchNormalization(name=f"up{index}_bn")(x)
        x = layers.LeakyReLU(0.2, name=f"up{index}_act")(x)
    image = layers.Conv2DTranspose(
        channels, kernel_size, strides=strides[-1], padding="same", use_bias=False, activation="tanh", name="to_image"
    )(x)
    return keras.Model(noise, image, name=name)


def dcgan_discriminator(
    image_shape: tuple[int, int, int] = (28, 28, 1),
    widths: tuple[int, ...] = (64, 128),
    kernel_size: int = 5,
    dropout: float = 0.3,
    batch_norm: bool = False,
    name: str = "discriminator",
) -> keras.Model:
    """DCGAN discriminator: stride-2 convolutions with leaky ReLU, then one logit.

    It returns a logit, not a probability: the losses in ``ganlab.losses`` apply the
    sigmoid themselves, which is numerically stable. ``batch_norm`` is off by default
    because it couples the real and fake halves of a batch (and breaks gradient penalties).
    """
    if not widths:
        raise ValueError("widths needs at least one entry")
    image = keras.Input(shape=tuple(image_shape), name="image")
    x = image
    for index, filters in enumerate(widths, start=1):
        x = layers.Conv2D(filters, kernel_size, strides=2, padding="same", name=f"down{index}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"down{index}_bn")(x)
        x = layers.LeakyReLU(0.2, name=f"down{index}_act")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"down{index}_dropout")(x)
    x = layers.Flatten(name="flatten")(x)
    logit = layers.Dense(1, name="logit")(x)
    return keras.Model(image, logit, name=name)


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
        raise ValueError("widths needs at least one entry")
    noise = keras.Input(shape=(latent_dim,), name="noise")
    x = noise
    for index, units in enumerate(widths, start=1):
        x = layers.Dense(units, name=f"dense{index}")(x)
        x = layers.LeakyReLU(0.2, name=f"dense{index}_act")(x)
    size = 1
    for dimension in output_shape:
        size *= dimension
    x = layers.Dense(size, activation=output_activation, name="to_output")(x)
    if len(output_shape) > 1:
        x = layers.Reshape(tuple(output_shape), name="to_image")(x)
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
        raise ValueError("widths needs at least one entry")
    inputs = keras.Input(shape=tuple(input_shape), name="image" if len(input_shape) > 1 else "point")
    x = layers.Flatten(name="flatten")(inputs) if len(input_shape) > 1 else inputs
    for index, units in enumerate(widths, start=1):
        x = layers.Dense(units, name=f"dense{index}")(x)
        x = layers.LeakyReLU(0.2, name=f"dense{index}_act")(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"dense{index}_dropout")(x)
    logit = layers.Dense(1, name="logit")(x)
    return keras.Model(inputs, logit, name=name)


def apply_in_batches(model: keras.Model, inputs, batch_size: int = 256):
    """``model(inputs, training=False)`` in batches, as numpy (a list of arrays for a model
    with several outputs).

    Used instead of ``model.predict`` for the book's many small inference calls: predict
    compiles a graph per model, and with a new model per call (a loaded generator, a
    judge) TensorFlow warns about retracing and spends seconds tracing.
    """
    import numpy as np

    inputs = np.asarray(inputs)
    if batch_size <= 0:
        raise ValueError(f"batch_size must be positive, got {batch_size}")
    pieces = []
    for start in range(0, len(inputs), batch_size):
        outputs = model(inputs[start : start + batch_size], training=False)
        if isinstance(outputs, (list, tuple)):
            pieces.append([keras.ops.convert_to_numpy(output) for output in outputs])
        else:
            pieces.append(keras.ops.convert_to_numpy(outputs))
    if not pieces:
        raise ValueError("no inputs")
    if isinstance(pieces[0], list):
        return [np.concatenate(parts) for parts in zip(*pieces)]
    return np.concatenate(pieces)
