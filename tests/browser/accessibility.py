"""An accessibility audit of the page open in Playwright: axe-core (pinned in
deploy/axe, installed by ``make testdeps``) run inside the page; serious or critical
violations fail the test.

axe is evaluated through the DevTools protocol, which the pages' Content-Security-Policy
does not restrict, so the pages need no exception for it. Call
``await audit_accessibility(page)`` once a page shows what is to be checked; it audits
at desktop (1280 px) and phone (390 px) widths and puts the viewport back.
"""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Page

AXE_JS = (
    Path(__file__).resolve().parents[2]
    / "deploy"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
FAILING_IMPACTS = ("serious", "critical")
# Widths every page is audited at: a desktop, and a phone (iPhone 12-15 class).
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}


async def axe_violations(page: Page) -> list[dict]:
    """Every serious or critical axe violation of the page as it is now."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        if not AXE_JS.exists():
            raise RuntimeError(f"{AXE_JS} is missing: run `make testdeps` (npm ci in deploy/axe)")
        await page.evaluate(AXE_JS.read_text() + "\n;true")
    result = await page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v["impact"] in FAILING_IMPACTS]


def described(violations: list[dict]) -> str:
    """The violations, one line each, with the elements they were found on."""
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )


async def audit_accessibility(page: Page) -> None:
    """Fail on any serious or critical axe violation, at desktop and phone widths."""
    before = page.viewport_size
    found: dict[str, list[dict]] = {}
    for name, (width, height) in WIDTHS.items():
        await page.set_viewport_size({"width": width, "height": height})
        found[name] = await axe_violations(page)
    if before is not None:
        await page.set_viewport_size(before)
    report = "\n".join(f"at {name} width:\n{described(v)}" for name, v in found.items() if v)
    assert not report, f"accessibility violations on {page.url}:\n{report}"
