"""Finding a font with Chinese glyphs for `lang="zh"`.

English figures use DejaVu Sans, which ships with matplotlib. Chinese figures need a CJK
font: one installed on the system (Noto Sans CJK SC, Source Han Sans SC, ...) or the one
the `zh` extra installs (`pip install "edusim[zh]"`: the package noto-cjk-sans-otc, the
Noto Sans CJK collection under the SIL Open Font License).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from functools import cache

from matplotlib import font_manager

CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK JP",  # the first face of a collection on matplotlib < 3.11; same hanzi set
)
"""Families with simplified-Chinese glyphs, most preferred first."""

FONT_PACKAGES: tuple[tuple[str, str], ...] = (("noto_cjk_sans_otc", "FONT_PATH"),)
"""(module, attribute holding the font file's path) of packages that ship a CJK font."""

INSTALL_HINT = 'pip install "edusim[zh]"'


class FontMissingError(RuntimeError):
    """No font with Chinese glyphs is available for `lang="zh"`."""

    def __init__(self) -> None:
        super().__init__(
            "Chinese labels (--lang zh) need a CJK font and none was found; install one "
            f"with `{INSTALL_HINT}` (Noto Sans CJK, SIL Open Font License) or a system "
            "package such as fonts-noto-cjk"
        )


def _available(families: Sequence[str]) -> str | None:
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in families if family in names), None)


def _register_packaged(packages: Sequence[tuple[str, str]]) -> None:
    for module_name, attribute in packages:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        font_manager.fontManager.addfont(str(getattr(module, attribute)))


@cache
def cjk_family(
    families: Sequence[str] = CJK_FAMILIES,
    packages: Sequence[tuple[str, str]] = FONT_PACKAGES,
) -> str:
    """The family name of a usable CJK font, registering a packaged one if needed.

    Raises FontMissingError (with the install command) when there is none.
    """
    found = _available(families)
    if found is None:
        _register_packaged(packages)
        found = _available(families)
    if found is None:
        raise FontMissingError()
    return found
