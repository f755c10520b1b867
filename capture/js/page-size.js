() => {
  const d = document.documentElement, b = document.body;
  return {
    width: Math.max(d.scrollWidth, b ? b.scrollWidth : 0, d.clientWidth),
    height: Math.max(d.scrollHeight, b ? b.scrollHeight : 0, d.clientHeight),
  };
}
