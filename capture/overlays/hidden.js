// Included in generic.js (at `// @include hidden.js`), not evaluated alone: article text
// the page was sent but hides, with the vendor's names on it and the boxes beside it.
// Uses the helpers of deep.js and `token`, `CLICKABLE` from generic.js.
  // Article text the page was sent but hides (display: none, or the hidden attribute): the
  // outermost hidden block around each long paragraph, the vendor names on it or its
  // ancestors, and the visible short boxes beside it (a subscription widget, perhaps).
  const VENDOR = /paywall|premium|piano|tinypass|(^|[-_ ])tp-|subscri|locked|restricted|meter|gated|paid|abo(nn)?/i;
  const markersOf = (el) => {
    const found = [];
    // The block and its near ancestors, not past the article: a theme's class on the body
    // says nothing about one hidden block.
    for (let node = el, up = 0; node && node !== document.body && node !== html && up < 4;
         node = node.matches("article, main, [itemprop=articleBody]") ? null : parentOf(node), up += 1) {
      for (const name of node.classList) { if (VENDOR.test(name)) { found.push("." + name); } }
      for (const attr of node.attributes) {
        if (attr.name.startsWith("data-") && (VENDOR.test(attr.name) || VENDOR.test(attr.value))) {
          found.push(`[${attr.name}]`);
        }
      }
      if (node.id && VENDOR.test(node.id)) { found.push("#" + node.id); }
    }
    return [...new Set(found)].slice(0, 4);
  };
  const hiddenText = () => {
    const blocks = new Set();
    for (const p of deepAll("p").slice(0, 600)) {
      // The page's own document (and its shadow roots): a frame's text is another page's.
      if (p.ownerDocument !== document || visible(p) || squash(p.textContent).length <= 80) { continue; }
      let block = null;
      for (let node = p; node && node !== document.body && node !== html; node = parentOf(node)) {
        if (getComputedStyle(node).display === "none" || node.hidden) { block = node; }
      }
      if (block) { blocks.add(block); }
    }
    const shownText = squash(document.body ? document.body.innerText : "");
    return [...blocks].map((block) => {
      const paragraphs = [...block.querySelectorAll("p")].map((p) => squash(p.textContent))
        .filter((t) => t.length > 80);
      const near = [];
      for (let node = block, up = 0; node && node !== document.body && up < 4; node = parentOf(node), up += 1) {
        const around = [];
        for (let next = node.nextElementSibling; next && around.length < 3; next = next.nextElementSibling) { around.push(next); }
        for (let prev = node.previousElementSibling; prev && around.length < 5; prev = prev.previousElementSibling) { around.push(prev); }
        for (const sibling of around) {
          if (near.includes(sibling) || !visible(sibling) || sibling.matches("p, h1, h2, h3, h4, h5, h6, figure")) { continue; }
          const text = deepText(sibling);
          if (text.length >= 8 && text.length <= 800 && longParagraphs(sibling) === 0 &&
              deepAll(CLICKABLE, sibling).some(visible)) { near.push(sibling); }
        }
        if (node.matches("article, main, [itemprop=articleBody]")) { break; }
      }
      return { token: token(block), selector: describe(block), markers: markersOf(block),
        how: getComputedStyle(block).display === "none" ? "display: none" : "hidden attribute",
        paragraphs: paragraphs.length, chars: paragraphs.reduce((n, t) => n + t.length, 0),
        duplicate: paragraphs.length > 0 && shownText.includes(paragraphs[0].slice(0, 120)),
        boxes: near.slice(0, 6).map((box) => ({ token: token(box), selector: describe(box),
          text: deepText(box).slice(0, 400).toLowerCase() })) };
    });
  };
