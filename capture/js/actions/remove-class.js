(els, names) => {
  els.forEach(e => e.classList.remove(...names));
  return els.length;
}
