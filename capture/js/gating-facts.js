(selectors) => {
  const visible = (el) => !el.checkVisibility || el.checkVisibility({ opacityProperty: true,
    visibilityProperty: true });
  const squash = (t) => (t || "").replace(/\s+/g, " ").trim();
  const paragraphs = [...document.querySelectorAll("p")].filter(visible)
    .map((p) => squash(p.innerText)).filter((t) => t.length > 80);
  const parts = {};
  for (const selector of selectors) {
    let chars = 0;
    try {
      for (const el of document.querySelectorAll(selector)) {
        if (visible(el)) { chars += squash(el.innerText).length; }
      }
    } catch (e) { chars = -1; }
    parts[selector] = chars;
  }
  return {
    article_chars: paragraphs.reduce((sum, t) => sum + t.length, 0),
    text: squash(document.body ? document.body.innerText : "").toLowerCase().slice(0, 200000),
    parts,
  };
}
