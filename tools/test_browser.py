"""Open every notebook in JupyterLab in a real browser and check what a learner sees.

Usage: python tools/test_browser.py [notebooks/X.ipynb ...]   (default: all notebooks)

Starts JupyterLab from this Python's environment on 127.0.0.1 (free port, random
token, autosave off so no notebook is ever written), drives the system Chromium
through playwright and, for each notebook: waits for an idle kernel, runs Kernel >
Restart Kernel and Run All Cells, then checks that no output is an error or stderr,
no raw `$$` is left in rendered markdown, every image loaded, a folded solution opens
on click, and (06) that the keyboard on the `lr` slider redraws the explorer.
A full-page screenshot of each run notebook goes to build/screenshots/<notebook>.png
(windowed rendering off, the window as tall as the notebook, so every cell is drawn).

Then the slides: each notebook is opened as a RISE presentation (/rise/<path>, what
View > Render as slideshow shows) in a 1280x720 window, every slide and subslide is
visited through reveal.js's URL (#/<section id>), and the test fails if a slide's
content reaches outside the screen or a speaker-notes cell is visible on a slide.
The first two slides of each lesson are saved as build/screenshots/<notebook>-slide-*.png.
A table of per-notebook times ends the run. Exit status 1 on any failure, 2 when
Chromium is missing.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Headless in a container: no sandbox (CI runs as root), no GPU, /dev/shm is small,
# and nothing that reaches the network behind our back.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
SCREEN = {"width": 1280, "height": 720}  # the projector the slides must fit
SLIDE_SHOTS = int(os.environ.get("SLIDE_SHOTS", "2"))  # slides saved as screenshots per lesson

# Every subslide of the presentation: reveal.js nests a <section> per subslide in a
# <section> per slide; RISE names them slide-<h>-<v>.
SECTIONS_JS = """() => Array.from(document.querySelectorAll('.reveal .slides > section > section'))
  .map(s => s.id)"""

# The slide on screen: its box and the boxes of what it holds, and whether any
# speaker-notes cell (an <aside class="notes">) is visible.
SLIDE_JS = """id => {
  const s = document.getElementById(id);
  if (!s || !s.classList.contains('present')) return null;
  let top = Infinity, bottom = -Infinity, left = Infinity, right = -Infinity;
  s.querySelectorAll(':scope > .jp-Cell, :scope > .fragment > .jp-Cell').forEach(c => {
    const r = c.getBoundingClientRect();
    if (r.height === 0) return;
    top = Math.min(top, r.top); bottom = Math.max(bottom, r.bottom);
    left = Math.min(left, r.left); right = Math.max(right, r.right);
  });
  const notes = Array.from(s.querySelectorAll('aside.notes'));
  return {top, bottom, left, right, scrollW: s.scrollWidth, clientW: s.clientWidth,
          cells: s.querySelectorAll('.jp-Cell').length, notes: notes.length,
          notesShown: notes.filter(n => n.getClientRects().length > 0 &&
            getComputedStyle(n).display !== 'none' &&
            getComputedStyle(n).visibility !== 'hidden').length};
}"""

# Kernel state as the page shows it: the toolbar's execution indicator, the status
# bar, and every code cell's prompt ("[*]:" while queued or running).
STATE_JS = f"""() => {{
  const ind = document.querySelector('{PANEL} .jp-Notebook-ExecutionIndicator');
  const bar = Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))
    .map(e => e.textContent).join(' | ');
  const prompts = Array.from(
    document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputArea-prompt'))
    .map(e => e.textContent.trim());
  return {{ind: ind ? (ind.getAttribute('data-status') || '') : '', bar, prompts}};
}}"""

# What the learner sees after the run: error and stderr outputs, markdown text that
# still holds `$$` outside MathJax and code, and every image with its loaded size.
CHECK_JS = f"""() => {{
  const root = document.querySelector('{PANEL} .jp-Notebook');
  const text = sel => Array.from(root.querySelectorAll(sel))
    .map(e => e.innerText.slice(0, 300));
  const raw = [];
  root.querySelectorAll('.jp-MarkdownCell .jp-RenderedMarkdown').forEach(m => {{
    const w = document.createTreeWalker(m, NodeFilter.SHOW_TEXT, {{acceptNode(n) {{
      for (let p = n.parentElement; p && p !== m; p = p.parentElement) {{
        if (['MJX-CONTAINER', 'CODE', 'PRE', 'SCRIPT'].includes(p.tagName))
          return NodeFilter.FILTER_REJECT;
      }}
      return NodeFilter.FILTER_ACCEPT; }}}});
    let t = '';
    while (w.nextNode()) t += w.currentNode.nodeValue;
    const k = t.indexOf('$$');
    if (k >= 0) raw.push(t.slice(Math.max(0, k - 60), k + 60));
  }});
  return {{
    errors: text('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]'),
    stderr: text('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'),
    raw_dollars: raw,
    images: Array.from(root.querySelectorAll('.jp-Cell img')).map(i => ({{
      src: (i.getAttribute('src') || '').slice(0, 60),
      loaded: i.complete && i.naturalWidth > 0}})),
  }};
}}"""


class Failure(Exception):
    """A check failed: the notebook does not work as a learner would see it."""


class ColdStart(Exception):
    """Something timed out before the run began: worth the one retry."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(port, token, settings_dir, log):
    # Autosave off (and no checkpoint prompts): the test runs notebooks but must
    # never write their new outputs back to the repository.
    doc = Path(settings_dir, "@jupyterlab", "docmanager-extension")
    doc.mkdir(parents=True)
    (doc / "plugin.jupyterlab-settings").write_text(json.dumps({"autosave": False}))
    # No news / update pop-ups covering the menu bar.
    ext = Path(settings_dir, "@jupyterlab", "apputils-extension")
    ext.mkdir(parents=True)
    (ext / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    # Every cell drawn (no windowed rendering), so that the images check and the
    # full-page screenshot see the whole notebook, not only what is on screen.
    nbx = Path(settings_dir, "@jupyterlab", "notebook-extension")
    nbx.mkdir(parents=True)
    (nbx / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # RISE: no slide transition, so each slide is in place as soon as it is shown.
    rise = Path(settings_dir, "jupyterlab-rise")
    rise.mkdir(parents=True)
    (rise / "plugin.jupyterlab-settings").write_text(json.dumps({"transition": "none"}))
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings_dir))
    env.pop("MPLBACKEND", None)  # the notebooks must pick the inline backend as in Lab
    # The notebooks save their figures; into a scratch folder, not the repository's
    # figures/ (a re-rendered PNG differs byte-wise and would show up as a change).
    figures = Path(settings_dir).parent / "figures"
    figures.mkdir(exist_ok=True)
    env["RMSNOTES_FIGURES"] = str(figures)
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--LabApp.news_url=",
        "--allow-root",  # CI runs as root on a fresh machine
    ]
    # A process group of its own, so the kernels it spawns go with it.
    return subprocess.Popen(
        cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_server(base, token, proc, timeout=60):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("JupyterLab did not answer within 60 s")


def stop_lab(proc):
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def api(base, token, method, path):
    req = urllib.request.Request(f"{base}{path}?token={token}", method=method)
    with urllib.request.urlopen(req, timeout=10) as r:
        body = r.read()
    return json.loads(body) if body else None


def shutdown_kernels(base, token):
    # One kernel at a time: a notebook's kernel is gone before the next one starts.
    for s in api(base, token, "GET", "/api/sessions"):
        api(base, token, "DELETE", f"/api/sessions/{s['id']}")


def is_idle(s):
    return s["ind"] == "idle" or ("Idle" in s["bar"] and s["ind"] in ("", "idle"))


def wait_idle(page, timeout=120):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        s = page.evaluate(STATE_JS)
        if is_idle(s) and "Python" in s["bar"]:
            return
        time.sleep(0.25)
    raise ColdStart(f"kernel not idle after {timeout} s")


def dismiss_toasts(page):
    # A toast left over (e.g. "would you like news?") can sit over the Kernel menu.
    for b in page.locator(".jp-Notification-Toast-Close").all():
        if b.is_visible():
            b.click(timeout=2000)


def restart_run_all(page, timeout=900):
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Restart Kernel and Run All Cells").first.click()
    page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click(timeout=10000)
    t0 = time.monotonic()
    # Wait for the run to show (a busy kernel or a "[*]" prompt), then to end with every
    # prompt numbered and the kernel idle; a short settle guards against a gap between
    # two cells where the kernel looks idle.
    while time.monotonic() - t0 < 30:
        s = page.evaluate(STATE_JS)
        if s["ind"] == "busy" or any("*" in p for p in s["prompts"]):
            break
        time.sleep(0.05)
    else:
        raise ColdStart("Run All did not start within 30 s")
    while time.monotonic() - t0 < timeout:
        s = page.evaluate(STATE_JS)
        if is_idle(s) and all(any(c.isdigit() for c in p) for p in s["prompts"]):
            time.sleep(0.7)
            s = page.evaluate(STATE_JS)
            if is_idle(s) and not any("*" in p for p in s["prompts"]):
                return time.monotonic() - t0 - 0.7
        time.sleep(0.2)
    raise Failure(f"Run All did not finish within {timeout} s")


def check_outputs(page):
    time.sleep(2)  # MathJax typesets after the run; images decode
    for _ in range(20):
        res = page.evaluate(CHECK_JS)
        if all(i["loaded"] for i in res["images"]):
            break
        time.sleep(0.5)
    problems = [f"error output: {t}" for t in res["errors"]]
    problems += [f"stderr output: {t}" for t in res["stderr"]]
    problems += [f"raw $$ in markdown: ...{t}..." for t in res["raw_dollars"]]
    problems += [f"image not loaded: {i['src']}" for i in res["images"] if not i["loaded"]]
    return problems, len(res["images"])


def full_page_screenshot(page, path):
    """The whole notebook in one image. JupyterLab's notebook scrolls inside its panel,
    so a page screenshot shows only the window: make the window as tall as the
    notebook's cells, scroll them to the top, shoot, and put the window back."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    nb = page.locator(f"{PANEL} .jp-Notebook").first
    # The scrolling box is the windowed panel's outer element; Run All leaves it at
    # the bottom. Measure the cells, not scrollHeight (it includes scroll-past-end).
    measure = """n => { const o = n.querySelector('.jp-WindowedPanel-outer') || n;
      o.scrollTop = 0;
      const cells = n.querySelectorAll('.jp-Cell');
      const last = cells[cells.length - 1].getBoundingClientRect();
      return last.bottom + 40; }"""
    size = page.viewport_size
    height = nb.evaluate(measure)
    page.set_viewport_size({"width": size["width"], "height": min(int(height), 60000)})
    try:
        time.sleep(1)  # layout at the new size, images redrawn
        nb.evaluate(measure)
        time.sleep(0.3)
        nb.screenshot(path=str(path), timeout=60000)
    finally:
        page.set_viewport_size(size)
        time.sleep(0.5)


def check_solution_opens(page):
    """Click the first folded <details>; it must open. None when the notebook has none."""
    folded = page.locator(f"{PANEL} .jp-MarkdownCell details:not([open])")
    if folded.count() == 0:
        return None
    # A handle, not the locator: once open, the element no longer matches
    # ":not([open])" and the locator would move on to the next folded one.
    el = folded.first.element_handle()
    el.scroll_into_view_if_needed()
    el.query_selector("summary").click()
    time.sleep(0.3)
    return el.evaluate("e => e.open")


def check_lr_slider(page):
    """ArrowRight on the lr slider must change the readout and the explorer's image."""
    sliders = page.locator(f"{PANEL} .widget-slider")
    lr = [
        sliders.nth(i)
        for i in range(sliders.count())
        if sliders.nth(i).locator(".widget-label").first.inner_text().strip() == "lr"
    ]
    if not lr:
        return "no slider labelled lr"
    s = lr[0]
    s.scroll_into_view_if_needed()
    cell = s.locator("xpath=ancestor::div[contains(@class,'jp-Cell')][1]")

    def srcs():
        return cell.evaluate(
            "c => Array.from(c.querySelectorAll('.jp-OutputArea-output img')).map(i => i.src)"
        )

    def readout():
        return s.locator(".widget-readout").first.evaluate(
            "e => (e.tagName === 'INPUT' ? e.value : e.textContent).trim()"
        )

    time.sleep(1)
    src0, ro0 = srcs(), readout()
    s.locator(".noUi-handle").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
        time.sleep(0.15)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30 and srcs() == src0:
        time.sleep(0.25)
    time.sleep(1)  # let the last of the five redraws land
    if not src0 or srcs() == src0:
        return "the explorer's image did not change"
    if readout() == ro0:
        return f"the lr readout stayed at {ro0}"
    return None


def close_without_saving(page):
    page.locator(".lm-MenuBar-itemLabel", has_text="File").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Close Tab").first.click()
    discard = page.locator(".jp-Dialog button", has_text="Discard")
    try:
        discard.first.click(timeout=3000)
    except Exception:
        pass  # no dialog: nothing was changed


def run_notebook(browser, base, token, nb):
    """Return (run-all seconds, list of problems); raise ColdStart for a retryable stall."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = ctx.new_page()
        rel = nb.relative_to(ROOT).as_posix()
        # A fresh workspace per notebook so that no earlier tab is restored.
        page.goto(
            f"{base}/lab/workspaces/t{secrets.token_hex(4)}/tree/{rel}?token={token}&reset",
            wait_until="domcontentloaded",
            timeout=60000,
        )
        try:
            page.locator(f"{PANEL} .jp-Notebook .jp-Cell").first.wait_for(timeout=90000)
        except Exception as e:
            raise ColdStart(f"notebook did not open: {e}") from None
        wait_idle(page)
        dismiss_toasts(page)
        seconds = restart_run_all(page)
        problems, _ = check_outputs(page)
        full_page_screenshot(page, SHOTS / f"{nb.stem}.png")
        if check_solution_opens(page) is False:
            problems.append("a folded solution did not open on click")
        if nb.name.startswith("06"):
            msg = check_lr_slider(page)
            if msg:
                problems.append(f"lr slider: {msg}")
        close_without_saving(page)
        return seconds, problems
    finally:
        ctx.close()


def show_slide(page, sid):
    """Go to subslide ``sid`` (slide-<h>-<v>) and return SLIDE_JS's view of it, or None.
    By its id in the URL first; reveal.js now and then ignores that hash change, so
    then by its indices (#/<h>/<v>)."""
    h, v = sid.split("-")[1:]
    for target in (sid, f"{h}/{v}", sid):
        page.evaluate("t => { location.hash = '#/' + t; }", target)
        for _ in range(20):
            box = page.evaluate(SLIDE_JS, sid)
            if box is not None:
                return box
            time.sleep(0.05)
    return None


def settled_box(page, sid, box, timeout=5.0):
    """SLIDE_JS's view of ``sid`` once it stops moving (reveal centres and transitions
    a slide after showing it: a box measured mid-move would report a false overflow).
    Two equal readings 0.05 s apart, or the last reading at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(0.05)
        again = page.evaluate(SLIDE_JS, sid)
        if again == box:
            return box
        box = again
    return box


def check_slides(browser, base, token, nb):
    """Open ``nb`` as a RISE presentation at 1280x720 and visit every subslide.

    Returns (number of slides, number of subslides, list of problems)."""
    ctx = browser.new_context(viewport=SCREEN)
    try:
        page = ctx.new_page()
        rel = nb.relative_to(ROOT).as_posix()
        page.goto(f"{base}/rise/{rel}?token={token}", wait_until="domcontentloaded")
        try:
            page.locator(".reveal.ready .slides section.present").first.wait_for(timeout=90000)
        except Exception as e:
            raise ColdStart(f"the presentation did not open: {e}") from None
        # Let MathJax and the figures settle: wait until the maths count stops changing.
        last = -1
        for _ in range(40):
            n = page.evaluate("() => document.querySelectorAll('.reveal mjx-container').length")
            if n == last:
                break
            last = n
            time.sleep(0.5)
        ids = page.evaluate(SECTIONS_JS)
        slides = len({i.rsplit("-", 1)[0] for i in ids})
        problems = []
        # Every speaker-notes cell must have become an <aside class="notes"> (else the
        # "hidden on the slide" check below would pass for want of notes).
        cells = json.loads(nb.read_text())["cells"]
        want = sum(c["metadata"].get("slideshow", {}).get("slide_type") == "notes" for c in cells)
        asides = page.evaluate("() => document.querySelectorAll('.reveal aside.notes').length")
        if asides != want:
            problems.append(f"{want} notes cells, {asides} speaker notes in the presentation")
        for k, sid in enumerate(ids):
            box = show_slide(page, sid)
            if box is None:
                problems.append(f"slide {sid}: never shown")
                continue
            box = settled_box(page, sid, box)
            w, h = SCREEN["width"], SCREEN["height"]
            if box["cells"] and (box["top"] < -1 or box["bottom"] > h + 1):
                problems.append(
                    f"slide {sid}: content from y={box['top']:.0f} to {box['bottom']:.0f}"
                    f" px, the screen is {h} px high"
                )
            if box["right"] > w + 1 or box["left"] < -1 or box["scrollW"] > box["clientW"] + 1:
                problems.append(f"slide {sid}: content wider than the {w} px screen")
            if box["notesShown"]:
                problems.append(f"slide {sid}: {box['notesShown']} speaker notes shown")
            if k < SLIDE_SHOTS:
                page.screenshot(path=str(SHOTS / f"{nb.stem}-slide-{k + 1}.png"))
        return slides, len(ids), problems
    finally:
        ctx.close()


def print_times(times):
    print()
    print(
        f"{'notebook':32s} {'run all':>8s} {'lab':>7s} {'slides':>7s} {'subsl.':>7s} {'RISE':>7s}"
    )
    for name, run_s, lab_s, slides, subslides, rise_s in times:
        print(f"{name:32s} {run_s:7.1f}s {lab_s:6.1f}s {slides:7d} {subslides:7d} {rise_s:6.1f}s")
    total = sum(t[2] + t[5] for t in times)
    print(f"{'total':32s} {'':8s} {'':7s} {'':7s} {'':7s} {total:6.1f}s (lab + RISE)")
    print()


def main(argv):
    nbs = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        print(f"Chromium not found at {CHROMIUM}; install it with: apt-get install chromium")
        return 2
    from playwright.sync_api import sync_playwright

    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    failed, times = [], []
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp, "lab.log"), "w") as log:
        proc = start_lab(port, token, Path(tmp, "settings"), log)
        try:
            try:
                wait_server(base, token, proc)
            except RuntimeError:
                log.flush()
                print(Path(tmp, "lab.log").read_text()[-3000:])
                raise
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
                )
                for nb in nbs:
                    t0 = time.monotonic()
                    try:
                        try:
                            run_s, problems = run_notebook(browser, base, token, nb)
                        except ColdStart as e:
                            # Only a stall before the run (first kernel, cold caches)
                            # earns a second try; a failed check never does.
                            print(f"  {nb.name}: cold start ({e}); retrying once", flush=True)
                            shutdown_kernels(base, token)
                            run_s, problems = run_notebook(browser, base, token, nb)
                    except Exception as e:
                        run_s, problems = float("nan"), [f"{type(e).__name__}: {e}"]
                    shutdown_kernels(base, token)
                    lab_s, t1 = time.monotonic() - t0, time.monotonic()
                    try:
                        try:
                            slides, subslides, slide_problems = check_slides(
                                browser, base, token, nb
                            )
                        except ColdStart as e:
                            print(f"  {nb.name}: slides, cold start ({e}); retrying once")
                            shutdown_kernels(base, token)
                            slides, subslides, slide_problems = check_slides(
                                browser, base, token, nb
                            )
                    except Exception as e:
                        slides = subslides = 0
                        slide_problems = [f"slides: {type(e).__name__}: {e}"]
                    shutdown_kernels(base, token)  # RISE starts a kernel of its own
                    problems += slide_problems
                    rise_s = time.monotonic() - t1
                    times.append((nb.name, run_s, lab_s, slides, subslides, rise_s))
                    status = "FAIL" if problems else "pass"
                    print(
                        f"{status}  {nb.name:32s} run all {run_s:5.1f} s, "
                        f"lab {lab_s:5.1f} s, slides {slides}/{subslides} in {rise_s:5.1f} s",
                        flush=True,
                    )
                    for msg in problems:
                        print(f"      {msg}")
                    if problems:
                        failed.append(nb.name)
                browser.close()
        finally:
            stop_lab(proc)
    print_times(times)
    print(f"screenshots in {SHOTS.relative_to(ROOT)}/")
    if failed:
        print(f"{len(failed)} of {len(nbs)} notebooks failed: {', '.join(failed)}")
        return 1
    print(f"all {len(nbs)} notebooks pass in the browser")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
