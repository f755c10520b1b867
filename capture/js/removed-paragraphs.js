(served) => {
  const squash = (t) => (t || "").replace(/\s+/g, " ").trim();
  const doc = new DOMParser().parseFromString(served, "text/html");
  const shown = squash(document.body ? document.body.textContent : "");
  const found = [...doc.querySelectorAll("p")].map((p) => squash(p.textContent))
    .filter((t) => t.length > 80);
  const head = (t) => t.slice(0, 120);
  return {
    kept: found.filter((t) => shown.includes(head(t))).map((t) => t.length),
    removed: found.filter((t) => !shown.includes(head(t))).map((t) => t.length),
  };
}
