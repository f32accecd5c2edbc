"`python -m hcr`: the same as the `hcr` command."
from hcr.cli import main

if __name__ == "__main__":
    main()
