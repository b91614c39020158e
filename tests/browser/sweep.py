"""The accessibility sweep: each role logged in once, in a browser context of its own, visits
every page it may see, once, and each page is checked at 1280 and at 390 px."""

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from krsd.auth.models import User
from krsd.cli import DEMO_PASSWORD
from krsd.extensions import db
from tests import second_factor
from tests.browser.axe import DESKTOP, check_both_widths, install_axe
from tests.browser.demo_site import ROLES
from tests.browser.site_pages import addresses_for

#: a folder: a full-page screenshot of every page at 390 px goes there, to look at
SHOTS = os.environ.get("KRSD_SCREENSHOTS")
#: public pages that show more to a person logged in; other public pages only as a visitor
SHOWN_PER_PERSON = {"main.index", "courses.catalogue", "courses.course_page"}
#: pages that answer with an error status on purpose: (role, address, status)
ERROR_PAGES = (
    ("bezoeker", "/bestaat-niet", 404),
    ("bezoeker", "/verify/AAAA-BBBB-CCCC", 404),
    ("bezoeker", "/cursussen/diploma/AAAA-BBBB-CCCC", 404),
    ("professional", "/beheer/dashboard", 403),
)


@dataclass
class RoleResult:
    reached: set[str] = field(default_factory=set)
    problems: dict[str, list[str]] = field(default_factory=dict)
    done: bool = False


class Sweep:
    def __init__(self, chromium, app, url: str, extra_ids: dict[str, dict]):
        self.chromium, self.app, self.url, self.extra_ids = chromium, app, url, extra_ids
        self.pages, self.results = {}, {}

    def page(self, role: str):
        """The role's page (tab), logged in the first time it is asked for."""
        if role not in self.pages:
            context = self.chromium.new_context(base_url=self.url, locale="nl-NL", viewport=DESKTOP)
            install_axe(context)
            page = context.new_page()
            page.set_default_timeout(15_000)
            self.pages[role] = page
            if ROLES[role]:
                self._log_in(role, page)
        return self.pages[role]

    def _log_in(self, role: str, page) -> None:
        page.goto("/inloggen")
        page.get_by_label("E-mailadres").fill(ROLES[role])
        page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Inloggen").click()
        page.wait_for_load_state()
        if urlsplit(page.url).path == second_factor.CODE_PATH:
            self._check(role, page, "auth.second_factor_step", second_factor.CODE_PATH)
        second_factor.pass_in_chromium(page, ROLES[role])
        page.wait_for_url(lambda url: "/inloggen" not in url)

    def _check(self, role: str, page, endpoint: str, address: str) -> None:
        result = self.results.setdefault(role, RoleResult())
        result.reached.add(endpoint)
        shot = None
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^a-z0-9]+", "-", address.lower()).strip("-") or "home"
            shot = Path(SHOTS) / f"{role}--{name}.png"
        problems = check_both_widths(page, shot)
        if problems:
            result.problems[address] = problems

    def who(self, role: str) -> int | None:
        """The id of the account that plays ``role``."""
        with self.app.app_context():
            try:
                return db.session.scalar(select(User.id).where(User.email == ROLES[role]))
            finally:
                db.session.rollback()

    def run(self, role: str) -> RoleResult:
        """Visit every page of ``role`` (once per module) and return what was found."""
        result = self.results.setdefault(role, RoleResult())
        if result.done:
            return result
        page = self.page(role)
        skip = self.run("bezoeker").reached - SHOWN_PER_PERSON if ROLES[role] else set()
        addresses = addresses_for(self.app, self.who(role), self.extra_ids)
        for endpoint, address in addresses:
            if endpoint in skip:
                continue  # the same page as for a visitor; the menu is checked on the others
            response = page.goto(address)
            if (
                response is None
                or response.status != 200
                or urlsplit(page.url).path != urlsplit(address).path
                or "text/html" not in response.headers.get("content-type", "")
            ):
                continue  # not a page of this role: refused, not found or sent to the login
            self._check(role, page, endpoint, address)
        for error_role, address, status in ERROR_PAGES:
            if error_role == role:
                response = page.goto(address)
                assert response.status == status, f"{address}: {response.status}, not {status}"
                self._check(role, page, f"error {status}", address)
        result.done = True
        return result

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def report(problems: dict[str, list[str]]) -> str:
    return "\n".join(
        f"{address}\n" + "\n".join(f"  {p}" for p in found) for address, found in problems.items()
    )
