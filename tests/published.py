"""Published data the tests check against, typed in from the paper (not read from emlab.data)."""
import numpy as np

# Do & Batzoglou (2008), Fig. 1: five sets of ten tosses, as (heads, tails) per set.
DO_BATZOGLOU = np.array([[5, 5], [9, 1], [8, 2], [4, 6], [7, 3]])
