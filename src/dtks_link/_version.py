"""The package version (one place; ``dtks_link.__version__``)."""

__version__ = "0.1.0"
