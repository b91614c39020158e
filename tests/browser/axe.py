"""Accessibility checks in Chromium: axe-core's WCAG 2.1 A/AA rules and sideways scrolling.

axe-core (MPL-2.0) comes from the npm registry, pinned in tests/browser/package-lock.json and
installed into tests/browser/node_modules by scripts/ensure-axe-core.sh (``make test`` runs
it); nothing is fetched while the tests run.
"""

from pathlib import Path

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

_RUN_AXE = """tags => axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']
}).then(result => result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
})))"""

#: what sticks out on the right (boxes, or text wider than its box), deepest first, so that a
#: failure names the culprit
_TOO_WIDE = """() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.body.querySelectorAll('*')].filter(e =>
        e.getBoundingClientRect().right > width + 1 ||
        (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible'));
    return wide.filter(e => !wide.some(o => o !== e && e.contains(o))).slice(0, 5).map(e =>
        e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
        (typeof e.className === 'string' && e.className.trim()
            ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
        ' (' + Math.round(e.getBoundingClientRect().right) + ' px): ' +
        (e.innerText || '').trim().slice(0, 60).replace(/\\s+/g, ' '));
}"""


def install_axe(context) -> None:
    """Put axe-core into every page the browser context opens (before the page's own scripts;
    an init script is not subject to the page's Content-Security-Policy)."""
    assert AXE_JS.exists(), f"{AXE_JS} ontbreekt: scripts/ensure-axe-core.sh installeert axe-core"
    context.add_init_script(path=str(AXE_JS))


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as shown now, one readable text each."""
    assert page.evaluate("() => typeof window.axe === 'object'"), "install_axe(context) first"
    return [_describe(v) for v in page.evaluate(_RUN_AXE, WCAG_TAGS)]


def _describe(violation: dict) -> str:
    lines = [f"{violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"][:5]:
        summary = " / ".join(line.strip() for line in node["summary"].splitlines()[1:3])
        lines.append(f"    {node['target']}: {summary}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    ... en nog {len(violation['nodes']) - 5}")
    return "\n".join(lines)


def sideways_scroll(page) -> str | None:
    """Why the page scrolls sideways at its current width, or None when it does not."""
    scroll_width, inner_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width <= inner_width:
        return None
    culprits = "\n".join(f"    {line}" for line in page.evaluate(_TOO_WIDE))
    return f"scrolls sideways: {scroll_width} px wide at {inner_width} px\n{culprits}"


def check_both_widths(page, screenshot: Path | None = None) -> list[str]:
    """The problems of the loaded page at 1280 px and at 390 px (and back at 1280 px after)."""
    problems = [f"1280 px: {v}" for v in axe_violations(page)]
    page.set_viewport_size(PHONE)
    try:
        scroll = sideways_scroll(page)
        if scroll:
            problems.append(f"390 px: {scroll}")
        problems += [f"390 px: {v}" for v in axe_violations(page)]
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        page.set_viewport_size(DESKTOP)
    return problems
