"The seed's entry point, kept working: `python main.py` trains on MNIST and evaluates (`hcr train`); options pass through."
import sys

from hcr.cli import main

if __name__ == '__main__':
    main(['train', '--dataset', 'mnist', *sys.argv[1:]])
