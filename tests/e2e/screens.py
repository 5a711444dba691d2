"""Full-page screenshots of a page at desktop (1366 px) and phone (390 px) width.

Each call also checks what a reviewer would catch first: the page itself never scrolls
sideways (wide tables scroll inside their own container). The folder is
``$TLSMON_SCREENSHOTS`` or ``var/screenshots``; the run prints it at the end.
"""

from __future__ import annotations

import os
from pathlib import Path

WIDTHS = (1366, 390)
ROOT = Path(__file__).resolve().parents[2]


def screenshot_dir() -> Path:
    folder = Path(os.environ.get("TLSMON_SCREENSHOTS") or ROOT / "var" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screens(driver, name: str) -> list[Path]:
    """Saves ``<name>-1366.png`` and ``<name>-390.png`` of the current page, full height."""
    paths = []
    for width in WIDTHS:
        metrics = {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        overflow = driver.execute_script(
            "const d = document.documentElement;"
            "return [d.scrollWidth, d.clientWidth, document.body.scrollHeight];"
        )
        scroll_width, client_width, height = overflow
        assert scroll_width <= client_width + 1, (
            f"{name} at {width} px scrolls sideways ({scroll_width} > {client_width}): "
            f"{_too_wide(driver, client_width)}"
        )
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride", {**metrics, "height": max(900, height)}
        )
        driver.execute_script("window.scrollTo(0, 0)")  # a click lower down scrolled it
        path = screenshot_dir() / f"{name}-{width}.png"
        driver.save_screenshot(str(path))
        paths.append(path)
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return paths


def _too_wide(driver, width: int) -> list[str]:
    """The outermost elements that stick out past the right edge, to say what to fix."""
    return driver.execute_script(
        """
        const width = arguments[0], found = [];
        for (const el of document.querySelectorAll('body *')) {
          const box = el.getBoundingClientRect();
          if (box.right <= width + 1 || found.some(f => f.el.contains(el))) continue;
          let scrolls = false;
          for (let p = el.parentElement; p; p = p.parentElement) {
            const style = getComputedStyle(p).overflowX;
            if (['auto', 'scroll', 'hidden'].includes(style)) { scrolls = true; break; }
          }
          if (!scrolls) found.push({el, text: el.tagName.toLowerCase()
            + (el.id ? '#' + el.id : '') + (el.className ? '.' + el.className : '')
            + ' right=' + Math.round(box.right) + ' in '
            + (el.parentElement.id || el.parentElement.className || el.parentElement.tagName)
            + ': ' + el.textContent.trim().slice(0, 40)});
          if (found.length >= 5) break;
        }
        return found.map(f => f.text);
        """,
        width,
    )
