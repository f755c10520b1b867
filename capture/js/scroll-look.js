() => {
  const d = document.documentElement, b = document.body;
  const height = Math.max(d.scrollHeight, b ? b.scrollHeight : 0, d.clientHeight);
  const reasons = [];
  // Lazy images and frames, in the document and in open shadow roots.
  const LAZY = 'img[loading="lazy" i], iframe[loading="lazy" i]';
  let lazy = document.querySelectorAll(LAZY).length;
  const roots = [...document.querySelectorAll("*")].filter((el) => el.shadowRoot);
  while (roots.length) {
    const root = roots.pop().shadowRoot;
    lazy += root.querySelectorAll(LAZY).length;
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) roots.push(el);
  }
  if (lazy) reasons.push("lazy-loading");
  const watch = window.__captureWatch;
  const seen = watch ? watch.scrollers() : null;
  if (!seen) reasons.push("unwatched");  // the init script did not run here: assume the worst
  if (seen && seen.observed) reasons.push("intersection-observer");
  if (seen && seen.listeners) reasons.push("scroll-listener");
  let frames = 0;
  for (const el of document.querySelectorAll("iframe, frame, object, embed")) {
    if (el.getBoundingClientRect().bottom + window.scrollY > window.innerHeight) frames += 1;
  }
  if (frames) reasons.push("frame-below-the-fold");
  return { height, reasons, lazy, observed: seen ? seen.observed : 0, frames };
}
