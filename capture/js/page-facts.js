(textChars) => {
  const body = document.body;
  const text = (body && body.innerText) || "";
  const headings = [...document.querySelectorAll("h1, h2")]
    .map((h) => (h.innerText || "").trim()).filter(Boolean).slice(0, 8);
  const urls = new Set();
  for (const s of document.scripts) if (s.src) urls.add(s.src);
  for (const f of document.querySelectorAll("iframe[src], frame[src]")) urls.add(f.src);
  for (const e of performance.getEntriesByType("resource")) urls.add(e.name);
  let inline = "", left = 20000;
  for (const s of document.scripts) {
    if (s.src || left <= 0) continue;
    const part = (s.textContent || "").slice(0, left);
    inline += part + "\n";
    left -= part.length;
  }
  const marks = new Set();
  for (const el of document.querySelectorAll("[id], [class]")) {
    if (marks.size > 600) break;
    if (el.id) marks.add(el.id);
    for (const name of el.classList || []) marks.add(name);
  }
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 1 && box.height > 1;
  };
  const media = [...document.querySelectorAll("img, svg, canvas, video, iframe, embed, object")]
    .filter(shown).length;
  const visible = (el) => {
    if (!shown(el)) return false;
    const style = getComputedStyle(el);
    return style.visibility !== "hidden" && style.display !== "none" && style.opacity !== "0";
  };
  const frames = [...document.querySelectorAll("iframe[src]")].filter(visible)
    .map((f) => f.src).slice(0, 40);
  return {
    title: document.title || "",
    headings,
    text: text.slice(0, textChars),
    text_chars: text.trim().length,
    urls: [...urls].slice(0, 400),
    inline: inline + [...marks].join(" "),
    password_fields: [...document.querySelectorAll("input[type=password]")].filter(visible).length,
    media,
    frames,
    articles: document.querySelectorAll("article, [role=article]").length,
  };
}
