"""What the training probes share: train as `hcr train` does with the flags given, swapped parts and all, and print the
figures docs/decisions.md quotes (imported by the `*_probe.py` scripts beside it)."""
import argparse
from pathlib import Path

import hcr.train
from hcr.cli import add_config_arguments, config_from_args
from hcr.fit import compile_model


def probe_args(doc: str, *arguments: tuple) -> argparse.Namespace:
    """A probe's command line: OUT_DIR, then `arguments` (each `(name, type, help)`), then `hcr train`'s flags; the first
    line of the probe's `doc` describes it in `--help`."""
    p = argparse.ArgumentParser(description=doc.split('\n')[0])
    p.add_argument('out_dir', type=Path)
    for name, kind, help in arguments: p.add_argument(name, type=kind, help=help)
    add_config_arguments(p)
    return p.parse_args()


def swap_optimizer(make_optimizer):
    """Make `hcr.train` compile as `hcr.fit.compile_model` does, then again with `make_optimizer(config)`, where `config`
    is hcr's Adam's (its schedule included): the same loss and metrics, another optimizer."""
    def compile_swapped(model, *positional, **keywords):
        model = compile_model(model, *positional, **keywords)
        model.compile(optimizer=make_optimizer(model.optimizer.get_config()), loss=model.loss, metrics=['accuracy'])
        return model
    hcr.train.compile_model = compile_swapped


def train_and_print(args, label: str, callbacks=(), watched: str = 'the network'):
    """Train with the parsed `hcr train` flags `args` into `args.out_dir` (overwriting it) and print `label` with the
    share of images left unaugmented, the training time, each epoch's validation accuracy (of `watched`) and the saved
    model's validation balanced accuracy."""
    run = hcr.train.train(config_from_args(args), out_dir=args.out_dir, verbose=0, overwrite=True, callbacks=callbacks)
    print(f"{label} (unaugmented share {run.record['params']['unaugmented']}): {run.model.count_params():,} parameters, "
          f"{run.record['train_seconds']:.0f} s of training, {run.record['epochs_run']} epochs")
    print(f'validation accuracy per epoch ({watched}):', ' '.join(f'{v:.2%}' for v in run.history.val_accuracy))
    print(f"saved model: validation balanced accuracy {run.record['val_balanced_accuracy']:.2%}")
    return run
