"""emlab.plot's palette for readers with a colour-vision deficiency, computed here from the
papers (not from emlab, nor from a colour library):

- Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of
  color vision deficiency", IEEE TVCG 15(6): protanopia, deuteranopia and tritanopia as
  3x3 matrices on linear RGB (their table, severity 1.0);
- Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula: implementation
  notes, supplementary test data, and mathematical observations", Color Res. Appl. 30(1):
  the colour difference Delta E00 between CIELAB colours, checked on their test pairs;
- IEC 61966-2-1 (sRGB) for linear RGB, CIE XYZ under D65 and CIELAB;
- WCAG 2.1's relative luminance and contrast ratio (1.4.3, 1.4.11).

Asserted: every component colour at >= 3:1 against white; any two of the first K colours
(K <= 10; the issue asks K <= 4) at Delta E00 >= 10 under normal vision and under each
simulation, and as far from black (the mixture's colour); each component's second cue
(marker, line style, hatching) distinct.  ``python tests/test_palette.py`` prints the table.
"""
import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from emlab import plot

# Machado et al. (2009), table 1, severity 1.0: linear RGB -> linear RGB as seen.
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868],
                   [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968],
                     [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779],
                   [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}
VISIONS = ["normal", *MACHADO]
# sRGB (IEC 61966-2-1): linear RGB -> XYZ, and the D65 white point.
SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                        [0.2126729, 0.7151522, 0.0721750],
                        [0.0193339, 0.1191920, 0.9503041]])
D65 = np.array([0.95047, 1.0, 1.08883])
MIN_DELTA_E = 10.0        # the threshold for K <= 4; met here up to K = 10
MIN_CONTRAST = 3.0        # WCAG 1.4.11, graphical objects against their background (white)


def linear(rgb):
    """sRGB in [0, 1] -> linear RGB (the sRGB transfer function inverted)."""
    c = np.asarray(rgb, dtype=float)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def simulate(rgb, vision):
    """Linear RGB of sRGB colour ``rgb`` as seen with ``vision`` (Machado et al., clipped)."""
    lin = linear(rgb)
    return lin if vision == "normal" else np.clip(np.array(MACHADO[vision]) @ lin, 0.0, 1.0)


def lab(lin):
    """Linear RGB -> CIELAB (D65)."""
    t = SRGB_TO_XYZ @ lin / D65
    delta = 6 / 29
    f = np.where(t > delta ** 3, np.cbrt(t), t / (3 * delta ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1, lab2):
    """Delta E00 (kL = kC = kH = 1), step by step as Sharma et al. (2005), eqs. (2)-(22)."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    C_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    G = 0.5 * (1 - np.sqrt(C_mean ** 7 / (C_mean ** 7 + 25 ** 7)))
    a1p, a2p = (1 + G) * a1, (1 + G) * a2
    C1p, C2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360 if C1p else 0.0
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360 if C2p else 0.0
    dLp, dCp = L2 - L1, C2p - C1p
    if C1p * C2p == 0:
        dhp = 0.0
    else:
        dhp = h2p - h1p
        dhp = dhp - 360 if dhp > 180 else dhp + 360 if dhp < -180 else dhp
    dHp = 2 * np.sqrt(C1p * C2p) * np.sin(np.radians(dhp / 2))
    Lp_mean, Cp_mean = (L1 + L2) / 2, (C1p + C2p) / 2
    if C1p * C2p == 0:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    else:
        hp_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    T = (1 - 0.17 * np.cos(np.radians(hp_mean - 30)) + 0.24 * np.cos(np.radians(2 * hp_mean))
         + 0.32 * np.cos(np.radians(3 * hp_mean + 6)) - 0.20 * np.cos(np.radians(4 * hp_mean - 63)))
    d_theta = 30 * np.exp(-(((hp_mean - 275) / 25) ** 2))
    R_C = 2 * np.sqrt(Cp_mean ** 7 / (Cp_mean ** 7 + 25 ** 7))
    S_L = 1 + 0.015 * (Lp_mean - 50) ** 2 / np.sqrt(20 + (Lp_mean - 50) ** 2)
    S_C = 1 + 0.045 * Cp_mean
    S_H = 1 + 0.015 * Cp_mean * T
    R_T = -np.sin(np.radians(2 * d_theta)) * R_C
    return float(np.sqrt((dLp / S_L) ** 2 + (dCp / S_C) ** 2 + (dHp / S_H) ** 2
                         + R_T * (dCp / S_C) * (dHp / S_H)))


def delta_e(c1, c2, vision="normal"):
    """Delta E00 between two sRGB colours as seen with ``vision``."""
    return ciede2000(lab(simulate(c1, vision)), lab(simulate(c2, vision)))


def luminance(rgb):
    """WCAG 2.1 relative luminance (its transfer-function threshold 0.03928)."""
    c = np.asarray(rgb, dtype=float)
    lin = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(lin @ [0.2126, 0.7152, 0.0722])


def contrast(c1, c2=(1.0, 1.0, 1.0)):
    """WCAG 2.1 contrast ratio (L_lighter + 0.05) / (L_darker + 0.05)."""
    l1, l2 = sorted([luminance(c1), luminance(c2)])
    return (l2 + 0.05) / (l1 + 0.05)


def min_delta_e(colors, vision):
    return min(delta_e(a, b, vision) for a, b in itertools.combinations(colors, 2))


def palette(k):
    return [tuple(c[:3]) for c in plot.component_colors(k)]


# ---- the formulas, checked against published values ---------------------------------------

# Sharma et al. (2005), table 1: pairs 1, 7, 13, 17, 19, 25, 34.
SHARMA_PAIRS = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


@pytest.mark.parametrize("lab1, lab2, expected", SHARMA_PAIRS)
def test_ciede2000_matches_sharma_test_data(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=1e-4)


def test_colour_formulas_on_known_values():
    assert lab(linear([1.0, 1.0, 1.0])) == pytest.approx([100.0, 0.0, 0.0], abs=1e-3)
    assert lab(linear(to_rgb("#FF0000"))) == pytest.approx([53.24, 80.09, 67.20], abs=0.02)
    assert contrast((0, 0, 0)) == pytest.approx(21.0)
    assert contrast(to_rgb("#767676")) == pytest.approx(4.54, abs=0.005)   # the 4.5:1 grey
    for vision, matrix in MACHADO.items():        # white and black are seen unchanged
        assert np.array(matrix).sum(axis=1) == pytest.approx(1.0, abs=1e-3), vision
    # The known confusions: tab10's orange and green under protanopia, and red and green
    # under deuteranopia, nearly vanish (the reason for the palette).
    orange, green, red = (to_rgb(c) for c in ("tab:orange", "tab:green", "tab:red"))
    assert delta_e(orange, green, "protanopia") < 2 < 30 < delta_e(orange, green)
    assert delta_e(green, red, "deuteranopia") < 6


# ---- the palette ----------------------------------------------------------------------------

@pytest.mark.parametrize("k", range(2, 11))
@pytest.mark.parametrize("vision", VISIONS)
def test_components_stay_distinct_for_each_vision(k, vision):
    assert min_delta_e(palette(k), vision) >= MIN_DELTA_E


@pytest.mark.parametrize("vision", VISIONS)
def test_components_stay_apart_from_black_the_mixture(vision):
    assert min(delta_e(c, (0, 0, 0), vision) for c in palette(10)) >= MIN_DELTA_E


def test_every_colour_at_3_to_1_against_white():
    assert min(contrast(c) for c in palette(10)) >= MIN_CONTRAST


def test_mixed_colours_of_points_stay_at_3_to_1():
    """resp_points mixes the colours by responsibilities: a mix is no lighter than 3:1."""
    colors = plot.component_colors(4)
    resp = np.random.default_rng(0).dirichlet([0.5] * 4, size=2000)
    mixed = plot.resp_colors(resp, colors)
    assert min(contrast(c[:3]) for c in mixed) >= MIN_CONTRAST


def test_palette_starts_with_okabe_ito_and_repeats_beyond_ten():
    assert [tuple(c) for c in palette(4)] == [to_rgb(c) for c in ("#0072B2", "#D55E00", "#009E73", "#CC79A7")]
    assert palette(12)[10:] == palette(2)
    assert plot.component_colors(3).shape == (3, 4) and (plot.component_colors(3)[:, 3] == 1).all()


def test_each_component_has_its_own_second_cue():
    k = 10
    for cues in (plot.component_markers(k), plot.component_linestyles(k), plot.component_hatches(k)):
        assert len(cues) == k and len(set(map(str, cues))) == k
    assert not {"-", "solid", (0, ())} & {str(s) for s in plot.component_linestyles(k)}
    assert not {"D", "X"} & set(plot.component_markers(k))     # free for labelled points, means
    from matplotlib.markers import MarkerStyle
    assert all(MarkerStyle(m).is_filled() for m in plot.component_markers(k))


def test_export_style_sheet_colours_text_at_4_5_to_1():
    """tools/export_a11y.css (the exported pages and decks): every code colour at >= 4.5:1 on
    the code cells' #f5f5f5, every prompt colour on white (WCAG 1.4.3)."""
    import re
    from pathlib import Path
    css = (Path(__file__).resolve().parents[1] / "tools" / "export_a11y.css").read_text()
    colours = dict(re.findall(r"--jp-([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    code = {k: v for k, v in colours.items() if k.startswith("mirror-editor")}
    prompts = {k: v for k, v in colours.items() if "prompt" in k}
    assert len(code) >= 20 and len(prompts) == 3
    assert {k: round(contrast(to_rgb(v), to_rgb("#f5f5f5")), 2) for k, v in code.items()
            if contrast(to_rgb(v), to_rgb("#f5f5f5")) < 4.5} == {}
    assert min(contrast(to_rgb(v)) for v in prompts.values()) >= 4.5
    assert "--jp-cell-prompt-not-active-opacity: 1;" in css


def report():
    """The palette's minimum Delta E00 per vision for K = 2..10 and its contrasts on white."""
    lines = ["K   " + "  ".join(f"{v:>12}" for v in VISIONS)]
    for k in range(2, 11):
        lines.append(f"{k:<3} " + "  ".join(f"{min_delta_e(palette(k), v):12.1f}" for v in VISIONS))
    ratios = [contrast(c) for c in palette(10)]
    lines.append("contrast on white: " + ", ".join(f"{h} {r:.2f}" for h, r in zip(plot.PALETTE, ratios)))
    lines.append(f"minimum contrast {min(ratios):.2f}:1")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
