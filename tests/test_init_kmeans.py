"""gaussian.init_kmeans on data with fewer distinct points than components: a ValueError that
says how many distinct points there are and what to do, and the remedy it names works."""
import numpy as np
import pytest

import emlab
from emlab import gaussian

# 12 points but only 2 distinct ones (e.g. rounded measurements)
FEW_DISTINCT = np.repeat([[0.0, 1.0], [2.0, 3.0]], 6, axis=0)


def test_fewer_distinct_points_than_k_names_the_count_and_the_remedies():
    x = FEW_DISTINCT.copy()
    with pytest.raises(ValueError, match=r"x has only 2 distinct point\(s\), fewer than the k = 3 "
                                         r"components.*use k <= 2, or start from "
                                         r"init_random\(x, k, rng\) and run EM with reg_covar > 0"):
        gaussian.init_kmeans(x, 3, np.random.default_rng(0))
    np.testing.assert_array_equal(x, FEW_DISTINCT)


def test_the_named_remedies_work():
    x = FEW_DISTINCT
    two = gaussian.init_kmeans(x, 2, np.random.default_rng(0))
    np.testing.assert_allclose(np.sort(two.means, axis=0), [[0.0, 1.0], [2.0, 3.0]])
    start = gaussian.init_random(x, 3, np.random.default_rng(0))
    history = emlab.run_em(gaussian, x, start, max_iter=50, reg_covar=1e-3)
    assert history.converged and np.all(np.isfinite(history.log_likelihood))


def test_k_distinct_points_are_enough():
    x = np.vstack([FEW_DISTINCT, [[5.0, -1.0]]])
    params = gaussian.init_kmeans(x, 3, np.random.default_rng(1))
    np.testing.assert_allclose(np.sort(params.means[:, 0]), [0.0, 2.0, 5.0])
