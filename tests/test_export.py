"""Tests of rmsnotes.export: PNG and GIF files, names, folders, determinism."""

import matplotlib

matplotlib.use("Agg")

import doctest  # noqa: E402
import hashlib  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from helpers import assert_import_changes_nothing, four_histories  # noqa: E402
from matplotlib.layout_engine import ConstrainedLayoutEngine  # noqa: E402
from PIL import Image  # noqa: E402

from rmsnotes import animation, export, optim, plotting, surfaces  # noqa: E402

# --------------------------------------------------------------------------- PNG


def _histories(s, steps=100):
    return four_histories(s, steps)


def _two_panel_figure():
    s = surfaces.quadratic()
    hists = _histories(s)
    fig, (a, b) = plotting.new_figure(2)
    plotting.plot_paths(s, hists, ax=a, log=True)
    plotting.plot_losses(hists, ax=b)
    a.set_title("paths")
    return fig


def test_save_figure_writes_png_into_folder(tmp_path):
    fig = _two_panel_figure()
    path = export.save_figure(fig, "two_panel", folder=tmp_path)
    assert path == tmp_path / "two_panel.png"
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) < 300_000
    with Image.open(path) as im:
        dpi = im.info["dpi"]
        assert im.size == (1200, 480)  # 8 x 3.2 inches at 150 dpi
    assert dpi == pytest.approx((150, 150), abs=0.05)  # PNG stores whole pixels per metre
    assert b"Software" not in data and b"atplotlib" not in data  # no version stamp
    assert export.save_figure(fig, "again.png", folder=tmp_path / "sub").is_file()


def test_save_figure_is_deterministic(tmp_path):
    fig = _two_panel_figure()
    a = export.save_figure(fig, "a", folder=tmp_path).read_bytes()
    b = export.save_figure(fig, "b", folder=tmp_path).read_bytes()
    fig.canvas.draw()  # e.g. shown inline in between: the bytes must not care
    c = export.save_figure(fig, "c", folder=tmp_path).read_bytes()
    plt.close(fig)
    d = export.save_figure(_two_panel_figure(), "d", folder=tmp_path).read_bytes()
    assert a == b == c == d
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)  # restored


def test_save_figure_is_deterministic_with_colorbar(tmp_path):
    # A colorbar makes the constrained layout take several draws to settle.
    fig, ax = plotting.new_figure()
    fig.colorbar(plotting.plot_contours(surfaces.quadratic(), ax=ax, n=50), ax=ax)
    a = export.save_figure(fig, "a", folder=tmp_path).read_bytes()
    b = export.save_figure(fig, "b", folder=tmp_path).read_bytes()
    assert a == b


def test_save_figure_lays_a_grid_out_once_and_restores_the_figure(tmp_path):
    """Speed: a grid figure gets one layout pass (at the saving dpi, so the draw reuses
    its text measurements); the figure keeps its own dpi and layout engine."""
    fig = _two_panel_figure()
    engine = fig.get_layout_engine()
    calls = []
    execute = engine.execute
    engine.execute = lambda f: (calls.append(f.dpi), execute(f))[1]
    export.save_figure(fig, "once", folder=tmp_path)
    assert calls == [150]
    assert fig.dpi == 100 and fig.get_layout_engine() is engine


def test_save_figure_env_var_and_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("RMSNOTES_FIGURES", str(tmp_path / "env"))
    fig, ax = plotting.new_figure()
    assert export.save_figure(fig, "x").parent == tmp_path / "env"
    assert export.save_figure(fig, "x", folder=tmp_path).parent == tmp_path


def test_default_folder_is_the_repository_figures():
    repo_figures = Path(export.__file__).resolve().parents[1] / "figures"
    if not repo_figures.is_dir():
        pytest.skip("no figures/ folder in this checkout")
    assert export._figures_folder(None) == repo_figures


@pytest.mark.parametrize(
    "name",
    ["", "a/b", "../a", "a\\b", "/tmp/a", "fig.svg", "fig.pdf", "fig.", "lr0.05", ".png"],
)
def test_save_figure_rejects_bad_names(name, tmp_path):
    fig, ax = plotting.new_figure()
    with pytest.raises(ValueError, match="bad figure name"):
        export.save_figure(fig, name, folder=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_save_figure_rejects_non_str(tmp_path):
    fig, ax = plotting.new_figure()
    with pytest.raises(TypeError, match="name must be a str"):
        export.save_figure(fig, Path("x.png"), folder=tmp_path)


def test_save_and_show_displays_the_saved_file_and_closes_the_figure(tmp_path, monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    fig = _two_panel_figure()
    assert export.save_and_show(fig, "both", folder=tmp_path) is None
    saved = (tmp_path / "both.png").read_bytes()
    assert len(shown) == 1 and shown[0].data == saved and shown[0].format == "png"
    assert shown[0].width == 800  # shown at its 100-dpi width: sharper, not bigger
    assert not plt.fignum_exists(fig.number)


# --------------------------------------------------------------------------- GIF


@pytest.fixture(scope="module")
def short_runs():
    s = surfaces.two_wells()
    runs = {
        "AdaGrad": optim.run(optim.adagrad(0.1), s.grad, s.start, 40),
        "RMSprop": optim.run(optim.rmsprop(0.1, beta=0.99), s.grad, s.start, 40),
    }
    return s, runs


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_save_gif_writes_a_looping_gif(short_runs, tmp_path):
    s, runs = short_runs
    anim = animation.animate_race(s, runs, frames=6, hold=2, fps=10)
    path = export.save_gif(anim, "race", folder=tmp_path, fps=10)
    assert path == tmp_path / "race.gif"
    with Image.open(path) as im:
        assert im.format == "GIF"
        assert im.n_frames == 6  # the held copies merge into the last frame
        assert im.info["loop"] == 0
        assert im.info["duration"] == 100
        assert "transparency" not in im.info


def test_save_gif_is_byte_identical_on_every_run(short_runs, tmp_path):
    s, runs = short_runs
    anim = animation.animate_race(s, runs, frames=8, hold=1)
    a = export.save_gif(anim, "a", folder=tmp_path)
    b = export.save_gif(anim, "b.gif", folder=tmp_path)  # the same animation again
    c = export.save_gif(animation.animate_race(s, runs, frames=8, hold=1), "c", folder=tmp_path)
    assert sha(a) == sha(b) == sha(c)


def test_save_gif_is_byte_identical_in_a_fresh_process(short_runs, tmp_path):
    s, runs = short_runs
    here = export.save_gif(
        animation.animate_race(s, runs, frames=8, hold=1), "here", folder=tmp_path
    )
    script = f"""
import matplotlib
matplotlib.use("Agg")
from rmsnotes import animation, export, optim, surfaces
s = surfaces.two_wells()
runs = {{
    "AdaGrad": optim.run(optim.adagrad(0.1), s.grad, s.start, 40),
    "RMSprop": optim.run(optim.rmsprop(0.1, beta=0.99), s.grad, s.start, 40),
}}
export.save_gif(animation.animate_race(s, runs, frames=8, hold=1), "there", folder={str(tmp_path)!r})
"""
    subprocess.run([sys.executable, "-c", script], check=True)
    assert sha(here) == sha(tmp_path / "there.gif")


def test_save_gif_uses_the_figures_env_var(short_runs, tmp_path, monkeypatch):
    s, runs = short_runs
    monkeypatch.setenv("RMSNOTES_FIGURES", str(tmp_path / "env"))
    path = export.save_gif(animation.animate_race(s, runs, frames=3, hold=0), "env_race")
    assert path == tmp_path / "env" / "env_race.gif"
    assert path.is_file()


@pytest.mark.parametrize(
    "name, error",
    [
        ("../escape", ValueError),
        ("sub/race", ValueError),
        ("race.png", ValueError),
        ("", ValueError),
        (5, TypeError),
    ],
)
def test_save_gif_rejects_bad_names(short_runs, tmp_path, name, error):
    s, runs = short_runs
    anim = animation.animate_race(s, runs, frames=3, hold=0)
    with pytest.raises(error):
        export.save_gif(anim, name, folder=tmp_path)
    export.save_gif(anim, "ok", folder=tmp_path)  # render it, so it is not left unsaved


def test_save_gif_rejects_non_animations_and_bad_fps(short_runs, tmp_path):
    with pytest.raises(TypeError):
        export.save_gif(object(), "x", folder=tmp_path)
    s, runs = short_runs
    anim = animation.animate_race(s, runs, frames=3, hold=0)
    with pytest.raises(ValueError):
        export.save_gif(anim, "x", folder=tmp_path, fps=0)
    export.save_gif(anim, "ok", folder=tmp_path)


def test_the_default_fps_is_the_race_default():
    assert animation.FPS == export.FPS


# ---------------------------------------------------------------------- doctests


def test_docstring_examples():
    result = doctest.testmod(export, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5
    assert result.failed == 0


def test_every_public_function_has_an_example():
    for name in export.__all__:
        obj = getattr(export, name)
        if callable(obj):
            assert re.search(r"Example:\n\s+>>>", obj.__doc__), name


def test_import_does_nothing():
    assert_import_changes_nothing("rmsnotes.export")


def test_the_package_lists_every_module_and_imports_none():
    import rmsnotes

    here = Path(rmsnotes.__file__).parent
    modules = {p.stem for p in here.glob("*.py") if not p.stem.startswith("_")}
    assert set(rmsnotes.__all__) == modules
    for name in modules:
        assert f"\n    {name} " in rmsnotes.__doc__ or f" {name}:" in rmsnotes.__doc__, name
    script = (
        "import sys, rmsnotes; print(sorted(m for m in sys.modules if m.startswith('rmsnotes')))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['rmsnotes']"
