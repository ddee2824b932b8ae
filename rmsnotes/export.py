"""Figure export: PNGs and GIFs into ``figures/``, byte-identical on every re-run.

Drawing lives in :mod:`rmsnotes.plotting` and :mod:`rmsnotes.animation`; this module
only writes files::

    figure_path(name, suffix)      where a figure goes (the one name rule, PNG and GIF)
    save_figure(fig, name)         a PNG at 150 dpi, no version or date inside
    save_and_show(fig, name)       save_figure, then show that very PNG and close fig
    save_gif(anim, name, fps=12)   a looping GIF with one palette for all frames
    SharedPaletteWriter            the GIF writer save_gif uses

The folder is ``folder=`` if given, else ``$RMSNOTES_FIGURES`` if set, else the
repository's ``figures/``. A notebook writes::

    fig, ax = plotting.new_figure()
    plotting.plot_paths(surface, runs, ax=ax)
    export.save_and_show(fig, "05_valley")       # figures/05_valley.png, shown inline

Determinism: the PNG carries no software version or date; before saving, the
figure's constrained layout is run to its fixed point and the axes positions are
rounded, so the pixels do not depend on how often the figure was drawn before
(shown inline, say). The GIF's frames share one palette built from the frames
themselves, so the same frames always give the same bytes.

Nothing happens at import: no rcParams, no backend, no files.
"""

from __future__ import annotations

import os
import re
from io import BytesIO
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import rc_context
from matplotlib.animation import Animation, PillowWriter
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from PIL import Image

from rmsnotes._validate import positive as _positive

__all__ = [
    "DPI",
    "FPS",
    "figure_path",
    "save_figure",
    "save_and_show",
    "save_gif",
    "SharedPaletteWriter",
]

DPI = 150  #: default resolution of a PNG (the course's figures are >= 150 dpi)
FPS = 12  #: default frames per second of a GIF (and of animation.animate_race)
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_BACKGROUND = "white"


# -------------------------------------------------------------------------- paths


def _figures_folder(folder: str | os.PathLike | None) -> Path:
    if folder is None:
        folder = os.environ.get("RMSNOTES_FIGURES") or None
    if folder is not None:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        return path
    repo = Path(__file__).resolve().parents[1]
    path = repo / "figures"
    if not path.is_dir():
        if not (repo / "pyproject.toml").is_file():
            raise FileNotFoundError(
                f"rmsnotes is not running from the course repository ({repo}); "
                "pass folder=... or set RMSNOTES_FIGURES"
            )
        path.mkdir()
    return path


def figure_path(name: str, suffix: str, *, folder: str | os.PathLike | None = None) -> Path:
    """Where a figure called ``name`` goes: ``<folder>/<name><suffix>``, name checked.

    The folder is ``folder`` if given, else ``$RMSNOTES_FIGURES`` if set, else the
    repository's ``figures/`` (created if missing). ``name`` may end in ``suffix``;
    otherwise it must be letters, digits, ``_`` and ``-`` only: no folders, no other
    extension, so a figure can never land outside the folder.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     figure_path("05_race.gif", ".gif", folder=tmp).name
        '05_race.gif'
        >>> figure_path("../escape", ".png")
        Traceback (most recent call last):
        ...
        ValueError: bad figure name '../escape': use letters, digits, '_' and '-' only, optionally ending in '.png' (no folders, no other extension)
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    stem = name[: -len(suffix)] if name.lower().endswith(suffix) else name
    if not _NAME.fullmatch(stem):
        raise ValueError(
            f"bad figure name {name!r}: use letters, digits, '_' and '-' only, "
            f"optionally ending in '{suffix}' (no folders, no other extension)"
        )
    return _figures_folder(folder) / f"{stem}{suffix}"


# -------------------------------------------------------------------------- PNGs


def _settle_layout(fig):
    """Fix the figure's layout the same way however often it was drawn before, pause
    the layout engine, and return it to restore after saving (or None).

    The constrained layout starts from the axes' current positions, and each draw
    moves them a little (it converges, then wobbles in the last bit), so the pixels
    of a saved figure would depend on how often it had been drawn before. A figure
    whose axes all sit on a grid (``plotting.new_figure``, ``plt.subplots``) is put
    back on the grid's own positions and laid out once, which is what its first
    draw would do; other figures (colour bars, hand-placed axes) are laid out until
    the positions stop moving. Either way the positions are then rounded and frozen.
    """
    engine = fig.get_layout_engine()
    if engine is None or isinstance(engine, PlaceHolderLayoutEngine) or not fig.axes:
        return None

    def positions():
        return np.array([ax.get_position(original=True).bounds for ax in fig.axes])

    def place(ax, pos):
        in_layout = ax.get_in_layout()  # set_position would take it out of the layout
        ax.set_position(pos, which="both")
        ax.set_in_layout(in_layout)

    specs = [ax.get_subplotspec() for ax in fig.axes]
    if all(spec is not None for spec in specs):
        for ax, spec in zip(fig.axes, specs, strict=True):
            place(ax, spec.get_position(fig))
        engine.execute(fig)
        new = positions()
    else:
        old = positions()
        for _ in range(20):
            engine.execute(fig)
            new = positions()
            converged = new.shape == old.shape and np.abs(new - old).max() < 1e-14
            old = new
            if converged:
                break
    for ax, pos in zip(fig.axes, np.round(new, 7), strict=True):
        in_layout = ax.get_in_layout()
        ax.set_position(pos, which="original")
        ax.set_in_layout(in_layout)
    # No engine at all while saving (not even "none"'s placeholder): savefig then skips
    # the extra layout draw it makes for a figure that has one, about a third of the
    # cost of a save; the positions were frozen just above.
    fig.set_layout_engine(None)
    return engine


def save_figure(fig, name: str, *, folder: str | os.PathLike | None = None, dpi: int = DPI) -> Path:
    """Save ``fig`` as ``<folder>/<name>.png``, byte-identical on every re-run.

    The folder is ``folder`` if given, else ``$RMSNOTES_FIGURES`` if set, else the
    repository's ``figures/``. The PNG carries no software version or date, so
    re-executing a seeded notebook rewrites the same bytes.

    Args:
        fig: a matplotlib Figure.
        name: file name of letters, digits, ``_`` and ``-``, optionally ending in
            ``.png``; no folders, no other extension.
        folder: where to write (created if missing).
        dpi: resolution, >= 150 by default: a 4 x 3.2 inch panel is 600 x 480 pixels.

    Returns:
        The :class:`pathlib.Path` written.

    Example:
        >>> import tempfile
        >>> from rmsnotes import plotting
        >>> fig, ax = plotting.new_figure()
        >>> _ = plotting.plot_curve([3, 2, 1], ax=ax, ylabel="loss")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = save_figure(fig, "demo", folder=tmp)
        ...     path.name, path.read_bytes()[:4]
        ('demo.png', b'\\x89PNG')
        >>> plt.close(fig)
    """
    dpi = _positive("dpi", dpi)
    path = figure_path(name, ".png", folder=folder)
    # Lay out at the saving resolution: the draw that follows then reuses the text
    # measurements the layout made (about a fifth of the cost of a figure).
    screen_dpi = fig.dpi
    fig.dpi = dpi
    try:
        engine = _settle_layout(fig)
    finally:
        fig.dpi = screen_dpi
    try:
        fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})
    finally:
        if engine is not None:
            fig.set_layout_engine(engine)
    return path


def save_and_show(
    fig, name: str, *, folder: str | os.PathLike | None = None, dpi: int = DPI
) -> None:
    """Save ``fig`` with :func:`save_figure`, show that very PNG, and close ``fig``.

    What the notebook shows is then exactly the file in ``figures/`` (the README
    embeds the same files), and the figure is drawn once instead of twice, which
    keeps the notebooks fast. The PNG is shown at the width it would have at 100
    dpi, so a 150-dpi figure is sharper in the notebook, not bigger. Returns None, so
    a cell ending with this call shows the figure and nothing else. Use
    ``save_figure`` and ``plt.show()`` instead when you want to keep working on the
    figure.

    Example:
        >>> import tempfile
        >>> from rmsnotes import plotting
        >>> fig, ax = plotting.new_figure()
        >>> _ = plotting.plot_curve([3, 2, 1], ax=ax, ylabel="loss")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     save_and_show(fig, "demo", folder=tmp)   # outside IPython: prints the repr
        <IPython.core.display.Image object>
        >>> plt.fignum_exists(fig.number)
        False
    """
    from IPython.display import Image as IPImage  # IPython comes with every Jupyter kernel
    from IPython.display import display

    path = save_figure(fig, name, folder=folder, dpi=dpi)
    width = round(float(fig.get_size_inches()[0]) * 100)
    display(IPImage(data=path.read_bytes(), format="png", width=width))
    plt.close(fig)


# -------------------------------------------------------------------------- GIFs


class SharedPaletteWriter(PillowWriter):
    """matplotlib's :class:`~matplotlib.animation.PillowWriter`, with one colour
    palette for the whole GIF.

    PillowWriter hands Pillow full-colour frames, and Pillow builds a fresh
    256-colour palette for each frame (median cut, about 10 ms for 400 x 320
    pixels). This writer builds *one* palette, the 256 commonest colours of a
    strip of frames sampled across the animation, and maps every frame onto it
    without dithering (well under 1 ms a frame); Pillow then stores each frame
    with just the palette entries it uses. Both are deterministic; this one is
    several times faster to encode, gives a smaller file, and a colour cannot
    flicker from frame to frame because each frame got its own palette.

    Frames are drawn exactly as PillowWriter draws them (``savefig`` to raw RGBA
    at the writer's dpi); transparency is dropped (the race has a white
    background).

    Example:
        >>> SharedPaletteWriter(fps=8).fps
        8
    """

    samples = 8  #: frames sampled, evenly, to build the palette

    def setup(self, fig, outfile, dpi=None):
        super().setup(fig, outfile, dpi=dpi)
        self._rgb_frames = []

    def grab_frame(self, **savefig_kwargs):
        buf = BytesIO()
        self.fig.savefig(buf, **{**savefig_kwargs, "format": "rgba", "dpi": self.dpi})
        frame = Image.frombuffer("RGBA", self.frame_size, buf.getbuffer(), "raw", "RGBA", 0, 1)
        self._rgb_frames.append(frame.convert("RGB"))

    def finish(self):
        frames = self._rgb_frames
        picks = [frames[i] for i in np.linspace(0, len(frames) - 1, self.samples).astype(int)]
        width, height = frames[0].size
        strip = Image.new("RGB", (width, height * len(picks)))
        for k, frame in enumerate(picks):
            strip.paste(frame, (0, k * height))
        # The 256 commonest colours (ties broken by the colour itself). Flat areas,
        # such as the racers' colours and the yellow star, keep their true colour,
        # which a median cut (it averages each box of colours) would shift. Pillow
        # maps a pixel to a nearby palette entry, not always the nearest: white
        # comes out as (252, 252, 252), as with PillowWriter itself.
        counts = strip.getcolors(maxcolors=strip.width * strip.height)
        common = sorted(counts, key=lambda item: (-item[0], item[1]))[:256]
        palette = Image.new("P", (1, 1))
        flat = [channel for _, rgb in common for channel in rgb]
        palette.putpalette(flat + flat[:3] * (256 - len(common)))
        coded = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames]
        coded[0].save(
            self.outfile,
            save_all=True,
            append_images=coded[1:],
            duration=int(1000 / self.fps),
            loop=0,
        )


def save_gif(
    anim: Animation,
    name: str,
    *,
    fps: float = FPS,
    folder: str | os.PathLike | None = None,
) -> Path:
    """Write ``anim`` as ``<folder>/<name>.gif``, byte-identical on every re-run.

    Uses :class:`SharedPaletteWriter`, matplotlib's
    :class:`~matplotlib.animation.PillowWriter` with one palette for all frames:
    every frame is drawn by Agg on a white background (no transparency), mapped to
    a 256-colour palette and written by Pillow as a looping GIF. Nothing in the file
    depends on the time or the software versions, so the same frames give the same
    bytes. A GIF in ``figures/`` shows in a markdown cell
    (``![race](../figures/05_race.gif)``) on GitHub and in JupyterLab without
    trusting the notebook.

    The frames are drawn at the figure's own resolution (``animate_race(dpi=...)``),
    which the still background of :func:`rmsnotes.animation.animate_race` was drawn
    for.

    Args:
        anim: a matplotlib animation, e.g. from :func:`rmsnotes.animation.animate_race`.
        name: file name of letters, digits, ``_`` and ``-``, optionally ending in
            ``.gif``; no folders, no other extension.
        fps: frames per second (each frame lasts ``int(1000 / fps)`` ms); give the
            animation's own fps.
        folder: where to write (created if missing); the same rule as
            :func:`save_figure`.

    Returns:
        The :class:`pathlib.Path` written.

    Example:
        >>> save_gif(None, "../escape")
        Traceback (most recent call last):
        ...
        TypeError: anim must be a matplotlib Animation, got NoneType
    """
    if not isinstance(anim, Animation):
        raise TypeError(f"anim must be a matplotlib Animation, got {type(anim).__name__}")
    fps = _positive("fps", fps)
    path = figure_path(name, ".gif", folder=folder)
    # savefig.dpi "figure": a matplotlibrc cannot change the frame size behind our back.
    with rc_context({"savefig.dpi": "figure"}):
        anim.save(
            path,
            writer=SharedPaletteWriter(fps=fps),
            savefig_kwargs={"facecolor": _BACKGROUND, "transparent": False},
        )
    return path
