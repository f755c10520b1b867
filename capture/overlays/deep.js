// Included in generic.js (at `// @include deep.js`), not evaluated alone: walking and
// searching the page through open shadow roots and same-origin frames, and what a reader
// can see. Uses `html` and `token` from generic.js.
  // Up the tree, out of open shadow roots (to the host) and same-origin frames (to the frame).
  const parentOf = (el) => {
    if (el.parentElement) { return el.parentElement; }
    const root = el.getRootNode ? el.getRootNode() : null;
    if (root && root.host) { return root.host; }
    const view = el.ownerDocument && el.ownerDocument.defaultView;
    return view && view !== window && el === el.ownerDocument.documentElement ? view.frameElement : null;
  };
  const squash = (text) => (text || "").replace(/\s+/g, " ").trim();
  // Open shadow roots and same-origin frames: their hosts are listed once per scan, so the
  // lookups below reach into them.
  let hostCache = null;
  const inner = (el) => {
    if (el.shadowRoot) { return el.shadowRoot; }
    if (el.localName !== "iframe" && el.localName !== "frame") { return null; }
    try { return el.contentDocument; } catch (e) { return null; }  // another origin's
  };
  const hostsIn = (root) => {
    const found = [];
    for (const el of root.querySelectorAll("*")) {
      const content = inner(el);
      if (content) { found.push(el, ...hostsIn(content)); }
    }
    return found;
  };
  const hosts = () => { hostCache = hostCache || hostsIn(document); return hostCache; };
  const deepContains = (outer, el) => {
    for (let node = el; node; node = parentOf(node)) { if (node === outer) { return true; } }
    return false;
  };
  // querySelectorAll that also looks into the open shadow roots and same-origin frames under scope.
  const deepAll = (selector, scope = document) => {
    const found = [...scope.querySelectorAll(selector)];
    for (const host of hosts()) {
      if (scope === document || deepContains(scope, host)) {
        found.push(...inner(host).querySelectorAll(selector));
      }
    }
    return found;
  };
  // innerText does not enter shadow roots or frames: add theirs.
  const deepText = (el) => {
    const parts = [el.innerText || ""];
    for (const host of hosts()) {
      if (!deepContains(el, host)) { continue; }
      for (const child of inner(host).children) {
        if (!["style", "script", "link"].includes(child.localName)) { parts.push(child.innerText || ""); }
      }
    }
    return squash(parts.join(" "));
  };
  // elementsFromPoint, with the elements inside open shadow roots in place of their hosts.
  const hitsAt = (x, y, root = document) => {
    const out = [];
    for (const el of root.elementsFromPoint(x, y)) {
      if (el.shadowRoot && el.shadowRoot !== root) {
        for (const hit of hitsAt(x, y, el.shadowRoot)) {
          if (hit !== el && deepContains(el, hit) && !out.includes(hit)) { out.push(hit); }
        }
      }
      if (!out.includes(el)) { out.push(el); }
    }
    return out;
  };
  const describe = (el) => {
    if (el === html) { return "html"; }
    if (el === document.body) { return "body"; }
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4; node = parentOf(node)) {
      if (node.id) { parts.unshift("#" + CSS.escape(node.id)); break; }
      const classes = [...node.classList].slice(0, 2).map((c) => "." + CSS.escape(c)).join("");
      parts.unshift(node.localName + classes);
    }
    return parts.join(" > ");
  };
  const visible = (el) => {
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0 &&
      (!el.checkVisibility || el.checkVisibility({ opacityProperty: true, visibilityProperty: true }));
  };
  // Painted where a reader can see it: not clipped away by an ancestor that hides overflow
  // (a carousel's slides off to the side), nor left of or beyond the page's width.
  const shown = (el) => {
    if (!visible(el)) { return false; }
    const r = el.getBoundingClientRect();
    let left = r.left, right = r.right, top = r.top, bottom = r.bottom;
    for (let node = parentOf(el); node && node !== html; node = parentOf(node)) {
      const s = getComputedStyle(node);
      if (s.overflowX === "visible" && s.overflowY === "visible") { continue; }
      const box = node.getBoundingClientRect();
      left = Math.max(left, box.left); right = Math.min(right, box.right);
      top = Math.max(top, box.top); bottom = Math.min(bottom, box.bottom);
    }
    return right - left > 1 && bottom - top > 1 && right > 0 && left < html.scrollWidth;
  };
  const longParagraphs = (el) =>
    deepAll("p", el).filter((p) => squash(p.textContent).length > 120).length;

