"""Does a deeper network raise EMNIST's balanced accuracy, or MNIST's accuracy? (issue 20) hcr's training on a deeper network.

`conv`: hcr's default network with an extra padded 3x3 convolution (96 filters, BatchNorm, ReLU) on the 5x5 maps before
the last block (373,727 parameters for EMNIST against 290,399); `twoconv`: that one and another (48 filters) on the
13x13 maps after the first pooling (330,682 parameters for MNIST, about 1.8x the multiply-adds); `hidden`: a hidden
layer of 256 units (BatchNorm, ReLU) between the flattened maps and the dropout (664,607 parameters); `vgg`: another
family, the network of C. Deotte's Kaggle study of MNIST architectures (2018): two 3x3 convolutions and a strided 5x5
one (in place of pooling) at 32 and at 64 filters, dropout 0.4 after each group, a 4x4 convolution of 128 filters to
1x1, dropout 0.4, softmax, BatchNorm after every convolution (326,826 parameters for MNIST, about 2.2x the multiply-adds). None is an hcr
model (none beat the default), so the script swaps `hcr.train`'s `build_model` for its own and trains as `hcr train` does with the flags given. Printed:
validation accuracy per epoch (the network alone) and the saved model's validation balanced accuracy.

Run from the repository root: `.venv/bin/python benchmarks/deeper_probe.py conv|twoconv|hidden OUT_DIR [hcr train flags]`, e.g.
`... conv runs/deeper --dataset emnist --source idx --data-dir ../shared/data/emnist --epochs 10 --logit-adjustment 1`
(about 20-23 minutes on 2 cores), or `... twoconv runs/deeper --dataset mnist --source idx --data-dir ../shared/data/mnist`
(about 13 minutes). docs/decisions.md quotes it.
"""
import argparse
import os
from pathlib import Path
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '3')
import keras
from keras import layers
import hcr.train
from hcr.cli import add_config_arguments
from hcr.model import conv_block
from probe_run import train_and_print

p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
p.add_argument('variant', choices=('conv', 'twoconv', 'hidden', 'vgg'))
p.add_argument('out_dir', type=Path)
add_config_arguments(p)
args = p.parse_args()


def conv_bn_relu(x, layer, name: str):
    "`layer`, then BatchNorm (momentum 0.9, as hcr's blocks) and ReLU."
    x = layers.BatchNormalization(momentum=0.9, name=f'{name}_bn')(layer(x))
    return layers.ReLU(name=f'{name}_relu')(x)


def deeper_cnn(num_classes: int, filters: tuple = (48, 96, 192), dropout: float = 0.3) -> keras.Model:
    "`hcr.model.hcr_cnn` with the extra layer `args.variant` names (layers made in the order they are used: the seed's weights)."
    inputs = keras.Input((28, 28, 1), name='image')
    x = conv_block(inputs, filters[0], 'block1', pool=True)
    if args.variant == 'twoconv':
        x = conv_bn_relu(x, layers.Conv2D(filters[0], 3, padding='same', use_bias=False, name='block1b_conv'), 'block1b')
    x = conv_block(x, filters[1], 'block2', pool=True)
    if args.variant in ('conv', 'twoconv'):
        x = conv_bn_relu(x, layers.Conv2D(filters[1], 3, padding='same', use_bias=False, name='block2b_conv'), 'block2b')
    x = layers.Flatten()(conv_block(x, filters[2], 'block3', pool=False))
    if args.variant == 'hidden': x = conv_bn_relu(x, layers.Dense(256, use_bias=False, name='hidden'), 'hidden')
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(num_classes, activation='softmax', dtype='float32', name='probabilities')(x)
    return keras.Model(inputs, outputs, name='hcr_cnn')


def vgg_cnn(num_classes: int) -> keras.Model:
    "The `vgg` variant (the docstring above)."
    inputs = keras.Input((28, 28, 1), name='image')
    x = inputs
    for i, f in enumerate((32, 64)):
        for j, (size, stride) in enumerate(((3, 1), (3, 1), (5, 2))):
            padding = 'same' if stride == 2 else 'valid'
            x = conv_bn_relu(x, layers.Conv2D(f, size, strides=stride, padding=padding, use_bias=False, name=f'g{i}c{j}'), f'g{i}c{j}')
        x = layers.Dropout(0.4)(x)
    x = layers.Flatten()(conv_bn_relu(x, layers.Conv2D(128, 4, use_bias=False, name='last'), 'last'))
    x = layers.Dropout(0.4)(x)
    outputs = layers.Dense(num_classes, activation='softmax', dtype='float32', name='probabilities')(x)
    return keras.Model(inputs, outputs, name='hcr_cnn')


build = vgg_cnn if args.variant == 'vgg' else deeper_cnn
hcr.train.build_model = lambda name, num_classes, sync_bn=False, precision='float32': build(num_classes)
train_and_print(args, args.variant)
