"""Driving the console in real headless Chromium for the browser tests: Debian's Chromium through
Playwright (never Playwright's own browser download; Playwright comes from the workspace's development
dependencies), a fresh context per person that never leaves the machine, sign-in, and every page visited
checked with axe-core (no serious or critical violations), some photographed for the docs.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, Route, async_playwright

from peer_testkit.console.platform import PASSWORD
from peer_testkit.waiting import eventually

ROOT = Path(__file__).resolve().parents[4]
AXE = ROOT / "services" / "console" / "tests" / "data" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("PEER_TEST_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING = ("serious", "critical")


def ensure_chromium() -> None:
    """Install Debian's Chromium when it is missing and we may (root with apt), so the README's one test
    command also sets up a fresh machine; otherwise say exactly what is needed."""
    if Path(CHROMIUM).exists():
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)
        return
    raise RuntimeError(f"the browser tests need Chromium at {CHROMIUM}: apt-get install chromium")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Headless Chromium from the system package (Playwright's own browser download is not used)."""
    await asyncio.to_thread(ensure_chromium)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        try:
            yield browser
        finally:
            await browser.close()


async def _local_only(route: Route) -> None:
    # The stylesheet asks for web fonts from assets.nhs.uk; tests never leave the machine.
    if route.request.url.startswith("http://127.0.0.1"):
        await route.continue_()
    else:
        await route.abort()


@asynccontextmanager
async def person(browser: Browser, base_url: str, viewport: dict[str, int] = DESKTOP) -> AsyncIterator[Page]:
    """A fresh browser context (its own cookies) and a page in it."""
    context = await browser.new_context(base_url=base_url, viewport=viewport, accept_downloads=True)  # type: ignore[arg-type]
    await context.route("**/*", _local_only)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fill and send the sign-in form."""
    await page.goto("/sign-in")
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_load_state()


async def accessibility_problems(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = await page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target)}))"
    )
    return [v for v in violations if v["impact"] in BLOCKING]


class Visits:
    """Every page visited is checked with axe; some are also photographed."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.problems: dict[str, list[dict[str, Any]]] = {}

    async def check(self, page: Page, screenshot: str | None = None) -> None:
        """Run axe on the page (recording problems) and save a screenshot if named."""
        found = await accessibility_problems(page)
        self.checked.append(page.url)
        if found:
            self.problems[page.url] = found
        if screenshot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOTS / f"{screenshot}.png"), full_page=False)


async def until(check: Callable[[], Awaitable[bool]], page: Page) -> None:
    """Reload `page` until `check` holds (what it checks is shown only on a fresh page)."""

    async def after_reload() -> bool:
        if await check():
            return True
        await page.reload()
        return False

    await eventually(after_reload, timeout=20)
