"""One page's capture in Chromium: the ordered steps, from navigation to the last shot."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from capture import overlays
from capture.browser import netguard, pagecheck
from capture.browser.camera import Camera
from capture.browser.devtools import VIEWER_TYPES
from capture.browser.document import (
    Findings,
    fill_from_download,
    navigation_reason,
    read_main_document,
    served_html,
)
from capture.browser.pageevents import PageEvents
from capture.browser.recorder import ExchangeSink, Recorder
from capture.browser.session import log_in_once
from capture.browser.settings import context_options
from capture.browser.spare import open_page
from capture.errors import NavigationError
from capture.models import CaptureRequest, PageCapture, Reason, Screenshot
from capture.overlays.actions import ms
from capture.overlays.log import InterventionLog
from capture.page import watch as pagewatch
from capture.page.looking import Looking
from capture.sessions import expiry
from capture.sessions.secrets import credential_values
from capture.steps import Budget, StepLog
from capture.verdict.judge import Document, judge

if TYPE_CHECKING:
    from datetime import datetime

    from playwright.async_api import BrowserContext, Page, Response

    from capture.browser.settings import RenderSettings
    from capture.sessions.logins import Session

log = logging.getLogger(__name__)

SHOT_RESERVE_S = 10.0
"""Budget kept back for the screenshot and the DOM, so a slow page still leaves a record."""

DRAIN_S = 5.0
"""How long the freeze step waits for exchanges still being written to the WARC."""

BODY_GRACE_S = 1.0
"""How long the freeze step waits for bodies still arriving (bodies complete on the wire that
the page never read are saved at once, without this wait)."""


class PageRun:
    """The state of one page's capture while its steps run."""

    def __init__(self, settings: RenderSettings, request: CaptureRequest, sink: ExchangeSink):
        self.settings = settings
        self.request = request
        self.options = request.options
        self.clock = settings.clock
        self.interventions = InterventionLog(self.clock)
        self.gate = netguard.PageGuard(
            self.options.block_private_networks,
            self.interventions,
            sink,
            policy=settings.address_policy,
        )
        # The login's credentials: exchanges wait behind a login in flight (see Recorder).
        self.recorder = Recorder(
            self.gate.keep if self.gate.guard else sink,
            self.clock,
            credentials=credential_values(request.site),
        )
        self.steps = StepLog()
        self.budget = Budget(self.options.timeout_s)
        self.page_events = PageEvents(self.clock, self.recorder.record_download)
        self.reserve_s = min(SHOT_RESERVE_S, self.options.timeout_s * 0.25)
        self.camera = Camera(
            self.options, self.steps, self.budget, self.reserve_s, settings.first_shot_at_s
        )
        self.site = request.site
        self.found = Findings()
        self.document: Response | None = None
        """The main document's response, for its body as served."""
        self.context_options: dict[str, Any] | None = None
        """What the capture's context was made with (a spare for the next is made alike)."""
        self.session: Session | None = None
        """The run's session of the site this capture started from (one login per run)."""

    async def run(self) -> PageCapture:
        try:
            return await self._run()
        finally:
            self.camera.drop_first_screen()  # the page failed after its shot; nothing waits

    async def _run(self) -> PageCapture:
        from playwright.async_api import Error as PlaywrightError

        started, found = self.clock(), self.found
        context, page = await self._new_page()
        try:
            await self.recorder.watch_page(context, page, viewer=self.settings.info.pdf_viewer)
            if self.gate.guard is not None:
                await self.gate.guard.install(context, page)
            if self.settings.prepare is not None:
                await self.settings.prepare(context, page)
            self.page_events.watch(page)
            self.documents = pagecheck.DocumentWatch(page)
            if self.options.video:
                await self.camera.start_screencast(page)
            looking = Looking(
                page, self.recorder.network, self.options, self.budget, self.reserve_s
            )
            try:
                await self.gate.refuse(self.request.url)
                response = await self._navigate(page)
                await self._main_document(page, response)
                self.gate.refuse_server(found.final_url or self.request.url, found.remote_ip)
            except NavigationError as exc:
                found.error = str(exc)
            except (PlaywrightError, TimeoutError) as exc:  # the page crashed or hung: its fault
                found.error = navigation_reason(self.request.url, exc)
            else:
                await self._after_navigation(page, looking)
            await self.camera.stop_screencast(found)
            await self._wind_down(page)
            fill_from_download(found, self.recorder.download_documents, self.request.url)
        finally:
            await self.camera.close()  # the screencast's acknowledgements end before the context
            await context.close()
        found.screenshot = await self.camera.with_first_screen(found.screenshot)
        return self._page_capture(started)

    def _page_capture(self, started: datetime) -> PageCapture:
        found = self.found
        return PageCapture(
            url=self.request.url,
            final_url=found.final_url,
            started_at=started,
            ended_at=self.clock(),
            browser=self.settings.info,
            viewport=self.options.viewport,
            steps=tuple(self.steps.results),
            redirect_chain=found.redirect_chain,
            status=found.status,
            content_type=found.content_type,
            remote_ip=found.remote_ip,
            tls=found.tls,
            certificate_chain=found.certificate_chain,
            dom_html=found.dom_html,
            screenshot=found.screenshot,
            served_screenshot=found.served_screenshot,
            interventions=self.interventions.snapshot(),
            gated=found.gated,
            layout=found.layout,
            layout_html=found.layout_html,
            served_html=found.served_html,
            events=tuple(self.page_events.events),
            page_pdf=found.page_pdf,
            screencast=found.screencast or (),
            traffic=self.recorder.summary(),
            error=found.error,
            headers=found.headers,
            seen=found.seen,
        )

    async def _new_page(self) -> tuple[BrowserContext, Page]:
        """Return a fresh context (a spare made ahead when the renderer keeps one) and its
        page, listened to before anything loads in it."""
        self.context_options = context_options(self.settings, self.options, self.site)
        self.session = await self._shared_session(self.context_options)
        spare = self.settings.spare
        if spare is not None:
            context, page = await spare.take(self.context_options)
        else:
            context, page = await open_page(self.settings.browser, self.context_options)
        try:
            self.recorder.attach(context)
            await pagewatch.install(context)
            await overlays.prepare(context, self.site, self.options, self.interventions)
        except BaseException:
            await context.close()  # a rejected cookie must not leave a context per URL behind
            raise
        return context, page

    async def _shared_session(self, context_options: dict[str, Any]) -> Session | None:
        """Return the run's session of the site (logging in first, once per run) and start
        the context from its state; None when the capture logs in by itself, or not at all."""
        store, site = self.request.sessions, self.site
        if store is None or site is None or site.login is None:
            return None
        if not overlays.active(site, self.options):
            return None
        url, browser, options = self.request.url, self.settings.browser, self.options
        session: Session = await store.obtain(
            site,
            lambda: log_in_once(
                site,
                url,
                browser,
                dict(context_options),
                options,
                self.clock,
                policy=self.settings.address_policy,
            ),
        )
        if session.state is not None:
            context_options["storage_state"] = session.state
        return session

    # -- steps --------------------------------------------------------------------------------

    async def _navigate(self, page: Page) -> Response | None:
        from playwright.async_api import Error as PlaywrightError

        self.camera.navigation_started = time.monotonic()
        timeout_s = self.budget.allow(self.options.timeout_s, reserve_s=self.reserve_s)
        async with self.steps.step("navigate", timeout_s=timeout_s + 1, required=True) as step:
            try:
                response = await page.goto(
                    self.request.url, wait_until="domcontentloaded", timeout=ms(timeout_s)
                )
            except PlaywrightError as exc:
                if "Download is starting" in str(exc):
                    step.detail["download"] = True
                    return None
                if page.url in ("about:blank", "") or "ERR_" in str(exc):
                    raise NavigationError(navigation_reason(self.request.url, exc)) from exc
                step.fail(navigation_reason(self.request.url, exc))
                return None
            step.detail["status"] = response.status if response else None
            return response
        raise NavigationError(f"Could not load {self.request.url} (navigation did not finish).")

    async def _main_document(self, page: Page, response: Response | None) -> None:
        """Read the main document's facts into self.found (again, after a cleared challenge)."""
        await read_main_document(
            page, response, self.request.url, self.found, self.recorder.certificate_chain
        )
        if response is None:
            return
        self.document = response
        if (self.found.content_type or "").split(";")[0].strip().lower() in VIEWER_TYPES:
            self.page_events.note(
                "pdf", response.url, "opened in the browser's PDF viewer; the file is recorded"
            )

    async def _after_navigation(self, page: Page, looking: Looking) -> None:
        budget, reserve, found = self.budget, self.reserve_s, self.found
        scroll = self.options.scroll
        async with self.steps.step("settle", timeout_s=budget.allow(15, reserve_s=reserve)) as step:
            await looking.load(step.detail, budget.allow(15, reserve_s=reserve), quiet=not scroll)
            if not step.detail.get("load"):
                step.fail("the page's load event did not fire (a resource never finished)")
        await self._check_page(page, looking)
        if scroll:
            async with self.steps.step(
                "scroll", timeout_s=budget.allow(20, reserve_s=reserve)
            ) as step:
                await looking.scroll(step.detail)
        else:
            self.steps.skip("scroll", "disabled by options")
        # A page that logs in by itself is checked after its login, any other before clearing.
        logs_in_here = self.site is not None and self.site.login is not None and not self.session
        if not logs_in_here:
            await self._check_session(page)
        unchanged: Screenshot | None = None
        if overlays.active(self.site, self.options):
            unchanged = await self._clear_overlays(page)
        else:
            self.steps.skip("overlays", "dismissal is off: the page is captured as served")
        if logs_in_here:
            await self._check_session(page)
        # When clearing changed nothing, the shot as served is the final one: no second shot.
        found.screenshot = unchanged or await self.camera.screenshot(page)
        await self.camera.stop_screencast(found)
        self.camera.first_screen_later(found.screenshot)
        async with self.steps.step("dom", timeout_s=max(budget.allow(10), 2)) as step:
            # dom.html is the page as rendered; the layout script's stamps go only to extraction.
            found.dom_html = await self.camera.rendered_dom(page)
            step.detail["chars"] = len(found.dom_html)
            found.layout, found.layout_html = await _collect_layout(page)
        if self.options.pdf:
            await self.camera.print(page, found)

    async def _check_session(self, page: Page) -> None:
        """Fail the `session` step (reason logged_out) when the page shows it is logged out."""
        if not expiry.watches(self.site):
            return
        limit_s = self.budget.allow(expiry.CHECK_S, reserve_s=self.reserve_s)
        async with self.steps.step(expiry.STEP, timeout_s=limit_s + 2) as step:
            reason = await expiry.session_gone(page, self.site, limit_s)
            if reason is not None:
                step.fail(reason)

    async def _check_page(self, page: Page, looking: Looking) -> None:
        """Read what the page is, for the verdict; when it is a bot check, give it a bounded
        time to clear itself, and go on with the page it cleared into."""
        limit_s = self.budget.allow(pagecheck.CHALLENGE_WAIT_S + 10, reserve_s=self.reserve_s)
        async with self.steps.step("page-check", timeout_s=max(limit_s, 2.0)) as step:
            found = self.found
            found.seen = await pagecheck.read_facts(page)
            document = Document(
                self.request.url, found.final_url, found.status, found.headers, found.content_type
            )
            first = judge(document, found.seen)
            if first is None or first.reason is not Reason.CHALLENGE:
                step.detail["reason"] = first.reason.value if first else None
                return
            wait_s = self.budget.allow(pagecheck.CHALLENGE_WAIT_S, reserve_s=self.reserve_s)
            waited = await pagecheck.wait_out_challenge(
                page,
                self.documents,
                self.recorder.network,
                first,
                requested_url=self.request.url,
                limit_s=wait_s,
            )
            step.detail.update(waited.to_detail())
            found.seen = waited.facts or found.seen
            if waited.cleared and waited.response is not None:
                await self._main_document(page, waited.response)
                step.detail["cleared_into"] = found.final_url
                await looking.load({}, self.budget.allow(15, reserve_s=self.reserve_s), quiet=True)

    async def _clear_overlays(self, page: Page) -> Screenshot | None:
        """Shoot the page as served, then clear banners and walls.

        Returns the shot as served when clearing changed nothing (it is then the final shot,
        and its step is named `screenshot`); otherwise keeps it as the as-served evidence.
        """
        served = await self.camera.screenshot(page, name="screenshot-as-served")
        before = len(self.interventions.entries)
        limit_s = self.budget.allow(overlays.CLEAR_BUDGET_S, reserve_s=self.reserve_s)
        async with self.steps.step("overlays", timeout_s=limit_s + 5) as step:
            outcome = await overlays.clear(
                page,
                self.site,
                self.options,
                self.interventions,
                budget_s=limit_s,
                served=lambda: served_html(self.document),
                session=self.session,
            )
            failures = [*outcome.failures, *await overlays.stop_watching(page)]
            if outcome.served_html is not None:
                self.found.served_html = outcome.served_html
            if outcome.gated:
                self.found.gated = outcome.gated
                failures.append(f"the article is gated: {outcome.gated}")
            step.detail["interventions"] = len(self.interventions.entries)
            if failures:
                step.fail("; ".join(failures))
        if len(self.interventions.entries) > before:
            self.found.served_screenshot = served
            return None
        self.steps.rename("screenshot-as-served", "screenshot")
        return served

    async def _wind_down(self, page: Page) -> None:
        """Freeze the page so no late request starts, then wait for bodies in flight.

        The step fails when the page is a file (a PDF shown or downloaded) whose bytes never
        came: the capture would otherwise hold no copy of what it was asked for."""
        downloads_s = max(self.budget.allow(30), 1.0) if self.page_events.downloading else 0.0
        limit_s = downloads_s + DRAIN_S + BODY_GRACE_S + 1
        async with self.steps.step("freeze", timeout_s=limit_s) as step:
            try:
                session = await self.camera.cdp(page)
                await session.send("Page.setWebLifecycleState", {"state": "frozen"})
            except Exception as exc:  # A page that is gone or crashed cannot be frozen.
                step.detail["frozen"] = False
                step.detail["reason"] = str(exc).splitlines()[0] if str(exc) else ""
            else:
                step.detail["frozen"] = True
            await self.page_events.finish(downloads_s or 1.0)
            step.detail["abandoned_bodies"] = await self.recorder.drain(
                DRAIN_S, body_grace_s=BODY_GRACE_S
            )
            # A navigation that became a download (no status) has one document: any file
            # lost is its own, whatever redirects led there.
            lost = self.recorder.lost_files
            found = self.found
            if found.status is not None or found.error is not None:
                main = {found.final_url, *found.redirect_chain[-1:]}
                lost = [url for url in lost if url in main]
            if lost:
                step.fail(f"the page's own file was not recorded: its bytes never came ({lost[0]})")


async def _collect_layout(page: Page) -> tuple[Any, str]:
    # Imported on first use: the layout's model pulls in the extraction stack (start-up time).
    from capture.browser.layout import collect_layout

    return await collect_layout(page)
