// The page side of the generic overlay pass: it reports facts about what covers the page and
// carries out the changes the Python side decides on. It decides nothing itself.
// Evaluated as an expression; installs `window.__captureGeneric` (again on every evaluation).
(() => {
  const previous = window.__captureGeneric;
  const refs = previous ? previous.refs : new Map();
  const keys = previous ? previous.keys : new WeakMap();
  let nextToken = previous ? previous.nextToken : 1;
  const html = document.documentElement;
  const HIDDEN = ["hidden", "clip"];
  const CLICKABLE = "button, [role=button], a, input[type=button], input[type=submit], " +
    "[aria-label], [class*=close i], [class*=dismiss i]";
  const MEDIA = "video, iframe[src*=youtube], iframe[src*=vimeo], iframe[src*=dailymotion], " +
    "iframe[src*=player], iframe[src*=video], iframe[src*=jwplayer], iframe[src*=brightcove]";

  const token = (el) => {
    if (!keys.has(el)) {
      keys.set(el, nextToken);
      refs.set(nextToken, el);
      nextToken += 1;
    }
    return keys.get(el);
  };
  // @include deep.js
  // The outermost fixed or sticky ancestor (the overlay's root), or a full-window layer on top.
  const overlayRoot = (el) => {
    let root = null;
    for (let node = el; node && node !== document.body && node !== html; node = parentOf(node)) {
      const style = getComputedStyle(node);
      if (style.position === "fixed" || style.position === "sticky") { root = node; continue; }
      if (!root && style.position === "absolute" && Number(style.zIndex) > 0 && covers(node) > 0.9) {
        root = node;
      }
    }
    return root;
  };
  const covers = (el) => {
    const r = el.getBoundingClientRect();
    const w = Math.max(0, Math.min(r.right, innerWidth) - Math.max(r.left, 0));
    const h = Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
    return (w * h) / (innerWidth * innerHeight);
  };

  const buttonFacts = (root) => {
    const seen = new Set();
    const buttons = [];
    for (const el of deepAll(CLICKABLE, root)) {
      if (buttons.length >= 25 || seen.has(el) || !visible(el)) { continue; }
      seen.add(el);
      const href = el.localName === "a" ? (el.getAttribute("href") || "").trim() : "";
      const form = el.form || null;
      const submits = (el.type === "submit" || (el.localName === "button" && !el.getAttribute("type"))) &&
        form && (form.getAttribute("method") || "").toLowerCase() !== "dialog" &&
        (el.getAttribute("formmethod") || "").toLowerCase() !== "dialog";
      buttons.push({
        token: token(el),
        text: squash(el.innerText || el.value || "").slice(0, 80).toLowerCase(),
        label: squash(el.getAttribute("aria-label") || el.getAttribute("title") || "").toLowerCase(),
        cls: (typeof el.className === "string" ? el.className : "").toLowerCase().slice(0, 80),
        navigates: Boolean((href && !href.startsWith("#") && !href.startsWith("javascript:")) || submits),
      });
    }
    return buttons;
  };

  const candidateFacts = (root) => {
    const style = getComputedStyle(root);
    const rect = root.getBoundingClientRect();
    const text = deepText(root);
    const media = deepAll(MEDIA, root).filter(visible);
    const mediaArea = media.reduce((sum, m) => {
      const r = m.getBoundingClientRect();
      return sum + r.width * r.height;
    }, 0);
    return {
      token: token(root),
      selector: describe(root),
      tag: root.localName,
      role: root.getAttribute("role") || "",
      aria_modal: root.getAttribute("aria-modal") === "true" ||
        deepAll("[aria-modal=true]", root).length > 0,
      modal_dialog: Boolean(root.matches(":modal") || deepAll("dialog:modal", root).length),
      position: style.position,
      rect: { x: rect.x, y: rect.y, width: rect.width, height: rect.height },
      coverage: covers(root),
      z_index: Number(style.zIndex) || 0,
      text: text.slice(0, 600).toLowerCase(),
      text_len: text.length,
      long_paragraphs: longParagraphs(root),
      media_share: rect.width * rect.height > 0 ? mediaArea / (rect.width * rect.height) : 0,
      inputs: deepAll("input:not([type=hidden]), textarea, select", root).length,
      buttons: buttonFacts(root),
      holds_main: holdsMain(root),
      text_share: textShare(root),
      media: deepAll("img, svg, canvas, video, picture, iframe, object", root).filter(visible).length,
      named: false,
    };
  };
  // The page's own main content: a main or article element, or most of the page's text.
  const holdsMain = (root) => {
    if (deepAll("main, article, [role=main], [itemprop=articleBody]", root).some(visible)) {
      return true;
    }
    return false;
  };
  let bodyChars = null;
  const textShare = (root) => {
    if (bodyChars === null) { bodyChars = squash(document.body ? document.body.innerText : "").length; }
    const own = deepText(root).length;
    return own > 200 && bodyChars ? Math.min(1, own / bodyChars) : 0;
  };

  const GRID_X = [0.03, 0.25, 0.5, 0.75, 0.97];
  const GRID_Y = [0.02, 0.2, 0.4, 0.6, 0.8, 0.98];
  const overlayRoots = () => {
    const roots = new Set();
    for (const fx of GRID_X) {
      for (const fy of GRID_Y) {
        for (const hit of hitsAt(fx * innerWidth, fy * innerHeight)) {
          const root = overlayRoot(hit);
          if (!root) { break; }  // page content: nothing below it covers the reader's view
          roots.add(root);
        }
      }
    }
    const declared = "dialog[open], [aria-modal=true], [role=dialog], [role=alertdialog]";
    for (const el of deepAll(declared)) {
      if (visible(el) && covers(el) > 0) { roots.add(overlayRoot(el) || el); }
    }
    // Keep the outermost of nested roots.
    return [...roots].filter((el) => ![...roots].some((other) => other !== el && deepContains(other, el)));
  };

  // Cookie notices in the page's flow (no consent platform): elements named for cookies or
  // consent that hold a notice's words and a control; the innermost such element of each.
  const COOKIE_NAMED = ["cookie", "consent", "gdpr", "rgpd", "dsgvo"]
    .map((w) => `[id*=${w} i], [class*=${w} i]`).join(", ");
  const cookieBars = (taken) => {
    const fits = deepAll(COOKIE_NAMED).filter((el) => {
      if (el === html || el === document.body || !visible(el)) { return false; }
      if (el.matches(CLICKABLE) || el.closest("script, style, noscript, article")) { return false; }
      if (el.getBoundingClientRect().height > innerHeight * 0.5) { return false; }  // a page, not a bar
      const text = deepText(el);
      return text.length >= 30 && text.length <= 1500 && /cooki/i.test(text) &&
        longParagraphs(el) <= 2 && deepAll(CLICKABLE, el).some(visible) &&
        !deepAll("main, article, h1, [role=main]", el).length;
    });
    return fits.filter((el) => !fits.some((other) => other !== el && deepContains(el, other)) &&
      !taken.some((root) => deepContains(root, el) || deepContains(el, root)))
      .map((el) => ({ ...candidateFacts(el), named: true }));
  };

  // Containers of the article's text: every ancestor of a long paragraph.
  const textContainers = () => {
    const found = new Set();
    const paragraphs = deepAll("p").slice(0, 400)
      .filter((p) => squash(p.textContent).length > 80);
    for (const p of paragraphs) {
      for (let node = p; node && node !== html && !found.has(node); node = parentOf(node)) {
        found.add(node);
      }
    }
    return [...found];
  };
  const gradient = (value) => Boolean(value) && value.includes("gradient");
  const fadeOf = (el) => {
    const near = [...el.children, ...(el.parentElement ? el.parentElement.children : [])];
    for (const child of near) {
      if (child === el) { continue; }
      const s = getComputedStyle(child);
      if (["absolute", "sticky", "fixed"].includes(s.position) && gradient(s.backgroundImage) &&
          squash(child.innerText || "").length < 40 && !child.querySelector("p, img, video")) {
        return { fade: child, pseudo: "" };
      }
    }
    for (const pseudo of ["::after", "::before"]) {
      if (gradient(getComputedStyle(el, pseudo).backgroundImage)) { return { fade: null, pseudo }; }
    }
    const s = getComputedStyle(el);
    if (gradient(s.maskImage || s.webkitMaskImage)) { return { fade: null, pseudo: "mask" }; }
    return null;
  };

  // A "continue reading" or subscribe box over or just after a clamped container: short text,
  // a control, no article text of its own. Whether its words make it a wall is decided in Python.
  const boxOf = (el) => {
    const near = [...el.children];
    for (let node = el, up = 0; node && node !== document.body && up < 3; node = node.parentElement, up += 1) {
      const next = node.nextElementSibling;
      near.push(next, next && next.nextElementSibling);
    }
    for (const child of near) {
      if (!child || child === el || deepContains(child, el) || !visible(child)) { continue; }
      const text = deepText(child);
      if (text.length >= 8 && text.length <= 600 && longParagraphs(child) === 0 &&
          deepAll(CLICKABLE, child).some(visible)) {
        return child;
      }
    }
    return null;
  };
  // @include hidden.js
  const pageFacts = () => {
    const body = document.body;
    const content = Math.max(html.scrollHeight, body ? body.scrollHeight : 0);
    const locked = [];
    for (const el of [html, body].filter(Boolean)) {
      const s = getComputedStyle(el);
      if (HIDDEN.includes(s.overflowY)) { locked.push({ selector: describe(el), how: "overflow " + s.overflowY }); }
    }
    let fixedTop = null;
    if (body && getComputedStyle(body).position === "fixed") {
      fixedTop = parseFloat(getComputedStyle(body).top) || 0;
      locked.push({ selector: "body", how: `position fixed, top ${fixedTop}px` });
    }
    const containers = textContainers();
    const blurred = containers.filter((el) => /blur\(/.test(getComputedStyle(el).filter))
      .map((el) => ({ token: token(el), selector: describe(el), how: getComputedStyle(el).filter }));
    const inert = deepAll("[inert], [aria-hidden=true]")
      .filter((el) => longParagraphs(el) > 0 && shown(el))
      .map((el) => ({ token: token(el), selector: describe(el),
        how: el.hasAttribute("inert") ? "inert" : "aria-hidden" }));
    const clamped = [];
    for (const el of containers) {
      const s = getComputedStyle(el);
      if (el === html || el === body || !HIDDEN.includes(s.overflowY)) { continue; }
      const hiddenPx = el.scrollHeight - el.clientHeight;
      const fade = hiddenPx > 40 ? fadeOf(el) : null;
      const box = hiddenPx > 40 ? boxOf(el) : null;
      if (fade || box) {
        const item = { token: token(el), selector: describe(el), hidden_px: hiddenPx,
          fade: fade ? (fade.fade ? describe(fade.fade) : fade.pseudo) : "",
          how: `max-height ${s.maxHeight}, overflow ${s.overflowY}, ${hiddenPx}px hidden` };
        if (fade && fade.fade) { item.fade_token = token(fade.fade); }
        if (box) {
          Object.assign(item, { box_token: token(box), box: describe(box),
            box_text: deepText(box).slice(0, 600).toLowerCase() });
        }
        clamped.push(item);
      }
    }
    // Keep the outermost of nested clamps on the same text.
    const kept = clamped.filter((item) => !clamped.some((other) => other !== item &&
      deepContains(refs.get(other.token), refs.get(item.token))));
    clamped.length = 0;
    clamped.push(...kept);
    return {
      viewport: { width: innerWidth, height: innerHeight },
      content_height: content,
      locked, fixed_top: fixedTop, blurred, inert, clamped, hidden: hiddenText(),
    };
  };

  const gone = (el) => !el.isConnected || !visible(el);
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

  window.__captureGeneric = {
    refs,
    keys,
    get nextToken() { return nextToken; },
    scan() {
      hostCache = null;
      bodyChars = null;
      const roots = overlayRoots();
      return { candidates: [...roots.map(candidateFacts), ...cookieBars(roots)], page: pageFacts() };
    },
    click(key) {
      const el = refs.get(key);
      if (!el || !el.isConnected) { return false; }
      el.click();
      return true;
    },
    // Resolve with the tokens of the elements that went, once any went or after ms.
    async waitGone(keys, ms) {
      const end = performance.now() + ms;
      for (;;) {
        await frame();
        const done = keys.filter((key) => !refs.get(key) || gone(refs.get(key)));
        if (done.length || performance.now() >= end) { return done; }
      }
    },
    async remove(key) {
      const el = refs.get(key);
      if (!el) { return false; }
      if (el.localName === "dialog" && el.open) { el.close(); }
      el.remove();
      await frame();
      return !el.isConnected;
    },
    unlock(fixedTop) {
      const body = document.body;
      const rules = [];
      for (const el of [html, body].filter(Boolean)) {
        if (HIDDEN.includes(getComputedStyle(el).overflowY)) {
          el.style.setProperty("overflow", "visible", "important");
          rules.push(el === html ? "html" : "body");
        }
      }
      let css = rules.length ? `${rules.join(", ")} { overflow: visible !important; }` : "";
      if (body && getComputedStyle(body).position === "fixed") {
        body.style.setProperty("position", "static", "important");
        body.style.setProperty("top", "auto", "important");
        css += " body { position: static !important; top: auto !important; }";
      }
      if (css) {
        // A stylesheet rule too, so a script that re-locks through style.overflow loses.
        const style = document.createElement("style");
        style.setAttribute("data-capture", "generic:scroll_lock");
        style.textContent = css;
        (document.head || html).appendChild(style);
      }
      if (fixedTop && fixedTop < 0) { window.scrollTo(0, -fixedTop); }
      return css.trim();
    },
    // Show hidden blocks again and take away the boxes that stood in their place.
    reveal(keys, boxKeys) {
      for (const key of boxKeys) { const box = refs.get(key); if (box) { box.remove(); } }
      let shownNow = 0;
      for (const key of keys) {
        const el = refs.get(key);
        if (!el) { continue; }
        el.hidden = false;
        if (getComputedStyle(el).display === "none") { el.style.setProperty("display", "block", "important"); }
        el.setAttribute("data-capture-revealed", "");
        if (visible(el)) { shownNow += 1; }
      }
      return shownNow;
    },
    unblur(key) {
      const el = refs.get(key);
      if (!el) { return false; }
      el.style.setProperty("filter", "none", "important");
      return !/blur\(/.test(getComputedStyle(el).filter);
    },
    uninert(key) {
      const el = refs.get(key);
      if (!el) { return false; }
      el.removeAttribute("inert");
      el.removeAttribute("aria-hidden");
      return !el.hasAttribute("inert") && !el.hasAttribute("aria-hidden");
    },
    unclamp(key, fadeKey, pseudo, boxKey) {
      const el = refs.get(key);
      if (!el) { return false; }
      if (boxKey && refs.get(boxKey)) { refs.get(boxKey).remove(); }
      for (const [prop, value] of [["max-height", "none"], ["height", "auto"], ["overflow", "visible"],
        ["mask-image", "none"], ["-webkit-mask-image", "none"]]) {
        el.style.setProperty(prop, value, "important");
      }
      if (fadeKey && refs.get(fadeKey)) { refs.get(fadeKey).remove(); }
      if (pseudo === "::after" || pseudo === "::before") {
        el.setAttribute("data-capture-unclamped", "");
        const style = document.createElement("style");
        style.setAttribute("data-capture", "generic:truncation");
        style.textContent = `[data-capture-unclamped]${pseudo} { display: none !important; }`;
        (document.head || html).appendChild(style);
      }
      return el.scrollHeight - el.clientHeight <= 2;
    },
    // Resolve "changed" when something that could be an overlay appears or html/body change,
    // or "quiet" after ms without that.
    watch(ms) {
      return new Promise((resolve) => {
        const relevant = (record) => {
          if (record.type === "attributes") {
            return record.target === html || record.target === document.body ||
              record.attributeName === "open";
          }
          return [...record.addedNodes].some((node) => node.nodeType === 1 &&
            (node.parentElement === document.body || node.localName === "dialog" ||
             ["fixed", "sticky"].includes(getComputedStyle(node).position)));
        };
        const observer = new MutationObserver((records) => {
          if (records.some(relevant)) { finish("changed"); }
        });
        const timer = setTimeout(() => finish("quiet"), ms);
        const finish = (result) => {
          observer.disconnect();
          clearTimeout(timer);
          frame().then(() => resolve(result));
        };
        observer.observe(html, { childList: true, subtree: true, attributes: true,
          attributeFilter: ["style", "class", "open"] });
      });
    },
  };
  return true;
})()
