els => {
  els.forEach(e => e.style.setProperty('display', 'none', 'important'));
  return els.length;
}
