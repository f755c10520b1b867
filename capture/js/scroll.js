async ({ maxSteps, patient, stepTimersMs, patienceMs, limitMs }) => {
  // One frame per step. Each step scrolls from inside a frame's animation callbacks, so that
  // frame renders the new position and updates intersections (lazy images, observers); their
  // callbacks and the scroll event run before the next frame. A patient scroll (the page's own
  // code answers scrolling) also lets that code's answer run before the next step: its idle
  // callbacks, and the timers it set since the step due within stepTimersMs (a debounced or
  // throttled loader), for patienceMs in all. The whole scroll stops after limitMs. Settling
  // afterwards lets the requests it set off end.
  const watch = window.__captureWatch;
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  // A frame, or 100 ms when the page draws none (hidden, or its requestAnimationFrame replaced).
  const frame = () => new Promise((resolve) => {
    let done = false;
    const once = () => { if (!done) { done = true; resolve(); } };
    requestAnimationFrame(once);
    if (watch) watch.sleep(100).then(once); else setTimeout(once, 100);
  });
  let waited = 0;
  const answered = async (since) => {
    if (!patient || !watch || waited >= patienceMs) return;
    const before = performance.now();
    const ms = await watch.ahead([stepTimersMs, since]);
    const left = patienceMs - waited - (performance.now() - before);
    if (ms > 0 && left > 0) { await watch.sleep(Math.min(ms + 5, left)); await frame(); }
    waited += performance.now() - before;
  };
  const bottom = () => Math.max(document.documentElement.scrollHeight,
                                document.body ? document.body.scrollHeight : 0);
  let steps = 0, last = window.scrollY, reached = window.scrollY + window.innerHeight;
  let stopped = "max-steps";
  await frame();
  while (steps < maxSteps) {
    if (elapsed() > limitMs) { stopped = "time"; break; }
    const since = watch ? watch.now() : 0;
    // "instant": a page's `scroll-behavior: smooth` would move a few pixels per frame.
    window.scrollBy({ top: window.innerHeight, behavior: "instant" });
    steps += 1;
    await frame();
    await answered(since);
    const y = window.scrollY;
    reached = Math.max(reached, y + window.innerHeight);
    // Stop at the bottom, or when the page no longer scrolls (a scroll lock, a modal).
    if (y + window.innerHeight >= bottom() - 1) { stopped = "bottom"; break; }
    if (y === last) { stopped = "stuck"; break; }
    last = y;
  }
  window.scrollTo({ top: 0, behavior: "instant" });
  await frame();
  return { steps, reached: Math.round(reached), stopped, waited: Math.round(waited) };
}
