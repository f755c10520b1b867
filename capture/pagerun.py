"""One page's capture in Chromium: the ordered steps, from navigation to the last shot."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

from capture import expiry, netguard, overlays, pagecheck, pagewatch, printing, screenshot
from capture.devtools import VIEWER_TYPES, rendered_dom, tls_details
from capture.errors import NavigationError
from capture.looking import Looking
from capture.models import CaptureRequest, Exchange, FirstScreen, PageCapture, Screenshot
from capture.overlays.log import InterventionLog
from capture.overlays.login import credential_values
from capture.pageevents import PageEvents
from capture.recorder import ExchangeSink, Recorder
from capture.screencast import Screencast
from capture.spare import open_page
from capture.steps import Budget, StepLog
from capture.verdict import Document, Reason, judge

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, CDPSession, Page, Response

    from capture.render import ChromiumRenderer
    from capture.sessions import Session

log = logging.getLogger(__name__)

SHOT_RESERVE_S = 10.0
"""Budget kept back for the screenshot and the DOM, so a slow page still leaves a record."""

DRAIN_S = 5.0
"""How long the freeze step waits for exchanges still being written to the WARC."""

BODY_GRACE_S = 1.0
"""How long the freeze step waits for bodies still arriving (bodies complete on the wire that
the page never read are saved at once, without this wait)."""


def ms(seconds: float) -> float:
    """Return seconds in the milliseconds Playwright wants (the one place we convert)."""
    return max(1.0, seconds * 1000.0)


class PageRun:
    """The state of one page's capture while its steps run."""

    def __init__(self, renderer: ChromiumRenderer, request: CaptureRequest, sink: ExchangeSink):
        self.renderer = renderer
        self.request = request
        self.options = request.options
        self.clock = renderer._clock
        self.sink = sink
        self.guard = (
            netguard.NetworkGuard(self._on_blocked, policy=renderer._address_policy)
            if self.options.block_private_networks
            else None
        )
        # The login's credentials: exchanges wait behind a login in flight (see Recorder).
        self.recorder = Recorder(
            self._keep if self.guard else sink,
            self.clock,
            credentials=credential_values(request.site),
        )
        self.steps = StepLog()
        self.budget = Budget(self.options.timeout_s)
        self.page_events = PageEvents(self.clock, self.recorder.record_download)
        self.reserve_s = min(SHOT_RESERVE_S, self.options.timeout_s * 0.25)
        self.site = request.site
        self.interventions = InterventionLog(self.clock)
        self.navigation_started = time.monotonic()
        self.shots = 0
        self._devtools: CDPSession | None = None
        self._first_screen: asyncio.Future[FirstScreen] | None = None
        """viewport.png and thumbnail.webp, made in a thread while the browser finishes."""
        self._screencast: Screencast | None = None
        self._screencast_error: str | None = None
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
            if self._first_screen is not None and not self._first_screen.done():
                self._first_screen.cancel()  # the page failed after its shot; nothing waits

    async def _run(self) -> PageCapture:
        from playwright.async_api import Error as PlaywrightError

        started = self.clock()
        context, page = await self._new_page()
        facts: dict[str, Any] = {"final_url": None}
        try:
            await self.recorder.watch_page(context, page, viewer=self.renderer.info.pdf_viewer)
            if self.guard is not None:
                await self.guard.install(context, page)
            if self.renderer._prepare is not None:
                await self.renderer._prepare(context, page)
            self.page_events.watch(page)
            self.documents = pagecheck.DocumentWatch(page)
            if self.options.video:
                await self._start_screencast(page)
            looking = Looking(
                page, self.recorder.network, self.options, self.budget, self.reserve_s
            )
            try:
                await self._refuse_blocked(self.request.url)
                response = await self._navigate(page)
                facts.update(await self._main_document(page, response))
                self._refuse_blocked_server(facts)
            except NavigationError as exc:
                facts["error"] = str(exc)
            except (PlaywrightError, TimeoutError) as exc:  # the page crashed or hung: its fault
                facts["error"] = _navigation_reason(self.request.url, exc)
            else:
                await self._after_navigation(page, looking, facts)
            await self._stop_screencast(facts)
            await self._wind_down(page, facts)
            self._download_document(facts)
        finally:
            if self._screencast is not None:
                await self._screencast.stop()  # its acknowledgements end before the context
            await context.close()
        if facts.get("screenshot") is not None and self._first_screen is not None:
            facts["screenshot"] = await screenshot.with_first_screen(
                facts["screenshot"], self._first_screen
            )
        return PageCapture(
            url=self.request.url,
            started_at=started,
            ended_at=self.clock(),
            browser=self.renderer.info,
            viewport=self.options.viewport,
            steps=tuple(self.steps.results),
            events=tuple(self.page_events.events),
            traffic=self.recorder.summary(),
            interventions=self.interventions.snapshot(),
            **facts,
        )

    async def _new_page(self) -> tuple[BrowserContext, Page]:
        """Return a fresh context (a spare made ahead when the renderer keeps one) and its
        page, listened to before anything loads in it."""
        self.context_options = self._context_options()
        self.session = await self._shared_session(self.context_options)
        spare = self.renderer.spare
        if spare is not None:
            context, page = await spare.take(self.context_options)
        else:
            context, page = await open_page(self.renderer.browser, self.context_options)
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
        session: Session = await store.obtain(
            site,
            self.request.url,
            self.renderer.browser,
            dict(context_options),
            self.options,
            policy=self.renderer._address_policy,
        )
        if session.state is not None:
            context_options["storage_state"] = session.state
        return session

    def _context_options(self) -> dict[str, Any]:
        options = self.options
        kwargs: dict[str, Any] = {
            "viewport": {"width": options.viewport.width, "height": options.viewport.height},
            "ignore_https_errors": options.ignore_https_errors,
            "service_workers": "block",
            "accept_downloads": True,
        }
        if options.user_agent:
            kwargs["user_agent"] = options.user_agent
        if options.proxy:
            kwargs["proxy"] = {"server": options.proxy}
        kwargs.update(overlays.context_options(self.site, options))  # a site's user agent wins
        kwargs.update(self.renderer._context_options)
        return kwargs

    # -- steps --------------------------------------------------------------------------------

    async def _navigate(self, page: Page) -> Response | None:
        from playwright.async_api import Error as PlaywrightError

        self.navigation_started = time.monotonic()
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
                    raise NavigationError(_navigation_reason(self.request.url, exc)) from exc
                step.fail(_navigation_reason(self.request.url, exc))
                return None
            step.detail["status"] = response.status if response else None
            return response
        raise NavigationError(f"Could not load {self.request.url} (navigation did not finish).")

    async def _main_document(self, page: Page, response: Response | None) -> dict[str, Any]:
        facts: dict[str, Any] = {"final_url": page.url if page.url != "about:blank" else None}
        if facts["final_url"] is None:
            facts["final_url"] = self.request.url
        if response is None:
            return facts
        chain: list[str] = []
        previous = response.request.redirected_from
        while previous is not None:
            chain.insert(0, previous.url)
            previous = previous.redirected_from
        self.document = response
        address = await response.server_addr()
        headers = await response.all_headers()
        facts.update(
            final_url=page.url,
            redirect_chain=(*chain, response.url),
            status=response.status,
            content_type=headers.get("content-type"),
            headers=tuple(headers.items()),
            remote_ip=address["ipAddress"] if address else None,
            tls=tls_details(dict(await response.security_details() or {})),
            certificate_chain=await self.recorder.certificate_chain(response.url),
        )
        if (facts["content_type"] or "").split(";")[0].strip().lower() in VIEWER_TYPES:
            self.page_events.note(
                "pdf", response.url, "opened in the browser's PDF viewer; the file is recorded"
            )
        return facts

    def _download_document(self, facts: dict[str, Any]) -> None:
        """Fill in the document's facts when the navigation became a download (no Response)."""
        if facts.get("status") is not None or "error" in facts:
            return
        documents = self.recorder.download_documents
        response = documents.get(facts["final_url"] or self.request.url)
        if response is None and len(documents) == 1:  # downloaded after a redirect
            response = next(iter(documents.values()))
        if response is not None:
            facts.update(
                status=response.status,
                content_type=response.header("content-type"),
                remote_ip=response.remote_ip,
            )

    async def _after_navigation(self, page: Page, looking: Looking, facts: dict[str, Any]) -> None:
        budget, reserve = self.budget, self.reserve_s
        scroll = self.options.scroll
        async with self.steps.step("settle", timeout_s=budget.allow(15, reserve_s=reserve)) as step:
            await looking.load(step.detail, budget.allow(15, reserve_s=reserve), quiet=not scroll)
            if not step.detail.get("load"):
                step.fail("the page's load event did not fire (a resource never finished)")
        await self._check_page(page, looking, facts)
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
            unchanged = await self._clear_overlays(page, facts)
        else:
            self.steps.skip("overlays", "dismissal is off: the page is captured as served")
        if logs_in_here:
            await self._check_session(page)
        # When clearing changed nothing, the shot as served is the final one: no second shot.
        facts["screenshot"] = unchanged or await self._screenshot(page)
        await self._stop_screencast(facts)
        wants = self.options.wants
        if facts["screenshot"] is not None and (wants("viewport") or wants("thumbnail")):
            self._first_screen = screenshot.first_screen_later(
                facts["screenshot"],
                self.options.viewport.height,
                view=wants("viewport"),
                thumbnail_too=wants("thumbnail"),
            )
        async with self.steps.step("dom", timeout_s=max(budget.allow(10), 2)) as step:
            # dom.html is the page as rendered; the layout script's stamps go only to extraction.
            facts["dom_html"] = await self._rendered_dom(page)
            step.detail["chars"] = len(facts["dom_html"])
            facts["layout"], facts["layout_html"] = await _collect_layout(page)
        if self.options.pdf:
            await self._print(page, facts)

    async def _start_screencast(self, page: Page) -> None:
        """Start recording the page's screen (`--video`); a failure is noted for the step."""
        try:
            self._screencast = Screencast(await self._cdp(page))
            await self._screencast.start(self.options.viewport)
        except Exception as exc:  # No screencast (a crashed page): the capture goes on.
            self._screencast_error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__

    async def _stop_screencast(self, facts: dict[str, Any]) -> None:
        """Stop the recording once (after the last screenshot) and record its step."""
        if not self.options.video or "screencast" in facts:
            return
        async with self.steps.step("video", timeout_s=10) as step:
            facts["screencast"] = ()
            if self._screencast_error or self._screencast is None:
                step.fail(f"the screencast did not start: {self._screencast_error}")
                return
            facts["screencast"] = await self._screencast.stop()
            step.detail["frames"] = len(facts["screencast"])
            if not facts["screencast"]:
                step.fail("the browser sent no frame of the page")

    async def _print(self, page: Page, facts: dict[str, Any]) -> None:
        """Print the page as it stands now (after the interventions, before the freeze)."""
        async with self.steps.step("pdf", timeout_s=max(self.budget.allow(30), 5)) as step:
            facts["page_pdf"] = await printing.print_page(page)
            step.detail["bytes"] = len(facts["page_pdf"])

    async def _check_session(self, page: Page) -> None:
        """Fail the `session` step (reason logged_out) when the page shows it is logged out."""
        if not expiry.watches(self.site):
            return
        limit_s = self.budget.allow(expiry.CHECK_S, reserve_s=self.reserve_s)
        async with self.steps.step(expiry.STEP, timeout_s=limit_s + 2) as step:
            reason = await expiry.session_gone(page, self.site, limit_s)
            if reason is not None:
                step.fail(reason)

    async def _check_page(self, page: Page, looking: Looking, facts: dict[str, Any]) -> None:
        """Read what the page is, for the verdict; when it is a bot check, give it a bounded
        time to clear itself, and go on with the page it cleared into."""
        limit_s = self.budget.allow(pagecheck.CHALLENGE_WAIT_S + 10, reserve_s=self.reserve_s)
        async with self.steps.step("page-check", timeout_s=max(limit_s, 2.0)) as step:
            facts["seen"] = await pagecheck.read_facts(page)
            document = Document(
                self.request.url,
                facts["final_url"],
                facts.get("status"),
                facts.get("headers", ()),
                facts.get("content_type"),
            )
            first = judge(document, facts["seen"])
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
            facts["seen"] = waited.facts or facts["seen"]
            if waited.cleared and waited.response is not None:
                facts.update(await self._main_document(page, waited.response))
                step.detail["cleared_into"] = facts["final_url"]
                await looking.load({}, self.budget.allow(15, reserve_s=self.reserve_s), quiet=True)

    async def _clear_overlays(self, page: Page, facts: dict[str, Any]) -> Screenshot | None:
        """Shoot the page as served, then clear banners and walls.

        Returns the shot as served when clearing changed nothing (it is then the final shot,
        and its step is named `screenshot`); otherwise keeps it as the as-served evidence.
        """
        served = await self._screenshot(page, name="screenshot-as-served")
        before = len(self.interventions.entries)
        limit_s = self.budget.allow(overlays.CLEAR_BUDGET_S, reserve_s=self.reserve_s)
        async with self.steps.step("overlays", timeout_s=limit_s + 5) as step:
            outcome = await overlays.clear(
                page,
                self.site,
                self.options,
                self.interventions,
                budget_s=limit_s,
                served=self._served_html,
                session=self.session,
            )
            failures = [*outcome.failures, *await overlays.stop_watching(page)]
            if outcome.served_html is not None:
                facts["served_html"] = outcome.served_html
            if outcome.gated:
                facts["gated"] = outcome.gated
                failures.append(f"the article is gated: {outcome.gated}")
            step.detail["interventions"] = len(self.interventions.entries)
            if failures:
                step.fail("; ".join(failures))
        if len(self.interventions.entries) > before:
            facts["served_screenshot"] = served
            return None
        self.steps.rename("screenshot-as-served", "screenshot")
        return served

    async def _served_html(self) -> str | None:
        """Return the main document's body as the server sent it (None when it is gone)."""
        from playwright.async_api import Error as PlaywrightError

        if self.document is None:
            return None
        try:
            body = await self.document.body()
        except PlaywrightError:
            return None
        return served_text(body, self.document.headers.get("content-type", ""))

    async def _screenshot(self, page: Page, name: str = "screenshot") -> Screenshot | None:
        self.shots += 1
        target_s = self.renderer._first_shot_at_s
        if target_s is not None and self.shots == 1:
            # Waiting for a time, not hoping for an event: the replay matches the capture's clock.
            wait_s = target_s - (time.monotonic() - self.navigation_started)
            await asyncio.sleep(self.budget.allow(max(0.0, wait_s), reserve_s=self.reserve_s))
        timeout_s = max(self.budget.allow(60), min(self.reserve_s, 5))
        async with self.steps.step(name, timeout_s=timeout_s) as step:
            shot = await screenshot.full_page(
                page,
                viewport_width_px=self.options.viewport.width,
                max_height_px=self.options.max_screenshot_height_px,
                session=await self._cdp(page),
            )
            step.detail.update(tiles=shot.tiles, height_px=shot.height_px)
            if shot.truncated:
                step.fail(
                    f"page is {shot.page_height_px} px tall; the screenshot stops at the "
                    f"configured limit of {self.options.max_screenshot_height_px} px"
                )
            return shot
        return None

    async def _rendered_dom(self, page: Page) -> str:
        """Return the DOM as rendered: over our CDP session, or Playwright's way if that fails."""
        from playwright.async_api import Error as PlaywrightError

        try:
            return await rendered_dom(await self._cdp(page))
        except (PlaywrightError, ValueError, KeyError) as exc:
            log.info("DOM taken through Playwright", extra={"reason": str(exc)})
            return await page.content()

    async def _cdp(self, page: Page) -> CDPSession:
        """Return the page's CDP session for its shots and its freeze, opened once."""
        if self._devtools is None:
            self._devtools = await page.context.new_cdp_session(page)
        return self._devtools

    async def _wind_down(self, page: Page, facts: dict[str, Any]) -> None:
        """Freeze the page so no late request starts, then wait for bodies in flight.

        The step fails when the page is a file (a PDF shown or downloaded) whose bytes never
        came: the capture would otherwise hold no copy of what it was asked for."""
        downloads_s = max(self.budget.allow(30), 1.0) if self.page_events.downloading else 0.0
        limit_s = downloads_s + DRAIN_S + BODY_GRACE_S + 1
        async with self.steps.step("freeze", timeout_s=limit_s) as step:
            try:
                session = await self._cdp(page)
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
            if facts.get("status") is not None or "error" in facts:
                main = {facts.get("final_url"), *facts.get("redirect_chain", ())[-1:]}
                lost = [url for url in lost if url in main]
            if lost:
                step.fail(f"the page's own file was not recorded: its bytes never came ({lost[0]})")

    # -- private networks ---------------------------------------------------------------------

    async def _refuse_blocked(self, url: str) -> None:
        """Raise NavigationError when url's host is, or resolves to, a non-public address."""
        blocked = await self.guard.check(url) if self.guard else None
        if blocked is not None:
            self._on_blocked(blocked)
            raise NavigationError(_blocked_reason(blocked))

    def _refuse_blocked_server(self, facts: dict[str, Any]) -> None:
        """Raise NavigationError when the main document came from a non-public address anyway."""
        if self.guard is None:
            return
        blocked = self.guard.check_address(facts["final_url"], facts.get("remote_ip"))
        if blocked is not None:
            raise NavigationError(_blocked_reason(blocked))

    def _on_blocked(self, blocked: netguard.Blocked) -> None:
        if any(entry.detail == blocked.describe() for entry in self.interventions.entries):
            return
        self.interventions.add("block", netguard.RULE, ok=True, detail=blocked.describe())

    def _keep(self, exchange: Exchange) -> None:
        """Pass exchange on, unless it came from a non-public address (DNS rebinding)."""
        guard = self.guard
        blocked = (
            guard.check_address(exchange.request.url, exchange.response.remote_ip)
            if guard is not None
            else None
        )
        if blocked is not None:
            self._on_blocked(blocked)
            return
        self.sink(exchange)


def served_text(body: bytes, content_type: str) -> str | None:
    """Return an HTML body as text in its declared charset (UTF-8 else), or None if not HTML."""
    kind, _, params = content_type.partition(";")
    if kind.strip().lower() not in ("text/html", "application/xhtml+xml", ""):
        return None
    charset = params.partition("charset=")[2].strip().strip('"') or "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _blocked_reason(blocked: netguard.Blocked) -> str:
    return (
        f"Refused to load {blocked.describe()} (private networks are blocked). "
        "Capture public addresses only, or turn off --block-private-networks."
    )


NAVIGATION_HINTS = (
    ("ERR_NAME_NOT_RESOLVED", "Check the address: its host name does not resolve."),
    ("ERR_CONNECTION_REFUSED", "Check that the server is up and the port is right."),
    ("ERR_UNSAFE_PORT", "Browsers never load this port (it belongs to another protocol)."),
    ("ERR_INTERNET_DISCONNECTED", "This machine has no network: connect it and retry."),
    ("ERR_ADDRESS_UNREACHABLE", "No route to the server: check the address and the network."),
    ("ERR_CONNECTION_RESET", "The server dropped the connection: retry later."),
    ("ERR_TOO_MANY_REDIRECTS", "The site redirects in a loop (often a cookie or login check)."),
    ("ERR_BLOCKED_BY_CLIENT", "The capture's own rules blocked it (a site config's `block:`)."),
    ("ERR_CERT", "Capture it only if you trust the connection: --ignore-https-errors."),
    ("ERR_SSL", "The server's TLS setup failed; try again later or check the address."),
    ("Timeout", "The site is slow or hangs: retry later, or raise --timeout."),
    ("timed out", "The site is slow or hangs: retry later, or raise --timeout."),
    ("closed", "The browser or page died; it is relaunched and the URL can be retried."),
    ("crash", "The browser or page died; it is relaunched and the URL can be retried."),
)
"""What to do about the common navigation failures, by a fragment of Chromium's message."""


def _navigation_reason(url: str, exc: BaseException) -> str:
    """Return `Could not load <url> (<why>). <what to do>` for a navigation failure."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    first = first.removeprefix("Page.goto: ")
    hint = next((text for marker, text in NAVIGATION_HINTS if marker in first), "")
    return f"Could not load {url} ({first}). {hint}".rstrip()


async def _collect_layout(page: Page) -> tuple[Any, str]:
    from capture.extract import collect_layout

    return await collect_layout(page)
