() => {
  // Measures the rendered page for article extraction. Stamps data-capture-id on each element it
  // reports so the DOM serialized afterwards (capture.browser.layout.stamped_script) can be matched to these boxes.
  const HIDDEN = 1, FIXED = 2, OFFSCREEN = 4;
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "HEAD", "META", "LINK", "TITLE",
    "BR", "WBR", "svg", "SVG", "IFRAME", "OBJECT", "EMBED", "CANVAS", "VIDEO", "AUDIO", "SOURCE",
    "PICTURE", "IMG", "INPUT", "SELECT", "OPTION", "TEXTAREA", "math"]);
  const root = document.body || document.documentElement;
  if (!root) return {version: 1, viewport: [0, 0], page: [0, 0], boxes: []};
  // Which elements hold text directly or below them: one pass over the text nodes.
  const texty = new Set();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!/\S/.test(node.nodeValue)) continue;
    for (let el = node.parentElement; el && !texty.has(el); el = el.parentElement) texty.add(el);
  }
  const sx = window.scrollX, sy = window.scrollY;
  const pageW = Math.max(document.documentElement.scrollWidth, root.scrollWidth || 0);
  const pageH = Math.max(document.documentElement.scrollHeight, root.scrollHeight || 0);
  let next = 1;
  for (const el of document.querySelectorAll("[data-capture-id]")) {
    next = Math.max(next, (parseInt(el.getAttribute("data-capture-id"), 10) || 0) + 1);
  }
  const boxes = [];
  const stamp = (el) => {
    let id = parseInt(el.getAttribute("data-capture-id"), 10);
    if (!id) { id = next++; el.setAttribute("data-capture-id", String(id)); }
    return id;
  };
  const stack = [[root, 0]];
  while (stack.length) {
    const [el, inherited] = stack.pop();
    if (SKIP.has(el.tagName) || !texty.has(el)) continue;
    const style = getComputedStyle(el);
    let flags = 0;
    const rect = el.getBoundingClientRect();
    if (style.display === "none" || style.visibility === "hidden" || style.visibility === "collapse"
        || parseFloat(style.opacity) === 0 || style.contentVisibility === "hidden") flags |= HIDDEN;
    else if ((rect.width <= 1 || rect.height <= 1) && style.overflow !== "visible") flags |= HIDDEN;
    else if (/rect\(0(px)?,? 0(px)?,? 0(px)?,? 0(px)?\)/.test(style.clip)
             || /inset\(50%/.test(style.clipPath)) flags |= HIDDEN;
    if (style.position === "fixed" || style.position === "sticky") flags |= FIXED;
    if (rect.right + sx <= 0 || rect.bottom + sy <= 0 || rect.left + sx >= pageW) {
      flags |= OFFSCREEN;
    }
    const own = flags & ~inherited;
    const block = style.display !== "inline" && style.display !== "contents";
    if (own || block) {
      boxes.push([stamp(el), Math.round(rect.left + sx), Math.round(rect.top + sy),
        Math.round(rect.width), Math.round(rect.height), flags | inherited,
        Math.round(parseFloat(style.fontSize) || 0)]);
    }
    // Below a display:none element nothing renders; below the others a child may show again.
    if (style.display === "none") continue;
    const passed = (flags | inherited) & ~(style.visibility === "hidden" ? HIDDEN : 0);
    for (let child = el.lastElementChild; child; child = child.previousElementSibling) {
      stack.push([child, passed]);
    }
  }
  return {version: 1, viewport: [window.innerWidth, window.innerHeight], page: [pageW, pageH],
          columns: ["id", "x", "y", "w", "h", "flags", "font"], boxes};
}
