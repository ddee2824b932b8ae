"""Open every notebook in JupyterLab in a real browser and check what a learner sees.

Usage: python tools/test_browser.py [notebooks/X.ipynb ...]   (default: all notebooks)

Starts JupyterLab from this Python's environment on 127.0.0.1 (free port, random
token, autosave off so no notebook is ever written), drives the system Chromium
through playwright and, for each notebook: waits for an idle kernel, runs Kernel >
Restart Kernel and Run All Cells, then checks that no output is an error or stderr,
no raw `$$` is left in rendered markdown, every image loaded, a folded solution opens
on click, and (06) that the keyboard on the `lr` slider redraws the explorer.
Screenshots go to build/screenshots/<notebook>.png. Exit status 1 on any failure,
2 when Chromium is missing.
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
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
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
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings_dir))
    env.pop("MPLBACKEND", None)  # the notebooks must pick the inline backend as in Lab
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
    t0 = time.time()
    while time.time() - t0 < timeout:
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
    t0 = time.time()
    while time.time() - t0 < timeout:
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
    t0 = time.time()
    # Wait for the run to show (a busy kernel or a "[*]" prompt), then to end with every
    # prompt numbered and the kernel idle; a short settle guards against a gap between
    # two cells where the kernel looks idle.
    while time.time() - t0 < 30:
        s = page.evaluate(STATE_JS)
        if s["ind"] == "busy" or any("*" in p for p in s["prompts"]):
            break
        time.sleep(0.05)
    else:
        raise ColdStart("Run All did not start within 30 s")
    while time.time() - t0 < timeout:
        s = page.evaluate(STATE_JS)
        if is_idle(s) and all(any(c.isdigit() for c in p) for p in s["prompts"]):
            time.sleep(0.7)
            s = page.evaluate(STATE_JS)
            if is_idle(s) and not any("*" in p for p in s["prompts"]):
                return time.time() - t0 - 0.7
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
    t0 = time.time()
    while time.time() - t0 < 30 and srcs() == src0:
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
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{nb.stem}.png"))
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


def main(argv):
    nbs = [Path(a).resolve() for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        print(f"Chromium not found at {CHROMIUM}; install it with: apt-get install chromium")
        return 2
    from playwright.sync_api import sync_playwright

    port, token = free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    failed = []
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
                    t0 = time.time()
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
                    status = "FAIL" if problems else "pass"
                    print(
                        f"{status}  {nb.name:32s} run all {run_s:5.1f} s, "
                        f"total {time.time() - t0:5.1f} s",
                        flush=True,
                    )
                    for msg in problems:
                        print(f"      {msg}")
                    if problems:
                        failed.append(nb.name)
                browser.close()
        finally:
            stop_lab(proc)
    print(f"screenshots in {SHOTS.relative_to(ROOT)}/")
    if failed:
        print(f"{len(failed)} of {len(nbs)} notebooks failed: {', '.join(failed)}")
        return 1
    print(f"all {len(nbs)} notebooks pass in the browser")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
