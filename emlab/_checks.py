from .checks import *  # noqa: F401,F403  emlab.checks under its former name, until nothing imports it
