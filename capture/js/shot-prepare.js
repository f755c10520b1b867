(waitForFonts) => {
  if (window.__captureShotRestore) window.__captureShotRestore();
  const roots = [];
  const collect = (root) => {
    roots.push(root);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT);
    for (let node = walker.currentNode; node; node = walker.nextNode())
      if (node.shadowRoot) collect(node.shadowRoot);
  };
  collect(document);
  const undo = [];
  const carets = new Map();
  for (const root of roots)
    for (const el of root.querySelectorAll("input,textarea,[contenteditable]")) {
      carets.set(el, [el.style.getPropertyValue("caret-color"),
                      el.style.getPropertyPriority("caret-color")]);
      el.style.setProperty("caret-color", "transparent", "important");
    }
  undo.push(() => {
    for (const [el, [value, priority]] of carets)
      el.style.setProperty("caret-color", value, priority);
  });
  const cancelled = new Set();
  const still = (root) => {
    for (const animation of root.getAnimations()) {
      if (!animation.effect || animation.playbackRate === 0 || cancelled.has(animation)) continue;
      try {
        if (Number.isFinite(animation.effect.getComputedTiming().endTime)) animation.finish();
        else { animation.cancel(); cancelled.add(animation); }
      } catch (e) {}
    }
  };
  for (const root of roots) {
    const handler = () => still(root);
    handler();
    root.addEventListener("transitionrun", handler);
    root.addEventListener("animationstart", handler);
    undo.push(() => {
      root.removeEventListener("transitionrun", handler);
      root.removeEventListener("animationstart", handler);
    });
  }
  undo.push(() => { for (const a of cancelled) { try { a.play(); } catch (e) {} } });
  Object.defineProperty(window, "__captureShotRestore", { configurable: true, value: () => {
    for (const step of undo) step();
    delete window.__captureShotRestore;
  } });
  return waitForFonts && document.fonts ? document.fonts.ready.then(() => true) : true;
}
