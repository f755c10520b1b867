(() => {
  if (window.__captureWatch) return;
  const due = new Map();  // timer id -> when it runs (performance.now(), ms)
  const setAt = new Map();  // timer id -> when it was set
  const now = () => performance.now();
  const nativeTimeout = window.setTimeout;
  const natives = new WeakMap();  // each Proxy -> the native function it stands for
  let added = 0;
  const prune = () => {  // timers that have run, every 256 new ones
    added += 1;
    if (added % 256) return;
    const t = now();
    for (const [id, at] of due) if (at < t) { due.delete(id); setAt.delete(id); }
  };
  const wrap = (native, apply) => {
    const proxy = new Proxy(native, { apply });
    natives.set(proxy, native);
    return proxy;
  };
  const schedule = (native) => wrap(native, (target, self, args) => {
    const id = Reflect.apply(target, self, args);
    prune();
    due.set(id, now() + Math.max(0, Number(args[1]) || 0));
    setAt.set(id, now());
    return id;
  });
  const cancel = (native) => wrap(native, (target, self, args) => {
    due.delete(args[0]);
    return Reflect.apply(target, self, args);
  });
  window.setTimeout = schedule(window.setTimeout);
  window.setInterval = schedule(window.setInterval);
  window.clearTimeout = cancel(window.clearTimeout);
  window.clearInterval = cancel(window.clearInterval);
  // toString of a wrapper reads as the native's: "function setTimeout() { [native code] }".
  const toString = Function.prototype.toString;
  Function.prototype.toString = wrap(toString, (target, self, args) =>
    Reflect.apply(target, natives.get(self) || self, args));
  // What would answer a scroll (see capture.scrolling): intersection observers, and scroll
  // listeners on the window or the document.
  let observed = 0, scrollListeners = 0;
  const targets = new WeakSet();  // each element observed counts once, however often
  if (window.IntersectionObserver) {
    const proto = IntersectionObserver.prototype;
    proto.observe = wrap(proto.observe, (target, self, args) => {
      const element = args[0];
      if (element && typeof element === "object" && !targets.has(element)) {
        targets.add(element);
        observed += 1;
      }
      return Reflect.apply(target, self, args);
    });
  }
  const listen = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = wrap(listen, (target, self, args) => {
    const type = args[0];
    // A bare `addEventListener(...)` call has no `this`: it adds to the window.
    const onWindow = self === undefined || self === null || self === window;
    if ((onWindow || self === document) && (type === "scroll" || type === "scrollend")) {
      scrollListeners += 1;
    }
    return Reflect.apply(target, self, args);
  });
  const scrollers = () => ({
    observed,
    listeners: scrollListeners + (window.onscroll || document.onscroll ? 1 : 0),
  });
  const lastDue = (from, until, setSince = -Infinity) => {
    let last = 0;
    for (const [id, at] of due) {
      if (at > from && at <= until && at > last && setAt.get(id) >= setSince) last = at;
    }
    return last ? Math.ceil(last - from) : 0;
  };
  const afterLoad = (ms) => {
    const nav = performance.getEntriesByType("navigation")[0];
    const t = now();
    return lastDue(t, (nav && nav.loadEventEnd > 0 ? nav.loadEventEnd : t) + ms);
  };
  const ahead = ([ms, since]) => lastDue(now(), now() + ms, since);
  // The next frame, so its rendering (layout, intersections: observers, lazy images) is done,
  // then the first idle moment after it, which comes only once the tasks that frame queued
  // (observer callbacks) and work the page runs in slices between frames (a framework's
  // scheduler rendering what a fetch brought) have run; at most IDLE_MS for that moment. A
  // page that draws no frames (hidden) answers after 200 ms instead.
  const IDLE_MS = 300;
  const later = (answer) => new Promise((resolve) => {
    let answered = false;
    const once = () => { if (!answered) { answered = true; resolve(answer()); } };
    const idle = () => window.requestIdleCallback
      ? requestIdleCallback(once, { timeout: IDLE_MS }) : once();
    requestAnimationFrame(idle);
    nativeTimeout(once, 200 + IDLE_MS);
  });
  Object.defineProperty(window, "__captureWatch", { value: Object.freeze({
    look: (ms) => later(() => afterLoad(ms)),
    ahead: (args) => later(() => ahead(args)),
    now,
    scrollers,
    sleep: (ms) => new Promise((resolve) => nativeTimeout(resolve, ms)),
  }) });
})();
