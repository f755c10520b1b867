(els, style) => {
  for (const e of els) {
    for (const [k, v] of Object.entries(style)) { e.style.setProperty(k, v, 'important'); }
  }
  return els.length;
}
